"""Text views: EDA operations with offline WordNet synonyms, and back-translation.

Every op maps a ``str`` to a ``str``, editing only the words it changes: punctuation, spacing and
the casing of untouched words survive exactly. An empty or whitespace-only text comes back
unchanged; a non-``str`` input raises TypeError.

Example:
    >>> from augkit import text
    >>> v1, v2 = text.eda(alpha=0.1, seed=0)("The quick brown fox jumps over the lazy dog.", index=0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

_LAZY = {
    "SynonymReplacement": "augkit.text.synonym_replacement",
    "RandomInsertion": "augkit.text.random_insertion",
    "RandomSwap": "augkit.text.random_swap",
    "RandomDeletion": "augkit.text.random_deletion",
    "eda": "augkit.text.presets",
    "get_lexicon": "augkit.text.lexicon",
    "STOP_WORDS": "augkit.text.stopwords",
    "BackTranslation": "augkit.text.back_translation",
    "HFTranslator": "augkit.text.hf_translator",
    "TranslationError": "augkit.text.back_translation",
    "BackTranslated": "augkit.text.back_translation",
    "reverse_words_translator": "augkit.text.translate_util",
    "swap_left_right": "augkit.text.sides",
}

__all__ = [
    "STOP_WORDS",
    "BackTranslated",
    "BackTranslation",
    "HFTranslator",
    "RandomDeletion",
    "RandomInsertion",
    "RandomSwap",
    "SynonymReplacement",
    "TranslationError",
    "eda",
    "get_lexicon",
    "reverse_words_translator",
    "swap_left_right",
]


if TYPE_CHECKING:
    from augkit.text.back_translation import BackTranslated, BackTranslation, TranslationError
    from augkit.text.hf_translator import HFTranslator
    from augkit.text.lexicon import get_lexicon
    from augkit.text.presets import eda
    from augkit.text.random_deletion import RandomDeletion
    from augkit.text.random_insertion import RandomInsertion
    from augkit.text.random_swap import RandomSwap
    from augkit.text.sides import swap_left_right
    from augkit.text.stopwords import STOP_WORDS
    from augkit.text.synonym_replacement import SynonymReplacement
    from augkit.text.translate_util import reverse_words_translator


__getattr__ = lazy_getattr(__name__, _LAZY)
