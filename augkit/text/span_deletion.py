"""Span cutoff (Shen et al.'s Cutoff) as a text edit: one contiguous run of words removed."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Number
from augkit.core.registry import register
from augkit.text._eda import check_edit_record, splice_edit_record
from augkit.text._words import split_words
from augkit.text.protect import is_protected, protected

__all__ = ["SpanDeletion", "span_length"]


def span_length(max_rate: float, n_words: int) -> int:
    """The number of words in the span: ``int(max_rate · words)`` as in Cutoff, at least 1 and at
    most ``words - 1`` (a view keeps a word)."""
    return min(max(1, int(max_rate * n_words)), n_words - 1)


@register
class SpanDeletion(Augmenter[str]):
    """Remove one contiguous run of words: the span cutoff of Shen et al. 2020 ("A Simple but
    Tough-to-Beat Data Augmentation Approach for Natural Language Understanding and Generation",
    reference code dinghanshen/Cutoff, ``generate_span_cutoff_embedding``), applied to the text.

    The rule of the reference: the span holds ``int(rate · length)`` tokens and starts at a
    uniform position; here at least one word and at most all words but one, starting uniformly
    in ``0 .. words - length`` (the reference's ``int(rand · (length - span))`` never starts the
    span at the last possible place; this op does). ConSERT's *feature* cutoff zeroes embedding
    dimensions: it acts inside the model and is no text edit, so it is not here.

    Everything from the span's first word to its last goes, punctuation between them included,
    with one neighbouring run of whitespace (the one after it, or before it at the end of the
    text). Protected words (:mod:`augkit.text.protect`) inside the span stay: the unprotected
    runs around them are removed, so at most ``max_rate`` of the words go. A text of fewer than
    two words, or a span of protected words only, is recorded as not applied.

    Args:
        max_rate: the fraction of the words the span covers, in (0, 1) (Cutoff's
            ``aug_cutoff_ratio``, 0.1 by default).
        p: probability of applying the op.

    Record: ``{"applied": True, "first": i, "length": L, "edits": [{"start", "end", "old", "new": ""}]}``.

    Example:
        >>> SpanDeletion(max_rate=0.2)("the quick brown fox jumps over the lazy dog", np.random.default_rng(0))
    """

    name = "text.span_deletion"
    modality = "text"
    args = (Arg("max_rate", Number(0.0, 1.0, low_open=True, high_open=True), 0.1,
                "the fraction of the words the span covers (Cutoff's aug_cutoff_ratio)"),)
    drawn = {"first": int, "length": int, "edits": list}
    max_rate: float

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        parts = split_words(x)
        n = len(parts) >> 1
        if n < 2:
            return None
        length = span_length(self.max_rate, n)
        # uniform in 0 .. n - length: a uniform u < 1 gives int(u · m) < m (rng.integers costs 3×)
        first = int(rng.random() * (n - length + 1))
        keep = protected()
        gone = [k for k in range(first, first + length) if not is_protected(parts[2 * k + 1], keep)] if keep else \
            list(range(first, first + length))
        if not gone:
            return None
        edits = _run_edits(x, parts, gone, n)
        return {"first": first, "length": length, "edits": edits}

    check_params = check_edit_record
    transform = splice_edit_record


def _run_edits(text: str, parts: list[str], gone: list[int], n: int) -> list[dict[str, Any]]:
    """One deletion per run of consecutive words in ``gone``, each taking one run of whitespace."""
    offsets = list(accumulate(map(len, parts), initial=0))
    runs: list[list[int]] = []
    for k in gone:
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    kept_after, removed = n - 1, set(gone)  # the last word kept
    while kept_after in removed:
        kept_after -= 1
    edits: list[dict[str, Any]] = []
    for run in runs:
        start, end = offsets[2 * run[0] + 1], offsets[2 * run[-1] + 2]
        after = parts[2 * run[-1] + 2]
        lead = len(after) - len(after.lstrip(" \t"))
        if lead and run[-1] < kept_after:
            end += lead  # the whitespace that follows goes with the run
        else:  # nothing kept after it: take the whitespace before it instead
            before = parts[2 * run[0]]
            start -= len(before) - len(before.rstrip(" \t"))
            if edits:
                start = max(start, edits[-1]["end"])
        edits.append({"start": start, "end": end, "old": text[start:end], "new": ""})
    return edits
