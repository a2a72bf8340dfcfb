"""EDA random swap."""

from __future__ import annotations

from typing import Any

import numpy as np

from augkit.core import Params
from augkit.registry import register
from augkit.text._base import EditOp
from augkit.text._words import check_text, words

__all__ = ["RandomSwap"]


@register
class RandomSwap(EditOp):
    """Swap two random words, n times (``n = max(1, int(alpha · words))``; Wei & Zou 2019, EDA).

    Words move; the punctuation and spacing between them stay where they were. A one-word text is
    returned unchanged.

    Params: ``{"swaps": [[i, j], ...], "edits": [...]}`` (the edits are the net effect).

    Example:
        >>> RandomSwap(alpha=0.1)("The quick brown fox jumps", np.random.default_rng(0))
    """

    name = "text.random_swap"

    def sample(self, x: str, rng: np.random.Generator) -> Params:
        spans = words(check_text(x, type(self).__name__))
        if len(spans) < 2:
            return {"swaps": [], "edits": []}
        order = [w for _, _, w in spans]
        swaps = []
        for _ in range(self.count(len(spans))):
            # two distinct positions, uniformly; scalar rng.random() is the cheapest draw numpy has
            # (rng.choice(replace=False) costs 10× more, rng.integers 3×)
            i = int(rng.random() * len(spans))
            j = int(rng.random() * (len(spans) - 1))
            j += j >= i
            order[i], order[j] = order[j], order[i]
            swaps.append([i, j])
        edits: list[dict[str, Any]] = [
            {"position": k, "start": s, "end": e, "old": w, "new": order[k]}
            for k, (s, e, w) in enumerate(spans)
            if order[k] != w
        ]
        return {"swaps": swaps, "edits": edits}
