"""Where a generator's mixing ops find their partners (:mod:`augkit.core.mixing`).

A :class:`SourcePartners` stands in place while a :class:`~augkit.views.generator.ViewGenerator`
makes or replays views: it knows the generator's pipelines, so it finds the ops before a mixing
op, and it reads partners from a source (any sequence with ``len`` and indexing: a list, a
map-style dataset, a folder reader) or from the partners a replay was handed (``{j: sample}``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core import Compose, Params, modalities
from augkit.core.errors import InvalidArgument, InvalidParams, WrongArgumentType
from augkit.core.mixing import Mixing, current, partner_index, partners
from augkit.core.streams import stream

__all__ = ["SourcePartners", "check_mixing", "check_source", "mixing_ops", "scope"]


def mixing_ops(pipeline: Any) -> list[Any]:
    """The mixing ops anywhere in ``pipeline``."""
    return [op for op in modalities.walk([pipeline]) if getattr(op, "mixes", False)]


def _places(pipeline: Any) -> list[tuple[Any, int]]:
    """Where mixing ops may sit: ``(the view's Compose, position)``, or ``(None, 0)`` for the view's own op."""
    if isinstance(pipeline, Mixing):
        return [(None, 0)]
    if type(pipeline) is Compose:
        return [(pipeline, i) for i, op in enumerate(pipeline.ops) if isinstance(op, Mixing)]
    return []


def check_mixing(pipelines: Sequence[Any], where: str = "pipeline") -> bool:
    """Whether any view pipeline mixes; an error when a mixing op sits deeper than a view's own ``Compose``.

    Raises:
        InvalidArgument: naming the op, for a mixing op inside another composite (a ``OneOf``, a
            ``RandomApply``, a nested ``Compose``): its partner's stage would not be one thing.
    """
    found = False
    for k, pipeline in enumerate(pipelines):
        placed = {id(c.ops[i]) if c is not None else id(pipeline) for c, i in _places(pipeline)}
        for op in mixing_ops(pipeline):
            if id(op) not in placed:
                raise InvalidArgument(f"{where}[{k}]: {type(op).__name__} mixes with a partner at its place in the "
                                      "view's pipeline, so it must be an op of the view's Compose (or the view's op "
                                      "itself), not inside another composite; give it its own p instead")
            found = True
    return found


def check_source(source: Any, what: str = "source") -> Any:
    """``source`` if it gives partners by index (``len`` and ``[j]``), else an error saying what to pass."""
    if source is None:
        return None
    if isinstance(source, (str, bytes, Mapping)) or not (hasattr(source, "__len__") and hasattr(source, "__getitem__")):
        raise WrongArgumentType(f"{what}= gives mixing partners by index: pass a list, a map-style dataset or a "
                                f"folder reader (len and [j]); got {type(source).__name__}, which has no random access")
    if len(source) == 0:
        raise InvalidArgument(f"{what}= holds no samples to draw mixing partners from")
    return source


class SourcePartners:
    """The partners of one generator's mixing ops, from ``source`` (or ``given``: ``{j: sample}`` for a replay).

    Args:
        vg: the generator whose views mix.
        source: samples by index (what ``vg.generate`` takes), or None.
        given: partners handed to a replay, by index.
    """

    def __init__(self, vg: Any, source: Any = None, given: Mapping[int, Any] | None = None) -> None:
        self.vg, self.source, self.given = vg, source, dict(given or {})
        self._samples: dict[int, Any] = {}

    # -- what a mixing op asks -----------------------------------------------------------------

    def draw(self, op: Mixing, rng: np.random.Generator) -> int:
        key = getattr(rng, "key", None)
        if self.source is None:
            raise InvalidArgument(f"{type(op).__name__} draws a partner from the generator's source: pass "
                                  "ViewGenerator(..., source=dataset) or generate_batch(..., source=samples)")
        if key is None or len(key) < 4 or not isinstance(key[2], int) or not isinstance(key[1], int):
            raise InvalidArgument(f"{type(op).__name__} draws a partner for an indexed sample: call "
                                  "vg.generate(x, index=i, epoch=e) (or a dataset that does)")
        return partner_index(float(rng.random()), len(self.source), key[2])

    def stage(self, op: Mixing, rng: np.random.Generator, j: int) -> list[Params]:
        key = rng.key  # type: ignore[attr-defined]  # draw() checked it is a keyed stream
        field, ops = self._locate(op)
        x = self._sample(j, field)
        records: list[Params] = []
        for i, prior in enumerate(ops):
            if getattr(prior, "mixes", False):  # a partner never mixes again
                records.append({"applied": False})
                continue
            x, record = prior.augment(x, stream(*key[:2], j, *key[3:-1], i, keep=True))
            records.append(record)
        return records

    def partner(self, op: Mixing, j: int, records: Sequence[Params]) -> Any:
        field, ops = self._locate(op)
        if len(records) != len(ops):
            raise InvalidParams(f"{type(op).__name__} params['stage'] holds {len(records)} records for the "
                                f"{len(ops)} ops before it: pass the record this generator drew")
        x = self._sample(j, field)
        for prior, record in zip(ops, records, strict=True):
            x = prior.apply(x, record)
        return x

    # -- helpers -------------------------------------------------------------------------------

    def _locate(self, op: Mixing) -> tuple[str | None, list[Any]]:
        """The dict field ``op`` augments (None for plain samples) and the ops before it in its view."""
        for pipeline in self.vg.pipelines:
            pipes = pipeline.items() if isinstance(pipeline, Mapping) else [(None, pipeline)]
            for field, pipe in pipes:
                for compose, i in _places(pipe):
                    if (pipe if compose is None else compose.ops[i]) is op:
                        return field, [] if compose is None else list(compose.ops[:i])
        raise InvalidArgument(f"{type(op).__name__} is not an op of this generator's views")

    def _sample(self, j: int, field: str | None) -> Any:
        """Sample ``j`` as the generator checks it (its field ``field`` for dict samples)."""
        if j not in self._samples:
            if j in self.given:
                raw = self.given[j]
            elif self.source is not None and 0 <= j < len(self.source):
                raw = self.source[j]
            else:
                raise InvalidParams(f"the view mixes with sample {j}, which was not given: pass "
                                    f"vg.replay(x, params, partners={{{j}: sample_{j}}}) or source= holding it")
            self._samples[j] = self.vg._check(raw, j)
        x = self._samples[j]
        return x if field is None else x[field]


def scope(vg: Any, source: Any = None,
          given: Mapping[int, Any] | None = None) -> contextlib.AbstractContextManager[Any]:
    """The partners of ``vg``'s mixing ops while it makes or replays views: ``source`` (default: the
    generator's own) or ``given`` (a replay's ``{j: sample}``); nothing for a generator that does not mix."""
    if not getattr(vg, "mixes", False):
        return contextlib.nullcontext()
    if given is not None and (not isinstance(given, Mapping) or
                              not all(isinstance(j, int) and not isinstance(j, bool) for j in given)):
        raise WrongArgumentType(f"partners= maps each partner's index to its sample ({{j: sample_j}}), got "
                                f"{type(given).__name__}")
    here = current()
    if source is None and given is None and isinstance(here, SourcePartners) and here.vg is vg:
        return contextlib.nullcontext()  # already in place (generate_batch's source, for its per-sample path)
    source = check_source(source) if source is not None else vg.source
    return partners(SourcePartners(vg, source, given))
