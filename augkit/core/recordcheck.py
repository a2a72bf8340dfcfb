"""Checks of records (params): a recorded key of the right type, a recorded number within its
bounds, a record that survives JSON. A record is input too: :meth:`augkit.core.Augmenter.apply`
checks every record it replays with these."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from augkit.core.args import Arg, Check
from augkit.core.errors import InvalidParams, quoted

if TYPE_CHECKING:
    from augkit.core.augmenter import Augmenter

__all__ = ["NUMBER", "check_bounds", "check_json_safe", "expect", "record_bounds", "recorded_choice"]

NUMBER = (int, float)
#: The bounds of a recorded int that no declaration bounds: what a 64-bit field (signed or not) holds.
_INT_BOUNDS: tuple[float | None, float | None, bool, bool] = (-(2**63), 2**64 - 1, False, False)
#: The bounds of a recorded float that no declaration bounds: any finite value.
_FLOAT_BOUNDS: tuple[float | None, float | None, bool, bool] = (None, None, False, False)


def expect(params: Any, key: str, kind: type | tuple[type, ...], owner: Augmenter[Any], where: str = "") -> Any:
    """``params[key]``, checked to be of ``kind``; raises :class:`InvalidParams` naming the key.

    ints are accepted where floats are expected; bools are never taken for numbers.
    """
    label = f"{type(owner).__name__} params{'' if not where else ' ' + where}"
    if not isinstance(params, Mapping):
        raise InvalidParams(f"{label} must be a dict with key {key!r}, got {type(params).__name__} {params!r:.80}")
    if key not in params:
        raise InvalidParams(f"{label} are missing key {key!r} (got keys {sorted(params)}); pass the record "
                            "sample() drew")
    value = params[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds:
        kinds = (*kinds, int)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise InvalidParams(f"{label}[{key!r}] must be {names}, got {value!r:.80}")
    return value


def recorded_choice(params: Mapping[str, Any], key: str, options: tuple[str, ...], default: str,
                    owner: Augmenter[Any]) -> str:
    """``params[key]``, one of ``options``, or ``default`` when the record does not say (a record
    made before the op recorded that argument); raises :class:`InvalidParams` naming the key."""
    value = params.get(key, default)
    if not isinstance(value, str) or value not in options:
        raise InvalidParams(f"{type(owner).__name__} params[{key!r}]={value!r:.40} must be one of {list(options)}; "
                            "use the params drawn for this image")
    return value


def record_bounds(cls: type[Augmenter[Any]], declared: tuple[Arg, ...]
                   ) -> dict[str, tuple[float | None, float | None, bool, bool] | None]:
    """The bounds of each drawn key: the op's ``record_bounds``, else the declared argument's of the
    same name; None where neither bounds it (the 64-bit defaults then apply)."""
    by_name = {a.name: a.check for a in declared}
    out: dict[str, tuple[float | None, float | None, bool, bool] | None] = {}
    for key in cls.drawn:
        check = cls.record_bounds.get(key, by_name.get(key))
        out[key] = check.bounds() if isinstance(check, Check) else None
    unknown = [key for key in cls.record_bounds if key not in cls.drawn]
    if unknown:
        raise TypeError(f"{cls.__qualname__}.record_bounds names {unknown[0]!r}, which is not in its drawn keys")
    return out


def check_bounds(owner: Augmenter[Any], key: str, value: float,
                  bounds: tuple[float | None, float | None, bool, bool] | None) -> None:
    """Raise :class:`InvalidParams` naming ``key`` when ``value`` lies outside ``bounds``, or outside
    what a 64-bit field holds (every int, bounded or not; a float must be finite). Ints are compared
    exactly: a huge one has no float."""
    default = _INT_BOUNDS if isinstance(value, int) else _FLOAT_BOUNDS
    for interval in (bounds, default) if bounds else (default,):
        if not _inside(value, *interval):
            raise InvalidParams(f"{type(owner).__name__} params[{key!r}]={quoted(value)} must lie in "
                                f"{_shown(*interval)}{'' if interval is bounds else ' (a 64-bit value)'}; pass the "
                                "record sample() drew")


def _inside(value: float, low: float | None, high: float | None, low_open: bool, high_open: bool) -> bool:
    if not (isinstance(value, int) or math.isfinite(value)):
        return False
    if low is not None and (value <= low if low_open else value < low):
        return False
    return not (high is not None and (value >= high if high_open else value > high))


def _shown(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    lo = "-inf" if low is None else f"{low:g}" if isinstance(low, float) else str(low)
    hi = "inf" if high is None else f"{high:g}" if isinstance(high, float) else str(high)
    return f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"


def check_json_safe(params: Any) -> None:
    """Raise TypeError when ``params`` would not survive ``json.dumps``/``json.loads`` unchanged."""
    try:
        text = json.dumps(params, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"params are not JSON-safe: {exc}: {params!r}") from None
    if json.loads(text) != params:
        raise TypeError(f"params change in a JSON round trip (use lists, not tuples): {params!r}")
