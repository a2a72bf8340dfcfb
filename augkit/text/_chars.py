"""What the character-noise ops share: the two rates, the choice of words and characters, and
the record of character edits (the same span edits as the word ops, so replay and the preview
need nothing new)."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from itertools import compress, repeat
from operator import truediv
from typing import Any, ClassVar

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Number
from augkit.text._eda import check_edit_record, splice_edit_record
from augkit.text._words import split_words
from augkit.text.protect import is_protected, protected

__all__ = ["ASCII_ALNUM", "CHAR_ARGS", "CharNoise", "choose", "expected_edits"]

#: The arguments every character-noise op declares (nlpaug's char augmenters' defaults).
CHAR_ARGS = (
    Arg("word_rate", Number(0.0, 1.0), 0.3, "each word's probability of being edited (nlpaug's aug_word_p)"),
    Arg("char_rate", Number(0.0, 1.0, low_open=True), 0.3,
        "each editable character's probability of being edited in an edited word (nlpaug's aug_char_p)"),
    Arg("min_word_length", Integer(1, None), 4, "shorter words are never edited (nlpaug's min_char)"),
)

#: The ASCII letters and digits: a table holding them all edits every character of a plain ASCII word.
ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)


def expected_edits(sites: int, word_rate: float, char_rate: float) -> float:
    """The expected number of characters an op edits in one eligible word with ``sites`` editable
    characters: ``word_rate · E[max(1, Binomial(sites, char_rate))]`` (at least one per edited word)."""
    if sites == 0:
        return 0.0
    return word_rate * (sites * char_rate + (1.0 - char_rate) ** sites)


class CharNoise(Augmenter[str]):
    """The base of the character-noise ops: each word of at least ``min_word_length`` characters
    that is not protected (:mod:`augkit.text.protect`) is edited with probability ``word_rate``;
    in an edited word each editable character (a key of :attr:`table`, or any character when
    there is none) is chosen with probability ``char_rate``, at least one (a uniform one when
    none was drawn); :meth:`edits` says what happens to the chosen characters. A text with
    nothing edited is recorded as not applied.

    How it draws, for speed (numpy charges about a microsecond per call, Python a few tens of
    nanoseconds per step): the uniforms come from one array drawn at once (a second only when
    edited words need more): one per word, then, in an edited word, one per editable character
    and one for the fallback choice. A chosen character's uniform ``v < char_rate`` gives
    ``v / char_rate``, a uniform in [0, 1) independent of the choice, which draws the new
    character: a typo costs no further draw. The fallback's uniform ``w`` picks the character
    ``int(w · sites)`` and its fractional part the new character.

    Record: ``{"applied": True, "edits": [{"start", "end", "old", "new"}, ...]}``, in character
    offsets of the source.
    """

    modality: ClassVar[str] = "text"
    args: ClassVar[tuple[Arg, ...]] = CHAR_ARGS
    drawn = {"edits": list}
    #: Characters at the end of a word that are never chosen (1 for a swap: the last has no next).
    tail: ClassVar[int] = 0
    #: Whether a word keeps at least one character (deletion drops its last choice otherwise).
    keeps_a_character: ClassVar[bool] = False
    #: The editable characters, each with what it may become (set by :meth:`setup`); None: every
    #: character is editable.
    table: Mapping[str, str | tuple[str, ...]] | None = None
    word_rate: float
    char_rate: float
    min_word_length: int

    def setup(self) -> None:
        self._plain = self.table is not None and ASCII_ALNUM <= self.table.keys()

    def edits(self, x: str, chosen: list[int], fractions: list[float]) -> list[dict[str, Any]]:
        """The record's edits of the characters of ``x`` at ``chosen`` (ascending offsets), each
        with a uniform in [0, 1) in ``fractions``; by default each becomes one of its
        :attr:`table` entries, uniformly."""
        table = self.table
        if table is None:
            raise NotImplementedError(f"{type(self).__name__} must set a table or implement edits()")
        out = []
        for i, f in zip(chosen, fractions, strict=True):
            old = x[i]
            options = table[old]
            # f < 1 and a handful of options: f · len < len, no clamp needed
            out.append({"start": i, "end": i + 1, "old": old, "new": options[int(f * len(options))]})
        return out

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        parts = split_words(x)
        n = len(parts) >> 1
        if n == 0:
            return None
        word_rate, rate, minimum = float(self.word_rate), float(self.char_rate), self.min_word_length
        table, plain, tail, keeps = self.table, self._plain, self.tail, self.keeps_a_character
        # one numpy call draws the uniforms of the words and mostly all the others this text needs
        u = rng.random(n + 8 + int(word_rate * len(x))).tolist()
        at = n  # the next unused uniform
        keep = protected()
        position, counted = 0, 0  # the offset of parts[counted]
        chosen: list[int] = []  # offsets in x
        fractions: list[float] = []
        # loops that compare or collect run in C (map, compress): Python steps only per edited word
        for k in compress(range(n), map(word_rate.__gt__, u[:n])):
            word = parts[2 * k + 1]
            if len(word) < minimum or (keep and is_protected(word, keep)):
                continue
            if table is None:
                sites: Sequence[int] = range(len(word) - tail)
            elif plain and word.isascii() and word.isalnum():
                sites = range(len(word))
            else:
                sites = [i for i, c in enumerate(word) if c in table]
            s = len(sites)
            if not s:
                continue
            if at + s + 1 > len(u):  # more than the first call drew
                u += rng.random(s + 33).tolist()
            draws = u[at : at + s]
            flags = list(map(rate.__gt__, draws))
            hits = flags.count(True)
            position += sum(map(len, parts[counted : 2 * k + 1]))
            counted = 2 * k + 1
            if hits:
                if keeps and hits >= len(word):
                    flags[-1] = False  # a word keeps a character
                chosen += map(position.__add__, compress(sites, flags))
                fractions += map(truediv, compress(draws, flags), repeat(rate))  # v < rate: v / rate < 1
            elif not (keeps and len(word) == 1):  # at least one character: a uniform one
                w = u[at + s] * s
                j = min(int(w), s - 1)
                chosen.append(position + sites[j])
                fractions.append(min(w - j, _BELOW_ONE))  # what is left of the draw is uniform too
            at += s + 1
        if not chosen:
            return None
        edits = self.edits(x, chosen, fractions)
        return {"edits": edits} if edits else None

    check_params = check_edit_record
    transform = splice_edit_record


_BELOW_ONE = 1.0 - 2.0**-53  # the largest double below 1


def choose(options: str | tuple[str, ...], u: float) -> str:
    """One of ``options``, uniformly, from a uniform ``u`` in [0, 1)."""
    return options[min(int(u * len(options)), len(options) - 1)]
