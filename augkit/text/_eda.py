"""What the EDA operations share, as plain functions: their declared arguments, the EDA count,
the synonym memo, cheap index draws, and applying a record's span edits."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from augkit.core.args import Arg, Choice, Number, Probability
from augkit.core.errors import InvalidParams
from augkit.text._words import splice_sorted
from augkit.text.lexicon import get_lexicon
from augkit.text.stopwords import is_stop_word

__all__ = [
    "EDA_ARGS",
    "check_edit_record",
    "check_edits",
    "count",
    "draw_index",
    "splice_edit_record",
    "splice_edits",
    "synonyms",
]

#: The arguments every EDA op declares, in this order.
EDA_ARGS = (
    Arg("alpha", Number(0.0, 1.0, low_open=True), 0.1,
        "the fraction of words changed (deletion: each word's probability of deletion)"),
    Arg("source", Choice(("wordnet", "nltk")), "wordnet", "'wordnet' (the shipped table) or 'nltk' (NLTK's data)"),
    Arg("p", Probability(), 1.0, "probability of applying the op"),
)

_EDIT_KEYS = (("start", int), ("end", int), ("old", str), ("new", str))
# per source, per word form as written: its usable synonyms (stop words and numbers excluded)
_MEMO: dict[str, dict[str, list[str]]] = {}


def count(alpha: float, n_words: int) -> int:
    """EDA's n = max(1, int(alpha · words))."""
    return max(1, math.floor(alpha * n_words))


def synonyms(source: str, word: str) -> list[str]:
    """Synonyms of ``word`` that an op may use: none for stop words and numbers."""
    memo = _MEMO.setdefault(source, {})
    found = memo.get(word)
    if found is None:
        found = memo[word] = [] if is_stop_word(word) or word.isdigit() else get_lexicon(source).synonyms(word)
    return found


def draw_index(rng: np.random.Generator, n: int) -> int:
    """A uniform index in ``range(n)`` (n ≥ 1) from one scalar ``rng.random()``: the cheapest draw
    numpy has (``rng.integers`` costs ≈ 3×, ``rng.choice`` ≈ 10×)."""
    return min(int(rng.random() * n), n - 1)  # the min guards r·n rounding up to n


def check_edits(text: str, edits: Any, op: str) -> None:
    """Check a record's ``edits`` against ``text``: each a dict whose ``old`` is what the text holds
    at ``start:end``, none overlapping.

    Raises:
        InvalidParams: naming the edit and key that is missing or malformed, or the edit whose
            ``old`` text is not at ``start:end`` (params drawn for another text).
    """
    if not isinstance(edits, list):
        raise InvalidParams(f"{op} params['edits'] must be a list of edits, got {edits!r:.80}")
    last = 0
    for i, e in sorted(enumerate(edits), key=lambda ie: _span(ie[1])):
        if not isinstance(e, dict):
            raise InvalidParams(f"{op} params['edits'][{i}] must be a dict, got {e!r:.80}")
        for key, kind in _EDIT_KEYS:
            value = e.get(key)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise InvalidParams(f"{op} params['edits'][{i}][{key!r}] must be {kind.__name__}, got {value!r:.80}")
        start, end = e["start"], e["end"]
        if text[start:end] != e["old"] or not 0 <= start <= end <= len(text):
            raise InvalidParams(f"{op} params do not fit this text: expected {e['old']!r} at {start}:{end}, "
                                f"found {text[start:end]!r}")
        if start < last:
            raise InvalidParams(f"{op} params['edits'][{i}] overlaps an earlier edit at character {start}")
        last = end


def _span(e: Any) -> tuple[int, int]:
    if isinstance(e, dict) and isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
        return e["start"], e["end"]
    return -1, -1  # malformed edits sort first, so their error names them


def splice_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """``text`` with a (checked) record's edits spliced in, in text order."""
    # Records are drawn in text order, so splice them as they come; the first edit that starts
    # before the end of the one before (out of order, or overlapping) sends the whole record
    # through the sort. Edits in order are exactly what the sort would give.
    out: list[str] = []
    append, last = out.append, 0
    for e in edits:
        start = e["start"]
        if start < last:
            return _splice_sorting(text, edits)
        append(text[last:start])
        append(e["new"])
        last = e["end"]
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _splice_sorting(text: str, edits: list[dict[str, Any]]) -> str:
    # sort on the span only, and stably: insertions at one point keep their recorded order (as in
    # augkit 0.1); sorting the tuples would order them by their text instead
    spans = sorted(((e["start"], e["end"], e["new"]) for e in edits), key=lambda s: (s[0], s[1]))
    return splice_sorted(text, spans)


# Every EDA op's record is a list of span edits: the ops share these two as their
# ``check_params`` and ``transform`` (assigned in each class, so no base class is needed).
def check_edit_record(op: Any, x: str, params: dict[str, Any]) -> None:
    """``check_params`` of the EDA ops: the record's edits fit ``x``."""
    check_edits(x, params["edits"], type(op).__name__)


def splice_edit_record(op: Any, x: str, params: dict[str, Any]) -> str:
    """``transform`` of the EDA ops: ``x`` with the record's edits spliced in."""
    return splice_edits(x, params["edits"])
