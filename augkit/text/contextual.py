"""Contextual substitution and insertion: words a masked language model proposes for a slot."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Number, Value
from augkit.core.errors import WrongArgumentType
from augkit.core.registry import register
from augkit.text._eda import check_edit_record, splice_edit_record
from augkit.text._words import match_case, splice_sorted, words
from augkit.text.masked_lm import HashedMaskedLM, MaskedLM, Vocabulary, sample_word
from augkit.text.protect import protected, unprotected

__all__ = ["ContextualInsertion", "ContextualSubstitution"]

# A slot: (start, end, old) in the source; the masked text replaces source[start:end] by the mask.
Slot = tuple[int, int, str]


def _model(value: Any, name: str) -> Any:
    if not callable(value) or not isinstance(getattr(value, "mask_token", None), str) or \
            not isinstance(getattr(value, "vocabulary", None), list):
        raise WrongArgumentType(f"{name}={value!r:.60} must be a masked LM (augkit.text.HFMaskedLM or an object with "
                                "mask_token, vocabulary and __call__(texts) -> logits per slot)")
    return value


_ARGS = (
    Arg("model", Value(_model, "a masked LM (augkit.text.HFMaskedLM)")),
    Arg("rate", Number(0.0, 1.0, low_open=True), 0.15, "the fraction of words: max(1, int(rate · words)) slots"),
    Arg("top_k", Integer(0, None), 100, "sample among the k best words (0: all; nlpaug's default 100)"),
    Arg("top_p", Number(0.0, 1.0, low_open=True), 1.0, "and among the fewest whose probability reaches top_p"),
    Arg("temperature", Number(0.0, None, low_open=True), 1.0, "divides the logits before sampling"),
)


class _Contextual(Augmenter[str]):
    modality = "text"
    args = _ARGS
    drawn = {"edits": list}
    unnameable = {"model": "a model object: build the op in code"}
    model: MaskedLM
    rate: float
    top_k: int
    top_p: float
    temperature: float

    def setup(self) -> None:
        self._vocabulary = Vocabulary(self.model.vocabulary)

    @classmethod
    def example(cls) -> Augmenter[Any]:
        return cls(HashedMaskedLM())

    def _slots(self, x: str, rng: np.random.Generator) -> list[Slot]:
        raise NotImplementedError

    def _new(self, old: str, word: str) -> str:
        raise NotImplementedError

    def _masked(self, x: str, slots: list[Slot]) -> str:
        return splice_sorted(x, [(s, e, self._fill(old)) for s, e, old in slots])

    def _fill(self, old: str) -> str:
        return self.model.mask_token

    def _finish(self, slots: list[Slot], rows: np.ndarray, rng: np.random.Generator) -> Params | None:
        edits = []
        for j, (start, end, old) in enumerate(slots):
            if j >= len(rows):  # the model cut the text before this slot: the draw is still taken
                rng.random()
                continue
            word = sample_word(rows[j], self._vocabulary, rng, self.top_k, self.top_p, self.temperature,
                               exclude=old)
            if word:
                edits.append({"start": start, "end": end, "old": old, "new": self._new(old, word)})
        return {"edits": edits} if edits else None

    def draw(self, x: str, rng: np.random.Generator) -> Params | None:
        return self.draw_batch([x], [rng])[0]

    def draw_batch(self, items: Sequence[str], rngs: Sequence[np.random.Generator]) -> list[Params | None]:
        """Every item's slots from its own stream, ONE model call for all the masked texts, then
        each item's words from its own stream: what :meth:`draw` gives item by item."""
        slots = [self._slots(x, rng) for x, rng in zip(items, rngs, strict=True)]
        asked = [i for i, s in enumerate(slots) if s]
        logits = self.model([self._masked(items[i], slots[i]) for i in asked]) if asked else []
        rows = dict(zip(asked, logits, strict=True))
        return [self._finish(s, rows[i], rngs[i]) if s else None for i, s in enumerate(slots)]

    check_params = check_edit_record
    transform = splice_edit_record


def _count(rate: float, n: int) -> int:
    return max(1, math.floor(rate * n))


@register
class ContextualSubstitution(_Contextual):
    """Replace words by ones a masked language model proposes in their context (nlpaug's
    ``ContextualWordEmbsAug(action="substitute")``, TextAttack's ``WordSwapMaskedLM``), batched.

    ``max(1, int(rate · words))`` words are chosen uniformly; each whole word (all its word
    pieces) is replaced by ONE mask token (whole-word masking), the model runs once for all
    slots of a text and once for all texts of a batch (:meth:`draw_batch`; nlpaug runs it per
    sample, nlpaug #146), and each slot's word is sampled from the top-k / top-p of its logits
    rounded to :data:`augkit.text.masked_lm.LOGIT_DECIMALS` decimals (ties by token id) with
    the view's stream, so a text draws the same alone and in a batch. Only whole-word tokens
    can come out (no special token, no ``[MASK]`` or ``[UNK]``: nlpaug #175), never the word
    replaced, in its case pattern. Records hold the chosen words: replay needs no model.

    Protected words (:mod:`augkit.text.protect`) are never masked.

    Args:
        model: a masked LM (:class:`augkit.text.HFMaskedLM` over a local folder).
        rate: the fraction of words replaced (0.15).
        top_k: sample among the k best words (100; 0: all).
        top_p: and among the fewest whose probability reaches ``top_p`` (1.0: no cut).
        temperature: divides the logits before sampling (1.0).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start", "end", "old", "new"}, ...]}``.

    Example:
        >>> ContextualSubstitution(HFMaskedLM("/models/bert-base-uncased"), rate=0.2)
    """

    name = "text.contextual_substitution"

    def _slots(self, x: str, rng: np.random.Generator) -> list[Slot]:
        found = words(x)
        keep = protected()
        free = unprotected([w for _, _, w in found], keep) if keep else list(range(len(found)))
        if not free:
            return []
        count = min(_count(self.rate, len(found)), len(free))
        chosen = sorted(free[i] for i in rng.choice(len(free), size=count, replace=False).tolist())
        return [found[k] for k in chosen]

    def _new(self, old: str, word: str) -> str:
        return match_case(old, word)


@register
class ContextualInsertion(_Contextual):
    """Insert words a masked language model proposes (nlpaug's
    ``ContextualWordEmbsAug(action="insert")``), batched like :class:`ContextualSubstitution`.

    ``max(1, int(rate · words))`` distinct places before a word are chosen uniformly; a mask
    token goes there, the model runs once per batch, and each slot's word is sampled as
    :class:`ContextualSubstitution` samples (rounded logits, top-k / top-p, the view's stream).
    Only whole-word tokens come out. Protected words are never masked (insertion masks none).

    Args:
        model: a masked LM (:class:`augkit.text.HFMaskedLM` over a local folder).
        rate: the fraction of words: the number of words inserted (0.15).
        top_k: sample among the k best words (100; 0: all).
        top_p: and among the fewest whose probability reaches ``top_p`` (1.0: no cut).
        temperature: divides the logits before sampling (1.0).
        p: probability of applying the op.

    Record: ``{"applied": True, "edits": [{"start": i, "end": i, "old": "", "new": "word "}, ...]}``.

    Example:
        >>> ContextualInsertion(HFMaskedLM("/models/bert-base-uncased"), rate=0.1)
    """

    name = "text.contextual_insertion"

    def _slots(self, x: str, rng: np.random.Generator) -> list[Slot]:
        found = words(x)
        if not found:
            return []
        count = _count(self.rate, len(found))
        chosen = sorted(rng.choice(len(found), size=count, replace=False).tolist())
        return [(found[k][0], found[k][0], "") for k in chosen]

    def _fill(self, old: str) -> str:
        return self.model.mask_token + " "

    def _new(self, old: str, word: str) -> str:
        return word + " "
