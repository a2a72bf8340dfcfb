"""Time shift."""

from __future__ import annotations

import numpy as np
import torch

from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Flag, Probability, Range
from augkit.core.registry import register

__all__ = ["TimeShift"]


@register
class TimeShift(Augmenter[torch.Tensor]):
    """Shift the waveform in time by a fraction of its length (positive: later).

    The shift in samples is ``round(fraction * time)``, so a 1-sample clip never moves. With
    ``rollover=True`` the samples pushed off one end come back at the other (``torch.roll``);
    otherwise the gap is filled with silence. The length never changes.

    Args:
        fraction: the shift as a fraction of the clip's length, a ``(min, max)`` range or a fixed
            value, in [-1, 1].
        rollover: wrap round (True) or pad with silence (False).
        p: probability of shifting.

    Record: ``{"applied": True, "shift": samples}`` (any int: a record drawn for a longer clip
    still applies, wrapping round or emptying the clip).

    Raises:
        InvalidArgument: for a fraction outside [-1, 1] or with min > max.
        WrongArgumentType: for a non-bool ``rollover``.

    Example:
        >>> shifted = TimeShift(fraction=(-0.2, 0.2), rollover=True)(waveform)
    """

    name = "audio.time_shift"
    modality = "audio"
    args = (
        Arg("fraction", Range(-1, 1), (-0.2, 0.2), "the shift as a fraction of the clip's length"),
        Arg("rollover", Flag(), True, "wrap round (True) or pad with silence (False)"),
        Arg("p", Probability(), 1.0, "probability of shifting"),
    )
    drawn = {"shift": int}
    fraction: tuple[float, float]
    rollover: bool

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"shift": round(uniform(rng, self.fraction) * x.shape[-1])}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        n = x.shape[-1]
        shift = int(params["shift"])
        if self.rollover:
            shift %= n
        if shift == 0:
            return x
        if self.rollover:
            return torch.roll(x, shift, dims=-1)
        out = torch.zeros_like(x)
        if abs(shift) >= n:
            return out
        if shift > 0:
            out[..., shift:] = x[..., :-shift]
        else:
            out[..., :shift] = x[..., -shift:]
        return out
