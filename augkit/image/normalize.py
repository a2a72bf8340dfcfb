"""Normalizing a batch of image views at once: uint8 ``[B, C, H, W]`` or ``[B, H, W, C]`` to float32
``(x / 255 - mean) / std``, on the CPU by one table lookup per channel, on a device with torch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType
from augkit.image._convert import IMAGENET_MEAN, IMAGENET_STD, check_stats

__all__ = ["normalize_batch", "stats_of"]


def normalize_batch(
    batch: Any,
    mean: Any = IMAGENET_MEAN,
    std: Sequence[float] | None = None,
    *,
    out: Any = None,
) -> Any:
    """Normalize a uint8 batch ``[B, C, H, W]`` (or ``[C, H, W]``) to float32, in the training process.

    This is the fast path: DataLoader workers ship uint8 views (4× fewer bytes than float32), and the
    normalization runs once per batch, on the GPU if the batch is there. It allocates one float32
    tensor and scales it in place. On the CPU a fresh 38 MB tensor (``[64, 3, 224, 224]``) costs
    more in page faults than the arithmetic: pass ``out=`` a float32 buffer of the batch's shape,
    kept across batches, to cut the cost ≈ 7× (the buffer is overwritten by the next call, so
    finish the step that uses it first, as a training loop does).

    Pass the generator that made the views (``normalize_batch(batch, vg)``): its statistics are
    the ones its preset trains with (OpenAI's for ``image.clip``, ImageNet's for the others), so
    a uint8 pipeline cannot silently normalize with the wrong ones.

    Args:
        batch: uint8 torch tensor with channels at dim ``-3``.
        mean: per-channel means in [0, 1] units (1 or 3 numbers; a 1-channel batch with 3 numbers
            uses their averages); or the generator that made the views (its output step's or its
            preset's statistics), its output step, or a dict ``{"mean": ..., "std": ...}``.
        std: per-channel standard deviations (ImageNet's by default; not with a generator).
        out: optional float32 tensor of the batch's shape and device to write into.

    Returns:
        The float32 tensor ``(batch / 255 - mean) / std`` (``out`` when given).

    Raises:
        WrongInputType: when ``batch`` is not a uint8 torch tensor.
        InvalidInput: when it has fewer than 3 dimensions, or its channel axis does not match
            ``mean``/``std``.
        WrongArgumentType, InvalidArgument: when ``out`` is not a float32 tensor, or has another
            shape or device; or ``mean``/``std`` are malformed.

    Example:
        >>> x = normalize_batch(views.cuda(non_blocking=True))
    """
    import torch

    if not isinstance(batch, torch.Tensor) or batch.dtype != torch.uint8:
        got = batch.dtype if isinstance(batch, torch.Tensor) else type(batch).__name__
        raise WrongInputType(f"normalize_batch expects a uint8 torch tensor [B, C, H, W], got {got}")
    if batch.ndim < 3:
        raise InvalidInput(f"normalize_batch expects a uint8 batch [B, C, H, W] or one image [C, H, W], got a "
                           f"tensor of shape {tuple(batch.shape)} ({batch.ndim} dimension(s)); add the channel "
                           "axis (x[None] for one grey image)")
    mean, std = stats_of(mean, std)
    mean_a, std_a = check_stats(mean, std)
    channels = batch.shape[-3]
    if channels not in (1, mean_a.size) and mean_a.size != 1:
        raise InvalidInput(f"batch has {channels} channels (shape {tuple(batch.shape)}) but mean/std hold "
                           f"{mean_a.size}")
    if channels == 1 and mean_a.size == 3:
        mean_a, std_a = mean_a.mean(keepdims=True), std_a.mean(keepdims=True)
    if out is not None:
        if not isinstance(out, torch.Tensor) or out.dtype != torch.float32:
            got = out.dtype if isinstance(out, torch.Tensor) else type(out).__name__
            raise WrongArgumentType(f"normalize_batch(out=...) must be a float32 torch tensor, got {got}")
        if out.shape != batch.shape or out.device != batch.device:
            raise InvalidArgument(
                f"normalize_batch(out=...) has shape {tuple(out.shape)} on {out.device}; the batch has "
                f"shape {tuple(batch.shape)} on {batch.device}"
            )
    if batch.device.type == "cpu" and batch.numel() > 0 and batch.is_contiguous() and \
            (out is None or out.is_contiguous()):
        result = torch.empty(batch.shape, dtype=torch.float32) if out is None else out
        return _normalize_by_lookup(batch, result, _normalize_tables(tuple(mean_a.tolist()), tuple(std_a.tolist())))
    shape = (-1, 1, 1)
    scale = torch.as_tensor(1.0 / (255.0 * std_a), dtype=torch.float32, device=batch.device).view(shape)
    bias = torch.as_tensor(-mean_a / std_a, dtype=torch.float32, device=batch.device).view(shape)
    result = batch.to(torch.float32) if out is None else out.copy_(batch)
    return result.mul_(scale).add_(bias)


@lru_cache(maxsize=16)
def _normalize_tables(mean: tuple[float, ...], std: tuple[float, ...]) -> list[np.ndarray]:
    """One float32 table per channel: ``(level / 255 - mean) / std`` for the 256 levels, rounded once."""
    levels = np.arange(256, dtype=np.float64) / 255.0
    return [((levels - m) / s).astype(np.float32) for m, s in zip(mean, std, strict=True)]


def _normalize_by_lookup(batch: Any, out: Any, tables: list[np.ndarray]) -> Any:
    """``normalize_batch`` on the CPU: one table lookup per channel plane (``cv2.LUT``), a single
    pass over the data where ``copy_``, ``mul_`` and ``add_`` make three (about 2× faster)."""
    import cv2

    src, dst = batch.numpy(), out.numpy()
    channels = src.shape[-3]
    src = src.reshape(-1, channels, src.shape[-2] * src.shape[-1])
    dst = dst.reshape(src.shape)
    for c in range(channels):  # [B, H·W] rows of one channel: strided rows, contiguous within
        cv2.LUT(src[:, c], tables[c if len(tables) > 1 else 0], dst=dst[:, c])
    return out


def stats_of(source: Any, std: Sequence[float] | None = None) -> tuple[Sequence[float], Sequence[float]]:
    """``(mean, std)`` from numbers, a dict, an output step or a generator (see :func:`normalize_batch`).

    Raises:
        InvalidArgument: for a generator or output step that carries no statistics, or ``std``
            given beside one.
    """
    if isinstance(source, (list, tuple, int, float)) or hasattr(source, "__array__"):  # the numbers themselves
        return source, IMAGENET_STD if std is None else std
    found = _carried(source)
    if found is None:
        raise InvalidArgument(f"normalize_batch(mean={type(source).__name__}) carries no statistics: pass the "
                              "generator a preset made, its output step, {'mean': ..., 'std': ...} or the numbers")
    if std is not None:
        raise InvalidArgument("normalize_batch: std= goes with numbers for mean=, not with a generator or its stats")
    return found


def _carried(source: Any) -> tuple[Sequence[float], Sequence[float]] | None:
    if isinstance(source, Mapping):
        return (source["mean"], source["std"]) if "mean" in source and "std" in source else None
    if hasattr(source, "mean") and hasattr(source, "std") and not callable(source.mean):
        return source.mean, source.std
    if hasattr(source, "pipelines"):  # a generator: its output step's, else its preset's statistics
        output = getattr(source, "output", None)
        if output is not None and not isinstance(output, Mapping):
            found = _carried(output)
            if found is not None:
                return found
        args = (getattr(source, "origin", None) or {}).get("args", {})
        if "mean" in args and "std" in args:
            return args["mean"], args["std"]
    return None
