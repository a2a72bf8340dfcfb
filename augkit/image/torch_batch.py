"""The torch batch engine: the presets' image ops over a whole batch on one device, with per-sample values.

Each sample's params are drawn exactly as :meth:`augkit.ViewGenerator.generate` draws them (the
same streams, so the records are identical); then every op runs once over the batch in torch, on
the CPU or on a GPU, each sample with its own values: crop + resize, flip, colour jitter in each
sample's own order, grayscale, Gaussian blur, solarize, and the output step (uint8, or
normalization fused into the conversion to float32).

The kernels are torch's, not OpenCV's: views equal the single-sample ones within rounding, about
one uint8 level where a kernel rounds differently (bilinear resizing, the 8-bit HSV hue rotation),
and exactly where both compute the same integer maths (flips, solarize, brightness and contrast
tables). ``tests/test_image_torch_batch.py`` measures the difference. The same code runs on CUDA.

Example:
    >>> batch = vg.generate_batch(images, range(len(images)), device="cuda")  # views on the GPU
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as TF

from augkit.core import Params
from augkit.image import functional as F
from augkit.image.ops import ColorJitter, GaussianBlur, HorizontalFlip, Solarize, ToGray

__all__ = ["apply_batch", "to_output"]

_LUMA = (0.299, 0.587, 0.114)  # ITU-R 601, what OpenCV's RGB2GRAY uses


def apply_batch(pipeline: Any, images: Sequence[np.ndarray], drawn: list[Params], device: torch.device) -> torch.Tensor:
    """Apply one view's pipeline (a crop, then pixel ops) to ``images`` with their drawn records.

    Returns a float32 ``[B, 3, H, W]`` tensor of whole levels in [0, 255] on ``device``.
    """
    crop = pipeline.ops[0]
    batch = _crop_resize(images, [p["ops"][0]["params"] for p in drawn], crop.size, crop.interpolation, device)
    for j, op in enumerate(pipeline.ops[1:], start=1):
        params = [p["ops"][j]["params"] for p in drawn]
        fired = [i for i, p in enumerate(params) if p["applied"]]
        if not fired:
            continue
        idx = torch.tensor(fired, device=device)
        if isinstance(op, HorizontalFlip):
            batch[idx] = batch[idx].flip(-1)
        elif isinstance(op, ToGray):
            batch[idx] = _gray3(batch[idx])
        elif isinstance(op, Solarize):
            sub = batch[idx]
            batch[idx] = torch.where(sub >= op.threshold, 255 - sub, sub)
        elif isinstance(op, GaussianBlur):
            _blur(batch, fired, params)
        elif isinstance(op, ColorJitter):
            _jitter(batch, fired, params)
        else:  # _batchable admits only the ops above
            raise AssertionError(f"no batch kernel for {op.name}")
    return batch


def to_output(batch: torch.Tensor, output: Any) -> torch.Tensor:
    """The output step over a float ``[B, 3, H, W]`` batch of levels: uint8, or normalized float32."""
    spec = getattr(output, "spec", None) or {"type": "uint8"}
    if spec.get("type") == "uint8":
        return batch.to(torch.uint8)
    mean = torch.as_tensor(np.resize(np.asarray(spec["mean"], dtype=np.float64), 3), dtype=torch.float32,
                           device=batch.device).view(1, 3, 1, 1)
    std = torch.as_tensor(np.resize(np.asarray(spec["std"], dtype=np.float64), 3), dtype=torch.float32,
                          device=batch.device).view(1, 3, 1, 1)
    return batch.mul_(1.0 / (255.0 * std)).sub_(mean / std)  # one pass: v/(255·std) - mean/std


# -- kernels ----------------------------------------------------------------------------------------

def _crop_resize(images: Sequence[np.ndarray], boxes: list[Params], size: tuple[int, int], interpolation: str,
                 device: torch.device) -> torch.Tensor:
    h, w = size
    out = torch.empty((len(images), 3, h, w), dtype=torch.float32, device=device)
    mode = "area" if interpolation == "area" else "bilinear"
    for i, (img, box) in enumerate(zip(images, boxes, strict=True)):
        top, left, ch, cw = box["top"], box["left"], box["height"], box["width"]
        part = torch.from_numpy(np.require(img[top: top + ch, left: left + cw], requirements=("C", "W"))).to(device)
        part = part.permute(2, 0, 1)[None].to(torch.float32)
        if (ch, cw) == (h, w):
            out[i] = part[0]
        elif mode == "area":
            out[i] = TF.interpolate(part, size=(h, w), mode="area")[0]
        else:
            out[i] = TF.interpolate(part, size=(h, w), mode="bilinear", align_corners=False, antialias=False)[0]
    return out.round_().clamp_(0, 255)


def _luma(x: torch.Tensor) -> torch.Tensor:
    """OpenCV's 8-bit grey level of RGB levels: rounded ITU-R 601 luma, ``[n, 1, H, W]``."""
    r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    return (r * _LUMA[0] + g * _LUMA[1] + b * _LUMA[2]).round_()


def _gray3(x: torch.Tensor) -> torch.Tensor:
    return _luma(x).expand(-1, 3, -1, -1).clone()


def _factors(values: list[float], like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32, device=like.device).view(-1, 1, 1, 1)


def _jitter(batch: torch.Tensor, fired: list[int], params: list[Params]) -> None:
    """ColorJitter on the fired samples, stage by stage; in each stage, one kernel per kind of change."""

    for name, group in F.jitter_groups(fired, params):
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
    """Separable Gaussian blur, reflected borders (OpenCV's BORDER_REFLECT_101), per-sample sigma."""
    by_size: dict[int, list[int]] = {}
    for i in fired:
        by_size.setdefault(int(params[i]["kernel_size"]), []).append(i)
    h, w = batch.shape[-2:]
    for ksize, group in by_size.items():
        if ksize <= 1:
            continue
        pad = ksize // 2
        idx = torch.tensor(group, device=batch.device)
        if pad >= min(h, w):  # more border than image: the per-image kernel reflects repeatedly
            for i in group:
                img = batch[i].permute(1, 2, 0).to(torch.uint8).cpu().numpy()
                out = F.blur(np.ascontiguousarray(img), float(params[i]["sigma"]), ksize)
                batch[i] = torch.from_numpy(out).to(batch.device).permute(2, 0, 1).to(torch.float32)
            continue
        kernels = np.stack([F.gaussian_kernel(float(params[i]["sigma"]), ksize) for i in group])
        k = torch.from_numpy(kernels).to(batch.device).repeat_interleave(3, dim=0)  # [n·3, ksize]
        n = len(group)
        sub = batch[idx].reshape(1, n * 3, h, w)
        sub = TF.conv2d(TF.pad(sub, (pad, pad, 0, 0), mode="reflect"), k.view(n * 3, 1, 1, ksize), groups=n * 3)
        sub = TF.conv2d(TF.pad(sub, (0, 0, pad, pad), mode="reflect"), k.view(n * 3, 1, ksize, 1), groups=n * 3)
        batch[idx] = sub.reshape(n, 3, h, w).round_().clamp_(0, 255)
