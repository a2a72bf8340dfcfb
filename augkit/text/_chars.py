"""What the character-noise ops share: the two rates, the choice of words and characters, and
the record of character edits (the same span edits as the word ops, so replay and the preview
need nothing new)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Number
from augkit.text._eda import check_edit_record, splice_edit_record
from augkit.text._words import words
from augkit.text.protect import is_protected, protected

__all__ = ["CHAR_ARGS", "CharNoise", "expected_edits"]

#: The arguments every character-noise op declares (nlpaug's char augmenters' defaults).
CHAR_ARGS = (
    Arg("word_rate", Number(0.0, 1.0), 0.3, "each word's probability of being edited (nlpaug's aug_word_p)"),
    Arg("char_rate", Number(0.0, 1.0, low_open=True), 0.3,
        "each editable character's probability of being edited in an edited word (nlpaug's aug_char_p)"),
    Arg("min_word_length", Integer(1, None), 4, "shorter words are never edited (nlpaug's min_char)"),
)

Edit = tuple[int, int, str]  # (start, end, new) inside a word


def expected_edits(sites: int, word_rate: float, char_rate: float) -> float:
    """The expected number of characters an op edits in one eligible word with ``sites`` editable
    characters: ``word_rate · E[max(1, Binomial(sites, char_rate))]`` (at least one per edited word)."""
    if sites == 0:
        return 0.0
    return word_rate * (sites * char_rate + (1.0 - char_rate) ** sites)


class CharNoise(Augmenter[str]):
    """The base of the character-noise ops: each word of at least ``min_word_length`` characters
    that is not protected (:mod:`augkit.text.protect`) is edited with probability ``word_rate``;
    in an edited word each editable character (:meth:`sites`) is chosen with probability
    ``char_rate``, at least one (a uniform one when none was drawn); :meth:`edit` says what
    happens to the chosen characters. A text with nothing edited is recorded as not applied.

    Record: ``{"applied": True, "edits": [{"start", "end", "old", "new"}, ...]}``, in character
    offsets of the source.
    """

    modality: ClassVar[str] = "text"
    args: ClassVar[tuple[Arg, ...]] = CHAR_ARGS
    drawn = {"edits": list}
    word_rate: float
    char_rate: float
    min_word_length: int

    def sites(self, word: str) -> list[int]:
        """The positions in ``word`` this op can edit."""
        return list(range(len(word)))

    def edit(self, word: str, chosen: list[int], rng: np.random.Generator) -> list[Edit]:
        """The edits of ``word`` at the ``chosen`` positions (sorted), as ``(start, end, new)``
        inside the word, not overlapping."""
        raise NotImplementedError

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        found = words(x)
        if not found:
            return None
        keep = protected()
        minimum = self.min_word_length
        picks = rng.random(len(found)).tolist()
        edits: list[dict[str, Any]] = []
        rate = self.char_rate
        for (start, _, word), u in zip(found, picks, strict=True):
            if u >= self.word_rate or len(word) < minimum or (keep and is_protected(word, keep)):
                continue
            sites = self.sites(word)
            if not sites:
                continue
            chosen = [s for s, v in zip(sites, rng.random(len(sites)).tolist(), strict=True) if v < rate]
            if not chosen:
                chosen = [sites[min(int(rng.random() * len(sites)), len(sites) - 1)]]
            for a, b, new in self.edit(word, chosen, rng):
                edits.append({"start": start + a, "end": start + b, "old": word[a:b], "new": new})
        return {"edits": edits} if edits else None

    check_params = check_edit_record
    transform = splice_edit_record


def pick(rng: np.random.Generator, options: str) -> str:
    """One character of ``options``, uniformly."""
    return options[min(int(rng.random() * len(options)), len(options) - 1)]


def cased(template: str, char: str) -> str:
    """``char`` in the case of ``template``."""
    return char.upper() if template.isupper() else char
