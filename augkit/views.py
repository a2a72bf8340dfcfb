"""ViewGenerator: n views per sample, reproducible per (seed, epoch, index, view).

View ``k`` of sample ``index`` in ``epoch`` draws from ``np.random.default_rng([seed, epoch, index, k])``,
so a sample gets the same views whatever the number of DataLoader workers, their order, or the DDP
rank that loads it, while views, samples and epochs all get different streams.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params, _as_augmenter

__all__ = ["ViewGenerator", "Views", "multi_crop"]

# Tags keep the ad-hoc stream (calls without an index) apart from every indexed stream.
_AD_HOC = 0x5EED_AD0C


@dataclass
class Views:
    """The views of one sample: ``items[k]`` was made with ``params[k]``."""

    items: list[Any]
    params: list[Params]
    index: int | None = None
    epoch: int = 0

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(self.items)

    def __getitem__(self, k: int) -> Any:
        return self.items[k]


def multi_crop(global_view: Augmenter[Any], local_view: Augmenter[Any], n_global: int = 2,
               n_local: int = 6) -> list[Augmenter[Any]]:
    """Expand a SwAV/DINO multi-crop recipe into one pipeline per view: globals first, then locals.

    Example:
        >>> ViewGenerator(multi_crop(global_224, local_96, n_global=2, n_local=6))  # 8 views
    """
    if n_global < 1 or n_local < 0:
        raise ValueError(f"multi_crop needs n_global >= 1 and n_local >= 0, got {n_global}, {n_local}")
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
    ) -> None:
        if isinstance(pipeline, Augmenter):
            count = 2 if n_views is None else n_views
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValueError(f"n_views={n_views!r} must be a positive integer")
            self.pipelines = [pipeline] * count
        elif isinstance(pipeline, Sequence) and not isinstance(pipeline, (str, bytes)):
            if len(pipeline) == 0:
                raise ValueError("pipeline list is empty: give one augmenter per view")
            if n_views is not None and n_views != len(pipeline):
                raise ValueError(
                    f"n_views={n_views} does not match the {len(pipeline)} pipelines given (one per view); "
                    "leave n_views out to follow the list"
                )
            self.pipelines = [_as_augmenter(p, f"pipeline[{i}]") for i, p in enumerate(pipeline)]
        else:
            raise TypeError(
                f"pipeline must be an Augmenter or a list of Augmenters, got {type(pipeline).__name__}"
            )
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed={seed!r} must be a non-negative integer or None")
        self.seed = int(seed)
        self.output = output
        self.prepare = prepare
        self._ad_hoc: np.random.Generator | None = None
        self._ad_hoc_key: tuple[int, int | None] | None = None

    @property
    def n_views(self) -> int:
        return len(self.pipelines)

    # -- streams -------------------------------------------------------------------------------

    def rng(self, index: int, epoch: int = 0, view: int = 0) -> np.random.Generator:
        """The stream view ``view`` of sample ``index`` in ``epoch`` draws from."""
        for name, value in (("index", index), ("epoch", epoch)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"{name}={value!r} must be a non-negative integer")
        return np.random.default_rng([self.seed, int(epoch), int(index), view])

    def _ad_hoc_stream(self) -> np.random.Generator:
        # Re-key the stream when the process or DataLoader worker changes: a forked worker inherits
        # the parent's generator state, and albumentations 2.0.8 repeats views there for that reason.
        worker_seed = _torch_worker_seed()
        key = (os.getpid(), worker_seed)
        if self._ad_hoc is None or key != self._ad_hoc_key:
            entropy = [self.seed, _AD_HOC] + ([] if worker_seed is None else [worker_seed])
            self._ad_hoc = np.random.default_rng(entropy)
            self._ad_hoc_key = key
        return self._ad_hoc

    # -- views -----------------------------------------------------------------------------------

    def generate(self, x: Any, index: int | None = None, epoch: int = 0) -> Views:
        """Make the views of ``x`` and return them with their params.

        Args:
            x: one sample in the pipeline's input format.
            index: the sample's index in its dataset; with it the views are deterministic.
            epoch: the training epoch (only used with ``index``).
        """
        if index is None:
            rngs = self._ad_hoc_stream().spawn(self.n_views)
        else:
            rngs = [self.rng(index, epoch, k) for k in range(self.n_views)]
        if self.prepare is not None:
            x = self.prepare(x)
        items, params = [], []
        for pipeline, rng in zip(self.pipelines, rngs, strict=True):
            y, p = pipeline.augment(x, rng)
            items.append(self.output(y) if self.output is not None else y)
            params.append(p)
        return Views(items=items, params=params, index=index, epoch=epoch)

    def __call__(self, x: Any, index: int | None = None, epoch: int = 0) -> list[Any]:
        """The views of ``x`` as a list (see :meth:`generate`)."""
        return self.generate(x, index=index, epoch=epoch).items

    def replay(self, x: Any, params: Sequence[Params]) -> list[Any]:
        """Rebuild the views recorded in ``params`` (one dict per view), bit for bit."""
        if len(params) != self.n_views:
            raise ValueError(f"replay got params for {len(params)} views; this generator makes {self.n_views}")
        if self.prepare is not None:
            x = self.prepare(x)
        out = []
        for pipeline, p in zip(self.pipelines, params, strict=True):
            y = pipeline.apply(x, p)
            out.append(self.output(y) if self.output is not None else y)
        return out

    def __repr__(self) -> str:
        return f"ViewGenerator(n_views={self.n_views}, seed={self.seed}, pipelines={self.pipelines!r})"


def _torch_worker_seed() -> int | None:
    # Only look when torch is already imported: a text-only user never pays for importing it.
    data = sys.modules.get("torch.utils.data")
    if data is None:
        return None
    info = data.get_worker_info()
    return None if info is None else int(info.seed)
