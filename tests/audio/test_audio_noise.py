"""Noise at an SNR, measured on real speech: synthetic coloured noise and real background recordings."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from audio_support import DATA, SR, snr_db, speech

from augkit import audio
from augkit.audio.noise import colored_noise, mix_at_snr
from augkit.core.errors import InvalidArgument, InvalidParams, WrongArgumentType


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
@pytest.mark.parametrize("snr", [-5.0, 0.0, 10.0, 20.0, 40.0])
def test_noise_lands_at_the_requested_snr(color: str, snr: float) -> None:
    clean = speech()
    op = audio.AddNoise(snr_db=snr, color=color)
    y, params = op.augment(clean, np.random.default_rng(1))
    assert params["snr_db"] == snr
    assert abs(snr_db(clean, y) - snr) < 0.5
    assert y.shape == clean.shape and y.dtype == torch.float32


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
def test_drawn_snr_is_uniform_in_range_and_measured(color: str) -> None:
    op = audio.AddNoise(snr_db=(5, 20), color=color)
    clean = speech()[:, :SR]
    rng = np.random.default_rng(7)
    draws = []
    for _ in range(10):
        y, params = op.augment(clean, rng)
        assert abs(snr_db(clean, y) - params["snr_db"]) < 0.5
        draws.append(params["snr_db"])
    assert all(5 <= d <= 20 for d in draws) and max(draws) - min(draws) > 3  # not one fixed value
    # many draws: the mean of U(5, 20) is 12.5 with sd 15/sqrt(12)/sqrt(n)
    many = [op.sample(clean, np.random.default_rng(i))["snr_db"] for i in range(2000)]
    assert abs(np.mean(many) - 12.5) < 4 * (15 / np.sqrt(12) / np.sqrt(2000))


def test_snr_of_a_stereo_clip_is_over_the_whole_clip() -> None:
    clean = torch.cat([speech(), 0.25 * speech()])
    y = audio.AddNoise(snr_db=12.0, color="pink")(clean, np.random.default_rng(0))
    assert abs(snr_db(clean, y) - 12.0) < 0.5
    assert not torch.equal(y[0] - clean[0], y[1] - clean[1])  # each channel gets its own noise


@pytest.mark.parametrize(("color", "slope"), [("white", 0.0), ("pink", -1.0), ("brown", -2.0)])
def test_colored_noise_has_the_named_spectral_slope(color: str, slope: float) -> None:
    x = colored_noise((1, 1 << 16), color, torch.Generator().manual_seed(0), torch.device("cpu"))
    power = torch.fft.rfft(x[0].double()).abs().pow(2).numpy()
    f = np.arange(len(power))
    band = (f > 50) & (f < 20000)
    fitted = np.polyfit(np.log(f[band]), np.log(power[band]), 1)[0]
    assert abs(fitted - slope) < 0.1, (color, fitted)
    assert abs(x.mean().item()) < 0.05 * x.std().item()


def test_same_seed_same_noise_other_seed_other_noise_and_replay() -> None:
    clean = speech()[:, :SR]
    op = audio.AddNoise(snr_db=(5, 20), color="pink")
    a, pa = op.augment(clean, np.random.default_rng(3))
    b, pb = op.augment(clean, np.random.default_rng(3))
    c, pc = op.augment(clean, np.random.default_rng(4))
    assert pa == pb and torch.equal(a, b)
    assert pa["seed"] != pc["seed"] and not torch.allclose(a, c)
    assert torch.equal(op.apply(clean, json.loads(json.dumps(pa))), a)
    assert isinstance(pa["seed"], int) and isinstance(pa["snr_db"], float)


@pytest.mark.parametrize("op", [audio.AddNoise(color="white"), audio.AddNoise(color="brown"),
                                audio.AddBackgroundNoise([DATA / "pink_noise.flac"], (0, 10), SR)],
                         ids=["white", "brown", "background"])
def test_batch_equals_per_example(op: audio.AddNoise) -> None:
    clip = speech()[:, :SR]
    batch = torch.stack([clip, 0.5 * clip, torch.flip(clip, [-1]), torch.zeros_like(clip)])
    out, params = op.augment(batch, np.random.default_rng(4))
    assert len(params["batch"]) == 4 and out.shape == batch.shape
    rng = np.random.default_rng(4)
    for i in range(4):
        assert params["batch"][i] == op.sample(batch[i], rng)  # what the single clip would draw
        torch.testing.assert_close(out[i], op.apply(batch[i], params["batch"][i]), atol=1e-5, rtol=0)
    assert torch.equal(out[3], batch[3])  # silence stays silent: its SNR is undefined


def test_silent_clip_is_returned_unchanged() -> None:
    silence = torch.zeros(2, 500)
    assert torch.equal(audio.AddNoise(10)(silence, np.random.default_rng(0)), silence)
    assert torch.equal(mix_at_snr(silence, torch.randn(2, 500), 0.0), silence)


def test_background_noise_from_a_real_recording_at_the_snr() -> None:
    clean = speech()
    op = audio.AddBackgroundNoise([DATA / "pink_noise.flac"], snr_db=(3, 9), sample_rate=SR)
    rng = np.random.default_rng(0)
    for _ in range(5):
        y, params = op.augment(clean, rng)
        assert abs(snr_db(clean, y) - params["snr_db"]) < 0.5
        assert 3 <= params["snr_db"] <= 9 and params["source"] == 0


def test_background_noise_is_the_recording_looped_or_cut_at_the_offset() -> None:
    ramp = torch.arange(1, 101, dtype=torch.float32)[None] / 100  # a recording we can recognize
    op = audio.AddBackgroundNoise([ramp], snr_db=0.0, sample_rate=SR)
    clip = torch.full((1, 250), 0.3)
    y = op.apply(clip, {"applied": True, "source": 0, "offset": 30, "snr_db": 0.0})
    added = (y - clip)[0]
    expected = torch.cat([ramp[0, 30:], ramp[0], ramp[0], ramp[0]])[:250]  # looped from the offset
    scale = added[0] / expected[0]
    torch.testing.assert_close(added, scale * expected, rtol=1e-4, atol=1e-6)
    short = torch.full((1, 20), 0.3)
    added = (op.apply(short, {"applied": True, "source": 0, "offset": 90, "snr_db": 0.0}) - short)[0]
    expected = torch.cat([ramp[0, 90:], ramp[0, :10]])  # cut, wrapping round the end
    torch.testing.assert_close(added, added[0] / expected[0] * expected, rtol=1e-4, atol=1e-6)


def test_background_offsets_cover_the_recording_and_sources_are_chosen_evenly() -> None:
    a, b = torch.ones(1, 1000) * 0.1, -torch.ones(1, 400) * 0.1
    op = audio.AddBackgroundNoise([a, b], snr_db=(5, 15), sample_rate=SR)
    draws = [op.sample(torch.ones(1, 50), np.random.default_rng(i)) for i in range(1000)]
    share = np.mean([d["source"] == 0 for d in draws])
    assert abs(share - 0.5) < 4 * np.sqrt(0.25 / 1000)
    offsets_a = [d["offset"] for d in draws if d["source"] == 0]
    assert 0 <= min(offsets_a) < 50 and 950 < max(offsets_a) < 1000


RECORD = {"applied": True, "source": 0, "offset": 0, "snr_db": 6.0}


def test_background_channels_mono_is_spread_stereo_is_averaged() -> None:
    mono_noise = torch.randn(1, 300)
    stereo_clip = torch.ones(2, 300) * 0.2
    y = audio.AddBackgroundNoise([mono_noise], 6.0, SR).apply(stereo_clip, RECORD)
    torch.testing.assert_close(y[0], y[1])
    stereo_noise = torch.randn(2, 300)
    mono_clip = torch.ones(1, 300) * 0.2
    op = audio.AddBackgroundNoise([stereo_noise], 6.0, SR)
    added = op.apply(mono_clip, RECORD) - mono_clip
    mean = stereo_noise.mean(dim=0)
    torch.testing.assert_close(added[0], added[0, 0] / mean[0] * mean, rtol=1e-3, atol=1e-6)


def test_background_files_are_resampled_once_and_not_pickled(tmp_path: Path) -> None:
    noise_8k = audio.resample(audio.load(DATA / "pink_noise.flac")[0], SR, 8000)
    path = audio.save(tmp_path / "noise8k.wav", noise_8k, 8000)
    op = audio.AddBackgroundNoise([path, torch.randn(1, 100) * 0.1], (10, 10), sample_rate=SR)
    params = {"applied": True, "source": 0, "offset": 5, "snr_db": 10.0}
    y = op.apply(speech(), params)
    assert abs(op._recordings[0].shape[-1] - noise_8k.shape[-1] * 2) <= 2  # loaded at the clips' rate
    clone = pickle.loads(pickle.dumps(op))
    assert clone._recordings._loaded == {}
    assert torch.equal(clone.apply(speech(), params), y)


def test_background_bad_sources(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"sources\[0\]: .*missing\.wav"):
        audio.AddBackgroundNoise(["missing.wav"])
    junk = tmp_path / "junk.wav"
    junk.write_text("not audio")
    with pytest.raises(InvalidArgument, match=r"sources\[1\]: .*junk\.wav is not a readable audio file"):
        audio.AddBackgroundNoise([torch.ones(10), junk])
    with pytest.raises(InvalidArgument, match=r"sources must be a non-empty list .*got \[\]"):
        audio.AddBackgroundNoise([])
    for bad in ("noise.wav", torch.ones(100)):
        with pytest.raises(WrongArgumentType, match=r"sources must be a non-empty list .*wrap one recording"):
            audio.AddBackgroundNoise(bad)  # type: ignore[arg-type]
    # a bad recording is a bad argument (still a ValueError / TypeError), named by its place
    with pytest.raises(InvalidArgument, match=r"sources\[1\] holds NaN"):
        audio.AddBackgroundNoise([torch.ones(10), torch.tensor([float("nan")])])
    with pytest.raises(WrongArgumentType, match=r"sources\[0\] has dtype int32"):
        audio.AddBackgroundNoise([np.ones(10, dtype=np.int32)])
    with pytest.raises(InvalidArgument, match=r"sources\[0\] must be one recording"):
        audio.AddBackgroundNoise([torch.ones(2, 1, 10)])
    with pytest.raises(InvalidParams, match=r"params\['source'\]=3 is out of range for 1 sources"):
        audio.AddBackgroundNoise([torch.ones(10)]).apply(
            torch.ones(1, 5), {"applied": True, "source": 3, "offset": 0, "snr_db": 1.0})


def test_bad_noise_arguments() -> None:
    with pytest.raises(InvalidArgument, match="color='blue' must be one of 'white', 'pink', 'brown'"):
        audio.AddNoise(color="blue")
    with pytest.raises(InvalidArgument, match=r"snr_db=\(20, 5\) must be .* min <= max"):
        audio.AddNoise(snr_db=(20, 5))
    with pytest.raises(InvalidArgument, match=r"snr_db=500 must be .* within \[-60, 120\]"):
        audio.AddNoise(snr_db=500)
    with pytest.raises(WrongArgumentType, match=r"snr_db=\(1, 2, 3\) must be a number or a \(min, max\) pair"):
        audio.AddBackgroundNoise([torch.ones(10)], snr_db=(1, 2, 3))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="color='red'"):
        colored_noise((1, 10), "red", torch.Generator(), torch.device("cpu"))
