"""Waveform input handling shared by every audio op.

Accepted: float32, float64 or int16 torch tensors or numpy arrays shaped ``[time]``,
``[channels, time]`` or ``[batch, channels, time]``. float32 is kept as it is, float64 becomes
float32 and int16 is scaled by 1/32768 (full scale maps to [-1, 1)). Every op hands its result
back in the caller's layout: the same number of dimensions, numpy in → numpy float32 out, a torch
tensor in → a float32 tensor out on the same device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = ["ACCEPTED", "Layout", "as_waveform", "check_sample_rate", "restore"]

ACCEPTED = (
    "a float32, float64 or int16 torch tensor or numpy array shaped [time], [channels, time] or "
    "[batch, channels, time]"
)
_NUMPY_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int16))


@dataclass(frozen=True)
class Layout:
    """How the caller's waveform was shaped, so that a result can be handed back the same way.

    Attributes:
        ndim: 1 (``[time]``), 2 (``[channels, time]``) or 3 (``[batch, channels, time]``).
        numpy: whether the input was a numpy array (the result is then a numpy float32 array).
        batched: whether the input was a batch (``ndim == 3``): ops then draw per-example params.
    """

    ndim: int
    numpy: bool
    batched: bool


def as_waveform(x: Any, name: str = "waveform") -> tuple[torch.Tensor, Layout]:
    """Validate ``x`` and return it as a float32 tensor ``[batch, channels, time]`` plus its layout.

    Args:
        x: a torch tensor or numpy array, float32, float64 or int16, shaped ``[time]``,
            ``[channels, time]`` or ``[batch, channels, time]``.
        name: what to call ``x`` in error messages.

    Returns:
        ``(waveform, layout)``; the waveform is on ``x``'s device and shares memory with ``x``
        when ``x`` is already float32 (ops never write into it).

    Raises:
        TypeError: for another type or dtype (the message names it and what is accepted).
        ValueError: for an empty waveform, NaN or inf samples, or another number of dimensions.

    Example:
        >>> wav, layout = as_waveform(np.zeros(16000, dtype=np.int16))  # wav.shape == (1, 1, 16000)
    """
    was_numpy = isinstance(x, np.ndarray)
    if was_numpy:
        native = x.dtype.newbyteorder("=") if x.dtype.byteorder not in ("=", "|") else x.dtype
        if native not in _NUMPY_DTYPES:
            raise TypeError(f"{name} has dtype {x.dtype}; accepted: {ACCEPTED}")
        arr = np.ascontiguousarray(x, dtype=native)
        if not arr.flags.writeable:  # torch warns on read-only memory (np.frombuffer, memory maps)
            arr = arr.copy()
        t = torch.from_numpy(arr)
    elif isinstance(x, torch.Tensor):
        t = x
    else:
        raise TypeError(f"{name} of type {type(x).__name__} is not supported; accepted: {ACCEPTED}")
    if t.dtype == torch.int16:
        t = t.to(torch.float32) / 32768.0
    elif t.dtype == torch.float64:
        t = t.to(torch.float32)
    elif t.dtype != torch.float32:
        raise TypeError(f"{name} has dtype {t.dtype}; accepted: {ACCEPTED}")
    if t.ndim not in (1, 2, 3):
        raise ValueError(f"{name} has shape {tuple(t.shape)}; accepted: {ACCEPTED}")
    if t.numel() == 0:
        raise ValueError(f"{name} of shape {tuple(t.shape)} is empty; pass at least one sample")
    # One reduction instead of a boolean mask: a NaN or inf sample makes the sum non-finite. A
    # finite sum can also overflow to inf, so a non-finite sum is confirmed sample by sample.
    if not math.isfinite(float(t.sum())) and not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} holds NaN or inf samples; replace them (torch.nan_to_num) before augmenting")
    layout = Layout(ndim=t.ndim, numpy=was_numpy, batched=t.ndim == 3)
    if t.ndim == 1:
        t = t[None, None]
    elif t.ndim == 2:
        t = t[None]
    return t, layout


def restore(y: torch.Tensor, layout: Layout) -> Any:
    """Turn a ``[batch, channels, time']`` result back into the caller's layout.

    ``[time]`` inputs get ``y[0, 0]``, ``[channels, time]`` inputs ``y[0]``; numpy inputs get a
    numpy float32 array (copied to host memory when ``y`` is on a GPU).

    Example:
        >>> restore(wav * 0.5, layout)
    """
    if layout.ndim == 1:
        y = y[0, 0]
    elif layout.ndim == 2:
        y = y[0]
    return y.detach().cpu().numpy() if layout.numpy else y


def check_sample_rate(sample_rate: Any, name: str = "sample_rate") -> int:
    """Validate a sample rate in Hz and return it as an int.

    Integers (python or numpy) and integral floats such as ``16000.0`` are accepted.

    Raises:
        ValueError: for a rate ≤ 0, a non-integer, or something that is not a number.

    Example:
        >>> check_sample_rate(16000)
        16000
    """
    if isinstance(sample_rate, (bool, np.bool_)) or not isinstance(sample_rate, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}={sample_rate!r} must be a positive integer number of Hz, e.g. 16000")
    value = float(sample_rate)
    if not math.isfinite(value) or value <= 0 or value != int(value):
        raise ValueError(f"{name}={sample_rate!r} must be a positive integer number of Hz, e.g. 16000")
    return int(value)
