"""Data plumbing: a dataset wrapper that yields n views per sample, collation for every modality,
and readers for folders, text files and sources named on a command line.

Which files a reader keeps and how it loads them is up to each modality's descriptor
(:mod:`augkit.modalities`): its ``extensions``, ``load`` and ``read``.

Example:
    >>> ds = ViewDataset(photos, augkit.image.simclr(seed=0))
    >>> loader = DataLoader(ds, batch_size=256, num_workers=8, collate_fn=make_collate("image"))
    >>> for epoch in range(100):
    ...     ds.set_epoch(epoch)
    ...     for views, labels in loader: ...
"""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch

from augkit import modalities
from augkit.audio.modality import EXTENSIONS as AUDIO_EXTENSIONS
from augkit.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType
from augkit.image.modality import EXTENSIONS as IMAGE_EXTENSIONS
from augkit.views import ViewGenerator

__all__ = [
    "AUDIO_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "FolderDataset",
    "ModalityMismatch",
    "Padded",
    "ViewDataset",
    "collate_items",
    "collate_views",
    "make_collate",
    "read_lines",
    "read_sources",
]


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
    """The files under ``root`` of one modality (or with the given extensions), sorted; items are
    loaded samples.

    Which files are kept, and how each is loaded:

    - ``modality`` given: that descriptor's extensions (or ``extensions``, when given too), each
      file loaded with ``descriptor.load(path, **load_options)`` (``sample_rate=16000`` resamples
      audio, ``encoding=`` reads text);
    - ``extensions`` only: the files with those suffixes, each loaded by the descriptor that
      :func:`augkit.modalities.for_path` finds for it;
    - neither: the files some registered modality reads; they must all be of one modality (a
      folder of photos gives uint8 RGB arrays, ``H×W`` for grayscale files; audio files give
      float32 ``[channels, time]`` tensors; text files one string each).

    Labels come from the first-level sub-folder names when ``labels_from_folders`` is True
    (``root/cat/1.jpg`` → label index of ``"cat"`` in ``classes``), ImageFolder-style.

    Args:
        root: the folder to scan recursively.
        extensions: lower-case suffixes to keep (``(".flac",)``).
        loader: turns a path into a sample, instead of the descriptors' ``load``.
        labels_from_folders: return ``(sample, label_index)`` pairs.
        modality: the registered modality of the samples (``self.modality``; ``""`` when the kept
            files span several modalities or none claims them and ``loader`` reads them).
        load_options: keywords for the descriptor's ``load``.

    Raises:
        FileNotFoundError: when ``root`` is not a folder.
        ValueError: for an unknown ``modality``; when no file under ``root`` is kept; when, with
            neither ``modality`` nor ``extensions``, the files are of several modalities (naming
            them and their counts); when, without ``loader``, no modality reads a kept suffix.
        TypeError: when ``load_options`` are given with a ``loader``.

    Example:
        >>> clips = FolderDataset("data/audio", modality="audio", sample_rate=16000)
    """

    def __init__(
        self,
        root: str | Path,
        extensions: Sequence[str] | None = None,
        loader: Callable[[Path], Any] | None = None,
        labels_from_folders: bool = False,
        modality: str | None = None,
        **load_options: Any,
    ) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"FolderDataset root {self.root} is not a folder")
        if loader is not None and load_options:
            raise WrongArgumentType(f"FolderDataset: load options {sorted(load_options)} are for the modality's "
                                    "load; a custom loader takes the path only")
        descriptor = modalities.get(modality) if modality is not None else None
        kinds = _suffix_modalities()  # one lookup per file, not a registry scan
        files = sorted(p for p in self.root.rglob("*") if p.is_file())
        if extensions is not None or descriptor is not None:
            chosen = extensions if extensions is not None else descriptor.extensions if descriptor else ()
            wanted = tuple(e.lower() for e in chosen)
            self.paths = [p for p in files if p.suffix.lower() in wanted]
            if not self.paths:
                kind = f" ({descriptor.name} files)" if descriptor is not None else ""
                raise InvalidInput(f"no files with extensions {list(wanted)}{kind} under {self.root}")
        else:
            self.paths = [p for p in files if p.suffix.lower() in kinds]
            if not self.paths:
                raise InvalidInput(f"no files with extensions of a registered modality under {self.root} "
                                   f"(known: {', '.join(sorted(kinds))})")
        counts = Counter(kinds.get(p.suffix.lower(), "") for p in self.paths)
        unread = counts.pop("", 0)
        if descriptor is None and extensions is None and len(counts) > 1:
            raise InvalidInput(f"{self.root} holds files of several modalities ({_describe_counts(counts)}): "
                               f"pass modality= to keep one, e.g. FolderDataset({str(self.root)!r}, "
                               f"modality={counts.most_common(1)[0][0]!r})")
        if descriptor is None and loader is None and unread:
            suffixes = sorted({p.suffix.lower() for p in self.paths if p.suffix.lower() not in kinds})
            raise InvalidInput(f"no modality reads {', '.join(suffixes)} files under {self.root}: pass "
                               "modality= or loader=")
        if descriptor is not None:
            self.modality = descriptor.name
        else:  # "" when the files span modalities, or a loader reads files no modality claims
            self.modality = next(iter(counts)) if len(counts) == 1 and not unread else ""
        self.loader = loader
        self.load_options = dict(load_options)
        self.labels_from_folders = labels_from_folders
        self.classes = sorted({p.relative_to(self.root).parts[0] for p in self.paths if p.parent != self.root})

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> Any:
        path = self.paths[index]
        sample = self.load(path)
        if not self.labels_from_folders:
            return sample
        folder = path.relative_to(self.root).parts[0] if path.parent != self.root else None
        if folder is None:
            raise ValueError(f"{path} lies directly in {self.root}; labels_from_folders needs class sub-folders")
        return sample, self.classes.index(folder)

    def load(self, path: Path) -> Any:
        """One file as a sample: ``loader(path)``, or the descriptor's ``load``."""
        if self.loader is not None:
            return self.loader(path)
        descriptor = modalities.get(self.modality) if self.modality else modalities.for_path(path)
        if descriptor is None:  # the constructor made sure every kept suffix is read by some modality
            raise InvalidInput(f"no modality reads {path}")
        return descriptor.load(path, **self.load_options)


class ModalityMismatch(InvalidInput):
    """A source holds samples of another modality than the one asked for.

    Attributes:
        path: the source.
        found: the modality (or modalities, comma-separated) it holds.
        wanted: the modality asked for.
    """

    def __init__(self, path: str | Path, found: str, wanted: str) -> None:
        self.path, self.found, self.wanted = str(path), found, wanted
        super().__init__(f"{self.path} holds {found}, not {wanted}: give {wanted} sources "
                         f"({', '.join(modalities.get(wanted).extensions) or 'no files'})")


def read_sources(
    paths: str | Path | Iterable[str | Path], modality: str | None = None, *, limit: int | None = None,
    skipped: list[tuple[str, str]] | None = None, **options: Any,
) -> tuple[list[Any], str]:
    """The samples that files and folders named as sources hold, and their modality.

    A folder gives all its files of the modality, sorted (:class:`FolderDataset`, each file one
    sample); a file gives what its modality's ``read`` makes of it (a text file: one sample per
    non-blank line; an image or audio file: one sample). ``options`` go to ``read``/``load``
    (``sample_rate=16000`` for audio, ``encoding=`` for text). Every path is checked before any
    sample is loaded, so a missing or mistyped source fails fast.

    Args:
        paths: one source or several.
        modality: the modality the samples must be of; None takes the sources' own (one for all).
        limit: keep only the first ``limit`` samples (later files are not loaded).
        skipped: when given, a file of a folder that cannot be read (a corrupt image) is skipped
            and ``(path, reason)`` appended here, instead of raising.
        options: keywords for the descriptors' ``read``/``load``.

    Returns:
        ``(samples, modality_name)``.

    Raises:
        FileNotFoundError: naming a source that does not exist.
        ModalityMismatch: (a ValueError) when ``modality`` is given and a source holds another.
        ValueError: for a file no modality reads (naming it and the known extensions), sources of
            several modalities (naming them), an unknown ``modality``, a ``limit`` below 1, a folder
            of mixed modalities without ``modality``, a file that cannot be decoded, or no samples.

    Example:
        >>> texts, kind = read_sources(["data/sentences.txt"], limit=8)   # kind == "text"
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidArgument(f"limit={limit!r} must be a positive integer or None")
    if modality is not None:
        modalities.get(modality)  # an unknown name fails before any file is looked at
    sources = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not sources:
        raise InvalidArgument("read_sources needs at least one file or folder")
    plan: list[tuple[Path, Any]] = []  # (path, descriptor of a file | FolderDataset of a folder)
    first: dict[str, Path] = {}
    for source in sources:
        path = Path(source)
        item: FolderDataset | modalities.Modality
        if path.is_dir():
            item = _folder(path, modality, options)
            kind = item.modality
        elif path.is_file():
            descriptor = modalities.for_path(path)
            if descriptor is None:
                suffix = f"{path.suffix} files" if path.suffix else "files without a suffix"
                raise InvalidInput(f"{path}: no modality reads {suffix}; known extensions: "
                                   f"{', '.join(_known_extensions())}")
            if modality is not None and descriptor.name != modality:
                raise ModalityMismatch(path, descriptor.name, modality)
            kind, item = descriptor.name, descriptor
        else:
            raise FileNotFoundError(f"source {path} does not exist")
        first.setdefault(kind, path)
        if len(first) > 1:
            named = ", ".join(f"{k} ({p})" for k, p in first.items())
            raise InvalidInput(f"the sources mix modalities: {named}; give sources of one modality")
        plan.append((path, item))
    samples: list[Any] = []
    for path, item in plan:
        room = None if limit is None else limit - len(samples)
        if room is not None and room <= 0:
            break
        if isinstance(item, FolderDataset):
            for i in range(len(item)):
                if limit is not None and len(samples) >= limit:
                    break
                if skipped is None:
                    samples.append(item[i])
                    continue
                try:
                    samples.append(item[i])
                except (AugkitError, OSError) as err:
                    skipped.append((str(item.paths[i]), str(err)))
        else:
            samples.extend(item.read(path, **options)[:room])
    if not samples:
        raise InvalidInput(f"the sources hold no samples: {', '.join(str(s) for s in sources)}")
    return samples, next(iter(first))


def _known_extensions() -> list[str]:
    """Every file suffix a registered modality reads, sorted."""
    return sorted(_suffix_modalities())


def _suffix_modalities() -> dict[str, str]:
    """Suffix -> the modality :func:`augkit.modalities.for_path` gives files with it."""
    found: dict[str, str] = {}
    for name in modalities.names():
        for suffix in modalities.get(name).extensions:
            found.setdefault(suffix.lower(), name)
    return found


def _folder(path: Path, modality: str | None, options: dict[str, Any]) -> FolderDataset:
    """The folder as a dataset of ``modality``; a folder that holds only other modalities is a mismatch."""
    try:
        return FolderDataset(path, modality=modality, **options)
    except InvalidInput:
        if modality is not None:
            others = _modality_counts(p for p in path.rglob("*") if p.is_file())
            if others and modality not in others:
                raise ModalityMismatch(path, ", ".join(sorted(others)), modality) from None
        raise


def _modality_counts(paths: Iterable[Path]) -> Counter[str]:
    kinds = _suffix_modalities()
    return Counter(kinds[p.suffix.lower()] for p in paths if p.suffix.lower() in kinds)


def _describe_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {name} file{'s' if n != 1 else ''}" for name, n in sorted(counts.items()))
