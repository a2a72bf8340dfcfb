"""EDA synonym replacement."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.registry import register
from augkit.text._eda import EDA_ARGS, check_edit_record, count, draw_index, splice_edit_record, synonyms
from augkit.text._words import match_case, split_words
from augkit.text.protect import allowed, is_protected, protected

__all__ = ["SynonymReplacement"]


@register
class SynonymReplacement(Augmenter[str]):
    """Replace ``n = max(1, int(alpha · words))`` random non-stop words by a WordNet synonym
    (Wei & Zou 2019, EDA). The case of each replaced word is kept; inflected words get inflected
    synonyms ("dogs" → "domestic dogs"). Fewer words change when fewer have synonyms.

    EDA replaces every occurrence of a chosen word type; augkit replaces word positions, so the
    count of edits is exactly n whenever n words have synonyms. Protected words
    (:mod:`augkit.text.protect`) are never replaced.

    Args:
        alpha: the fraction of words to replace, in (0, 1].
        source: ``"wordnet"`` (the shipped WordNet 3.0 table) or ``"nltk"`` (NLTK's WordNet data).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"position", "start", "end", "old", "new"}, ...]}``.

    Example:
        >>> SynonymReplacement(alpha=0.1)("The quick brown fox jumps", np.random.default_rng(0))
    """

    name = "text.synonym_replacement"
    modality = "text"
    args = EDA_ARGS
    drawn = {"edits": list}
    alpha: float
    source: str

    def draw(self, x: str, rng: np.random.Generator) -> Params:
        return {"edits": self._edits(x, rng)}

    check_params = check_edit_record
    transform = splice_edit_record

    def _edits(self, text: str, rng: np.random.Generator) -> list[dict[str, Any]]:
        parts = split_words(text)
        found = parts[1::2]
        if not found:
            return []
        source = self.source
        keep = protected()
        if keep:
            return self._protected_edits(parts, found, keep, rng)
        candidates = [k for k, word in enumerate(found) if synonyms(source, word)]
        m = len(candidates)
        take = min(count(self.alpha, len(found)), m)
        # a uniform random subset of the words that have synonyms (partial Fisher-Yates shuffle)
        for i in range(take):
            j = i + draw_index(rng, m - i)
            candidates[i], candidates[j] = candidates[j], candidates[i]
        chosen = sorted(candidates[:take])
        if not chosen:
            return []
        # word k spans offsets[2k + 1]:offsets[2k + 2]
        offsets = list(accumulate(map(len, parts), initial=0))
        edits: list[dict[str, Any]] = []
        for k in chosen:
            word = found[k]
            options = synonyms(source, word)
            new = match_case(word, options[draw_index(rng, len(options))])
            start, end = offsets[2 * k + 1], offsets[2 * k + 2]
            edits.append({"position": k, "start": start, "end": end, "old": word, "new": new})
        return edits

    def _protected_edits(self, parts: list[str], found: list[str], keep: frozenset[str],
                         rng: np.random.Generator) -> list[dict[str, Any]]:
        """:meth:`_edits` with protected words left alone and no synonym that brings one in."""
        options = {k: allowed(synonyms(self.source, w), keep) for k, w in enumerate(found) if not is_protected(w, keep)}
        candidates = [k for k, o in options.items() if o]
        take = min(count(self.alpha, len(found)), len(candidates))
        for i in range(take):
            j = i + draw_index(rng, len(candidates) - i)
            candidates[i], candidates[j] = candidates[j], candidates[i]
        offsets = list(accumulate(map(len, parts), initial=0))
        edits: list[dict[str, Any]] = []
        for k in sorted(candidates[:take]):
            new = match_case(found[k], options[k][draw_index(rng, len(options[k]))])
            edits.append({"position": k, "start": offsets[2 * k + 1], "end": offsets[2 * k + 2], "old": found[k],
                          "new": new})
        return edits
