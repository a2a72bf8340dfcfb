"""Word spans found in place, so edits touch only the words they change.

A word is a run of Unicode word characters, optionally joined by inner apostrophes or hyphens
("don't", "well-known"). Everything between words (spaces, punctuation, emoji) is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any

__all__ = ["WORD", "check_text", "match_case", "splice", "splice_sorted", "split_words", "words"]

WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_SPLIT = re.compile(r"([^\W_]+(?:['’\-][^\W_]+)*)")


def check_text(x: Any, op: str) -> str:
    """Return ``x`` if it is a str; TypeError naming ``op`` and the type otherwise."""
    if not isinstance(x, str):
        raise TypeError(f"{op} takes a str, got {type(x).__name__}")
    return x


#: ``split_words(text)`` cuts ``text`` into ``[sep, word, sep, word, ..., sep]``: words at odd
#: indices, separators (possibly empty) at even ones; ``"".join`` gives ``text`` back.
split_words: Callable[[str], list[str]] = _SPLIT.split


def words(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` for every word in ``text``, in order."""
    # re.split with a capturing group alternates separators and words, all in C; the offsets are
    # a running sum of the pieces' lengths (≈ 3× faster than building tuples from finditer).
    parts = _SPLIT.split(text)
    offsets = list(accumulate(map(len, parts), initial=0))
    return list(zip(offsets[1:-1:2], offsets[2::2], parts[1::2], strict=True))


def match_case(template: str, word: str) -> str:
    """Give ``word`` the casing pattern of ``template`` (UPPER, Title or lower)."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace ``text[start:end]`` by each replacement; edits must not overlap."""
    return splice_sorted(text, sorted(edits, key=lambda e: (e[0], e[1])))


def splice_sorted(text: str, edits: list[tuple[int, int, str]]) -> str:
    """:func:`splice` for edits already in text order."""
    out, last = [], 0
    for start, end, new in edits:
        if start < last:
            raise ValueError(f"overlapping edits at character {start}")
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)
