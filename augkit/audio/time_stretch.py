"""Time stretch with a phase vocoder."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio._records import bounded
from augkit.audio._vocoder import HOP, N_FFT, stretch, stretch_batch
from augkit.audio._waveform import fit
from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Flag, Probability, Range
from augkit.core.registry import register

__all__ = ["TimeStretch"]

_RATES = (0.1, 10.0)


#: the most STFT frames a clip may have for a CPU batch to be stretched in one pass (0.75 s at 16 kHz)
ONE_PASS_CLIP_FRAMES = 48


@register
class TimeStretch(Augmenter[torch.Tensor]):
    """Change the tempo without changing the pitch (phase vocoder with identity phase locking,
    1024-point STFT, hop 256).

    A ``rate`` above 1 makes the clip faster and shorter (torchaudio's and librosa's convention):
    the result has ``round(time / rate)`` samples (at least 1). ``keep_length=True`` crops or
    zero-pads the result back to the input length, which batch mode needs: a batch whose examples
    would come out with different lengths raises ``InvalidInput`` instead of a ragged batch.

    Short clips: a clip shorter than the FFT (1024 samples) is zero-padded for the analysis and cut
    back to ``round(time / rate)``; a clip of 1 to 3 samples is stretched by repeating (or
    dropping) samples, since it has no spectrum to speak of.

    There is no ``sample_rate``: a rate is a ratio of durations, the same at every sample rate.

    Args:
        rate: speed factor, or a ``(min, max)`` range to draw it from, within [0.1, 10].
        keep_length: crop or zero-pad the result to the input length.
        p: probability of stretching.

    Record: ``{"applied": True, "rate": float}``.

    Raises:
        InvalidArgument: for a rate outside [0.1, 10] or with min > max.
        WrongArgumentType: for a non-bool ``keep_length``.
        InvalidParams: for a record whose ``rate`` lies outside [0.1, 10].

    Example:
        >>> TimeStretch(rate=1.25)(torch.randn(1, 16000)).shape
        torch.Size([1, 12800])
    """

    name = "audio.time_stretch"
    modality = "audio"
    args = (
        Arg("rate", Range(*_RATES), (0.8, 1.25), "speed factor (> 1: faster and shorter)"),
        Arg("keep_length", Flag(), False, "crop or zero-pad the result to the input length"),
        Arg("p", Probability(), 1.0, "probability of stretching"),
    )
    drawn = {"rate": float}
    draws_uniformly = ("rate",)
    rate: tuple[float, float]
    keep_length: bool

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"rate": uniform(rng, self.rate)}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        out = stretch(x, float(bounded(params, "rate", *_RATES, self)))
        return fit(out, x.shape[-1]) if self.keep_length else out

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        # On a GPU, one STFT, vocoder and ISTFT for the whole batch (each example at its own rate)
        # saves a kernel launch per op and example. On the CPU one pass wins for short clips, whose
        # per-call overhead it shares (measured, one pass against a loop: 128 x 0.25 s 76 against
        # 119 ms, 16 x 0.5 s 13 against 19, 16 x 0.75 s 20 against 23), breaks even at 1 s and loses
        # on long clips, whose spectra stop fitting in cache (16 x 4 s: 155 against 88 ms).
        rates = [float(bounded(r, "rate", *_RATES, self)) for r in records]
        if not self.keep_length and len(set(rates)) > 1:
            return super().transform_batch(batch, records)  # results of several lengths: one at a time
        if batch.device.type == "cpu" and max(batch.shape[-1], N_FFT) // HOP + 1 > ONE_PASS_CLIP_FRAMES:
            return super().transform_batch(batch, records)
        if not self.keep_length:  # one rate: one length, round(time / rate)
            return stretch_batch(batch, rates, size=max(1, round(batch.shape[-1] / rates[0])))
        return stretch_batch(batch, rates)
