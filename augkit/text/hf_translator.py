"""The Hugging Face adapter of back-translation: two local seq2seq models, there and back."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from augkit.text.translate_util import digest

__all__ = ["HFTranslator"]

_log = logging.getLogger("augkit.text.back_translation")


class HFTranslator:
    """A translator over two local Hugging Face seq2seq models (there and back), e.g. Opus-MT.

    Loads with transformers' ``AutoTokenizer`` / ``AutoModelForSeq2SeqLM`` (``local_files_only``:
    nothing is downloaded, so a model name must already be in the Hugging Face cache) and decodes
    with ``generate()``. Texts are batched by length, ``batch_size`` per ``generate()`` call.

    Sampling (``do_sample=True``) is seeded per text: each text draws from its own
    ``torch.Generator`` seeded from the call's ``seed`` and the text, so a text's paraphrase
    depends only on (text, seed) — never on the rest of the batch — and torch's global RNG is
    neither used nor changed. A call without a seed uses seed 0. Beam search ignores the seed.

    Args:
        forward: local path or cached model name for source → pivot.
        backward: local path or cached model name for pivot → source.
        device: torch device for generation ("cpu", "cuda", "cuda:1").
        batch_size: texts per ``generate()`` call (>= 1).
        num_beams: beam width of deterministic decoding (>= 1; 1 is greedy).
        do_sample: sample (temperature, top-k, top-p) instead of beam search, for diverse paraphrases.
        max_new_tokens: cap on the length of each translation (>= 1).
        min_new_tokens: tokens generated before the end-of-sentence token may be chosen (>= 0);
            the default 1 keeps a non-empty text from translating to an empty one.
        top_k: keep the k most likely tokens when sampling (0 keeps all).
        top_p: keep the smallest set of tokens whose probability reaches top_p, in (0, 1].
        temperature: divides the logits before sampling (> 0).
        languages: ``(source, pivot)`` the forward model translates; by default the first
            ``(src, tgt)`` pair it is called with.

    A text longer than the model's input limit (512 tokens for Opus-MT) is translated up to that
    limit; each such text is logged as a warning and counted in ``self.truncated``.

    Raises:
        ImportError: naming the ``translate`` extra when transformers is missing.
        ValueError: naming the argument when a decoding setting is out of range.
        OSError: from transformers when a model is not found locally.

    Example:
        >>> HFTranslator("Helsinki-NLP/opus-mt-en-de", "Helsinki-NLP/opus-mt-de-en", do_sample=True)
    """

    def __init__(
        self,
        forward: str | Path,
        backward: str | Path,
        device: str = "cpu",
        batch_size: int = 32,
        num_beams: int = 4,
        do_sample: bool = False,
        max_new_tokens: int = 256,
        min_new_tokens: int = 1,
        top_k: int = 50,
        top_p: float = 0.95,
        temperature: float = 1.0,
        languages: tuple[str, str] | None = None,
    ) -> None:
        for arg, value, low in (("batch_size", batch_size, 1), ("num_beams", num_beams, 1),
                                ("max_new_tokens", max_new_tokens, 1), ("min_new_tokens", min_new_tokens, 0),
                                ("top_k", top_k, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{arg}={value!r} must be an int >= {low}")
        if isinstance(top_p, bool) or not isinstance(top_p, (int, float)) or not 0.0 < top_p <= 1.0:
            raise ValueError(f"top_p={top_p!r} must lie in (0, 1]")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ValueError(f"temperature={temperature!r} must be > 0")
        if languages is not None and (len(languages) != 2 or not all(isinstance(c, str) for c in languages)):
            raise ValueError(f"languages={languages!r} must be a (source, pivot) pair of language codes")
        self._settings: dict[str, Any] = {
            "forward": str(forward), "backward": str(backward), "device": device, "batch_size": batch_size,
            "num_beams": num_beams, "do_sample": bool(do_sample), "max_new_tokens": max_new_tokens,
            "min_new_tokens": min_new_tokens,
            "top_k": top_k, "top_p": float(top_p), "temperature": float(temperature),
            "languages": None if languages is None else tuple(languages),
        }
        self._load()

    def _load(self) -> None:
        try:
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError as exc:
            raise ImportError(
                "HFTranslator needs transformers and sentencepiece: pip install 'augkit[translate]'"
            ) from exc
        s = self._settings
        self.device: str = s["device"]
        self.batch_size: int = s["batch_size"]
        self.samples: bool = s["do_sample"]
        self.languages: tuple[str, str] | None = s["languages"]
        self.truncated = 0
        decoding = (
            {k: s[k] for k in ("do_sample", "top_k", "top_p", "temperature")}
            if self.samples else {"num_beams": s["num_beams"]}
        )
        # The model id names everything the output depends on besides the text and the seed.
        lengths = {"max_new_tokens": s["max_new_tokens"], "min_new_tokens": s["min_new_tokens"]}
        self.model_id = f"{s['forward']}|{s['backward']}|{sorted({**decoding, **lengths}.items())}"
        self._models: dict[str, tuple[Any, Any]] = {}
        for direction in ("forward", "backward"):
            tokenizer = AutoTokenizer.from_pretrained(s[direction], local_files_only=True)
            model = AutoModelForSeq2SeqLM.from_pretrained(s[direction], local_files_only=True)
            self._models[direction] = (tokenizer, model.to(self.device).eval())

    def __getstate__(self) -> dict[str, Any]:
        # Pickle the recipe, not the weights: a DataLoader worker under spawn reloads from local files.
        return {"settings": self._settings, "languages": self.languages}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._settings = state["settings"]
        self._load()
        self.languages = state["languages"]

    def __repr__(self) -> str:
        s = self._settings
        return f"HFTranslator({s['forward']!r}, {s['backward']!r}, device={s['device']!r}, do_sample={s['do_sample']})"

    def __call__(self, texts: list[str], src: str, tgt: str, seed: int | None = None) -> list[str]:
        """Translate ``texts`` from ``src`` to ``tgt``; returns one str per text, in order.

        Raises:
            ValueError: when ``(src, tgt)`` is neither direction of this translator.
        """
        import torch
        from transformers import LogitsProcessorList

        if self.languages is None:
            self.languages = (src, tgt)
        if (src, tgt) == self.languages:
            tokenizer, model = self._models["forward"]
        elif (tgt, src) == self.languages:
            tokenizer, model = self._models["backward"]
        else:
            raise ValueError(f"HFTranslator translates {self.languages[0]}<->{self.languages[1]}, not {src}->{tgt}")
        s = self._settings
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
        out: list[str] = [""] * len(texts)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            limit = _input_limit(tokenizer, model)
            batch = tokenizer([texts[i] for i in rows], return_tensors="pt", padding=True, truncation=True,
                              max_length=limit)
            cut = int((batch["attention_mask"].sum(dim=-1) >= limit).sum())
            if cut:  # not silent: a cut text is translated only up to the model's input limit
                self.truncated += cut
                _log.warning("%d text(s) reach the %d-token input limit of %s and are truncated there", cut, limit,
                             s["forward"] if model is self._models["forward"][1] else s["backward"])
            kwargs: dict[str, Any] = {
                "max_new_tokens": s["max_new_tokens"], "min_new_tokens": s["min_new_tokens"], "do_sample": False,
            }
            if self.samples:
                # Greedy decoding over logits that a per-row sampler has reduced to the one token it drew.
                sampler = _RowSampler([_row_seed(seed, texts[i]) for i in rows], s["top_k"], s["top_p"],
                                      s["temperature"])
                kwargs.update(num_beams=1, logits_processor=LogitsProcessorList([sampler]))
            else:
                kwargs.update(num_beams=s["num_beams"])
            with torch.inference_mode():
                generated = model.generate(**batch.to(self.device), **kwargs)
            for i, decoded in zip(rows, tokenizer.batch_decode(generated, skip_special_tokens=True), strict=True):
                out[i] = decoded
        return out


def _input_limit(tokenizer: Any, model: Any) -> int:
    """The longest input the model takes: the tokenizer's limit, capped by the position table."""
    limits = [getattr(tokenizer, "model_max_length", None), getattr(model.config, "max_position_embeddings", None)]
    usable = [int(v) for v in limits if isinstance(v, int) and 0 < v < 1_000_000]
    return min(usable) if usable else 512


def _row_seed(seed: int | None, text: str) -> int:
    return int(digest(str(0 if seed is None else seed), text)[:15], 16)


class _RowSampler:
    """A logits processor that samples each row from its own generator (temperature, top-k, top-p).

    It returns logits that are -inf everywhere except at the drawn token, so greedy decoding picks
    it: the draw of a row never depends on the other rows of the batch. Each row draws one uniform
    number per step from its generator and inverts the cumulative distribution of the kept tokens.
    """

    def __init__(self, seeds: list[int], top_k: int, top_p: float, temperature: float) -> None:
        self.seeds, self.top_k, self.top_p, self.temperature = seeds, top_k, top_p, temperature
        self._generators: list[Any] | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        if self._generators is None:
            self._generators = []
            for seed in self.seeds:
                g = torch.Generator(device=scores.device)
                g.manual_seed(seed)
                self._generators.append(g)
        if scores.shape[0] != len(self._generators):
            raise ValueError(f"expected {len(self._generators)} rows of scores, got {scores.shape[0]}")
        logits = scores.float() / self.temperature
        # Candidates in descending order: the top k only (cheaper than sorting a 60k vocabulary).
        if 0 < self.top_k < logits.shape[-1]:
            values, index = torch.topk(logits, self.top_k, dim=-1)
        else:
            values, index = torch.sort(logits, descending=True, dim=-1)
        probs = values.softmax(dim=-1)
        if self.top_p < 1.0:
            # drop a token when the tokens before it already reach top_p (the first always stays)
            probs = probs.masked_fill((probs.cumsum(dim=-1) - probs) >= self.top_p, 0.0)
        cdf = probs.cumsum(dim=-1)
        u = torch.cat([torch.rand(1, generator=g, device=scores.device) for g in self._generators])
        pick = torch.searchsorted(cdf, (u * cdf[:, -1]).unsqueeze(-1)).clamp_(max=cdf.shape[-1] - 1)
        drawn = index.gather(-1, pick)
        return torch.full_like(scores, -torch.inf).scatter(-1, drawn, 0.0)

