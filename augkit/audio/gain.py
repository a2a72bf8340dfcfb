"""Gain in decibels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.core import Params, check_range, uniform
from augkit.registry import register

__all__ = ["Gain"]


@register
class Gain(WaveOp):
    """Multiply the waveform by ``10^(gain_db / 20)``, ``gain_db`` drawn uniformly from a range.

    No clipping: float waveforms may leave [-1, 1] (:func:`augkit.audio.save` clips when it
    writes a file).

    Args:
        gain_db: the gain in dB, a ``(min, max)`` range or a fixed value, in [-120, 60].

    Params: ``{"gain_db": float}``.

    Raises:
        ValueError: for a range outside [-120, 60] or with min > max.

    Example:
        >>> louder_or_softer = Gain(gain_db=(-6, 6))(waveform)
    """

    name = "audio.gain"

    def __init__(self, gain_db: float | tuple[float, float] = (-6.0, 6.0)) -> None:
        self.gain_db = check_range(gain_db, "gain_db", low=-120, high=60)

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"gain_db": uniform(rng, self.gain_db)}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        return clip * (10.0 ** (float(params["gain_db"]) / 20.0))

    def _apply_batch(self, wav: torch.Tensor, params: Sequence[Params]) -> torch.Tensor:
        factors = [10.0 ** (float(p["gain_db"]) / 20.0) for p in params]
        return wav * torch.tensor(factors, dtype=wav.dtype, device=wav.device)[:, None, None]
