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

    The shift in samples is ``round(fraction * time)``, so a 1-sample clip never moves. With
    ``rollover=True`` the samples pushed off one end come back at the other (``torch.roll``);
    otherwise the gap is filled with silence. The length never changes.

    Args:
        fraction: the shift as a fraction of the clip's length, a ``(min, max)`` range or a fixed
            value, in [-1, 1].
        rollover: wrap round (True) or pad with silence (False).

    Params: ``{"shift": samples}``.

    Raises:
        ValueError: for a fraction outside [-1, 1] or a non-bool ``rollover``.

    Example:
        >>> shifted = TimeShift(fraction=(-0.2, 0.2), rollover=True)(waveform)
    """

    name = "audio.time_shift"

    def __init__(self, fraction: float | tuple[float, float] = (-0.2, 0.2), rollover: bool = True) -> None:
        self.fraction = check_range(fraction, "fraction", low=-1, high=1)
        if not isinstance(rollover, bool):
            raise ValueError(f"rollover={rollover!r} must be True (wrap round) or False (pad with silence)")
        self.rollover = rollover

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"shift": round(uniform(rng, self.fraction) * clip.shape[-1])}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        n = clip.shape[-1]
        shift = int(params["shift"])
        if self.rollover:
            shift %= n
        if shift == 0:
            return clip
        if self.rollover:
            return torch.roll(clip, shift, dims=-1)
        out = torch.zeros_like(clip)
        if abs(shift) >= n:
            return out
        if shift > 0:
            out[..., shift:] = clip[..., :-shift]
        else:
            out[..., :shift] = clip[..., -shift:]
        return out
