"""Keyboard typos: a key's neighbour typed instead of it."""

from __future__ import annotations

from functools import cache
from importlib import resources

from augkit.core.args import Arg, Choice
from augkit.core.registry import register
from augkit.text._chars import CHAR_ARGS, CharNoise

__all__ = ["KeyboardTypo", "keyboard_layouts", "neighbours"]


@cache
def keyboard_layouts() -> dict[str, tuple[str, ...]]:
    """The layouts shipped in ``augkit/text/data/keyboards.txt``: name -> rows, top to bottom."""
    text = resources.files("augkit.text").joinpath("data/keyboards.txt").read_text(encoding="utf-8")
    layouts: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = layouts.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return {name: tuple(rows) for name, rows in layouts.items()}


@cache
def neighbours(layout: str) -> dict[str, str]:
    """Each key of ``layout`` and the keys around it (beside it, the two above and the two below
    on a staggered keyboard), lower case."""
    rows = keyboard_layouts()[layout]
    out: dict[str, str] = {}
    for r, row in enumerate(rows):
        for c, key in enumerate(row):
            near = [(r, c - 1), (r, c + 1), (r - 1, c), (r - 1, c + 1), (r + 1, c - 1), (r + 1, c)]
            out[key] = "".join(rows[i][j] for i, j in near if 0 <= i < len(rows) and 0 <= j < len(rows[i]))
    return out


@register
class KeyboardTypo(CharNoise):
    """Type a neighbouring key instead of the right one ("quick" → "quixk"): nlpaug's
    ``KeyboardAug``, with the layouts as data (``augkit/text/data/keyboards.txt``: QWERTY,
    QWERTZ, AZERTY; letters and digits). Rates per word and per character as every
    character-noise op (:class:`augkit.text._chars.CharNoise`); only characters on the layout
    are edited, keeping their case. Protected words are never edited.

    Args:
        word_rate: each word's probability of being edited (0.3).
        char_rate: each key's probability of a typo in an edited word (0.3).
        min_word_length: shorter words are never edited (4).
        layout: ``"qwerty"``, ``"qwertz"`` or ``"azerty"``.
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start", "end", "old": "c", "new": "x"}, ...]}``.

    Example:
        >>> KeyboardTypo(layout="qwertz")("the quick brown fox", np.random.default_rng(0))
    """

    name = "text.keyboard_typo"
    args = (*CHAR_ARGS, Arg("layout", Choice(tuple(keyboard_layouts())), "qwerty", "the keyboard layout"))
    layout: str

    def setup(self) -> None:
        near = neighbours(self.layout)
        # each key in both cases -> its neighbours in its case (a digit's neighbours as they are)
        self.table = {**near, **{k.upper(): v.upper() for k, v in near.items() if k.upper() != k}}
        super().setup()
