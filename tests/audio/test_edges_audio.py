"""Audio edges that used to fail: arrays with negative strides, non-contiguous batches, files and
crops of absurd lengths (refused by a frame cap instead of allocating gigabytes)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from mixing_support import partnered

import augkit
from augkit.audio import io as audio_io
from augkit.core import registry
from augkit.core.errors import InvalidArgument, InvalidInput
from augkit.core.streams import stream

AUDIO_OPS = [n for n in registry.names() if n.startswith("audio.")]


def _reversed_inputs() -> dict[str, np.ndarray]:
    """Arrays with a negative stride: numpy calls the 1-frame ones contiguous and keeps that stride."""
    tone = np.sin(np.arange(16000, dtype=np.float32) * 0.05).astype(np.float32)
    stereo = np.stack([tone, -tone])
    return {
        "one frame [time]": np.full(1, 0.25, np.float32)[::-1],
        "one frame int16": np.full(1, 1000, np.int16)[::-1],
        "one frame [1, 1]": np.full((1, 1), 0.25, np.float32)[::-1, ::-1],
        "[time] reversed": tone[::-1],
        "[channels, time] reversed time": stereo[:, ::-1],
        "[channels, time] reversed channels": stereo[::-1],
        "[1, channels, time] reversed batch": np.stack([stereo])[::-1],
        "float64 reversed": tone.astype(np.float64)[::-1],
    }


def test_the_inputs_have_negative_strides() -> None:
    for name, x in _reversed_inputs().items():
        assert any(s < 0 for s in x.strides), name


@pytest.mark.parametrize("name", AUDIO_OPS)
@pytest.mark.parametrize("case", list(_reversed_inputs()))
def test_every_audio_op_takes_reversed_arrays_and_matches_their_copy(name: str, case: str) -> None:
    x = _reversed_inputs()[case]
    op = registry.get(name).example()
    with partnered(op, x):
        got, params = op.augment(x, stream(3, 0, 0, 0))
        want = op.apply(np.array(x), params)  # a fresh C-ordered copy: the same values
    assert isinstance(got, np.ndarray) and got.dtype == np.float32 and got.ndim == x.ndim
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("case", ["one frame [time]", "one frame [1, 1]", "[channels, time] reversed channels"])
def test_save_writes_reversed_arrays(tmp_path: Path, case: str) -> None:
    x = _reversed_inputs()[case]
    path = augkit.audio.save(tmp_path / "clip.wav", x, 16000, subtype="FLOAT")
    wav, rate = augkit.audio.load(path)
    assert rate == 16000
    np.testing.assert_array_equal(wav.numpy(), np.atleast_2d(np.array(x)))


@pytest.mark.parametrize(("orig", "new"), [(16000, 8000), (44100, 16000), (44099, 44100)])
def test_resample_of_a_non_contiguous_batch_equals_its_contiguous_copy(orig: int, new: int) -> None:
    rng = np.random.default_rng(0)
    batch = torch.from_numpy(rng.uniform(-1, 1, (3, 4410, 2)).astype(np.float32)).transpose(1, 2)  # [3, 2, T]
    assert not batch.is_contiguous()
    got = augkit.audio.resample(batch, orig, new)
    want = augkit.audio.resample(batch.contiguous(), orig, new)
    assert got.shape == (3, 2, math.ceil(4410 * new / orig))
    assert torch.equal(got, want)


def test_resample_of_every_other_sample_and_of_a_channel_slice() -> None:
    x = torch.randn(2, 3, 3200, generator=torch.Generator().manual_seed(0))
    for view in (x[..., ::2], x[:, 1:], x[:, :, 100:-100], x.transpose(0, 1)):
        assert torch.equal(augkit.audio.resample(view, 16000, 8000), augkit.audio.resample(view.clone(), 16000, 8000))


# -- the frame cap ------------------------------------------------------------------------------


def _silent_flac(path: Path, frames: int, rate: int = 8000, block: int = 1 << 20) -> Path:
    import soundfile as sf

    zeros = np.zeros(block, np.int16)
    with sf.SoundFile(str(path), "w", samplerate=rate, channels=1, format="FLAC", subtype="PCM_16") as f:
        for start in range(0, frames, block):
            f.write(zeros[: min(block, frames - start)])
    return path


def test_the_frame_cap_is_about_an_hour_at_48_khz() -> None:
    assert 3600 * 48000 <= audio_io.MAX_FRAMES < 2 * 3600 * 48000


def test_a_file_longer_than_the_cap_is_refused_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _silent_flac(tmp_path / "long.flac", 50_000)
    monkeypatch.setattr(audio_io, "MAX_FRAMES", 40_000)
    with pytest.raises(InvalidInput) as err:
        augkit.audio.load(path)
    message = str(err.value)
    assert "long.flac" in message and "50000 frames" in message and "40000" in message
    assert "augkit.audio.io.MAX_FRAMES" in message
    monkeypatch.setattr(audio_io, "MAX_FRAMES", 50_000)  # a file of exactly the cap loads
    wav, rate = augkit.audio.load(path)
    assert wav.shape == (1, 50_000) and rate == 8000 and not wav.any()


def test_the_cap_is_checked_before_decoding(tmp_path: Path) -> None:
    """A small FLAC of 48 M silent frames (190 MB decoded) is refused without decoding it."""
    path = _silent_flac(tmp_path / "silence.flac", 48_000_000)
    assert path.stat().st_size < 2_000_000
    script = (
        "import sys\n"
        "from augkit.audio import io\n"
        "def hwm():\n"
        "    return int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 1024\n"
        "io.MAX_FRAMES = 1_000_000\n"
        "before = hwm()\n"
        "try:\n"
        "    io.load(sys.argv[1])\n"
        "except io.InvalidInput as err:\n"
        "    print(hwm() - before, '|', err)\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    grew, message = run.stdout.split("|", 1)
    assert "48000000 frames" in message, message
    assert float(grew) < 50, f"peak memory grew by {grew} MB before the refusal"


@pytest.mark.parametrize("seconds", [1e9, 1e300, 3601 * 48000 / 16000 * 2])
def test_random_crop_refuses_segments_beyond_the_cap(seconds: float) -> None:
    for make in (lambda: augkit.audio.RandomCrop(seconds=seconds, sample_rate=16000),
                 lambda: registry.create("audio.random_crop", seconds=seconds, sample_rate=16000)):
        with pytest.raises(InvalidArgument) as err:
            make()
        message = str(err.value)
        assert "seconds=" in message and str(audio_io.MAX_FRAMES) in message and "MAX_FRAMES" in message


def test_random_crop_follows_a_raised_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    seconds = audio_io.MAX_FRAMES / 16000 + 1
    with pytest.raises(InvalidArgument):
        augkit.audio.RandomCrop(seconds=seconds, sample_rate=16000)
    monkeypatch.setattr(audio_io, "MAX_FRAMES", audio_io.MAX_FRAMES * 2)
    crop: Any = augkit.audio.RandomCrop(seconds=seconds, sample_rate=16000)
    assert crop.length == round(seconds * 16000)


def test_random_crop_at_the_cap_is_accepted() -> None:
    crop: Any = augkit.audio.RandomCrop(seconds=audio_io.MAX_FRAMES / 48000, sample_rate=48000)
    assert crop.length == audio_io.MAX_FRAMES


# -- resampling between a tiny and a large rate -------------------------------------------------


@pytest.mark.parametrize(("orig", "new"), [(1, 44099), (50, 44099), (3, 48001), (44099, 2)])
def test_a_small_filter_bank_between_coprime_rates_is_torchaudios(orig: int, new: int) -> None:
    """1 Hz -> 44099 Hz has 44099 phases but a bank of 44099 × 15 taps: torchaudio's polyphase
    resampler makes it in a fraction of a second, where evaluating the filter at each of the 17.6 M
    outputs took minutes (the long fuzz profile hit its deadline on 4000 samples)."""
    import torchaudio.functional as AF

    x = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, (1, 400)).astype(np.float32))
    got = augkit.audio.resample(x, orig, new)
    assert got.shape == (1, math.ceil(400 * new / orig))
    assert torch.equal(got, AF.resample(x, orig, new))


def test_nearly_equal_coprime_rates_still_avoid_the_huge_bank() -> None:
    """44099 -> 44100 would be a bank of 44100 × 44113 cells (7 GiB): the direct resampler runs."""
    from augkit.audio.io import _filter_bank_cells

    assert _filter_bank_cells(44099, 44100) > audio_io.MAX_FILTER_BANK
    assert _filter_bank_cells(1, 44099) < audio_io.MAX_FILTER_BANK
    assert _filter_bank_cells(44100, 16000) < audio_io.MAX_FILTER_BANK
