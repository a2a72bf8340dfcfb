"""EDA random swap."""

from __future__ import annotations

from itertools import accumulate, chain
from typing import Any

import numpy as np

from augkit.core import Params
from augkit.registry import register
from augkit.text._base import EditOp, draw_index
from augkit.text._words import check_text, split_words

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
        return self._draw(check_text(x, "RandomSwap"), rng)[1]

    def augment(self, x: str, rng: np.random.Generator) -> tuple[str, Params]:
        text = check_text(x, "RandomSwap")
        parts, params = self._draw(text, rng)
        return ("".join(parts) if params["edits"] else text), params

    def _draw(self, text: str, rng: np.random.Generator) -> tuple[list[str], Params]:
        """The swapped ``[sep, word, ...]`` pieces and the params."""
        parts = split_words(text)
        n = len(parts) >> 1
        if n < 2:
            return parts, {"swaps": [], "edits": []}
        # word k of the text spans offsets[2k + 1]:offsets[2k + 2]; the swaps keep separators put
        offsets = list(accumulate(map(len, parts), initial=0))
        swaps = []
        for _ in range(self.count(n)):
            # two distinct positions, uniformly
            i = draw_index(rng, n)
            j = draw_index(rng, n - 1)
            j += j >= i
            # word k is parts[2k + 1]
            parts[2 * i + 1], parts[2 * j + 1] = parts[2 * j + 1], parts[2 * i + 1]
            swaps.append([i, j])
        edits: list[dict[str, Any]] = []
        touched = sorted(swaps[0]) if len(swaps) == 1 else sorted(set(chain.from_iterable(swaps)))
        for k in touched:
            new = parts[2 * k + 1]
            start, end = offsets[2 * k + 1], offsets[2 * k + 2]
            old = text[start:end]
            if new != old:
                edits.append({"position": k, "start": start, "end": end, "old": old, "new": new})
        return parts, {"swaps": swaps, "edits": edits}
