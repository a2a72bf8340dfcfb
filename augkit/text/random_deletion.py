"""EDA random deletion."""

from __future__ import annotations

from typing import Any

import numpy as np

from augkit.registry import register
from augkit.text._base import EditOp

__all__ = ["RandomDeletion"]


@register
class RandomDeletion(EditOp):
    """Delete each word with probability ``alpha`` (Wei & Zou 2019, EDA); a non-empty text keeps
    at least one word (a random one survives when every word was drawn for deletion).

    A deleted word takes one neighbouring run of whitespace with it (the one after it, or before
    it at the end of the text), so no double spaces appear; punctuation stays.

    Params: ``{"edits": [{"position", "start", "end", "old", "new": ""}, ...]}``.

    Example:
        >>> RandomDeletion(alpha=0.1)("The quick brown fox jumps", np.random.default_rng(0))
    """

    name = "text.random_deletion"

    def _edits(self, text: str, spans: list[tuple[int, int, str]], rng: np.random.Generator) -> list[dict[str, Any]]:
        drop = (rng.random(len(spans)) < self.alpha).tolist()
        if all(drop):
            drop[int(rng.integers(len(spans)))] = False
        last_kept = max(k for k, d in enumerate(drop) if not d)
        edits: list[dict[str, Any]] = []
        taken_until = 0
        for k, (start, end, _) in enumerate(spans):
            if not drop[k]:
                continue
            after = end
            while after < len(text) and text[after] in " \t":
                after += 1
            if after > end and after < len(text) and k < last_kept:
                end = after  # take the whitespace that follows
            else:
                # nothing kept after this word: take the whitespace before it instead
                while start > taken_until and text[start - 1] in " \t":
                    start -= 1
            edits.append({"position": k, "start": start, "end": end, "old": text[start:end], "new": ""})
            taken_until = end
        return edits
