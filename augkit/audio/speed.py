"""Speed perturbation: resample so that the clip plays faster or slower, pitch and tempo together."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio._records import bounded
from augkit.audio._waveform import fit
from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Flag, Probability, Range
from augkit.core.registry import register

__all__ = ["SpeedPerturb"]

_RATES = (0.5, 2.0)


def _speed(x: torch.Tensor, rate: float) -> torch.Tensor:
    import torchaudio.functional as AF

    percent = round(rate * 100)
    if percent == 100:
        return x.clone()
    # read the clip as if sampled at rate * fs and resample it to fs: ceil(time / rate) samples
    return AF.resample(x, orig_freq=percent, new_freq=100)


@register
class SpeedPerturb(Augmenter[torch.Tensor]):
    """Play the clip ``rate`` times faster (shorter, higher) or slower (longer, lower), like a tape.

    The speed perturbation of Ko et al. (2015, "Audio augmentation for speech recognition"; Kaldi
    uses rates 0.9, 1.0 and 1.1 with ``sox speed``): resampling by ``1 / rate`` with a windowed-sinc
    filter (``torchaudio.functional.resample``). Unlike :class:`~augkit.audio.TimeStretch` and
    :class:`~augkit.audio.PitchShift`, tempo and pitch change together and nothing is vocoded.
    The rate is drawn uniformly and rounded to hundredths, so each resampling is between two small
    integer rates (fast and exact). The result has ``ceil(time / rate)`` samples; ``keep_length``
    cuts or zero-pads it back to the input length, which batches need.

    Args:
        rate: speed factor, a ``(min, max)`` range or a fixed value in [0.5, 2].
        keep_length: cut or zero-pad the result to the input length.
        p: probability of changing the speed.

    Record: ``{"applied": True, "rate": float}`` (a multiple of 0.01).

    Raises:
        InvalidArgument: for a rate outside [0.5, 2] or min > max.
        InvalidParams: for a recorded rate outside [0.5, 2].

    Example:
        >>> faster = SpeedPerturb(rate=(0.9, 1.1))(waveform)
    """

    name = "audio.speed_perturb"
    modality = "audio"
    args = (
        Arg("rate", Range(*_RATES), (0.9, 1.1), "speed factor (> 1: faster, shorter and higher)"),
        Arg("keep_length", Flag(), False, "cut or zero-pad the result to the input length"),
        Arg("p", Probability(), 1.0, "probability of changing the speed"),
    )
    drawn = {"rate": float}
    rate: tuple[float, float]
    keep_length: bool

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"rate": round(uniform(rng, self.rate), 2)}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        out = _speed(x, float(bounded(params, "rate", *_RATES, self)))
        return fit(out, x.shape[-1]) if self.keep_length else out

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        if not self.keep_length:
            return super().transform_batch(batch, records)  # equal lengths or a clear error
        rates = [round(float(bounded(r, "rate", *_RATES, self)) * 100) for r in records]
        out = torch.empty_like(batch)
        for percent in sorted(set(rates)):  # one resampling per distinct rate, over all its examples
            rows = torch.tensor([k for k, r in enumerate(rates) if r == percent], device=batch.device)
            out[rows] = fit(_speed(batch[rows], percent / 100), batch.shape[-1])
        return out
