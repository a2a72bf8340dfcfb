"""Geometric image ops beyond the crop: vertical flip, rotation and affine transform with a fill.

Rotate and Affine follow torchvision v2's geometry (``transforms/v2/functional/_geometry.py``:
``rotate`` and ``affine`` about the image's centre, nearest or bilinear, a constant fill outside)
and resample with OpenCV's ``warpAffine`` on the host and :func:`augkit.image.warp.warp_torch` on a
torch device (nearest: equal; bilinear: equal but for a level at rare border pixels, see
:mod:`augkit.image.warp`). Both draw only uniform doubles, so a
batch draws all its records at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Choice, Integer, Number, Numbers, Probability, Range
from augkit.core.registry import register
from augkit.image import warp

__all__ = ["Affine", "Rotate", "VerticalFlip"]

_INTERPOLATION = Arg("interpolation", Choice(("nearest", "linear")), "nearest",
                     "'nearest' (torchvision's default) or 'linear' (bilinear)")
_FILL = Arg("fill", Numbers((1, 3), 0.0, 255.0), 0.0, "grey level, or RGB levels, of the area from outside")
_ANGLE = Number(-360.0, 360.0)


def _columns(ranges: Sequence[tuple[float, float]], n: int, u: np.ndarray) -> list[list[float]]:
    """``uniform()``'s values per range for ``n`` rows: a fixed range takes no double."""
    out, c = [], 0
    for lo, hi in ranges:
        if lo == hi:
            out.append([lo] * n)
        else:
            out.append((lo + (hi - lo) * u[:, c]).tolist())
            c += 1
    return out


def _draw_columns(ranges: Sequence[tuple[float, float]], rng: np.random.Generator) -> list[float]:
    moving = sum(lo != hi for lo, hi in ranges)
    u = rng.random((1, moving)) if moving else np.empty((1, 0))
    return [col[0] for col in _columns(ranges, 1, u)]


@register
class VerticalFlip(Augmenter[np.ndarray]):
    """Mirror the image top-bottom with probability ``p`` (left and right stay where they are).

    Args:
        p: probability of flipping.

    Record: ``{"applied": bool}``.

    Example:
        >>> VerticalFlip(p=0.5)
    """

    name = "image.vertical_flip"
    modality = "image"
    args = (Arg("p", Probability(), 0.5, "probability of flipping"),)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        import cv2

        return np.asarray(cv2.flip(x, 0))

    def uniform_draws(self) -> int:
        return 0

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        return [{} for _ in items]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return np.ascontiguousarray(batch[:, ::-1])
        return batch.flip(-2)


@register
class Rotate(Augmenter[np.ndarray]):
    """Rotate about the image's centre by an angle drawn from ``degrees``, filling the corners.

    torchvision v2 ``RandomRotation`` (``expand=False``): counter-clockwise for a positive angle,
    the centre ``((w - 1) / 2, (h - 1) / 2)`` in pixel indices, nearest by default. A rotation
    beyond 90° either way puts the left of the image on the right: :meth:`swaps_left_right` says
    so, and a caption's "left" and "right" swap under the ``flip_swaps_left_right`` coupling.

    Args:
        degrees: range of the angle in degrees, within [-360, 360].
        interpolation: ``"nearest"`` or ``"linear"``.
        fill: grey level (0–255), or RGB levels, of the area that comes from outside the image.
        p: probability of rotating.

    Record: ``{"applied": True, "angle": float}`` (degrees, counter-clockwise).

    Raises:
        InvalidArgument: for degrees outside [-360, 360] or a fill outside [0, 255] (naming it).

    Example:
        >>> Rotate(degrees=(-30, 30), fill=128)
    """

    name = "image.rotate"
    modality = "image"
    args = (Arg("degrees", Range(-360.0, 360.0), (-30.0, 30.0), "range of the angle, counter-clockwise"),
            _INTERPOLATION, _FILL, Arg("p", Probability(), 1.0, "probability of rotating"))
    drawn = {"angle": float}
    record_bounds = {"angle": _ANGLE}
    degrees: tuple[float, float]
    interpolation: str
    fill: tuple[float, ...]

    @classmethod
    def swaps_left_right(cls, params: Params) -> bool:
        """A turn beyond 90° either way brings the left half to the right."""
        return params.get("applied", True) is True and math.cos(math.radians(float(params["angle"]))) < 0

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        return {"angle": _draw_columns([self.degrees], rng)[0]}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return warp.warp(x, self._matrix(x.shape, params), self.interpolation, self.fill)

    def _matrix(self, shape: tuple[int, ...], params: Params) -> np.ndarray:
        return warp.inverse_matrix(shape[0], shape[1], -float(params["angle"]))  # torchvision's rotate: -angle

    def uniform_draws(self) -> int:
        return int(self.degrees[0] != self.degrees[1])

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        return [{"angle": a} for a in _columns([self.degrees], len(items), u)[0]]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        return _warp_batch(batch, [self._matrix(_shape(batch), r) for r in records], self.interpolation, self.fill)


@register
class Affine(Augmenter[np.ndarray]):
    """Rotate, translate, scale and shear about the image's centre, each value drawn from its range.

    torchvision v2 ``RandomAffine`` (``transforms/v2/_geometry.py``; the matrix of
    ``functional/_geometry.py``'s ``_get_inverse_affine_matrix``): translations are drawn as a
    fraction of the side and rounded to whole pixels, shears are angles in degrees. One difference
    of sign: the angle here turns counter-clockwise, as :class:`Rotate`'s (torchvision's ``affine``
    turns clockwise; a range symmetric about 0 draws the same transforms). The view is left-right
    mirrored in the caption's sense when a point right of the centre lands left of it (a turn
    beyond 90°): :meth:`swaps_left_right`.

    Args:
        degrees: range of the rotation in degrees, counter-clockwise, within [-360, 360].
        translate_x, translate_y: ranges of the shift as a fraction of the width / height, in [-1, 1].
        scale: range of the zoom factor, in (0, 100].
        shear_x, shear_y: ranges of the shear angles in degrees, within [-80, 80].
        interpolation: ``"nearest"`` or ``"linear"``.
        fill: grey level, or RGB levels, of the area from outside the image.
        p: probability of transforming.

    Record: ``{"applied": True, "angle": float, "translate_x": int, "translate_y": int (pixels),
    "scale": float, "shear_x": float, "shear_y": float}``.

    Raises:
        InvalidArgument: for a range outside its bounds (naming it).

    Example:
        >>> Affine(degrees=(-15, 15), translate_x=(-0.1, 0.1), scale=(0.9, 1.1), fill=(124, 116, 104))
    """

    name = "image.affine"
    modality = "image"
    _RANGES = ("degrees", "translate_x", "translate_y", "scale", "shear_x", "shear_y")
    args = (
        Arg("degrees", Range(-360.0, 360.0), (-10.0, 10.0), "range of the angle, counter-clockwise"),
        Arg("translate_x", Range(-1.0, 1.0), (-0.1, 0.1), "range of the shift as a fraction of the width"),
        Arg("translate_y", Range(-1.0, 1.0), (-0.1, 0.1), "range of the shift as a fraction of the height"),
        Arg("scale", Range(0.0, 100.0, low_open=True), (0.9, 1.1), "range of the zoom factor"),
        Arg("shear_x", Range(-80.0, 80.0), (0.0, 0.0), "range of the shear along x, in degrees"),
        Arg("shear_y", Range(-80.0, 80.0), (0.0, 0.0), "range of the shear along y, in degrees"),
        _INTERPOLATION, _FILL, Arg("p", Probability(), 1.0, "probability of transforming"),
    )
    drawn = {"angle": float, "translate_x": int, "translate_y": int, "scale": float, "shear_x": float,
             "shear_y": float}
    record_bounds = {"angle": _ANGLE, "translate_x": Integer(-65536, 65536),
                     "translate_y": Integer(-65536, 65536)}
    interpolation: str
    fill: tuple[float, ...]

    def setup(self) -> None:
        self._ranges = [getattr(self, k) for k in self._RANGES]

    @classmethod
    def swaps_left_right(cls, params: Params) -> bool:
        """Whether a point right of the centre lands left of it (the forward map's x-to-x entry is negative)."""
        if params.get("applied", True) is not True:
            return False
        m = warp.inverse_matrix(1, 1, -float(params["angle"]), (0.0, 0.0), float(params["scale"]),
                                (float(params["shear_x"]), float(params["shear_y"])))
        return warp.forward_x_sign(m) < 0

    def _make(self, shape: tuple[int, ...], values: Sequence[float]) -> Params:
        angle, tx, ty, scale, sx, sy = values
        return {"angle": angle, "translate_x": round(tx * shape[1]), "translate_y": round(ty * shape[0]),
                "scale": scale, "shear_x": sx, "shear_y": sy}

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        return self._make(x.shape, _draw_columns(self._ranges, rng))

    def _matrix(self, shape: tuple[int, ...], params: Params) -> np.ndarray:
        return warp.inverse_matrix(shape[0], shape[1], -float(params["angle"]),
                                   (float(params["translate_x"]), float(params["translate_y"])),
                                   float(params["scale"]), (float(params["shear_x"]), float(params["shear_y"])))

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return warp.warp(x, self._matrix(x.shape, params), self.interpolation, self.fill)

    def uniform_draws(self) -> int:
        return sum(lo != hi for lo, hi in self._ranges)

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        columns = _columns(self._ranges, len(items), u)
        return [self._make(x.shape, row) for x, row in zip(items, zip(*columns, strict=True), strict=True)]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        return _warp_batch(batch, [self._matrix(_shape(batch), r) for r in records], self.interpolation, self.fill)


def _shape(batch: Any) -> tuple[int, int]:
    """``(height, width)`` of a host stack ``[B, H, W(, 3)]`` or a torch batch ``[B, C, H, W]``."""
    return (batch.shape[1], batch.shape[2]) if isinstance(batch, np.ndarray) else (batch.shape[2], batch.shape[3])


def _warp_batch(batch: Any, matrices: list[np.ndarray], interpolation: str, fill: tuple[float, ...]) -> Any:
    if isinstance(batch, np.ndarray):
        return warp.warp_stack(batch, matrices, interpolation, fill)
    return warp.warp_torch(batch, matrices, interpolation, fill)
