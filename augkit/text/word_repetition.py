"""ESimCSE's word repetition."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Number
from augkit.core.registry import register
from augkit.text._eda import check_edit_record, splice_edit_record
from augkit.text._words import split_words
from augkit.text.protect import protected, unprotected

__all__ = ["ESIMCSE_DUP_RATE", "WordRepetition", "repetition_count_bound"]

#: ESimCSE's ``dup_rate`` (Wu et al. 2022), the default of ``word_repetition`` in
#: caskcsg/ESimCSE's ``unsup_ESimCSE.py`` and of the PaddleNLP port (``dup_rate=0.32``).
ESIMCSE_DUP_RATE = 0.32


def repetition_count_bound(max_rate: float, n_words: int) -> int:
    """The largest number of words the rule repeats: ``max(2, int(max_rate · words))``."""
    return max(2, int(max_rate * n_words))


@register
class WordRepetition(Augmenter[str]):
    """Repeat randomly chosen words in place ("a cat sat" → "a a cat sat"): ESimCSE's positive
    pairs (Wu et al. 2022, "ESimCSE: Enhanced Sample Construction for Unsupervised Sentence
    Embedding"; reference code caskcsg/ESimCSE, ``unsup_ESimCSE.py``, ``word_repetition``).

    The reference rule, on words: the number of repeated words is drawn uniformly from
    ``0 .. max(2, int(max_rate · words))`` (``random.randint``, both ends included), then that many
    distinct words are chosen uniformly without replacement and each is written twice, in its
    place, so the order of the words is kept. The reference works on tokenizer pieces and skips
    position 0, which is ``[CLS]`` there: on words every word may repeat. Where the reference's
    ``random.sample`` fails (more repetitions drawn than there are tokens) it repeats nothing; so
    does this op. A draw of 0 repetitions is recorded as not applied (the view equals its
    source, as in the reference).

    Protected words (:mod:`augkit.text.protect`) are never repeated: a repeated number or colour
    word could change what a caption says.

    Args:
        max_rate: the upper bound of the rate of repeated words, in (0, 1] (ESimCSE's
            ``dup_rate``, 0.32 by default).
        p: probability of applying the op.

    Record: ``{"applied": True, "count": k, "edits": [{"position", "start", "end", "old": "",
    "new": " word"}, ...]}``: each repetition is an insertion after its word.

    Example:
        >>> WordRepetition(max_rate=0.32)("a picture is worth a thousand words", np.random.default_rng(0))
    """

    name = "text.word_repetition"
    modality = "text"
    args = (Arg("max_rate", Number(0.0, 1.0, low_open=True), ESIMCSE_DUP_RATE,
                "the upper bound of the rate of repeated words (ESimCSE's dup_rate)"),)
    drawn = {"count": int, "edits": list}
    max_rate: float

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        parts = split_words(x)
        n = len(parts) >> 1
        if n == 0:
            return None
        bound = repetition_count_bound(self.max_rate, n)
        # one numpy call: the count, then one uniform per repeated word (numpy's integers and
        # choice cost several microseconds each; a uniform u < 1 gives int(u · m) < m)
        u = rng.random(bound + 1).tolist()
        count = int(u[0] * (bound + 1))  # uniform in 0 .. bound, both ends included
        keep = protected()
        free = unprotected(parts[1::2], keep) if keep else list(range(n))
        if count == 0 or count > len(free):
            return None
        m = len(free)
        for t in range(count):  # a partial Fisher-Yates shuffle: `count` distinct words, uniformly
            j = t + int(u[t + 1] * (m - t))
            free[t], free[j] = free[j], free[t]
        offsets = list(accumulate(map(len, parts), initial=0))
        edits: list[dict[str, Any]] = []
        for k in sorted(free[:count]):
            end = offsets[2 * k + 2]
            edits.append({"position": k, "start": end, "end": end, "old": "", "new": " " + parts[2 * k + 1]})
        return {"count": count, "edits": edits}

    check_params = check_edit_record
    transform = splice_edit_record
