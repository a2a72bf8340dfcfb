"""The image kernels: the maths of the image ops, shared by the single-image and the batch paths.

The ops in :mod:`augkit.image.ops` draw their values and call these functions; the batch path
(:mod:`augkit.image.kernels`) calls the same functions, or their batched forms here, on stacks.

The colour kernels of :class:`augkit.image.ColorJitter`:
Each function computes exactly what Albumentations' ``adjust_*_torchvision`` kernel computes on a
uint8 image (the same tables, blends and colour conversions; ``tests/test_image_ops.py`` checks
equality), without its decorators and per-call checks: on a 32×32 image those cost more than the
maths. Lookup tables run through stringzilla's byte translation (what albucore uses too), ≈ 10×
faster than ``cv2.LUT`` on one thread. Inputs are C-contiguous uint8 ``H×W×3`` (RGB) or ``H×W``;
outputs are new arrays of the same shape.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

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
    table = np.multiply(_LEVELS, factor)  # float32; np.clip's wrapper costs more than the table
    np.minimum(table, 255, out=table)
    np.maximum(table, 0, out=table)
    return table.astype(np.uint8)


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
    return cv2.cvtColor(rotate_hue(cv2.cvtColor(img, cv2.COLOR_RGB2HSV), hue_table(factor)), cv2.COLOR_HSV2RGB)


def rotate_hue(hsv: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Map the hue plane of an HSV image through ``table``: split into planes, translate the
    contiguous hue plane, merge (4× faster than indexing the strided channel at 224×224)."""
    hue_plane, saturation_plane, value_plane = cv2.split(hsv)
    stringzilla.translate(hue_plane.data, table.data, inplace=True)
    return cv2.merge((hue_plane, saturation_plane, value_plane))


def hue_table(factor: float) -> np.ndarray:
    """The uint8 table mapping OpenCV's 8-bit hue to the hue rotated by ``factor`` of a turn."""
    shift = 180 * factor
    steps = math.floor(shift)
    if shift - steps < 1e-9 or shift - steps > 1 - 1e-9:
        # next to a whole step float rounding can tip the truncation: compute it as albumentations does
        return np.mod(_HUE_LEVELS + shift, 180).astype(np.uint8)
    # floor((level + shift) mod 180) == (level + floor(shift)) mod 180 for whole levels
    return _HUE_TABLES[steps % 180]


def brightness_tables(factors: np.ndarray) -> np.ndarray:
    """One brightness table per factor (rows), equal to :func:`brightness`'s table for each."""
    f32 = np.asarray(factors, dtype=np.float32)[:, None]
    return np.clip(_LEVELS[None, :] * f32, 0, 255).astype(np.uint8)


def contrast_tables(factors: np.ndarray, means: np.ndarray) -> np.ndarray:
    """One contrast table per (non-zero) factor and grey mean, equal to :func:`contrast`'s table."""
    f64 = np.asarray(factors, dtype=np.float64)
    tables = _LEVELS[None, :] * f64.astype(np.float32)[:, None]  # float32, as the single-image kernel
    tables += (np.asarray(means) * (1 - f64)).astype(np.float32)[:, None]
    np.minimum(tables, 255, out=tables)
    np.maximum(tables, 0, out=tables)
    return tables.astype(np.uint8)


def solarize_table(threshold: float) -> np.ndarray:
    """The table that inverts every grey level at or above ``threshold``."""
    levels = np.arange(256)
    return np.where(levels >= threshold, 255 - levels, levels).astype(np.uint8)


def hflip(img: np.ndarray) -> np.ndarray:
    """Mirror left-right (albumentations' kernel)."""
    from albumentations.augmentations.geometric import functional as fgeometric

    return np.asarray(fgeometric.hflip(img))


def gray(img: np.ndarray) -> np.ndarray:
    """ITU-R 601 grayscale of an RGB image, back to 3 channels (works on a tall stack of images too)."""
    return cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


@lru_cache(maxsize=4096)
def gaussian_kernel(sigma: float, ksize: int) -> np.ndarray:
    """The 1-D Gaussian kernel albumentations builds, as float32."""
    from albumentations.augmentations.blur import functional as fblur

    return np.asarray(fblur.create_gaussian_kernel_1d(sigma, ksize), dtype=np.float32)


#: GaussianBlur's borders: the image reflected (OpenCV's ``BORDER_REFLECT_101``), or zeros (what a
#: TensorFlow ``depthwise_conv2d(padding='SAME')`` blur pads with: SimCLR's, BYOL's).
BORDERS = {"reflect": cv2.BORDER_REFLECT_101, "zeros": cv2.BORDER_CONSTANT}


def blur(img: np.ndarray, sigma: float, ksize: int, border: str = "reflect") -> np.ndarray:
    """Separable Gaussian blur with ``border`` (:data:`BORDERS`); a kernel of side 1 leaves the image as it is."""
    if ksize <= 1:
        return img
    kernel = gaussian_kernel(sigma, ksize)
    return cv2.sepFilter2D(img, -1, kernel, kernel, borderType=BORDERS[border])


def jitter_groups(fired: list[int], params: list[dict[str, Any]]) -> Iterator[tuple[str, list[int]]]:
    """ColorJitter's adjustments over a batch, in each sample's own order: for each of the four
    stages, ``(adjustment, the samples that make it at that stage)``, neutral factors left out."""
    neutral = {"brightness": 1.0, "contrast": 1.0, "saturation": 1.0, "hue": 0.0}
    for stage in range(4):
        for name, same in neutral.items():
            group = [i for i in fired if params[i]["order"][stage] == name and params[i][name] != same]
            if group:
                yield name, group


#: The interpolations of :func:`resize`: OpenCV's bilinear, area and bicubic (``INTER_CUBIC``, the
#: kernel albumentations uses), and PIL's antialiased bicubic (what torchvision runs on PIL images).
INTERPOLATIONS = ("linear", "area", "cubic", "cubic_antialias")
_CV2_FLAGS = {"linear": cv2.INTER_LINEAR, "area": cv2.INTER_AREA, "cubic": cv2.INTER_CUBIC}


def resize(img: np.ndarray, size: tuple[int, int], interpolation: str = "linear",
            out: np.ndarray | None = None) -> np.ndarray:
    """``img`` resized to ``size`` (a new array, or written into ``out``, a contiguous array of that shape).

    ``"cubic"`` is OpenCV's ``INTER_CUBIC`` (Keys' cubic, a = -0.75, no antialiasing);
    ``"cubic_antialias"`` is PIL's ``Image.resize(BICUBIC)``, which widens its kernel when it
    shrinks (antialiasing): bit for bit what torchvision's ``RandomResizedCrop(interpolation=BICUBIC)``
    gives on a PIL image. The two differ when shrinking (1.25 grey levels on average at 300→224,
    2.75 at 200→96) and agree within rounding when enlarging.
    """
    # Albumentations' geometric resize is this cv2.resize call behind a chunking decorator that
    # costs more than the resize itself on small images; a view has at most 3 channels.
    if img.shape[:2] == size:
        if out is None:
            return np.ascontiguousarray(img)
        np.copyto(out, img)
        return out
    if interpolation == "cubic_antialias":
        made = _pil_bicubic(img, size)
        if out is None:
            return made
        np.copyto(out, made)
        return out
    flag = _CV2_FLAGS[interpolation]
    # A crop window (rows of a larger image) goes to OpenCV as is: it reads rows with a stride, and
    # copying the window first costs a third of the resize. Other layouts are made contiguous.
    row = img.itemsize * (img.shape[2] if img.ndim == 3 else 1)
    if img.strides[-1] != img.itemsize or img.strides[1] != row or img.strides[0] < img.shape[1] * row:
        img = np.ascontiguousarray(img)
    if out is None:
        return cv2.resize(img, (size[1], size[0]), interpolation=flag)
    made = cv2.resize(img, (size[1], size[0]), dst=out, interpolation=flag)
    if not np.may_share_memory(made, out):  # OpenCV wrote a new array instead (a dst it could not use)
        np.copyto(out, made)
    return out


def _pil_bicubic(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """PIL's bicubic resize (antialiased when shrinking), as torchvision calls it on a PIL image."""
    from PIL import Image

    return np.asarray(Image.fromarray(np.ascontiguousarray(img)).resize((size[1], size[0]), Image.Resampling.BICUBIC))
