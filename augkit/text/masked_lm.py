"""Masked language models for contextual substitution and insertion: the protocol, a Hugging
Face adapter over local files, a model-free stand-in, and the reproducible sampling rule."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from augkit.text._words import WORD

__all__ = ["LOGIT_DECIMALS", "HFMaskedLM", "HashedMaskedLM", "MaskedLM", "Vocabulary", "sample_word"]

#: Logits are rounded to this many decimals before ranking and sampling: padding in a batch moves
#: a model's logits in their last bits, and rounding makes a text's draws the same alone and in a
#: batch (ties are broken by token id).
LOGIT_DECIMALS = 3


class MaskedLM(Protocol):
    """What the contextual ops need of a model.

    ``mask_token`` is the string that marks a slot; ``vocabulary[i]`` is the word token ``i``
    stands for, or ``""`` where token ``i`` can never be chosen (special tokens, word pieces,
    punctuation); ``model(texts)`` returns one float array ``(slots, len(vocabulary))`` of logits
    per text, a row per ``mask_token`` in the text, in order (fewer rows when the model cut a
    long text).
    """

    mask_token: str
    vocabulary: list[str]

    def __call__(self, texts: list[str]) -> list[np.ndarray]: ...


class Vocabulary:
    """A model's candidate words as arrays: which token ids can be chosen, and the ids of each
    word (lower case), built once per model."""

    def __init__(self, words: list[str]) -> None:
        self.words = list(words)
        self.usable = np.fromiter((bool(w) for w in self.words), bool, len(self.words))
        self.ids: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            if w:
                self.ids.setdefault(w.lower(), []).append(i)


def sample_word(logits: np.ndarray, vocabulary: Vocabulary, rng: np.random.Generator, top_k: int, top_p: float,
                temperature: float, exclude: str = "") -> str:
    """One word drawn for a slot: the logits rounded to :data:`LOGIT_DECIMALS`, ranked (ties by
    token id), cut to the ``top_k`` best (0: all) and to the smallest set whose probability
    reaches ``top_p``, then one uniform number from ``rng`` inverts their cumulative
    distribution. Tokens without a word and the word ``exclude`` (the one replaced, any case)
    never come out; ``""`` when no token is left."""
    u = float(rng.random())  # drawn first: a slot always takes one number from the stream
    n = min(len(logits), len(vocabulary.words))
    scores = np.round(np.asarray(logits[:n], dtype=np.float64), LOGIT_DECIMALS)
    scores[~vocabulary.usable[:n]] = -np.inf
    gone = [i for i in vocabulary.ids.get(exclude.lower(), ()) if i < n] if exclude else []
    scores[gone] = -np.inf
    alive = int(np.count_nonzero(scores > -np.inf))
    if alive == 0:
        return ""
    if 0 < top_k < alive:
        kth = np.partition(scores, n - top_k)[n - top_k]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.flatnonzero(scores > -np.inf)
    ranked = candidates[np.lexsort((candidates, -scores[candidates]))]
    if 0 < top_k < ranked.size:
        ranked = ranked[:top_k]
    kept = scores[ranked] / temperature
    probs = np.exp(kept - kept[0])
    probs /= probs.sum()
    if top_p < 1.0:
        before = np.cumsum(probs) - probs
        probs = np.where(before < top_p, probs, 0.0)
    cdf = np.cumsum(probs)
    pick = int(np.searchsorted(cdf, u * cdf[-1], side="right"))
    return vocabulary.words[int(ranked[min(pick, ranked.size - 1)])]


class HashedMaskedLM:
    """A model-free stand-in for a masked LM: the logit of each word of ``words`` for a slot is a
    hash of the word and the text around the slot. It makes the contextual ops run (and their
    contract tests, and examples) without a model; the words it picks mean nothing.

    Example:
        >>> ContextualSubstitution(HashedMaskedLM())("the cat sat on the mat", rng)
    """

    mask_token = "<mask>"

    def __init__(self, words: tuple[str, ...] = ("quick", "small", "bright", "calm", "green", "old", "new")) -> None:
        self.words = tuple(words)
        self.vocabulary = ["", *self.words]  # token 0 stands for nothing, like a special token

    def __call__(self, texts: list[str]) -> list[np.ndarray]:
        out = []
        for text in texts:
            pieces = text.split(self.mask_token)
            rows = []
            for k in range(len(pieces) - 1):
                context = f"{pieces[k][-20:]}|{pieces[k + 1][:20]}"
                rows.append([int.from_bytes(hashlib.blake2b(f"{w}|{context}".encode(), digest_size=4).digest(),
                                            "little") / 2**32 * 8 for w in self.vocabulary])
            out.append(np.asarray(rows, dtype=np.float32).reshape(len(rows), len(self.vocabulary)))
        return out

    def __repr__(self) -> str:
        return f"HashedMaskedLM({self.words!r})"


class HFMaskedLM:
    """A masked LM from local Hugging Face files (``AutoTokenizer`` / ``AutoModelForMaskedLM``
    with ``local_files_only``: nothing is downloaded), e.g. a BERT or RoBERTa folder.

    The candidate words are the vocabulary's whole-word tokens: special tokens, word pieces
    (``##ing``; for RoBERTa-style vocabularies, tokens without the word-start marker) and
    tokens that are not a word (punctuation) are never offered, so ``[MASK]``, ``[UNK]`` and
    the like never reach a view. Texts run in batches of ``batch_size``, padded, up to the
    model's input limit (slots past it get no prediction and their words stay).

    Args:
        path: a local folder (or a name already in the Hugging Face cache).
        device: torch device ("cpu", "cuda").
        batch_size: texts per forward pass (>= 1).

    Raises:
        ImportError: when transformers is missing.
        ValueError: for a tokenizer without a mask token, or a bad ``batch_size``.
        OSError: from transformers when the files are not found locally.

    Example:
        >>> ContextualSubstitution(HFMaskedLM("/models/bert-base-uncased"))
    """

    def __init__(self, path: str | Path, device: str = "cpu", batch_size: int = 64) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size={batch_size!r} must be an int >= 1")
        self._settings: dict[str, Any] = {"path": str(path), "device": device, "batch_size": batch_size}
        self._load()

    def _load(self) -> None:
        try:
            from transformers import AutoModelForMaskedLM, AutoTokenizer
        except ImportError as exc:
            raise ImportError("HFMaskedLM needs transformers: pip install 'augkit[translate]'") from exc
        s = self._settings
        self.tokenizer = AutoTokenizer.from_pretrained(s["path"], local_files_only=True)
        if self.tokenizer.mask_token is None:
            raise ValueError(f"the tokenizer in {s['path']} has no mask token: it is not a masked LM's")
        self.model = AutoModelForMaskedLM.from_pretrained(s["path"], local_files_only=True).to(s["device"]).eval()
        self.mask_token: str = self.tokenizer.mask_token
        self.mask_id: int = self.tokenizer.mask_token_id
        special = set(self.tokenizer.all_special_ids)
        tokens = self.tokenizer.convert_ids_to_tokens(list(range(len(self.tokenizer))))
        starts = [t for t in tokens if t and t[0] in "Ġ▁"]
        marker = "Ġ" if sum(t.startswith("Ġ") for t in starts) > len(tokens) // 4 else \
            "▁" if len(starts) > len(tokens) // 4 else ""
        vocabulary = []
        for i, t in enumerate(tokens):
            word = ""
            if i not in special and t and not t.startswith("##"):
                if marker and t.startswith(marker):
                    word = t[len(marker):]
                elif not marker:
                    word = t
            vocabulary.append(word if WORD.fullmatch(word) else "")
        self.vocabulary: list[str] = vocabulary
        self.limit = min(int(getattr(self.model.config, "max_position_embeddings", 512)),
                         int(min(getattr(self.tokenizer, "model_max_length", 512), 1_000_000)))

    def __getstate__(self) -> dict[str, Any]:  # the recipe, not the weights (DataLoader workers)
        return dict(self._settings)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._settings = dict(state)
        self._load()

    def __repr__(self) -> str:
        return f"HFMaskedLM({self._settings['path']!r}, device={self._settings['device']!r})"

    def __call__(self, texts: list[str]) -> list[np.ndarray]:
        import torch

        out: list[np.ndarray] = [np.zeros((0, len(self.vocabulary)), np.float32)] * len(texts)
        rows = [i for i, t in enumerate(texts) if self.mask_token in t]
        rows.sort(key=lambda i: len(texts[i]))  # less padding per batch
        size = self._settings["batch_size"]
        for b in range(0, len(rows), size):
            chunk = rows[b : b + size]
            batch = self.tokenizer([texts[i] for i in chunk], return_tensors="pt", padding=True, truncation=True,
                                   max_length=self.limit)
            batch.pop("token_type_ids", None) if "token_type_ids" not in _inputs(self.model) else None
            with torch.inference_mode():
                logits = self.model(**batch.to(self._settings["device"])).logits
            where = batch["input_ids"] == self.mask_id
            for r, i in enumerate(chunk):
                out[i] = logits[r][where[r]].float().cpu().numpy()
        return out


def _inputs(model: Any) -> tuple[str, ...]:
    import inspect

    return tuple(inspect.signature(model.forward).parameters)
