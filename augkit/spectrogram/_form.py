"""The canonical form of a log-mel spectrogram, and the caller's form an op hands its result back in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from augkit.core.errors import InvalidInput, WrongInputType

__all__ = ["EPS", "Layout", "as_spectrogram", "native", "restore"]

#: The floor added before the log (``torch.finfo(torch.float32).eps``, as BYOL-A's dataset and
#: ``log_mixup_exp`` add it, ``byol_a/dataset.py``, ``byol_a/augmentations.py``): ``log(EPS)`` is silence.
EPS = float(torch.finfo(torch.float32).eps)
_FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


@dataclass(frozen=True)
class Layout:
    """How the caller gave a spectrogram: numpy or torch, and ``[mels, frames]`` or ``[channels, mels, frames]``."""

    numpy: bool
    two_d: bool


def as_spectrogram(x: Any, name: str = "spectrogram") -> tuple[torch.Tensor, Layout]:
    """``x`` as a float32 tensor ``[channels, mels, frames]`` and how it was given.

    Accepted: float16, float32 or float64 tensors or numpy arrays shaped ``[mels, frames]`` (one
    channel) or ``[channels, mels, frames]``.

    Raises:
        WrongInputType: for another type or an integer dtype.
        InvalidInput: for another number of dimensions, an empty axis, or NaN/inf values.
    """
    numpy = isinstance(x, np.ndarray)
    if numpy:
        if x.dtype.kind != "f":
            raise WrongInputType(f"{name} has dtype {x.dtype}; a log-mel spectrogram is float16, float32 or "
                                 "float64 (an int array is not a log-mel: compute one with augkit.spectrogram.LogMel)")
        t = torch.from_numpy(native(x))
    elif isinstance(x, torch.Tensor):
        if x.dtype not in _FLOATS:
            raise WrongInputType(f"{name} has dtype {x.dtype}; a log-mel spectrogram is a float tensor")
        t = x
    else:
        raise WrongInputType(f"{name} must be a float tensor or numpy array [channels, mels, frames], got "
                             f"{type(x).__name__} (a waveform or an audio file: give the generator the input step "
                             "augkit.spectrogram.LogMel, as the spectrogram presets do)")
    if t.ndim not in (2, 3):
        hint = (" (a waveform? convert it with augkit.spectrogram.LogMel)" if t.ndim == 1 else
                " (a batch? augment one spectrogram at a time, or use vg.generate_batch)" if t.ndim == 4 else "")
        raise InvalidInput(f"{name} of shape {tuple(t.shape)} must be [mels, frames] or [channels, mels, frames]{hint}")
    if 0 in t.shape:
        raise InvalidInput(f"{name} of shape {tuple(t.shape)} is empty; give at least one mel band and one frame")
    t = t.to(torch.float32).contiguous()  # one memory layout: reductions (a mask's mean) sum in one order
    if not bool(torch.isfinite(t).all()):
        raise InvalidInput(f"{name} holds NaN or inf values; a log-mel adds a floor before the log "
                           "(log(power + eps), as LogMel does)")
    two_d = t.ndim == 2
    return (t[None] if two_d else t), Layout(numpy=numpy, two_d=two_d)


def restore(y: torch.Tensor, layout: Layout) -> Any:
    """An op's result ``[channels, mels, frames]`` back in the caller's layout (numpy in: numpy float32 out)."""
    out = y[0] if layout.two_d else y
    return out.detach().cpu().numpy() if layout.numpy else out


def native(x: np.ndarray) -> np.ndarray:
    """A C-ordered, writable copy where torch needs one: numpy keeps a negative stride on an axis of
    length 1 (``x[::-1]`` of one row) even in a "contiguous" array, and torch refuses it."""
    arr = np.ascontiguousarray(x)
    return arr.copy() if not arr.flags.writeable or any(s < 0 for s in arr.strides) else arr
