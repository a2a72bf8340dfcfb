"""Tone ops: histogram equalization, autocontrast, posterize and sharpness (torchvision v2's maths).

Each maps a uint8 ``H×W×3`` or ``H×W`` image to one of the same kind, channel by channel, with the
integer maths of torchvision v2's kernels (``transforms/v2/functional/_color.py``); the host batch
kernels are :mod:`augkit.image.tone_kernels` (what ``transform`` calls on a stack of one, so the two
are equal bit for bit) and the device ones :mod:`augkit.image.tone_torch` (equal too: same integer
and float32 maths, tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Probability, Range
from augkit.core.registry import register
from augkit.image import tone_kernels as K

__all__ = ["AutoContrast", "Equalize", "Posterize", "Sharpness"]


class _Fixed(Augmenter[np.ndarray]):
    """An op that draws nothing: its record is ``{"applied": bool}``."""

    def uniform_draws(self) -> int:
        return 0

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        return [{} for _ in items]


@register
class Equalize(_Fixed):
    """Equalize each channel's histogram, with PIL's tables (torchvision v2 ``RandomEqualize``).

    ``ImageOps.equalize``'s rule, as torchvision computes it on tensors: ``step = (pixels − count
    of the top level) // 255`` and ``lut[k] = (cum[k − 1] + step // 2) // step``; a channel with too
    few distinct levels (``step`` 0) is kept. Not OpenCV's ``equalizeHist`` (albumentations' default
    ``mode="cv"``), whose tables differ by a level here and there.

    Args:
        p: probability of equalizing.

    Record: ``{"applied": bool}``.

    Example:
        >>> Equalize(p=0.5)
    """

    name = "image.equalize"
    modality = "image"
    args = (Arg("p", Probability(), 0.5, "probability of equalizing"),)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return K.equalize(x[None])[0]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return K.equalize(batch)
        from augkit.image import tone_torch

        return tone_torch.equalize(batch)


@register
class AutoContrast(_Fixed):
    """Stretch each channel to span 0–255: ``(x − min) · 255 / (max − min)``, truncated.

    torchvision v2 ``RandomAutocontrast``; a channel with one level only is kept.

    Args:
        p: probability of stretching.

    Record: ``{"applied": bool}``.

    Example:
        >>> AutoContrast(p=0.5)
    """

    name = "image.autocontrast"
    modality = "image"
    args = (Arg("p", Probability(), 0.5, "probability of stretching"),)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return K.autocontrast(x[None])[0]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return K.autocontrast(batch)
        from augkit.image import tone_torch

        return tone_torch.autocontrast(batch)


@register
class Posterize(_Fixed):
    """Keep the ``bits`` high bits of every level (torchvision v2 ``RandomPosterize``).

    Args:
        bits: the bits kept, in [0, 8] (8 leaves the image as it is, 0 makes it black).
        p: probability of posterizing.

    Record: ``{"applied": bool}``.

    Raises:
        InvalidArgument: for ``bits`` outside [0, 8].

    Example:
        >>> Posterize(bits=4, p=0.5)
    """

    name = "image.posterize"
    modality = "image"
    args = (Arg("bits", Integer(0, 8), 4, "the high bits kept"),
            Arg("p", Probability(), 0.5, "probability of posterizing"))
    bits: int

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return K.posterize(x, self.bits)

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return K.posterize(batch, self.bits)
        from augkit.image import tone_torch

        return tone_torch.posterize(batch, self.bits)


@register
class Sharpness(Augmenter[np.ndarray]):
    """Sharpen (factor > 1) or soften (factor < 1) against a 3×3 smoothing (torchvision v2 ``RandomAdjustSharpness``).

    ``x + (smooth − x) · (1 − factor)`` on the inner pixels, ``smooth`` the image under the kernel
    1/13 (5/13 at the centre) rounded, the border rows and columns kept (PIL's ``ImageEnhance.Sharpness``
    as torchvision computes it); 1 leaves the image as it is, 0 gives the smoothed image.

    Args:
        factor: the sharpness factor, or a ``(min, max)`` range it is drawn from, in [0, 100].
        p: probability of sharpening.

    Record: ``{"applied": True, "factor": float}``.

    Raises:
        InvalidArgument: for a factor outside [0, 100] or a range with min > max.

    Example:
        >>> Sharpness(factor=2.0, p=0.5)
    """

    name = "image.sharpness"
    modality = "image"
    args = (Arg("factor", Range(0.0, 100.0), (2.0, 2.0), "sharpness factor, or a (min, max) range"),
            Arg("p", Probability(), 0.5, "probability of sharpening"))
    drawn = {"factor": float}
    draws_uniformly = ("factor",)
    factor: tuple[float, float]

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        lo, hi = self.factor
        return {"factor": lo if lo == hi else float(rng.uniform(lo, hi))}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return K.sharpness(x[None], [float(params["factor"])])[0]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        factors = [float(r["factor"]) for r in records]
        if isinstance(batch, np.ndarray):
            return K.sharpness(batch, factors)
        from augkit.image import tone_torch

        return tone_torch.sharpness(batch, factors)
