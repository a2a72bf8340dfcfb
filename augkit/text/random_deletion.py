"""EDA random deletion."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.registry import register
from augkit.text._eda import EDA_ARGS, check_edit_record, splice_edit_record
from augkit.text._words import split_words
from augkit.text.protect import protected, unprotected

__all__ = ["RandomDeletion"]


@register
class RandomDeletion(Augmenter[str]):
    """Delete each word with probability ``alpha`` (Wei & Zou 2019, EDA). When it fires on a text
    of two or more words it deletes at least one word (a random one, when none was drawn) and
    keeps at least one (a random one survives when every word was drawn), so a view never equals
    its source; a text of one word or none comes back unchanged, recorded as not applied.
    Protected words (:mod:`augkit.text.protect`) are never deleted; when every word is protected
    the text comes back unchanged.

    A deleted word takes one neighbouring run of whitespace with it (the one after it, or before
    it at the end of the text), so no double spaces appear; punctuation stays.

    Args:
        alpha: each word's probability of deletion, in (0, 1].
        source: unused by deletion; declared like the other EDA ops so that one ``eda(source=...)`` builds all four.
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"position", "start", "end", "old", "new": ""}, ...]}``.

    Example:
        >>> RandomDeletion(alpha=0.1)("The quick brown fox jumps", np.random.default_rng(0))
    """

    name = "text.random_deletion"
    modality = "text"
    args = EDA_ARGS
    drawn = {"edits": list}
    alpha: float
    source: str

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        edits = self._edits(x, rng)
        return {"edits": edits} if edits else None

    check_params = check_edit_record
    transform = splice_edit_record

    def _edits(self, text: str, rng: np.random.Generator) -> list[dict[str, Any]]:
        parts = split_words(text)
        n = len(parts) >> 1
        if n < 2:
            return []
        alpha = self.alpha
        drop = [k for k, u in enumerate(rng.random(n).tolist()) if u < alpha]
        keep = protected()
        if keep:  # protected words are never deleted; with none left to delete the text stays
            free = unprotected(parts[1::2], keep)
            if not free:
                return []
            allowed = set(free)
            drop = [k for k in drop if k in allowed]
            if not drop:
                drop = [free[int(rng.integers(len(free)))]]
        elif not drop:
            drop = [int(rng.integers(n))]  # at least one word goes: a view equal to its source is wasted
        if len(drop) == n:
            del drop[int(rng.integers(n))]  # a random word survives
        # word k spans offsets[2k + 1]:offsets[2k + 2]; offsets only when something is deleted
        offsets = list(accumulate(map(len, parts), initial=0))
        last_kept = max(set(range(n)).difference(drop)) if drop[-1] == n - 1 else n - 1
        edits: list[dict[str, Any]] = []
        taken_until = 0
        for k in drop:
            start, end = offsets[2 * k + 1], offsets[2 * k + 2]
            after = parts[2 * k + 2]
            lead = len(after) - len(after.lstrip(" \t"))
            if lead and k < last_kept:
                end += lead  # take the whitespace that follows
            else:
                # nothing kept after this word: take the whitespace before it instead
                before = parts[2 * k]
                start = max(taken_until, start - (len(before) - len(before.rstrip(" \t"))))
            edits.append({"position": k, "start": start, "end": end, "old": text[start:end], "new": ""})
            taken_until = end
        return edits
