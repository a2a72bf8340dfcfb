"""Random character edits: swap, insert, delete, substitute (nlpaug's ``RandomCharAug`` actions)."""

from __future__ import annotations

import string
from typing import Any, ClassVar

from augkit.core.registry import register
from augkit.text._chars import CharNoise, choose

__all__ = ["CharDelete", "CharInsert", "CharSubstitute", "CharSwap"]

_DIGITS = string.digits
# What CharSubstitute may write for an ASCII letter or digit: the other letters in its case, or
# the other digits (a uniform draw among them is the reference's draw-again-while-equal rule).
_OTHERS = {c: kind.replace(c, "") for kind in (string.ascii_lowercase, string.ascii_uppercase, _DIGITS) for c in kind}


def _like(char: str) -> str:
    """What may be inserted beside ``char``: digits beside a digit, else letters in its case."""
    return _DIGITS if char in _DIGITS else string.ascii_uppercase if char.isupper() else string.ascii_lowercase


@register
class CharSwap(CharNoise):
    """Swap a character with the next one ("quick" → "qucik"), at rates per word and per
    character (:class:`augkit.text._chars.CharNoise`; nlpaug's ``RandomCharAug(action="swap")``
    with ``swap_mode="adjacent"``). Chosen characters whose pair would overlap the previous
    swap are skipped. Protected words are never edited.

    Args:
        word_rate: each word's probability of being edited (0.3).
        char_rate: each character's probability of being swapped with the next, in an edited word (0.3).
        min_word_length: shorter words are never edited (4).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start", "end", "old": "ck", "new": "kc"}, ...]}``.

    Example:
        >>> CharSwap()("the quick brown fox", np.random.default_rng(0))
    """

    name = "text.char_swap"
    tail: ClassVar[int] = 1

    def edits(self, x: str, chosen: list[int], fractions: list[float]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        last = 0
        for i in chosen:
            if i < last or x[i] == x[i + 1]:
                continue
            out.append({"start": i, "end": i + 2, "old": x[i : i + 2], "new": x[i + 1] + x[i]})
            last = i + 2
        return out


@register
class CharInsert(CharNoise):
    """Insert a random letter (a digit beside a digit) before chosen characters ("quick" →
    "quxick"), at rates per word and per character (nlpaug's ``RandomCharAug(action="insert")``).
    Protected words are never edited.

    Args:
        word_rate: each word's probability of being edited (0.3).
        char_rate: each character's probability of getting a new character before it (0.3).
        min_word_length: shorter words are never edited (4).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start": i, "end": i, "old": "", "new": "x"}, ...]}``.

    Example:
        >>> CharInsert()("the quick brown fox", np.random.default_rng(0))
    """

    name = "text.char_insert"

    def edits(self, x: str, chosen: list[int], fractions: list[float]) -> list[dict[str, Any]]:
        return [{"start": i, "end": i, "old": "", "new": choose(_like(x[i]), f)}
                for i, f in zip(chosen, fractions, strict=True)]


@register
class CharDelete(CharNoise):
    """Delete chosen characters ("quick" → "quck"), at rates per word and per character
    (nlpaug's ``RandomCharAug(action="delete")``); a word keeps at least one character.
    Protected words are never edited.

    Args:
        word_rate: each word's probability of being edited (0.3).
        char_rate: each character's probability of deletion in an edited word (0.3).
        min_word_length: shorter words are never edited (4).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start", "end", "old": "i", "new": ""}, ...]}``.

    Example:
        >>> CharDelete()("the quick brown fox", np.random.default_rng(0))
    """

    name = "text.char_delete"
    keeps_a_character: ClassVar[bool] = True

    def edits(self, x: str, chosen: list[int], fractions: list[float]) -> list[dict[str, Any]]:
        return [{"start": i, "end": i + 1, "old": x[i], "new": ""} for i in chosen]


@register
class CharSubstitute(CharNoise):
    """Replace chosen letters and digits by other random ones, in their case ("quick" →
    "qoick"), at rates per word and per character (nlpaug's ``RandomCharAug(action="substitute")``).
    Protected words are never edited.

    Args:
        word_rate: each word's probability of being edited (0.3).
        char_rate: each letter's or digit's probability of replacement in an edited word (0.3).
        min_word_length: shorter words are never edited (4).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start", "end", "old": "u", "new": "o"}, ...]}``.

    Example:
        >>> CharSubstitute()("the quick brown fox", np.random.default_rng(0))
    """

    name = "text.char_substitute"

    def setup(self) -> None:
        self.table = _OTHERS
        super().setup()
