"""Text view presets."""

from __future__ import annotations

from typing import Any

from augkit.core import Augmenter, OneOf
from augkit.core.args import Number
from augkit.core.errors import AugkitError, InvalidArgument
from augkit.text.random_deletion import RandomDeletion
from augkit.text.random_insertion import RandomInsertion
from augkit.text.random_swap import RandomSwap
from augkit.text.synonym_replacement import SynonymReplacement
from augkit.views.presets import preset

__all__ = ["eda"]


_ALPHA = Number(0.0, 1.0)


@preset("text.eda", modality="text", views=2)
def eda(alpha: float = 0.1, source: str = "wordnet", *, alpha_sr: float | None = None,
        alpha_ri: float | None = None, alpha_rs: float | None = None, alpha_rd: float | None = None) -> Augmenter[Any]:
    """EDA views (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting Performance
    on Text Classification Tasks", §2): each view applies ONE of synonym replacement, random
    insertion, random swap or random deletion, chosen uniformly, with the same ``alpha``.

    Deletion removes each word with probability ``alpha_rd``; when it fires on a text of two or
    more words it deletes at least one and keeps at least one, so a view never equals its source.

    Args:
        alpha: the fraction of words each op changes, in [0, 1]; the value of every ``alpha_*``
            left out.
        source: ``"wordnet"`` (the shipped WordNet 3.0 table) or ``"nltk"``.
        alpha_sr: synonym replacement's alpha (EDA's own per-op parameters); 0 turns the op off,
            an ablation: the view then picks among the others.
        alpha_ri: random insertion's alpha.
        alpha_rs: random swap's alpha.
        alpha_rd: random deletion's alpha (each word's probability of deletion).

    Raises:
        InvalidArgument: for an alpha outside [0, 1] (named), or every op turned off.

    Example:
        >>> a, b = eda(alpha=0.1, seed=0)("The quick brown fox jumps over the lazy dog.", index=0)
        >>> no_deletion = eda(alpha=0.1, alpha_rd=0, seed=0)
    """
    alphas = {"alpha_sr": alpha_sr, "alpha_ri": alpha_ri, "alpha_rs": alpha_rs, "alpha_rd": alpha_rd}
    try:
        _ALPHA(alpha, "alpha")
        chosen = {k: _ALPHA(alpha if v is None else v, k) for k, v in alphas.items()}
    except AugkitError as err:
        raise type(err)(f"eda(): {err}") from None
    kinds = {"alpha_sr": SynonymReplacement, "alpha_ri": RandomInsertion, "alpha_rs": RandomSwap,
             "alpha_rd": RandomDeletion}
    ops: list[Augmenter[Any]] = [kinds[k](a, source) for k, a in chosen.items() if a > 0]
    if not ops:
        raise InvalidArgument("eda(): every op is turned off (alpha 0 for all four); give at least one alpha > 0")
    return OneOf(ops)
