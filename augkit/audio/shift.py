"""Time shift."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.core import Params, check_range, uniform
from augkit.registry import register

__all__ = ["TimeShift"]


@register
class TimeShift(WaveOp):
    """Shift the waveform in time by a fraction of its length (positive: later).

    With ``rollover=True`` samples pushed off one end come back at the other (``torch.roll``);
    otherwise the gap is filled with silence.

    Example:
        >>> TimeShift(fraction=(-0.2, 0.2), rollover=True)
    """

    name = "audio.time_shift"

    def __init__(self, fraction: float | tuple[float, float] = (-0.2, 0.2), rollover: bool = True) -> None:
        self.fraction = check_range(fraction, "fraction", low=-1, high=1)
        self.rollover = rollover

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"shift": round(uniform(rng, self.fraction) * clip.shape[-1])}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        shift = int(params["shift"])
        if shift == 0:
            return clip
        if self.rollover:
            return torch.roll(clip, shift, dims=-1)
        out = torch.zeros_like(clip)
        if shift > 0:
            out[..., shift:] = clip[..., :-shift]
        else:
            out[..., :shift] = clip[..., -shift:]
        return out
