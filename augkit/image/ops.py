"""Image augmenters on Albumentations' kernels, with parameters drawn by augkit.

Each op maps a uint8 ``H×W×3`` (RGB) or ``H×W`` (grayscale) numpy image to one of the same kind
(see :func:`augkit.image.as_image` for the inputs accepted). Ops with a probability ``p`` record
``{"applied": False}`` when they did not fire, and ``{"applied": True, ...values}`` when they did.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from augkit.core import Augmenter, Params, check_probability, check_range, uniform
from augkit.registry import register

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


def _size_pair(size: int | Sequence[int], name: str = "size") -> tuple[int, int]:
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        h = w = int(size)
    elif isinstance(size, Sequence) and len(size) == 2 and all(isinstance(v, (int, np.integer)) for v in size):
        h, w = int(size[0]), int(size[1])
    else:
        raise ValueError(f"{name}={size!r} must be an int or a (height, width) pair of ints")
    if h < 1 or w < 1:
        raise ValueError(f"{name}={size!r} must be positive")
    return h, w


class _Op(Augmenter[np.ndarray]):
    """An op that fires with probability ``p``; subclasses implement ``_draw`` and ``_apply``."""

    p: float = 1.0

    def sample(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        if self.p < 1.0 and rng.random() >= self.p:
            return {"applied": False}
        return {"applied": True, **self._draw(x, rng)}

    def apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        if not params.get("applied", False):
            return x
        return self._apply(x, params)

    def _draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        return {}

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        raise NotImplementedError


@register
class RandomResizedCrop(_Op):
    """Crop a random area and aspect ratio, then resize to ``size`` (Inception-style, as torchvision).

    Up to 10 tries draw an area fraction from ``scale`` and a log-uniform aspect ratio from
    ``ratio``; if none fits, the largest centred crop within ``ratio`` is used. Images smaller than
    ``size`` work: the crop is upsampled.

    Args:
        size: output ``(height, width)`` or one int for a square.
        scale: range of the crop's area as a fraction of the image area, in (0, 1].
        ratio: range of the crop's width/height aspect ratio.
        interpolation: ``"linear"`` (bilinear, albumentations' default) or ``"area"``.

    Example:
        >>> RandomResizedCrop(224, scale=(0.08, 1.0))
    """

    name = "image.random_resized_crop"

    def __init__(
        self,
        size: int | Sequence[int] = 224,
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3 / 4, 4 / 3),
        interpolation: str = "linear",
    ) -> None:
        self.size = _size_pair(size)
        self.scale = check_range(scale, "scale", low=0.0, high=1.0, low_inclusive=False)
        self.ratio = check_range(ratio, "ratio", low=0.0, low_inclusive=False)
        if interpolation not in ("linear", "area"):
            raise ValueError(f"interpolation={interpolation!r} must be 'linear' or 'area'")
        self.interpolation = interpolation
        self._log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))

    def _draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
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
        # fallback: the whole image, clipped to the allowed aspect ratios, centred
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            w, h = width, round(width / self.ratio[0])
        elif in_ratio > self.ratio[1]:
            h, w = height, round(height * self.ratio[1])
        else:
            w, h = width, height
        return {"top": (height - h) // 2, "left": (width - w) // 2, "height": h, "width": w}

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        top, left, h, w = params["top"], params["left"], params["height"], params["width"]
        return _resize(x[top : top + h, left : left + w], self.size, self.interpolation)


def _resize(img: np.ndarray, size: tuple[int, int], interpolation: str = "linear") -> np.ndarray:
    import cv2

    # Albumentations' geometric resize is this cv2.resize call behind a chunking decorator that
    # costs more than the resize itself on small images; a view has at most 3 channels.
    if img.shape[:2] == size:
        return np.ascontiguousarray(img)
    flag = cv2.INTER_LINEAR if interpolation == "linear" else cv2.INTER_AREA
    # A crop window (rows of a larger image) goes to OpenCV as is: it reads rows with a stride, and
    # copying the window first costs a third of the resize. Other layouts are made contiguous.
    row = img.itemsize * (img.shape[2] if img.ndim == 3 else 1)
    if img.strides[-1] != img.itemsize or img.strides[1] != row or img.strides[0] < img.shape[1] * row:
        img = np.ascontiguousarray(img)
    return cv2.resize(img, (size[1], size[0]), interpolation=flag)


@register
class HorizontalFlip(_Op):
    """Mirror the image left-right with probability ``p``.

    Example:
        >>> HorizontalFlip(p=0.5)
    """

    name = "image.horizontal_flip"

    def __init__(self, p: float = 0.5) -> None:
        self.p = check_probability(p)

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        from albumentations.augmentations.geometric import functional as fgeometric

        return fgeometric.hflip(x)


@register
class ColorJitter(_Op):
    """Randomly change brightness, contrast, saturation and hue, in random order (torchvision semantics).

    Factors: brightness, contrast and saturation are drawn from ``[max(0, 1 - v), 1 + v]``, hue
    from ``[-hue, hue]`` (a fraction of the colour wheel, at most 0.5). A value of 0 leaves that
    property alone. Grayscale images only get brightness and contrast. The kernels compute exactly
    what Albumentations' torchvision-compatible ``adjust_*_torchvision`` functions compute, called
    through OpenCV without their per-call checks (see ``augkit/image/_color.py``).

    Params: ``{"applied", "order": [names], "brightness", "contrast", "saturation", "hue"}``.

    Example:
        >>> ColorJitter(0.8, 0.8, 0.8, 0.2, p=0.8)   # SimCLR's colour distortion with s = 1
    """

    name = "image.color_jitter"
    _NAMES = ("brightness", "contrast", "saturation", "hue")

    def __init__(
        self,
        brightness: float = 0.4,
        contrast: float = 0.4,
        saturation: float = 0.4,
        hue: float = 0.1,
        p: float = 0.8,
    ) -> None:
        for arg, value in (("brightness", brightness), ("contrast", contrast), ("saturation", saturation)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{arg}={value!r} must be a non-negative number")
        if isinstance(hue, bool) or not isinstance(hue, (int, float)) or not 0 <= hue <= 0.5:
            raise ValueError(f"hue={hue!r} must lie in [0, 0.5]")
        self.brightness, self.contrast = float(brightness), float(contrast)
        self.saturation, self.hue = float(saturation), float(hue)
        self.p = check_probability(p)
        self._ranges = {
            "brightness": (max(0.0, 1 - self.brightness), 1 + self.brightness),
            "contrast": (max(0.0, 1 - self.contrast), 1 + self.contrast),
            "saturation": (max(0.0, 1 - self.saturation), 1 + self.saturation),
            "hue": (-self.hue, self.hue),
        }

    def _draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        # one draw: 4 factors, then 4 keys whose ranks give a uniformly random order
        draws = rng.random(8)
        order = [self._NAMES[i] for i in np.argsort(draws[4:], kind="stable").tolist()]
        out: Params = {"order": order}
        for name, u in zip(self._NAMES, draws[:4].tolist(), strict=True):
            lo, hi = self._ranges[name]
            out[name] = float(lo + (hi - lo) * u)
        return out

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        from augkit.image import _color

        gray = x.ndim == 2
        for name in params["order"]:
            factor = params[name]
            if name == "brightness" and factor != 1.0:
                x = _color.brightness(x, factor)
            elif name == "contrast" and factor != 1.0:
                x = _color.contrast(x, factor)
            elif name == "saturation" and factor != 1.0 and not gray:
                x = _color.saturation(x, factor)
            elif name == "hue" and factor != 0.0 and not gray:
                x = _color.hue(x, factor)
        return x


@register
class ToGray(_Op):
    """Convert to grayscale with probability ``p``, keeping 3 channels (ITU-R 601 weights).

    Example:
        >>> ToGray(p=0.2)
    """

    name = "image.to_gray"

    def __init__(self, p: float = 0.2) -> None:
        self.p = check_probability(p)

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        import cv2

        if x.ndim == 2:
            return x
        return cv2.cvtColor(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


@register
class GaussianBlur(_Op):
    """Gaussian blur with ``sigma`` drawn uniformly from a range, with probability ``p``.

    The kernel is truncated where the Gaussian weights vanish, at radius ``ceil(4σ)``, and never
    made larger than ``kernel_size`` (SimCLR's 10 % of the image side). Beyond 4σ the weights are
    below e⁻⁸ ≈ 3·10⁻⁴ of the peak, so the result equals the full-size kernel within rounding
    (at most one grey level in uint8), at a fraction of the cost for small σ.

    Args:
        sigma: range of the standard deviation in pixels.
        kernel_size: the largest (odd) kernel side; None leaves only the 4σ truncation.
        p: probability of blurring.

    Example:
        >>> GaussianBlur(sigma=(0.1, 2.0), kernel_size=23, p=0.5)
    """

    name = "image.gaussian_blur"

    def __init__(
        self, sigma: float | tuple[float, float] = (0.1, 2.0), kernel_size: int | None = None, p: float = 0.5
    ) -> None:
        self.sigma = check_range(sigma, "sigma", low=0.0, low_inclusive=False)
        if kernel_size is not None and (
            isinstance(kernel_size, bool) or not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0
        ):
            raise ValueError(f"kernel_size={kernel_size!r} must be a positive odd int or None")
        self.kernel_size = kernel_size
        self.p = check_probability(p)

    def _draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        sigma = uniform(rng, self.sigma)
        radius = math.ceil(4 * sigma)
        if self.kernel_size is not None:
            radius = min(radius, self.kernel_size // 2)
        return {"sigma": sigma, "kernel_size": 2 * radius + 1}

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        import cv2

        ksize = params["kernel_size"]
        if ksize <= 1:
            return x
        kernel = _gaussian_kernel(params["sigma"], ksize)
        return cv2.sepFilter2D(x, -1, kernel, kernel, borderType=cv2.BORDER_REFLECT_101)


@lru_cache(maxsize=4096)
def _gaussian_kernel(sigma: float, ksize: int) -> np.ndarray:
    from albumentations.augmentations.blur import functional as fblur

    return fblur.create_gaussian_kernel_1d(sigma, ksize).astype(np.float32)


@register
class Solarize(_Op):
    """Invert every pixel at or above ``threshold`` (grey levels, 0–255), with probability ``p``.

    Example:
        >>> Solarize(threshold=128, p=0.2)   # BYOL's second view
    """

    name = "image.solarize"

    def __init__(self, threshold: float = 128, p: float = 0.2) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 256:
            raise ValueError(f"threshold={threshold!r} must lie in [0, 256] grey levels")
        self.threshold = float(threshold)
        self.p = check_probability(p)
        levels = np.arange(256)
        self._lut = np.where(levels >= self.threshold, 255 - levels, levels).astype(np.uint8)

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        from augkit.image._color import apply_lut

        return apply_lut(x, self._lut)


@register
class Resize(_Op):
    """Resize so that the shorter side is ``size`` (keeping the aspect ratio), or to ``(h, w)``.

    Deterministic (no params); the evaluation transforms use it.

    Example:
        >>> Resize(256)
    """

    name = "image.resize"

    def __init__(self, size: int | Sequence[int] = 256, interpolation: str = "linear") -> None:
        pair = _size_pair(size)  # validates both forms
        self.size: int | tuple[int, int] = size if isinstance(size, int) else pair
        if interpolation not in ("linear", "area"):
            raise ValueError(f"interpolation={interpolation!r} must be 'linear' or 'area'")
        self.interpolation = interpolation

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        h, w = x.shape[:2]
        if isinstance(self.size, int):
            short = min(h, w)
            target = (max(1, round(h * self.size / short)), max(1, round(w * self.size / short)))
        else:
            target = self.size
        return _resize(x, target, self.interpolation)


@register
class CenterCrop(_Op):
    """Crop the centre ``size`` region; an image smaller than ``size`` is first resized up to cover it.

    Example:
        >>> CenterCrop(224)
    """

    name = "image.center_crop"

    def __init__(self, size: int | Sequence[int] = 224) -> None:
        self.size = _size_pair(size)

    def _apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        th, tw = self.size
        h, w = x.shape[:2]
        if h < th or w < tw:
            grow = max(th / h, tw / w)
            x = _resize(x, (max(th, math.ceil(h * grow)), max(tw, math.ceil(w * grow))))
            h, w = x.shape[:2]
        top, left = (h - th) // 2, (w - tw) // 2
        return np.ascontiguousarray(x[top : top + th, left : left + tw])
