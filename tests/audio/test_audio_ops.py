"""Gain, time shift and random crop: values, determinism, replay and batches."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from audio_support import SR, speech

from augkit import audio
from augkit.core.errors import InvalidArgument, InvalidParams, WrongArgumentType


def test_gain_scales_by_decibels() -> None:
    x = speech()[:, :SR]
    for db in (-20.0, -6.0, 0.0, 6.0):
        y = audio.Gain(db)(x)
        torch.testing.assert_close(y, x * 10 ** (db / 20))
        ratio = 20 * torch.log10(y.abs().max() / x.abs().max()).item()
        assert abs(ratio - db) < 1e-3
    draws = [audio.Gain((-6, 6)).sample(x, np.random.default_rng(i))["gain_db"] for i in range(1000)]
    assert min(draws) >= -6 and max(draws) <= 6
    assert abs(np.mean(draws)) < 4 * 12 / np.sqrt(12) / np.sqrt(1000)


def test_gain_does_not_clip() -> None:
    y = audio.Gain(12.0)(torch.full((1, 4), 0.9))
    assert y.max().item() > 3.5


def test_time_shift_rolls_or_pads_with_silence() -> None:
    x = torch.linspace(-0.5, 0.5, 100)[None]
    torch.testing.assert_close(audio.TimeShift(0.1)(x), torch.roll(x, 10, -1))
    torch.testing.assert_close(audio.TimeShift(-0.25)(x), torch.roll(x, -25, -1))
    later = audio.TimeShift(0.1, rollover=False)(x)
    assert torch.equal(later[:, 10:], x[:, :90]) and torch.equal(later[:, :10], torch.zeros(1, 10))
    earlier = audio.TimeShift(-0.1, rollover=False)(x)
    assert torch.equal(earlier[:, :90], x[:, 10:]) and torch.equal(earlier[:, 90:], torch.zeros(1, 10))
    assert torch.equal(audio.TimeShift(1.0, rollover=False)(x), torch.zeros_like(x))
    assert torch.equal(audio.TimeShift(1.0)(x), x)  # a full turn


def test_time_shift_draws_samples_from_the_fraction_of_the_length() -> None:
    op = audio.TimeShift((-0.2, 0.2))
    shifts = [op.sample(torch.zeros(1, 1000), np.random.default_rng(i))["shift"] for i in range(500)]
    assert all(isinstance(s, int) and -200 <= s <= 200 for s in shifts)
    assert min(shifts) < -150 and max(shifts) > 150


def test_crop_cuts_the_drawn_segment_and_pads_short_clips() -> None:
    x = torch.linspace(-0.5, 0.5, 100)[None]
    crop = audio.RandomCrop(seconds=0.5, sample_rate=100)
    y, p = crop.augment(x, np.random.default_rng(0))
    assert torch.equal(y, x[:, p["offset"] : p["offset"] + 50])
    offsets = [crop.sample(x, np.random.default_rng(i))["offset"] for i in range(400)]
    assert min(offsets) == 0 and max(offsets) == 50  # every position where the segment fits
    short = crop(x[:, :20])
    assert short.shape == (1, 50)
    assert torch.equal(short[:, :20], x[:, :20]) and torch.equal(short[:, 20:], torch.zeros(1, 30))
    assert torch.equal(crop(x[:, :50]), x[:, :50])  # exactly the crop's length: the whole clip
    with pytest.raises(InvalidParams, match=r"params\['offset'\]=80 lies outside a clip of 60 samples"):
        crop.apply(x[:, :60], {"applied": True, "offset": 80})
    with pytest.raises(InvalidParams, match=r"params\['offset'\]=-1 lies outside"):
        crop.apply(x, {"applied": True, "offset": -1})


def test_two_crops_of_one_clip_are_different_segments_of_it() -> None:
    """COLA's positive pair: two random one-second segments of the same recording."""
    clip = speech()
    crop = audio.RandomCrop(1.0, SR)
    rng = np.random.default_rng(0)
    (a, pa), (b, pb) = crop.augment(clip, rng), crop.augment(clip, rng)
    assert pa["offset"] != pb["offset"] and a.shape == b.shape == (1, SR)
    assert torch.equal(a, clip[:, pa["offset"] : pa["offset"] + SR])


@pytest.mark.parametrize(
    "op",
    [audio.Gain(), audio.TimeShift(), audio.TimeShift(rollover=False), audio.RandomCrop(0.25, SR)],
    ids=lambda op: repr(op),
)
def test_same_seed_same_view_replay_and_batch_equals_per_example(op: audio.Gain) -> None:
    clip = speech()[:, :SR]
    a, pa = op.augment(clip, np.random.default_rng(3))
    b, pb = op.augment(clip, np.random.default_rng(3))
    assert pa == pb and torch.equal(a, b)
    assert torch.equal(op.apply(clip, json.loads(json.dumps(pa))), a)
    batch = torch.stack([clip, 0.5 * clip, torch.flip(clip, [-1])])
    out, params = op.augment(batch, np.random.default_rng(4))
    rng = np.random.default_rng(4)
    assert len(params["batch"]) == 3 and params["applied"] is True
    for i in range(3):
        assert params["batch"][i] == op.sample(batch[i], rng)
        torch.testing.assert_close(out[i], op.apply(batch[i], params["batch"][i]), atol=1e-5, rtol=0)
    assert len({json.dumps(p) for p in params["batch"]}) == 3  # per-example draws, not one for all


def test_batch_params_must_match_the_batch() -> None:
    batch = torch.zeros(3, 1, 100)
    with pytest.raises(InvalidParams, match="Gain params are missing key 'batch'"):
        audio.Gain().apply(batch, {"applied": True, "gain_db": 1.0})
    with pytest.raises(InvalidParams, match=r"params\['batch'\] holds 1 records for a batch of 3"):
        audio.Gain().apply(batch, {"applied": True, "batch": [{"applied": True, "gain_db": 1.0}]})


def test_bad_arguments() -> None:
    with pytest.raises(InvalidArgument, match=r"gain_db=\(6, -6\) must be .* min <= max"):
        audio.Gain((6, -6))
    with pytest.raises(InvalidArgument, match=r"fraction=1.5 must be .* within \[-1, 1\]"):
        audio.TimeShift(1.5)
    with pytest.raises(WrongArgumentType, match="rollover='yes' must be True or False"):
        audio.TimeShift(rollover="yes")  # type: ignore[arg-type]
    for seconds in (0, -1.0, float("inf")):
        with pytest.raises(InvalidArgument, match=r"seconds=.* must be a number in \(0, inf\)"):
            audio.RandomCrop(seconds, SR)
    with pytest.raises(WrongArgumentType, match=r"seconds='1' must be a number in \(0, inf\)"):
        audio.RandomCrop("1", SR)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="sample_rate=-8000"):
        audio.RandomCrop(1.0, sample_rate=-8000)
    with pytest.raises(WrongArgumentType, match="missing a required argument: 'sample_rate'"):
        audio.RandomCrop(1.0)  # type: ignore[call-arg]


def test_batch_params_on_one_clip_are_refused() -> None:
    batch = torch.zeros(2, 1, 100)
    params = audio.Gain().sample(batch, np.random.default_rng(0))
    with pytest.raises(InvalidParams, match="Gain params are missing key 'gain_db'"):
        audio.Gain().apply(batch[0], params)
