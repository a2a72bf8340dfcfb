"""How a generator's samples and views are shown: the descriptor that draws them and its contexts,
shared by pages, grids and statistics."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from augkit.core import modalities
from augkit.views.display import describer
from augkit.views.fields import check_fields
from augkit.views.generator import ViewGenerator

__all__ = ["Show"]


class Show:
    """How a generator's samples and views are shown: its modality's descriptor and two contexts.

    Views get ``descriptor.context(views)``; originals get the context of the same generator
    without its output step (they are raw inputs: no mean/std to undo).
    """

    def __init__(self, views: ViewGenerator, **extra: Any) -> None:
        self.views = views
        self.descriptor = describer(views)
        raw = copy.copy(views)
        raw.output = None
        self.context = {**self.descriptor.context(views), **extra}
        self.raw_context = {**self.descriptor.context(raw), **extra}
        self.notes: list[str] = []

    def original(self, x: Any, index: int | None = None) -> Any:
        """``x`` as the ops see it (the generator's ``prepare`` and ``input`` steps, then the modality's
        check); a dict sample's error names it by ``index``."""
        if self.views.prepare is not None:
            x = self.views.prepare(x)
        step = getattr(self.views, "input", None)
        if step is not None:
            x = step(x)
        if self.views.fields is not None:
            return check_fields(self.views, x, index)
        return self.descriptor.check(x)

    def moved(self, source: Any, view: Any, params: Any) -> dict[str, float]:
        """The descriptor's distances of ``view`` from ``source``; a missing library becomes a note."""
        try:
            return dict(self.descriptor.moved(source, view, params, **self.raw_context))
        except ImportError as err:
            if str(err) not in self.notes:
                self.notes.append(str(err))
            return {}

    def picture(self, item: Any, raw: bool = False) -> np.ndarray:
        if not self.views.modality and self.views.fields is None:
            return modalities.picture_of(item)
        return np.asarray(self.descriptor.picture(item, **(self.raw_context if raw else self.context)))
