"""Left and right in words: the text side of the coupling that keeps a caption true to a mirrored
image (:class:`augkit.views.couplings.FlipSwapsLeftRight`)."""

from __future__ import annotations

import re

__all__ = ["swap_left_right"]

_SIDES = re.compile(r"(?<![^\W_])(left|right)(most|ward|wards|-hand|-handed|hand|handed|-most)?(?![^\W_])", re.I)
_OTHER = {"left": "right", "right": "left"}


def swap_left_right(text: str) -> tuple[str, int]:
    """``text`` with "left" and "right" swapped (and their forms: leftmost, leftward(s),
    left-hand(ed), lefthand(ed)), each keeping the case it was written in (letter by letter, so
    lower, UPPER and Title case swap back exactly); and the number of swaps.

    Punctuation, spacing and every other word stay as they are. "Left" as in "she left" is swapped
    too: the rule reads words, not meaning.

    Example:
        >>> swap_left_right("The dog is on the LEFT, the cat on the Right-hand side.")
        ('The dog is on the RIGHT, the cat on the Left-hand side.', 2)
    """
    def other(m: re.Match[str]) -> str:
        stem = m.group(1)
        new = _OTHER[stem.lower()]
        # letter k takes the case of the stem's letter k (the last one's past its end): lower,
        # UPPER and Title stay as they were
        cased = "".join(c.upper() if stem[min(k, len(stem) - 1)].isupper() else c for k, c in enumerate(new))
        return cased + (m.group(2) or "")

    return _SIDES.subn(other, text)
