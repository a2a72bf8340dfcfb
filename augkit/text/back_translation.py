"""Back-translation: translate to a pivot language and back, through any translator you plug in.

A translator is any callable ``translate(texts: list[str], src: str, tgt: str) -> list[str]``. One
that samples may also accept a ``seed=`` keyword: the view's seed (drawn in params) is passed, so a
sampled paraphrase replays. A translator's output for a text must depend only on that text and the
seed, not on the other texts of the batch (:class:`HFTranslator` guarantees it); the cache relies
on that. :class:`HFTranslator` is the real adapter for local Hugging Face sequence-to-sequence
models (``pip install 'augkit[translate]'``).

Results are cached on disk (sqlite3) keyed by text, source, pivot, model id and seed, so a corpus
is translated once.

Example:
    >>> bt = BackTranslation(HFTranslator("opus-mt-en-de", "opus-mt-de-en"), cache="bt.sqlite")
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from augkit.core import Augmenter, Params
from augkit.registry import register
from augkit.text._words import check_text

__all__ = [
    "BackTranslated",
    "BackTranslation",
    "HFTranslator",
    "TranslationError",
    "reverse_words_translator",
]

Translate = Callable[..., list[str]]
_log = logging.getLogger(__name__)
_SEED_BOUND = 2**31


class TranslationError(RuntimeError):
    """The translator failed, or returned the wrong number of outputs or an empty output."""


class BackTranslated(NamedTuple):
    """One back-translated text: the pivot text, the output, and whether it fell back to the input."""

    pivot_text: str
    output: str
    fallback: bool


def reverse_words_translator(texts: list[str], src: str, tgt: str) -> list[str]:
    """A deterministic stand-in translator with no model, for examples and tests: reverses word order.

    Translating there and back returns the original text, so it augments nothing; it exists for
    the contract tests, ``BackTranslation.example()`` and dry runs of a pipeline without a model.

    Example:
        >>> reverse_words_translator(["a b c"], "en", "de")
        ['c b a']
    """
    return [" ".join(reversed(t.split(" "))) for t in texts]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class _Cache:
    """sqlite3 cache of translations, usable from several threads and processes.

    One connection per thread and process: a connection must not cross a fork (DataLoader workers),
    so a process that finds its parent's connection opens its own.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        db = self._connect()
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, output TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=60)
            # WAL lets readers in other processes go on while one process writes.
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @staticmethod
    def key(text: str, src: str, tgt: str, model_id: str, seed: int | None) -> str:
        return _digest(text, src, tgt, model_id, "" if seed is None else str(seed))

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        db = self._connect()
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):  # sqlite caps the number of bound variables
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(f"SELECT key, output FROM translations WHERE key IN ({marks})", chunk))
        return out

    def put_many(self, items: dict[str, str]) -> None:
        db = self._connect()
        with db:
            db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?)", list(items.items()))

    def __len__(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._local = threading.local()


@register
class BackTranslation(Augmenter[str]):
    """Translate ``source`` → ``pivot`` → ``source`` with a pluggable translator.

    Args:
        translate: ``translate(texts, src, tgt) -> list[str]``; may accept ``seed=`` (sampling).
        pivot: the pivot language code.
        source: the language of the input texts.
        model_id: names the model in the cache key, so two models never share cached outputs;
            defaults to the translator's ``model_id`` attribute. Required with ``cache``.
        cache: path of an sqlite3 file that caches translations; None disables caching.
        on_error: ``"raise"``: a failing translator (an exception, the wrong number of outputs,
            an empty output for a non-empty text) raises :class:`TranslationError`.
            ``"fallback"``: the view is the original text; the failure is logged, counted in
            ``self.failures`` (per reason in ``self.failure_reasons``: ``"exception"``,
            ``"wrong_count"``, ``"empty_output"``) and recorded in the view's params
            (``"fallback": true``). Failures are never cached. Counters are per process.
        sample_seed: draw a seed per view and pass it as ``seed=`` to the translator. None
            (default): the translator's ``samples`` attribute if it has one (True for a sampling
            :class:`HFTranslator`, False for beam search, whose output does not depend on a seed),
            else whether it accepts ``seed=``.
        num_seeds: draw the view's seed from ``range(num_seeds)`` (a pool of paraphrases per
            text that :meth:`back_translate` can pre-translate into the cache); None draws from
            ``[0, 2**31)``.

    Params: ``{"seed": int | None, "input_sha256": str, "pivot_text": str, "output": str,
    "fallback": bool}``. The translation is recorded, so ``apply`` replays it without the model;
    given another input than the one the params were drawn for, ``apply`` translates that input
    with the recorded seed.

    Raises:
        TypeError: when ``translate`` is not callable.
        ValueError: naming the argument for a bad ``on_error``, ``pivot``, ``source``,
            ``num_seeds``, ``sample_seed``, or a ``cache`` without a model id.

    Example:
        >>> bt = BackTranslation(HFTranslator("models/en-de", "models/de-en"), pivot="de", cache="bt.sqlite")
    """

    name = "text.back_translation"

    def __init__(
        self,
        translate: Translate,
        pivot: str = "de",
        source: str = "en",
        model_id: str | None = None,
        cache: str | Path | None = None,
        on_error: str = "raise",
        sample_seed: bool | None = None,
        num_seeds: int | None = None,
    ) -> None:
        if not callable(translate):
            raise TypeError(f"translate must be callable(texts, src, tgt), got {type(translate).__name__}")
        if on_error not in ("raise", "fallback"):
            raise ValueError(f"on_error={on_error!r} must be 'raise' or 'fallback'")
        for arg, value in (("pivot", pivot), ("source", source)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{arg}={value!r} must be a non-empty language code such as 'de'")
        if pivot == source:
            raise ValueError(f"pivot={pivot!r} must differ from source={source!r}")
        if num_seeds is not None and (isinstance(num_seeds, bool) or not isinstance(num_seeds, int) or num_seeds < 1):
            raise ValueError(f"num_seeds={num_seeds!r} must be an int >= 1 or None")
        if sample_seed is not None and not isinstance(sample_seed, bool):
            raise ValueError(f"sample_seed={sample_seed!r} must be True, False or None")
        accepts_seed = _accepts_seed(translate)
        if sample_seed is None:
            samples = getattr(translate, "samples", None)
            sample_seed = accepts_seed if samples is None else bool(samples) and accepts_seed
        if sample_seed and not accepts_seed:
            raise ValueError("sample_seed=True but the translator takes no seed= keyword")
        if model_id is None:
            model_id = getattr(translate, "model_id", None)
        if cache is not None and not model_id:
            raise ValueError(
                f"cache={str(cache)!r} needs model_id= naming the translation model (or a translator with a "
                "model_id attribute), so that two models never share cached outputs"
            )
        self.translate = translate
        self.pivot, self.source = pivot, source
        self.model_id: str | None = model_id
        self.cache = None if cache is None else str(cache)
        self.on_error = on_error
        self.sample_seed = sample_seed
        self.num_seeds = num_seeds
        self._cache = None if cache is None else _Cache(cache)
        self.failures = 0
        self.failure_reasons: dict[str, int] = {}
        self.model_calls = 0

    @classmethod
    def example(cls) -> BackTranslation:
        """An offline instance over :func:`reverse_words_translator` (no model; it augments nothing)."""
        return cls(reverse_words_translator, model_id="reverse-words")

    # -- batch API -------------------------------------------------------------------------------

    def _translate(self, texts: list[str], src: str, tgt: str, seed: int | None) -> list[str | None]:
        """Translate unique ``texts`` with the cache in front; None marks a failed text (fallback)."""
        model_id = self.model_id or ""
        keys = [_Cache.key(t, src, tgt, model_id, seed) for t in texts]
        found = self._cache.get_many(keys) if self._cache is not None else {}
        todo = [t for t, k in zip(texts, keys, strict=True) if k not in found]
        fresh: dict[str, str | None] = {}
        if todo:
            fresh = self._call_translator(todo, src, tgt, seed)
            if self._cache is not None:
                good = {_Cache.key(t, src, tgt, model_id, seed): o for t, o in fresh.items() if o is not None}
                self._cache.put_many(good)
        return [found[k] if k in found else fresh[t] for t, k in zip(texts, keys, strict=True)]

    def _call_translator(self, todo: list[str], src: str, tgt: str, seed: int | None) -> dict[str, str | None]:
        self.model_calls += 1
        where = f"{len(todo)} text(s) {src}->{tgt} with {_describe(self.translate)}"
        try:
            out = self.translate(todo, src, tgt, seed=seed) if self.sample_seed else self.translate(todo, src, tgt)
        except Exception as exc:  # the translator is user code: report what failed, keep the cause
            return self._fail("exception", todo, f"translator raised {exc!r} on {where}", exc)
        if not isinstance(out, list) or len(out) != len(todo):
            got = f"{len(out)} outputs" if isinstance(out, list) else f"a {type(out).__name__}"
            return self._fail("wrong_count", todo, f"translator returned {got} for {where}; expected a list of "
                              f"{len(todo)} str")
        result: dict[str, str | None] = {}
        empty = [t for t, o in zip(todo, out, strict=True) if not isinstance(o, str) or not o.strip()]
        if empty:
            self._fail("empty_output", empty, f"translator returned an empty or non-str output for {empty[0]!r} "
                       f"({len(empty)} of {where})")
        for t, o in zip(todo, out, strict=True):
            result[t] = o if isinstance(o, str) and o.strip() else None
        return result

    def _fail(
        self, reason: str, texts: list[str], message: str, cause: Exception | None = None
    ) -> dict[str, str | None]:
        if self.on_error == "raise":
            raise TranslationError(f"{message}. Pass on_error='fallback' to keep the original text instead.") \
                from cause
        self.failures += len(texts)
        self.failure_reasons[reason] = self.failure_reasons.get(reason, 0) + len(texts)
        _log.warning("back-translation falls back to the original text: %s", message)
        return {t: None for t in texts}

    def back_translate(self, texts: Sequence[str], seed: int | Sequence[int | None] | None = None) -> list[
            BackTranslated]:
        """Back-translate many texts: two translator calls (there and back) per distinct seed.

        Texts already in the cache are not sent to the translator; empty or whitespace-only texts
        come back unchanged without a call. Filling the cache for a corpus ahead of training::

            for s in range(bt.num_seeds): bt.back_translate(corpus, seed=s)

        Args:
            texts: the input texts (str).
            seed: one seed for all texts, one per text, or None (for translators that do not
                sample). Ignored when the translator takes no seed.

        Returns:
            A :class:`BackTranslated` ``(pivot_text, output, fallback)`` per text, in order; with
            ``on_error="fallback"`` a failed text gives ``("", text, True)``.

        Raises:
            TypeError: when a text is not a str.
            ValueError: when ``seed`` is a list of another length than ``texts``.
            TranslationError: when the translator fails and ``on_error="raise"``.
        """
        texts = [check_text(t, "BackTranslation") for t in texts]
        if seed is None or isinstance(seed, (int, np.integer)):
            seeds: list[int | None] = [None if seed is None else int(seed)] * len(texts)
        else:
            seeds = [None if s is None else int(s) for s in seed]
            if len(seeds) != len(texts):
                raise ValueError(f"seed holds {len(seeds)} values for {len(texts)} texts; pass one per text or one int")
        if not self.sample_seed:
            seeds = [None] * len(texts)
        results = [BackTranslated("", t, False) for t in texts]
        groups: dict[int | None, list[int]] = {}
        for i, (t, s) in enumerate(zip(texts, seeds, strict=True)):
            if t.strip():
                groups.setdefault(s, []).append(i)
        for s, indices in groups.items():
            unique = list(dict.fromkeys(texts[i] for i in indices))
            pivots = dict(zip(unique, self._translate(unique, self.source, self.pivot, s), strict=True))
            ok_pivots = list(dict.fromkeys(p for p in pivots.values() if p is not None))
            backs = dict(zip(ok_pivots, self._translate(ok_pivots, self.pivot, self.source, s), strict=True))
            for i in indices:
                pivot = pivots[texts[i]]
                back = backs.get(pivot) if pivot is not None else None
                if pivot is not None and back is not None:
                    results[i] = BackTranslated(pivot, back, False)
                else:
                    results[i] = BackTranslated("", texts[i], True)
        return results

    # -- the contract ----------------------------------------------------------------------------

    def sample(self, x: str, rng: np.random.Generator) -> Params:
        """Draw the view's seed and back-translate ``x`` (through the cache); returns the params."""
        text = check_text(x, "BackTranslation")
        seed = None
        if self.sample_seed:
            seed = int(rng.integers(self.num_seeds if self.num_seeds is not None else _SEED_BOUND))
        pivot, output, fallback = self.back_translate([text], seed=seed)[0]
        return {"seed": seed, "input_sha256": _digest(text), "pivot_text": pivot, "output": output,
                "fallback": fallback}

    def apply(self, x: str, params: Params) -> str:
        """Replay the recorded translation of ``x``; translate ``x`` with ``params["seed"]`` otherwise."""
        text = check_text(x, "BackTranslation")
        if not isinstance(params, dict) or "seed" not in params:
            raise ValueError(f"BackTranslation params must be a dict with key 'seed', got {params!r}")
        if params.get("input_sha256") == _digest(text) and isinstance(params.get("output"), str):
            return str(params["output"])
        return self.back_translate([text], seed=params["seed"])[0].output


def _accepts_seed(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _describe(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__


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
    return int(_digest(str(0 if seed is None else seed), text)[:15], 16)


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
