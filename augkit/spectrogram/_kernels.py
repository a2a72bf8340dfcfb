"""Batch kernels of the spectrogram ops, on ``[B, channels, mels, frames]`` tensors.

Each op's ``transform`` runs its kernel on a batch of one, so a view made alone and the same view
made in a batch are equal bit for bit (nothing here reduces across the batch).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

__all__ = ["bands", "crop_frames", "linear_fade", "resize_crop", "time_warp"]


def bands(batch: torch.Tensor, spans: Sequence[Sequence[tuple[int, int]]], axis: int,
          fill: torch.Tensor) -> torch.Tensor:
    """``batch`` with ``spans[b]`` (``(start, width)`` along ``axis``, 2 = mels, 3 = frames) set to ``fill[b]``."""
    size = batch.shape[axis]
    hit = np.zeros((len(spans), size), dtype=bool)
    for b, span in enumerate(spans):
        for start, width in span:
            hit[b, start: start + width] = True
    shape = (len(spans), 1, size, 1) if axis == 2 else (len(spans), 1, 1, size)
    mask = torch.from_numpy(hit).reshape(shape).to(batch.device)
    return torch.where(mask, fill.to(batch.device, batch.dtype).reshape(-1, 1, 1, 1), batch)


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


_A = -0.75  # the cubic convolution constant of PyTorch's bicubic (and OpenCV's)


def _taps(out_len: int, in_len: int, start: int, cubic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``[out_len, K]`` (from ``start``, clamped to the ``in_len`` cells there) and weights of
    ``F.interpolate(..., align_corners=True)`` resampling ``in_len`` cells to ``out_len``."""
    src = np.arange(out_len) * ((in_len - 1) / (out_len - 1) if out_len > 1 else 0.0)
    base = np.floor(src).astype(np.int64)
    t = (src - base)[:, None]
    if cubic:
        def near(x: np.ndarray) -> np.ndarray:
            return ((_A + 2) * x - (_A + 3)) * x * x + 1

        def far(x: np.ndarray) -> np.ndarray:
            return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A

        offsets = np.array([-1, 0, 1, 2])
        weights = np.concatenate([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1)
    else:
        offsets, weights = np.array([0, 1]), np.concatenate([1 - t, t], axis=1)
    return np.clip(base[:, None] + offsets, 0, in_len - 1) + start, weights


def _weighted(values: torch.Tensor, index: torch.Tensor, weights: torch.Tensor, axis: int) -> torch.Tensor:
    """``Σ_k weights[b, n, k] · values[b, :, index[b, n, k]]`` along ``axis`` (2 or 3), one tap at a time."""
    b, n, k = index.shape
    shape = list(values.shape)
    shape[axis] = n * k
    flat = index.reshape(b, 1, n * k, 1) if axis == 2 else index.reshape(b, 1, 1, n * k)
    taken = values.gather(axis, flat.expand(shape))
    taken = taken.reshape(*shape[:2], n, k, shape[3]) if axis == 2 else taken.reshape(*shape[:3], n, k)
    w = weights[:, None, :, :, None] if axis == 2 else weights[:, None, None, :, :]
    pick = (lambda j: taken[:, :, :, j]) if axis == 2 else (lambda j: taken[..., j])
    wpick = (lambda j: w[:, :, :, j]) if axis == 2 else (lambda j: w[..., j])
    out = pick(0) * wpick(0)
    for j in range(1, k):  # a fixed order of sums: the same result alone and in a batch
        out = out + pick(j) * wpick(j)
    return out


def resize_crop(batch: torch.Tensor, boxes: Sequence[tuple[int, int, int, int]], canvas: tuple[int, int],
                mode: str) -> torch.Tensor:
    """Each example placed at the centre of a zero ``canvas`` (mels, frames), its box ``(top, left, height,
    width)`` on the canvas cut out and resized back to the example's size with ``F.interpolate``'s
    ``align_corners=True`` mapping (taps past the box repeat its edge), as BYOL-A's ``RandomResizeCrop``."""
    b, c, m, t = batch.shape
    ch, cw = canvas
    area = batch.new_zeros((b, c, ch, cw))
    top, left = (ch - m) // 2, (cw - t) // 2
    area[:, :, top: top + m, left: left + t] = batch
    cubic = mode == "bicubic"
    rows = [_taps(m, h, i, cubic) for i, _, h, _ in boxes]
    cols = [_taps(t, w, j, cubic) for _, j, _, w in boxes]
    device, dtype = batch.device, batch.dtype

    def stacked(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.from_numpy(np.stack([p[0] for p in parts])).to(device),
                torch.from_numpy(np.stack([p[1] for p in parts])).to(device, dtype))

    across = _weighted(area, *stacked(cols), axis=3)  # [B, C, canvas mels, frames]
    return _weighted(across, *stacked(rows), axis=2)
