"""Closed-form IIR filters applied in the frequency domain, one response per example of a batch.

A filter is designed in numpy from formulas (no scipy call per clip): Butterworth poles from the
analog prototype, moved by the same band transforms and bilinear map ``scipy.signal.butter`` uses,
and peaking biquads from the Audio EQ Cookbook (R. Bristow-Johnson). Its exact complex response
``H(e^{jw})`` is evaluated on an FFT grid long enough that the filter's impulse response has decayed
below :data:`TAIL` before it could wrap round, and multiplied with the clip's spectrum. That is the
causal filtering ``scipy.signal.sosfilt`` does (same magnitude and phase), in one FFT pair for a
whole batch on any device, instead of a sample-by-sample recursion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import torch

__all__ = ["TAIL", "apply_responses", "biquad_responses", "butterworth_zpk", "grid", "peaking_biquads", "tail_samples",
           "zpk_responses"]

#: The impulse-response level (relative to its start) below which the filter's tail is cut.
TAIL = 1e-7
#: The most samples of tail an FFT grid makes room for (about 22 s at 48 kHz).
_MAX_TAIL = 2**20


def _bilinear(s: np.ndarray, fs2: float) -> np.ndarray:
    return (fs2 + s) / (fs2 - s)


def butterworth_zpk(kind: str, order: int, edges_hz: Sequence[float], sample_rate: int
                    ) -> tuple[np.ndarray, np.ndarray, float]:
    """Zeros, poles (digital, complex) and the frequency in radians/sample where the gain is 1.

    ``kind`` is "lowpass" or "highpass" (one edge) or "bandpass" / "bandstop" (two edges, low and
    high), ``order`` the prototype's order as ``scipy.signal.butter`` means it (a band filter has
    twice as many poles). Edges are pre-warped, so they land exactly where asked.
    """
    fs2 = 2.0 * sample_rate
    warped = [fs2 * math.tan(math.pi * f / sample_rate) for f in edges_hz]
    k = np.arange(order)
    proto = np.exp(1j * math.pi * (2 * k + order + 1) / (2 * order))  # left-half-plane unit circle
    if kind == "lowpass":
        return (np.full(order, -1.0 + 0j), _bilinear(proto * warped[0], fs2), 0.0)
    if kind == "highpass":
        return (np.full(order, 1.0 + 0j), _bilinear(warped[0] / proto, fs2), math.pi)
    bw, w0 = warped[1] - warped[0], math.sqrt(warped[0] * warped[1])
    centre = 2.0 * math.atan(w0 / fs2)  # the digital frequency of the analog geometric centre
    if kind == "bandpass":
        half = proto * bw / 2.0
        root = np.sqrt(half**2 - w0**2 + 0j)
        poles = np.concatenate([half + root, half - root])
        zeros = np.concatenate([np.full(order, 1.0 + 0j), np.full(order, -1.0 + 0j)])
        return zeros, _bilinear(poles, fs2), centre
    if kind == "bandstop":
        half = (bw / 2.0) / proto
        root = np.sqrt(half**2 - w0**2 + 0j)
        poles = np.concatenate([half + root, half - root])
        notch = _bilinear(np.array([1j * w0, -1j * w0]), fs2)
        return np.repeat(notch, order), _bilinear(poles, fs2), 0.0
    raise ValueError(f"unknown filter kind {kind!r}")


def peaking_biquads(center_hz: Sequence[float], gain_db: Sequence[float], q: Sequence[float],
                    sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator ``[bands, 3]`` of the Audio EQ Cookbook peaking filters
    (``a0`` normalized to 1)."""
    f, g, qs = (np.asarray(v, dtype=np.float64) for v in (center_hz, gain_db, q))
    amp = 10.0 ** (g / 40.0)
    w0 = 2.0 * np.pi * f / sample_rate
    alpha = np.sin(w0) / (2.0 * qs)
    cos = np.cos(w0)
    b = np.stack([1 + alpha * amp, -2 * cos, 1 - alpha * amp], axis=-1)
    a = np.stack([1 + alpha / amp, -2 * cos, 1 - alpha / amp], axis=-1)
    return b / a[:, :1], a / a[:, :1]


def tail_samples(poles: np.ndarray) -> int:
    """How many samples the impulse response of filters with these poles takes to fall below :data:`TAIL`."""
    radius = float(np.max(np.abs(poles))) if poles.size else 0.0
    if radius <= 1e-12:
        return 16
    if radius >= 1.0:
        return _MAX_TAIL
    # twice the single-pole decay: a cascade of poles of one radius decays like t^k r^t, slower
    return int(min(_MAX_TAIL, max(16, 2 * math.ceil(math.log(TAIL) / math.log(radius)))))


def _fast_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c at least ``n`` (a size the FFT handles fastest)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def _bins(n_fft: int) -> np.ndarray:
    """The frequencies (radians/sample) of the ``n_fft // 2 + 1`` bins of an rfft of size ``n_fft``."""
    return 2.0 * np.pi * np.arange(n_fft // 2 + 1) / n_fft


@lru_cache(maxsize=16)
def _circle(n_fft: int) -> np.ndarray:
    """``e^{jw}`` at the bins of an rfft of size ``n_fft`` (complex64; computing it costs more than a filter)."""
    out = np.exp(1j * _bins(n_fft)).astype(np.complex64)
    out.flags.writeable = False
    return out


def zpk_responses(zeros: np.ndarray, poles: np.ndarray, reference: np.ndarray, n_fft: int) -> np.ndarray:
    """``H(e^{jw})`` ``[B, n_fft // 2 + 1]`` (complex64) of filters given as zeros ``[B, Z]`` and poles
    ``[B, P]`` with ``Z == P``, each scaled to gain 1 at its ``reference`` frequency (radians/sample)."""
    # complex64 products: each factor's relative error stays near 1e-7, far below the 0.5 dB checked
    w = _circle(n_fft)[None, :]
    z64, p64 = zeros.astype(np.complex64), poles.astype(np.complex64)
    num = w - z64[:, :1]
    den = w - p64[:, :1]
    for i in range(1, zeros.shape[1]):  # a few factors of [B, F]: no [B, F, P] temporary
        num *= w - z64[:, i : i + 1]
        den *= w - p64[:, i : i + 1]
    h = num / den
    at = np.exp(1j * reference)[:, None]
    gain = np.abs(np.prod(at - zeros, axis=1) / np.prod(at - poles, axis=1))
    return h / gain[:, None].astype(np.float32)


def biquad_responses(b: np.ndarray, a: np.ndarray, n_fft: int) -> np.ndarray:
    """``H(e^{jw})`` ``[B, F]`` of cascades of biquads ``b``, ``a`` ``[B, bands, 3]``."""
    z1 = np.conj(_circle(n_fft))[None, None, :]
    num = b[..., 0:1] + b[..., 1:2] * z1 + b[..., 2:3] * z1 * z1
    den = a[..., 0:1] + a[..., 1:2] * z1 + a[..., 2:3] * z1 * z1
    return np.prod(num / den, axis=1)


def grid(length: int, tail: int) -> int:
    """The FFT size for clips of ``length`` samples filtered by an impulse response of ``tail`` samples."""
    return _fast_length(length + tail)


def apply_responses(batch: torch.Tensor, responses: np.ndarray, n_fft: int) -> torch.Tensor:
    """Filter each example of ``batch`` ``[B, C, T]`` by its response ``[B, n_fft // 2 + 1]``
    (complex, on the grid of :func:`grid`), keeping the length."""
    n = batch.shape[-1]
    spectrum = torch.fft.rfft(batch, n=n_fft, dim=-1)
    h = torch.from_numpy(responses.astype(np.complex64, copy=False)).to(batch.device)
    return torch.fft.irfft(spectrum * h[:, None, :], n=n_fft, dim=-1)[..., :n].contiguous()
