"""Image augmenters on Albumentations' kernels, with parameters drawn by augkit.

Each op maps a uint8 ``H×W×3`` (RGB) or ``H×W`` (grayscale) numpy image to one of the same kind
(other inputs go through :func:`augkit.image.as_image` first). Every op records
``{"applied": False}`` when it did not fire, and ``{"applied": True, ...values}`` when it did.
"""

from __future__ import annotations

import math
import os

import numpy as np

from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Choice, Integer, Number, Probability, Range, Size, Strength, Value
from augkit.core.errors import InvalidParams
from augkit.core.registry import register
from augkit.image import functional as F

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

__all__ = [
    "CenterCrop",
    "ColorJitter",
    "GaussianBlur",
    "HorizontalFlip",
    "RandomResizedCrop",
    "Resize",
    "Solarize",
    "ToGray",
]


#: GaussianBlur's kernel radius in standard deviations (the kernel's side is ``2 * ceil(3σ) + 1``)
BLUR_TRUNCATE = 3.0
#: The largest standard deviation GaussianBlur takes, in pixels.
MAX_BLUR_SIGMA = 100.0
#: The largest kernel side GaussianBlur draws (that of :data:`MAX_BLUR_SIGMA`): a replayed record
#: holding a larger one is refused, where OpenCV would buffer that many rows of the image.
MAX_BLUR_KERNEL = 2 * math.ceil(BLUR_TRUNCATE * MAX_BLUR_SIGMA) + 1

#: RandomResizedCrop's ratio lies within [1 / MAX_ASPECT_RATIO, MAX_ASPECT_RATIO]: beyond it the
#: crop's sides overflow (``ratio=1e308``) long before any image is that thin
MAX_ASPECT_RATIO = 1e4

_INTERPOLATION = Arg("interpolation", Choice(("linear", "area")), "linear", "'linear' (bilinear) or 'area'")


def _optional_odd(value: object, name: str) -> int | None:
    return None if value is None else Integer(1, None, odd=True)(value, name)


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
        interpolation: ``"linear"`` (bilinear, albumentations' default) or ``"area"``.
        p: probability of cropping (1.0: always).

    Record: ``{"applied": True, "top", "left", "height", "width"}`` (the crop box in the input).

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
    )
    drawn = {"top": int, "left": int, "height": int, "width": int}
    size: tuple[int, int]
    scale: tuple[float, float]
    ratio: tuple[float, float]
    interpolation: str

    def setup(self) -> None:
        self._log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))

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
            if 0 < w <= width and 0 < h <= height:
                top = min(int(u_top * (height - h + 1)), height - h)
                left = min(int(u_left * (width - w + 1)), width - w)
                return {"top": top, "left": left, "height": h, "width": w}
        # fallback: the whole image, clipped to the allowed aspect ratios, centred; a side that
        # rounds to no pixel (a 1×500 image, ratio 0.4) keeps one
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            w, h = width, max(1, round(width / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            h, w = height, max(1, round(height * self.ratio[1]))
        else:
            w, h = width, height
        return {"top": (height - h) // 2, "left": (width - w) // 2, "height": h, "width": w}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        top, left, h, w = params["top"], params["left"], params["height"], params["width"]
        if not (0 <= top and 0 <= left and h >= 1 and w >= 1 and top + h <= x.shape[0] and left + w <= x.shape[1]):
            raise InvalidParams(f"RandomResizedCrop params box top={top}, left={left}, height={h}, width={w} lies "
                                f"outside an image of {x.shape[0]}×{x.shape[1]}; use the params drawn for this image")
        return F.resize(x[top : top + h, left : left + w], self.size, self.interpolation)


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


@register
class ColorJitter(Augmenter[np.ndarray]):
    """Randomly change brightness, contrast, saturation and hue, in random order (torchvision semantics).

    Each argument is a jitter strength or an exact range. A number ``v`` keeps torchvision's and
    albumentations' meaning: brightness, contrast and saturation factors are drawn from
    ``[max(0, 1 - v), 1 + v]`` and hue from ``[-v, v]`` (a fraction of the colour wheel, within
    ±0.5); 0 leaves that property alone. A ``(min, max)`` tuple is exactly that range, so a fixed
    factor is ``(1.2, 1.2)``. This is the one place in augkit where a single number is a strength
    rather than a fixed value. Grayscale images only get brightness and contrast. The kernels
    compute exactly what Albumentations' torchvision-compatible ``adjust_*_torchvision`` functions
    compute, called through OpenCV without their per-call checks (see :mod:`augkit.image.functional`).

    Args:
        brightness, contrast, saturation: a strength ``v >= 0`` (factors in ``[max(0, 1 - v), 1 + v]``)
            or an exact ``(min, max)`` range of factors, min >= 0; stored as the normalized range.
        hue: a strength ``h`` (shifts in ``[-h, h]``, h <= 0.5) or an exact ``(min, max)`` range
            within [-0.5, 0.5], in turns of the colour wheel; stored as the normalized range.
        p: probability of jittering.

    Record: ``{"applied", "order": [names], "brightness", "contrast", "saturation", "hue"}``.

    Raises:
        InvalidArgument: for a negative strength, a hue beyond 0.5, or a range with min > max.

    Example:
        >>> ColorJitter(0.8, 0.8, 0.8, 0.2, p=0.8)   # SimCLR's colour distortion with s = 1
    """

    name = "image.color_jitter"
    modality = "image"
    _NAMES = ("brightness", "contrast", "saturation", "hue")
    args = (
        Arg("brightness", Strength(1.0, low=0.0), 0.4, "brightness factor: strength or (min, max)"),
        Arg("contrast", Strength(1.0, low=0.0), 0.4, "contrast factor: strength or (min, max)"),
        Arg("saturation", Strength(1.0, low=0.0), 0.4, "saturation factor: strength or (min, max)"),
        Arg("hue", Strength(0.0, low=-0.5, high=0.5), 0.1, "hue shift: strength or (min, max)"),
        Arg("p", Probability(), 0.8, "probability of jittering"),
    )
    drawn = {"order": list, "brightness": float, "contrast": float, "saturation": float, "hue": float}
    brightness: tuple[float, float]
    contrast: tuple[float, float]
    saturation: tuple[float, float]
    hue: tuple[float, float]

    def setup(self) -> None:
        self._ranges = {name: getattr(self, name) for name in self._NAMES}

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        # one draw: 4 factors, then 4 keys whose ranks give a uniformly random order
        draws = rng.random(8)
        order = [self._NAMES[i] for i in np.argsort(draws[4:], kind="stable").tolist()]
        out: Params = {"order": order}
        for name, u in zip(self._NAMES, draws[:4].tolist(), strict=True):
            lo, hi = self._ranges[name]
            out[name] = float(lo + (hi - lo) * u)
        return out

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        gray = x.ndim == 2
        for name in params["order"]:
            factor = params[name]
            if name == "brightness" and factor != 1.0:
                x = F.brightness(x, factor)
            elif name == "contrast" and factor != 1.0:
                x = F.contrast(x, factor)
            elif name == "saturation" and factor != 1.0 and not gray:
                x = F.saturation(x, factor)
            elif name == "hue" and factor != 0.0 and not gray:
                x = F.hue(x, factor)
        return x


@register
class ToGray(Augmenter[np.ndarray]):
    """Convert to grayscale with probability ``p``, keeping 3 channels (ITU-R 601 weights).

    A grayscale (``H×W``) input is returned as it is.

    Args:
        p: probability of converting.

    Record: ``{"applied": bool}``.

    Example:
        >>> ToGray(p=0.2)
    """

    name = "image.to_gray"
    modality = "image"
    args = (Arg("p", Probability(), 0.2, "probability of converting"),)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return x if x.ndim == 2 else F.gray(x)


@register
class GaussianBlur(Augmenter[np.ndarray]):
    """Gaussian blur with ``sigma`` drawn uniformly from a range, with probability ``p``.

    The kernel is truncated at radius ``ceil(3σ)`` (:data:`BLUR_TRUNCATE`) and never made larger
    than ``kernel_size`` (SimCLR's 10 % of the image side). The weights beyond 3σ hold 0.27 % of the
    Gaussian's mass, so the result equals the full-size kernel's within rounding (at most one grey
    level in uint8, tested), at a fraction of the cost for small σ: 13 taps instead of 17 at σ = 2.

    Args:
        sigma: range of the standard deviation in pixels.
        kernel_size: the largest (odd) kernel side; None leaves only the 3σ truncation.
        p: probability of blurring.

    Record: ``{"applied": True, "sigma": float, "kernel_size": int}``; the recorded kernel side is
    at most :data:`MAX_BLUR_KERNEL` (601), whatever ``kernel_size`` allows.

    Example:
        >>> GaussianBlur(sigma=(0.1, 2.0), kernel_size=23, p=0.5)
    """

    name = "image.gaussian_blur"
    modality = "image"
    args = (
        Arg("sigma", Range(0.0, MAX_BLUR_SIGMA, low_open=True), (0.1, 2.0),
            "range of the standard deviation in pixels"),
        Arg("kernel_size", Value(_optional_odd, "a positive odd int or None"), None, "the largest kernel side"),
        Arg("p", Probability(), 0.5, "probability of blurring"),
    )
    drawn = {"sigma": float, "kernel_size": int}
    # the kernel drawn is the 3σ one, capped by the argument: its bound follows from sigma's
    record_bounds = {"kernel_size": Integer(1, MAX_BLUR_KERNEL, odd=True)}
    sigma: tuple[float, float]
    kernel_size: int | None

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        sigma = uniform(rng, self.sigma)
        radius = math.ceil(BLUR_TRUNCATE * sigma)
        if self.kernel_size is not None:
            radius = min(radius, self.kernel_size // 2)
        return {"sigma": sigma, "kernel_size": 2 * radius + 1}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return F.blur(x, float(params["sigma"]), int(params["kernel_size"]))


@register
class Solarize(Augmenter[np.ndarray]):
    """Invert every pixel at or above ``threshold`` (grey levels, 0–255), with probability ``p``.

    Args:
        threshold: the grey level from which pixels are inverted, in [0, 256] (256: none).
        p: probability of solarizing.

    Record: ``{"applied": bool}``.

    Example:
        >>> Solarize(threshold=128, p=0.2)   # BYOL's second view
    """

    name = "image.solarize"
    modality = "image"
    args = (
        Arg("threshold", Number(0, 256), 128.0, "grey level from which pixels are inverted"),
        Arg("p", Probability(), 0.2, "probability of solarizing"),
    )
    threshold: float

    def setup(self) -> None:
        self.table = F.solarize_table(self.threshold)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return F.apply_lut(x, self.table)


@register
class Resize(Augmenter[np.ndarray]):
    """Resize so that the shorter side is ``size`` (keeping the aspect ratio), or to ``(h, w)``.

    Deterministic (it draws nothing); the evaluation transforms use it.

    Args:
        size: the shorter side (one int), or the exact ``(height, width)``, in [1, MAX_SIDE].
        interpolation: ``"linear"`` (bilinear) or ``"area"``.
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
