"""Files round-trip through load/save (WAV, FLAC, OGG, MP3); resampling; the bundled clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from audio_support import DATA, SR, speech

from augkit import audio


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    n = min(a.shape[-1], b.shape[-1])
    return ((a[..., :n] - b[..., :n]).pow(2).mean() / b[..., :n].pow(2).mean()).item()


@pytest.mark.parametrize(
    ("suffix", "max_error", "length_slack"),
    [(".wav", 1e-6, 0), (".flac", 1e-6, 0), (".ogg", 0.05, 2048), (".mp3", 0.05, 2048)],
)
def test_files_round_trip(tmp_path: Path, suffix: str, max_error: float, length_slack: int) -> None:
    stereo = torch.cat([speech(), 0.5 * speech()])
    path = audio.save(tmp_path / "sub" / f"clip{suffix}", stereo, SR)
    assert path.is_file()
    back, rate = audio.load(path)
    assert rate == SR and back.shape[0] == 2 and back.dtype == torch.float32
    assert abs(back.shape[-1] - stereo.shape[-1]) <= length_slack
    # 16-bit PCM / FLAC lose only quantization noise; Vorbis and MP3 are lossy codecs
    assert relative_error(back, stereo) < max_error
    if suffix in (".wav", ".flac"):
        assert torch.allclose(back, stereo, atol=1 / 32768 + 1e-7)


def test_save_clips_and_writes_16_bit_pcm_by_default(tmp_path: Path) -> None:
    loud = torch.tensor([[0.0, 0.5, 2.0, -3.0]])
    path = audio.save(tmp_path / "loud.wav", loud, 8000)
    assert sf.info(str(path)).subtype == "PCM_16"
    pcm, _ = sf.read(str(path), dtype="int16")
    assert pcm.tolist() == [0, 16384, 32767, -32768]
    floats = audio.save(tmp_path / "float.wav", np.array([0.123456789], dtype=np.float32), 8000, subtype="FLOAT")
    assert audio.load(floats)[0].item() == pytest.approx(0.123456789, abs=1e-7)


def test_load_reads_int16_files_scaled_to_unit_range(tmp_path: Path) -> None:
    pcm = np.array([[0, 8192], [-32768, 32767], [100, -100]], dtype=np.int16)  # [time, channels]
    sf.write(str(tmp_path / "pcm.wav"), pcm, 11025, subtype="PCM_16")
    wav, rate = audio.load(tmp_path / "pcm.wav")
    assert rate == 11025 and wav.shape == (2, 3)
    np.testing.assert_array_equal(wav.numpy(), pcm.T / np.float32(32768))
    mono, _ = audio.load(tmp_path / "pcm.wav", mono=True)
    np.testing.assert_allclose(mono.numpy(), pcm.T.mean(axis=0, keepdims=True) / 32768, atol=1e-7)


@pytest.mark.parametrize("new_rate", [8000, 22050, 44100])
def test_load_resamples_and_keeps_the_frequency(tmp_path: Path, new_rate: int) -> None:
    t = np.arange(SR) / SR
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    path = audio.save(tmp_path / "tone.flac", tone, SR)
    wav, rate = audio.load(path, sample_rate=new_rate)
    assert rate == new_rate and abs(wav.shape[-1] - new_rate) <= 1
    spectrum = np.abs(np.fft.rfft(wav[0].numpy() * np.hanning(wav.shape[-1])))
    peak_hz = np.argmax(spectrum) * new_rate / wav.shape[-1]
    assert abs(peak_hz - 1000) <= 1.0
    rms = wav[:, 100:-100].pow(2).mean().sqrt().item()
    assert abs(rms - 0.5 / np.sqrt(2)) < 0.01  # the level survives


def test_resample_any_layout() -> None:
    x = speech()[:, :SR]
    down = audio.resample(x, SR, 8000)
    assert down.shape == (1, 8000)
    as_numpy = audio.resample(x[0].numpy(), SR, 8000)
    assert isinstance(as_numpy, np.ndarray) and as_numpy.shape == (8000,)
    np.testing.assert_allclose(as_numpy, down[0].numpy(), atol=1e-6)
    assert audio.resample(torch.stack([x, x]), SR, 8000).shape == (2, 1, 8000)
    same = audio.resample(x, SR, SR)
    assert torch.equal(same, x) and same.data_ptr() != x.data_ptr()
    with pytest.raises(ValueError, match="new_freq=0"):
        audio.resample(x, SR, 0)


def test_bundled_clips_are_small_mono_16k_and_real() -> None:
    clips = sorted(DATA.glob("*.*"))
    assert {p.name for p in clips} >= {"speech_contrastive.flac", "speech_digits.flac", "pink_noise.flac"}
    for path in clips:
        assert path.stat().st_size <= 200_000, path
        info = sf.info(str(path))
        assert info.samplerate == SR and info.channels == 1, path
        wav, _ = audio.load(path)
        assert 0.5 <= wav.shape[-1] / SR <= 10 and wav.abs().max() > 0.05, path


def test_load_and_save_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.wav does not exist"):
        audio.load(tmp_path / "nowhere.wav")
    junk = tmp_path / "junk.flac"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(ValueError, match=r"cannot decode audio file .*junk\.flac"):
        audio.load(junk)
    empty = tmp_path / "empty.wav"
    sf.write(str(empty), np.zeros((0, 1), dtype=np.float32), SR)
    with pytest.raises(ValueError, match="holds no samples"):
        audio.load(empty)
    with pytest.raises(ValueError, match="sample_rate=0"):
        audio.load(DATA / "pink_noise.flac", sample_rate=0)
    with pytest.raises(ValueError, match=r"use one of the suffixes \['.flac', '.mp3', '.ogg', '.wav'\]"):
        audio.save(tmp_path / "clip.aiff", torch.zeros(1, 10), SR)
    with pytest.raises(ValueError, match="got a batch"):
        audio.save(tmp_path / "batch.wav", torch.zeros(2, 1, 10), SR)
    with pytest.raises(ValueError, match="sample_rate=-1"):
        audio.save(tmp_path / "clip.wav", torch.zeros(1, 10), -1)
    with pytest.raises(ValueError, match="NaN"):
        audio.save(tmp_path / "clip.wav", torch.tensor([float("nan")]), SR)
