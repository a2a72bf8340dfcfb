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

    The clip is time-stretched by ``r ≈ 2^(-n/12)`` with a phase vocoder (1024-point STFT, hop
    256, identity phase locking) and resampled by ``r`` with a windowed-sinc kernel (in the order
    that keeps the vocoder's input and output at most as long as the clip). ``r`` is first rounded to the
    simplest fraction within 1 cent of it, so the kernel is small, cheap and cached per ratio; the
    shift actually applied is recorded in params as ``applied_semitones`` (within 0.01 semitone of
    ``semitones``). ``torchaudio.functional.pitch_shift`` resamples between the coprime rates
    ``sr`` and ``round(sr·2^(-n/12))``, which costs seconds and gigabytes per clip; this does not.

    The output has the input's shape, so batches stay rectangular. Clips shorter than the FFT are
    zero-padded for the analysis; clips of 1 to 3 samples are shifted by repeating samples, then
    resampled (there is no spectrum to speak of).

    Args:
        semitones: shift, or a ``(min, max)`` range to draw it from, within ±24 (positive: higher).
        sample_rate: of the input, in Hz (kept for augkit's convention that ops in hertz or
            resampling take it; the shift itself is a ratio, so any rate works).

    Raises:
        ValueError: for a range outside ±24 semitones or a sample rate that is not a positive int.

    Example:
        >>> PitchShift(semitones=(-4, 4), sample_rate=16000)(torch.randn(1, 16000)).shape
        torch.Size([1, 16000])
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
        # Resampling by r and stretching by rate r commute (up to edge effects); the order that
        # keeps the vocoder on the shorter signal is the cheaper one: up (r < 1) resample first.
        out = stretch(resample_by(clip, r), float(r)) if r < 1 else resample_by(stretch(clip, float(r)), r)
        return out[..., :n] if out.shape[-1] >= n else torch.nn.functional.pad(out, (0, n - out.shape[-1]))
