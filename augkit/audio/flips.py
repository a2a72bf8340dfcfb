"""Sign and time flips: polarity inversion and time reversal."""

from __future__ import annotations

import torch

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Probability
from augkit.core.registry import register

__all__ = ["PolarityInversion", "Reverse"]


@register
class PolarityInversion(Augmenter[torch.Tensor]):
    """Multiply the waveform by -1: the same sound to the ear, different samples to a model.

    Args:
        p: probability of inverting.

    Record: ``{"applied": True}`` (nothing is drawn).

    Example:
        >>> inverted = PolarityInversion()(waveform)
    """

    name = "audio.polarity_inversion"
    modality = "audio"
    args = (Arg("p", Probability(), 1.0, "probability of inverting"),)

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return -x

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        return -batch


@register
class Reverse(Augmenter[torch.Tensor]):
    """Play the clip backwards (time reversal), every channel alike.

    Args:
        p: probability of reversing.

    Record: ``{"applied": True}`` (nothing is drawn).

    Example:
        >>> backwards = Reverse()(waveform)
    """

    name = "audio.reverse"
    modality = "audio"
    args = (Arg("p", Probability(), 1.0, "probability of reversing"),)

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return torch.flip(x, dims=[-1])

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        return torch.flip(batch, dims=[-1])
