"""Synonyms that work offline: a WordNet 3.0 synonym table shipped inside the package.

The table (``data/synonyms.tsv.gz``, one line per lemma and synset, ≈ 1.7 MB) loads lazily, once
per process, in ≈ 30 ms. Inflected words are handled with WordNet-style suffix rules: "dogs" finds the
synonyms of "dog" and gives them back in the plural ("domestic dogs"), "jumped" gives past forms,
"faster" comparatives. The optional ``source="nltk"`` backend asks NLTK's own WordNet reader,
for users who have NLTK's WordNet data installed; it never downloads anything.
"""

from __future__ import annotations

import gzip
import re
from bisect import bisect_left
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import ClassVar, Protocol

from augkit.core.errors import MissingData

__all__ = ["Lexicon", "NLTKWordNet", "SynonymTable", "get_lexicon", "inflect"]

# (suffix, replacement, form, parts of speech) tried in order, like WordNet's morphy.
_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("ies", "y", "s", "nv"), ("ches", "ch", "s", "nv"), ("shes", "sh", "s", "nv"), ("sses", "ss", "s", "nv"),
    ("xes", "x", "s", "nv"), ("zes", "z", "s", "nv"), ("ses", "s", "s", "nv"), ("men", "man", "s", "n"),
    ("es", "e", "s", "nv"), ("s", "", "s", "nv"),
    ("ied", "y", "ed", "v"), ("ed", "e", "ed", "v"), ("ed", "", "ed", "v"),
    ("ying", "ie", "ing", "v"), ("ing", "e", "ing", "v"), ("ing", "", "ing", "v"),
    ("ier", "y", "er", "a"), ("iest", "y", "est", "a"), ("er", "e", "er", "a"), ("est", "e", "est", "a"),
    ("er", "", "er", "a"), ("est", "", "est", "a"),
)
_VOWELS = set("aeiou")


class Lexicon(Protocol):
    """Anything that returns synonyms for a word as it appears in a text."""

    def synonyms(self, word: str) -> list[str]:
        """Synonyms of ``word`` (lower case, inflected like ``word``), best first; [] if none."""
        ...


def inflect(lemma: str, form: str) -> str | None:
    """Put a (possibly multi-word, underscore-joined) lemma into ``form``: "" (as is), "s", "ed",
    "ing", "er" or "est". Returns None when that makes no sense (comparative of a phrase)."""
    parts = lemma.replace("_", " ").split(" ")
    if form == "":
        return " ".join(parts)
    if form in ("er", "est"):
        if len(parts) > 1:
            return None
        word = parts[0]
        # English: one syllable (or two ending in -y) takes -er/-est, longer words more/most
        syllables = len(re.findall(r"[aeiouy]+", word))
        if syllables == 1 or (syllables == 2 and word.endswith("y")):
            return _suffix(word, form)
        return ("more " if form == "er" else "most ") + word
    # nouns inflect their head (last word), verbs their first word: "domestic dogs", "looked up"
    i = len(parts) - 1 if form == "s" else 0
    parts[i] = _suffix(parts[i], form)
    return " ".join(parts)


def _suffix(word: str, form: str) -> str:
    consonant_y = len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS
    if form == "s":
        if word.endswith("man") and len(word) > 3:
            return word[:-3] + "men"
        if word.endswith(("s", "x", "z", "ch", "sh")):
            return word + "es"
        return word[:-1] + "ies" if consonant_y else word + "s"
    if form == "ed":
        if word.endswith("e"):
            return word + "d"
        return word[:-1] + "ied" if consonant_y else word + "ed"
    if form == "ing":
        if word.endswith("ie"):
            return word[:-2] + "ying"
        if word.endswith("e") and not word.endswith("ee") and len(word) > 2:
            return word[:-1] + "ing"
        return word + "ing"
    # er / est; "glad" -> "gladder": a short consonant-vowel-consonant word doubles its last letter
    if len(word) >= 3 and word[-1] not in _VOWELS | {"w", "x", "y"} and word[-2] in _VOWELS and word[-3] not in _VOWELS:
        return word + word[-1] + form
    if word.endswith("e"):
        return word + form[1:]
    return word[:-1] + "i" + form if consonant_y else word + form


def _candidates(word: str) -> list[tuple[str, str, str]]:
    """``(base, form, parts of speech)`` readings of ``word``: itself first, then de-inflections."""
    out = [(word, "", "nvar")]
    for suffix, repl, form, pos in _RULES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 2:
            base = word[: len(word) - len(suffix)] + repl
            out.append((base, form, pos))
            # "running" -> "runn" -> "run": undo a doubled final consonant
            if form in ("ed", "ing", "er", "est") and len(base) > 2 and base[-1] == base[-2] and repl == "":
                out.append((base[:-1], form, pos))
    return out


class SynonymTable:
    """The shipped WordNet 3.0 synonym table (see ``augkit/text/data/WORDNET_LICENSE``).

    Args:
        rows: ``lemma<TAB>pos<TAB>synonym...`` lines sorted by lemma (what ``build_lexicon`` writes).
    """

    def __init__(self, rows: list[str]) -> None:
        self._rows = rows
        self._memo: dict[str, list[str]] = {}

    @classmethod
    def load(cls) -> SynonymTable:
        """Read the table shipped in ``augkit/text/data`` (one decompress and one split, ≈ 30 ms)."""
        path = Path(__file__).parent / "data" / "synonyms.tsv.gz"
        if path.is_file():
            raw = path.read_bytes()
        else:  # installed in a zip: importlib.resources is slower to import, so only as a fallback
            from importlib import resources

            raw = resources.files("augkit.text").joinpath("data/synonyms.tsv.gz").read_bytes()
        rows = gzip.decompress(raw).decode("utf-8").split("\n")
        if rows and not rows[-1]:
            rows.pop()
        return cls(rows)

    def _find(self, lemma: str) -> tuple[str, int]:
        key = lemma + "\t"
        return key, bisect_left(self._rows, key)

    def base_synonyms(self, lemma: str, pos: str = "nvar") -> list[str]:
        """Synonyms of a WordNet lemma (underscored), restricted to parts of speech ``pos``."""
        key, i = self._find(lemma)
        rows = self._rows
        seen: dict[str, None] = {}
        # rows are sorted by lemma and a tab sorts before any character of a lemma, so every row
        # of ``lemma`` follows the insertion point of ``lemma + tab``
        while i < len(rows) and rows[i].startswith(key):
            _, line_pos, *others = rows[i].split("\t")
            if line_pos in pos:
                for other in others:
                    seen.setdefault(other, None)
            i += 1
        return list(seen)

    def synonyms(self, word: str) -> list[str]:
        """Synonyms of ``word`` as it appears in a text (inflected like it), best first."""
        found = self._memo.get(word)
        if found is None:
            found = self._memo[word] = _inflected_synonyms(self.base_synonyms, word)
        return found

    def __contains__(self, lemma: str) -> bool:
        key, i = self._find(lemma)
        return i < len(self._rows) and self._rows[i].startswith(key)


def _inflected_synonyms(base_synonyms: Callable[[str, str], list[str]], word: str) -> list[str]:
    lower = word.lower().replace("’", "'")
    for base, form, pos in _candidates(lower):
        found = base_synonyms(base, pos)
        if found:
            out: dict[str, None] = {}
            for lemma in found:
                surface = inflect(lemma, form)
                if surface and surface != lower:
                    out.setdefault(surface, None)
            if out:
                return list(out)
    return []


class NLTKWordNet:
    """Synonyms from NLTK's WordNet reader (needs NLTK's ``wordnet`` data; never downloads)."""

    _POS: ClassVar[dict[str, str]] = {"n": "n", "v": "v", "a": "as", "r": "r"}

    def __init__(self) -> None:
        from nltk.corpus import wordnet

        try:
            wordnet.ensure_loaded()
        except LookupError:
            raise MissingData(
                "source='nltk' needs NLTK's WordNet data, which augkit never downloads. Install it "
                "(e.g. from Debian's wordnet-base: python -m augkit.text.build_lexicon /tmp/t.tsv.gz --nltk-data DIR, "
                "then set NLTK_DATA), or use the shipped table: source='wordnet'"
            ) from None
        self._wn = wordnet

    def base_synonyms(self, lemma: str, pos: str = "nvar") -> list[str]:
        seen: dict[str, None] = {}
        for synset in self._wn.synsets(lemma):
            names = [name.lower() for name in synset.lemma_names()]
            # synsets() applies NLTK's own morphy; inflection is handled by augkit's rules instead
            if synset.pos() not in "".join(self._POS[p] for p in pos) or lemma not in names:
                continue
            for other in names:
                if other != lemma:
                    seen.setdefault(other, None)
        return list(seen)

    def synonyms(self, word: str) -> list[str]:
        return _inflected_synonyms(self.base_synonyms, word)


@cache
def get_lexicon(source: str = "wordnet") -> Lexicon:
    """The process-wide lexicon for ``source``: ``"wordnet"`` (shipped table) or ``"nltk"``.

    Raises:
        ValueError: for an unknown source.
        MissingData: (a ValueError and a LookupError) for ``"nltk"`` without NLTK's WordNet data.
    """
    if source == "wordnet":
        return SynonymTable.load()
    if source == "nltk":
        return NLTKWordNet()
    raise ValueError(f"source={source!r} must be 'wordnet' (the shipped table) or 'nltk'")
