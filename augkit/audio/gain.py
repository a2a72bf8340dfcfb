"""Gain in decibels."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.core import Params, check_range, uniform
from augkit.registry import register

__all__ = ["Gain"]


@register
class Gain(WaveOp):
    """Multiply the waveform by ``10^(gain_db / 20)``, ``gain_db`` drawn uniformly from a range.

    No clipping: float waveforms may exceed [-1, 1] (clip when you save, if you must).

    Example:
        >>> Gain(gain_db=(-6, 6))
    """

    name = "audio.gain"

    def __init__(self, gain_db: float | tuple[float, float] = (-6.0, 6.0)) -> None:
        self.gain_db = check_range(gain_db, "gain_db", low=-120, high=60)

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"gain_db": uniform(rng, self.gain_db)}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        return clip * (10.0 ** (params["gain_db"] / 20.0))
