"""Random character edits: swap, insert, delete, substitute (nlpaug's ``RandomCharAug`` actions)."""

from __future__ import annotations

import string

import numpy as np

from augkit.core.registry import register
from augkit.text._chars import CharNoise, Edit, cased, pick

__all__ = ["CharDelete", "CharInsert", "CharSubstitute", "CharSwap"]

_LETTERS = string.ascii_lowercase
_DIGITS = string.digits


def _like(char: str, rng: np.random.Generator) -> str:
    """A random character of the kind of ``char`` (a digit for a digit, else a letter in its case)."""
    return pick(rng, _DIGITS) if char in _DIGITS else cased(char, pick(rng, _LETTERS))


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

    def sites(self, word: str) -> list[int]:
        return list(range(len(word) - 1))

    def edit(self, word: str, chosen: list[int], rng: np.random.Generator) -> list[Edit]:
        out: list[Edit] = []
        for i in chosen:
            if (out and i < out[-1][1]) or word[i] == word[i + 1]:
                continue
            out.append((i, i + 2, word[i + 1] + word[i]))
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

    def edit(self, word: str, chosen: list[int], rng: np.random.Generator) -> list[Edit]:
        return [(i, i, _like(word[i], rng)) for i in chosen]


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

    def edit(self, word: str, chosen: list[int], rng: np.random.Generator) -> list[Edit]:
        if len(chosen) >= len(word):
            chosen = chosen[:-1]  # a word keeps a character
        return [(i, i + 1, "") for i in chosen]


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

    def sites(self, word: str) -> list[int]:
        return [i for i, c in enumerate(word) if c.isascii() and c.isalnum()]

    def edit(self, word: str, chosen: list[int], rng: np.random.Generator) -> list[Edit]:
        out: list[Edit] = []
        for i in chosen:
            new = _like(word[i], rng)
            while new.lower() == word[i].lower():
                new = _like(word[i], rng)
            out.append((i, i + 1, new))
        return out
