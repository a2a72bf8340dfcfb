"""The torch batch kernels of the image ops: a whole batch on one device, each image with its own values.

A batch here is a float32 ``[B, C, H, W]`` tensor of whole levels in [0, 255] (C is 3, or 1 for
grayscale images), the image descriptor's form on a torch device. The ops' ``transform_batch``
call these kernels on such batches, on the CPU or a GPU: crop + resize, flip, colour jitter in
each image's own order, grayscale, Gaussian blur, solarize, and the output step (uint8, or
normalization fused into the conversion to float32).

The kernels are torch's, not OpenCV's: views equal the single-image ones within rounding, about
one uint8 level where a kernel rounds differently (bilinear resizing, the 8-bit HSV hue rotation),
and exactly where both compute the same integer maths (flips, solarize, brightness and contrast
tables). ``tests/image/test_image_torch_batch.py`` measures the difference. The same code runs on CUDA.

Example:
    >>> batch = vg.generate_batch(images, range(len(images)), device="cuda")  # views on the GPU
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as TF

from augkit.core import Params
from augkit.image import functional as F

__all__ = ["blur", "crop_resize", "flip", "gray", "jitter", "solarize", "to_output"]

_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, what OpenCV's RGB2GRAY uses


def to_output(batch: torch.Tensor, output: Any) -> torch.Tensor:
    """The output step over a float ``[B, C, H, W]`` batch of levels: uint8, or normalized float32."""
    spec = getattr(output, "spec", None) or {"type": "uint8"}
    if spec.get("type") != "normalized":
        return batch.to(torch.uint8)
    c = batch.shape[1]
    mean = torch.as_tensor(np.resize(np.asarray(spec["mean"], dtype=np.float64), c), dtype=torch.float32,
                           device=batch.device).view(1, c, 1, 1)
    std = torch.as_tensor(np.resize(np.asarray(spec["std"], dtype=np.float64), c), dtype=torch.float32,
                          device=batch.device).view(1, c, 1, 1)
    return batch.mul(1.0 / (255.0 * std)).sub_(mean / std)  # one pass: v/(255·std) - mean/std


#: ``torch.nn.functional.interpolate``'s mode and antialiasing for each interpolation.
_MODES = {"linear": ("bilinear", False), "area": ("area", False), "cubic": ("bicubic", False),
          "cubic_antialias": ("bicubic", True)}


def crop_resize(batch: torch.Tensor, boxes: list[Params], size: tuple[int, int],
                interpolation: str | list[str]) -> torch.Tensor:
    """Each image's box resized to ``size`` (with one interpolation, or one per image), whole levels.

    Bilinear and bicubic run without antialiasing as OpenCV does (bicubic with a = -0.75, as
    ``INTER_CUBIC``); ``"cubic_antialias"`` is torch's antialiased bicubic, which follows PIL's.
    """
    h, w = size
    modes = [interpolation] * len(boxes) if isinstance(interpolation, str) else interpolation
    out = torch.empty((len(batch), batch.shape[1], h, w), dtype=torch.float32, device=batch.device)
    for i, box in enumerate(boxes):
        top, left, ch, cw = box["top"], box["left"], box["height"], box["width"]
        part = batch[i : i + 1, :, top : top + ch, left : left + cw]
        mode, antialias = _MODES[modes[i]]
        if (ch, cw) == (h, w):
            out[i] = part[0]
        elif mode == "area":
            out[i] = TF.interpolate(part, size=(h, w), mode="area")[0]
        else:
            out[i] = TF.interpolate(part, size=(h, w), mode=mode, align_corners=False, antialias=antialias)[0]
    return out.round_().clamp_(0, 255)


def flip(batch: torch.Tensor) -> torch.Tensor:
    return batch.flip(-1)


def gray(batch: torch.Tensor) -> torch.Tensor:
    """RGB images as 3 equal channels of their rounded ITU-R 601 grey; grayscale ones as they are."""
    return batch if batch.shape[1] == 1 else _gray3(batch)


def solarize(batch: torch.Tensor, threshold: float) -> torch.Tensor:
    return torch.where(batch >= threshold, 255 - batch, batch)


def jitter(batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
    """ColorJitter with each image's record, on a copy."""
    out = batch.clone()
    _jitter(out, list(range(len(out))), records)
    return out


def blur(batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
    """Each image blurred with its own ``sigma`` and ``kernel_size``, on a copy."""
    out = batch.clone()
    _blur(out, list(range(len(out))), records)
    return out


# -- kernels ----------------------------------------------------------------------------------------

def _luma(x: torch.Tensor) -> torch.Tensor:
    """OpenCV's 8-bit grey level of RGB levels: rounded ITU-R 601 luma, ``[n, 1, H, W]`` (grey levels as they are)."""
    if x.shape[1] == 1:
        return x
    r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    return (r * _LUMA[0] + g * _LUMA[1] + b * _LUMA[2]).round_()


def _gray3(x: torch.Tensor) -> torch.Tensor:
    return _luma(x).expand(-1, 3, -1, -1).clone()


def _factors(values: list[float], like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32, device=like.device).view(-1, 1, 1, 1)


def _jitter(batch: torch.Tensor, fired: list[int], params: list[Params]) -> None:
    """ColorJitter on the fired samples, stage by stage; in each stage, one kernel per kind of change."""

    for name, group in F.jitter_groups(fired, params):
        if batch.shape[1] == 1 and name in ("saturation", "hue"):
            continue  # grayscale images get brightness and contrast only, as ColorJitter gives them
        idx = torch.tensor(group, device=batch.device)
        sub = batch[idx]
        f = _factors([float(params[i][name]) for i in group], sub)
        if name == "brightness":  # the uint8 table: levels · f, clipped, truncated
            sub = (sub * f).clamp_(0, 255).floor_()
        elif name == "contrast":  # blend with the mean grey level, truncated like the table
            mean = _luma(sub).mean(dim=(1, 2, 3), keepdim=True)
            blended = (sub * f + mean * (1 - f)).clamp_(0, 255).floor_()
            sub = torch.where(f == 0, (mean + 0.5).floor().expand_as(sub), blended)
        elif name == "saturation":  # cv2.addWeighted with the grey image: rounded, saturated
            sub = (sub * f + _luma(sub) * (1 - f)).round_().clamp_(0, 255)
        else:
            sub = _hue(sub, [float(params[i][name]) for i in group])
        batch[idx] = sub


def _hue(x: torch.Tensor, factors: list[float]) -> torch.Tensor:
    """Rotate the hue in OpenCV's 8-bit HSV (hue in 180 steps, S and V in 256 levels)."""
    steps = torch.tensor([math.floor(180 * f) % 180 for f in factors], dtype=torch.float32,
                         device=x.device).view(-1, 1, 1)
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    v, _ = x.max(dim=1)
    mn, _ = x.min(dim=1)
    delta = v - mn
    s = torch.where(v > 0, (255 * delta / v.clamp(min=1)).round(), torch.zeros_like(v))
    safe = delta.clamp(min=1e-6)
    h = torch.where(v == r, 60 * (g - b) / safe, torch.where(v == g, 120 + 60 * (b - r) / safe,
                                                              240 + 60 * (r - g) / safe))
    h = torch.where(delta == 0, torch.zeros_like(h), h)
    h = torch.where(h < 0, h + 360, h)
    h8 = (h / 2).round() % 180
    h8 = (h8 + steps) % 180
    # back to RGB from 8-bit H (2° steps), S and V
    hd, sf = h8 * 2, s / 255
    c = v * sf
    hp = hd / 60
    xx = c * (1 - (hp % 2 - 1).abs())
    zero = torch.zeros_like(c)
    sector = hp.floor().clamp(0, 5)
    rgb = [torch.zeros_like(c) for _ in range(3)]
    table = [(c, xx, zero), (xx, c, zero), (zero, c, xx), (zero, xx, c), (xx, zero, c), (c, zero, xx)]
    for k, (a, bb, cc) in enumerate(table):
        mask = sector == k
        for ch, val in enumerate((a, bb, cc)):
            rgb[ch] = torch.where(mask, val, rgb[ch])
    m = v - c
    return torch.stack([(t + m).round().clamp(0, 255) for t in rgb], dim=1)


def _blur(batch: torch.Tensor, fired: list[int], params: list[Params]) -> None:
    """Separable Gaussian blur, per-sample sigma; borders reflected (OpenCV's BORDER_REFLECT_101) or zeros."""
    by_size: dict[tuple[int, str], list[int]] = {}
    for i in fired:
        by_size.setdefault((int(params[i]["kernel_size"]), params[i].get("border", "reflect")), []).append(i)
    c, h, w = batch.shape[-3:]
    for (ksize, border), group in by_size.items():
        if ksize <= 1:
            continue
        pad = ksize // 2
        mode = "reflect" if border == "reflect" else "constant"
        idx = torch.tensor(group, device=batch.device)
        if pad >= min(h, w) and mode == "reflect":  # more border than image: the per-image kernel reflects repeatedly
            for i in group:
                img = batch[i].permute(1, 2, 0).to(torch.uint8).cpu().numpy()
                out = F.blur(np.ascontiguousarray(img if c == 3 else img[..., 0]), float(params[i]["sigma"]), ksize)
                out = out if c == 3 else out[..., None]
                batch[i] = torch.from_numpy(out).to(batch.device).permute(2, 0, 1).to(torch.float32)
            continue
        kernels = np.stack([F.gaussian_kernel(float(params[i]["sigma"]), ksize) for i in group])
        k = torch.from_numpy(kernels).to(batch.device).repeat_interleave(c, dim=0)  # [n·c, ksize]
        n = len(group)
        sub = batch[idx].reshape(1, n * c, h, w)
        sub = TF.conv2d(TF.pad(sub, (pad, pad, 0, 0), mode=mode), k.view(n * c, 1, 1, ksize), groups=n * c)
        sub = TF.conv2d(TF.pad(sub, (0, 0, pad, pad), mode=mode), k.view(n * c, 1, ksize, 1), groups=n * c)
        batch[idx] = sub.reshape(n, c, h, w).round_().clamp_(0, 255)
