"""Declared constructor arguments: what an op accepts, written once as data.

An op lists its arguments in order, each with a check and a default::

    class Gain(Augmenter):
        args = (Arg("gain_db", Range(-120, 60), (-6.0, 6.0), "gain in dB"), Arg("p", Probability(), 1.0))

From that one declaration the base :class:`augkit.core.augmenter.Augmenter` builds the constructor (its
signature, so ``help()`` and ``inspect`` show it), checks every value with an error that names the
argument, the value and what is allowed, stores the normalized value as an attribute, and builds
``repr``, the ``augkit list`` line and the config spec.

Conventions (the same in every op):

- A **range** is ``(min, max)``; a single number means that fixed value (``Range``).
- A **jitter strength** keeps its field's meaning (``Strength``): ``ColorJitter(brightness=b)`` means
  a factor in ``[max(0, 1 - b), 1 + b]`` and ``hue=h`` means ``[-h, h]``, as in torchvision and
  albumentations, while a ``(min, max)`` tuple means exactly that range. This is the one place
  where a single number is a strength rather than a fixed value.
- ``p`` is always the probability of applying the op.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augkit.core.errors import InvalidArgument, WrongArgumentType, quoted

__all__ = [
    "MAX_SIDE",
    "MAX_VIEWS",
    "REQUIRED",
    "Arg",
    "Check",
    "Choice",
    "Flag",
    "Integer",
    "Number",
    "Numbers",
    "Probability",
    "Range",
    "SampleRate",
    "Seed",
    "Size",
    "Strength",
    "Value",
]

#: The largest image side augkit makes (in pixels): larger sizes are refused at construction
#: rather than handed to OpenCV as a multi-gigabyte allocation.
MAX_SIDE = 16384

#: The most views a preset makes per sample: more is refused at construction rather than
#: building that many pipelines (multi-crop recipes use about ten).
MAX_VIEWS = 1024


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of an argument that has none: the caller must give it.
REQUIRED: Any = _Required()


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{'(' if low_open or low is None else '['}{lo}, {hi}{')' if high_open or high is None else ']'}"


def _within(v: float, low: float | None, high: float | None, low_open: bool, high_open: bool) -> bool:
    if not math.isfinite(v):
        return False
    if low is not None and (v <= low if low_open else v < low):
        return False
    return not (high is not None and (v >= high if high_open else v > high))


class Check:
    """Validates and normalizes one argument; subclasses say what they accept in ``describe``."""

    def __call__(self, value: Any, name: str) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def fail(self, name: str, value: Any, kind: type[Exception] = InvalidArgument) -> Exception:
        return kind(f"{name}={quoted(value)} must be {self.describe()}")

    def bounds(self) -> tuple[float | None, float | None, bool, bool] | None:
        """``(low, high, low_open, high_open)``: the interval one number of this argument lies in
        (None for an unbounded side), or None when the argument is not a number. A record holding
        a value drawn for this argument is checked against it on replay
        (:meth:`augkit.core.augmenter.Augmenter.apply`)."""
        return None


@dataclass(frozen=True)
class Number(Check):
    """A finite number in an interval, stored as a float."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def __call__(self, value: Any, name: str) -> float:
        if not _is_number(value):
            raise self.fail(name, value, WrongArgumentType)
        if not _within(float(value), self.low, self.high, self.low_open, self.high_open):
            raise self.fail(name, value)
        return float(value)

    def describe(self) -> str:
        return f"a number in {_interval(self.low, self.high, self.low_open, self.high_open)}"

    def bounds(self) -> tuple[float | None, float | None, bool, bool]:
        return self.low, self.high, self.low_open, self.high_open


@dataclass(frozen=True)
class Probability(Number):
    """A probability in [0, 1]."""

    low: float | None = 0.0
    high: float | None = 1.0

    def describe(self) -> str:
        return "a probability in [0, 1]"


@dataclass(frozen=True)
class Integer(Check):
    """An int in an interval (numpy ints accepted, bools refused)."""

    low: int | None = None
    high: int | None = None
    odd: bool = False

    def __call__(self, value: Any, name: str) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise self.fail(name, value, WrongArgumentType)
        v = int(value)
        if (self.low is not None and v < self.low) or (self.high is not None and v > self.high) or \
                (self.odd and v % 2 == 0):
            raise self.fail(name, value)
        return v

    def describe(self) -> str:
        kind = "an odd int" if self.odd else "an int"
        return f"{kind} in {_interval(self.low, self.high, False, False)}"

    def bounds(self) -> tuple[float | None, float | None, bool, bool]:
        return self.low, self.high, False, False


@dataclass(frozen=True)
class SampleRate(Check):
    """A sample rate in Hz: a positive int (an integral float such as 16000.0 is accepted)."""

    def __call__(self, value: Any, name: str) -> int:
        if not _is_number(value):
            raise self.fail(name, value, WrongArgumentType)
        v = float(value)
        if not math.isfinite(v) or v <= 0 or v != int(v) or v > 10_000_000:
            raise self.fail(name, value)
        return int(v)

    def describe(self) -> str:
        return "a positive integer number of Hz (e.g. 16000)"


@dataclass(frozen=True)
class Range(Check):
    """A ``(min, max)`` range; a single number means that fixed value. Stored as a float pair."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def __call__(self, value: Any, name: str) -> tuple[float, float]:
        if _is_number(value):
            lo = hi = float(value)
        elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2 \
                and all(_is_number(v) for v in value):
            lo, hi = float(value[0]), float(value[1])
        else:
            raise self.fail(name, value, WrongArgumentType)
        ok = all(_within(v, self.low, self.high, self.low_open, self.high_open) for v in (lo, hi))
        if not ok or lo > hi:
            raise self.fail(name, value)
        return lo, hi

    def describe(self) -> str:
        return (f"a number or a (min, max) pair with min <= max, within "
                f"{_interval(self.low, self.high, self.low_open, self.high_open)}")

    def bounds(self) -> tuple[float | None, float | None, bool, bool]:
        return self.low, self.high, self.low_open, self.high_open


@dataclass(frozen=True)
class Strength(Check):
    """A jitter strength ``s`` around ``center`` (the range ``[center - s, center + s]`` clipped
    to ``[low, high]``), or an exact ``(min, max)`` range within ``[low, high]``."""

    center: float
    low: float | None = None
    high: float | None = None

    def __call__(self, value: Any, name: str) -> tuple[float, float]:
        if _is_number(value):
            s = float(value)
            if not math.isfinite(s) or s < 0:
                raise self.fail(name, value)
            lo, hi = self.center - s, self.center + s
            if self.low is not None:
                lo = max(lo, self.low)
            if self.high is not None:
                if hi > self.high:
                    raise self.fail(name, value)
            return lo, hi
        return Range(self.low, self.high)(value, name)

    def describe(self) -> str:
        return (f"a strength s >= 0 (the range [{self.center:g} - s, {self.center:g} + s] within "
                f"{_interval(self.low, self.high, False, False)}) or an exact (min, max) range")

    def bounds(self) -> tuple[float | None, float | None, bool, bool]:
        return self.low, self.high, False, False


@dataclass(frozen=True)
class Choice(Check):
    """One of a fixed set of values."""

    options: tuple[Any, ...]

    def __call__(self, value: Any, name: str) -> Any:
        if isinstance(value, (list, dict)) or value not in self.options:
            raise self.fail(name, value)
        return value

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)


@dataclass(frozen=True)
class Flag(Check):
    """True or False."""

    def __call__(self, value: Any, name: str) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise self.fail(name, value, WrongArgumentType)
        return bool(value)

    def describe(self) -> str:
        return "True or False"


@dataclass(frozen=True)
class Size(Check):
    """An image size: one int for a square or a ``(height, width)`` pair, each in [1, MAX_SIDE]."""

    pair: bool = True  # False keeps a single int as it is (a shorter-side target)

    def __call__(self, value: Any, name: str) -> int | tuple[int, int]:
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            h = w = int(value)
        elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2 and all(
                isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in value):
            h, w = int(value[0]), int(value[1])
        else:
            raise self.fail(name, value, WrongArgumentType)
        if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
            raise self.fail(name, value)
        if not self.pair and not isinstance(value, Sequence):
            return h
        return h, w

    def describe(self) -> str:
        return f"an int or a (height, width) pair of ints, each in [1, {MAX_SIDE}]"


@dataclass(frozen=True)
class Numbers(Check):
    """One number, or a sequence (list, tuple, 1-D array) of as many numbers as ``counts``
    allows, each finite within an interval; stored as a tuple of floats (per-channel statistics)."""

    counts: tuple[int, ...] = (1, 3)
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def __call__(self, value: Any, name: str) -> tuple[float, ...]:
        if _is_number(value):
            items = [value]
        elif isinstance(value, (str, bytes, dict, set)) or not hasattr(value, "__len__"):
            raise self.fail(name, value, WrongArgumentType)
        else:
            array = np.asarray(value) if hasattr(value, "__array__") else None
            items = list(value) if array is None else array.reshape(-1).tolist() if array.ndim <= 1 else [array]
            if not all(_is_number(v) for v in items):
                raise self.fail(name, value, WrongArgumentType)
        if len(items) not in self.counts or \
                not all(_within(float(v), self.low, self.high, self.low_open, self.high_open) for v in items):
            raise self.fail(name, value)
        return tuple(float(v) for v in items)

    def describe(self) -> str:
        counts = " or ".join(str(c) for c in self.counts)
        return f"{counts} numbers, each in {_interval(self.low, self.high, self.low_open, self.high_open)}"


@dataclass(frozen=True)
class Seed(Check):
    """A generator seed: an int >= 0 (numpy ints accepted, bools refused), or None to draw one."""

    def __call__(self, value: Any, name: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise self.fail(name, value, WrongArgumentType)
        if value < 0:
            raise self.fail(name, value)
        return int(value)

    def describe(self) -> str:
        return "an int >= 0, or None to draw one"


@dataclass(frozen=True)
class Value(Check):
    """Anything ``test`` accepts (a user's callable, a list of recordings); ``test`` returns the
    stored value or raises the error itself."""

    test: Callable[[Any, str], Any] | None = None
    what: str = "any value"

    def __call__(self, value: Any, name: str) -> Any:
        return value if self.test is None else self.test(value, name)

    def describe(self) -> str:
        return self.what


@dataclass(frozen=True)
class Arg:
    """One declared constructor argument: its name, check, default and a short description."""

    name: str
    check: Check
    default: Any = REQUIRED
    doc: str = ""
    keyword_only: bool = field(default=False)
    attr: str = ""  # the attribute the value is stored under, when it cannot be the name itself

    @property
    def attribute(self) -> str:
        return self.attr or self.name
