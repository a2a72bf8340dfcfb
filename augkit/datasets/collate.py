"""Collation of views into batches, for every modality: stacked tensors, padded clips with their
lengths and masks, lists or tokenizer batches of strings, dict views field by field.

:class:`ViewCollate` is the ``collate_fn`` for :class:`augkit.ViewDataset`; :func:`collate_views`
is its default instance and :func:`make_collate` binds its arguments.

Example:
    >>> loader = DataLoader(ds, batch_size=256, collate_fn=ViewCollate(tokenizer=tok, return_params=True))
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core import modalities
from augkit.core.batching import NUMBERS, by_items, collate_items, collate_labels, items_named
from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType

__all__ = ["TOKENIZER_DEFAULTS", "ViewCollate", "collate_views", "make_collate"]

#: What :class:`ViewCollate` passes to a tokenizer given without options of its own.
TOKENIZER_DEFAULTS: Mapping[str, Any] = {"padding": True, "truncation": True, "return_tensors": "pt"}

def _plain(x: Any) -> Any:
    """A record as plain Python dicts, lists and scalars (never shared with the views' own)."""
    if isinstance(x, Mapping):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    return x


def _renamed(err: Exception, where: str) -> Exception:
    """``err`` with ``where`` (the view position, the field) in front, as an augkit error of its kind."""
    cls: type[Exception] = type(err) if isinstance(err, AugkitError) else (
        WrongInputType if isinstance(err, TypeError) else InvalidInput)
    try:
        return cls(f"{where}: {err}")
    except Exception:  # an error class with a constructor of its own
        return (WrongInputType if isinstance(err, TypeError) else InvalidInput)(f"{where}: {err}")


@functools.cache
def _parameters(cls: type[Any]) -> frozenset[str]:
    """The names a descriptor class's ``collate`` takes (pad_value? tokenizer?)."""
    return frozenset(inspect.signature(cls.collate).parameters)


class ViewCollate:
    """The ``collate_fn`` for :class:`augkit.ViewDataset`: a batch of ``(views, label)`` items
    becomes ``(views, labels)``, or ``(views, labels, params)`` with ``return_params=True``.

    ``views[k]`` is view position k of every sample (``torch.cat(views)`` gives the view-major
    ``[n·B, ...]`` layout the losses accept); positions are never merged, so multi-crop positions of
    different sizes stay separate. A position is collated

    - by ``modality``'s descriptor when given (``modalities.get(modality).collate``): images stack
      into ``[B, C, H, W]`` (tensors) or ``[B, H, W, C]`` (arrays); audio into ``[B, C, T]``, or a
      :class:`Padded` (``values [B, C, T_max]``, ``lengths``, ``mask``) when clip lengths differ;
      text into a list of str, or ``tokenizer(texts, **tokenizer_options)``;
    - without ``modality``, by :func:`collate_items` (strings go to the tokenizer when one is given);
      views that do not stack are diagnosed by the modality they carry (:class:`ViewDataset`'s items
      carry their generator's), whose ``collate`` error names the fix (read as RGB, one channel
      count, one size);
    - field by field when the views are dicts (``{"image": ..., "text": ..., "id": ...}``), giving a
      dict per position. A field's modality is ``fields[field]`` when given (None: pass through);
      else the field's name when it names a registered modality; else text for strings; other
      fields (labels, ids) go through :func:`collate_items` (numbers become a tensor, the rest a list).

    ``labels`` is a tensor when the labels are numbers, a list otherwise, and None when every label
    is None. ``params[b][k]`` is the record of sample b's view k as plain dicts and lists (None for a
    sample whose views carry no records); records are never collated, so they never break a batch.

    Instances pickle (DataLoader workers) when the tokenizer does; Hugging Face tokenizers do.

    Args:
        tokenizer: a Hugging Face-style callable ``tokenizer(list_of_str, **options)`` for text
            positions and text fields, or None to keep lists of str.
        pad_value: the value ragged clips are padded with (modalities that pad: audio, or tensors
            collated without a modality).
        return_params: also return the views' records.
        modality: the modality of every position that is not a dict view, or None.
        fields: ``{field: modality name or None}`` for dict views; None guesses as above. With a
            tokenizer, name string fields that are not text (ids) with None.
        **tokenizer_options: passed to the tokenizer; with none given, ``padding=True,
            truncation=True, return_tensors="pt"`` (:data:`TOKENIZER_DEFAULTS`).

    Raises:
        ValueError: for an unknown ``modality`` or field modality, a ``pad_value`` other than 0.0 for
            a modality that does not pad, or a tokenizer with a modality that takes none.
        TypeError: for a tokenizer that is not callable, options without a tokenizer, a ``pad_value``
            that is not a number, a ``return_params`` that is not a bool, or ``fields`` that are not a
            dict of names.

    Example:
        >>> collate = ViewCollate(tokenizer=tok, return_params=True)
        >>> views, labels, params = collate([ds[0], ds[1]])   # views[0]["text"]["input_ids"]: [2, L]
    """

    def __init__(self, tokenizer: Callable[..., Any] | None = None, pad_value: float = 0.0,
                 return_params: bool = False, modality: str | None = None,
                 fields: Mapping[str, str | None] | None = None, **tokenizer_options: Any) -> None:
        if tokenizer is not None and not callable(tokenizer):
            raise WrongArgumentType(f"ViewCollate(tokenizer=...) must be callable (a Hugging Face tokenizer), got "
                                    f"{type(tokenizer).__name__}")
        if tokenizer is None and tokenizer_options:
            raise WrongArgumentType(f"ViewCollate options {sorted(tokenizer_options)} go to the tokenizer: pass "
                                    "tokenizer= too")
        options = {} if tokenizer is None else {"tokenizer": tokenizer, **(tokenizer_options or TOKENIZER_DEFAULTS)}
        self._setup(pad_value, return_params, modality, fields, options)
        if options and modality is not None and "tokenizer" not in _parameters(type(modalities.get(modality))):
            raise InvalidArgument(f"ViewCollate(modality={modality!r}) takes no tokenizer: a tokenizer applies to "
                                  "text (modality='text', or leave modality out for dict views)")
        self.tokenizer = tokenizer
        self.tokenizer_options = dict(tokenizer_options)

    @classmethod
    def _with_options(cls, modality: str | None, pad_value: float, options: Mapping[str, Any]) -> ViewCollate:
        """:func:`collate_views`'s instance: ``options`` reach ``modality``'s ``collate`` as they are."""
        if modality is None and options:
            raise WrongArgumentType(f"collate options {sorted(options)} go to a modality's collate: pass modality=")
        self = cls.__new__(cls)
        self._setup(pad_value, False, modality, None, dict(options))
        self.tokenizer = options.get("tokenizer")
        self.tokenizer_options = {k: v for k, v in options.items() if k != "tokenizer"}
        return self

    def _setup(self, pad_value: Any, return_params: Any, modality: Any, fields: Any, options: dict[str, Any]) -> None:
        if isinstance(pad_value, bool) or not isinstance(pad_value, NUMBERS):
            raise WrongArgumentType(f"pad_value={pad_value!r} must be a number, got {type(pad_value).__name__}")
        if not isinstance(return_params, bool):
            raise WrongArgumentType(f"return_params={return_params!r} must be True or False")
        if modality is not None:
            if not isinstance(modality, str):
                raise WrongArgumentType(f"modality={modality!r} must be a modality's name, one of {modalities.names()}")
            descriptor = modalities.get(modality)
            if pad_value != 0.0 and "pad_value" not in _parameters(type(descriptor)):
                raise InvalidArgument(f"{modality} views are not padded (pad_value={pad_value!r}); leave pad_value out")
        if fields is not None:
            if not isinstance(fields, Mapping):
                raise WrongArgumentType(f"fields must be a dict {{field: modality name or None}}, got "
                                        f"{type(fields).__name__}")
            for key, name in fields.items():
                if not isinstance(key, str) or not (name is None or isinstance(name, str)):
                    raise WrongArgumentType(f"fields[{key!r}]={name!r}: fields map a field's name to a modality's "
                                            "name, or None to pass the field through")
                if name is not None:
                    try:
                        modalities.get(name)
                    except ValueError as err:
                        raise InvalidArgument(f"fields[{key!r}]={name!r}: {err}") from None
            fields = dict(fields)
        self.pad_value = pad_value.item() if isinstance(pad_value, np.generic) else pad_value
        self.return_params = return_params
        self.modality: str | None = modality
        self.fields: dict[str, str | None] | None = fields
        self._options = options

    def __repr__(self) -> str:
        shown = {"tokenizer": self.tokenizer, "pad_value": self.pad_value, "return_params": self.return_params,
                 "modality": self.modality, "fields": self.fields, **self.tokenizer_options}
        defaults = {"tokenizer": None, "pad_value": 0.0, "return_params": False, "modality": None, "fields": None}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items() if k not in defaults or defaults[k] != v)
        return f"ViewCollate({args})"

    def __call__(self, batch: Sequence[tuple[Sequence[Any], Any]]) -> tuple[Any, ...]:
        """Collate ``batch``: ``(views, labels)``, or ``(views, labels, params)``.

        Raises:
            ValueError: naming the batch items (and the view position and field) for None items,
                samples with different numbers of views, dict views with different fields, tensors
                that differ in more than their last axis, clips of different channel counts.
            TypeError: naming the items for an item that is not a ``(views, label)`` pair, or a
                position that mixes types.
        """
        views, labels, params = self._collate(batch)
        return (views, labels, params) if self.return_params else (views, labels)

    def _collate(self, batch: Sequence[tuple[Sequence[Any], Any]]) -> tuple[list[Any], Any, list[Any]]:
        samples = self._samples(batch)
        n = len(samples[0][0])
        carried = _carried([sample_views for sample_views, _ in samples])
        views = [self._position(k, [sample_views[k] for sample_views, _ in samples], carried) for k in range(n)]
        labels = collate_labels([label for _, label in samples])
        params = [self._records(sample_views) for sample_views, _ in samples] if self.return_params else []
        return views, labels, params

    @staticmethod
    def _samples(batch: Any) -> list[tuple[Sequence[Any], Any]]:
        if isinstance(batch, (str, bytes, Mapping)) or not isinstance(batch, Sequence):
            raise WrongInputType(f"a batch is a list of (views, label) items, got {type(batch).__name__}")
        if not batch:
            raise InvalidInput("cannot collate an empty batch")
        missing = [i for i, item in enumerate(batch) if item is None]
        if missing:
            raise InvalidInput(f"batch items {missing} are None among {len(batch)}: a dataset returned None for "
                               "them (a file it could not read?); drop them in the dataset, not in the batch")
        samples = []
        for i, item in enumerate(batch):
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise WrongInputType(f"batch item {i} is a {type(item).__name__}, not a (views, label) pair (what "
                                     "ViewDataset gives)")
            views = item[0]
            if isinstance(views, (str, bytes, Mapping)) or not (hasattr(views, "__len__")
                                                                and hasattr(views, "__getitem__")):
                raise WrongInputType(f"batch item {i} holds views of type {type(views).__name__}: views are a list "
                                     "of views (augkit.Views)")
            samples.append((views, item[1]))
        counts = [len(views) for views, _ in samples]
        if len(set(counts)) != 1:
            raise InvalidInput(f"samples in one batch have different numbers of views: {sorted(set(counts))} "
                               f"({by_items(counts, lambda c: f'{c} views')})")
        return samples

    @staticmethod
    def _records(views: Any) -> list[Any] | None:
        records = getattr(views, "params", None)
        return None if records is None else [_plain(record) for record in records]

    def _position(self, k: int, items: list[Any], carried: str | None = None) -> Any:
        missing = [i for i, x in enumerate(items) if x is None]
        if missing:
            raise InvalidInput(f"view {k}: {items_named(missing)} of the batch hold None instead of a view: the "
                               "generator or dataset gave None; drop those samples in the dataset")
        if isinstance(items[0], Mapping):
            return self._dict_position(k, items)
        where = f"view {k}"
        if self.modality is not None:
            return self._named(where, self._descriptor, self.modality, items, self._options, True)
        claimed = modalities.claiming(items) if self._options else None
        if claimed is not None:
            return self._named(where, self._descriptor, claimed, items, self._options, False)
        try:
            return collate_items(items, self.pad_value)
        except (ValueError, TypeError) as err:
            if carried is None or isinstance(err, TypeError):
                raise _renamed(err, where) from err
            # views of shapes that do not batch: their modality's collate says what they need (one
            # size, one channel layout), as ViewCollate(modality=...) would
            return self._diagnosed(where, carried, items, err)

    def _diagnosed(self, where: str, name: str, items: list[Any], err: Exception) -> Any:
        try:
            return self._descriptor(name, items, {}, False)
        except (ValueError, TypeError) as found:
            raise _renamed(found, where) from err

    def _dict_position(self, k: int, items: list[Any]) -> dict[str, Any]:
        others = [i for i, x in enumerate(items) if not isinstance(x, Mapping)]
        if others:
            raise WrongInputType(f"view {k}: item 0 is a dict of fields but {items_named(others)} "
                                 f"{'is' if len(others) == 1 else 'are'} not ({type(items[others[0]]).__name__})")
        first = items[0]
        for i, x in enumerate(items):
            lacking = [f for f in first if f not in x]
            if lacking:
                raise InvalidInput(f"view {k}: item {i} lacks field {lacking[0]!r} that item 0 has: every sample of "
                                   "one batch needs the same fields (fill missing fields in the dataset)")
            extra = [f for f in x if f not in first]
            if extra:
                raise InvalidInput(f"view {k}: item 0 lacks field {extra[0]!r} that item {i} has: every sample of "
                                   "one batch needs the same fields (fill missing fields in the dataset)")
        return {f: self._field(k, f, [x[f] for x in items]) for f in first}

    def _field(self, k: int, field: Any, values: list[Any]) -> Any:
        where = f"view {k}, field {field!r}"
        name = self._field_modality(field, values)
        if name is None:
            return self._named(where, collate_items, values, self.pad_value)
        missing = [i for i, x in enumerate(values) if x is None]
        if missing:
            raise InvalidInput(f"{where}: {items_named(missing)} of the batch hold None for a {name} field; fill it in "
                               "the dataset or pass the field through (fields={...: None})")
        return self._named(where, self._descriptor, name, values, self._options, False)

    def _field_modality(self, field: Any, values: list[Any]) -> str | None:
        if self.fields is not None and field in self.fields:
            return self.fields[field]
        if field in modalities.names():
            return str(field)
        return modalities.claiming(values)

    def _descriptor(self, name: str, items: list[Any], options: Mapping[str, Any], as_given: bool) -> Any:
        """``name``'s descriptor's collate with the pad value and tokenizer it takes (all ``options``
        for the ``modality`` positions, as :func:`collate_views` always passed them)."""
        descriptor = modalities.get(name)
        takes = _parameters(type(descriptor))
        kwargs: dict[str, Any] = dict(options) if as_given or "tokenizer" in takes else {}
        if "pad_value" in takes:
            kwargs["pad_value"] = self.pad_value
        return descriptor.collate(items, **kwargs)

    @staticmethod
    def _named(where: str, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except (ValueError, TypeError) as err:
            raise _renamed(err, where) from err


def _carried(samples: list[Any]) -> str | None:
    """The one modality the samples' views say they are of (:class:`augkit.datasets.ViewDataset`'s
    items carry their generator's; :class:`augkit.Views` its generator), or None."""
    found = {getattr(views, "modality", None) or getattr(getattr(views, "generator", None), "modality", None)
             for views in samples}
    if len(found) != 1:
        return None
    name = found.pop()
    return name if isinstance(name, str) and name in modalities.names() else None


def collate_views(
    batch: Sequence[tuple[Sequence[Any], Any]], pad_value: float = 0.0, modality: str | None = None, **options: Any
) -> tuple[list[Any], Any]:
    """``collate_fn`` for :class:`ViewDataset`: returns ``(views, labels)``; the default
    :class:`ViewCollate` (see there for how views, dict views and labels are collated).

    Without ``modality`` each position is collated by :func:`collate_items` (views that do not stack
    are diagnosed by the modality a :class:`ViewDataset`'s items carry); with it, by that
    modality's descriptor: ``modalities.get(modality).collate(items, **options)``. ``pad_value``
    reaches a descriptor only when its ``collate`` names a ``pad_value`` parameter (audio pads ragged
    clips; images and texts do not pad, so a ``pad_value`` other than 0.0 is refused for them).
    ``options`` go to the descriptor as they are (text: ``tokenizer=tok, padding=True,
    return_tensors="pt"``). Use :func:`make_collate` or :class:`ViewCollate` to hand arguments to
    a DataLoader.

    Raises:
        ValueError: when the batch is empty, samples have different numbers of views, ``modality``
            is unknown, or ``pad_value`` is given to a modality that does not pad; and what the
            descriptor's ``collate`` raises (images of different sizes), naming the view position.
        TypeError: when ``options`` are given without ``modality``.

    Example:
        >>> views, labels = collate_views(batch, modality="text", tokenizer=tok, padding=True)
    """
    views, labels, _ = ViewCollate._with_options(modality, pad_value, options)._collate(batch)
    return views, labels


def make_collate(modality: str | None = None, pad_value: float = 0.0, **options: Any) -> ViewCollate:
    """A ``collate_fn`` for DataLoader: :func:`collate_views` with these arguments bound.

    It is a :class:`ViewCollate`, so it pickles for worker processes when ``options`` do (a Hugging
    Face tokenizer does). The arguments are checked here, before any batch is made.

    Raises:
        ValueError: for an unknown ``modality``, or a ``pad_value`` it does not take.
        TypeError: for ``options`` without ``modality``.

    Example:
        >>> loader = DataLoader(ds, batch_size=64, collate_fn=make_collate("audio", pad_value=0.0))
    """
    return ViewCollate._with_options(modality, pad_value, options)
