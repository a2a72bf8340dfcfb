"""Waveform input handling shared by every audio op.

Accepted: float32/float64/int16 torch tensors or numpy arrays shaped ``[time]``,
``[channels, time]`` or ``[batch, channels, time]``. int16 is scaled by 1/32768; float64 becomes
float32. Every op returns the caller's layout (numpy in, numpy out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = ["Layout", "as_waveform", "check_sample_rate", "restore"]

_ACCEPTED = (
    "a float32, float64 or int16 torch tensor or numpy array shaped [time], [channels, time] or "
    "[batch, channels, time]"
)


@dataclass(frozen=True)
class Layout:
    """How the caller's waveform was shaped, so that the result can be shaped the same way."""

    ndim: int
    numpy: bool

    @property
    def batched(self) -> bool:
        return self.ndim == 3


def as_waveform(x: Any, name: str = "waveform") -> tuple[torch.Tensor, Layout]:
    """Return ``(float32 tensor [batch, channels, time], layout)``.

    Raises:
        TypeError: for other types or dtypes.
        ValueError: for an empty waveform, NaN or inf samples, or more than 3 dimensions.
    """
    was_numpy = isinstance(x, np.ndarray)
    if was_numpy:
        if x.dtype not in (np.float32, np.float64, np.int16):
            raise TypeError(f"{name} has dtype {x.dtype}; accepted: {_ACCEPTED}")
        t = torch.from_numpy(np.ascontiguousarray(x))
    elif isinstance(x, torch.Tensor):
        t = x
    else:
        raise TypeError(f"{name} of type {type(x).__name__} is not supported; accepted: {_ACCEPTED}")
    if t.dtype == torch.int16:
        t = t.to(torch.float32) / 32768.0
    elif t.dtype == torch.float64:
        t = t.to(torch.float32)
    elif t.dtype != torch.float32:
        raise TypeError(f"{name} has dtype {t.dtype}; accepted: {_ACCEPTED}")
    if t.ndim not in (1, 2, 3):
        raise ValueError(f"{name} has shape {tuple(t.shape)}; accepted: {_ACCEPTED}")
    if t.numel() == 0:
        raise ValueError(f"{name} of shape {tuple(t.shape)} is empty")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} holds NaN or inf samples")
    layout = Layout(ndim=t.ndim, numpy=was_numpy)
    while t.ndim < 3:
        t = t.unsqueeze(0)
    return t, layout


def restore(y: torch.Tensor, layout: Layout) -> Any:
    """Turn a ``[batch, channels, time]`` result back into the caller's layout."""
    if layout.ndim == 1:
        y = y[0, 0]
    elif layout.ndim == 2:
        y = y[0]
    return y.cpu().numpy() if layout.numpy else y


def check_sample_rate(sample_rate: Any, name: str = "sample_rate") -> int:
    """Validate a sample rate in Hz; returns it as an int."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise ValueError(f"{name}={sample_rate!r} must be a positive integer number of Hz")
    return int(sample_rate)
