"""Batching of items, for any modality: tensors of one shape stacked, tensors that differ in their
last axis padded with their lengths (:class:`Padded`), strings and other values as lists, numbers as
a tensor. Modality descriptors build their ``collate`` on :func:`collate_items` and :func:`stack`;
:mod:`augkit.datasets.collate` builds the DataLoader's ``collate_fn`` on them.

Example:
    >>> collate_items([torch.ones(1, 5), torch.ones(1, 3)]).lengths
    tensor([5, 3])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

from augkit.core.errors import InvalidInput, WrongInputType, quoted

__all__ = ["Padded", "collate_items", "collate_labels", "stack", "stack_items"]

NUMBERS = (int, float, np.integer, np.floating)


class Padded(NamedTuple):
    """Variable-length items padded along their last axis; ``lengths[b]`` is item b's true length.

    It unpacks as ``values, lengths = padded``; :attr:`mask` marks the real samples.

    Example:
        >>> values, lengths = padded; loss = (values * padded.mask[:, None]).sum()
    """

    values: torch.Tensor
    lengths: torch.Tensor

    @property
    def mask(self) -> torch.Tensor:
        """``[B, T_max]`` bool, True where item b has a real sample (``t < lengths[b]``), False on padding."""
        steps = torch.arange(self.values.shape[-1], device=self.values.device)
        return steps[None, :] < self.lengths.to(self.values.device)[:, None]


def items_named(indices: Sequence[int]) -> str:
    """``item 3`` or ``items [0, 2]`` (long lists cut after 8)."""
    if len(indices) == 1:
        return f"item {indices[0]}"
    shown = ", ".join(str(i) for i in indices[:8])
    return f"items [{shown}{f', ... {len(indices) - 8} more' if len(indices) > 8 else ''}]"


def _groups(keys: Sequence[Any]) -> dict[Any, list[int]]:
    """Item indices by key, in order of first appearance."""
    out: dict[Any, list[int]] = {}
    for i, key in enumerate(keys):
        out.setdefault(key, []).append(i)
    return out


def by_items(keys: Sequence[Any], what: Callable[[Any], str] = str) -> str:
    """``item 0: (1, 5); items [1, 2]: (2, 5)``: which items hold which key."""
    return "; ".join(f"{items_named(ix)}: {what(key)}" for key, ix in _groups(keys).items())


def _native(t: Any) -> Any:
    """A numpy array in native byte order, positive strides and writable (what torch takes
    without a copy warning); tensors as given."""
    if isinstance(t, np.ndarray) and (t.dtype.byteorder == ">" or any(s < 0 for s in t.strides)
                                      or not t.flags.writeable):
        return np.array(t, dtype=t.dtype.newbyteorder("="), order="C")
    return t


def _tensors(items: Sequence[Any]) -> list[torch.Tensor]:
    out = []
    for i, t in enumerate(items):
        try:
            out.append(t if isinstance(t, torch.Tensor) else torch.as_tensor(_native(t)))
        except (TypeError, ValueError, RuntimeError):
            raise WrongInputType(f"item {i}: an array of dtype {getattr(t, 'dtype', '?')} cannot become a tensor "
                                 "(give numbers, not objects or strings)") from None
    return out


def _common(tensors: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """The tensors in their common dtype (``torch.promote_types``): long with float gives float."""
    dtype = functools.reduce(torch.promote_types, (t.dtype for t in tensors))
    return [t.to(dtype) for t in tensors]


def stack(items: Sequence[Any]) -> torch.Tensor:
    """Tensors/arrays of one shape as one ``[B, ...]`` tensor in their common dtype.

    Example:
        >>> stack([np.zeros((2, 2), np.uint8), torch.ones(2, 2)]).dtype
        torch.float32
    """
    return torch.stack(_common(_tensors(items)))


def stack_items(items: Sequence[Any], device: Any = None) -> Any:
    """Items as one batch where they share a type, shape and dtype (numpy arrays stacked, or as one
    tensor on ``device`` when given; tensors stacked, moved to ``device`` when given), and as a list
    otherwise (texts, ragged items). The batch is always a new one, never a view of an item.

    Example:
        >>> stack_items([np.zeros((2, 2)), np.ones((2, 2))]).shape
        (2, 2, 2)
    """
    items = list(items)
    if not items:
        return items
    first = items[0]
    kind = type(first)
    if kind not in (np.ndarray, torch.Tensor) or not all(
            type(x) is kind and x.shape == first.shape and x.dtype == first.dtype for x in items):
        return items
    if kind is np.ndarray:
        out = np.stack(items)
        return out if device is None else torch.from_numpy(out).to(device)
    made = torch.stack(items)
    return made if device is None else made.to(device)


def _check_pad(pad_value: float, dtype: torch.dtype) -> None:
    """Refuse a ``pad_value`` the batch's dtype (after promotion: uint8 with float16 is float16)
    cannot hold, before torch fails on it."""
    if dtype == torch.bool:
        ok = pad_value in (0, 1)
    elif dtype.is_floating_point or dtype.is_complex:
        try:
            value = float(pad_value)
        except OverflowError:  # an int past any float
            ok = False
        else:
            real = torch.finfo(dtype if dtype.is_floating_point else dtype.to_real())
            ok = not math.isfinite(value) or abs(value) <= real.max
    else:
        info = torch.iinfo(dtype)
        ok = float(pad_value).is_integer() and info.min <= pad_value <= info.max if _finite(pad_value) else False
    if not ok:
        raise InvalidInput(f"pad_value={quoted(pad_value)} does not fit the batch's dtype {dtype}: give a pad_value "
                           "the dtype holds (0 for token ids and uint8; within ±65504 for float16)")


def _finite(value: float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _pad(tensors: Sequence[torch.Tensor], pad_value: float) -> Padded:
    tensors = _common(tensors)
    _check_pad(pad_value, tensors[0].dtype)
    lengths = torch.tensor([t.shape[-1] for t in tensors], dtype=torch.long)
    dtype = tensors[0].dtype
    # a float batch takes the value as a float: torch reads a Python int as an int64 first
    fill = float(pad_value) if dtype.is_floating_point or dtype.is_complex else pad_value
    out = torch.full((len(tensors), *tensors[0].shape[:-1], int(lengths.max())), fill, dtype=dtype,
                     device=tensors[0].device)
    for b, t in enumerate(tensors):
        out[b, ..., : t.shape[-1]] = t
    return Padded(out, lengths)


def is_numbers(items: Sequence[Any]) -> bool:
    return all(isinstance(x, NUMBERS) and not isinstance(x, bool) for x in items)


def collate_items(items: Sequence[Any], pad_value: float = 0.0) -> Any:
    """Collate one view (or one field of dict views) across a batch.

    - tensors/arrays of one shape are stacked into ``[B, ...]`` in their common dtype;
    - tensors/arrays that differ only in their last axis (audio clips, token ids) are padded with
      ``pad_value`` into a :class:`Padded` with their lengths, in their common dtype (long ids with
      float values give float, values kept);
    - strings stay a list of strings (tokenize them in the training process);
    - numbers become a tensor (labels, ids);
    - anything else is returned as a list (all None gives a list of None).

    Raises:
        ValueError: when tensors differ in more than their last axis (naming the items and their
            shapes), some items are None, or ``pad_value`` does not fit the dtype.
        TypeError: when strings or tensors are mixed with other types, naming the items.

    Example:
        >>> collate_items([torch.ones(1, 5), torch.ones(1, 3)]).lengths
        tensor([5, 3])
    """
    if not items:
        raise InvalidInput("cannot collate an empty batch")
    missing = [i for i, item in enumerate(items) if item is None]
    if missing and len(missing) < len(items):
        raise InvalidInput(f"batch items {missing} are None among {len(items)} views: a dataset returned None "
                           "for them (a file it could not read?); drop them in the dataset, not in the batch")
    first = items[0]
    if isinstance(first, str):
        others = [i for i, s in enumerate(items) if not isinstance(s, str)]
        if others:
            raise WrongInputType(f"a batch mixes strings with other types ({items_named(others)}: "
                                 f"{type(items[others[0]]).__name__}); every view of one position must be a str")
        return list(items)
    if isinstance(first, (torch.Tensor, np.ndarray)):
        others = [i for i, t in enumerate(items) if not isinstance(t, (torch.Tensor, np.ndarray))]
        if others:
            raise WrongInputType(f"a batch mixes tensors with other types ({items_named(others)}: "
                                 f"{type(items[others[0]]).__name__}); every view of one position must be a tensor")
        tensors = _tensors(items)
        shapes = [tuple(t.shape) for t in tensors]
        if len(set(shapes)) == 1:
            return torch.stack(_common(tensors))
        if len({s[:-1] for s in shapes}) != 1 or any(len(s) == 0 for s in shapes):
            raise InvalidInput(
                f"cannot collate tensors of shapes {sorted(set(shapes))}: only the last axis may differ "
                f"({by_items(shapes, lambda s: f'shape {s}')}); give the views of one position one shape: crop "
                "or resize them to one size, and read every file with one channel layout (the readers' "
                "color= and channels= options; their defaults give one)"
            )
        return _pad(tensors, pad_value)
    if is_numbers(items):
        return torch.as_tensor(np.asarray(items))
    return list(items)


def collate_labels(labels: Sequence[Any]) -> Any:
    """A batch's labels: None when there are none, a tensor of numbers, a list otherwise."""
    if all(label is None for label in labels):
        return None
    if is_numbers(labels):
        return torch.as_tensor(np.asarray(labels))
    return labels
