"""Gain in decibels."""

from __future__ import annotations

import numpy as np
import torch

from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Probability, Range
from augkit.core.registry import register

__all__ = ["Gain"]


@register
class Gain(Augmenter[torch.Tensor]):
    """Multiply the waveform by ``10^(gain_db / 20)``, ``gain_db`` drawn uniformly from a range.

    No clipping: float waveforms may leave [-1, 1] (:func:`augkit.audio.save` clips when it
    writes a file).

    Args:
        gain_db: the gain in dB, a ``(min, max)`` range or a fixed value, in [-120, 60].
        p: probability of applying the gain.

    Record: ``{"applied": True, "gain_db": float}``.

    Raises:
        InvalidArgument: for a range outside [-120, 60] or with min > max.

    Example:
        >>> louder_or_softer = Gain(gain_db=(-6, 6))(waveform)
    """

    name = "audio.gain"
    modality = "audio"
    args = (
        Arg("gain_db", Range(-120, 60), (-6.0, 6.0), "gain in dB"),
        Arg("p", Probability(), 1.0, "probability of applying the gain"),
    )
    drawn = {"gain_db": float}
    draws_uniformly = ("gain_db",)
    gain_db: tuple[float, float]

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"gain_db": uniform(rng, self.gain_db)}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return x * (10.0 ** (float(params["gain_db"]) / 20.0))

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        factors = [10.0 ** (float(r["gain_db"]) / 20.0) for r in records]
        return batch * torch.tensor(factors, dtype=batch.dtype, device=batch.device)[:, None, None]
