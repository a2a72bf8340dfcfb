"""EDA random swap."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate, chain
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.registry import register
from augkit.text._eda import EDA_ARGS, check_edit_record, count, splice_edit_record
from augkit.text._words import split_words
from augkit.text.protect import protected, unprotected

__all__ = ["RandomSwap"]


@register
class RandomSwap(Augmenter[str]):
    """Swap two random words, n times (``n = max(1, int(alpha · words))``; Wei & Zou 2019, EDA).

    Words move; the punctuation and spacing between them stay where they were. A one-word text is
    returned unchanged. Protected words (:mod:`augkit.text.protect`) never move: only unprotected
    words swap, with each other.

    Args:
        alpha: the fraction of words swapped, in (0, 1].
        source: unused by swapping; declared like the other EDA ops.
        p: probability of applying the op.

    Record: ``{"applied": True, "swaps": [[i, j], ...], "edits": [...]}`` (the edits are the net effect).

    Example:
        >>> RandomSwap(alpha=0.1)("The quick brown fox jumps", np.random.default_rng(0))
    """

    name = "text.random_swap"
    modality = "text"
    args = EDA_ARGS
    drawn = {"swaps": list, "edits": list}
    alpha: float
    source: str

    def draw(self, x: str, rng: np.random.Generator) -> Params:
        return self._swap(x, rng)[1]

    check_params = check_edit_record
    transform = splice_edit_record

    def _swap(self, text: str, rng: np.random.Generator) -> tuple[list[str], Params]:
        """The swapped ``[sep, word, ...]`` pieces and the params."""
        parts = split_words(text)
        n = len(parts) >> 1  # word k is parts[2k + 1]
        keep = protected()
        # the positions that may move: every word, or the unprotected ones
        free: Sequence[int] = unprotected(parts[1::2], keep) if keep else range(n)
        if len(free) < 2:
            return parts, {"swaps": [], "edits": []}
        count_ = count(self.alpha, n)
        # two distinct positions per swap, uniformly, from one vector draw (the mins guard r·n
        # rounding up to n)
        draws = rng.random(2 * count_).tolist()
        if count_ == 1 and not keep:  # the common case (fewer than 2/alpha words): no offsets table
            i = min(int(draws[0] * n), n - 1)
            j = min(int(draws[1] * (n - 1)), n - 2)
            j += j >= i
            a, b = (2 * i + 1, 2 * j + 1) if i < j else (2 * j + 1, 2 * i + 1)
            first, second = parts[a], parts[b]
            if first == second:
                return parts, {"swaps": [[i, j]], "edits": []}
            start = sum(map(len, parts[:a]))
            start2 = start + len(first) + sum(map(len, parts[a + 1 : b]))
            parts[a], parts[b] = second, first
            pair = [
                {"position": a >> 1, "start": start, "end": start + len(first), "old": first, "new": second},
                {"position": b >> 1, "start": start2, "end": start2 + len(second), "old": second, "new": first},
            ]
            return parts, {"swaps": [[i, j]], "edits": pair}
        # word k of the text spans offsets[2k + 1]:offsets[2k + 2]; the swaps keep separators put
        offsets = list(accumulate(map(len, parts), initial=0))
        m, swaps = len(free), []
        for t in range(count_):
            i = min(int(draws[2 * t] * m), m - 1)
            j = min(int(draws[2 * t + 1] * (m - 1)), m - 2)
            j += j >= i
            a, b = free[i], free[j]
            parts[2 * a + 1], parts[2 * b + 1] = parts[2 * b + 1], parts[2 * a + 1]
            swaps.append([a, b])
        return parts, {"swaps": swaps, "edits": _net_edits(text, parts, offsets, swaps)}


def _net_edits(text: str, parts: list[str], offsets: list[int], swaps: list[list[int]]) -> list[dict[str, Any]]:
    """The swaps' net effect on ``text`` as span edits, one per word that changed."""
    edits: list[dict[str, Any]] = []
    for k in sorted(set(chain.from_iterable(swaps))):
        new = parts[2 * k + 1]
        start, end = offsets[2 * k + 1], offsets[2 * k + 2]
        old = text[start:end]
        if new != old:
            edits.append({"position": k, "start": start, "end": end, "old": old, "new": new})
    return edits
