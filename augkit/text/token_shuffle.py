"""ConSERT's token shuffle, on words."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Value
from augkit.core.errors import InvalidArgument, WrongArgumentType
from augkit.core.registry import register
from augkit.text._eda import check_edit_record, splice_edit_record
from augkit.text._words import split_words
from augkit.text.protect import protected, unprotected

__all__ = ["TokenShuffle"]

_WINDOW = Integer(2, None)


def _window(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise WrongArgumentType(f"{name}={value!r:.40} must be an int >= 2 or None (the whole text)")
    if value < 2:
        raise InvalidArgument(f"{name}={value!r} must be an int >= 2 or None (the whole text): a window of "
                              "one word moves nothing")
    return int(value)


@register
class TokenShuffle(Augmenter[str]):
    """Shuffle the order of the words: ConSERT's token shuffle (Yan et al. 2021, "ConSERT: A
    Contrastive Framework for Self-Supervised Sentence Representation Transfer"; reference code
    yym6472/ConSERT, the ``shuffle`` data augmentation of ``--da_final_1/2``, which permutes the
    position ids of the whole sequence).

    With ``window=None`` every word may go anywhere (a uniform permutation, as ConSERT); with a
    window of ``w`` words the text is cut into consecutive blocks of ``w`` words and each block
    is permuted on its own, so no word leaves its block. Words move; the punctuation and spacing
    between them stay where they were.

    Protected words (:mod:`augkit.text.protect`) stay in place: only the other words are
    shuffled, among the places of unprotected words (blocks are counted over those words).

    Args:
        window: None (the whole text) or the block size in words (an int >= 2).
        p: probability of applying the op.

    Record: ``{"applied": True, "order": [j0, j1, ...], "edits": [...]}``: the word now at the
    ``i``-th shuffled place was word ``order[i]``; the edits are the net effect.

    Example:
        >>> TokenShuffle()("the cat sat on the mat", np.random.default_rng(0))
    """

    name = "text.token_shuffle"
    modality = "text"
    args = (Arg("window", Value(_window, "None or an int >= 2"), None,
                "None (the whole text) or the block size in words"),)
    drawn = {"order": list, "edits": list}
    window: int | None

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        parts = split_words(x)
        n = len(parts) >> 1
        keep = protected()
        free: Sequence[int] = unprotected(parts[1::2], keep) if keep else range(n)
        m = len(free)
        if m < 2:
            return None
        # A uniform permutation of each block: its words in the order of i.i.d. uniform keys, drawn
        # and sorted by numpy in one go (rng.permutation per block, or a sort in Python, costs more).
        keys = rng.random(m)
        if self.window is None or self.window >= m:
            ranks = keys.argsort().tolist()
        else:  # by block, then by key: no word leaves its block
            ranks = np.lexsort((keys, np.arange(m) // self.window)).tolist()
        order = ranks if isinstance(free, range) else [free[i] for i in ranks]
        offsets = list(accumulate(map(len, parts), initial=0))
        starts, ends, found = offsets[1::2], offsets[2::2], parts[1::2]
        edits = [{"position": place, "start": starts[place], "end": ends[place], "old": found[place],
                  "new": found[source]}
                 for place, source in zip(free, order, strict=True) if found[place] != found[source]]
        return {"order": order, "edits": edits}

    check_params = check_edit_record
    transform = splice_edit_record
