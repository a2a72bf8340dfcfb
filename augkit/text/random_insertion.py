"""EDA random insertion."""

from __future__ import annotations

from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.registry import register
from augkit.text._eda import EDA_ARGS, check_edit_record, count, splice_edit_record, synonyms
from augkit.text._words import words
from augkit.text.protect import allowed, is_protected, protected

__all__ = ["RandomInsertion"]


@register
class RandomInsertion(Augmenter[str]):
    """Insert a synonym of a random non-stop word at a random word boundary, n times
    (``n = max(1, int(alpha · words))``; Wei & Zou 2019, EDA). Nothing is inserted when no word
    has a synonym. Protected words (:mod:`augkit.text.protect`) are never a synonym's source.

    Args:
        alpha: the fraction of words inserted, in (0, 1].
        source: ``"wordnet"`` (the shipped WordNet 3.0 table) or ``"nltk"`` (NLTK's WordNet data).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"position" (the word it goes before; len(words) = at the
    end), "source_word", "start", "end", "old": "", "new"}, ...]}``.

    Example:
        >>> RandomInsertion(alpha=0.1)("The quick brown fox jumps", np.random.default_rng(0))
    """

    name = "text.random_insertion"
    modality = "text"
    args = EDA_ARGS
    drawn = {"edits": list}
    alpha: float
    source: str

    def draw(self, x: str, rng: np.random.Generator) -> Params:
        spans = words(x)
        return {"edits": self._edits(spans, rng) if spans else []}

    check_params = check_edit_record
    transform = splice_edit_record

    def _edits(self, spans: list[tuple[int, int, str]], rng: np.random.Generator) -> list[dict[str, Any]]:
        edits: list[dict[str, Any]] = []
        order = iter(rng.permutation(len(spans)))
        keep = protected()
        for _ in range(count(self.alpha, len(spans))):
            options: list[str] = []
            source = ""
            for position in order:  # the next word, in random order, that has synonyms
                source = spans[int(position)][2]
                options = synonyms(self.source, source)
                if keep:
                    options = [] if is_protected(source, keep) else allowed(options, keep)
                if options:
                    break
            if not options:
                break
            new = options[int(rng.integers(len(options)))]
            slot = int(rng.integers(len(spans) + 1))
            if slot < len(spans):
                at, piece = spans[slot][0], new + " "
            else:
                at, piece = spans[-1][1], " " + new
            edits.append({"position": slot, "source_word": source, "start": at, "end": at, "old": "", "new": piece})
        return edits
