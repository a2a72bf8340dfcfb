"""Bounds on the values of an audio op's record, checked before the maths sees them.

``apply`` already checks that each drawn key is there with the right type
(:func:`augkit.core.expect`). A value of the right type can still be one the maths cannot take: a
rate of 0, a noise seed torch refuses, an SNR whose power of ten overflows. Those raise
:class:`augkit.core.errors.InvalidParams` naming the key here, instead of an error deep in torch.
"""

from __future__ import annotations

import math
from typing import Any

from augkit.core import Augmenter, Params, expect
from augkit.core.errors import InvalidParams

__all__ = ["bounded"]


def bounded(params: Params, key: str, low: float, high: float, owner: Augmenter[Any],
            kind: type = float) -> Any:
    """``params[key]`` (of ``kind``, float or int), checked to lie in ``[low, high]``.

    Raises:
        InvalidParams: naming the key, its value and the allowed interval.

    Example:
        >>> bounded({"rate": 1.2}, "rate", 0.1, 10.0, op)
        1.2
    """
    value = expect(params, key, kind, owner)
    # ints are compared exactly (a seed near 2**64 has no exact float, a huge one no float at all)
    finite = isinstance(value, int) or math.isfinite(value)
    if not (finite and low <= value <= high):
        raise InvalidParams(f"{type(owner).__name__} params[{key!r}]={value!r:.40} must lie in [{low!r}, {high!r}]; "
                            "pass the record sample() drew")
    return value
