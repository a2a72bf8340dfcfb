"""The one augmenter base, and the composites that combine augmenters.

An augmenter splits *drawing* from *applying*::

    params = aug.sample(x, rng)   # all randomness happens here, from the given numpy Generator
    y = aug.apply(x, params)      # pure: the same x and params always give the same y

An op declares its constructor arguments (:mod:`augkit.core.args`) and the keys it records, and writes
two methods: ``draw(x, rng)`` (the values it needs) and ``transform(x, params)`` (the maths). The
base does the rest, the same way for every op of every modality:

- the probability ``p``: every record is ``{"applied": bool, ...}``, holding what was drawn only
  when the op fired;
- argument checks, ``repr`` and :meth:`Augmenter.arguments` from the declaration;
- the input check of the op's modality (see :mod:`augkit.core.modalities`) and, for modalities that
  have them, batches with one record per example;
- params checks in :meth:`Augmenter.apply`: a missing or malformed key raises
  :class:`augkit.core.errors.InvalidParams` naming it, and so does a value outside its bounds. A
  record is input too: each recorded number is checked against the bounds of the declared argument
  of the same name (``gain_db`` against ``Arg("gain_db", Range(-120, 60))``), against
  ``record_bounds`` where the op declares them, and otherwise against what a 64-bit field holds
  (finite floats, ints in ``[-2**63, 2**64)``), so no op can replay a value it would never draw.

``params`` is a JSON-safe dict, so a view can be logged, stored next to a generated pair and
replayed later. Bulky randomness (a noise buffer, a wrapped library's own RNG) is kept in params as
an integer ``seed`` that ``transform`` turns into its own generator.

Composites (:class:`Compose`, :class:`OneOf`, :class:`RandomApply`, in :mod:`augkit.core.composites`)
work for any modality. Child ``i`` draws from the stream keyed by its place,
``stream(*parent_key, i)`` (:mod:`augkit.core.streams`).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

from augkit.core.args import REQUIRED, Arg, Check, Probability
from augkit.core.errors import InvalidParams, WrongArgumentType
from augkit.core.recordcheck import NUMBER, check_bounds, check_json_safe, expect, record_bounds
from augkit.core.streams import stream

__all__ = [
    "RECORD_FORMAT",
    "Augmenter",
    "Params",
    "check_json_safe",
    "expect",
    "uniform",
]

X = TypeVar("X")
Params = dict[str, Any]

#: The version of the records augkit writes (``"format"`` in each view's record). Format 1 is
#: augkit 0.1's, which still replays: records hold values, not streams.
RECORD_FORMAT = 2

_P = Arg("p", Probability(), 1.0, "probability of applying the op")
class Augmenter(Generic[X]):
    """Base class of every augmenter.

    Class attributes an op sets:
        name: the registry name, e.g. ``"audio.gain"``.
        modality: the modality of its inputs (``"image"``, ``"text"``, ``"audio"``); empty for
            composites, which take whatever their children take.
        args: the declared constructor arguments, in order (:class:`augkit.core.args.Arg`). ``p``
            comes last unless an op declares it itself.
        drawn: the keys a fired record holds, with their types; ``apply`` checks them.
        record_bounds: ``{key: check}`` for drawn numbers whose bounds are not those of the
            declared argument of the same name (GaussianBlur's recorded kernel side); ``apply``
            refuses a recorded number outside ``check.bounds()``.
        batch_items: the op's :meth:`transform_batch` takes the items as a list, never stacked (a
            crop reads a part of each: stacking whole inputs would copy them for nothing).

    An op may also write ``transform_rows(batch, rows, records) -> bool``: the op applied in place to
    the rows ``rows`` of a stacked batch the engine owns, returning False for a batch form it does
    not change in place (the engine then calls :meth:`transform_batch`). It saves gathering the
    fired rows and writing them back, which costs more than the kernel on large images.
        draws_uniformly: for an op whose :meth:`draw` is ``{key: uniform(rng, self.key)}`` for
            these keys, in this order, and nothing else: the base then draws them for a whole
            batch at once (:meth:`draw_uniforms`).
        unnameable: ``{argument: why}`` for arguments a config spec can never hold (an object of
            another library); :func:`augkit.views.config.dump` refuses them with that reason.

    An op writes ``draw(x, rng) -> dict`` and ``transform(x, params) -> y``; both see the input in
    the modality's canonical form. ``setup()`` runs after the arguments are stored, for derived
    state (a lookup table).

    Example:
        >>> params = aug.sample(x, np.random.default_rng(0)); y = aug.apply(x, params)
    """

    name: ClassVar[str] = ""
    modality: ClassVar[str] = ""
    args: ClassVar[tuple[Arg, ...]] = ()
    drawn: ClassVar[Mapping[str, type | tuple[type, ...]]] = {}
    record_bounds: ClassVar[Mapping[str, Check]] = {}
    draws_uniformly: ClassVar[tuple[str, ...]] = ()
    batch_items: ClassVar[bool] = False
    unnameable: ClassVar[Mapping[str, str]] = {}
    p: float

    _declared: ClassVar[tuple[Arg, ...]] = ()
    _bounds: ClassVar[dict[str, tuple[float | None, float | None, bool, bool] | None]] = {}
    _own_contract: ClassVar[bool] = False
    __signature__: ClassVar[inspect.Signature]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = tuple(cls.args)
        if not any(a.name == "p" for a in declared):
            declared += (_P,)
        cls._declared = declared
        params = [inspect.Parameter(
            a.name,
            inspect.Parameter.KEYWORD_ONLY if a.keyword_only else inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=inspect.Parameter.empty if a.default is REQUIRED else a.default,
        ) for a in declared]
        cls.__signature__ = inspect.Signature(params)
        cls._bounds = record_bounds(cls, declared)
        # An op written to the bare protocol (its own sample and apply) keeps working in pipelines.
        cls._own_contract = cls.sample is not Augmenter.sample or cls.apply is not Augmenter.apply

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        try:
            bound = cls.__signature__.bind(*args, **kwargs)
        except TypeError as exc:
            names = ", ".join(a.name for a in cls._declared)
            raise WrongArgumentType(f"{cls.__name__}(): {exc}; its arguments are: {names}") from None
        bound.apply_defaults()
        for a in cls._declared:
            value = bound.arguments[a.name]
            setattr(self, a.attribute, a.check(value, a.name) if isinstance(a.check, Check) else value)
        self.setup()

    def setup(self) -> None:
        """Derive state from the stored arguments (runs at the end of construction)."""

    # -- what an op writes ---------------------------------------------------------------------

    def draw(self, x: Any, rng: np.random.Generator) -> Params | None:
        """The values this op needs for ``x`` (called only when it fires); None when there is
        nothing it can do to ``x``, which is then recorded as not applied."""
        return {}

    def transform(self, x: Any, params: Params) -> Any:
        """Apply the drawn ``params`` to ``x`` (canonical form); pure and repeatable."""
        raise NotImplementedError(f"{type(self).__name__} must implement transform(x, params)")

    def check_params(self, x: Any, params: Params) -> None:
        """Check a fired record against ``x`` before :meth:`apply` replays it (beyond the ``drawn``
        keys the base checks); raise :class:`InvalidParams` naming the key. ``augment`` skips it:
        a record it has just drawn fits its input."""

    def draw_batch(self, items: Sequence[Any], rngs: Sequence[np.random.Generator]) -> list[Params | None]:
        """:meth:`draw` for many fired items at once: ``rngs[i]`` is the stream of ``items[i]``, already
        past the ``p`` draw. An op whose draw runs a model overrides it to run the model once per batch;
        it must return exactly what ``draw`` returns item by item. By default, ``draw`` per item."""
        return [self.draw(x, rng) for x, rng in zip(items, rngs, strict=True)]

    def uniform_draws(self) -> int | None:
        """How many uniform doubles (``rng.random()``) :meth:`draw` takes from its stream when it takes
        a fixed number of them and nothing else, so that :meth:`draw_uniforms` can draw for a whole
        batch at once; None (the default) when it draws another way (Beta, normal, integers,
        choices), and the batch engine then calls :meth:`draw` per item."""
        if type(self).draw is Augmenter.draw:  # draws nothing but whether it fires
            return 0
        if not self.draws_uniformly:
            return None
        return sum(1 for key in self.draws_uniformly if getattr(self, key)[0] != getattr(self, key)[1])

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        """:meth:`draw` for many fired items at once from ``u[i]``, the first :meth:`uniform_draws`
        doubles ``draw`` would take from item ``i``'s stream (after the ``p`` draw), with the same
        arithmetic in the same order, so the records are equal value for value. ``None`` for an
        item whose draw needs more doubles than that (a crop's third try): the engine then draws
        it from its stream. ``items`` are converted to canonical form only where read."""
        if type(self).draw is Augmenter.draw:
            return [{} for _ in items]
        if not self.draws_uniformly:
            raise NotImplementedError(f"{type(self).__name__} declares uniform_draws() but no draw_uniforms()")
        columns, c = {}, 0
        for key in self.draws_uniformly:
            lo, hi = getattr(self, key)
            if lo == hi:  # uniform() draws nothing for a fixed value
                columns[key] = [lo] * len(items)
            else:  # numpy's uniform(lo, hi): lo + (hi - lo) * the double
                columns[key] = (lo + (hi - lo) * u[:, c]).tolist()
                c += 1
        return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        """:meth:`transform` over a stacked batch (the modality descriptor's ``to_batch`` form) whose
        every record fired: an op with a vectorised kernel overrides it, for every batch form of
        its modality (a host array, a tensor on a device), and leaves ``batch`` unchanged. By
        default, :meth:`transform` per item."""
        form = self._form()
        outs = [self.transform(item, r) for item, r in zip(form.from_batch(batch), records, strict=True)]
        return form.to_batch(outs, form.device_of(batch))

    def augment_batch(self, batch: Any, keys: Any) -> list[Params]:
        """Run this op over an :class:`augkit.core.engine.Batch` in place, each item drawing from its
        stream in ``keys`` (:class:`augkit.core.engine.Keys`); returns the records, one per item,
        equal to what :meth:`augment` records item by item."""
        from augkit.core import engine

        if self._own_contract:
            return engine.each(self, batch, keys)
        return engine.run_op(self, batch, keys, model=type(self).draw_batch is not Augmenter.draw_batch)

    # -- the contract --------------------------------------------------------------------------

    def _record(self, x: Any, rng: np.random.Generator) -> Params:
        if self.p < 1.0 and rng.random() >= self.p:
            return {"applied": False}
        drawn = self.draw(x, rng)
        if drawn is None:  # nothing this op can do to this input (deleting from a one-word text)
            return {"applied": False}
        return {"applied": True, **drawn}

    def sample(self, x: X, rng: np.random.Generator) -> Params:
        """Draw this op's record for ``x`` from ``rng`` (the only source of randomness)."""
        value, batched, _ = self._form().enter(x, type(self).__name__)
        if batched:
            records = [self._record(item, rng) for item in value]
            return {"applied": any(r["applied"] for r in records), "batch": records}
        return self._record(value, rng)

    def apply(self, x: X, params: Params) -> X:
        """Apply a record ``params`` to ``x``: the same record always gives the same output.

        Raises:
            InvalidParams: when a key is missing or holds a malformed value.
        """
        form = self._form()
        value, batched, ctx = form.enter(x, type(self).__name__)
        if batched:
            records = expect(params, "batch", list, self)
            if len(records) != len(value):
                raise InvalidParams(f"{type(self).__name__} params['batch'] holds {len(records)} records for a "
                                    f"batch of {len(value)}: use the params sample() drew for this batch")
            for item, r in zip(value, records, strict=True):
                if self._check_record(r):
                    self.check_params(item, r)
            return form.leave(self._run_batch(value, records), ctx)
        if self._check_record(params):
            self.check_params(value, params)
            value = self.transform(value, params)
        return form.leave(value, ctx)

    def augment(self, x: X, rng: np.random.Generator) -> tuple[X, Params]:
        """Draw a record and apply it in one go; returns ``(output, params)``."""
        if self._own_contract:
            params = self.sample(x, rng)
            return self.apply(x, params), params
        form = self._form()
        value, batched, ctx = form.enter(x, type(self).__name__)
        if batched:
            records = [self._record(item, rng) for item in value]
            out = self._run_batch(value, records)
            return form.leave(out, ctx), {"applied": any(r["applied"] for r in records), "batch": records}
        params = self._record(value, rng)
        if params["applied"]:
            value = self.transform(value, params)
        return form.leave(value, ctx), params

    def __call__(self, x: X, rng: np.random.Generator | None = None) -> X:
        """Augment ``x`` with ``rng`` (a fresh unseeded stream if None) and return the output."""
        if rng is None:
            rng = stream(int(np.random.SeedSequence().generate_state(1, np.uint64)[0]), keep=True)
        return self.augment(x, rng)[0]

    def _run_batch(self, batch: Any, records: list[Params]) -> Any:
        if all(r["applied"] for r in records):
            out = self.transform_batch(batch, records)
            return self._form().stack(out, self.name) if isinstance(out, list) else out
        outs = [self.transform(item, r) if r["applied"] else item for item, r in zip(batch, records, strict=True)]
        return self._form().stack(outs, self.name)

    def _check_record(self, params: Any) -> bool:
        if not expect(params, "applied", bool, self):
            return False
        bounds = type(self)._bounds
        for key, kind in self.drawn.items():
            value = expect(params, key, kind, self)
            if isinstance(value, NUMBER) and not isinstance(value, bool):
                check_bounds(self, key, value, bounds.get(key))
        return True

    @classmethod
    def _form(cls) -> Any:
        form = cls.__dict__.get("_form_cache")
        if form is None:
            from augkit.core import modalities

            form = modalities.get(cls.modality) if cls.modality else modalities.ANY
            cls._form_cache = form  # type: ignore[attr-defined]
        return form

    # -- records across versions ---------------------------------------------------------------

    @classmethod
    def swaps_left_right(cls, params: Params) -> bool:
        """Whether the view this record made has left and right swapped (a mirror image): what
        coupling rules ask an op (:mod:`augkit.views.couplings`). ``params`` is the op's record,
        or the params of a step that fired (:func:`augkit.core.fired`, without ``applied``).
        False unless an op says so."""
        return False

    def upgrade(self, params: Any, from_format: int) -> Params:
        """A record written in an older format, in today's format (format 1: augkit 0.1)."""
        if from_format < 2 and isinstance(params, Mapping) and isinstance(params.get("batch"), list):
            return {"applied": True, **params, "batch": [self.upgrade(r, from_format) for r in params["batch"]]}
        if from_format < 2 and isinstance(params, Mapping) and "applied" not in params:
            return {"applied": True, **params}
        return dict(params) if isinstance(params, Mapping) else params

    # -- declaration-built helpers -------------------------------------------------------------

    def arguments(self) -> dict[str, Any]:
        """The constructor arguments as stored (normalized): ``type(op)(**op.arguments())`` rebuilds it."""
        return {a.name: getattr(self, a.attribute) for a in type(self)._declared}

    @classmethod
    def example(cls) -> Augmenter[Any]:
        """An instance with typical arguments, used by the contract tests and ``augkit list``."""
        return cls()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.arguments().items())
        return f"{type(self).__name__}({fields})"


def uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    """Draw uniformly from ``bounds`` as a plain float; a fixed value draws nothing."""
    lo, hi = bounds
    return lo if lo == hi else float(rng.uniform(lo, hi))
