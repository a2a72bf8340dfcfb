"""The tone kernels on a torch device: float32 ``[B, C, H, W]`` batches of whole levels.

The same integer and float32 maths as :mod:`augkit.image.tone_kernels` (torchvision v2's
``equalize_image``, ``autocontrast_image``, ``posterize_image``, ``adjust_sharpness_image``), so the
views equal the host kernels' exactly (``tests/image/test_image_new_torch.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as TF

__all__ = ["autocontrast", "equalize", "posterize", "sharpness"]


def equalize(batch: torch.Tensor) -> torch.Tensor:
    """Each channel equalized with PIL's tables (torchvision's scatter-add histogram, integer maths)."""
    n, c, h, w = batch.shape
    flat = batch.reshape(n, c, h * w).to(torch.long)
    hist = torch.zeros((n, c, 256), dtype=torch.long, device=batch.device)
    hist.scatter_add_(2, flat, torch.ones_like(flat))
    cum = hist.cumsum(dim=2)
    top = hist.gather(2, cum.argmax(dim=2, keepdim=True))
    step = torch.div(h * w - top, 255, rounding_mode="floor")
    lut = torch.div(cum[..., :-1] + torch.div(step, 2, rounding_mode="floor"), step.clamp(min=1),
                    rounding_mode="floor").clamp_(0, 255)
    lut = torch.cat([torch.zeros_like(lut[..., :1]), lut], dim=2)
    out = lut.gather(2, flat)
    return torch.where(step == 0, flat, out).reshape(n, c, h, w).to(torch.float32)


def autocontrast(batch: torch.Tensor) -> torch.Tensor:
    """Each channel stretched to 0–255: ``(x - min) / ((max - min) · (1 / 255))`` in float32, truncated."""
    low = batch.amin(dim=(2, 3), keepdim=True)
    high = batch.amax(dim=(2, 3), keepdim=True)
    flat = high == low
    one = torch.tensor(1.0 / 255.0, dtype=torch.float32, device=batch.device)
    inv_scale = torch.where(flat, torch.ones_like(high), (high - low) * one)
    low = torch.where(flat, torch.zeros_like(low), low)
    return ((batch - low) / inv_scale).clamp_(0, 255).floor_()


def posterize(batch: torch.Tensor, bits: int) -> torch.Tensor:
    """Keep the ``bits`` high bits of every level."""
    if bits >= 8:
        return batch.clone()
    mask = (0xFF << (8 - bits)) & 0xFF
    return (batch.to(torch.int32) & mask).to(torch.float32)


def sharpness(batch: torch.Tensor, factors: Sequence[float]) -> torch.Tensor:
    """Each image blended with its rounded 3×3 smoothing by its factor, inner pixels only."""
    n, c, h, w = batch.shape
    out = batch.clone()
    if h <= 2 or w <= 2:
        return out
    kernel = torch.ones((3, 3), dtype=torch.float32, device=batch.device)
    kernel[1, 1] = 5.0
    total = TF.conv2d(batch.reshape(n * c, 1, h, w), kernel.view(1, 1, 3, 3)).reshape(n, c, h - 2, w - 2)
    smooth = torch.floor((2 * total + 13) / 26)  # whole sums below 2^24: exact in float32
    inner = batch[:, :, 1:-1, 1:-1]
    alpha = torch.tensor([1.0 - f for f in factors], dtype=torch.float32, device=batch.device).view(n, 1, 1, 1)
    out[:, :, 1:-1, 1:-1] = (inner + (smooth - inner) * alpha).clamp_(0, 255).floor_()
    return out
