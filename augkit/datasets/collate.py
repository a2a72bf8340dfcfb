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
from typing import Any, NamedTuple

import numpy as np
import torch

from augkit.core import modalities
from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType

__all__ = ["TOKENIZER_DEFAULTS", "Padded", "ViewCollate", "collate_items", "collate_labels", "collate_views",
           "make_collate"]

#: What :class:`ViewCollate` passes to a tokenizer given without options of its own.
TOKENIZER_DEFAULTS: Mapping[str, Any] = {"padding": True, "truncation": True, "return_tensors": "pt"}

# Strings are the one kind of value whose modality is guessed (a str field of a dict view is text);
# everything else is named by its field (a registered modality's name) or by ``fields=``.
_STRING_MODALITY = "text"
_NUMBERS = (int, float, np.integer, np.floating)


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


def _items(indices: Sequence[int]) -> str:
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


def _by_items(keys: Sequence[Any], what: Callable[[Any], str] = str) -> str:
    """``item 0: (1, 5); items [1, 2]: (2, 5)``: which items hold which key."""
    return "; ".join(f"{_items(ix)}: {what(key)}" for key, ix in _groups(keys).items())


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


def _check_pad(pad_value: float, dtype: torch.dtype) -> None:
    if dtype == torch.bool:
        ok = pad_value in (0, 1)
    elif dtype.is_floating_point or dtype.is_complex:
        ok = True
    else:
        info = torch.iinfo(dtype)
        ok = float(pad_value).is_integer() and info.min <= pad_value <= info.max
    if not ok:
        raise InvalidInput(f"pad_value={pad_value!r} does not fit the batch's dtype {dtype}: give a pad_value "
                           "the dtype holds (0 for token ids and uint8)")


def _pad(tensors: Sequence[torch.Tensor], pad_value: float) -> Padded:
    tensors = _common(tensors)
    _check_pad(pad_value, tensors[0].dtype)
    lengths = torch.tensor([t.shape[-1] for t in tensors], dtype=torch.long)
    out = torch.full((len(tensors), *tensors[0].shape[:-1], int(lengths.max())), pad_value,
                     dtype=tensors[0].dtype, device=tensors[0].device)
    for b, t in enumerate(tensors):
        out[b, ..., : t.shape[-1]] = t
    return Padded(out, lengths)


def _is_numbers(items: Sequence[Any]) -> bool:
    return all(isinstance(x, _NUMBERS) and not isinstance(x, bool) for x in items)


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
            raise WrongInputType(f"a batch mixes strings with other types ({_items(others)}: "
                                 f"{type(items[others[0]]).__name__}); every view of one position must be a str")
        return list(items)
    if isinstance(first, (torch.Tensor, np.ndarray)):
        others = [i for i, t in enumerate(items) if not isinstance(t, (torch.Tensor, np.ndarray))]
        if others:
            raise WrongInputType(f"a batch mixes tensors with other types ({_items(others)}: "
                                 f"{type(items[others[0]]).__name__}); every view of one position must be a tensor")
        tensors = _tensors(items)
        shapes = [tuple(t.shape) for t in tensors]
        if len(set(shapes)) == 1:
            return torch.stack(_common(tensors))
        if len({s[:-1] for s in shapes}) != 1 or any(len(s) == 0 for s in shapes):
            if all(len(s) == 2 and s[0] <= 64 and t.is_floating_point() for s, t in zip(shapes, tensors, strict=True)):
                # float [channels, time] tensors are clips (audio's canonical form): say it in audio terms
                counts = _by_items(shapes, lambda s: f"{s[0]} channel{'s' if s[0] != 1 else ''}")
                raise InvalidInput(
                    f"cannot collate [channels, time] tensors of different channel counts ({counts}): only the last "
                    "axis may differ; for audio clips give every clip one count (mono: clip.mean(0, keepdim=True); "
                    "stereo from mono: clip.expand(2, -1))")
            raise InvalidInput(
                f"cannot collate tensors of shapes {sorted(set(shapes))}: only the last axis may differ "
                f"({_by_items(shapes, lambda s: f'shape {s}')}); resize or crop images to one size, give clips one "
                "channel count"
            )
        return _pad(tensors, pad_value)
    if _is_numbers(items):
        return torch.as_tensor(np.asarray(items))
    return list(items)


def collate_labels(labels: Sequence[Any]) -> Any:
    """A batch's labels: None when there are none, a tensor of numbers, a list otherwise."""
    if all(label is None for label in labels):
        return None
    if _is_numbers(labels):
        return torch.as_tensor(np.asarray(labels))
    return labels


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
        if isinstance(pad_value, bool) or not isinstance(pad_value, _NUMBERS):
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
        views = [self._position(k, [sample_views[k] for sample_views, _ in samples]) for k in range(n)]
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
                               f"({_by_items(counts, lambda c: f'{c} views')})")
        return samples

    @staticmethod
    def _records(views: Any) -> list[Any] | None:
        records = getattr(views, "params", None)
        return None if records is None else [_plain(record) for record in records]

    def _position(self, k: int, items: list[Any]) -> Any:
        missing = [i for i, x in enumerate(items) if x is None]
        if missing:
            raise InvalidInput(f"view {k}: {_items(missing)} of the batch hold None instead of a view: the "
                               "generator or dataset gave None; drop those samples in the dataset")
        if isinstance(items[0], Mapping):
            return self._dict_position(k, items)
        where = f"view {k}"
        if self.modality is not None:
            return self._named(where, self._descriptor, self.modality, items, self._options, True)
        if self._options and all(isinstance(x, str) for x in items):
            return self._named(where, self._descriptor, _STRING_MODALITY, items, self._options, False)
        return self._named(where, collate_items, items, self.pad_value)

    def _dict_position(self, k: int, items: list[Any]) -> dict[str, Any]:
        others = [i for i, x in enumerate(items) if not isinstance(x, Mapping)]
        if others:
            raise WrongInputType(f"view {k}: item 0 is a dict of fields but {_items(others)} "
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
            raise InvalidInput(f"{where}: {_items(missing)} of the batch hold None for a {name} field; fill it in "
                               "the dataset or pass the field through (fields={...: None})")
        return self._named(where, self._descriptor, name, values, self._options, False)

    def _field_modality(self, field: Any, values: list[Any]) -> str | None:
        if self.fields is not None and field in self.fields:
            return self.fields[field]
        if field in modalities.names():
            return str(field)
        if all(isinstance(v, str) for v in values):
            return _STRING_MODALITY
        return None

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


def collate_views(
    batch: Sequence[tuple[Sequence[Any], Any]], pad_value: float = 0.0, modality: str | None = None, **options: Any
) -> tuple[list[Any], Any]:
    """``collate_fn`` for :class:`ViewDataset`: returns ``(views, labels)``; the default
    :class:`ViewCollate` (see there for how views, dict views and labels are collated).

    Without ``modality`` each position is collated by :func:`collate_items`; with it, by that
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
