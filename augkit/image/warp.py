"""Affine warps of images: torchvision's matrices, OpenCV's resampling, and a torch kernel that resamples the same way.

The geometry is torchvision's (``transforms/v2/functional/_geometry.py``, ``_get_inverse_affine_matrix``):
a rotation about the image's centre ``((w - 1) / 2, (h - 1) / 2)`` in pixel indices (or about a given
point), then scale, shear and translation. :func:`inverse_matrix` returns the map from output to input
pixel indices, which OpenCV's ``warpAffine`` applies (``WARP_INVERSE_MAP``) with a constant fill.

:func:`warp_torch` resamples as OpenCV 5's ``warpAffine`` does (float64 source coordinates; the
nearest pixel, or a bilinear blend at float32 coordinates rounded half to even) with torch ops over
a whole batch. Nearest: equal to OpenCV's on every map ``tests/image/test_image_warp.py`` tries.
Bilinear: equal inside the image; where a blend takes the fill (the image's border) and lands on a
half level, OpenCV's border path may round it the other way, one level, on about 1 pixel in 10,000.
On a GPU a fused multiply-add may move a coordinate by one ulp, which changes a pixel only where
the coordinate sits on a rounding boundary.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["forward_x_sign", "inverse_matrix", "warp", "warp_stack", "warp_torch"]


def inverse_matrix(height: int, width: int, angle: float = 0.0, translate: tuple[float, float] = (0.0, 0.0),
                   scale: float = 1.0, shear: tuple[float, float] = (0.0, 0.0),
                   center: tuple[float, float] | None = None) -> np.ndarray:
    """The 2×3 float64 map from output to input pixel indices of torchvision's affine transform.

    ``angle`` turns clockwise in degrees (torchvision's ``affine``; its ``rotate`` passes ``-angle``),
    ``translate`` is in pixels, ``shear`` in degrees along x and y, ``center`` in pixel coordinates
    whose (0, 0) is the top-left corner of the top-left pixel (None: the image's centre).
    """
    # torchvision's frame: (0, 0) is the image centre, pixel centres at whole indices minus (w - 1) / 2
    cx, cy = (0.0, 0.0) if center is None else (center[0] - width * 0.5, center[1] - height * 0.5)
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -(a * math.tan(sx) + math.sin(rot))
    c = math.sin(rot - sy) / math.cos(sy)
    d = math.cos(rot) - c * math.tan(sx)
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    m[2] += cx - m[0] * (cx + tx) - m[1] * (cy + ty)
    m[5] += cy - m[3] * (cx + tx) - m[4] * (cy + ty)
    # to pixel indices: index = frame + (side - 1) / 2, on both sides of the map
    ox, oy = (width - 1) * 0.5, (height - 1) * 0.5
    out = np.array([m[0:3], m[3:6]], dtype=np.float64)
    out[0, 2] += ox - m[0] * ox - m[1] * oy
    out[1, 2] += oy - m[3] * ox - m[4] * oy
    return out


def forward_x_sign(inverse: np.ndarray) -> float:
    """Where the output puts a point right of the centre: < 0 when it lands left of it (a turn
    beyond 90°), the (0, 0) entry of the forward map's linear part."""
    lin = inverse[:, :2]
    det = lin[0, 0] * lin[1, 1] - lin[0, 1] * lin[1, 0]
    return float(lin[1, 1] / det)


def _flag(interpolation: str) -> int:
    import cv2

    return (cv2.INTER_NEAREST if interpolation == "nearest" else cv2.INTER_LINEAR) | cv2.WARP_INVERSE_MAP


def _border(fill: tuple[float, ...], channels: int) -> tuple[float, ...]:
    values = tuple(fill) * 3 if len(fill) == 1 else tuple(fill)
    return values[:channels] + (0.0,) * (4 - channels)


def warp(img: np.ndarray, inverse: np.ndarray, interpolation: str, fill: tuple[float, ...],
         out: np.ndarray | None = None) -> np.ndarray:
    """``img`` (uint8 ``H×W(×3)``) warped by the output-to-input map ``inverse``, same size, the
    area from outside filled with ``fill`` (one grey level or an RGB triple; a grayscale image
    takes the first value)."""
    import cv2

    h, w = img.shape[:2]
    border = _border(fill, 1 if img.ndim == 2 else 3)
    made = cv2.warpAffine(img, inverse, (w, h), dst=out, flags=_flag(interpolation),
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    if out is not None and not np.may_share_memory(made, out):
        np.copyto(out, made)
        return out
    return made


def warp_stack(batch: np.ndarray, inverses: list[np.ndarray], interpolation: str,
               fill: tuple[float, ...]) -> np.ndarray:
    """:func:`warp` of every image of a uint8 ``[B, H, W(, 3)]`` stack with its own map."""
    out = np.empty_like(batch)
    for i, m in enumerate(inverses):
        warp(batch[i], m, interpolation, fill, out[i])
    return out


def warp_torch(batch: Any, inverses: list[np.ndarray], interpolation: str, fill: tuple[float, ...]) -> Any:
    """:func:`warp` on a float32 ``[B, C, H, W]`` batch of levels on a torch device, resampling as
    OpenCV 5 does: source coordinates ``m00 · x + (m01 · y + m02)`` in float64, the nearest pixel
    (half to even) or a bilinear blend of the four neighbours at float32 coordinates (the fill
    outside), rounded half to even; within one level of :func:`warp` at border pixels (module doc)."""
    import torch

    n, c, h, w = batch.shape
    dev = batch.device
    m = torch.as_tensor(np.stack(inverses), dtype=torch.float64, device=dev)  # [n, 2, 3]
    xs = torch.arange(w, dtype=torch.float64, device=dev).view(1, 1, w)
    ys = torch.arange(h, dtype=torch.float64, device=dev).view(1, h, 1)
    src_x = m[:, 0, 0].view(n, 1, 1) * xs + (m[:, 0, 1].view(n, 1, 1) * ys + m[:, 0, 2].view(n, 1, 1))
    src_y = m[:, 1, 0].view(n, 1, 1) * xs + (m[:, 1, 1].view(n, 1, 1) * ys + m[:, 1, 2].view(n, 1, 1))
    border = torch.tensor(_border(fill, c)[:c], dtype=torch.float32, device=dev).view(1, c, 1)
    flat = batch.reshape(n, c, h * w)

    def sample(ix: Any, iy: Any) -> Any:  # [n, c, h*w] pixels at (iy, ix), the fill outside
        inside = ((ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)).reshape(n, 1, h * w)
        index = (iy.clamp(0, h - 1) * w + ix.clamp(0, w - 1)).reshape(n, 1, h * w).expand(n, c, h * w)
        return torch.where(inside, flat.gather(2, index), border)

    if interpolation == "nearest":
        return sample(torch.round(src_x).long(), torch.round(src_y).long()).reshape(n, c, h, w)
    src_x, src_y = src_x.to(torch.float32), src_y.to(torch.float32)  # OpenCV blends at float32 coordinates
    x0, y0 = torch.floor(src_x), torch.floor(src_y)
    fx = (src_x - x0).reshape(n, 1, h * w)
    fy = (src_y - y0).reshape(n, 1, h * w)
    ix, iy = x0.long(), y0.long()
    p00, p01 = sample(ix, iy), sample(ix + 1, iy)
    p10, p11 = sample(ix, iy + 1), sample(ix + 1, iy + 1)
    top = p00 + fx * (p01 - p00)
    bottom = p10 + fx * (p11 - p10)
    return (top + fy * (bottom - top)).round_().clamp_(0, 255).reshape(n, c, h, w)
