"""Where a test calls a mixing op directly (outside a generator): its partners are the input itself."""

from __future__ import annotations

import contextlib
from typing import Any

from augkit.core.mixing import Pool, partners


def partnered(op: Any, x: Any) -> contextlib.AbstractContextManager[Any]:
    """A pool of partners for ``op`` when it mixes: ``x`` (each example of a batch), else nothing."""
    if not getattr(op, "mixes", False):
        return contextlib.nullcontext()
    value, batched, _ = op._form().enter(x, "test input")
    return partners(Pool(list(value) if batched else [value]))
