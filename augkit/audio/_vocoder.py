"""Phase-vocoder time stretch and cached rational resampling (the maths behind TimeStretch and
PitchShift)."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from typing import Any

import torch

__all__ = ["N_FFT", "rational", "resample_by", "stretch"]

N_FFT = 512
HOP = N_FFT // 4


@lru_cache(maxsize=64)
def _window(n_fft: int, device: str, dtype: torch.dtype) -> torch.Tensor:
    return torch.hann_window(n_fft, device=device, dtype=dtype)


@lru_cache(maxsize=64)
def _phase_advance(n_fft: int, hop: int, device: str) -> torch.Tensor:
    return torch.linspace(0, math.pi * hop, n_fft // 2 + 1, device=device)[..., None]


def stretch(x: torch.Tensor, rate: float, n_fft: int = N_FFT) -> torch.Tensor:
    """Time-stretch ``x`` (``[..., time]``) by ``rate`` with a phase vocoder; the result has
    ``max(1, round(time / rate))`` samples (rate > 1 is faster and shorter). Pitch is unchanged.

    Clips shorter than ``n_fft`` are zero-padded to it before the STFT and cut after; a clip of
    fewer than 4 samples is stretched by sample repetition (no spectrum to speak of).
    """
    import torchaudio.functional as AF

    length = x.shape[-1]
    target = max(1, round(length / rate))
    if rate == 1.0:
        return x
    if length < 4:
        idx = torch.clamp((torch.arange(target, device=x.device) * rate).long(), max=length - 1)
        return x[..., idx]
    padded = torch.nn.functional.pad(x, (0, max(0, n_fft - length)))
    flat = padded.reshape(-1, padded.shape[-1])
    window = _window(n_fft, str(x.device), x.dtype)
    spec = torch.stft(flat, n_fft, HOP, window=window, center=True, pad_mode="constant", return_complex=True)
    spec = AF.phase_vocoder(spec, rate, _phase_advance(n_fft, HOP, str(x.device)))
    out_len = max(1, round(padded.shape[-1] / rate))
    out = torch.istft(spec, n_fft, HOP, window=window, center=True, length=out_len)
    out = out[..., :target]
    if out.shape[-1] < target:
        out = torch.nn.functional.pad(out, (0, target - out.shape[-1]))
    return out.reshape(*x.shape[:-1], target)


def rational(ratio: float, max_denominator: int = 64) -> Fraction:
    """The closest fraction to ``ratio`` with a small denominator (error ≪ 1 cent for 64)."""
    return Fraction(ratio).limit_denominator(max_denominator)


@lru_cache(maxsize=256)
def _resampler(orig: int, new: int, device: str, dtype: torch.dtype) -> Any:
    import torchaudio.transforms as AT

    # The windowed-sinc kernel is built once per ratio and reused: building it is the costly part.
    return AT.Resample(orig, new, dtype=dtype).to(device)


def resample_by(x: torch.Tensor, ratio: Fraction) -> torch.Tensor:
    """Resample ``x`` so that its length is multiplied by ``ratio`` (a small fraction)."""
    if ratio == 1:
        return x
    return _resampler(ratio.denominator, ratio.numerator, str(x.device), x.dtype)(x)
