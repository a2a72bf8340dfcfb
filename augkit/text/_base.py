"""What the EDA operations share: argument checks, word spans, recorded span edits, replay."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.text._words import check_text, splice, words
from augkit.text.lexicon import Lexicon, get_lexicon
from augkit.text.stopwords import is_stop_word

__all__ = ["EditOp", "draw_index"]


class EditOp(Augmenter[str]):
    """A text op whose params are edits on spans of the original string.

    Params: ``{"edits": [{"start", "end", "old", "new", ...}, ...]}``; ``apply`` checks that each
    ``old`` is what the text holds at ``start:end`` and splices in ``new``, so untouched characters
    (punctuation, spacing, casing) come back exactly.
    """

    def __init__(self, alpha: float = 0.1, source: str = "wordnet") -> None:
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha <= 1:
            raise ValueError(f"alpha={alpha!r} must lie in (0, 1]: the fraction of words changed")
        if source not in ("wordnet", "nltk"):
            raise ValueError(f"source={source!r} must be 'wordnet' (the shipped table) or 'nltk'")
        self.alpha = float(alpha)
        self.source = source

    @property
    def lexicon(self) -> Lexicon:
        return get_lexicon(self.source)

    def count(self, n_words: int) -> int:
        """EDA's n = max(1, int(alpha · words))."""
        return max(1, math.floor(self.alpha * n_words))

    def sample(self, x: str, rng: np.random.Generator) -> Params:
        text = check_text(x, type(self).__name__)
        spans = words(text)
        if not spans:
            return {"edits": []}
        return {"edits": self._edits(text, spans, rng)}

    def _edits(self, text: str, spans: list[tuple[int, int, str]], rng: np.random.Generator) -> list[dict[str, Any]]:
        raise NotImplementedError

    def augment(self, x: str, rng: np.random.Generator) -> tuple[str, Params]:
        # the edits were just drawn from this very text: splice without re-checking them
        params = self.sample(x, rng)
        edits = params["edits"]
        return (splice(x, [(e["start"], e["end"], e["new"]) for e in edits]) if edits else x), params

    def apply(self, x: str, params: Params) -> str:
        text = check_text(x, type(self).__name__)
        edits = params["edits"]
        for e in edits:
            if text[e["start"] : e["end"]] != e["old"]:
                raise ValueError(
                    f"{type(self).__name__} params do not fit this text: expected {e['old']!r} at "
                    f"{e['start']}:{e['end']}, found {text[e['start'] : e['end']]!r}"
                )
        return splice(text, [(e["start"], e["end"], e["new"]) for e in edits])

    def synonyms(self, word: str) -> list[str]:
        """Synonyms of ``word`` that an op may use: none for stop words and numbers."""
        memo = _MEMO.setdefault(self.source, {})
        found = memo.get(word)
        if found is None:
            found = memo[word] = [] if is_stop_word(word) or word.isdigit() else self.lexicon.synonyms(word)
        return found


def draw_index(rng: np.random.Generator, n: int) -> int:
    """A uniform index in ``range(n)`` (n ≥ 1) from one scalar ``rng.random()``: the cheapest draw
    numpy has (``rng.integers`` costs ≈ 3×, ``rng.choice`` ≈ 10×)."""
    return min(int(rng.random() * n), n - 1)  # the min guards r·n rounding up to n


# per source, per word form as written: its usable synonyms (stop words and numbers excluded)
_MEMO: dict[str, dict[str, list[str]]] = {}
