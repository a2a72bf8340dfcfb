"""TimeStretch and PitchShift, measured: pitch in cents, durations, levels, replay, batches, short
clips, and the rational resampler behind them."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit import audio
from augkit.audio._vocoder import N_FFT, phase_vocoder, rational, resample_by, stretch, stretch_batch
from augkit.audio._waveform import fit
from augkit.core.errors import InvalidArgument, InvalidInput, InvalidParams, WrongArgumentType

SR = 16000
DATA = Path(__file__).resolve().parents[2] / "data" / "audio"


def harmonic_tone(f0: float = 220.0, seconds: float = 1.0) -> torch.Tensor:
    """Five harmonics with amplitudes 0.4/k: the fundamental is the strongest partial."""
    t = torch.arange(round(seconds * SR), dtype=torch.float64) / SR
    return sum((0.4 / k) * torch.sin(2 * math.pi * f0 * k * t) for k in range(1, 6))[None].float()


def estimate_f0(x: torch.Tensor | np.ndarray, lo: float = 100.0, hi: float = 500.0) -> float:
    """F0 of a harmonic tone: the peak of the harmonic sum spectrum, refined per harmonic.

    Blackman-Harris window, 2^20-point zero-padded FFT, parabolic interpolation of the log
    magnitude around each of the first three harmonics of the coarse peak; F0 is the
    magnitude-weighted mean of f_k / k. Self-check in test_f0_estimator_is_precise.
    """
    y = np.asarray(x, dtype=np.float64).reshape(-1)
    n = y.size
    k = np.arange(n)
    window = (0.35875 - 0.48829 * np.cos(2 * np.pi * k / n) + 0.14128 * np.cos(4 * np.pi * k / n)
              - 0.01168 * np.cos(6 * np.pi * k / n))
    size = 1 << 20
    mag = np.abs(np.fft.rfft(y * window, size)) + 1e-12
    df = SR / size
    a, b = round(lo / df), round(hi / df)
    coarse = (a + int(np.argmax(mag[a:b]))) * df
    estimates, weights = [], []
    for h in (1, 2, 3):
        c = round(h * coarse / df)
        w = max(2, round(h * 5 / df))
        i = c - w + int(np.argmax(mag[c - w : c + w]))
        left, mid, right = np.log(mag[i - 1 : i + 2])
        peak = (i + 0.5 * (left - right) / (left - 2 * mid + right)) * df
        estimates.append(peak / h)
        weights.append(mag[i])
    return float(np.average(estimates, weights=weights))


def cents(measured: float, expected: float) -> float:
    return 1200.0 * math.log2(measured / expected)


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """One torch thread: on a loaded 2-core machine, two threads on these small tensors wait on each
    other (the property test takes 9 s instead of 1 s); restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> torch.Tensor:
    """Real synthesized speech, mono 16 kHz: espeak-ng (CI installs it), else the bundled clip."""
    if shutil.which("espeak-ng"):
        path = tmp_path_factory.mktemp("speech") / "s.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(path), "seven pitch shifted views of one sentence"],
                       check=True, capture_output=True)
        return audio.load(path, sample_rate=SR, mono=True)[0]
    return audio.load(DATA / "speech_contrastive.flac", sample_rate=SR, mono=True)[0]


def test_f0_estimator_is_precise() -> None:
    for f0 in (174.6, 220.0, 233.1, 329.6):
        assert abs(cents(estimate_f0(harmonic_tone(f0)), f0)) < 0.2


@pytest.mark.parametrize("n", [-4, -1, 1, 3, 7])
def test_pitch_shift_of_a_harmonic_tone_is_within_5_cents(n: int) -> None:
    tone = harmonic_tone()
    y, params = audio.PitchShift(semitones=n, sample_rate=SR).augment(tone, np.random.default_rng(0))
    assert y.shape == tone.shape
    assert abs(cents(estimate_f0(y[:, 2000:-2000]), 220.0 * 2 ** (n / 12))) < 5
    assert abs(params["applied_semitones"] - n) <= 0.01  # the rational rounding: within 1 cent
    # the level is kept (a phase vocoder that loses phase coherence loses energy)
    ratio = y[:, 2000:-2000].pow(2).mean().sqrt() / tone[:, 2000:-2000].pow(2).mean().sqrt()
    assert abs(ratio.item() - 1) < 0.05


def test_drawn_non_integer_shifts_are_within_5_cents() -> None:
    # Shifts drawn from a range are not integers: the ratio rounding must hold for any value (a
    # fixed denominator bound of 64 misses by up to 13 cents).
    op = audio.PitchShift(semitones=(-6, 6), sample_rate=SR)
    tone = harmonic_tone()
    rng = np.random.default_rng(7)
    for _ in range(6):
        y, params = op.augment(tone, rng)
        n = params["semitones"]
        assert abs(cents(estimate_f0(y[:, 2000:-2000], 80, 500), 220.0 * 2 ** (n / 12))) < 5, n


def test_rational_rounding_is_within_1_cent_and_simplest() -> None:
    for n in np.linspace(-24, 24, 961):
        ratio = 2.0 ** (-n / 12)
        r = rational(ratio)
        assert abs(cents(float(r), ratio)) <= 1.0 + 1e-9
        # simplest: no fraction with a smaller denominator lies within 1 cent
        for q in range(1, min(r.denominator, 40)):
            p = round(ratio * q)
            assert p == 0 or abs(cents(p / q, ratio)) > 1.0
    assert rational(1.0) == 1 and rational(0.5) == Fraction(1, 2)
    with pytest.raises(ValueError, match="ratio"):
        rational(0.0)


# 1999/2000: a kernel too large to keep dense, which takes the gather path
@pytest.mark.parametrize("ratio", [Fraction(3, 2), Fraction(37, 44), Fraction(962, 963), Fraction(1999, 2000)])
def test_resampler_keeps_a_sine_and_matches_torchaudio(ratio: Fraction) -> None:
    import torchaudio.functional as AF

    t = torch.arange(8000, dtype=torch.float64) / SR
    sine = torch.sin(2 * math.pi * 1000 * t)[None].float()
    y = resample_by(sine, ratio)
    assert y.shape[-1] == math.ceil(8000 * ratio)
    expected = torch.sin(2 * math.pi * 1000 * torch.arange(y.shape[-1], dtype=torch.float64) / (SR * float(ratio)))
    assert (y[0, 200:-200].double() - expected[200:-200]).abs().max() < 2e-3
    noise = torch.randn(2, 1, 8000, generator=torch.Generator().manual_seed(0))
    ours, theirs = resample_by(noise, ratio), AF.resample(noise, ratio.denominator, ratio.numerator)
    assert ours.shape == theirs.shape
    # the two low-passes differ only near Nyquist (roll-off 0.95 vs 0.99)
    assert ((ours - theirs)[..., 64:-64].pow(2).mean() / theirs.pow(2).mean()).item() < 0.02


def test_phase_vocoder_matches_torchaudio_at_peaks_and_locks_the_rest() -> None:
    import torchaudio.functional as AF

    g = torch.Generator().manual_seed(0)
    spec = torch.complex(torch.randn(2, 129, 40, generator=g), torch.randn(2, 129, 40, generator=g))
    advance = torch.linspace(0, math.pi * 64, 129)[:, None]
    for rate in (0.75, 1.25):  # exact in float32, where torchaudio computes its frame positions
        ours, theirs = phase_vocoder(spec, rate, advance), AF.phase_vocoder(spec, rate, advance)
        torch.testing.assert_close(ours.abs(), theirs.abs(), atol=1e-4, rtol=1e-4)
        mag = theirs.abs()
        peaks = (mag[..., 1:-1, :] > mag[..., :-2, :]) & (mag[..., 1:-1, :] > mag[..., 2:, :])
        # a spectral peak keeps the phase torchaudio accumulates for it ...
        drift = torch.angle(ours[..., 1:-1, :] * theirs[..., 1:-1, :].conj())[peaks]
        assert drift.abs().max() < 1e-2
        # ... and a bin that climbs to it (its right neighbour, unless the next bin is larger still)
        # keeps the phase offset to it that the input frame has
        index = torch.arange(0, 40, rate, dtype=torch.float64).long()
        reference = spec[..., index]
        offset = torch.angle(ours[..., 2:-1, :] * ours[..., 1:-2, :].conj())
        expected = torch.angle(reference[..., 2:-1, :] * reference[..., 1:-2, :].conj())
        climbs_right = (mag[..., 3:, :] > mag[..., 2:-1, :]) & (mag[..., 3:, :] >= mag[..., 1:-2, :])
        right_of_peak = peaks[..., :-1, :] & ~climbs_right
        assert right_of_peak.sum() > 1000
        assert torch.angle(torch.polar(torch.ones_like(offset), offset - expected))[right_of_peak].abs().max() < 1e-2


def test_phase_locking_keeps_the_level_of_a_slowed_tone_and_a_late_onset() -> None:
    # Without locking (torchaudio, librosa) a tone slowed to 0.8 loses ~9 % of its level and a tone
    # that starts after a silence can lose most of its energy when sped up.
    tone = harmonic_tone()
    for rate in (0.5, 0.8, 1.25):
        y = stretch(tone, rate)
        assert abs((y[:, 3000:-3000].pow(2).mean() / tone[:, 3000:-3000].pow(2).mean()).sqrt().item() - 1) < 0.01
    t = torch.arange(3 * SR, dtype=torch.float64) / SR
    late = (((t > 2.2) & (t < 2.6)) * torch.sin(2 * math.pi * 1320 * t) + (t < 0.5) * torch.sin(2 * math.pi * 440 * t))
    y = stretch(late[None].float(), 1.25)
    burst = y[0, round(2.25 / 1.25 * SR) : round(2.55 / 1.25 * SR)]
    assert abs(burst.pow(2).mean().item() / 0.5 - 1) < 0.03


def burst_centres(x: torch.Tensor) -> tuple[float, float]:
    """Energy-weighted centre time (s) of the 440 Hz and the 1320 Hz burst in ``x``."""
    spec = torch.stft(x[0], 1024, 64, window=torch.hann_window(1024), return_complex=True).abs().pow(2)
    times = torch.arange(spec.shape[-1]) * 64 / SR
    out = []
    for f in (440, 1320):
        band = spec[round(f / (SR / 1024)) - 2 : round(f / (SR / 1024)) + 3].sum(0)
        out.append(float((band * times).sum() / band.sum()))
    return out[0], out[1]


@pytest.mark.parametrize("rate", [0.8, 0.9, 1.1, 1.25])
def test_time_stretch_scales_durations_by_the_rate_and_keeps_pitch(rate: float) -> None:
    t = torch.arange(3 * SR, dtype=torch.float64) / SR
    first = ((t > 0.4) & (t < 0.8)) * torch.sin(2 * math.pi * 440 * t)
    second = ((t > 2.2) & (t < 2.6)) * torch.sin(2 * math.pi * 1320 * t)
    x = (0.5 * (first + second))[None].float()
    y = audio.TimeStretch(rate=rate)(x)
    assert y.shape[-1] == round(x.shape[-1] / rate)
    a0, b0 = burst_centres(x)
    a1, b1 = burst_centres(y)
    # the 1.8 s between the bursts becomes 1.8 / rate (measured: within 0.1 %)
    assert abs((b1 - a1) / (b0 - a0) * rate - 1) < 0.01
    tone = harmonic_tone()
    stretched = audio.TimeStretch(rate=rate)(tone)
    assert abs(cents(estimate_f0(stretched[:, 2000:-2000]), 220.0)) < 5


def voiced_span(x: torch.Tensor) -> float:
    """Seconds from the first to the last 10 ms frame within 30 dB of the loudest frame."""
    frames = x[0, : x.shape[-1] // 160 * 160].reshape(-1, 160).pow(2).mean(-1)
    loud = torch.nonzero(frames > frames.max() * 1e-3).flatten()
    return float(loud[-1] - loud[0] + 1) * 160 / SR


def test_real_speech_stretch_and_pitch(speech: torch.Tensor) -> None:
    for rate in (0.8, 1.25):
        stretched = audio.TimeStretch(rate=rate)(speech)
        # within 1 % of the rate (measured: 0.2 %; the 10 ms frames resolve ~0.4 % of ~2.4 s)
        assert abs(voiced_span(stretched) * rate / voiced_span(speech) - 1) < 0.01
    for n in (-3, 3):
        shifted = audio.PitchShift(semitones=n, sample_rate=SR)(speech)
        assert shifted.shape == speech.shape and torch.isfinite(shifted).all()
        assert abs(voiced_span(shifted) / voiced_span(speech) - 1) < 0.04
        # harmonics move by 2^(n/12): the log-frequency spectrum slides by n semitones
        assert abs(spectral_shift_semitones(speech, shifted) - n) < 0.5


def spectral_shift_semitones(x: torch.Tensor, y: torch.Tensor) -> float:
    """The lag (semitones) that best aligns the log-frequency magnitude spectra of y and x."""
    grid = 100 * 2 ** (np.arange(0, 5 * 1200, 5) / 1200)  # 100 Hz to 3.2 kHz, 5-cent steps

    def log_spectrum(z: torch.Tensor) -> np.ndarray:
        mag = np.abs(np.fft.rfft(z[0].double().numpy(), 1 << 18))
        s = np.log(np.interp(grid, np.fft.rfftfreq(1 << 18, 1 / SR), mag) + 1e-9)
        return s - s.mean()

    a, b = log_spectrum(x), log_spectrum(y)
    lags = np.arange(-160, 161)  # ±8 semitones
    scores = [np.dot(a[max(0, -k) : len(a) - max(0, k)], b[max(0, k) : len(b) - max(0, -k)]) for k in lags]
    return float(lags[int(np.argmax(scores))] * 5 / 100)


@pytest.mark.parametrize(
    "op",
    [audio.TimeStretch(rate=(0.8, 1.25), keep_length=True), audio.PitchShift(semitones=(-4, 4), sample_rate=SR)],
    ids=["time_stretch", "pitch_shift"],
)
def test_same_seed_replay_and_batch_equals_per_example(op: audio.TimeStretch, speech: torch.Tensor) -> None:
    clip = speech[:, : SR // 2]
    a, pa = op.augment(clip, np.random.default_rng(11))
    b, pb = op.augment(clip, np.random.default_rng(11))
    assert pa == pb and torch.equal(a, b)
    assert torch.equal(op.apply(clip, json.loads(json.dumps(pa))), a)
    _, pc = op.augment(clip, np.random.default_rng(12))
    assert pc != pa
    batch = torch.stack([clip, 0.5 * torch.flip(clip, [-1]), harmonic_tone(seconds=0.5)])
    out, params = op.augment(batch, np.random.default_rng(4))
    assert out.shape == batch.shape and len(params["batch"]) == 3
    assert len({json.dumps(p) for p in params["batch"]}) == 3  # per-example draws
    for i in range(3):
        torch.testing.assert_close(out[i], op.apply(batch[i], params["batch"][i]), atol=1e-5, rtol=0)


def test_one_pass_batch_stretch_equals_per_example() -> None:
    # the GPU path of TimeStretch(keep_length=True) on batches, checked here on the CPU
    g = torch.Generator().manual_seed(0)
    for length in (300, 5000):
        x = torch.randn(4, 2, length, generator=g) * 0.1
        rates = [0.8, 1.25, 0.93, 1.1]
        expected = torch.stack([fit(stretch(x[i], rate), length) for i, rate in enumerate(rates)])
        torch.testing.assert_close(stretch_batch(x, rates), expected, atol=1e-5, rtol=0)
    three = torch.randn(2, 1, 3, generator=g)
    expected = torch.stack([fit(stretch(three[0], 0.5), 3), three[1]])  # 3 samples: the per-example path
    torch.testing.assert_close(stretch_batch(three, [0.5, 1.0]), expected)


@pytest.mark.parametrize("clips, seconds", [(4, 0.25), (9, 2.0)])  # one pass on the CPU, and a loop past its limit
def test_cpu_batch_stretch_equals_per_example_on_either_side_of_the_one_pass_limit(clips: int, seconds: float) -> None:
    from augkit.audio.time_stretch import ONE_PASS_CLIP_FRAMES

    g = torch.Generator().manual_seed(3)
    batch = torch.randn(clips, 1, int(seconds * SR), generator=g) * 0.1
    assert (batch.shape[-1] // 256 + 1 > ONE_PASS_CLIP_FRAMES) == (seconds == 2.0)
    op = audio.TimeStretch(rate=(0.8, 1.25), keep_length=True)
    out, params = op.augment(batch, np.random.default_rng(5))
    for i in range(clips):
        torch.testing.assert_close(out[i], op.apply(batch[i], params["batch"][i]), atol=1e-5, rtol=0)


def test_batch_stretch_without_keep_length_raises_unless_the_lengths_agree() -> None:
    batch = torch.randn(2, 1, 4000, generator=torch.Generator().manual_seed(0)) * 0.1
    with pytest.raises(InvalidInput, match="ragged batch"):
        audio.TimeStretch(rate=(0.8, 1.25))(batch, np.random.default_rng(0))
    assert audio.TimeStretch(rate=1.25)(batch).shape == (2, 1, 3200)  # one rate: one length


def test_one_sample_and_shorter_than_fft_clips() -> None:
    # 1 to 3 samples: samples are repeated (rate < 1) or dropped (rate > 1)
    three = torch.tensor([[0.1, 0.2, 0.3]])
    torch.testing.assert_close(stretch(three, 0.5), torch.tensor([[0.1, 0.1, 0.2, 0.2, 0.3, 0.3]]))
    assert audio.TimeStretch(rate=2.0)(torch.tensor([[0.5]])).shape == (1, 1)
    assert audio.TimeStretch(rate=0.5)(torch.tensor([[0.5]])).tolist() == [[0.5, 0.5]]
    one = audio.PitchShift(semitones=5, sample_rate=SR)(torch.tensor([[0.5]]))
    assert one.shape == (1, 1) and torch.isfinite(one).all()
    # shorter than the FFT: zero-padded for the analysis, cut to round(time / rate)
    short = harmonic_tone(seconds=0.75 * N_FFT / SR)
    for rate in (0.8, 1.25):
        y = audio.TimeStretch(rate=rate)(short)
        assert y.shape[-1] == round(short.shape[-1] / rate) and torch.isfinite(y).all()
        assert 0.3 < (y.pow(2).mean() / short.pow(2).mean()).item() < 1.5
    y = audio.PitchShift(semitones=3, sample_rate=SR)(short)
    assert y.shape == short.shape and torch.isfinite(y).all()


def test_stereo_and_numpy_int16_keep_their_layout() -> None:
    tone = harmonic_tone()
    stereo = torch.cat([tone, 0.5 * tone])
    y = audio.PitchShift(semitones=2, sample_rate=SR)(stereo)
    assert y.shape == (2, SR)
    torch.testing.assert_close(y[1], 0.5 * y[0], atol=1e-5, rtol=0)  # channels get the same shift
    pcm = (tone[0].numpy() * 20000).astype(np.int16)
    z = audio.TimeStretch(rate=1.25)(pcm)
    assert isinstance(z, np.ndarray) and z.dtype == np.float32 and z.shape == (12800,)


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(InvalidArgument, match=r"rate=0.0 must be .* within \[0.1, 10\]"):
        audio.TimeStretch(rate=0.0)
    with pytest.raises(InvalidArgument, match=r"rate=\(1.5, 0.5\) must be .* min <= max"):
        audio.TimeStretch(rate=(1.5, 0.5))
    with pytest.raises(WrongArgumentType, match="keep_length='yes' must be True or False"):
        audio.TimeStretch(keep_length="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"semitones=\(-30, 4\) must be .* within \[-24, 24\]"):
        audio.PitchShift(semitones=(-30, 4), sample_rate=SR)
    with pytest.raises(InvalidArgument, match="sample_rate=0 must be a positive integer number of Hz"):
        audio.PitchShift(semitones=2, sample_rate=0)
    with pytest.raises(InvalidInput, match="PitchShift input holds NaN"):
        audio.PitchShift(semitones=2, sample_rate=SR)(torch.tensor([[0.1, float("nan")]]))


def test_records_the_maths_cannot_take_raise_invalid_params_naming_the_key() -> None:
    clip = harmonic_tone(seconds=0.1)
    for rate in (0.0, -1.0, 50.0, float("inf")):
        with pytest.raises(InvalidParams,
                           match=rf"TimeStretch params\['rate'\]={rate!r} must lie in \[0.1, 10(\.0)?\]"):
            audio.TimeStretch().apply(clip, {"applied": True, "rate": rate})
    with pytest.raises(InvalidParams, match=r"params\['semitones'\]=1000.0 must lie in \[-24(\.0)?, 24(\.0)?\]"):
        audio.PitchShift().apply(clip, {"applied": True, "semitones": 1000.0, "applied_semitones": 0.0})
    with pytest.raises(InvalidParams, match="PitchShift params are missing key 'semitones'"):
        audio.PitchShift().apply(clip, {"applied": True, "applied_semitones": 1.0})
    with pytest.raises(InvalidParams, match=r"TimeStretch params\['rate'\] must be float or int, got '1.2'"):
        audio.TimeStretch().apply(clip, {"applied": True, "rate": "1.2"})


def test_pitch_shift_does_not_depend_on_the_sample_rate_it_records() -> None:
    # the shift is a ratio of frequencies: the same record gives the same samples at every rate
    clip = harmonic_tone(seconds=0.25)
    record = audio.PitchShift(3, sample_rate=SR).sample(clip, np.random.default_rng(0))
    at_44k = audio.PitchShift(3, sample_rate=44100)
    assert at_44k.sample_rate == 44100 and "sample_rate=44100" in repr(at_44k)
    assert at_44k.arguments() == {"semitones": (3.0, 3.0), "sample_rate": 44100, "p": 1.0}
    assert torch.equal(at_44k.apply(clip, record), audio.PitchShift(3, sample_rate=SR).apply(clip, record))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.sampled_from(["time", "channels", "batch"]),
    channels=st.integers(1, 2),
    length=st.integers(1, 2500),
    dtype=st.sampled_from(["float32", "float64", "int16"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_any_shape_length_and_dtype(shape: str, channels: int, length: int, dtype: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    dims = {"time": (length,), "channels": (channels, length), "batch": (2, channels, length)}[shape]
    x = rng.standard_normal(dims) * 0.3
    x = (x * 10000).astype(np.int16) if dtype == "int16" else x.astype(dtype)
    stretch_op = audio.TimeStretch(rate=(0.8, 1.25), keep_length=shape == "batch")
    for op in (stretch_op, audio.PitchShift(semitones=(-7, 7), sample_rate=SR)):
        y, params = op.augment(x, np.random.default_rng(seed))
        assert isinstance(y, np.ndarray) and y.dtype == np.float32 and np.all(np.isfinite(y))
        assert y.shape[:-1] == x.shape[:-1]
        if op is stretch_op and shape != "batch":
            assert y.shape[-1] == max(1, round(length / params["rate"]))
        else:
            assert y.shape == x.shape
        np.testing.assert_array_equal(op.apply(x, json.loads(json.dumps(params))), y)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu() -> None:
    tone = harmonic_tone()
    op = audio.PitchShift(semitones=3, sample_rate=SR)
    params = op.sample(tone, np.random.default_rng(0))
    on_gpu = op.apply(tone.cuda(), params)
    assert on_gpu.is_cuda
    torch.testing.assert_close(on_gpu.cpu(), op.apply(tone, params), atol=1e-4, rtol=0)
