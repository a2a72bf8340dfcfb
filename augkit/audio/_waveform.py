"""Waveform input handling shared by every audio op.

Accepted: float32, float64 or int16 torch tensors or numpy arrays shaped ``[time]``,
``[channels, time]`` or ``[batch, channels, time]``. float32 is kept as it is, float64 becomes
float32 and int16 is scaled by 1/32768 (full scale maps to [-1, 1)). Every op hands its result
back in the caller's layout: the same number of dimensions, numpy in → numpy float32 out, a torch
tensor in → a float32 tensor out on the same device.

This is the one audio convention: an op sees a float32 tensor ``[channels, time]`` at the rate its
pipeline was built for; there is no clip type carrying a rate. Ops whose arguments are in seconds
or hertz take ``sample_rate`` at construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from augkit.core.errors import InvalidInput, WrongInputType

__all__ = ["ACCEPTED", "MAX_CHANNELS", "Layout", "as_waveform", "fit", "restore"]

#: The most channels a clip may have. More usually means a ``[time, channels]`` array (what
#: ``soundfile.read`` returns) read the other way round: 66,150 "channels" of 2 samples.
MAX_CHANNELS = 64

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


def as_waveform(x: Any, name: str = "waveform", channels_last: bool = False) -> tuple[torch.Tensor, Layout]:
    """Validate ``x`` and return it as a float32 tensor ``[batch, channels, time]`` plus its layout.

    Args:
        x: a torch tensor or numpy array, float32, float64 or int16, shaped ``[time]``,
            ``[channels, time]`` or ``[batch, channels, time]``.
        name: what to call ``x`` in error messages.
        channels_last: ``x`` is ``[time, channels]`` (or ``[batch, time, channels]``), as
            ``soundfile.read`` returns it; it is transposed, and results are channels first.

    Returns:
        ``(waveform, layout)``; the waveform is contiguous, on ``x``'s device, and shares memory
        with ``x`` when ``x`` is already a contiguous float32 array or tensor (ops never write
        into it). Strided inputs (reversed, sliced, transposed) are copied.

    Raises:
        WrongInputType: for another type or dtype (the message names it and what is accepted).
        InvalidInput: for an empty waveform, NaN or inf samples, another number of dimensions, or
            more than :data:`MAX_CHANNELS` channels (the message says to transpose a
            ``[time, channels]`` array).

    Example:
        >>> wav, layout = as_waveform(np.zeros(16000, dtype=np.int16))  # wav.shape == (1, 1, 16000)
    """
    was_numpy = isinstance(x, np.ndarray)
    if was_numpy:
        native = x.dtype.newbyteorder("=") if x.dtype.byteorder not in ("=", "|") else x.dtype
        if native not in _NUMPY_DTYPES:
            raise WrongInputType(f"{name} has dtype {x.dtype}; accepted: {ACCEPTED}")
        arr = np.ascontiguousarray(x, dtype=native)
        # torch warns on read-only memory (np.frombuffer, memory maps) and refuses negative strides,
        # which numpy keeps on an axis of length 1 (x[::-1] of one frame is "contiguous" to it)
        if not arr.flags.writeable or any(s < 0 for s in arr.strides):
            arr = arr.copy()
        t = torch.from_numpy(arr)
    elif isinstance(x, torch.Tensor):
        t = x
    else:
        raise WrongInputType(f"{name} of type {type(x).__name__} is not supported; accepted: {ACCEPTED}")
    if t.dtype == torch.int16:
        t = t.to(torch.float32) / 32768.0
    elif t.dtype == torch.float64:
        t = t.to(torch.float32)
    elif t.dtype != torch.float32:
        raise WrongInputType(f"{name} has dtype {t.dtype}; accepted: {ACCEPTED}")
    if t.ndim not in (1, 2, 3):
        raise InvalidInput(f"{name} has shape {tuple(t.shape)}; accepted: {ACCEPTED}")
    if t.numel() == 0:
        raise InvalidInput(f"{name} of shape {tuple(t.shape)} is empty; pass at least one sample")
    if channels_last and t.ndim >= 2:
        t = t.transpose(-1, -2)
    if t.ndim >= 2 and t.shape[-2] > MAX_CHANNELS:
        shape = tuple(t.shape)
        hint = ("it looks like [time, channels], what soundfile.read returns: transpose it (x.T), or read "
                "files with augkit.audio.load, which returns [channels, time]" if t.shape[-1] <= MAX_CHANNELS
                else "split it into clips")
        raise InvalidInput(f"{name} of shape {shape} would have {shape[-2]} channels (at most {MAX_CHANNELS}); {hint}")
    # One reduction instead of a boolean mask: a NaN or inf sample makes the sum non-finite. A
    # finite sum can also overflow to inf, so a non-finite sum is confirmed sample by sample.
    if not math.isfinite(float(t.sum())) and not bool(torch.isfinite(t).all()):
        raise InvalidInput(f"{name} holds NaN or inf samples; replace them (torch.nan_to_num) before augmenting")
    layout = Layout(ndim=t.ndim, numpy=was_numpy, batched=t.ndim == 3)
    if t.ndim == 1:
        t = t[None, None]
    elif t.ndim == 2:
        t = t[None]
    # kernels flatten [batch, channels] with .view (torchaudio's resample does): a strided tensor
    # (a transposed or sliced batch) is copied once here rather than failing there
    return t.contiguous(), layout


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


def fit(x: torch.Tensor, length: int) -> torch.Tensor:
    """Crop or zero-pad the last axis of ``x`` to ``length`` samples (padding at the end).

    The one helper for every op whose output has a set length (a crop, ``keep_length=True``, a
    pitch shift): cropping returns a view of ``x``.

    Example:
        >>> fit(torch.ones(1, 3), 5).tolist()
        [[1.0, 1.0, 1.0, 0.0, 0.0]]
    """
    n = x.shape[-1]
    return x[..., :length] if n >= length else torch.nn.functional.pad(x, (0, length - n))
