"""What every audio op gets from the one base: p, records with "applied", batch records, the
constructor users call, errors that name the argument or the record key."""

from __future__ import annotations

import inspect
import json
from typing import Any

import numpy as np
import pytest
import torch
from audio_support import DATA, SR, speech

from augkit import audio
from augkit.core import Augmenter, registry
from augkit.core.errors import InvalidArgument, InvalidInput, InvalidParams, WrongArgumentType


def every_op(p: float = 1.0) -> list[Augmenter[Any]]:
    """One instance of each audio op (keep_length so that batches stay rectangular)."""
    return [
        audio.Gain((-6, 6), p=p),
        audio.AddNoise((5, 20), "pink", p=p),
        audio.AddBackgroundNoise([DATA / "pink_noise.flac"], (0, 10), SR, p=p),
        audio.TimeShift((-0.2, 0.2), False, p=p),
        audio.RandomCrop(0.25, SR, p=p),
        audio.TimeStretch((0.8, 1.25), True, p=p),
        audio.PitchShift((-3, 3), SR, p=p),
        *effects(p),
    ]


def effects(p: float) -> list[Augmenter[Any]]:
    """The effects ops (rooms, filters, codecs, distortions, fades, masks, speed, short noises)."""
    beep = 0.2 * torch.sin(torch.arange(1600) * (2 * torch.pi * 1000 / SR))
    return [
        audio.ApplyImpulseResponse(None, (0.1, 0.5), (0.3, 1.0), SR, p=p),
        audio.LowPass((500, 4000), 4, SR, p=p),
        audio.HighPass((100, 1000), 4, SR, p=p),
        audio.BandPass((300, 3000), (0.5, 1.5), 2, SR, p=p),
        audio.BandStop((300, 3000), (0.5, 1.5), 2, SR, p=p),
        audio.PeakingEQ((100, 6000), (-12, 12), (0.5, 4), 3, SR, p=p),
        audio.Mp3Compression((32, 64), SR, p=p),
        audio.CodecCompression("vorbis", (0.3, 1.0), SR, p=p),
        audio.ClippingDistortion((0, 40), p=p),
        audio.TanhDistortion((0.01, 0.7), p=p),
        audio.BitCrush((4, 10), p=p),
        audio.PolarityInversion(p=p),
        audio.Reverse(p=p),
        audio.Fade((0, 0.5), (0, 0.5), p=p),
        audio.TimeMask((0.05, 0.2), "noise", p=p),
        audio.SpeedPerturb((0.9, 1.1), True, p=p),
        audio.AddShortNoises([beep], (0, 15), (1, 3), SR, p=p),
    ]


OPS = every_op()
IDS = [type(op).__name__ for op in OPS]


def test_every_registered_audio_op_is_covered_here() -> None:
    # ops that mix with a partner need a source of partners: tests/audio/test_audio_mix.py
    audio_names = {name for name in registry.names()
                   if name.startswith("audio.") and not getattr(registry.get(name), "mixes", False)}
    assert audio_names == {op.name for op in OPS}
    assert all(type(op).modality == "audio" for op in OPS)


@pytest.mark.parametrize(("build", "expected"), [
    (lambda: audio.PitchShift(3, 22050), {"semitones": (3.0, 3.0), "sample_rate": 22050}),
    (lambda: audio.RandomCrop(0.5, 8000), {"seconds": 0.5, "sample_rate": 8000}),
    (lambda: audio.AddNoise(10, "brown"), {"snr_db": (10.0, 10.0), "color": "brown"}),
    (lambda: audio.TimeStretch(1.2, True), {"rate": (1.2, 1.2), "keep_length": True}),
    (lambda: audio.TimeShift(0.1, False), {"fraction": (0.1, 0.1), "rollover": False}),
    (lambda: audio.Gain(3), {"gain_db": (3.0, 3.0)}),
])
def test_positional_signatures_are_kept_and_p_comes_last(build: Any, expected: dict[str, Any]) -> None:
    op = build()
    assert op.arguments() == {**expected, "p": 1.0}
    assert list(inspect.signature(type(op)).parameters)[-1] == "p"
    rebuilt = type(op)(**op.arguments())
    assert rebuilt.arguments() == op.arguments() and repr(rebuilt) == repr(op)


def test_background_noise_keeps_its_positional_order() -> None:
    op = audio.AddBackgroundNoise([torch.ones(10)], (1, 2), 8000, 0.5)
    assert (op.snr_db, op.sample_rate, op.p) == ((1.0, 2.0), 8000, 0.5)


def test_a_single_number_is_a_fixed_value() -> None:
    clip = speech()[:, : SR // 4]
    assert audio.TimeStretch(rate=1.2).sample(clip, np.random.default_rng(0)) == {"applied": True, "rate": 1.2}
    record = audio.PitchShift(semitones=3).sample(clip, np.random.default_rng(0))
    assert record["semitones"] == 3.0 and abs(record["applied_semitones"] - 3) <= 0.01


@pytest.mark.parametrize("op", every_op(p=0.0), ids=IDS)
def test_p_zero_never_changes_the_clip_and_records_applied_false(op: Augmenter[Any]) -> None:
    clip = speech()[:, :SR]
    for seed in range(5):
        y, params = op.augment(clip, np.random.default_rng(seed))
        assert params == {"applied": False}
        assert torch.equal(y, clip) and y.data_ptr() != clip.data_ptr()  # a copy, never the input
    assert torch.equal(op.apply(clip, {"applied": False}), clip)
    batch = torch.stack([clip, 0.5 * clip])
    out, params = op.augment(batch, np.random.default_rng(0))
    assert params == {"applied": False, "batch": [{"applied": False}, {"applied": False}]}
    assert torch.equal(out, batch)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_p_one_always_applies_and_the_record_holds_what_was_drawn(op: Augmenter[Any]) -> None:
    clip = speech()[:, :SR]
    params = op.sample(clip, np.random.default_rng(0))
    assert params["applied"] is True and set(op.drawn) <= set(params)
    assert json.loads(json.dumps(params)) == params


@pytest.mark.parametrize("op", every_op(p=0.5), ids=IDS)
def test_p_is_the_probability_of_applying(op: Augmenter[Any]) -> None:
    clip = speech()[:, : SR // 10]
    n = 400
    fired = [op.sample(clip, np.random.default_rng(i))["applied"] for i in range(n)]
    assert abs(np.mean(fired) - 0.5) < 4 * np.sqrt(0.25 / n)


@pytest.mark.parametrize("op", every_op(p=0.5), ids=IDS)
def test_batch_records_and_batch_equals_per_example(op: Augmenter[Any]) -> None:
    clip = speech()[:, : SR // 2]
    batch = torch.stack([clip, 0.5 * torch.flip(clip, [-1]), 0.2 * clip, -clip, torch.roll(clip, 100, -1)])
    rng = np.random.default_rng(8)
    if isinstance(op, audio.RandomCrop):
        # a crop that fires on some examples only would make a ragged batch: refused, by name
        with pytest.raises(InvalidInput, match=r"audio\.random_crop would give a ragged batch"):
            op.augment(batch, rng)
        return
    out, params = op.augment(batch, rng)
    records = params["batch"]
    assert set(params) == {"applied", "batch"} and len(records) == len(batch)
    assert params["applied"] is any(r["applied"] for r in records)
    assert {r["applied"] for r in records} == {True, False}  # this seed mixes both
    again = np.random.default_rng(8)
    for i, record in enumerate(records):
        assert record == op.sample(batch[i], again)  # what the clip alone draws, in order
        alone = op.apply(batch[i], record)
        torch.testing.assert_close(out[i], alone, atol=1e-5, rtol=0)
        if not record["applied"]:
            assert torch.equal(out[i], batch[i])
    assert torch.equal(op.apply(batch, json.loads(json.dumps(params))), out)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_batch_where_every_example_fires_equals_per_example(op: Augmenter[Any]) -> None:
    clip = speech()[:, : SR // 2]
    batch = torch.stack([clip, 0.5 * torch.flip(clip, [-1]), torch.zeros_like(clip)])
    out, params = op.augment(batch, np.random.default_rng(3))
    assert params["applied"] is True and all(r["applied"] for r in params["batch"])
    for i, record in enumerate(params["batch"]):
        torch.testing.assert_close(out[i], op.apply(batch[i], record), atol=1e-5, rtol=0)


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_records_missing_a_key_or_with_a_bad_type_name_it(op: Augmenter[Any]) -> None:
    clip = speech()[:, : SR // 4]
    record = op.sample(clip, np.random.default_rng(0))
    name = type(op).__name__
    with pytest.raises(InvalidParams, match=f"{name} params are missing key 'applied'"):
        op.apply(clip, {k: v for k, v in record.items() if k != "applied"})
    for key in op.drawn:
        with pytest.raises(InvalidParams, match=f"{name} params are missing key '{key}'"):
            op.apply(clip, {k: v for k, v in record.items() if k != key})
        with pytest.raises(InvalidParams, match=rf"{name} params\['{key}'\] must be"):
            op.apply(clip, {**record, key: "x"})
    with pytest.raises(InvalidParams, match=rf"{name} params\['applied'\] must be bool"):
        op.apply(clip, {**record, "applied": 1})
    with pytest.raises(InvalidParams, match=f"{name} params must be a dict"):
        op.apply(clip, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("op", "record", "key"), [
    (audio.AddNoise(), {"snr_db": 10.0, "seed": -1}, "seed"),
    (audio.AddNoise(), {"snr_db": 10.0, "seed": 2**64}, "seed"),
    (audio.AddNoise(), {"snr_db": 1e6, "seed": 0}, "snr_db"),
    (audio.AddBackgroundNoise([torch.ones(10)]), {"source": 0, "offset": 0, "snr_db": 500.0}, "snr_db"),
    (audio.AddBackgroundNoise([torch.ones(10)]), {"source": -1, "offset": 0, "snr_db": 5.0}, "source"),
    (audio.RandomCrop(0.01, SR), {"offset": 10**6}, "offset"),
    (audio.TimeStretch(), {"rate": 0.0}, "rate"),
    (audio.PitchShift(), {"semitones": -99.0, "applied_semitones": 0.0}, "semitones"),
])
def test_values_the_maths_cannot_take_raise_invalid_params_naming_the_key(
        op: Augmenter[Any], record: dict[str, Any], key: str) -> None:
    clip = speech()[:, : SR // 4]
    with pytest.raises(InvalidParams, match=rf"{type(op).__name__} params\['{key}'\]="):
        op.apply(clip, {"applied": True, **record})
    batch = torch.stack([clip, clip])
    with pytest.raises(InvalidParams, match=rf"params\['{key}'\]="):  # the batch path checks them too
        op.apply(batch, {"applied": True, "batch": [{"applied": True, **record}] * 2})


@pytest.mark.parametrize("build", [lambda: audio.Gain(p=1.5), lambda: audio.AddNoise(p=-0.1),
                                   lambda: audio.TimeShift(p=2), lambda: audio.RandomCrop(1.0, SR, p=1.1),
                                   lambda: audio.TimeStretch(p=float("nan")), lambda: audio.PitchShift(p=3),
                                   lambda: audio.AddBackgroundNoise([torch.ones(10)], p=-1)])
def test_a_bad_p_names_the_argument(build: Any) -> None:
    with pytest.raises(InvalidArgument, match=r"p=.* must be a probability in \[0, 1\]"):
        build()


def test_unknown_or_surplus_arguments_list_the_known_ones() -> None:
    with pytest.raises(WrongArgumentType, match=r"unexpected keyword argument 'sr'.*semitones, sample_rate, p"):
        audio.PitchShift(3, sr=16000)  # type: ignore[call-arg]
    with pytest.raises(WrongArgumentType, match="too many positional arguments"):
        audio.TimeShift(0.1, True, 1.0, 5)  # type: ignore[call-arg]
