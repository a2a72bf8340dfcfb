"""Fast, accurate pitch shift: phase-vocoder stretch, then a cached rational resampler."""

from __future__ import annotations

import math

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.audio._vocoder import rational, resample_by, stretch
from augkit.audio._waveform import check_sample_rate
from augkit.core import Params, check_range, uniform
from augkit.registry import register

__all__ = ["PitchShift"]


@register
class PitchShift(WaveOp):
    """Shift the pitch by ``semitones`` (drawn uniformly from a range), keeping the duration.

    The clip is time-stretched by ``r ≈ 2^(-n/12)`` with a phase vocoder, then resampled by ``r``
    with a windowed-sinc kernel. ``r`` is first rounded to a fraction with denominator ≤ 64, so the
    kernel is small and cached per ratio; the pitch error this rounding causes is far below one
    cent (the shift actually applied is recorded in params as ``applied_semitones``).
    ``torchaudio.functional.pitch_shift`` resamples between the coprime rates ``sr`` and
    ``sr·2^(-n/12)`` rounded to Hz, which costs seconds and gigabytes per clip; this does not.

    Args:
        semitones: range of the shift (positive: higher).
        sample_rate: of the input, in Hz (kept for the registry's convention and for reporting;
            the shift itself is a ratio).

    Example:
        >>> PitchShift(semitones=(-4, 4), sample_rate=16000)
    """

    name = "audio.pitch_shift"

    def __init__(self, semitones: float | tuple[float, float] = (-4.0, 4.0), sample_rate: int = 16000) -> None:
        self.semitones = check_range(semitones, "semitones", low=-24, high=24)
        self.sample_rate = check_sample_rate(sample_rate)

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        n = uniform(rng, self.semitones)
        r = rational(2.0 ** (-n / 12.0))
        return {"semitones": n, "applied_semitones": -12.0 * math.log2(float(r))}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        r = rational(2.0 ** (-float(params["semitones"]) / 12.0))
        if r == 1:
            return clip
        n = clip.shape[-1]
        out = resample_by(stretch(clip, float(r)), r)
        return out[..., :n] if out.shape[-1] >= n else torch.nn.functional.pad(out, (0, n - out.shape[-1]))
