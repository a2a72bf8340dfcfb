"""Mixing between samples, reproducible: a partner drawn from the stream, recorded by index, replayable.

An op that mixes two samples (MixUp, CutMix, a waveform mix) subclasses :class:`Mixing` and writes
``draw_mix(x, rng)`` (what it draws besides the partner: λ, a box, an SNR) and ``mix(x, partner,
params)``. The base does the rest, the same way for every modality:

- **The partner.** ``draw`` takes a partner index ``j`` from the op's own stream: uniform over the
  source's indices, never the sample itself when the source holds more than one
  (:func:`partner_index`). The record holds ``j``, never the partner's data.
- **The partner's stage.** The partner is sample ``j`` passed through the same view pipeline up to
  the mixing op, with sample ``j``'s own streams for that view (``(seed, epoch, j, view, ...)``):
  it has the shape of the current item (a cropped view, a clip of the same length) and is a pure
  function of ``j``. A mixing op earlier in the pipeline is skipped for the partner: a partner never
  mixes again (no recursion). The records of that prefix are kept in the record (``stage``), so a
  view replays from its record and the partner's sample alone.
- **Where partners come from.** While a generator makes or replays views it puts a
  :class:`Partners` provider in place (:func:`partners`): the source it was given
  (``ViewGenerator(source=...)``, ``generate_batch(source=...)``, a ``ViewDataset``'s own dataset), or
  the partners a replay is handed. Outside one, a mixing op raises an error saying what to pass.

A mixing op sits directly in a view's pipeline (a ``Compose`` of the view, or the view's op
itself), so that "the pipeline up to the op" means one thing; the generator checks it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Protocol

import numpy as np

from augkit.core.args import Integer
from augkit.core.augmenter import Augmenter, Params
from augkit.core.errors import InvalidArgument, InvalidParams

__all__ = ["Mixing", "Partners", "Pool", "current", "partner_index", "partners"]


class Partners(Protocol):
    """What a mixing op asks of the generator making its views (see :mod:`augkit.views.mixing`)."""

    def draw(self, op: Mixing, rng: np.random.Generator) -> int:
        """A partner index for the sample whose stream ``rng`` is (:func:`partner_index`)."""
        ...

    def stage(self, op: Mixing, rng: np.random.Generator, j: int) -> list[Params]:
        """The records of the ops before ``op`` on sample ``j``, drawn from ``j``'s streams for this view."""
        ...

    def partner(self, op: Mixing, j: int, records: Sequence[Params]) -> Any:
        """Sample ``j`` at ``op``'s stage: the ops before ``op`` applied with ``records``."""
        ...


_CURRENT: contextvars.ContextVar[Partners | None] = contextvars.ContextVar("augkit_partners", default=None)


@contextlib.contextmanager
def partners(provider: Partners | None) -> Iterator[None]:
    """Make ``provider`` the source of partners for the mixing ops run inside the ``with`` block."""
    token = _CURRENT.set(provider)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current() -> Partners | None:
    """The provider of partners in place, or None."""
    return _CURRENT.get()


def partner_index(u: float, count: int, own: int | None) -> int:
    """The partner of sample ``own`` drawn from the uniform double ``u``: uniform over ``range(count)``
    without ``own`` (when ``count > 1`` and ``own`` is in range), uniform over all otherwise.

    Example:
        >>> partner_index(0.0, 10, 0), partner_index(0.999, 10, 9)
        (1, 8)
    """
    if count > 1 and own is not None and 0 <= own < count:
        j = min(int(u * (count - 1)), count - 2)
        return j + 1 if j >= own else j
    return min(int(u * count), count - 1)


class Pool:
    """Partners from a fixed list, for a mixing op used on its own (outside a generator): the partner
    is ``samples[j]`` as given, with no ops before it.

    Example:
        >>> with partners(Pool([photo_a, photo_b])):
        ...     y = MixUp(alpha=0.4)(photo_c)
    """

    def __init__(self, samples: Sequence[Any]) -> None:
        if len(samples) == 0:
            raise InvalidArgument("Pool(samples) needs at least one sample to mix with")
        self.samples = list(samples)

    def draw(self, op: Mixing, rng: np.random.Generator) -> int:
        return partner_index(float(rng.random()), len(self.samples), None)

    def stage(self, op: Mixing, rng: np.random.Generator, j: int) -> list[Params]:
        return []

    def partner(self, op: Mixing, j: int, records: Sequence[Params]) -> Any:
        if not 0 <= j < len(self.samples) or len(records):
            raise InvalidParams(f"{type(op).__name__} params name partner {j} with {len(records)} ops before it; "
                                f"this pool holds {len(self.samples)} samples and no ops")
        return op._form().check(self.samples[j])


class Mixing(Augmenter[Any]):
    """Base of the ops that mix a sample with a partner drawn from a source (see the module docstring).

    A subclass writes ``draw_mix(x, rng) -> dict`` (its own draws, after the partner's) and
    ``mix(x, partner, params) -> y``. Its record: ``{"applied": True, "partner": j, "stage":
    [records of the ops before it, on sample j], ...what draw_mix drew}``.
    """

    mixes: ClassVar[bool] = True
    drawn = {"partner": int, "stage": list}
    record_bounds = {"partner": Integer(0, None)}

    def draw_mix(self, x: Any, rng: np.random.Generator) -> Params:
        """What the op draws besides its partner (λ, a box, an SNR)."""
        return {}

    def mix(self, x: Any, partner: Any, params: Params) -> Any:
        """``x`` mixed with ``partner`` (sample ``params["partner"]`` at this op's stage)."""
        raise NotImplementedError(f"{type(self).__name__} must implement mix(x, partner, params)")

    def draw(self, x: Any, rng: np.random.Generator) -> Params:
        provider = self._provider()
        j = provider.draw(self, rng)
        own = self.draw_mix(x, rng)  # from this op's stream, before the partner's streams are used
        return {"partner": j, "stage": provider.stage(self, rng, j), **own}

    def transform(self, x: Any, params: Params) -> Any:
        partner = self._provider().partner(self, int(params["partner"]), params["stage"])
        return self.mix(x, partner, params)

    def _provider(self) -> Partners:
        provider = current()
        if provider is None:
            raise InvalidArgument(
                f"{type(self).__name__} mixes each sample with a partner from a source: use it in a ViewGenerator "
                "given the samples (ViewGenerator(..., source=dataset), generate_batch(..., source=...)), and "
                "replay its views with vg.replay(x, params, partners={j: sample_j}) or source=")
        return provider

    def check_params(self, x: Any, params: Params) -> None:
        for i, record in enumerate(params["stage"]):
            if not isinstance(record, dict):
                raise InvalidParams(f"{type(self).__name__} params['stage'][{i}] must be the record of the op "
                                    f"before it, got {record!r:.80}")
