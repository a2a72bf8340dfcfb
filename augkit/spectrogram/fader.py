"""BYOL-A v2's random linear fader: a straight line over time added to the log-mel."""

from __future__ import annotations

import numpy as np
import torch

from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Number, Probability
from augkit.core.errors import InvalidParams
from augkit.core.registry import register
from augkit.spectrogram._kernels import linear_fade

__all__ = ["RandomLinearFader"]


@register
class RandomLinearFader(Augmenter[torch.Tensor]):
    """Add a line over the frames, from ``head`` at the first to ``tail`` at the last, each in ``[-gain, gain]``.

    On a log-mel this fades the sound in or out (a gain changing linearly in log power, the same
    for every band): BYOL-A v2's ``RandomLinearFader`` (``v2/byol_a2/augmentations.py``, ``gain=1.0``,
    ``head, tail = gain * (2 U - 1)``). The line is computed in float64 and rounded once
    (torch.linspace in float32 there: within 1e-6).

    Args:
        gain: the largest end value, ``>= 0``.
        p: probability of fading.

    Record: ``{"applied": True, "head": float, "tail": float}``.

    Raises:
        InvalidArgument: for a negative or non-finite gain.

    Example:
        >>> faded = RandomLinearFader(gain=1.0)(log_mel)
    """

    name = "spectrogram.random_linear_fader"
    modality = "spectrogram"
    args = (Arg("gain", Number(0.0, 1e6), 1.0, "largest value of the line at either end"),
            Arg("p", Probability(), 1.0, "probability of fading"))
    drawn = {"head": float, "tail": float}
    record_bounds = {"head": Number(-1e6, 1e6), "tail": Number(-1e6, 1e6)}
    draws_uniformly = ("head", "tail")
    gain: float

    @property
    def head(self) -> tuple[float, float]:
        return -self.gain, self.gain

    tail = head

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"head": uniform(rng, self.head), "tail": uniform(rng, self.tail)}

    def check_params(self, x: torch.Tensor, params: Params) -> None:
        for key in ("head", "tail"):
            if abs(params[key]) > self.gain:
                raise InvalidParams(f"RandomLinearFader params[{key!r}]={params[key]!r:.40} must lie in "
                                    f"[-{self.gain}, {self.gain}] (gain); pass the record sample() drew")

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        return linear_fade(batch, [(float(r["head"]), float(r["tail"])) for r in records])
