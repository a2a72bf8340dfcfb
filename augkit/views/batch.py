"""Views of many samples at once (:meth:`augkit.ViewGenerator.generate_batch`): the arguments'
checks, the per-sample path every modality has, and moving its batches to a device. A modality with
a batch engine (images) runs its own from its descriptor's ``generate_batch`` and falls back here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from augkit.core import Params
from augkit.core.args import Integer
from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType

__all__ = ["BatchViews", "check_batch", "one_by_one", "to_device"]


@dataclass
class BatchViews:
    """Views of a batch: ``items[k]`` stacks view ``k`` of every sample; ``params[i][k]`` made it for sample ``i``."""

    items: list[Any]
    params: list[list[Params]]


def check_batch(samples: Sequence[Any], indices: Sequence[int], epoch: Any, device: Any,
                what: str = "samples") -> tuple[list[int], int, Any]:
    """``(indices, epoch, device)`` checked (the torch device, or None for the CPU engine).

    Raises:
        WrongArgumentType: for ``samples`` that is one array or not a sequence, or an index or epoch that is not an int.
        InvalidArgument: when ``samples`` is empty, ``indices`` has another length, an index or the
            epoch is negative, or ``device`` names no usable device.
    """
    if isinstance(samples, np.ndarray) or hasattr(samples, "dim"):  # one array or tensor: not a list
        raise WrongArgumentType(f"generate_batch({what}=...) takes a list of {what}, got one "
                                f"{type(samples).__name__} of shape {tuple(getattr(samples, 'shape', ()))}; "
                                f"pass [x] for one")
    for name, seq in ((what, samples), ("indices", indices)):
        if isinstance(seq, (str, bytes, dict)) or not hasattr(seq, "__len__") or not hasattr(seq, "__getitem__"):
            raise WrongArgumentType(f"generate_batch({name}=...) must be a sequence (a list), got {type(seq).__name__}")
    if len(samples) == 0 or len(samples) != len(indices):
        raise InvalidArgument(f"generate_batch needs one index per {what[:-1]}: got {len(samples)} {what}, "
                              f"{len(indices)} indices")
    index = Integer(0, None)
    indices = [index(i, f"generate_batch(): indices[{n}]") for n, i in enumerate(indices)]
    epoch = index(epoch, "generate_batch(): epoch")
    return indices, epoch, _device(device)


def _device(device: Any) -> Any:
    """The torch device of the torch engine, or None for the OpenCV engine."""
    if device is None:
        return None
    import torch

    try:
        target = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidArgument(f"generate_batch(device={device!r}) must be None, 'cpu', 'cuda' or a torch.device") \
            from None
    if target.type == "cuda" and not torch.cuda.is_available():
        raise InvalidArgument(f"generate_batch(device={device!r}): this torch sees no CUDA device; use device=None "
                              "(OpenCV, bit-identical) or device='cpu'")
    return target


def to_device(made: BatchViews, target: Any) -> BatchViews:
    """Per-sample views moved to the device: tensors as they are; arrays ``[B, H, W, C]`` as
    ``[B, C, H, W]`` and ``[B, H, W]`` as ``[B, 1, H, W]`` (what an image batch engine gives)."""
    import torch

    items = []
    for item in made.items:
        t = torch.as_tensor(item)
        if isinstance(item, np.ndarray):
            t = t.permute(0, 3, 1, 2) if t.ndim == 4 else t[:, None]
        items.append(t.contiguous().to(target))
    return BatchViews(items=items, params=made.params)


def one_by_one(vg: Any, samples: Sequence[Any], indices: list[int], epoch: int, what: str = "samples") -> BatchViews:
    """Each sample's views by ``vg.generate``, view ``k`` of every sample stacked into ``items[k]``.

    Raises:
        InvalidInput: when the views of one position differ in shape, naming the first two samples.
        WrongArgumentType: when a view is not an array or tensor.
    """
    views = []
    for n, (x, i) in enumerate(zip(samples, indices, strict=True)):
        try:
            views.append(vg.generate(x, index=i, epoch=epoch))
        except AugkitError as err:
            raise type(err)(f"generate_batch(): {what}[{n}]: {err}") from None
    items: list[Any] = []
    for k in range(vg.n_views):
        column = [v.items[k] for v in views]
        _check_stackable(column, k, what)
        if isinstance(column[0], np.ndarray):
            items.append(np.stack(column))
        else:
            import torch

            items.append(torch.stack(column))
    return BatchViews(items=items, params=[v.params for v in views])


def _check_stackable(column: list[Any], k: int, what: str) -> None:
    """View ``k`` of every sample as arrays of one shape, or an error naming the first two samples that differ."""
    import torch

    for i, view in enumerate(column):
        if not isinstance(view, (np.ndarray, torch.Tensor)):
            raise WrongArgumentType(f"generate_batch stacks array and tensor views: view {k} of {what}[{i}] is a "
                                    f"{type(view).__name__}; call vg.generate per sample for these views")
    first = tuple(column[0].shape)
    for i, view in enumerate(column):
        if tuple(view.shape) != first:
            raise InvalidInput(
                f"generate_batch: view {k} of {what}[0] has shape {first} and of {what}[{i}] {tuple(view.shape)}, "
                f"so they do not stack into one batch; give one batch {what} whose views have one shape")
