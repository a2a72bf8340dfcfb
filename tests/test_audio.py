"""Audio ops, measured: SNR, pitch, duration, replay, batches, file round trips, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit import audio, registry
from augkit.audio._waveform import as_waveform

SR = 16000
DATA = Path(__file__).resolve().parent.parent / "data" / "audio"


def harmonic_tone(f0: float = 220.0, seconds: float = 1.0) -> torch.Tensor:
    t = torch.arange(round(seconds * SR), dtype=torch.float64) / SR
    wave = sum((0.4 / k) * torch.sin(2 * torch.pi * f0 * k * t) for k in range(1, 6))
    return wave[None].float()


def estimate_f0(x: torch.Tensor, lo: float = 100.0, hi: float = 450.0) -> float:
    """The strongest peak between lo and hi Hz: Hann window, 2^19-point FFT, parabolic interpolation."""
    y = x.reshape(-1).double().numpy()
    y = y * np.hanning(len(y))
    n = 1 << 19
    mag = np.abs(np.fft.rfft(y, n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    a, b = np.searchsorted(freqs, lo), np.searchsorted(freqs, hi)
    k = a + int(np.argmax(mag[a:b]))
    left, mid, right = np.log(mag[k - 1 : k + 2])
    return float(freqs[k] + 0.5 * (left - right) / (left - 2 * mid + right) * (freqs[1] - freqs[0]))


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> torch.Tensor:
    """Real synthesized speech: espeak-ng if installed (CI installs it), else the bundled clip."""
    if shutil.which("espeak-ng"):
        path = tmp_path_factory.mktemp("speech") / "s.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), "augmenting audio for contrastive learning"],
                       check=True, capture_output=True)
        return audio.load(path, sample_rate=SR, mono=True)[0]
    return audio.load(DATA / "speech_contrastive.flac", sample_rate=SR)[0]


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
@pytest.mark.parametrize("snr", [0.0, 10.0, 20.0])
def test_noise_lands_at_the_requested_snr(speech: torch.Tensor, color: str, snr: float) -> None:
    op = audio.AddNoise(snr_db=snr, color=color)
    y, params = op.augment(speech, np.random.default_rng(1))
    noise = y - speech
    measured = 10 * torch.log10(speech.pow(2).mean() / noise.pow(2).mean()).item()
    assert abs(measured - snr) < 0.5
    assert params["snr_db"] == snr


def test_pink_and_brown_noise_have_falling_spectra() -> None:
    from augkit.audio.noise import colored_noise

    g = torch.Generator().manual_seed(0)
    for color, slope in (("white", 0.0), ("pink", -1.0), ("brown", -2.0)):
        x = colored_noise((1, 1 << 16), color, g, torch.device("cpu"))
        power = torch.fft.rfft(x[0]).abs().pow(2).numpy()
        f = np.arange(len(power))
        band = (f > 50) & (f < 20000)
        fitted = np.polyfit(np.log(f[band]), np.log(power[band]), 1)[0]
        assert abs(fitted - slope) < 0.15, (color, fitted)


def test_background_noise_from_a_real_recording(speech: torch.Tensor) -> None:
    op = audio.AddBackgroundNoise([DATA / "pink_noise.flac"], snr_db=(6, 6), sample_rate=SR)
    y = op(speech, np.random.default_rng(0))
    noise = y - speech
    assert abs(10 * torch.log10(speech.pow(2).mean() / noise.pow(2).mean()).item() - 6) < 0.5
    # a 2 s recording under a longer clip is looped, not zero-padded
    long = torch.randn(1, 5 * SR) * 0.1
    looped = op.apply(long, {"source": 0, "offset": 100, "snr_db": 6.0}) - long
    assert looped[:, -SR:].abs().mean() > 0.1 * looped.abs().mean()
    with pytest.raises(FileNotFoundError, match=r"missing\.wav"):
        audio.AddBackgroundNoise(["missing.wav"])


@pytest.mark.parametrize("n", [-4, -1, 1, 3, 7])
def test_pitch_shift_is_within_5_cents(n: int) -> None:
    y = audio.PitchShift(semitones=n, sample_rate=SR)(harmonic_tone())
    assert y.shape == (1, SR)
    cents = 1200 * np.log2(estimate_f0(y) / (220 * 2 ** (n / 12)))
    assert abs(cents) < 5, cents


def test_pitch_shift_of_real_speech_keeps_duration_and_moves_the_spectrum(speech: torch.Tensor) -> None:
    def mean_octave(x: torch.Tensor) -> float:
        """Power-weighted mean of log2(frequency) over 80 Hz - 3 kHz, where speech harmonics live."""
        power = torch.fft.rfft(x[0].double()).abs().pow(2).numpy()
        freqs = np.fft.rfftfreq(x.shape[-1], 1 / SR)
        band = (freqs > 80) & (freqs < 3000)
        return float((power[band] * np.log2(freqs[band])).sum() / power[band].sum())

    for n in (-4, 4):
        moved = audio.PitchShift(semitones=n, sample_rate=SR)(speech)
        assert moved.shape == speech.shape
        shift = mean_octave(moved) - mean_octave(speech)
        assert abs(shift - n / 12) < 0.12, (n, shift)


@pytest.mark.parametrize("rate", [0.8, 0.9, 1.1, 1.25])
def test_time_stretch_duration_and_pitch(rate: float) -> None:
    tone = harmonic_tone()
    y = audio.TimeStretch(rate=rate)(tone)
    assert abs(y.shape[-1] / tone.shape[-1] - 1 / rate) < 0.01 / rate
    cents = 1200 * np.log2(estimate_f0(y) / 220.0)
    assert abs(cents) < 5
    assert audio.TimeStretch(rate=rate, keep_length=True)(tone).shape == tone.shape


def test_gain_shift_crop_values() -> None:
    x = torch.linspace(-0.5, 0.5, 100)[None]
    torch.testing.assert_close(audio.Gain(6.0)(x), x * 10 ** (6 / 20))
    torch.testing.assert_close(audio.TimeShift(0.1)(x), torch.roll(x, 10, -1))
    shifted = audio.TimeShift(-0.1, rollover=False)(x)
    assert torch.equal(shifted[:, :90], x[:, 10:]) and torch.equal(shifted[:, 90:], torch.zeros(1, 10))
    crop = audio.RandomCrop(seconds=0.5, sample_rate=100)
    y, p = crop.augment(x, np.random.default_rng(0))
    assert torch.equal(y, x[:, p["offset"] : p["offset"] + 50])
    short = crop(x[:, :20])
    assert short.shape == (1, 50) and torch.equal(short[:, 20:], torch.zeros(1, 30))


def test_two_crops_of_one_clip_are_different_segments(speech: torch.Tensor) -> None:
    vg = audio.audio_pairs(SR, seconds=1.0, seed=0)
    views = vg.generate(speech, index=0)
    offsets = [p["ops"][0]["params"]["offset"] for p in views.params]
    assert offsets[0] != offsets[1]
    assert all(v.shape == (1, SR) for v in views.items)


@pytest.mark.parametrize("name", sorted(n for n in registry.names() if n.startswith("audio.")))
def test_same_seed_same_view_replay_and_batch_equals_per_example(name: str, speech: torch.Tensor) -> None:
    op = registry.get(name).example()
    if name == "audio.time_stretch":
        op = audio.TimeStretch(keep_length=True)
    clip = speech[:, :SR]
    a, pa = op.augment(clip, np.random.default_rng(3))
    b, pb = op.augment(clip, np.random.default_rng(3))
    assert pa == pb and torch.equal(a, b)
    assert torch.equal(op.apply(clip, json.loads(json.dumps(pa))), a)
    batch = torch.stack([clip, 0.5 * clip, torch.flip(clip, [-1])])
    out, params = op.augment(batch, np.random.default_rng(4))
    assert len(params["batch"]) == 3
    for i in range(3):
        torch.testing.assert_close(out[i], op.apply(batch[i], params["batch"][i]), atol=1e-5, rtol=0)


def test_batch_mode_refuses_ragged_results() -> None:
    batch = torch.randn(2, 1, 4000) * 0.1
    with pytest.raises(ValueError, match="ragged batch"):
        audio.TimeStretch(rate=(0.8, 1.25))(batch, np.random.default_rng(0))


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg"])
def test_files_round_trip(tmp_path: Path, suffix: str, speech: torch.Tensor) -> None:
    stereo = torch.cat([speech, 0.5 * speech])
    path = audio.save(tmp_path / f"clip{suffix}", stereo, SR)
    back, rate = audio.load(path)
    assert rate == SR and back.shape[0] == 2
    n = min(back.shape[-1], stereo.shape[-1])
    assert abs(back.shape[-1] - stereo.shape[-1]) <= (0 if suffix != ".ogg" else 2048)
    error = (back[:, :n] - stereo[:, :n]).pow(2).mean() / stereo.pow(2).mean()
    assert error < (1e-6 if suffix != ".ogg" else 0.05)  # PCM/FLAC near-lossless, Vorbis lossy
    mono8k, rate8k = audio.load(path, sample_rate=8000, mono=True)
    assert rate8k == 8000 and mono8k.shape[0] == 1 and abs(mono8k.shape[-1] - back.shape[-1] / 2) <= 2


def test_inputs_int16_numpy_and_layouts() -> None:
    pcm = (np.sin(np.arange(1600) / 5) * 16000).astype(np.int16)
    y = audio.Gain(0.0)(pcm)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (1600,)
    np.testing.assert_allclose(y, pcm / 32768.0, atol=1e-7)
    assert audio.Gain(0.0)(torch.zeros(2, 10) + 0.1).shape == (2, 10)  # stereo stays stereo
    one = torch.tensor([[0.5]])
    for op in (audio.TimeStretch(1.2), audio.PitchShift(3, SR), audio.AddNoise(10), audio.TimeShift(0.5)):
        assert op(one).shape[-1] >= 1


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (torch.zeros(0), ValueError, "empty"),
        (torch.tensor([0.1, float("nan")]), ValueError, "NaN"),
        (torch.tensor([0.1, float("inf")]), ValueError, "NaN or inf"),
        (np.zeros(10, dtype=np.int32), TypeError, "dtype int32"),
        (torch.zeros(1, 1, 1, 10), ValueError, "shape"),
        ([0.1, 0.2], TypeError, "list"),
    ],
)
def test_bad_input(bad: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        audio.Gain(3.0)(bad)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="sample_rate=0"):
        audio.PitchShift(2, sample_rate=0)
    with pytest.raises(ValueError, match="sample_rate=-8000"):
        audio.RandomCrop(1.0, sample_rate=-8000)
    with pytest.raises(ValueError, match="color='blue'"):
        audio.AddNoise(color="blue")
    with pytest.raises(ValueError, match="snr_db"):
        audio.AddNoise(snr_db=(20, 5))


@settings(max_examples=40, deadline=None)
@given(
    channels=st.integers(1, 3),
    length=st.integers(1, 3000),
    dtype=st.sampled_from(["float32", "float64", "int16"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_shapes_dtypes_lengths(channels: int, length: int, dtype: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((channels, length)) * 0.3
    x = (x * 10000).astype(np.int16) if dtype == "int16" else x.astype(dtype)
    for op in (audio.Gain(), audio.AddNoise(), audio.TimeShift(), audio.PitchShift(sample_rate=SR),
               audio.TimeStretch(keep_length=True), audio.RandomCrop(0.01, SR)):
        y, params = op.augment(x, np.random.default_rng(seed))
        assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape[0] == channels
        assert np.all(np.isfinite(y))
        np.testing.assert_array_equal(op.apply(x, params), y)
    assert as_waveform(x)[0].shape == (1, channels, length)
