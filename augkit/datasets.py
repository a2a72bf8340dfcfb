"""Data plumbing: a dataset wrapper that yields n views per sample, collation for every modality,
and readers for folders and text files.

Example:
    >>> ds = ViewDataset(photos, augkit.image.simclr(seed=0))
    >>> loader = DataLoader(ds, batch_size=256, num_workers=8, collate_fn=collate_views)
    >>> for epoch in range(100):
    ...     ds.set_epoch(epoch)
    ...     for views, labels in loader: ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch

from augkit.views import ViewGenerator

__all__ = [
    "AUDIO_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "FolderDataset",
    "Padded",
    "ViewDataset",
    "collate_items",
    "collate_views",
    "read_lines",
]

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3")


class Padded(NamedTuple):
    """Variable-length items padded along their last axis; ``lengths[b]`` is item b's true length."""

    values: torch.Tensor
    lengths: torch.Tensor


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
    first = items[0]
    if isinstance(first, str):
        if not all(isinstance(s, str) for s in items):
            raise TypeError("a batch mixes strings with other types; every view of one position must be a str")
        return list(items)
    if isinstance(first, (torch.Tensor, np.ndarray)):
        tensors = [torch.as_tensor(t) for t in items]
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


def collate_views(batch: Sequence[tuple[Sequence[Any], Any]], pad_value: float = 0.0) -> tuple[list[Any], Any]:
    """``collate_fn`` for :class:`ViewDataset`: returns ``(views, labels)``.

    ``views[k]`` is view k of every sample, collated by :func:`collate_items` (``torch.cat(views)``
    gives the view-major ``[n·B, ...]`` layout the losses accept). ``labels`` is a tensor when the
    labels are numbers, a list otherwise, and None when the dataset has no labels.

    Raises:
        ValueError: when samples have different numbers of views.
    """
    if not batch:
        raise ValueError("cannot collate an empty batch")
    counts = {len(views) for views, _ in batch}
    if len(counts) != 1:
        raise ValueError(f"samples in one batch have different numbers of views: {sorted(counts)}")
    n = counts.pop()
    views = [collate_items([sample_views[k] for sample_views, _ in batch], pad_value) for k in range(n)]
    labels = [label for _, label in batch]
    if all(label is None for label in labels):
        return views, None
    numbers = (int, float, np.integer, np.floating)
    if all(isinstance(label, numbers) and not isinstance(label, bool) for label in labels):
        return views, torch.as_tensor(np.asarray(labels))
    return views, labels


def read_lines(path: str | Path, encoding: str = "utf-8", skip_blank: bool = True) -> list[str]:
    """Read a text file into one sample per line (trailing newline removed).

    Raises:
        FileNotFoundError: naming the path when it does not exist.
        ValueError: naming the path when it is not valid ``encoding`` text.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not {encoding} text ({exc.reason} at byte {exc.start})") from None
    lines = text.splitlines()
    return [line for line in lines if line.strip()] if skip_blank else lines


class FolderDataset(torch.utils.data.Dataset[Any]):
    """The files under ``root`` with the given extensions, sorted; items are loaded samples.

    Labels come from the first-level sub-folder names when ``labels_from_folders`` is True
    (``root/cat/1.jpg`` → label index of ``"cat"`` in ``classes``), ImageFolder-style.

    Args:
        root: the folder to scan recursively.
        extensions: lower-case suffixes to keep; defaults to images.
        loader: turns a path into a sample; defaults to an RGB uint8 numpy array for images and
            ``augkit.audio.load`` for audio files.
        labels_from_folders: return ``(sample, label_index)`` pairs.

    Raises:
        FileNotFoundError: when ``root`` is not a folder.
        ValueError: when no file under ``root`` has one of ``extensions``.
    """

    def __init__(
        self,
        root: str | Path,
        extensions: Sequence[str] = IMAGE_EXTENSIONS,
        loader: Callable[[Path], Any] | None = None,
        labels_from_folders: bool = False,
    ) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"FolderDataset root {self.root} is not a folder")
        wanted = tuple(e.lower() for e in extensions)
        self.paths = sorted(p for p in self.root.rglob("*") if p.is_file() and p.suffix.lower() in wanted)
        if not self.paths:
            raise ValueError(f"no files with extensions {list(wanted)} under {self.root}")
        self.loader = loader if loader is not None else _default_loader
        self.labels_from_folders = labels_from_folders
        self.classes = sorted({p.relative_to(self.root).parts[0] for p in self.paths if p.parent != self.root})

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> Any:
        path = self.paths[index]
        sample = self.loader(path)
        if not self.labels_from_folders:
            return sample
        folder = path.relative_to(self.root).parts[0] if path.parent != self.root else None
        if folder is None:
            raise ValueError(f"{path} lies directly in {self.root}; labels_from_folders needs class sub-folders")
        return sample, self.classes.index(folder)


def _default_loader(path: Path) -> Any:
    suffix = path.suffix.lower()
    if suffix in AUDIO_EXTENSIONS:
        from augkit.audio import load

        return load(path)[0]  # the waveform; audio ops take a tensor, not the (waveform, rate) pair
    from PIL import Image

    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))
