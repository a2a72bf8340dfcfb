"""Data plumbing: a dataset wrapper that yields n views per sample, collation for every modality,
and readers for folders, text files and sources named on a command line. Collation lives in
:mod:`augkit.collate` and the readers in :mod:`augkit.readers`; both are served from here too.

Example:
    >>> ds = ViewDataset(photos, augkit.image.simclr(seed=0))
    >>> loader = DataLoader(ds, batch_size=256, num_workers=8, collate_fn=make_collate("image"))
    >>> for epoch in range(100):
    ...     ds.set_epoch(epoch)
    ...     for views, labels in loader: ...
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from augkit.collate import Padded, ViewCollate, collate_items, collate_views, make_collate
from augkit.readers import (
    AUDIO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    FolderDataset,
    ModalityMismatch,
    read_lines,
    read_sources,
)
from augkit.views import ViewGenerator

__all__ = [
    "AUDIO_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "FolderDataset",
    "ModalityMismatch",
    "Padded",
    "ViewCollate",
    "ViewDataset",
    "collate_items",
    "collate_views",
    "make_collate",
    "read_lines",
    "read_sources",
]


class ViewDataset(torch.utils.data.Dataset[tuple[list[Any], Any]]):
    """Wrap an indexable dataset so that item ``i`` is ``(views, label)``.

    Views are made with ``views(x, index=i, epoch=self.epoch)``, so a sample gets the same views
    whatever the number of workers or DDP ranks. Call :meth:`set_epoch` before each epoch. With
    ``persistent_workers=True`` DataLoader workers keep their copy of the dataset, so the epoch
    would not reach them: leave it False (the default) or rebuild the loader each epoch.

    Args:
        data: anything with ``__len__`` and ``__getitem__``; an item is a sample, or a
            ``(sample, label)`` pair when ``labelled`` is True. ``labelled=None`` treats 2-tuples as
            pairs.
        views: the ViewGenerator that makes the views.
        epoch: the starting epoch.
        labelled: whether items are ``(sample, label)`` pairs; None guesses from each item.

    Raises:
        TypeError: when ``views`` is not a ViewGenerator or ``data`` is not indexable.
    """

    def __init__(self, data: Any, views: ViewGenerator, epoch: int = 0, labelled: bool | None = None) -> None:
        if not isinstance(views, ViewGenerator):
            raise TypeError(f"views must be an augkit.ViewGenerator, got {type(views).__name__}")
        if not (hasattr(data, "__len__") and hasattr(data, "__getitem__")):
            raise TypeError(f"data must support len() and indexing, got {type(data).__name__}")
        self.data = data
        self.views = views
        self.labelled = labelled
        self.epoch = 0
        self.set_epoch(epoch)

    def set_epoch(self, epoch: int) -> None:
        """Make the next items use ``epoch``'s views."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"epoch={epoch!r} must be a non-negative integer")
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[list[Any], Any]:
        item = self.data[index]
        pair = self.labelled if self.labelled is not None else isinstance(item, tuple) and len(item) == 2
        if pair:
            if not (isinstance(item, (tuple, list)) and len(item) == 2):
                raise ValueError(
                    f"data[{index}] must be a (sample, label) pair since labelled=True, got {type(item).__name__}"
                )
            x, label = item
        else:
            x, label = item, None
        return self.views(x, index=int(index), epoch=self.epoch), label
