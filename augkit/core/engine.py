"""The batch engine: any pipeline over many items at once, with the records ``generate`` draws.

``ViewGenerator.generate`` gives op ``j`` of view ``k`` of sample ``index`` the stream
``stream(seed, epoch, index, k, j)``. The engine walks the same pipeline over a whole batch: every
op draws its records from those very streams (vectorised where the op says how, per item
otherwise), then runs its batch kernel (:meth:`augkit.core.Augmenter.transform_batch`) once on the
items it fired for. Composites walk their children the same way, each over the items it chose.

- :class:`Keys` holds the streams of a batch at one place of a pipeline: ``(*head, index, *tail)``
  per item, hashed together (:func:`augkit.core.streams.digests`).
- :class:`Batch` holds the items: stacked in their modality's batch form when they share a shape
  (the descriptor's ``to_batch``: one array for images of one size, one tensor for clips of one
  length, a list for texts), a list of items otherwise. A kernel always gets a stacked batch:
  ragged items go to it in groups of one shape.

Draws. An op draws per item from its stream (``draw``, or ``draw_batch`` when it runs a model
once per batch). An op whose draw takes a fixed number of uniform doubles and nothing else says so
(``uniform_draws``) and draws for all items from those doubles at once (``draw_uniforms``); the
engine computes them for every stream in one pass (:func:`augkit.core.streams.uniforms`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core.streams import Key, digest_starts, digests_from, stream, uniforms

__all__ = ["Batch", "Keys", "draw_records", "each", "run_op"]

Params = dict[str, Any]


class Keys:
    """The stream keys of a batch's items at one place of a pipeline: ``(*head, index, *tail)`` for
    each ``index`` of ``indices`` (non-negative ints).

    Example:
        >>> Keys((0, 2), [7, 9], (1,)).child(3).key(0)
        (0, 2, 7, 1, 3)
    """

    __slots__ = ("_starts", "head", "indices", "tail")

    def __init__(self, head: Key, indices: Sequence[int], tail: Key = (), starts: list[Any] | None = None) -> None:
        self.head, self.indices, self.tail = tuple(head), list(indices), tuple(tail)
        self._starts = starts

    def __len__(self) -> int:
        return len(self.indices)

    def child(self, place: int | str) -> Keys:
        """The keys one place further down (child ``place`` of a composite, a dict sample's field)."""
        return Keys(self.head, self.indices, (*self.tail, place), self._hashed())

    def subset(self, rows: Sequence[int]) -> Keys:
        starts = self._hashed()
        return Keys(self.head, [self.indices[r] for r in rows], self.tail, [starts[r] for r in rows])

    def key(self, row: int) -> Key:
        return (*self.head, self.indices[row], *self.tail)

    def stream(self, row: int, keep: bool = False) -> np.random.Generator:
        return stream(*self.key(row), keep=keep)

    def digests(self) -> np.ndarray:
        """The Philox keys of every item's stream, ``(len(self), 2)`` uint64."""
        return digests_from(self._hashed(), self.tail)

    def uniforms(self, count: int) -> np.ndarray:
        """``[len(self), count]``: the first ``count`` doubles of every item's stream."""
        return uniforms(self.digests(), count)

    def _hashed(self) -> list[Any]:
        if self._starts is None:
            self._starts = digest_starts(self.head, self.indices)
        return self._starts


def _select(value: Any, rows: Sequence[int]) -> Any:
    if isinstance(value, list):
        return [value[r] for r in rows]
    return value[list(rows)]


class Batch:
    """Items of one modality on their way through a pipeline together.

    ``form`` is the modality's descriptor; ``device`` the torch device of a stacked batch (None: the
    host form). Items that share the descriptor's ``batch_key`` are held stacked (``value``);
    otherwise as a list (``ragged``) of canonical items on the host.
    """

    __slots__ = ("_items", "device", "form", "ragged", "value")

    def __init__(self, form: Any, items: Sequence[Any], device: Any = None) -> None:
        self.form, self.device = form, device
        self.value: Any = None
        self.ragged: list[Any] | None = None
        self._items: list[Any] | None = None
        self._set(list(items))

    def __len__(self) -> int:
        return len(self.ragged) if self.ragged is not None else _length(self.value)

    def _set(self, items: list[Any]) -> None:
        # held as a list until a kernel needs them stacked: a crop reads a small part of each item,
        # and draws read host items cheaply; the first stacking kernel moves them to the device
        self.value, self.ragged, self._items = None, items, None

    def _stack(self) -> None:
        """Stack listed items of one shape (on the host, until :meth:`settle` moves them)."""
        if self.ragged is not None and len({self.form.batch_key(x) for x in self.ragged}) <= 1:
            self.value, self.ragged, self._items = self.form.to_batch(self.ragged, None), None, None

    def settle(self) -> None:
        """Stack the items where they share a shape, on the batch's device (kernels run there)."""
        self._stack()
        if self.ragged is None and self.device is not None and self.form.device_of(self.value) is None:
            self.value = self.form.to_batch(self.form.from_batch(self.value), self.device)
            self._items = None

    def items(self) -> list[Any]:
        """The items in canonical form (converted from the stacked form once, until the next change)."""
        if self.ragged is not None:
            return self.ragged
        if self._items is None:
            self._items = list(self.form.from_batch(self.value))
        return self._items

    def subset(self, rows: Sequence[int]) -> Batch:
        """A batch of the items at ``rows`` (a copy: running ops on it leaves this one alone)."""
        sub = Batch.__new__(Batch)
        sub.form, sub.device, sub._items = self.form, self.device, None
        if self.ragged is not None:
            sub.value, sub.ragged = None, [self.ragged[r] for r in rows]
        else:
            sub.value, sub.ragged = _select(self.value, rows), None
        return sub

    def merge(self, rows: Sequence[int], sub: Batch) -> None:
        """Put the items of ``sub`` (made from :meth:`subset` of ``rows``) back at ``rows``."""
        if len(rows) == len(self) and len(sub) == len(self):
            self.value, self.ragged, self._items = sub.value, sub.ragged, sub._items
            return
        if sub.ragged is None:
            self._stack()
            if self.ragged is None and self.form.device_of(sub.value) is not None:
                self.settle()
            self._put(rows, sub.value)
        else:
            self._replace(rows, sub.ragged)

    def apply(self, op: Any, rows: Sequence[int], records: list[Params]) -> None:
        """Run ``op``'s batch kernel on the items at ``rows`` with their fired ``records``: once on a
        stacked batch (once per group of one shape on ragged items), or once on the items as a
        list for an op that takes them so (``batch_items``: a crop, which reads a part of each)."""
        if not rows:
            return
        whole = len(rows) == len(self)
        if getattr(op, "batch_items", False):
            items = self.items()
            out = op.transform_batch(items if whole else [items[r] for r in rows], records)
            if whole and not isinstance(out, list):
                self.value, self.ragged, self._items = out, None, None
            else:
                self._replace(rows, list(self.form.from_batch(out)))
            return
        self._stack()
        if self.ragged is None:
            self.settle()
            in_place = getattr(op, "transform_rows", None)
            if in_place is not None and in_place(self.value, list(rows), records):
                self._items = None  # the op changed those rows of the engine's own batch in place
                return
            out = op.transform_batch(self.value if whole else _select(self.value, rows), records)
            self._put(rows, out)
            return
        groups: dict[Any, list[int]] = {}
        for n, r in enumerate(rows):
            groups.setdefault(self.form.batch_key(self.ragged[r]), []).append(n)
        outs: list[Any] = [None] * len(rows)
        for members in groups.values():
            items = [self.ragged[rows[n]] for n in members]
            made = self.form.from_batch(op.transform_batch(self.form.to_batch(items, None),
                                                           [records[n] for n in members]))
            for n, y in zip(members, made, strict=True):
                outs[n] = y
        self._replace(rows, outs)

    def _put(self, rows: Sequence[int], out: Any) -> None:
        """The stacked result ``out`` of a kernel for ``rows``."""
        self._items = None
        value = self.value
        if self.ragged is not None:  # items of several shapes: item by item
            self._replace(rows, list(self.form.from_batch(out)))
            return
        if isinstance(value, list):
            if isinstance(out, list):  # the list form (texts): assign item by item
                if len(rows) == len(value):
                    self.value = out
                else:
                    self.value = list(value)
                    for r, y in zip(rows, out, strict=True):
                        self.value[r] = y
                return
        elif type(out) is type(value) and getattr(out, "dtype", None) == getattr(value, "dtype", None):
            if len(rows) == _length(value) and _length(out) == len(rows):
                self.value = out
                return
            if tuple(out.shape[1:]) == tuple(value.shape[1:]):
                value[list(rows)] = out
                return
        self._replace(rows, list(self.form.from_batch(out)))

    def _replace(self, rows: Sequence[int], outs: list[Any]) -> None:
        items = list(self.items())
        for r, y in zip(rows, outs, strict=True):
            items[r] = y
        self._set(items)


def _length(value: Any) -> int:
    return len(value) if isinstance(value, list) else int(value.shape[0])


def draw_records(op: Any, batch: Batch, keys: Keys, model: bool = False) -> list[Params]:
    """The record ``op`` draws for each item of ``batch`` from its stream in ``keys``: exactly what
    ``op.augment(item, keys.stream(r))`` records. ``model``: the op draws for many items at once
    (its own ``draw_batch``), from streams kept alive together."""
    n = len(keys)
    need = op.uniform_draws()
    if need is not None:
        offset = 1 if op.p < 1.0 else 0
        u = keys.uniforms(offset + need) if offset + need else np.zeros((n, 0))
        rows = np.flatnonzero(u[:, 0] < op.p).tolist() if offset else list(range(n))
        drawn = op.draw_uniforms(_Rows(batch, rows), u[rows, offset:]) if rows else []
        records: list[Params] = [{"applied": False} for _ in range(n)]  # one dict per item: records are the user's
        for r, d in zip(rows, drawn, strict=True):
            # None: this item needs more doubles than were computed; its own stream gives them
            records[r] = {"applied": True, **d} if d is not None else op._record(batch.items()[r], keys.stream(r))
        return records
    items = batch.items()
    if not model:
        return [op._record(x, keys.stream(r)) for r, x in enumerate(items)]
    rngs = [keys.stream(r, keep=True) for r in range(n)]
    fired = [r for r in range(n) if op.p >= 1.0 or rngs[r].random() < op.p]
    drawn = op.draw_batch([items[r] for r in fired], [rngs[r] for r in fired]) if fired else []
    records = [{"applied": False} for _ in range(n)]
    for r, d in zip(fired, drawn, strict=True):
        if d is not None:
            records[r] = {"applied": True, **d}
    return records


class _Rows(Sequence[Any]):
    """The items at ``rows`` of a batch, converted to canonical form only if an op reads one."""

    def __init__(self, batch: Batch, rows: list[int]) -> None:
        self.batch, self.rows = batch, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self.batch.items()[self.rows[i]]


def run_op(op: Any, batch: Batch, keys: Keys, model: bool = False) -> list[Params]:
    """Draw ``op``'s records for the batch (see :func:`draw_records`) and run its kernel on the items it
    fired for; returns the records."""
    records = draw_records(op, batch, keys, model)
    rows = [r for r, rec in enumerate(records) if rec["applied"]]
    batch.apply(op, rows, [records[r] for r in rows])
    return records


def each(op: Any, batch: Batch, keys: Keys) -> list[Params]:
    """``op.augment`` item by item (an op with its own ``sample``/``apply``); returns the records."""
    records, outs = [], []
    for r, x in enumerate(batch.items()):
        y, rec = op.augment(x, keys.stream(r))
        outs.append(y)
        records.append(rec)
    batch._replace(list(range(len(outs))), outs)
    return records
