"""Composites: Compose, OneOf and RandomApply combine augmenters of any modality.

Child ``i`` of a composite draws from the stream of its place, ``stream(*parent_key, i)``
(:mod:`augkit.core.streams`): two identical children draw different values, and a child's stream does
not depend on what its parent drew. Called with a bare ``numpy.random.Generator`` instead of an
augkit stream, a composite draws one integer from it per call and keys its children from that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core.args import REQUIRED, Arg, Probability, Value
from augkit.core.augmenter import Augmenter, Params
from augkit.core.errors import InvalidArgument, InvalidParams, WrongArgumentType
from augkit.core.recordcheck import NUMBER, expect
from augkit.core.streams import children, stream

__all__ = ["Compose", "Identity", "OneOf", "Pipeline", "RandomApply", "check_augmenter", "fired"]


def check_augmenter(obj: Any, name: str) -> Augmenter[Any]:
    if not isinstance(obj, Augmenter):
        raise WrongArgumentType(
            f"{name} must be an augkit Augmenter (with sample/apply), got {type(obj).__name__}; "
            "wrap another library's pipeline in augkit's wrapper op for it (augkit list shows them)"
        )
    return obj


def _check_ops(value: Any, name: str) -> list[Augmenter[Any]]:
    if isinstance(value, (Augmenter, str, bytes)) or not isinstance(value, Sequence):
        raise WrongArgumentType(f"{name} takes a list of augmenters, got {type(value).__name__}")
    return [check_augmenter(op, f"{name}[{i}]") for i, op in enumerate(value)]


_OPS = Value(_check_ops, "a list of augmenters")
_OP = Value(check_augmenter, "an augmenter")


def _child_record(child: Augmenter[Any], params: Params | None) -> Params:
    return {"op": child.name or type(child).__name__, "params": params}


class _Composite(Augmenter[Any]):
    """What composites share: they run their children, so sampling means running the chain."""

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        return self.augment(x, rng)[1]

    def apply(self, x: Any, params: Params) -> Any:
        if not expect(params, "applied", bool, self):
            return x
        return self.replay(x, params)

    def augment(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        if self.p < 1.0 and rng.random() >= self.p:
            return x, {"applied": False}
        y, record = self.run(x, rng)
        return y, {"applied": True, **record}

    def run(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        raise NotImplementedError

    def augment_batch(self, batch: Any, keys: Any) -> list[Params]:
        """:meth:`augment` over a batch (:mod:`augkit.core.engine`): the composite's own draws for every
        item, then each child over the items that reach it."""
        if type(self).run_batch is _Composite.run_batch:  # a composite that walks no batch: item by item
            from augkit.core.engine import each

            return each(self, batch, keys)
        n = len(keys)
        u = keys.uniforms(self._doubles()) if self._doubles() else np.zeros((n, 0))
        rows = np.flatnonzero(u[:, 0] < self.p).tolist() if self.p < 1.0 else list(range(n))
        records: list[Params] = [{"applied": False} for _ in range(n)]  # one dict per item: records are the user's
        if not rows:
            return records
        whole = len(rows) == n
        sub, subkeys = (batch, keys) if whole else (batch.subset(rows), keys.subset(rows))
        made = self.run_batch(sub, subkeys, u[rows, 1 if self.p < 1.0 else 0:])
        if whole:
            return made
        batch.merge(rows, sub)
        for r, record in zip(rows, made, strict=True):
            records[r] = record
        return records

    def _doubles(self) -> int:
        """The uniform doubles the composite draws itself, its ``p`` draw included."""
        return 1 if self.p < 1.0 else 0

    def run_batch(self, batch: Any, keys: Any, u: np.ndarray) -> list[Params]:
        """:meth:`run` over a batch every item of which fired, as records (``applied`` included);
        ``u`` holds the doubles drawn beyond ``p``."""
        raise NotImplementedError

    def replay(self, x: Any, params: Params) -> Any:
        raise NotImplementedError


class Identity(Augmenter[Any]):
    """Returns its input unchanged (a view with no augmentation)."""

    name = "identity"

    def transform(self, x: Any, params: Params) -> Any:
        return x

    def uniform_draws(self) -> int:
        return 0

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        return [{} for _ in items]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        return batch


class Compose(_Composite):
    """Apply ``ops`` in order; op ``i`` draws from the stream of its place in the pipeline.

    Params: ``{"applied": True, "ops": [{"op": name, "params": {...}}, ...]}``.

    Example:
        >>> Compose([Gain(gain_db=(-6, 6)), AddNoise(snr_db=(5, 20))])
    """

    name = "compose"
    args = (Arg("ops", _OPS, REQUIRED, "the ops, in order"),)
    ops: list[Augmenter[Any]]

    @classmethod
    def example(cls) -> Compose:
        return cls([Identity()])

    def run(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        return self.run_keyed(x, children(rng))

    def run_keyed(self, x: Any, prefix: tuple[int | str, ...]) -> tuple[Any, Params]:
        """What :meth:`run` does with a stream keyed ``prefix``, without making that stream (a
        Compose that always fires draws nothing of its own: ``ViewGenerator`` saves a keying)."""
        records = []
        for i, op in enumerate(self.ops):
            x, p = op.augment(x, stream(*prefix, i))
            records.append(_child_record(op, p))
        return x, {"ops": records}

    def run_batch(self, batch: Any, keys: Any, u: np.ndarray) -> list[Params]:
        per_op = [op.augment_batch(batch, keys.child(i)) for i, op in enumerate(self.ops)]
        names = [op.name or type(op).__name__ for op in self.ops]
        return [{"applied": True, "ops": [{"op": name, "params": p} for name, p in zip(names, row, strict=True)]}
                for row in zip(*per_op, strict=True)]

    def replay(self, x: Any, params: Params) -> Any:
        records = expect(params, "ops", list, self)
        if len(records) != len(self.ops):
            raise InvalidParams(f"Compose params['ops'] holds {len(records)} records but the pipeline has "
                                f"{len(self.ops)} ops")
        for i, (op, rec) in enumerate(zip(self.ops, records, strict=True)):
            x = op.apply(x, expect(rec, "params", dict, self, f"ops[{i}]"))
        return x

    def upgrade(self, params: Any, from_format: int) -> Params:
        out = super().upgrade(params, from_format)
        if isinstance(out.get("ops"), list) and len(out["ops"]) == len(self.ops):
            out["ops"] = [{**rec, "params": op.upgrade(rec.get("params"), from_format)} if isinstance(rec, dict)
                          else rec for op, rec in zip(self.ops, out["ops"], strict=True)]
        return out


def _check_weights(value: Any, name: str) -> list[float] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence) or \
            not all(isinstance(v, NUMBER) and not isinstance(v, bool) for v in value):
        raise WrongArgumentType(f"{name}={value!r} must be a list of numbers or None")
    w = np.asarray(value, dtype=float)
    if w.ndim != 1 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InvalidArgument(f"{name}={value!r} must be finite non-negative numbers with a positive sum")
    return [float(v) for v in w]


#: The image package's name for a chain of ops (augkit 0.1 had a class of its own).
Pipeline = Compose


class OneOf(_Composite):
    """Apply exactly one of ``ops``, chosen with probabilities ``weights`` (uniform by default).

    Params: ``{"applied": True, "choice": i, "op": name, "params": {...}}``.
    """

    name = "one_of"
    args = (Arg("ops", _OPS, REQUIRED, "the ops to choose from"),
            Arg("weights", Value(_check_weights, "a list of non-negative weights, or None"), None,
                "relative probability of each op (uniform when None)"))
    ops: list[Augmenter[Any]]
    weights: list[float] | None

    def setup(self) -> None:
        if not self.ops:
            raise WrongArgumentType("OneOf(ops=...) needs at least one augmenter")
        w = [1.0] * len(self.ops) if self.weights is None else self.weights
        if len(w) != len(self.ops):
            raise WrongArgumentType(f"OneOf(weights={self.weights!r}) must hold one weight per op ({len(self.ops)})")
        total = sum(w)
        self._cumulative = np.cumsum([v / total for v in w]).tolist()

    @classmethod
    def example(cls) -> OneOf:
        return cls([Identity(), Identity()])

    def run(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        u = rng.random()
        i = next((k for k, c in enumerate(self._cumulative) if u < c), len(self.ops) - 1)
        y, p = self.ops[i].augment(x, stream(*children(rng), i))
        return y, {"choice": i, **_child_record(self.ops[i], p)}

    def _doubles(self) -> int:
        return super()._doubles() + 1

    def run_batch(self, batch: Any, keys: Any, u: np.ndarray) -> list[Params]:
        choices = np.searchsorted(np.asarray(self._cumulative), u[:, 0], side="right")
        choices = np.minimum(choices, len(self.ops) - 1).tolist()
        records: list[Params] = [{} for _ in range(len(keys))]
        for i in sorted(set(choices)):
            rows = [r for r, c in enumerate(choices) if c == i]
            whole = len(rows) == len(keys)
            sub, subkeys = (batch, keys) if whole else (batch.subset(rows), keys.subset(rows))
            made = self.ops[i].augment_batch(sub, subkeys.child(i))
            if not whole:
                batch.merge(rows, sub)
            for r, p in zip(rows, made, strict=True):
                records[r] = {"applied": True, "choice": i, **_child_record(self.ops[i], p)}
        return records

    def replay(self, x: Any, params: Params) -> Any:
        i = expect(params, "choice", int, self)
        if not 0 <= i < len(self.ops):
            raise InvalidParams(f"OneOf params['choice']={i} is out of range for {len(self.ops)} ops")
        return self.ops[i].apply(x, expect(params, "params", dict, self))

    def upgrade(self, params: Any, from_format: int) -> Params:
        out = super().upgrade(params, from_format)
        i = out.get("choice")
        if isinstance(i, int) and 0 <= i < len(self.ops):
            out["params"] = self.ops[i].upgrade(out.get("params"), from_format)
        return out


class RandomApply(_Composite):
    """Apply ``op`` with probability ``p``; otherwise pass the input through.

    Params: ``{"applied": bool, "op": name, "params": {...}}`` (``params`` only when applied).
    """

    name = "random_apply"
    args = (Arg("op", _OP, REQUIRED, "the op to apply"), Arg("p", Probability(), 0.5, "probability of applying it"))
    op: Augmenter[Any]

    @classmethod
    def example(cls) -> RandomApply:
        return cls(Identity())

    def run(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        y, p = self.op.augment(x, stream(*children(rng), 0))
        return y, _child_record(self.op, p)

    def run_batch(self, batch: Any, keys: Any, u: np.ndarray) -> list[Params]:
        return [{"applied": True, **_child_record(self.op, p)} for p in self.op.augment_batch(batch, keys.child(0))]

    def replay(self, x: Any, params: Params) -> Any:
        return self.op.apply(x, expect(params, "params", dict, self))

    def upgrade(self, params: Any, from_format: int) -> Params:
        out = dict(params)
        if out.get("applied") is True:
            out["params"] = self.op.upgrade(out.get("params"), from_format)
        else:
            out = {"applied": False}
        return out




def fired(record: Any, name: str = "") -> list[tuple[str, dict[str, Any]]]:
    """The ops that fired in a view's record, in the order they ran: ``[(op name, params), ...]``.

    Composites are looked through (a Compose's ``ops``, a OneOf's choice, a RandomApply's op);
    ops that did not fire are left out, and each op's params lose the ``applied`` flag. ``name``
    names the op whose record this is, when it is not a composite (``vg.pipelines[k].name``).

    Example:
        >>> fired(vg.generate(photo, index=0).params[0])
        [('image.random_resized_crop', {'top': 15, ...}), ('image.color_jitter', {...})]
    """
    if not isinstance(record, Mapping) or record.get("applied") is not True:
        return []
    ops = record.get("ops")
    if isinstance(ops, list):
        return [step for op in ops if isinstance(op, Mapping) for step in fired(op.get("params"), op.get("op", ""))]
    if isinstance(record.get("op"), str) and isinstance(record.get("params"), Mapping):
        return fired(record["params"], record["op"])
    return [(name, {k: v for k, v in record.items() if k not in ("applied", "format")})]
