"""The one contract every augmenter follows, and the composites that combine augmenters.

An augmenter splits *drawing* from *applying*::

    params = aug.sample(x, rng)   # all randomness happens here, from the given numpy Generator
    y = aug.apply(x, params)      # pure: the same x and params always give the same y

``params`` is a JSON-safe dict, so a view can be logged, stored next to a generated pair and
replayed later. Bulky randomness (a noise buffer, a wrapped library's own RNG) is kept in params
as an integer ``seed`` that ``apply`` turns into its own generator.

Composites (:class:`Compose`, :class:`OneOf`, :class:`RandomApply`) work for any modality. Each
child draws from its own stream (``rng.spawn``), never from one seed shared by all children.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

__all__ = [
    "Augmenter",
    "Compose",
    "Identity",
    "OneOf",
    "Params",
    "RandomApply",
    "check_json_safe",
    "check_probability",
    "check_range",
    "uniform",
]

X = TypeVar("X")
Params = dict[str, Any]


class Augmenter(ABC, Generic[X]):
    """Base class of every augmenter.

    Subclasses set ``name`` (the registry name, e.g. ``"audio.gain"``) and implement
    :meth:`sample` and :meth:`apply`. Composites override :meth:`augment` so that a chain runs in
    one pass: a later op may need the output of an earlier one (a crop needs the image size).

    Example:
        >>> params = aug.sample(x, np.random.default_rng(0)); y = aug.apply(x, params)
    """

    name: ClassVar[str] = ""

    @abstractmethod
    def sample(self, x: X, rng: np.random.Generator) -> Params:
        """Draw this op's parameters for input ``x`` from ``rng`` (the only source of randomness).

        Returns:
            A JSON-safe dict that :meth:`apply` understands.
        """

    @abstractmethod
    def apply(self, x: X, params: Params) -> X:
        """Apply the op with ``params``; pure and repeatable."""

    def augment(self, x: X, rng: np.random.Generator) -> tuple[X, Params]:
        """Draw params and apply them in one go; returns ``(output, params)``."""
        params = self.sample(x, rng)
        return self.apply(x, params), params

    def __call__(self, x: X, rng: np.random.Generator | None = None) -> X:
        """Convenience: augment ``x`` with ``rng`` (a fresh unseeded stream if None)."""
        return self.augment(x, rng if rng is not None else np.random.default_rng())[0]

    @classmethod
    def example(cls) -> Augmenter[Any]:
        """An instance with typical arguments, used by the contract tests and ``augkit list``."""
        return cls()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


def _as_augmenter(obj: Any, where: str) -> Augmenter[Any]:
    if not isinstance(obj, Augmenter):
        raise TypeError(
            f"{where} must be an augkit Augmenter (with sample/apply), got {type(obj).__name__}; "
            "wrap an albumentations pipeline with augkit.image.Albumentations(...)"
        )
    return obj


def _child_record(child: Augmenter[Any], params: Params) -> Params:
    return {"op": child.name or type(child).__name__, "params": params}


class Identity(Augmenter[Any]):
    """Returns its input unchanged (a view with no augmentation)."""

    name = "identity"

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        return {}

    def apply(self, x: Any, params: Params) -> Any:
        return x


class Compose(Augmenter[Any]):
    """Apply ``ops`` in order; each op draws from its own spawned stream.

    Params: ``{"ops": [{"op": name, "params": {...}}, ...]}``.

    Example:
        >>> Compose([Gain(gain_db=(-6, 6)), AddNoise(snr_db=(5, 20))])
    """

    name = "compose"

    def __init__(self, ops: Sequence[Augmenter[Any]]) -> None:
        if isinstance(ops, Augmenter) or not isinstance(ops, Sequence):
            raise TypeError(f"Compose(ops=...) takes a list of augmenters, got {type(ops).__name__}")
        self.ops = [_as_augmenter(op, f"Compose ops[{i}]") for i, op in enumerate(ops)]

    def augment(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        records = []
        for op, child_rng in zip(self.ops, rng.spawn(len(self.ops)), strict=True):
            x, p = op.augment(x, child_rng)
            records.append(_child_record(op, p))
        return x, {"ops": records}

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        # A later op's params can depend on an earlier op's output (a crop on a resized image),
        # so sampling a chain means running it.
        return self.augment(x, rng)[1]

    def apply(self, x: Any, params: Params) -> Any:
        records = _expect(params, "ops", list, self)
        if len(records) != len(self.ops):
            raise ValueError(f"Compose params hold {len(records)} ops but the pipeline has {len(self.ops)}")
        for op, rec in zip(self.ops, records, strict=True):
            x = op.apply(x, rec["params"])
        return x


class OneOf(Augmenter[Any]):
    """Apply exactly one of ``ops``, chosen with probabilities ``weights`` (uniform by default).

    Params: ``{"choice": i, "op": name, "params": {...}}``.
    """

    name = "one_of"

    def __init__(self, ops: Sequence[Augmenter[Any]], weights: Sequence[float] | None = None) -> None:
        if not ops:
            raise ValueError("OneOf(ops=...) needs at least one augmenter")
        self.ops = [_as_augmenter(op, f"OneOf ops[{i}]") for i, op in enumerate(ops)]
        if weights is None:
            weights = [1.0] * len(self.ops)
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(self.ops),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(
                f"OneOf(weights={list(weights)!r}) must hold {len(self.ops)} finite non-negative numbers "
                "with a positive sum"
            )
        self.weights = [float(v) for v in w / w.sum()]

    def augment(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        choose_rng, child_rng = rng.spawn(2)
        i = int(choose_rng.choice(len(self.ops), p=self.weights))
        y, p = self.ops[i].augment(x, child_rng)
        return y, {"choice": i, **_child_record(self.ops[i], p)}

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        return self.augment(x, rng)[1]

    def apply(self, x: Any, params: Params) -> Any:
        i = _expect(params, "choice", int, self)
        if not 0 <= i < len(self.ops):
            raise ValueError(f"OneOf params choice={i} is out of range for {len(self.ops)} ops")
        return self.ops[i].apply(x, params["params"])


class RandomApply(Augmenter[Any]):
    """Apply ``op`` with probability ``p``; otherwise pass the input through.

    Params: ``{"applied": bool, "op": name, "params": {...} | None}``.
    """

    name = "random_apply"

    def __init__(self, op: Augmenter[Any], p: float = 0.5) -> None:
        self.op = _as_augmenter(op, "RandomApply op")
        self.p = check_probability(p, "p")

    def augment(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        coin_rng, child_rng = rng.spawn(2)
        if coin_rng.random() >= self.p:
            return x, {"applied": False, "op": self.op.name, "params": None}
        y, p = self.op.augment(x, child_rng)
        return y, {"applied": True, **_child_record(self.op, p)}

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        return self.augment(x, rng)[1]

    def apply(self, x: Any, params: Params) -> Any:
        if not _expect(params, "applied", bool, self):
            return x
        return self.op.apply(x, params["params"])


def _expect(params: Any, key: str, kind: type, owner: Augmenter[Any]) -> Any:
    if not isinstance(params, Mapping) or key not in params:
        raise ValueError(f"{type(owner).__name__} params must be a dict with key {key!r}, got {params!r}")
    value = params[key]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ValueError(f"{type(owner).__name__} params[{key!r}] must be {kind.__name__}, got {value!r}")
    return value


# ---------------------------------------------------------------------------------------------
# Argument helpers shared by every modality: one convention for ranges and probabilities.


def check_probability(p: float, name: str = "p") -> float:
    """Validate a probability argument; returns it as a float or raises ValueError naming it."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"{name}={p!r} must be a probability in [0, 1]")
    return float(p)


def check_range(
    value: float | tuple[float, float] | Sequence[float],
    name: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_inclusive: bool = True,
) -> tuple[float, float]:
    """Normalize a ``(min, max)`` range argument; a single number means a fixed value.

    Raises:
        ValueError: naming ``name`` and the allowed interval when the range is malformed.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name}={value!r} must be a number or a (min, max) pair")
    if isinstance(value, (int, float)):
        lo = hi = float(value)
    elif isinstance(value, Sequence) and len(value) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        lo, hi = float(value[0]), float(value[1])
    else:
        raise ValueError(f"{name}={value!r} must be a number or a (min, max) pair")
    bound = "[" if low_inclusive else "("
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"{name}={value!r} must be finite with min <= max")
    below = lo < low if low_inclusive else lo <= low
    if below or hi > high:
        raise ValueError(f"{name}={value!r} must lie in {bound}{low}, {high}]")
    return lo, hi


def uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    """Draw uniformly from ``bounds`` as a plain float; a fixed value draws nothing."""
    lo, hi = bounds
    return lo if lo == hi else float(rng.uniform(lo, hi))


def check_json_safe(params: Any) -> None:
    """Raise TypeError when ``params`` would not survive ``json.dumps``/``json.loads`` unchanged."""
    try:
        text = json.dumps(params, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"params are not JSON-safe: {exc}: {params!r}") from None
    if json.loads(text) != params:
        raise TypeError(f"params change in a JSON round trip (use lists, not tuples): {params!r}")
