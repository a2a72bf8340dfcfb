"""The audio_pairs preset: deterministic, replayable views of fixed length, each step at its probability."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from audio_support import DATA, SR, speech

from augkit import audio


def steps(params: dict) -> list[dict]:
    return params["ops"]


def test_views_are_crops_of_fixed_length_deterministic_and_replayable() -> None:
    clip = speech()
    vg = audio.audio_pairs(SR, seconds=1.0, seed=0)
    views = vg.generate(clip, index=3)
    assert len(views.items) == 2 and all(v.shape == (1, SR) and v.dtype == torch.float32 for v in views.items)
    again = audio.audio_pairs(SR, seconds=1.0, seed=0).generate(clip, index=3)
    assert views.params == again.params
    assert all(torch.equal(a, b) for a, b in zip(views.items, again.items, strict=True))
    replayed = vg.replay(clip, json.loads(json.dumps(views.params)))
    assert all(torch.equal(a, b) for a, b in zip(views.items, replayed, strict=True))
    other = vg.generate(clip, index=4)
    assert other.params != views.params
    offsets = [steps(p)[0]["params"]["offset"] for p in views.params]
    assert offsets[0] != offsets[1]  # two segments of one recording: the COLA pair


def test_each_step_runs_at_its_documented_probability() -> None:
    clip = speech()[:, : SR // 4]
    vg = audio.audio_pairs(SR, seconds=0.1, seed=1, n_views=1, gain_p=0.8, noise_p=0.5, stretch_pitch_p=0.3)
    n = 250
    applied = np.zeros((n, 3))
    for i in range(n):
        record = vg.rng(i)
        params = vg.pipelines[0].sample(clip, record)
        applied[i] = [steps(params)[k]["params"]["applied"] for k in (1, 2, 3)]
    for rate, p in zip(applied.mean(axis=0), (0.8, 0.5, 0.3), strict=True):
        assert abs(rate - p) < 4 * np.sqrt(p * (1 - p) / n), (rate, p)


def test_short_int16_numpy_clips_are_padded_into_canonical_float_tensors() -> None:
    pcm = (speech()[0, : SR // 2].numpy() * 20000).astype(np.int16)
    a, b = audio.audio_pairs(SR, seconds=1.0, seed=0)(pcm, index=0)
    assert isinstance(a, torch.Tensor) and a.dtype == torch.float32 and a.shape == (1, SR)
    assert torch.isfinite(a).all() and torch.isfinite(b).all()
    assert a[0, : SR // 2].abs().max() > 0.1, "int16 samples are scaled to [-1, 1], not dropped"
    assert a.abs().max() <= 1.5


def test_background_noise_option_mixes_real_recordings() -> None:
    vg = audio.audio_pairs(SR, seconds=0.5, seed=0, noise_p=1.0, background_noise=[DATA / "pink_noise.flac"])
    used = set()
    for i in range(40):
        for p in vg.generate(speech(), index=i).params:
            noise = steps(p)[2]["params"]  # RandomApply's record of the OneOf
            used.add(noise["params"]["choice"])
    assert used == {0, 1}  # synthetic noise and the recording both occur


def test_no_augmentation_leaves_only_the_crop() -> None:
    clip = speech()
    vg = audio.audio_pairs(SR, seconds=1.0, seed=0, gain_p=0, noise_p=0, stretch_pitch_p=0)
    views = vg.generate(clip, index=0)
    for view, p in zip(views.items, views.params, strict=True):
        offset = steps(p)[0]["params"]["offset"]
        assert torch.equal(view, clip[:, offset : offset + SR])


@pytest.mark.parametrize("name", ["gain_p", "noise_p", "stretch_pitch_p"])
def test_bad_probabilities_name_the_argument(name: str) -> None:
    with pytest.raises(ValueError, match=rf"{name}=1.5 must be a probability in \[0, 1\]"):
        audio.audio_pairs(SR, **{name: 1.5})
    with pytest.raises(ValueError, match="sample_rate=0"):
        audio.audio_pairs(0)
    with pytest.raises(ValueError, match="seconds=-1"):
        audio.audio_pairs(SR, seconds=-1)


def test_is_a_registered_preset_with_the_common_keywords() -> None:
    from augkit.core import registry

    assert registry.get_preset("audio.audio_pairs") is audio.audio_pairs
    assert audio.audio_pairs.modality == "audio" and audio.audio_pairs.default_views == 2
    vg = audio.audio_pairs(SR, 0.25, n_views=3, seed=5)
    made = vg.generate(speech(), index=0)
    assert len(made.items) == 3 and all(v.shape == (1, SR // 4) for v in made.items)
    assert all(p["format"] == 2 for p in made.params)
    with pytest.raises(ValueError, match=r"n_views\)=0 must be an int in \[1, 1024\]"):
        audio.audio_pairs(SR, n_views=0)
    with pytest.raises(TypeError, match=r"audio_pairs\(\): multiple values for argument 'sample_rate'"):
        audio.audio_pairs(SR, sample_rate=SR)  # type: ignore[misc]
    with pytest.raises(TypeError, match="too many positional arguments"):
        audio.audio_pairs(SR, 1.0, 0.8)  # the probabilities are keyword-only


def test_records_keep_the_0_1_layout() -> None:
    """RandomApply wrappers (not the ops' own p), so that augkit 0.1 records still replay."""
    made = audio.audio_pairs(SR, 0.25, seed=0, stretch_pitch_p=1.0).generate(speech(), index=0)
    ops = steps(made.params[0])
    assert [step["op"] for step in ops] == ["audio.random_crop", "random_apply", "random_apply", "random_apply"]
    assert ops[0]["params"]["applied"] is True and "offset" in ops[0]["params"]


@pytest.mark.parametrize("rate", [1, 8, 250])
def test_effects_work_at_any_rate_the_ops_take(rate: int) -> None:
    # the equalizer's lowest centre follows the rate (it was 100 Hz, above the Nyquist of 200 Hz audio)
    vg = audio.effects(rate, seconds=4 / rate if rate < 4 else 1.0, seed=0)
    clip = torch.randn(1, 2 * max(4, rate))
    for i in range(20):
        assert all(torch.isfinite(v).all() for v in vg(clip, index=i))
