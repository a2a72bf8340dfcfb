"""The effects ops against independent references: scipy's Butterworth design and filtering,
Schroeder integration of a synthetic room, codec alignment by cross-correlation, numpy's
percentiles, torchaudio's fades; and each batch kernel against the clip-by-clip result."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
import scipy.signal as ss
import torch
from audio_support import SR, speech

from augkit import audio
from augkit.audio.reverb import synthetic_impulse_response
from augkit.core import Augmenter
from augkit.core.errors import InvalidArgument, InvalidParams

FILTERS = [
    (audio.LowPass(1000.0, 4, SR), "lowpass", [1000.0], 4),
    (audio.LowPass(60.0, 8, SR), "lowpass", [60.0], 8),
    (audio.HighPass(300.0, 6, SR), "highpass", [300.0], 6),
    (audio.BandPass(1000.0, 1.0, 3, SR), "bandpass", [500.0, 1500.0], 3),
    (audio.BandStop(2000.0, 0.5, 2, SR), "bandstop", [1500.0, 2500.0], 2),
]


def _white(n: int = SR, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).standard_normal((1, n)).astype(np.float32))


@pytest.mark.parametrize(("op", "kind", "edges", "order"), FILTERS, ids=lambda v: str(v)[:30])
def test_filters_equal_scipy_butter_and_sosfilt(op: Augmenter[Any], kind: str, edges: list[float], order: int) -> None:
    x = _white()
    key = "cutoff_hz" if len(edges) == 1 else "center_hz"
    record = op.sample(x, np.random.default_rng(0))
    assert record[key] == (edges[0] if len(edges) == 1 else (edges[0] + edges[1]) / 2)
    y = op.apply(x, record)[0].double().numpy()
    sos = ss.butter(order, edges if len(edges) > 1 else edges[0], kind, fs=SR, output="sos")
    np.testing.assert_allclose(y, ss.sosfilt(sos, x[0].double().numpy()), atol=1e-4, rtol=0)


@pytest.mark.parametrize(("op", "kind", "edges", "order"), FILTERS, ids=lambda v: str(v)[:30])
def test_measured_magnitude_response_matches_scipy_in_pass_and_stop_bands(
        op: Augmenter[Any], kind: str, edges: list[float], order: int) -> None:
    impulse = torch.zeros(1, SR)
    impulse[0, 0] = 1.0
    h = op(impulse)[0].double().numpy()
    measured = 20 * np.log10(np.abs(np.fft.rfft(h)) + 1e-300)
    freqs = np.fft.rfftfreq(SR, 1 / SR)
    sos = ss.butter(order, edges if len(edges) > 1 else edges[0], kind, fs=SR, output="sos")
    _, reference = ss.sosfreqz(sos, worN=freqs, fs=SR)
    reference_db = 20 * np.log10(np.abs(reference) + 1e-300)
    passband = reference_db > -3
    assert passband.sum() > 10
    assert np.abs(measured[passband] - reference_db[passband]).max() < 0.5
    stopband = reference_db < -40  # the stated attenuation, down to what float32 resolves
    assert stopband.sum() > 10
    assert (measured[stopband] < np.maximum(reference_db[stopband] + 1.0, -100)).all()


@pytest.mark.parametrize(("op", "kind", "edges", "order"), FILTERS, ids=lambda v: str(v)[:30])
def test_filters_keep_digital_silence_exactly_silent(op: Augmenter[Any], kind: str, edges: list[float],
                                                     order: int) -> None:
    # the recursion runs over a 1e-100 noise floor (no subnormal slowdown); cast back it must vanish
    silence = torch.zeros(2, SR)
    assert torch.equal(op.apply(silence, op.sample(silence, np.random.default_rng(0))), silence)


def test_filter_arguments_past_nyquist_are_refused_by_name() -> None:
    with pytest.raises(InvalidArgument, match=r"LowPass cutoff_hz=\(100.0, 8000.0\) reaches 8000 Hz"):
        audio.LowPass((100, 8000), sample_rate=SR)
    with pytest.raises(InvalidArgument, match="BandPass center_hz"):
        audio.BandPass(6000, (0.5, 1.0), sample_rate=SR)
    with pytest.raises(InvalidParams, match=r"params\['cutoff_hz'\]"):
        audio.HighPass(sample_rate=SR).apply(_white(), {"applied": True, "cutoff_hz": 9000.0})


def test_peaking_eq_gain_at_its_centre_and_flat_far_away() -> None:
    op = audio.PeakingEQ(1000.0, 9.0, 2.0, 1, SR)
    impulse = torch.zeros(1, SR)
    impulse[0, 0] = 1.0
    response = 20 * np.log10(np.abs(np.fft.rfft(op(impulse)[0].double().numpy())))
    assert abs(response[1000] - 9.0) < 0.05 and abs(response[7000]) < 0.1 and abs(response[20]) < 0.1
    b, a = ss.iirpeak(1000, 2.0, fs=SR)  # an independent design shares the centre's location
    peak = np.argmax(np.abs(ss.freqz(b, a, worN=SR // 2, fs=SR)[1]))
    assert peak == pytest.approx(np.argmax(response[: SR // 2]), abs=2)


def _schroeder_rt60(ir: np.ndarray, sample_rate: int) -> float:
    """RT60 from the energy decay curve's -5 to -25 dB slope (T20), extrapolated to 60 dB."""
    energy = np.cumsum(ir[::-1] ** 2)[::-1]
    edc = 10 * np.log10(energy / energy[0])
    fit = (edc <= -5) & (edc >= -25)
    t = np.arange(len(ir))[fit] / sample_rate
    slope = np.polyfit(t, edc[fit], 1)[0]
    return -60.0 / slope


@pytest.mark.parametrize("rt60", [0.15, 0.4, 0.9, 2.0])
def test_a_synthetic_room_has_the_drawn_rt60_by_schroeder_integration(rt60: float) -> None:
    for seed in range(3):
        ir = synthetic_impulse_response(rt60, SR, torch.Generator().manual_seed(seed)).double().numpy()
        assert abs(_schroeder_rt60(ir, SR) - rt60) < 0.1 * rt60


def test_impulse_response_keeps_length_and_level_and_wet_zero_is_dry() -> None:
    clip = speech()[:, :SR]
    op = audio.ApplyImpulseResponse(rt60=(0.3, 0.8), wet=(0.5, 1.0), sample_rate=SR)
    out, record = op.augment(clip, np.random.default_rng(0))
    assert out.shape == clip.shape and record["source"] == -1 and 0.3 <= record["rt60"] <= 0.8
    assert torch.sqrt(out.pow(2).mean()).item() == pytest.approx(torch.sqrt(clip.pow(2).mean()).item(), rel=1e-4)
    dry = op.apply(clip, {**record, "wet": 0.0})
    torch.testing.assert_close(dry, clip, atol=1e-5, rtol=0)
    assert op.apply(torch.zeros(1, 100), record).abs().max() == 0


def test_recorded_impulse_response_an_impulse_leaves_the_clip_as_it_was() -> None:
    clip = speech()[:, :SR]
    delayed = torch.zeros(2, 400)
    delayed[:, 37] = 0.5  # a direct sound 37 samples late, in stereo: aligned and averaged to mono
    op = audio.ApplyImpulseResponse([delayed], wet=1.0, sample_rate=SR)
    torch.testing.assert_close(op(clip), clip, atol=1e-5, rtol=0)


def _lag(x: np.ndarray, y: np.ndarray) -> int:
    corr = ss.correlate(y, x, mode="full", method="fft")
    return int(np.argmax(corr)) - (len(x) - 1)


@pytest.mark.parametrize("op", [audio.Mp3Compression(32, SR), audio.Mp3Compression(8, SR), audio.Mp3Compression(64, SR),
                                audio.Mp3Compression(8, 8000), audio.Mp3Compression(32, 44100),
                                audio.CodecCompression("vorbis", 0.8, SR), audio.CodecCompression("opus", 0.8, SR),
                                audio.Mp3Compression(128, 44100), audio.Mp3Compression(8, SR, "libsndfile"),
                                audio.Mp3Compression(64, SR, "libsndfile"), audio.Mp3Compression(48, 48000),
                                audio.Mp3Compression(32, 44100, "libsndfile")], ids=lambda op: repr(op)[:60])
def test_codecs_keep_alignment_and_length(op: Augmenter[Any]) -> None:
    rate = op.arguments()["sample_rate"]
    clip = audio.resample(speech()[:, :SR], SR, rate) if rate != SR else speech()[:, :SR]
    clip = torch.cat([clip, -0.5 * clip])  # stereo
    out = op(clip)
    assert out.shape == clip.shape
    for c in range(2):
        assert _lag(clip[c].numpy(), out[c].numpy()) == 0
    assert not torch.equal(out, clip)
    assert float(torch.corrcoef(torch.stack([out[0], clip[0]]))[0, 1]) > 0.7  # 8 kbps at 8 kHz keeps about 0.8


def test_mp3_bitrate_is_the_one_recorded() -> None:
    import soundfile as sf

    clip = _white(10 * SR).numpy()[0] * 0.1
    for bitrate in (16, 32, 64):
        level = audio.Mp3Compression(bitrate, SR)  # the level the op computes, measured through a file
        assert level.sample(torch.from_numpy(clip), np.random.default_rng(0))["bitrate_kbps"] == bitrate
        buffer = io.BytesIO()
        top, low = audio.codecs.mp3_bitrates(SR)[-1], audio.codecs.mp3_bitrates(SR)[0]
        sf.write(buffer, clip, SR, format="MP3", compression_level=(top - bitrate) / (top - low),
                 bitrate_mode="CONSTANT")
        assert buffer.tell() * 8 / 10 / 1000 == pytest.approx(bitrate, rel=0.1)
    with pytest.raises(InvalidArgument, match="holds none of the bitrates"):
        audio.Mp3Compression((170, 190), SR)
    with pytest.raises(InvalidArgument, match="not a rate MP3 stores"):
        audio.Mp3Compression(64, 10000)


def test_mp3_record_names_its_encoder_and_replay_uses_that_one() -> None:
    clip = speech()[:, :SR]
    op = audio.Mp3Compression((16, 64), SR)
    out, record = op.augment(clip, np.random.default_rng(0))
    assert record["encoder"] == "lameenc" and torch.equal(op.apply(clip, record), out)
    older = {**record, "encoder": "libsndfile"}  # a record made with soundfile's writer replays with it
    torch.testing.assert_close(op.apply(clip, older), audio.Mp3Compression(record["bitrate_kbps"], SR, "libsndfile")
                               .apply(clip, older), atol=0, rtol=0)
    assert not torch.equal(op.apply(clip, older), out)
    with pytest.raises(InvalidParams, match=r"params\['encoder'\] must be one of \['lameenc', 'libsndfile'\], not 'ff"):
        op.apply(clip, {**record, "encoder": "ffmpeg"})


def test_clipping_and_tanh_follow_numpy_percentiles() -> None:
    clip = speech()[:, :SR]
    flat = clip.double().numpy().ravel()
    out = audio.ClippingDistortion(20).apply(clip, {"applied": True, "clipped_percent": 20.0})
    low, high = np.percentile(flat, [10, 90])
    assert out.max().item() == pytest.approx(high, abs=1e-6) and out.min().item() == pytest.approx(low, abs=1e-6)
    assert (out.numpy() != clip.numpy()).mean() == pytest.approx(0.2, abs=0.01)
    tanh = audio.TanhDistortion(0.5).apply(clip, {"applied": True, "distortion": 0.5})
    gain = 0.5 / (np.percentile(np.abs(flat), 100 - 99 * 0.5) + 1e-6)
    want = np.tanh(gain * flat)
    want *= np.sqrt((flat**2).mean() / (want**2).mean())
    np.testing.assert_allclose(tanh.numpy().ravel(), want, atol=1e-5)


def test_bit_crush_levels_and_flips() -> None:
    x = torch.linspace(-1, 1, 1001)[None]
    crushed = audio.BitCrush(3).apply(x, {"applied": True, "bit_depth": 3})
    assert sorted(set(crushed[0].tolist())) == [v / 4 for v in range(-4, 5)]
    assert torch.equal(audio.PolarityInversion()(x), -x)
    assert torch.equal(audio.Reverse()(x), x.flip(-1))


@pytest.mark.parametrize("shape", ["linear", "exponential", "logarithmic", "quarter_sine", "half_sine"])
def test_fades_equal_torchaudio_fade(shape: str) -> None:
    import torchaudio

    clip = speech()[:, :SR]
    record = {"applied": True, "fade_in_samples": 3000, "fade_out_samples": 5000, "shape": shape}
    got = audio.Fade(shape=shape).apply(clip, record)
    want = torchaudio.transforms.Fade(3000, 5000, shape)(clip)
    torch.testing.assert_close(got, want, atol=1e-6, rtol=0)


def test_time_mask_masks_the_recorded_stretch_with_clar_noise() -> None:
    clip = speech()[:, :SR]
    out = audio.TimeMask(fill="noise").apply(clip, {"applied": True, "start": 1000, "length": 2000, "seed": 3})
    assert torch.equal(out[:, :1000], clip[:, :1000]) and torch.equal(out[:, 3000:], clip[:, 3000:])
    assert out[:, 1000:3000].std().item() == pytest.approx(0.01, rel=0.1)
    silent = audio.TimeMask().apply(clip, {"applied": True, "start": 1000, "length": 2000, "seed": 3})
    assert silent[:, 1000:3000].abs().max() == 0


def test_speed_perturb_changes_length_and_pitch_together() -> None:
    t = torch.arange(SR) / SR
    tone = torch.sin(2 * torch.pi * 440 * t)[None]
    out = audio.SpeedPerturb(1.1).apply(tone, {"applied": True, "rate": 1.1})
    assert out.shape[-1] == int(np.ceil(SR / 1.1))
    peak = np.argmax(np.abs(np.fft.rfft(out[0, 1000:-1000].numpy(), n=SR)))
    assert peak == pytest.approx(484, abs=2)


def test_short_noises_land_where_recorded_at_the_recorded_snr() -> None:
    clip = speech()[:, :SR]
    beep = 0.3 * torch.sin(torch.arange(1600) * (2 * torch.pi * 1000 / SR))
    op = audio.AddShortNoises([beep], 10.0, 1, SR)
    out = op.apply(clip, {"applied": True, "noises": [[0, 4000, 10.0]]})
    added = out - clip
    assert added[:, :4000].abs().max() == 0 and added[:, 5600:].abs().max() == 0
    snr = 10 * np.log10(clip.double().pow(2).mean().item() / added[:, 4000:5600].double().pow(2).mean().item())
    assert snr == pytest.approx(10.0, abs=0.01)
    with pytest.raises(InvalidParams, match="params\\['noises'\\] entry"):
        op.apply(clip, {"applied": True, "noises": [[0, -1, 10.0]]})
    with pytest.raises(InvalidParams, match="params\\['source'\\]=3 is out of range"):
        op.apply(clip, {"applied": True, "noises": [[3, 0, 10.0]]})


BATCHED = [audio.LowPass(), audio.HighPass(), audio.BandPass(), audio.BandStop(), audio.PeakingEQ(bands=4),
           audio.ApplyImpulseResponse(), audio.ClippingDistortion(), audio.TanhDistortion(), audio.BitCrush(),
           audio.Fade(), audio.TimeMask(fill="noise"), audio.SpeedPerturb(keep_length=True),
           audio.PolarityInversion(), audio.Reverse()]


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no GPU"))])
@pytest.mark.parametrize("op", BATCHED, ids=lambda op: type(op).__name__)
def test_batch_kernel_equals_clip_by_clip(op: Augmenter[Any], device: str) -> None:
    clip = speech()[:, :SR]
    batch = torch.stack([torch.cat([clip, 0.3 * clip.flip(-1)]) * g for g in (1.0, 0.2, 2.0, 0.0, 0.7, 1.3)])
    batch = batch.to(device)
    records = [op.sample(batch[i], np.random.default_rng(i)) for i in range(len(batch))]
    got = op.transform_batch(batch, records)
    for i, record in enumerate(records):
        torch.testing.assert_close(got[i], op.transform(batch[i], record), atol=1e-4, rtol=0)
