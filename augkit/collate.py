"""Collation of views into batches, for every modality: stacked tensors, padded clips with their
lengths, lists or tokenizer batches of strings.

Example:
    >>> loader = DataLoader(ds, batch_size=256, collate_fn=make_collate("image"))
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

from augkit import modalities
from augkit.errors import InvalidArgument, InvalidInput, WrongArgumentType

__all__ = ["Padded", "collate_items", "collate_views", "make_collate"]


class Padded(NamedTuple):
    """Variable-length items padded along their last axis; ``lengths[b]`` is item b's true length."""

    values: torch.Tensor
    lengths: torch.Tensor



def _native(t: Any) -> Any:
    """A numpy array in native byte order and positive strides (what torch takes); tensors as given."""
    if isinstance(t, np.ndarray) and (t.dtype.byteorder == ">" or any(s < 0 for s in t.strides)):
        return np.ascontiguousarray(t, dtype=t.dtype.newbyteorder("="))
    return t


def collate_items(items: Sequence[Any], pad_value: float = 0.0) -> Any:
    """Collate one view across a batch.

    - tensors/arrays of one shape are stacked into ``[B, ...]``;
    - tensors/arrays that differ only in their last axis (audio clips, token ids) are padded with
      ``pad_value`` into a :class:`Padded` with their lengths;
    - strings stay a list of strings (tokenize them in the training process);
    - anything else is returned as a list.

    Raises:
        ValueError: when tensors differ in more than their last axis, naming the shapes seen.
    """
    if not items:
        raise ValueError("cannot collate an empty batch")
    missing = [i for i, item in enumerate(items) if item is None]
    if missing and len(missing) < len(items):
        raise InvalidInput(f"batch items {missing} are None among {len(items)} views: a dataset returned None "
                           "for them (a file it could not read?); drop them in the dataset, not in the batch")
    first = items[0]
    if isinstance(first, str):
        if not all(isinstance(s, str) for s in items):
            raise TypeError("a batch mixes strings with other types; every view of one position must be a str")
        return list(items)
    if isinstance(first, (torch.Tensor, np.ndarray)):
        tensors = [torch.as_tensor(_native(t)) for t in items]
        shapes = {tuple(t.shape) for t in tensors}
        if len(shapes) == 1:
            return torch.stack(tensors)
        heads = {s[:-1] for s in shapes}
        if len(heads) != 1 or any(len(s) == 0 for s in shapes):
            raise ValueError(
                f"cannot collate tensors of shapes {sorted(shapes)}: only the last axis may differ "
                "(resize or crop images to one size)"
            )
        lengths = torch.tensor([t.shape[-1] for t in tensors], dtype=torch.long)
        out = tensors[0].new_full((len(tensors), *tensors[0].shape[:-1], int(lengths.max())), pad_value)
        for b, t in enumerate(tensors):
            out[b, ..., : t.shape[-1]] = t
        return Padded(out, lengths)
    return list(items)


def collate_views(
    batch: Sequence[tuple[Sequence[Any], Any]], pad_value: float = 0.0, modality: str | None = None, **options: Any
) -> tuple[list[Any], Any]:
    """``collate_fn`` for :class:`ViewDataset`: returns ``(views, labels)``.

    ``views[k]`` is view k of every sample (``torch.cat(views)`` gives the view-major ``[n·B, ...]``
    layout the losses accept). Without ``modality`` each position is collated by
    :func:`collate_items`; with it, by that modality's descriptor:
    ``modalities.get(modality).collate(items, **options)``. ``pad_value`` reaches a descriptor
    only when its ``collate`` names a ``pad_value`` parameter (audio pads ragged clips; images and
    texts do not pad, so a ``pad_value`` other than 0.0 is refused for them). ``options`` go to the
    descriptor as they are (text: ``tokenizer=tok, padding=True, return_tensors="pt"``).

    ``labels`` is a tensor when the labels are numbers, a list otherwise, and None when the
    dataset has no labels. Use :func:`make_collate` to hand these arguments to a DataLoader.

    Raises:
        ValueError: when the batch is empty, samples have different numbers of views, ``modality``
            is unknown, or ``pad_value`` is given to a modality that does not pad; and what the
            descriptor's ``collate`` raises (images of different sizes).
        TypeError: when ``options`` are given without ``modality``.

    Example:
        >>> views, labels = collate_views(batch, modality="text", tokenizer=tok, padding=True)
    """
    if not batch:
        raise ValueError("cannot collate an empty batch")
    counts = {len(views) for views, _ in batch}
    if len(counts) != 1:
        raise ValueError(f"samples in one batch have different numbers of views: {sorted(counts)}")
    n = counts.pop()
    collate = _collate_for(modality, pad_value, options)
    views = [collate([sample_views[k] for sample_views, _ in batch]) for k in range(n)]
    labels = [label for _, label in batch]
    if all(label is None for label in labels):
        return views, None
    numbers = (int, float, np.integer, np.floating)
    if all(isinstance(label, numbers) and not isinstance(label, bool) for label in labels):
        return views, torch.as_tensor(np.asarray(labels))
    return views, labels


def make_collate(
    modality: str | None = None, pad_value: float = 0.0, **options: Any
) -> Callable[[Sequence[tuple[Sequence[Any], Any]]], tuple[list[Any], Any]]:
    """A ``collate_fn`` for DataLoader: :func:`collate_views` with these arguments bound.

    It is a :func:`functools.partial`, so it pickles for worker processes when ``options`` do (a
    Hugging Face tokenizer does). The arguments are checked here, before any batch is made.

    Raises:
        ValueError: for an unknown ``modality``, or a ``pad_value`` it does not take.
        TypeError: for ``options`` without ``modality``.

    Example:
        >>> loader = DataLoader(ds, batch_size=64, collate_fn=make_collate("audio", pad_value=0.0))
    """
    _collate_for(modality, pad_value, options)
    return functools.partial(collate_views, pad_value=pad_value, modality=modality, **options)


def _collate_for(modality: str | None, pad_value: float, options: dict[str, Any]) -> Callable[[list[Any]], Any]:
    """The function that collates one view position, checked once per call of :func:`collate_views`."""
    if modality is None:
        if options:
            raise WrongArgumentType(f"collate options {sorted(options)} go to a modality's collate: pass modality=")
        return functools.partial(collate_items, pad_value=pad_value)
    descriptor = modalities.get(modality)
    if "pad_value" in inspect.signature(descriptor.collate).parameters:
        return functools.partial(descriptor.collate, pad_value=pad_value, **options)
    if pad_value != 0.0:
        raise InvalidArgument(f"{modality} views are not padded (pad_value={pad_value!r}); leave pad_value out")
    return functools.partial(descriptor.collate, **options)
