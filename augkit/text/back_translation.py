"""Back-translation: translate to a pivot language and back, through any translator you plug in.

A translator is any callable ``translate(texts: list[str], src: str, tgt: str) -> list[str]``. One
that samples may also accept a ``seed=`` keyword: the view's seed (drawn in params) is passed, so
sampled paraphrases replay. :class:`HFTranslator` is a real adapter for local Hugging Face
sequence-to-sequence models (``pip install 'augkit[translate]'``).

Results are cached on disk (sqlite3) keyed by text, source, pivot, model id and seed, so a corpus
is translated once.
"""

from __future__ import annotations

import hashlib
import inspect
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.registry import register
from augkit.text._words import check_text

__all__ = ["BackTranslation", "HFTranslator", "TranslationError", "reverse_words_translator"]

Translate = Callable[..., list[str]]


class TranslationError(RuntimeError):
    """The translator failed, or returned the wrong number of outputs or an empty output."""


def reverse_words_translator(texts: list[str], src: str, tgt: str) -> list[str]:
    """A deterministic stand-in translator with no model: reverses the word order.

    Translating there and back returns the original text; it exists for examples, the contract
    tests and dry runs of a pipeline, not for augmentation.
    """
    return [" ".join(reversed(t.split(" "))) for t in texts]


class _Cache:
    """sqlite3 cache of translations; safe across threads and processes (one connection per thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, output TEXT NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30)
            self._local.db = db
        return db

    @staticmethod
    def key(text: str, src: str, tgt: str, model_id: str | None, seed: int | None) -> str:
        raw = "\x1f".join([text, src, tgt, model_id or "", "" if seed is None else str(seed)])
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        db = self._connect()
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for k, v in db.execute(f"SELECT key, output FROM translations WHERE key IN ({marks})", chunk):
                out[k] = v
        return out

    def put_many(self, items: dict[str, str]) -> None:
        with self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?)", list(items.items()))

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
        model_id: names the model in the cache key (two models never share cached outputs).
        cache: path of an sqlite3 file that caches translations; None disables caching.
        on_error: ``"raise"`` — a failing translator (an exception, the wrong number of outputs,
            an empty output for a non-empty text) raises :class:`TranslationError`;
            ``"fallback"`` — the view is the original text, and the failure is counted in
            ``self.failures`` and recorded in the view's params (``"fallback": true``).
        sample_seed: draw a seed per view and pass it to the translator (for sampling decoders).

    Params: ``{"seed": int | None, "pivot_text": str, "output": str, "fallback": bool}``. The
    translation is recorded so that ``apply`` replays it without calling the model.

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
    ) -> None:
        if not callable(translate):
            raise TypeError(f"translate must be callable(texts, src, tgt), got {type(translate).__name__}")
        if on_error not in ("raise", "fallback"):
            raise ValueError(f"on_error={on_error!r} must be 'raise' or 'fallback'")
        for arg, value in (("pivot", pivot), ("source", source)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"{arg}={value!r} must be a non-empty language code")
        self.translate = translate
        self.pivot, self.source = pivot, source
        self.model_id = model_id if model_id is not None else getattr(translate, "model_id", None)
        self.on_error = on_error
        accepts_seed = _accepts_seed(translate)
        self.sample_seed = accepts_seed if sample_seed is None else sample_seed
        if self.sample_seed and not accepts_seed:
            raise ValueError("sample_seed=True but the translator takes no seed= keyword")
        self.cache = None if cache is None else _Cache(cache)
        self.failures = 0
        self.model_calls = 0

    @classmethod
    def example(cls) -> BackTranslation:
        return cls(reverse_words_translator, model_id="reverse-words")

    # -- batch API -------------------------------------------------------------------------------

    def _call(self, texts: list[str], src: str, tgt: str, seed: int | None) -> list[str]:
        """Translate with the cache in front; raises TranslationError on a bad translator result."""
        keys = [_Cache.key(t, src, tgt, self.model_id, seed) for t in texts]
        found = self.cache.get_many(keys) if self.cache is not None else {}
        todo = sorted({t for t, k in zip(texts, keys, strict=True) if k not in found})
        if todo:
            self.model_calls += 1
            try:
                out = self.translate(todo, src, tgt, seed=seed) if self.sample_seed else self.translate(todo, src, tgt)
            except Exception as exc:  # the translator is user code: report what failed, keep the cause
                raise TranslationError(f"translator failed on {len(todo)} text(s) {src}->{tgt}: {exc!r}") from exc
            if not isinstance(out, list) or len(out) != len(todo):
                got = len(out) if isinstance(out, list) else type(out).__name__
                raise TranslationError(f"translator returned {got} outputs for {len(todo)} inputs ({src}->{tgt})")
            bad = [t for t, o in zip(todo, out, strict=True) if not isinstance(o, str) or (t.strip() and not o.strip())]
            if bad:
                raise TranslationError(f"translator returned an empty output for {bad[0]!r} ({src}->{tgt})")
            fresh = dict(zip(todo, out, strict=True))
            if self.cache is not None:
                self.cache.put_many({_Cache.key(t, src, tgt, self.model_id, seed): o for t, o in fresh.items()})
            for t, k in zip(texts, keys, strict=True):
                if k not in found:
                    found[k] = fresh[t]
        return [found[k] for k in keys]

    def back_translate(self, texts: Sequence[str], seed: int | None = None) -> list[tuple[str, str, bool]]:
        """Back-translate many texts in two batched calls (there and back).

        Returns:
            ``(pivot_text, output, fallback)`` per text; with ``on_error="fallback"`` a failed
            batch gives ``("", original, True)`` for each of its texts.
        """
        texts = [check_text(t, "BackTranslation") for t in texts]
        live = [t for t in texts if t.strip()]
        if not live:
            return [("", t, False) for t in texts]
        try:
            pivots = self._call(live, self.source, self.pivot, seed)
            outputs = self._call(pivots, self.pivot, self.source, seed)
        except TranslationError:
            if self.on_error == "raise":
                raise
            self.failures += len(live)
            return [("", t, bool(t.strip())) for t in texts]
        done = dict(zip(live, zip(pivots, outputs, strict=True), strict=True))
        return [(done[t][0], done[t][1], False) if t.strip() else ("", t, False) for t in texts]

    # -- the contract ----------------------------------------------------------------------------

    def sample(self, x: str, rng: np.random.Generator) -> Params:
        text = check_text(x, "BackTranslation")
        seed = int(rng.integers(2**31)) if self.sample_seed else None
        pivot, output, fallback = self.back_translate([text], seed=seed)[0]
        return {"seed": seed, "pivot_text": pivot, "output": output, "fallback": fallback}

    def apply(self, x: str, params: Params) -> str:
        check_text(x, "BackTranslation")
        if "output" in params:
            return str(params["output"])
        return self.back_translate([x], seed=params.get("seed"))[0][1]


def _accepts_seed(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


class HFTranslator:
    """A translator over two local Hugging Face seq2seq models (there and back).

    Args:
        forward: path or model name for source → pivot (loaded with ``local_files_only=True``:
            nothing is downloaded).
        backward: path or model name for pivot → source.
        device: torch device for generation.
        batch_size: texts per ``generate()`` call.
        num_beams: beam width for deterministic decoding (``do_sample=False``).
        do_sample: sample instead (top-k/top-p) for more diverse paraphrases; the seed passed in
            by :class:`BackTranslation` seeds a generator scoped to the call.
        max_new_tokens, top_k, top_p, temperature: decoding settings.

    Raises:
        ImportError: naming the ``translate`` extra when transformers is missing.

    Example:
        >>> HFTranslator("opus-mt-en-de", "opus-mt-de-en", num_beams=4)
    """

    def __init__(
        self,
        forward: str | Path,
        backward: str | Path,
        device: str = "cpu",
        batch_size: int = 32,
        num_beams: int = 1,
        do_sample: bool = False,
        max_new_tokens: int = 256,
        top_k: int = 50,
        top_p: float = 0.95,
        temperature: float = 1.0,
    ) -> None:
        try:
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError as exc:
            raise ImportError("HFTranslator needs transformers: pip install 'augkit[translate]'") from exc
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size} must be >= 1")
        self.device = device
        self.batch_size = batch_size
        self.generate_kwargs: dict[str, Any] = {"max_new_tokens": max_new_tokens}
        if do_sample:
            self.generate_kwargs.update(do_sample=True, top_k=top_k, top_p=top_p, temperature=temperature)
        else:
            self.generate_kwargs.update(do_sample=False, num_beams=num_beams)
        self.model_id = f"{forward}|{backward}|{sorted(self.generate_kwargs.items())}"
        self._models = {}
        for direction, name in (("forward", forward), ("backward", backward)):
            tokenizer = AutoTokenizer.from_pretrained(str(name), local_files_only=True)
            model = AutoModelForSeq2SeqLM.from_pretrained(str(name), local_files_only=True).to(device).eval()
            self._models[direction] = (tokenizer, model)
        self.languages: tuple[str, str] | None = None

    def __call__(self, texts: list[str], src: str, tgt: str, seed: int | None = None) -> list[str]:
        """Translate ``texts``; the first language pair seen is the forward direction."""
        import torch

        if self.languages is None:
            self.languages = (src, tgt)
        if (src, tgt) == self.languages:
            tokenizer, model = self._models["forward"]
        elif (tgt, src) == self.languages:
            tokenizer, model = self._models["backward"]
        else:
            raise ValueError(f"HFTranslator translates {self.languages[0]}<->{self.languages[1]}, not {src}->{tgt}")
        out: list[str] = []
        for i in range(0, len(texts), self.batch_size):
            batch = tokenizer(texts[i : i + self.batch_size], return_tensors="pt", padding=True, truncation=True)
            batch = batch.to(self.device)
            with torch.no_grad(), _seeded(seed if self.generate_kwargs.get("do_sample") else None, self.device):
                generated = model.generate(**batch, **self.generate_kwargs)
            out.extend(tokenizer.batch_decode(generated, skip_special_tokens=True))
        return out


class _seeded:
    """Seed torch for one generate() call and restore the global state after (no leak)."""

    def __init__(self, seed: int | None, device: str) -> None:
        self.seed, self.device = seed, device

    def __enter__(self) -> None:
        import torch

        if self.seed is None:
            return
        self._cpu = torch.random.get_rng_state()
        self._cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
        torch.manual_seed(self.seed)

    def __exit__(self, *exc: object) -> None:
        import torch

        if self.seed is None:
            return
        torch.random.set_rng_state(self._cpu)
        if self._cuda is not None:
            torch.cuda.set_rng_state_all(self._cuda)
