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
_SMOOTH = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], dtype=np.float32) / np.float32(13)


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
    import cv2

    c = _channels(stack)
    low, high = np.empty((len(stack), c)), np.empty((len(stack), c))
    for i in range(len(stack)):  # OpenCV's min and max per plane: numpy's strided reduction is 20× slower
        planes = cv2.split(stack[i]) if c > 1 else [stack[i]]
        for ch, plane in enumerate(planes):
            low[i, ch], high[i, ch] = cv2.minMaxLoc(plane)[:2]
    return _through(stack, autocontrast_tables(low, high))


def posterize(stack: np.ndarray, bits: int) -> np.ndarray:
    """Keep the ``bits`` high bits of every level (8: unchanged, 0: black), through a lookup table."""
    from augkit.image.functional import apply_lut

    return apply_lut(stack, np.bitwise_and(np.arange(256), (0xFF << (8 - min(bits, 8))) & 0xFF).astype(np.uint8))


def sharpness(stack: np.ndarray, factors: Sequence[float]) -> np.ndarray:
    """Each image blended with its smoothed self (3×3 kernel 1/13 with 5/13 at the centre, rounded)
    by its factor, inner pixels only: ``x + (smooth - x) · float32(1 - factor)`` in float32, clipped,
    truncated (torchvision's ``adjust_sharpness``); images of 2 rows or columns or fewer stay."""
    import cv2

    h, w = stack.shape[1:3]
    out = stack.copy()
    if h <= 2 or w <= 2:
        return out
    for i, factor in enumerate(factors):
        if factor == 1.0:
            continue
        # OpenCV's float filter, rounded: exact, as a sum of whole levels over 13 is never within
        # 1/26 of a half level, far beyond float32's error
        smooth = cv2.filter2D(stack[i], -1, _SMOOTH)[1:-1, 1:-1].astype(np.float32)
        inner = stack[i, 1:-1, 1:-1].astype(np.float32)
        blended = inner + (smooth - inner) * np.float32(1.0 - factor)
        np.clip(blended, 0, 255, out=blended)
        out[i, 1:-1, 1:-1] = blended.astype(np.uint8)
    return out
