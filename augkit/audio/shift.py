"""Time shift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Flag, Probability, Range
from augkit.core.registry import register

__all__ = ["TimeShift", "shift_gather"]


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

    def uniform_draws(self) -> int:
        return 0 if self.fraction[0] == self.fraction[1] else 1

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        lo, hi = self.fraction
        fractions = [lo] * len(items) if lo == hi else (lo + (hi - lo) * u[:, 0]).tolist()  # uniform()'s arithmetic
        return [{"shift": round(f * x.shape[-1])} for f, x in zip(fractions, items, strict=True)]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        n = batch.shape[-1]
        values = [int(r["shift"]) for r in records]
        # within one clip's length either way (beyond it, silence or a whole turn): no int64 overflow
        shifts = [v % n for v in values] if self.rollover else [max(-n, min(n, v)) for v in values]
        if batch.device.type == "cpu":  # a shift is a copy: two slices per example into one output
            out = torch.zeros_like(batch) if not self.rollover else torch.empty_like(batch)
            for i, s in enumerate(shifts):
                if s >= 0:
                    out[i, :, s:] = batch[i, :, : n - s]
                    if self.rollover and s:
                        out[i, :, :s] = batch[i, :, n - s :]
                else:
                    out[i, :, :s] = batch[i, :, -s:]
            return out
        return shift_gather(batch, shifts, self.rollover)

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


def shift_gather(batch: torch.Tensor, shifts: list[int], rollover: bool) -> torch.Tensor:
    """TimeShift's kernel on a device, one gather: output sample t of example i is input sample
    ``t - shifts[i]`` (each within ``[-time, time]``; in ``[0, time)`` with ``rollover``)."""
    n = batch.shape[-1]
    shift = torch.tensor(shifts, dtype=torch.int64, device=batch.device)
    source = torch.arange(n, device=batch.device)[None, :] - shift[:, None]
    if rollover:
        return batch.gather(-1, (source % n)[:, None, :].expand(-1, batch.shape[1], -1))
    padded = torch.nn.functional.pad(batch, (n, n))  # silence on both sides: every source lands in it
    return padded.gather(-1, (source + n)[:, None, :].expand(-1, batch.shape[1], -1))
