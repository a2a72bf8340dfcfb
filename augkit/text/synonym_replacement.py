"""EDA synonym replacement."""

from __future__ import annotations

from typing import Any

import numpy as np

from augkit.registry import register
from augkit.text._base import EditOp
from augkit.text._words import match_case

__all__ = ["SynonymReplacement"]


@register
class SynonymReplacement(EditOp):
    """Replace ``n = max(1, int(alpha · words))`` random non-stop words by a WordNet synonym
    (Wei & Zou 2019, EDA). The case of each replaced word is kept; inflected words get inflected
    synonyms ("dogs" → "hounds"). Fewer words change when fewer have synonyms.

    EDA replaces every occurrence of a chosen word type; augkit replaces word positions, so the
    count of edits is exactly n whenever n words have synonyms.

    Args:
        alpha: the fraction of words to replace, in (0, 1].
        source: ``"wordnet"`` (the shipped WordNet 3.0 table) or ``"nltk"`` (NLTK's WordNet data).

    Params: ``{"edits": [{"position", "start", "end", "old", "new"}, ...]}``.

    Example:
        >>> SynonymReplacement(alpha=0.1)("The quick brown fox jumps", np.random.default_rng(0))
    """

    name = "text.synonym_replacement"

    def _edits(self, text: str, spans: list[tuple[int, int, str]], rng: np.random.Generator) -> list[dict[str, Any]]:
        want = self.count(len(spans))
        edits: list[dict[str, Any]] = []
        # walk a random order of positions and stop at n: a 100k-word text costs n look-ups, not 100k
        for position in rng.permutation(len(spans)):
            start, end, word = spans[int(position)]
            options = self.synonyms(word)
            if options:
                new = match_case(word, options[int(rng.integers(len(options)))])
                edits.append({"position": int(position), "start": start, "end": end, "old": word, "new": new})
                if len(edits) == want:
                    break
        return sorted(edits, key=lambda e: e["start"])
