"""OCR noise: characters read as ones that look alike."""

from __future__ import annotations

from functools import cache
from importlib import resources

from augkit.core.registry import register
from augkit.text._chars import CharNoise

__all__ = ["OCRNoise", "ocr_confusions"]


@cache
def ocr_confusions() -> dict[str, tuple[str, ...]]:
    """The table shipped in ``augkit/text/data/ocr_confusions.txt``: a character -> what OCR may
    read it as (one or more characters each)."""
    text = resources.files("augkit.text").joinpath("data/ocr_confusions.txt").read_text(encoding="utf-8")
    table: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            key, *options = line.split()
            table[key] = tuple(options)
    return table


@register
class OCRNoise(CharNoise):
    """Read characters as ones that look alike ("clean" → "c1ean", "0" → "O"): nlpaug's
    ``OcrAug``, over a confusable-character table shipped as data
    (``augkit/text/data/ocr_confusions.txt``). Rates per word and per character as every
    character-noise op (:class:`augkit.text._chars.CharNoise`); only characters in the table
    are edited. Protected words are never edited.

    Args:
        word_rate: each word's probability of being edited (0.3).
        char_rate: each confusable character's probability of being misread in an edited word (0.3).
        min_word_length: shorter words are never edited (4; nlpaug's ``OcrAug`` uses 1).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start", "end", "old": "l", "new": "1"}, ...]}``.

    Example:
        >>> OCRNoise()("Call 0800 123 456 now", np.random.default_rng(0))
    """

    name = "text.ocr_noise"

    def setup(self) -> None:
        self.table = ocr_confusions()
        super().setup()
