"""ViewGenerator: n views per sample, reproducible per (seed, epoch, index, view).

View ``k`` of sample ``index`` in ``epoch`` draws from ``augkit.streams.stream(seed, epoch, index, k)``,
so a sample gets the same views whatever the number of DataLoader workers, their order, or the DDP
rank that loads it, while views, samples and epochs all get different streams.

Each view's record is its pipeline's record plus ``"format"`` (:data:`augkit.core.RECORD_FORMAT`);
:meth:`ViewGenerator.replay` reads today's records and those of augkit 0.1 (no ``"format"``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augkit import modalities
from augkit.core import RECORD_FORMAT, Augmenter, Params, check_augmenter
from augkit.errors import InvalidArgument, InvalidInput, InvalidParams, WrongArgumentType, WrongInputType
from augkit.streams import stream

__all__ = ["ViewGenerator", "Views", "multi_crop"]

# A string where the epoch stands keeps ad-hoc streams (calls without an index) apart from every
# indexed one: keys of ints and keys with strings never encode alike.
_AD_HOC = "ad-hoc"


@dataclass
class Views:
    """The views of one sample: ``items[k]`` was made with ``params[k]``."""

    items: list[Any]
    params: list[Params]
    index: int | None = None
    epoch: int = 0
    #: The sample as the ops saw it, and the generator that made the views (for display).
    source: Any = field(default=None, repr=False, compare=False)
    generator: Any = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __getitem__(self, k: int) -> Any:
        return self.items[k]

    def _repr_html_(self) -> str:
        """The views as a notebook shows them: each rendered by its modality, captioned with the
        ops that fired."""
        from augkit.preview import views_html

        return views_html(self)


def multi_crop(global_view: Augmenter[Any], local_view: Augmenter[Any], n_global: int = 2,
               n_local: int = 6) -> list[Augmenter[Any]]:
    """Expand a SwAV/DINO multi-crop recipe into one pipeline per view: globals first, then locals.

    Example:
        >>> ViewGenerator(multi_crop(global_224, local_96, n_global=2, n_local=6))  # 8 views
    """
    for name, value, low in (("n_global", n_global, 1), ("n_local", n_local, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise InvalidArgument(f"multi_crop({name}={value!r}) must be an int >= {low}")
    return [global_view] * n_global + [local_view] * n_local


class ViewGenerator:
    """Emit ``n_views`` augmented views of a sample.

    Args:
        pipeline: one augmenter used for every view (SimCLR), or a list with one augmenter per
            view (BYOL's asymmetric views, SwAV/DINO multi-crop; see :func:`multi_crop`).
        n_views: number of views when ``pipeline`` is a single augmenter. With a list it follows
            the list; passing a different number raises ValueError.
        seed: the integer every stream derives from. ``None`` draws one at construction, exposed as
            ``vg.seed``. Multi-process and DDP users should pass an explicit seed so that every
            process derives the same views.
        output: final conversion of each view (e.g. to a normalized tensor). It runs after the
            augmenters and is not part of the recorded params.
        prepare: conversion of the input, run once per sample before any view (e.g. PIL to numpy).
        modality: the modality of the samples; by default the one the pipelines' ops declare.
            Each sample is checked once by that modality's descriptor (converted to its canonical
            form, or refused with one error naming the sample), before any view is made.

    Calls:
        ``vg(x)`` returns a list of views with fresh randomness each call. Inside DataLoader workers
        this ad-hoc stream is mixed with the seed torch gives the worker, so workers never repeat
        each other's views. ``vg(x, index=i, epoch=e)`` is deterministic.

    Example:
        >>> vg = ViewGenerator(Compose([...]), n_views=2, seed=0); v1, v2 = vg(x, index=7, epoch=0)
    """

    def __init__(
        self,
        pipeline: Augmenter[Any] | Sequence[Augmenter[Any]],
        n_views: int | None = None,
        seed: int | None = None,
        output: Callable[[Any], Any] | None = None,
        prepare: Callable[[Any], Any] | None = None,
        modality: str | None = None,
    ) -> None:
        if isinstance(pipeline, Augmenter):
            count = 2 if n_views is None else n_views
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise InvalidArgument(f"n_views={n_views!r} must be a positive integer")
            self.pipelines = [pipeline] * count
        elif isinstance(pipeline, Sequence) and not isinstance(pipeline, (str, bytes)):
            if len(pipeline) == 0:
                raise InvalidArgument("pipeline list is empty: give one augmenter per view")
            if n_views is not None and n_views != len(pipeline):
                raise InvalidArgument(
                    f"n_views={n_views} does not match the {len(pipeline)} pipelines given (one per view); "
                    "leave n_views out to follow the list"
                )
            self.pipelines = [check_augmenter(p, f"pipeline[{i}]") for i, p in enumerate(pipeline)]
        else:
            raise WrongArgumentType(
                f"pipeline must be an Augmenter or a list of Augmenters, got {type(pipeline).__name__}"
            )
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InvalidArgument(f"seed={seed!r} must be a non-negative integer or None")
        self.seed = int(seed)
        self.output = output
        self.prepare = prepare
        self.modality = modalities.of_augmenters(self.pipelines) if modality is None else modality
        self._form = modalities.get(self.modality) if self.modality else modalities.ANY
        #: How this generator was made when a preset made it: ``{"preset": name, "args": {...}}``
        #: (:func:`augkit.config.dump` writes it).
        self.origin: dict[str, Any] | None = None
        self._ad_hoc: np.random.Generator | None = None
        self._ad_hoc_key: tuple[int, int | None] | None = None

    @property
    def n_views(self) -> int:
        return len(self.pipelines)

    # -- streams -------------------------------------------------------------------------------

    def rng(self, index: int, epoch: int = 0, view: int = 0) -> np.random.Generator:
        """The stream view ``view`` of sample ``index`` in ``epoch`` draws from (a copy you may keep)."""
        _check_position(index, epoch)
        return stream(self.seed, int(epoch), int(index), int(view), keep=True)

    def _ad_hoc_call(self) -> int:
        # Re-key the stream when the process or DataLoader worker changes: a forked worker inherits
        # the parent's generator state, and albumentations 2.0.8 repeats views there for that reason.
        worker_seed = _torch_worker_seed()
        key = (os.getpid(), worker_seed)
        if self._ad_hoc is None or key != self._ad_hoc_key:
            self._ad_hoc = stream(self.seed, _AD_HOC, *([] if worker_seed is None else [worker_seed]), keep=True)
            self._ad_hoc_key = key
        return int(self._ad_hoc.integers(2**63))

    # -- views -----------------------------------------------------------------------------------

    def generate(self, x: Any, index: int | None = None, epoch: int = 0, with_output: bool = True) -> Views:
        """Make the views of ``x`` and return them with their params.

        Args:
            x: one sample in the pipeline's input format.
            index: the sample's index in its dataset; with it the views are deterministic.
            epoch: the training epoch (only used with ``index``).
            with_output: run the output step; False gives the views as the last op left them (in
                the modality's canonical form), which is what storage encodes.
        """
        if index is None:
            key: tuple[int | str, ...] = (self.seed, _AD_HOC, self._ad_hoc_call())
        else:
            _check_position(index, epoch)
            key = (self.seed, int(epoch), int(index))
        x = self._check(x, index)
        items, params = [], []
        for k, pipeline in enumerate(self.pipelines):
            # each view's stream is made once the previous view is done with its own
            y, p = pipeline.augment(x, stream(*key, k))
            items.append(self.output(y) if self.output is not None and with_output else y)
            params.append({"format": RECORD_FORMAT, **p})
        return Views(items=items, params=params, index=index, epoch=epoch, source=x, generator=self)

    def __call__(self, x: Any, index: int | None = None, epoch: int = 0) -> list[Any]:
        """The views of ``x`` as a list (see :meth:`generate`)."""
        return self.generate(x, index=index, epoch=epoch).items

    def replay(self, x: Any, params: Sequence[Params]) -> list[Any]:
        """Rebuild the views recorded in ``params`` (one record per view), bit for bit.

        Records of augkit 0.1 (without ``"format"``) replay too: they hold values, not streams.

        Raises:
            InvalidParams: for the wrong number of records, a record format newer than this
                augkit reads, or a record that does not fit the pipeline (naming the key).
        """
        if isinstance(params, (str, bytes, Mapping)) or not isinstance(params, Sequence):
            raise InvalidParams(f"replay takes a list with one record per view, got {type(params).__name__}")
        if len(params) != self.n_views:
            raise InvalidParams(f"replay got params for {len(params)} views; this generator makes {self.n_views}")
        x = self._check(x, None)
        out = []
        for k, (pipeline, p) in enumerate(zip(self.pipelines, params, strict=True)):
            y = pipeline.apply(x, _current(pipeline, p, k))
            out.append(self.output(y) if self.output is not None else y)
        return out

    def _check(self, x: Any, index: int | None) -> Any:
        if self.prepare is not None:
            x = self.prepare(x)
        try:
            return self._form.check(x)
        except (InvalidInput, WrongInputType) as err:
            where = "sample" if index is None else f"sample {index}"
            raise type(err)(f"{where}: {err}") from None

    def __repr__(self) -> str:
        return f"ViewGenerator(n_views={self.n_views}, seed={self.seed}, pipelines={self.pipelines!r})"


def _current(pipeline: Augmenter[Any], record: Any, k: int) -> Params:
    """A view's record without its format key, upgraded to today's format."""
    if not isinstance(record, Mapping):
        raise InvalidParams(f"replay params[{k}] must be a dict (a view's record), got {type(record).__name__}")
    rec = dict(record)
    fmt = rec.pop("format", 1)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or not 1 <= fmt <= RECORD_FORMAT:
        raise InvalidParams(f"replay params[{k}]['format']={fmt!r}: this augkit reads record formats 1 to "
                            f"{RECORD_FORMAT}; a newer record needs a newer augkit")
    return pipeline.upgrade(rec, fmt) if fmt < RECORD_FORMAT else rec


def _check_position(index: Any, epoch: Any) -> None:
    for name, value in (("index", index), ("epoch", epoch)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
            raise InvalidArgument(f"{name}={value!r} must be a non-negative integer")


def _torch_worker_seed() -> int | None:
    # Only look when torch is already imported: a text-only user never pays for importing it.
    data = sys.modules.get("torch.utils.data")
    if data is None:
        return None
    info = data.get_worker_info()
    return None if info is None else int(info.seed)
