"""What a view's key and record must hold: a sample's position (index, epoch), a recorded view
in today's record format (older records are upgraded by their op), and the extra data fields a
generator reads from a view's record (a patch mask drawn with the view)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core import RECORD_FORMAT, Augmenter, Params
from augkit.core.errors import InvalidArgument, InvalidParams, WrongArgumentType

__all__ = ["batch_fields", "check_extra_fields", "check_position", "current_record", "field_values", "sample_name",
           "split_fields", "with_fields"]

#: An extra field's reader: a view's record -> the field's value, or None where the view has none.
FieldReader = Callable[[Any], Any]


def sample_name(index: int | str | None) -> str:
    """How messages name a sample: ``sample 7``, ``sample 'a.jpg'``, or ``sample`` without an index."""
    return "sample" if index is None else f"sample {index!r}" if isinstance(index, str) else f"sample {index}"


def current_record(pipeline: Augmenter[Any], record: Any, k: int) -> Params:
    """A view's record without its format key, upgraded to today's format."""
    if not isinstance(record, Mapping):
        raise InvalidParams(f"replay params[{k}] must be a dict (a view's record), got {type(record).__name__}")
    rec = dict(record)
    fmt = rec.pop("format", 1)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or not 1 <= fmt <= RECORD_FORMAT:
        raise InvalidParams(f"replay params[{k}]['format']={fmt!r}: this augkit reads record formats 1 to "
                            f"{RECORD_FORMAT}; a newer record needs a newer augkit")
    return pipeline.upgrade(rec, fmt) if fmt < RECORD_FORMAT else rec


def check_position(index: Any, epoch: Any) -> None:
    """An error naming ``index`` or ``epoch`` unless both are non-negative integers (or the index a
    non-empty string key)."""
    if isinstance(index, str) and not index:
        raise InvalidArgument("index='' : a string key must be non-empty")
    checked = (("epoch", epoch),) if isinstance(index, str) else (("index", index), ("epoch", epoch))
    for name, value in checked:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
            raise InvalidArgument(f"{name}={value!r} must be a non-negative integer")


def check_extra_fields(extra: Any, dict_samples: bool) -> dict[str, FieldReader]:
    """``extra_fields`` of a generator checked: ``{name: reader}``, names non-empty strings, readers callable."""
    if extra is None:
        return {}
    if not isinstance(extra, Mapping):
        raise WrongArgumentType(f"extra_fields must be a dict {{name: reader of a view's record}}, got "
                                f"{type(extra).__name__}")
    if extra and dict_samples:
        raise InvalidArgument("extra_fields are for generators of single samples; dict samples have fields already")
    for name, reader in extra.items():
        if not isinstance(name, str) or not name or not callable(reader):
            raise WrongArgumentType(f"extra_fields[{name!r}] must map a non-empty name to a callable that reads the "
                                    f"field from a view's record, got {type(reader).__name__}")
    return dict(extra)


def field_values(vg: Any, record: Any) -> dict[str, Any]:
    """The generator's extra fields that the view of ``record`` holds (readers returning None left out)."""
    found = {name: reader(record) for name, reader in vg.extra_fields.items()}
    return {name: value for name, value in found.items() if value is not None}


def with_fields(vg: Any, view: Any, record: Any) -> Any:
    """``view``, or ``{modality: view, field: value, ...}`` when the generator's extra fields find
    values in the view's ``record`` (a masked view: ``{"image": ..., "mask": ...}``)."""
    if not vg.extra_fields:
        return view
    found = field_values(vg, record)
    return {vg.modality: view, **found} if found else view


def batch_fields(vg: Any, item: Any, records: Sequence[Any], device: Any) -> Any:
    """One view position of a batch with the extra fields stacked beside it (as :func:`with_fields`
    gives each view), or the batch as it is when no view of it holds one."""
    if not vg.extra_fields:
        return item
    from augkit.core.batching import stack_items

    found = [field_values(vg, r) for r in records]
    names = [n for n in vg.extra_fields if any(n in f for f in found)]
    if not names:
        return item
    for name in names:
        if not all(name in f for f in found):
            raise InvalidParams(f"extra field {name!r} is held by some views of one position and not others; "
                                "a position's views must all hold it to stack")
    return {vg.modality: item, **{n: stack_items([f[n] for f in found], device) for n in names}}


def split_fields(vg: Any, view: Any) -> tuple[Any, dict[str, Any]]:
    """``(view, {field: value})``: a view made by :func:`with_fields` taken apart (storage encodes
    the view by its modality and each field as ``.npy``); ``(view, {})`` for a plain view."""
    if vg.extra_fields and isinstance(view, Mapping) and vg.modality in view:
        return view[vg.modality], {name: value for name, value in view.items() if name != vg.modality}
    return view, {}
