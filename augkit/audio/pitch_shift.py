"""Fast, accurate pitch shift: phase-vocoder stretch, then a cached rational resampler."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from augkit.audio._records import bounded
from augkit.audio._vocoder import rational, resample_by, stretch, stretch_batch
from augkit.audio._waveform import fit
from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Probability, Range, SampleRate
from augkit.core.registry import register

__all__ = ["PitchShift"]

_SEMITONES = (-24.0, 24.0)


@register
class PitchShift(Augmenter[torch.Tensor]):
    """Shift the pitch by ``semitones`` (drawn uniformly from a range), keeping the duration.

    The clip is time-stretched by ``r ≈ 2^(-n/12)`` with a phase vocoder (1024-point STFT, hop
    256, identity phase locking) and resampled by ``r`` with a windowed-sinc kernel (in the order
    that keeps the vocoder's input and output at most as long as the clip). ``r`` is first rounded to the
    simplest fraction within 1 cent of it, so the kernel is small, cheap and cached per ratio; the
    shift actually applied is recorded as ``applied_semitones`` (within 0.01 semitone of
    ``semitones``). ``torchaudio.functional.pitch_shift`` resamples between the coprime rates
    ``sr`` and ``round(sr·2^(-n/12))``, which costs seconds and gigabytes per clip; this does not.

    The output has the input's shape, so batches stay rectangular. Clips shorter than the FFT are
    zero-padded for the analysis; clips of 1 to 3 samples are shifted by repeating samples, then
    resampled (there is no spectrum to speak of).

    Why the result does not depend on ``sample_rate``: a shift of ``n`` semitones multiplies every
    frequency by ``2^(n/12)``, a ratio. Applied as a resampling ratio and a stretch rate, it moves a
    220 Hz tone to the same pitch whatever the clip's rate, so the rate never enters the maths
    (and records replay to the same samples at every rate). ``sample_rate`` is still an argument,
    checked and kept (in ``repr``, :meth:`arguments` and configs), so that every op of a pipeline
    states the one rate it was built for, as the ops in seconds or hertz must (audio_pairs gives
    its rate to each); the STFT is 1024 samples at any rate (64 ms at 16 kHz).

    Args:
        semitones: shift, or a ``(min, max)`` range to draw it from, within ±24 (positive: higher).
        sample_rate: of the input, in Hz: checked and recorded, not used by the maths (see above).
        p: probability of shifting.

    Record: ``{"applied": True, "semitones": float, "applied_semitones": float}``; replay reads
    ``semitones`` (``applied_semitones`` follows from it and is there for the reader).

    Raises:
        InvalidArgument: for a range outside ±24 semitones or with min > max, or a sample rate that
            is not a positive int.
        InvalidParams: for a record whose ``semitones`` lies outside ±24.

    Example:
        >>> PitchShift(semitones=(-4, 4), sample_rate=16000)(torch.randn(1, 16000)).shape
        torch.Size([1, 16000])
    """

    name = "audio.pitch_shift"
    modality = "audio"
    args = (
        Arg("semitones", Range(*_SEMITONES), (-4.0, 4.0), "shift in semitones (positive: higher)"),
        Arg("sample_rate", SampleRate(), 16000, "of the input, in Hz (checked and recorded; the shift is a ratio)"),
        Arg("p", Probability(), 1.0, "probability of shifting"),
    )
    drawn = {"semitones": float}
    semitones: tuple[float, float]
    sample_rate: int

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        n = uniform(rng, self.semitones)
        r = rational(2.0 ** (-n / 12.0))
        return {"semitones": n, "applied_semitones": -12.0 * math.log2(float(r))}

    def uniform_draws(self) -> int:
        return 0 if self.semitones[0] == self.semitones[1] else 1

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        lo, hi = self.semitones
        shifts = [lo] * len(items) if lo == hi else (lo + (hi - lo) * u[:, 0]).tolist()  # uniform()'s arithmetic
        return [{"semitones": n, "applied_semitones": -12.0 * math.log2(float(rational(2.0 ** (-n / 12.0))))}
                for n in shifts]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        # Pitch down (r > 1) stretches first: one vocoder pass over all those examples, each at its
        # own rate, then each resampled by its own ratio (a kernel per ratio). Pitch up resamples
        # first, to lengths that differ per ratio: those go one at a time.
        ratios = [rational(2.0 ** (-float(bounded(r, "semitones", *_SEMITONES, self)) / 12.0)) for r in records]
        down = [i for i, r in enumerate(ratios) if r > 1]
        if len(down) < 2 or batch.shape[-1] < 4:
            return super().transform_batch(batch, records)
        length = batch.shape[-1]
        out = torch.empty_like(batch)
        stretched = stretch_batch(batch[down], [float(ratios[i]) for i in down])
        for n, i in enumerate(down):
            target = max(1, round(length / float(ratios[i])))
            out[i] = fit(resample_by(stretched[n, :, :target], ratios[i]), length)
        rest = [i for i in range(len(records)) if i not in set(down)]
        for i in rest:
            out[i] = self.transform(batch[i], records[i])
        return out

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        r = rational(2.0 ** (-float(bounded(params, "semitones", *_SEMITONES, self)) / 12.0))
        if r == 1:
            return x
        # Resampling by r and stretching by rate r commute (up to edge effects); the order that
        # keeps the vocoder on the shorter signal is the cheaper one: up (r < 1) resample first.
        out = stretch(resample_by(x, r), float(r)) if r < 1 else resample_by(stretch(x, float(r)), r)
        return fit(out, x.shape[-1])
