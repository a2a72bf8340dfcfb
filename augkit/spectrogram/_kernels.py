"""Batch kernels of the spectrogram ops, on ``[B, channels, mels, frames]`` tensors.

Each op's ``transform`` runs its kernel on a batch of one, so a view made alone and the same view
made in a batch are equal bit for bit (nothing here reduces across the batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["bands", "crop_frames", "linear_fade", "resize_crop", "time_warp"]


def bands(batch: torch.Tensor, spans: Sequence[Sequence[tuple[int, int]]], axis: int,
          fill: torch.Tensor) -> torch.Tensor:
    """``batch`` with ``spans[b]`` (``(start, width)`` along ``axis``, 2 = mels, 3 = frames) set to ``fill[b]``."""
    size = batch.shape[axis]
    count = max((len(s) for s in spans), default=0)
    starts = torch.zeros(len(spans), max(count, 1), dtype=torch.long)
    ends = torch.zeros_like(starts)
    for b, span in enumerate(spans):
        for n, (start, width) in enumerate(span):
            starts[b, n], ends[b, n] = start, start + width
    idx = torch.arange(size)
    hit = ((idx[None, None, :] >= starts[..., None]) & (idx[None, None, :] < ends[..., None])).any(1)  # [B, size]
    shape = (len(spans), 1, size, 1) if axis == 2 else (len(spans), 1, 1, size)
    hit = hit.reshape(shape).to(batch.device)
    return torch.where(hit, fill.to(batch.device, batch.dtype).reshape(-1, 1, 1, 1), batch)


def _segment(out_len: int, in_len: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Source index and weight of each of ``out_len`` outputs resampled linearly from ``in_len`` inputs
    (``F.interpolate(mode="linear", align_corners=False)``'s mapping), shifted by ``offset``."""
    src = np.maximum((np.arange(out_len) + 0.5) * (in_len / out_len) - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), in_len - 1)
    return low + offset, src - low


def time_warp(batch: torch.Tensor, warps: Sequence[tuple[int, int]]) -> torch.Tensor:
    """``batch`` with frames ``[0, c)`` stretched linearly onto ``[0, c + w)`` and ``[c, T)`` onto
    ``[c + w, T)`` for ``(c, w)`` in ``warps`` (one per example)."""
    b, _, _, t = batch.shape
    low = np.empty((b, t), np.int64)
    weight = np.empty((b, t), np.float64)
    for k, (center, warp) in enumerate(warps):
        split = center + warp
        low[k, :split], weight[k, :split] = _segment(split, center, 0)
        low[k, split:], weight[k, split:] = _segment(t - split, t - center, center)
    high = np.minimum(low + 1, t - 1)
    # the right end of each segment holds its last frame: never interpolate across the warp point
    last_left = np.array([c - 1 for c, _ in warps])[:, None]
    cross = (low <= last_left) & (high > last_left)
    high = np.where(cross, low, high)
    device = batch.device
    lo = torch.from_numpy(low).to(device)[:, None, None, :].expand_as(batch)
    hi = torch.from_numpy(high).to(device)[:, None, None, :].expand_as(batch)
    lam = torch.from_numpy(weight).to(device, batch.dtype)[:, None, None, :]
    a, c = batch.gather(3, lo), batch.gather(3, hi)
    return a + (c - a) * lam


def linear_fade(batch: torch.Tensor, ends: Sequence[tuple[float, float]]) -> torch.Tensor:
    """``batch`` plus a line over frames from ``head`` to ``tail`` for each ``(head, tail)`` in ``ends``."""
    t = batch.shape[-1]
    ramp = np.arange(t, dtype=np.float64) / max(t - 1, 1)
    lines = np.array([h + (e - h) * ramp for h, e in ends])  # float64, then rounded once to float32
    return batch + torch.from_numpy(lines).to(batch.device, batch.dtype)[:, None, None, :]


def crop_frames(batch: torch.Tensor, offsets: Sequence[int], frames: int, pad: torch.Tensor) -> torch.Tensor:
    """``frames`` frames from each example's ``offset`` (negative or past the end: ``pad[b]``)."""
    t = batch.shape[-1]
    idx = torch.tensor(offsets, dtype=torch.long)[:, None] + torch.arange(frames)[None, :]
    valid = ((idx >= 0) & (idx < t)).to(batch.device)[:, None, None, :]
    gathered = batch.gather(3, idx.clamp(0, t - 1).to(batch.device)[:, None, None, :].expand(
        *batch.shape[:3], frames))
    return torch.where(valid, gathered, pad.to(batch.device, batch.dtype).reshape(-1, 1, 1, 1))


def resize_crop(batch: torch.Tensor, boxes: Sequence[tuple[int, int, int, int]], canvas: tuple[int, int],
                mode: str) -> torch.Tensor:
    """Each example placed at the centre of a zero ``canvas`` (mels, frames), its box ``(top, left, height,
    width)`` on the canvas cut out and resized back to the example's size (``align_corners=True``,
    taps past the canvas edge repeat it: ``F.interpolate`` on the crop, as BYOL-A's ``RandomResizeCrop``)."""
    b, c, m, t = batch.shape
    ch, cw = canvas
    area = batch.new_zeros((b, c, ch, cw))
    top, left = (ch - m) // 2, (cw - t) // 2
    area[:, :, top: top + m, left: left + t] = batch
    grid = np.empty((b, m, t, 2), np.float64)
    for k, (i, j, h, w) in enumerate(boxes):
        y = i + np.arange(m) * ((h - 1) / (m - 1) if m > 1 else 0.0)
        x = j + np.arange(t) * ((w - 1) / (t - 1) if t > 1 else 0.0)
        grid[k, :, :, 0] = (2 * x / (cw - 1) - 1 if cw > 1 else 0.0)[None, :]
        grid[k, :, :, 1] = (2 * y / (ch - 1) - 1 if ch > 1 else 0.0)[:, None]
    g = torch.from_numpy(grid).to(batch.device, batch.dtype)
    return F.grid_sample(area, g, mode=mode, padding_mode="border", align_corners=True)
