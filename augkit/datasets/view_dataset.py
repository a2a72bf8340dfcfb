"""Datasets that yield n views per sample: :class:`ViewDataset` over any indexable source,
:class:`IterableViewDataset` over streams, and :class:`SourceDataset` with :class:`BatchCollate` for
the batch path. Collation lives in :mod:`augkit.datasets.collate`, the readers in
:mod:`augkit.datasets.readers` and :mod:`augkit.datasets.manifest`.

Example:
    >>> ds = ViewDataset(photos, augkit.image.simclr(seed=0))
    >>> loader = DataLoader(ds, batch_size=256, num_workers=8, collate_fn=make_collate("image"))
    >>> for epoch in range(100):
    ...     ds.set_epoch(epoch)
    ...     for views, labels in loader: ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import torch

from augkit.core.batching import collate_labels
from augkit.core.errors import InvalidArgument, InvalidInput, WrongInputType, quoted
from augkit.datasets.hf import HFRows, is_hf_dataset
from augkit.views.generator import ViewGenerator

__all__ = ["BatchCollate", "IterableViewDataset", "SourceBatch", "SourceDataset", "ViewDataset", "ViewList",
           "collate_sources"]


class ViewList(list[Any]):
    """The views of one dataset item: a list (``views[k]`` is view k) that also carries their
    records (``.params``, one per view), so a collate can return them (``ViewCollate(return_params=True)``),
    and their modality (``.modality``, the generator's; ``""`` for dict views), so a collate
    without ``modality=`` can say what a batch it cannot make needs."""

    def __init__(self, items: list[Any], params: list[Any], modality: str = "") -> None:
        super().__init__(items)
        self.params = params
        self.modality = modality


#: An epoch lives in shared memory as 63-bit limbs (each fits an int64), up to this many bits (4229
#: decimal digits): every such epoch names a stream, whose key Python writes in at most 4300 digits.
MAX_EPOCH_BITS = 63 * 223
_LIMB_BITS, _LIMB_MASK = 63, (1 << 63) - 1


class _SharedEpoch:
    """An epoch number every DataLoader worker reads live, persistent workers included: it lives in
    shared memory, which forked and spawned workers alike map rather than copy. Any epoch a
    ViewGenerator takes fits (word 0 counts the limbs that follow, least significant first)."""

    def __init__(self, epoch: int) -> None:
        self.value = torch.zeros(1 + MAX_EPOCH_BITS // _LIMB_BITS, dtype=torch.int64).share_memory_()
        self.set(epoch)

    def get(self) -> int:
        if int(self.value[0]) == 1:  # every epoch below 2**63: one word
            return int(self.value[1])
        limbs = self.value[1 : 1 + int(self.value[0])].tolist()
        return sum(limb << (_LIMB_BITS * k) for k, limb in enumerate(limbs))

    def set(self, epoch: int) -> None:
        value = _checked_epoch(epoch)
        if value.bit_length() > MAX_EPOCH_BITS:
            raise InvalidArgument(f"epoch={quoted(value)} has {value.bit_length()} bits, more than the "
                                  f"{MAX_EPOCH_BITS} an epoch may have (its stream key is written in decimal)")
        limbs = []
        while True:
            limbs.append(value & _LIMB_MASK)
            value >>= _LIMB_BITS
            if not value:
                break
        self.value[1 : 1 + len(limbs)] = torch.tensor(limbs, dtype=torch.int64)
        self.value[0] = len(limbs)


class _Epochs:
    """``epoch`` and ``set_epoch`` over a :class:`_SharedEpoch` (for datasets and collates)."""

    _epoch: _SharedEpoch

    @property
    def epoch(self) -> int:
        """The epoch whose views come next."""
        return self._epoch.get()

    def set_epoch(self, epoch: int) -> None:
        """Make what comes next use ``epoch``'s views, in this process and in every worker."""
        self._epoch.set(epoch)


class ViewDataset(_Epochs, torch.utils.data.Dataset[tuple[list[Any], Any]]):
    """Wrap a dataset so that item ``i`` is ``(views, label)``.

    Views are made with ``views(x, index=i, epoch=self.epoch)``, so a sample gets the same views
    whatever the number of workers or DDP ranks. Call :meth:`set_epoch` before each epoch (before
    ``iter(loader)``, never while one is running): the epoch lives in shared memory, so it reaches
    every DataLoader worker, ``persistent_workers=True`` included.

    What an item of ``data`` is (the torchvision convention):

    - a 2-tuple is ``(sample, label)`` when ``labelled`` is None (the default) or True; with
      ``labelled=False`` it is a sample (a tuple the pipeline takes whole);
    - a dict is a sample whose fields say what they are (``{"image": ..., "text": ..., "label": 3}``,
      for a :class:`~augkit.ViewGenerator` over dict samples): it is never taken apart, and its
      label, if any, stays a field (the returned label is None);
    - anything else is a bare sample (label None).

    ``views`` is a :class:`ViewList`: a list of the views that also holds their records
    (``views.params``).

    ``data`` may be map-style (``__len__`` and ``__getitem__``: the index is the position) or
    iterable (a ``torch.utils.data.IterableDataset``, a generator of items): then each item must
    carry a stable key that stands for the index, found by ``key`` — an int is used as the index,
    a str (a file name, a WebDataset ``__key__``) goes into the stream key as it is. An iterable
    ``data`` makes an iterable ViewDataset (:class:`IterableViewDataset`); shard it across workers
    and ranks in ``data`` itself, as WebDataset does.

    Args:
        data: the samples, map-style or iterable.
        views: the ViewGenerator that makes the views.
        epoch: the starting epoch.
        labelled: whether 2-tuples are ``(sample, label)`` pairs: None (default) or True: yes;
            False: no. With True, every item must be a 2-tuple or 2-list.
        key: for iterable ``data``: the dict field holding each item's key (default
            ``"__key__"``), or a function ``item -> key``.

    Raises:
        TypeError: when ``views`` is not a ViewGenerator, or ``data`` is neither indexable nor
            iterable.

    Example:
        >>> ds = ViewDataset(FolderDataset("data/images", labels_from_folders=True), augkit.image.simclr(seed=0))
        >>> views, label = ds[0]          # views[0], views[1]: the two views; views.params: records
    """

    def __new__(cls, data: Any = None, views: Any = None, *args: Any, **kwargs: Any) -> Any:
        if cls is ViewDataset and not _indexable(data) and _iterable(data):
            return IterableViewDataset(data, views, *args, **kwargs)
        return super().__new__(cls)

    def __init__(self, data: Any, views: ViewGenerator, epoch: int = 0, labelled: bool | None = None,
                 key: str | Callable[[Any], Any] | None = None, column: str | None = None) -> None:
        _check_views(views)
        if not _indexable(data):
            raise TypeError(f"data must support len() and indexing, or iteration, got {type(data).__name__}")
        if key is not None:
            raise TypeError("key= is for iterable data; a map-style dataset's index is the position")
        _check_labelled(labelled)
        #: a Hugging Face dataset's rows as (sample, other columns), media decoded by augkit
        self.rows = HFRows(data, views, column) if is_hf_dataset(data) else None
        if column is not None and self.rows is None:
            raise TypeError("column= picks the augmented column of a Hugging Face dataset; this data has none")
        self.data = data
        self.views = views
        self.labelled = labelled
        self._epoch = _SharedEpoch(epoch)
        #: where mixing ops draw partners: the generator's source, or this dataset's samples
        self.partners = None if not views.mixes or views.source is not None else \
            Samples(self.rows, False, first=True) if self.rows is not None else Samples(data, labelled)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[list[Any], Any]:
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"ViewDataset index must be an int, got {type(index).__name__}")
        x, label = self.rows[index] if self.rows is not None else _split(self.data[index], self.labelled, index)
        views = self.views.generate(x, index=int(index), epoch=self.epoch, source=self.partners)
        return ViewList(views.items, views.params, self.views.modality), label


class IterableViewDataset(_Epochs, torch.utils.data.IterableDataset[tuple[list[Any], Any]]):
    """:class:`ViewDataset` over iterable data: each item's views are keyed by the key it carries.

    Made by ``ViewDataset(iterable, views, ...)``; see there. Items are split as there (2-tuples
    are ``(sample, label)`` unless ``labelled=False``); the key is looked up on the item as given
    (``key`` names a dict field, ``"__key__"`` by default, or is a function of the item).

    Raises:
        ValueError: (while iterating) for an item without a key, naming its position in the stream.
        TypeError: for a key that is neither an int nor a non-empty str.
    """

    def __init__(self, data: Any, views: ViewGenerator, epoch: int = 0, labelled: bool | None = None,
                 key: str | Callable[[Any], Any] | None = None) -> None:
        _check_views(views)
        if not _iterable(data):
            raise TypeError(f"data must be iterable, got {type(data).__name__}")
        _check_labelled(labelled)
        if key is not None and not (callable(key) or isinstance(key, str)):
            raise TypeError(f"key= must be a field name or a function of the item, got {type(key).__name__}")
        if views.mixes and views.source is None:
            raise TypeError("the generator mixes samples with partners drawn by index, which an iterable dataset "
                            "cannot give: pass ViewGenerator(..., source=...) a map-style dataset of the samples, "
                            "or use a map-style dataset")
        self.data = data
        self.views = views
        self.labelled = labelled
        self.key = "__key__" if key is None else key
        self._epoch = _SharedEpoch(epoch)

    def __iter__(self) -> Iterator[tuple[list[Any], Any]]:
        epoch = self.epoch
        for position, item in enumerate(self.data):
            index = self._key_of(item, position)
            x, label = _split(item, self.labelled, index)
            views = self.views.generate(x, index=index, epoch=epoch)
            yield ViewList(views.items, views.params, self.views.modality), label

    def _key_of(self, item: Any, position: int) -> int | str:
        if callable(self.key):
            found = self.key(item)
        else:
            holder = item if isinstance(item, Mapping) else item[0] if isinstance(item, tuple) and item and \
                isinstance(item[0], Mapping) else None
            if holder is None or self.key not in holder:
                raise InvalidInput(f"item {position} of the stream has no key {self.key!r}: iterable data must give "
                                   "each item a stable key (a dict field, or key=function) so its views are the "
                                   "same in every run")
            found = holder[self.key]
        if isinstance(found, str) and found:
            return found
        if isinstance(found, (int, np.integer)) and not isinstance(found, (bool, np.bool_)) and found >= 0:
            return int(found)
        raise WrongInputType(f"item {position} of the stream: its key must be a non-negative int or a non-empty "
                             f"str, got {found!r:.60}")


def _indexable(data: Any) -> bool:
    return hasattr(data, "__len__") and hasattr(data, "__getitem__") and \
        not isinstance(data, torch.utils.data.IterableDataset)


def _iterable(data: Any) -> bool:
    return hasattr(data, "__iter__") and not isinstance(data, (str, bytes, Mapping))


def _check_views(views: Any) -> None:
    if not isinstance(views, ViewGenerator):
        raise TypeError(f"views must be an augkit.ViewGenerator, got {type(views).__name__}")


def _check_labelled(labelled: Any) -> None:
    if labelled is not None and not isinstance(labelled, bool):
        raise TypeError(f"labelled={labelled!r} must be True, False or None")


def _checked_epoch(epoch: Any) -> int:
    if isinstance(epoch, (bool, np.bool_)) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise InvalidArgument(f"epoch={quoted(epoch)} must be a non-negative integer")
    return int(epoch)


def _split(item: Any, labelled: bool | None, index: int | str) -> tuple[Any, Any]:
    """``(sample, label)`` of one item, by the rule of :class:`ViewDataset`."""
    if labelled is False or isinstance(item, Mapping):
        if labelled is True:
            raise InvalidInput(f"data[{index!r}] is a dict; labelled=True expects (sample, label) pairs: leave "
                               "labelled out and keep the label as a field")
        return item, None
    if isinstance(item, tuple) and len(item) == 2:
        return item[0], item[1]
    if labelled is True:
        if isinstance(item, list) and len(item) == 2:
            return item[0], item[1]
        raise InvalidInput(f"data[{index!r}] must be a (sample, label) pair since labelled=True, "
                           f"got {type(item).__name__}")
    return item, None


# -- the batch path ---------------------------------------------------------------------------------

class Samples(Sequence[Any]):
    """The samples of a map-style dataset by index, labels left out (split by :class:`ViewDataset`'s
    rule): where a generator's mixing ops draw their partners."""

    def __init__(self, data: Any, labelled: bool | None = None, first: bool = False) -> None:
        self.data, self.labelled, self.first = data, labelled, first

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self.first:  # items are (sample, rest) pairs already
            return self.data[index][0]
        return _split(self.data[index], self.labelled, index)[0]


class SourceDataset(torch.utils.data.Dataset[tuple[int, Any, Any]]):
    """The samples themselves, each with its index: item ``i`` is ``(i, sample, label)``.

    The dataset side of the batch path: :class:`BatchCollate` makes a whole batch's views at once
    in the workers, or :class:`SourceBatch` ships the sources so the training process makes them
    on its device. Items are split by :class:`ViewDataset`'s rule (2-tuples are ``(sample,
    label)`` unless ``labelled=False``; dicts are samples).

    Example:
        >>> loader = DataLoader(SourceDataset(photos), batch_size=256, num_workers=8, collate_fn=BatchCollate(vg))
    """

    def __init__(self, data: Any, labelled: bool | None = None) -> None:
        if not _indexable(data):
            raise TypeError(f"data must support len() and indexing, got {type(data).__name__}")
        _check_labelled(labelled)
        self.data, self.labelled = data, labelled

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[int, Any, Any]:
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"SourceDataset index must be an int, got {type(index).__name__}")
        x, label = _split(self.data[index], self.labelled, index)
        return int(index), x, label


class SourceBatch(NamedTuple):
    """A batch of sources as :class:`SourceDataset` gives them; :meth:`views` makes their views."""

    indices: list[int]
    samples: list[Any]
    labels: Any

    def views(self, vg: ViewGenerator, epoch: int = 0, device: Any = None, source: Any = None) -> Any:
        """``vg.generate_batch(samples, indices, epoch, device)``: e.g. on the training GPU. ``source``:
        where mixing ops draw partners (the :class:`SourceDataset`, or the generator's own)."""
        return vg.generate_batch(self.samples, self.indices, epoch=epoch, device=device, source=_partners(source))


def collate_sources(batch: Sequence[tuple[int, Any, Any]]) -> SourceBatch:
    """``collate_fn`` that ships the sources as they are (uint8 images of any size), with their
    indices and labels, for views made in the training process (:meth:`SourceBatch.views`)."""
    if not batch:
        raise ValueError("cannot collate an empty batch")
    bad = [i for i, item in enumerate(batch) if not (isinstance(item, tuple) and len(item) == 3)]
    if bad:
        raise InvalidInput(f"batch items {bad[:5]} are not (index, sample, label) triples: use SourceDataset")
    indices = [int(i) for i, _, _ in batch]
    return SourceBatch(indices, [x for _, x, _ in batch], collate_labels([label for _, _, label in batch]))


class BatchCollate(_Epochs):
    """``collate_fn`` of the batch path: the views of a whole batch at once, made in the worker by
    ``vg.generate_batch`` from :class:`SourceDataset` items.

    A sample's views depend on ``(seed, epoch, index)`` only, as with :class:`ViewDataset`, so the
    batch size, the workers and the ranks never change them. Call :meth:`set_epoch` before each
    epoch: the epoch lives in shared memory and reaches every worker, persistent ones included.

    Args:
        views: the generator (an image preset's, for the batched kernels).
        device: the engine ``generate_batch`` runs; None (OpenCV, bit-identical to
            :meth:`ViewGenerator.generate`) or ``"cpu"`` (torch). Workers cannot use a GPU: for
            views made on the training device, collate with :func:`collate_sources` and call
            :meth:`SourceBatch.views` there.
        epoch: the starting epoch.

    Returns (per batch):
        ``(views, labels)``: ``views[k]`` stacks view k of the batch; labels as :class:`ViewCollate` gives them.

    Example:
        >>> collate = BatchCollate(augkit.image.simclr_cifar(32, seed=0, output="uint8"))
        >>> loader = DataLoader(SourceDataset(images), batch_size=512, num_workers=2, collate_fn=collate)
    """

    def __init__(self, views: ViewGenerator, device: Any = None, epoch: int = 0, source: Any = None) -> None:
        _check_views(views)
        if device is not None and torch.device(device).type != "cpu":
            raise ValueError(f"BatchCollate(device={device!r}): DataLoader workers make views on the CPU; for "
                             "views on the training device collate with collate_sources and call "
                             "batch.views(vg, epoch, device) in the training loop")
        if views.mixes and views.source is None and source is None:
            raise InvalidArgument("the generator mixes samples with partners drawn by index: pass "
                                  "BatchCollate(vg, source=the SourceDataset) so the workers can load them")
        self.views, self.device, self.source = views, device, _partners(source)
        self._epoch = _SharedEpoch(epoch)

    def __call__(self, batch: Sequence[tuple[int, Any, Any]]) -> tuple[list[Any], Any]:
        sources = collate_sources(batch)
        made = sources.views(self.views, self.epoch, self.device, self.source)
        return made.items, sources.labels


def _partners(source: Any) -> Any:
    """Mixing partners from ``source``: a :class:`SourceDataset`'s samples, or the sequence given."""
    return Samples(source.data, source.labelled) if isinstance(source, SourceDataset) else source

