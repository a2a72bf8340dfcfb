"""Text views: EDA operations with offline WordNet synonyms, back-translation, the positive pairs of
sentence-embedding methods (SimCSE, ESimCSE, ConSERT, DeCLUTR), character noise and masked-LM
substitution on a local model.

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
    "WordRepetition": "augkit.text.word_repetition",
    "TokenShuffle": "augkit.text.token_shuffle",
    "SpanDeletion": "augkit.text.span_deletion",
    "SpanSample": "augkit.text.span_sample",
    "KeyboardTypo": "augkit.text.keyboard_typo",
    "OCRNoise": "augkit.text.ocr_noise",
    "CharSwap": "augkit.text.char_edits",
    "CharInsert": "augkit.text.char_edits",
    "CharDelete": "augkit.text.char_edits",
    "CharSubstitute": "augkit.text.char_edits",
    "ContextualSubstitution": "augkit.text.contextual",
    "ContextualInsertion": "augkit.text.contextual",
    "HFMaskedLM": "augkit.text.masked_lm",
    "HashedMaskedLM": "augkit.text.masked_lm",
    "DocumentViews": "augkit.text.documents",
    "read_documents": "augkit.text.documents",
    "simcse": "augkit.text.presets",
    "esimcse": "augkit.text.presets",
    "consert": "augkit.text.presets",
    "declutr": "augkit.text.presets",
}

__all__ = [
    "STOP_WORDS",
    "BackTranslated",
    "BackTranslation",
    "CharDelete",
    "CharInsert",
    "CharSubstitute",
    "CharSwap",
    "ContextualInsertion",
    "ContextualSubstitution",
    "DocumentViews",
    "HFMaskedLM",
    "HFTranslator",
    "HashedMaskedLM",
    "KeyboardTypo",
    "OCRNoise",
    "RandomDeletion",
    "RandomInsertion",
    "RandomSwap",
    "SpanDeletion",
    "SpanSample",
    "SynonymReplacement",
    "TokenShuffle",
    "TranslationError",
    "WordRepetition",
    "consert",
    "declutr",
    "eda",
    "esimcse",
    "get_lexicon",
    "read_documents",
    "reverse_words_translator",
    "simcse",
    "swap_left_right",
]


if TYPE_CHECKING:
    from augkit.text.back_translation import BackTranslated, BackTranslation, TranslationError
    from augkit.text.char_edits import CharDelete, CharInsert, CharSubstitute, CharSwap
    from augkit.text.contextual import ContextualInsertion, ContextualSubstitution
    from augkit.text.documents import DocumentViews, read_documents
    from augkit.text.hf_translator import HFTranslator
    from augkit.text.keyboard_typo import KeyboardTypo
    from augkit.text.lexicon import get_lexicon
    from augkit.text.masked_lm import HashedMaskedLM, HFMaskedLM
    from augkit.text.ocr_noise import OCRNoise
    from augkit.text.presets import consert, declutr, eda, esimcse, simcse
    from augkit.text.random_deletion import RandomDeletion
    from augkit.text.random_insertion import RandomInsertion
    from augkit.text.random_swap import RandomSwap
    from augkit.text.sides import swap_left_right
    from augkit.text.span_deletion import SpanDeletion
    from augkit.text.span_sample import SpanSample
    from augkit.text.stopwords import STOP_WORDS
    from augkit.text.synonym_replacement import SynonymReplacement
    from augkit.text.token_shuffle import TokenShuffle
    from augkit.text.translate_util import reverse_words_translator
    from augkit.text.word_repetition import WordRepetition


__getattr__ = lazy_getattr(__name__, _LAZY)
