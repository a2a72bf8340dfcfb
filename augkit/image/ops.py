"""Image augmenters on Albumentations' kernels, with parameters drawn by augkit.

Each op maps a uint8 ``H×W×3`` (RGB) or ``H×W`` (grayscale) numpy image to one of the same kind
(other inputs go through :func:`augkit.image.as_image` first). Every op records
``{"applied": False}`` when it did not fire, and ``{"applied": True, ...values}`` when it did.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Choice, Probability, Range, Size
from augkit.core.errors import InvalidParams
from augkit.core.recordcheck import recorded_choice
from augkit.core.registry import register
from augkit.image import functional as F
from augkit.image import kernels
from augkit.image.photometric import (  # the photometric ops, where the image ops have always been importable
    BLUR_TRUNCATE,
    MAX_BLUR_KERNEL,
    MAX_BLUR_SIGMA,
    ColorJitter,
    GaussianBlur,
    Solarize,
    ToGray,
)

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

__all__ = [
    "BLUR_TRUNCATE",
    "MAX_BLUR_KERNEL",
    "MAX_BLUR_SIGMA",
    "CenterCrop",
    "ColorJitter",
    "GaussianBlur",
    "HorizontalFlip",
    "RandomResizedCrop",
    "Resize",
    "Solarize",
    "ToGray",
]

#: Crop tries a batch draws at once (:meth:`RandomResizedCrop.draw_uniforms`); an image that needs
#: more is drawn from its own stream.
CROP_TRIES = 2


#: RandomResizedCrop's ratio lies within [1 / MAX_ASPECT_RATIO, MAX_ASPECT_RATIO]: beyond it the
#: crop's sides overflow (``ratio=1e308``) long before any image is that thin
MAX_ASPECT_RATIO = 1e4

_INTERPOLATION = Arg("interpolation", Choice(F.INTERPOLATIONS), "linear",
                     "'linear' (bilinear), 'area', 'cubic' (OpenCV) or 'cubic_antialias' (PIL)")
#: What a crop record without ``"interpolation"`` (augkit 0.2) was resized with: the op's own
#: interpolation when 0.2 had it, else bilinear, what every 0.2 preset used.
_LEGACY = ("linear", "area")


@register
class RandomResizedCrop(Augmenter[np.ndarray]):
    """Crop a random area and aspect ratio, then resize to ``size`` (Inception-style, as torchvision).

    Up to 10 tries draw an area fraction from ``scale`` and a log-uniform aspect ratio from
    ``ratio``; if none fits, the largest centred crop within ``ratio`` is used (torchvision's
    fallback), at least one pixel on each side: an image thinner than ``ratio`` allows (1×500 with
    ``ratio=(0.5, 2)``) gets the closest crop it holds. Images smaller than ``size`` work: the crop
    is upsampled.

    Args:
        size: output ``(height, width)`` or one int for a square.
        scale: range of the crop's area as a fraction of the image area, in (0, 1].
        ratio: range of the crop's width/height aspect ratio, within
            ``[1 / MAX_ASPECT_RATIO, MAX_ASPECT_RATIO]`` (1e-4 to 1e4).
        interpolation: ``"linear"`` (bilinear, albumentations' default), ``"area"``, ``"cubic"``
            (OpenCV's ``INTER_CUBIC``, albumentations' bicubic; what the presets use) or
            ``"cubic_antialias"`` (PIL's bicubic, antialiased when shrinking: bit for bit what
            torchvision gives on PIL images, at about 2× the cost; see :func:`augkit.image.functional.resize`).
        p: probability of cropping (1.0: always).
        fit: what a drawn box larger than the image becomes: ``"retry"`` (torchvision's: up to 10
            draws, then the centred fallback above) or ``"clamp"`` (one draw, each side cut to the
            image's, as BYOL's ``byol/utils/dataset.py`` ``_decode_and_random_crop`` does: more
            crops span the whole width or height). The record is the box either way.

    Record: ``{"applied": True, "top", "left", "height", "width", "interpolation"}`` (the crop box in
    the input, and how it was resized). A record without ``"interpolation"`` (augkit 0.2) replays
    as 0.2 made it: with the op's interpolation when that is ``"linear"`` or ``"area"``, else bilinear.

    On a torch device (``generate_batch(device=...)``) the resize is ``torch.nn.functional.interpolate``
    (bilinear, area, bicubic, bicubic with antialiasing): within about one grey level of the host
    kernels on average (``tests/image/test_image_cubic.py`` measures it).

    Raises:
        InvalidArgument: for a ``scale`` outside (0, 1] or a ``ratio`` outside [1e-4, 1e4] (naming it).

    Example:
        >>> RandomResizedCrop(224, scale=(0.08, 1.0))
    """

    name = "image.random_resized_crop"
    modality = "image"
    args = (
        Arg("size", Size(), 224, "output (height, width), or one int for a square"),
        Arg("scale", Range(0.0, 1.0, low_open=True), (0.08, 1.0), "range of the crop's area fraction"),
        Arg("ratio", Range(1 / MAX_ASPECT_RATIO, MAX_ASPECT_RATIO), (3 / 4, 4 / 3), "range of the crop's aspect ratio"),
        _INTERPOLATION,
        Arg("p", Probability(), 1.0, "probability of cropping"),
        Arg("fit", Choice(("retry", "clamp")), "retry", "a box larger than the image: 'retry' or 'clamp' its sides",
            keyword_only=True),
    )
    drawn = {"top": int, "left": int, "height": int, "width": int}
    size: tuple[int, int]
    scale: tuple[float, float]
    ratio: tuple[float, float]
    interpolation: str
    fit: str

    def setup(self) -> None:
        self._log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        self._legacy = self.interpolation if self.interpolation in _LEGACY else "linear"

    def resized_with(self, params: Params) -> str:
        """The interpolation a record was made with (0.2's when it does not say)."""
        return recorded_choice(params, "interpolation", F.INTERPOLATIONS, self._legacy, self)

    def check_params(self, x: np.ndarray, params: Params) -> None:
        self.resized_with(params)

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        height, width = x.shape[:2]
        area = height * width
        (s_lo, s_hi), (r_lo, r_hi) = self.scale, self._log_ratio
        # all tries in one draw: area fraction, log aspect ratio, top and left offsets
        for u_scale, u_ratio, u_top, u_left in rng.random((10, 4)).tolist():
            target = area * (s_lo + (s_hi - s_lo) * u_scale)
            aspect = math.exp(r_lo + (r_hi - r_lo) * u_ratio)
            w = round(math.sqrt(target * aspect))
            h = round(math.sqrt(target / aspect))
            if self.fit == "clamp":  # the first draw, its sides cut to the image's
                w, h = min(max(w, 1), width), min(max(h, 1), height)
            if 0 < w <= width and 0 < h <= height:
                top = min(int(u_top * (height - h + 1)), height - h)
                left = min(int(u_left * (width - w + 1)), width - w)
                return {"top": top, "left": left, "height": h, "width": w, "interpolation": self.interpolation}
        # fallback: the whole image, clipped to the allowed aspect ratios, centred; a side that
        # rounds to no pixel (a 1×500 image, ratio 0.4) keeps one
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            w, h = width, max(1, round(width / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            h, w = height, max(1, round(height * self.ratio[1]))
        else:
            w, h = width, height
        return {"top": (height - h) // 2, "left": (width - w) // 2, "height": h, "width": w,
                "interpolation": self.interpolation}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        top, left, h, w = params["top"], params["left"], params["height"], params["width"]
        if not (0 <= top and 0 <= left and h >= 1 and w >= 1 and top + h <= x.shape[0] and left + w <= x.shape[1]):
            raise InvalidParams(f"RandomResizedCrop params box top={top}, left={left}, height={h}, width={w} lies "
                                f"outside an image of {x.shape[0]}×{x.shape[1]}; use the params drawn for this image")
        return F.resize(x[top : top + h, left : left + w], self.size, self.resized_with(params))

    def uniform_draws(self) -> int:
        return 4 * CROP_TRIES

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        """The first :data:`CROP_TRIES` of :meth:`draw`'s tries on every row, in its arithmetic
        (``math.exp`` included); None for an image none of them fits."""
        shapes = np.array([x.shape[:2] for x in items], dtype=np.int64)
        n = len(shapes)
        tries = u.reshape(n, CROP_TRIES, 4)
        height, width = shapes[:, 0:1], shapes[:, 1:2]
        (s_lo, s_hi), (r_lo, r_hi) = self.scale, self._log_ratio
        target = (height * width) * (s_lo + (s_hi - s_lo) * tries[..., 0])
        logs = r_lo + (r_hi - r_lo) * tries[..., 1]
        aspect = np.array([math.exp(v) for v in logs.ravel().tolist()]).reshape(logs.shape)
        w, h = np.rint(np.sqrt(target * aspect)), np.rint(np.sqrt(target / aspect))
        if self.fit == "clamp":
            w, h = np.minimum(np.maximum(w, 1), width), np.minimum(np.maximum(h, 1), height)
        fits = (w > 0) & (w <= width) & (h > 0) & (h <= height)
        first, rows = fits.argmax(axis=1), np.arange(n)
        w, h, u_top, u_left = w[rows, first], h[rows, first], tries[rows, first, 2], tries[rows, first, 3]
        hs, ws = shapes[:, 0], shapes[:, 1]
        top = np.minimum(np.floor(u_top * (hs - h + 1)), hs - h).astype(np.int64).tolist()
        left = np.minimum(np.floor(u_left * (ws - w + 1)), ws - w).astype(np.int64).tolist()
        heights, widths = h.astype(np.int64).tolist(), w.astype(np.int64).tolist()
        return [{"top": top[i], "left": left[i], "height": heights[i], "width": widths[i],
                 "interpolation": self.interpolation} if ok else None
                for i, ok in enumerate(fits.any(axis=1).tolist())]

    batch_items = True  # the batch engine hands the images as a list: each is read in its box only

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        modes = [self.resized_with(r) for r in records]
        if isinstance(batch, (np.ndarray, list)):
            return kernels.crop_resize(batch, records, self.size, modes)
        from augkit.image import torch_kernels

        return torch_kernels.crop_resize(batch, records, self.size, modes)


@register
class HorizontalFlip(Augmenter[np.ndarray]):
    """Mirror the image left-right with probability ``p``.

    Args:
        p: probability of flipping.

    Record: ``{"applied": bool}``.

    Example:
        >>> HorizontalFlip(p=0.5)
    """

    name = "image.horizontal_flip"
    modality = "image"
    args = (Arg("p", Probability(), 0.5, "probability of flipping"),)

    @classmethod
    def swaps_left_right(cls, params: Params) -> bool:
        """A flip that fired mirrors the image (``params``: its record, or the params of a fired step)."""
        return params.get("applied", True) is True

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return F.hflip(x)

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return kernels.flip(batch)
        from augkit.image import torch_kernels

        return torch_kernels.flip(batch)

    def transform_rows(self, batch: Any, rows: list[int], records: list[Params]) -> bool:
        if not isinstance(batch, np.ndarray):
            return False
        kernels.flip_rows(batch, rows)
        return True


@register
class Resize(Augmenter[np.ndarray]):
    """Resize so that the shorter side is ``size`` (keeping the aspect ratio), or to ``(h, w)``.

    Deterministic (it draws nothing); the evaluation transforms use it.

    Args:
        size: the shorter side (one int), or the exact ``(height, width)``, in [1, MAX_SIDE].
        interpolation: ``"linear"`` (bilinear), ``"area"``, ``"cubic"`` (OpenCV's ``INTER_CUBIC``) or
            ``"cubic_antialias"`` (PIL's bicubic, as torchvision's ``Resize`` on PIL images).
        p: probability of resizing (1.0: always).

    Record: ``{"applied": bool}``.

    Example:
        >>> Resize(256)
    """

    name = "image.resize"
    modality = "image"
    args = (Arg("size", Size(pair=False), 256, "the shorter side, or (height, width)"), _INTERPOLATION)
    size: int | tuple[int, int]
    interpolation: str

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        h, w = x.shape[:2]
        if isinstance(self.size, int):
            short = min(h, w)
            target = (max(1, round(h * self.size / short)), max(1, round(w * self.size / short)))
        else:
            target = self.size
        return F.resize(x, target, self.interpolation)


@register
class CenterCrop(Augmenter[np.ndarray]):
    """Crop the centre ``size`` region; an image smaller than ``size`` is first resized up to cover it.

    Deterministic (it draws nothing).

    Args:
        size: ``(height, width)`` of the crop, or one int for a square, in [1, MAX_SIDE].
        p: probability of cropping (1.0: always).

    Record: ``{"applied": bool}``.

    Example:
        >>> CenterCrop(224)
    """

    name = "image.center_crop"
    modality = "image"
    args = (Arg("size", Size(), 224, "(height, width) of the crop, or one int for a square"),)
    size: tuple[int, int]

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        th, tw = self.size
        h, w = x.shape[:2]
        if h < th or w < tw:
            grow = max(th / h, tw / w)
            x = F.resize(x, (max(th, math.ceil(h * grow)), max(tw, math.ceil(w * grow))))
            h, w = x.shape[:2]
        top, left = (h - th) // 2, (w - tw) // 2
        return np.ascontiguousarray(x[top : top + th, left : left + tw])
