"""Text view presets."""

from __future__ import annotations

from typing import Any

from augkit.core import Augmenter, OneOf
from augkit.presets import preset
from augkit.text.random_deletion import RandomDeletion
from augkit.text.random_insertion import RandomInsertion
from augkit.text.random_swap import RandomSwap
from augkit.text.synonym_replacement import SynonymReplacement

__all__ = ["eda"]


@preset("text.eda", modality="text", views=2)
def eda(alpha: float = 0.1, source: str = "wordnet") -> Augmenter[Any]:
    """EDA views (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting Performance
    on Text Classification Tasks", §2): each view applies ONE of synonym replacement, random
    insertion, random swap or random deletion, chosen uniformly, with the same ``alpha``.

    Args:
        alpha: the fraction of words each op changes, in (0, 1].
        source: ``"wordnet"`` (the shipped WordNet 3.0 table) or ``"nltk"``.

    Example:
        >>> a, b = eda(alpha=0.1, seed=0)("The quick brown fox jumps over the lazy dog.", index=0)
    """
    ops: list[Augmenter[Any]] = [
        SynonymReplacement(alpha, source),
        RandomInsertion(alpha, source),
        RandomSwap(alpha, source),
        RandomDeletion(alpha, source),
    ]
    return OneOf(ops)
