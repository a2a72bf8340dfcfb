"""Colour kernels for :class:`augkit.image.ColorJitter` and :class:`augkit.image.Solarize`.

Each function computes exactly what Albumentations' ``adjust_*_torchvision`` kernel computes on a
uint8 image (the same tables, blends and colour conversions; ``tests/test_image_ops.py`` checks
equality), without its decorators and per-call checks: on a 32×32 image those cost more than the
maths. Lookup tables run through stringzilla's byte translation (what albucore uses too), ≈ 10×
faster than ``cv2.LUT`` on one thread. Inputs are C-contiguous uint8 ``H×W×3`` (RGB) or ``H×W``;
outputs are new arrays of the same shape.
"""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np
import stringzilla

_LEVELS = np.arange(256, dtype=np.float32)
_HUE_LEVELS = np.arange(256, dtype=np.int16)
# _HUE_TABLES[k] rotates OpenCV's 8-bit hue (0..179) by k steps: (level + k) mod 180.
_HUE_TABLES = np.mod(_HUE_LEVELS[None, :] + np.arange(180, dtype=np.int16)[:, None], 180).astype(np.uint8)


def apply_lut(img: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Map every byte of ``img`` through the 256-entry uint8 ``table`` (a new array)."""
    out = np.array(img, order="C")  # a contiguous copy, translated in place (stringzilla >= 3.10)
    stringzilla.translate(out.reshape(-1).data, table.data, inplace=True)
    return out


@lru_cache(maxsize=4096)
def _brightness_lut(factor: float) -> np.ndarray:
    return np.clip(_LEVELS * factor, 0, 255).astype(np.uint8)


def brightness(img: np.ndarray, factor: float) -> np.ndarray:
    """Multiply by ``factor`` (torchvision's blend with black, in float32), saturating at 255."""
    if factor == 0:
        return np.zeros_like(img)
    return apply_lut(img, _brightness_lut(factor))


def contrast(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the mean grey level (ITU-R 601 luma) of the image: ``f·x + (1 - f)·mean``."""
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    mean = cv2.mean(gray)[0]  # the same float64 value as numpy's mean, at a fraction of the cost
    if factor == 0:
        return np.full_like(img, int(mean + 0.5))
    table = np.multiply(_LEVELS, factor)  # float32, as albumentations computes it
    np.add(table, mean * (1 - factor), out=table)
    np.minimum(table, 255, out=table)  # np.clip's wrapper costs more than the table on small images
    np.maximum(table, 0, out=table)
    return apply_lut(img, table.astype(np.uint8))


def saturation(img: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the image's grayscale version: ``f·x + (1 - f)·gray`` (RGB only)."""
    gray = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    if factor == 0:
        return gray
    return cv2.addWeighted(img, factor, gray, 1 - factor, 0)


def hue(img: np.ndarray, factor: float) -> np.ndarray:
    """Rotate the hue by ``factor`` of a turn, in OpenCV's 8-bit HSV (180 hue steps) (RGB only)."""
    table = hue_table(factor)
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = table[hsv[..., 0]]
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def hue_table(factor: float) -> np.ndarray:
    """The uint8 table mapping OpenCV's 8-bit hue to the hue rotated by ``factor`` of a turn."""
    shift = 180 * factor
    steps = math.floor(shift)
    if shift - steps < 1e-9 or shift - steps > 1 - 1e-9:
        # next to a whole step float rounding can tip the truncation: compute it as albumentations does
        return np.mod(_HUE_LEVELS + shift, 180).astype(np.uint8)
    # floor((level + shift) mod 180) == (level + floor(shift)) mod 180 for whole levels
    return _HUE_TABLES[steps % 180]
