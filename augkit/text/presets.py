"""Text view presets."""

from __future__ import annotations

from augkit.core import OneOf
from augkit.text.random_deletion import RandomDeletion
from augkit.text.random_insertion import RandomInsertion
from augkit.text.random_swap import RandomSwap
from augkit.text.synonym_replacement import SynonymReplacement
from augkit.views import ViewGenerator

__all__ = ["eda"]


def eda(alpha: float = 0.1, n_views: int = 2, seed: int | None = None, source: str = "wordnet") -> ViewGenerator:
    """EDA views (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting Performance
    on Text Classification Tasks", §2): each view applies ONE of synonym replacement, random
    insertion, random swap or random deletion, chosen uniformly, with the same ``alpha``.

    Example:
        >>> a, b = eda(alpha=0.1, seed=0)("The quick brown fox jumps over the lazy dog.", index=0)
    """
    ops = [
        SynonymReplacement(alpha, source),
        RandomInsertion(alpha, source),
        RandomSwap(alpha, source),
        RandomDeletion(alpha, source),
    ]
    return ViewGenerator(OneOf(ops), n_views=n_views, seed=seed)
