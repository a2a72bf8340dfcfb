"""What a view's key and record must hold: a sample's position (index, epoch), and a recorded view
in today's record format (older records are upgraded by their op)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from augkit.core import RECORD_FORMAT, Augmenter, Params
from augkit.core.errors import InvalidArgument, InvalidParams

__all__ = ["check_position", "current_record", "sample_name"]


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
