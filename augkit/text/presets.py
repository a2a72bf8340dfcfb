"""Text view presets: EDA, and the positive pairs of sentence-embedding methods."""

from __future__ import annotations

from typing import Any

from augkit.core import Augmenter, Identity, OneOf
from augkit.core.args import Number
from augkit.core.errors import AugkitError, InvalidArgument
from augkit.text.documents import DocumentViews
from augkit.text.random_deletion import RandomDeletion
from augkit.text.random_insertion import RandomInsertion
from augkit.text.random_swap import RandomSwap
from augkit.text.span_deletion import SpanDeletion
from augkit.text.span_sample import SpanSample
from augkit.text.synonym_replacement import SynonymReplacement
from augkit.text.token_shuffle import TokenShuffle
from augkit.text.word_repetition import ESIMCSE_DUP_RATE, WordRepetition
from augkit.views.generator import ViewGenerator
from augkit.views.presets import preset

__all__ = ["consert", "declutr", "eda", "esimcse", "simcse"]


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


# -- sentence-embedding recipes -----------------------------------------------------------------


@preset("text.simcse", modality="text", views=2)
def simcse() -> Augmenter[Any]:
    """SimCSE views (Gao et al. 2021, "SimCSE: Simple Contrastive Learning of Sentence
    Embeddings"): every view is the sentence itself, unchanged. The pair is made by the encoder:
    the same sentence passes through it twice with dropout on (reference code
    princeton-nlp/SimCSE, ``train.py`` duplicates each sentence in the batch and
    ``simcse/models.py`` ``cl_forward`` encodes both copies with the model's dropout, 0.1 in
    BERT's config). Train with dropout on; EDA-style edits do worse there (SimCSE issue #172).

    Example:
        >>> a, b = simcse(seed=0)("A man is playing a guitar.", index=0)  # a == b
    """
    return Identity()


@preset("text.esimcse", modality="text", views=2, min_views=2)
def esimcse(max_rate: float = ESIMCSE_DUP_RATE, *, n_views: int = 2) -> list[Augmenter[Any]]:
    """ESimCSE views (Wu et al. 2022): view 0 is the sentence, every other view repeats some of
    its words (:class:`augkit.text.WordRepetition`) at ESimCSE's ``dup_rate`` 0.32 (reference
    code caskcsg/ESimCSE, ``unsup_ESimCSE.py``, ``word_repetition(..., dup_rate=0.32)``);
    dropout in the encoder adds the rest, as in SimCSE. ESimCSE's momentum-contrast queue of
    negatives belongs in the training loop.

    Args:
        max_rate: the upper bound of the rate of repeated words (``dup_rate``).

    Example:
        >>> original, repeated = esimcse(seed=0)("A man is playing a guitar.", index=0)
    """
    return [Identity()] + [WordRepetition(max_rate) for _ in range(n_views - 1)]


@preset("text.consert", modality="text", views=2, fixed_views=True)
def consert(cutoff_rate: float = 0.2) -> list[Augmenter[Any]]:
    """ConSERT views (Yan et al. 2021): ``views[0]`` has a span of words cut off
    (:class:`augkit.text.SpanDeletion`), ``views[1]`` has its words shuffled
    (:class:`augkit.text.TokenShuffle`, the whole sentence). ConSERT's best unsupervised pair is
    feature cutoff + shuffle with cutoff rate 0.2 (reference code yym6472/ConSERT, README:
    ``--da_final_1 feature_cutoff --da_final_2 shuffle --cutoff_rate_final_1 0.2``). Feature
    cutoff zeroes embedding dimensions inside the model and is no text edit: this preset cuts
    a span of words at that rate instead (ConSERT's ``token_cutoff``/span variants act on
    tokens); put feature cutoff in the model to follow the paper exactly.

    Args:
        cutoff_rate: the fraction of words the deleted span covers (0.2).

    Example:
        >>> cut, shuffled = consert(seed=0)("A man is playing a guitar.", index=0)
    """
    try:
        deletion = SpanDeletion(cutoff_rate)
    except AugkitError as err:  # named as the preset's argument, not the op's
        raise type(err)(f"consert(): cutoff_rate: {err}".replace("max_rate=", "cutoff_rate=")) from None
    return [deletion, TokenShuffle()]


def _documents(pipelines: Any, n_views: int, seed: int | None) -> ViewGenerator:
    return DocumentViews(pipelines, seed=seed)


@preset("text.declutr", modality="text", views=3, min_views=2, finish=_documents)
def declutr(min_length: int = 32, max_length: int = 512, strategy: str = "any", *,
            n_views: int = 3) -> list[Augmenter[Any]]:
    """DeCLUTR views (Giorgi et al. 2021): ``views[0]`` is an anchor span of the document, every
    other view a positive span near it (:class:`augkit.text.SpanSample`); the anchor is drawn
    once per sample from the stream ``(seed, epoch, index, "anchor")``, so every view shares it
    (:class:`augkit.text.documents.DocumentViews`; text files are read one paragraph per
    document). Values of the reference code (JohnGiorgi/DeCLUTR, ``training_config/declutr.jsonnet``):
    ``min_length = 32`` and ``max_length = 512`` tokens, ``num_positives: 2`` per anchor
    (hence 3 views by default; the reference samples ``num_anchors: 2`` anchors per document,
    here one per sample: make two samples of a document for two). Spans in a short demo want
    smaller bounds: ``declutr(min_length=8, max_length=16)`` (the bounds of its test config).

    Args:
        min_length: the shortest span, in whitespace tokens.
        max_length: the longest span.
        strategy: ``"any"`` (positives overlap, border or lie in the anchor) or ``"subsuming"``.

    Example:
        >>> anchor, *positives = declutr(min_length=8, max_length=16, seed=0)(document, index=0)
    """
    anchor: list[Augmenter[Any]] = [SpanSample(min_length, max_length, role="anchor", strategy=strategy)]
    return anchor + [SpanSample(min_length, max_length, role="positive", strategy=strategy) for _ in range(n_views - 1)]
