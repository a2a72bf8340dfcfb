"""The tone kernels: histogram equalization, autocontrast, posterize and sharpness, on uint8 stacks.

Each function takes a stack ``[B, H, W]`` or ``[B, H, W, 3]`` (one image is a stack of one) and
computes torchvision v2's integer maths (``transforms/v2/functional/_color.py``: ``equalize_image``,
``autocontrast_image``, ``posterize_image``, ``adjust_sharpness_image``) per image and channel, with
OpenCV's histograms and lookup tables; :mod:`augkit.image.tone_torch` computes the same on a device.
Outputs are new arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["autocontrast", "autocontrast_tables", "equalize", "equalize_tables", "posterize", "sharpness"]

_LEVELS = np.arange(256, dtype=np.float32)


def _channels(stack: np.ndarray) -> int:
    return 1 if stack.ndim == 3 else stack.shape[3]


def _through(stack: np.ndarray, tables: np.ndarray) -> np.ndarray:
    """Every image of ``stack`` through its per-channel tables ``[B, C, 256]`` (uint8)."""
    import cv2

    out = np.empty_like(stack)
    c = _channels(stack)
    for i in range(len(stack)):
        lut = tables[i, 0] if c == 1 else np.ascontiguousarray(tables[i].T).reshape(256, 1, c)
        out[i] = cv2.LUT(stack[i], lut)
    return out


def histograms(stack: np.ndarray) -> np.ndarray:
    """``[B, C, 256]`` int64 counts of each level per image and channel."""
    import cv2

    c = _channels(stack)
    hist = np.empty((len(stack), c, 256), dtype=np.int64)
    for i in range(len(stack)):
        for ch in range(c):
            hist[i, ch] = cv2.calcHist([stack[i]], [ch], None, [256], [0, 256]).reshape(-1)
    return hist


def equalize_tables(hist: np.ndarray) -> np.ndarray:
    """PIL's equalization tables, as torchvision computes them, from ``[..., 256]`` histograms:
    ``step = (pixels - count of the top level) // 255``, ``lut[k] = (cum[k - 1] + step // 2) // step``;
    a channel whose ``step`` is 0 keeps its levels."""
    cum = np.cumsum(hist, axis=-1)
    top = np.take_along_axis(hist, np.argmax(cum, axis=-1)[..., None], axis=-1)
    step = (cum[..., -1:] - top) // 255
    lut = np.zeros(hist.shape, dtype=np.int64)
    lut[..., 1:] = np.clip((cum[..., :-1] + step // 2) // np.maximum(step, 1), 0, 255)
    identity = np.broadcast_to(np.arange(256), hist.shape)
    return np.where(step == 0, identity, lut).astype(np.uint8)


def equalize(stack: np.ndarray) -> np.ndarray:
    """Each channel of each image equalized (PIL's ``ImageOps.equalize``, torchvision's ``equalize``)."""
    return _through(stack, equalize_tables(histograms(stack)))


def autocontrast_tables(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """torchvision's autocontrast tables from per-channel minima and maxima (float32 maths:
    ``(level - min) / ((max - min) · (1 / 255))``, clipped, truncated); a flat channel keeps its levels."""
    low, high = low.astype(np.float32), high.astype(np.float32)
    flat = high == low
    inv_scale = np.where(flat, np.float32(1.0), (high - low) * np.float32(1.0 / 255.0)).astype(np.float32)
    low = np.where(flat, np.float32(0.0), low).astype(np.float32)
    tables = (_LEVELS - low[..., None]) / inv_scale[..., None]
    return np.clip(tables, 0, 255).astype(np.uint8)


def autocontrast(stack: np.ndarray) -> np.ndarray:
    """Each channel of each image stretched to span 0–255 (torchvision's ``autocontrast``)."""
    pixels = stack.reshape(len(stack), -1, _channels(stack))
    return _through(stack, autocontrast_tables(pixels.min(axis=1), pixels.max(axis=1)))


def posterize(stack: np.ndarray, bits: int) -> np.ndarray:
    """Keep the ``bits`` high bits of every level (8: unchanged, 0: black)."""
    if bits >= 8:
        return stack.copy()
    return np.bitwise_and(stack, np.uint8((0xFF << (8 - bits)) & 0xFF))


def sharpness(stack: np.ndarray, factors: Sequence[float]) -> np.ndarray:
    """Each image blended with its smoothed self (3×3 kernel 1/13 with 5/13 at the centre, rounded)
    by its factor, inner pixels only: ``x + (smooth - x) · float32(1 - factor)`` in float32, clipped,
    truncated (torchvision's ``adjust_sharpness``); images of 2 rows or columns or fewer stay."""
    b, h, w = stack.shape[:3]
    out = stack.copy()
    if h <= 2 or w <= 2:
        return out
    x = stack.astype(np.int32)
    total = 4 * x[:, 1:-1, 1:-1]
    for dy in range(3):
        for dx in range(3):
            total = total + x[:, dy : dy + h - 2, dx : dx + w - 2]
    smooth = (2 * total + 13) // 26  # round(total / 13): a sum of whole levels over 13 never ends in .5
    inner = x[:, 1:-1, 1:-1]
    alpha = np.array([1.0 - f for f in factors], dtype=np.float32).reshape((b,) + (1,) * (stack.ndim - 1))
    blended = inner.astype(np.float32) + (smooth - inner).astype(np.float32) * alpha
    out[:, 1:-1, 1:-1] = np.clip(blended, 0, 255).astype(np.uint8)
    return out
