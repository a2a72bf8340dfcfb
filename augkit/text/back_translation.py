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

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import REQUIRED, Arg, Choice, Integer, Probability, Value
from augkit.core.errors import InvalidArgument, WrongArgumentType, WrongInputType
from augkit.core.registry import register
from augkit.text._words import WORD
from augkit.text.hf_translator import HFTranslator
from augkit.text.protect import is_protected, protected
from augkit.text.translate_util import accepts_seed, describe, digest, invalid_text, reverse_words_translator
from augkit.text.translation_cache import TranslationCache

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
    """The translator failed, or returned the wrong number of outputs, an empty output or one that is
    not valid text (a lone surrogate)."""


class BackTranslated(NamedTuple):
    """One back-translated text: the pivot text, the output, and whether it fell back to the input."""

    pivot_text: str
    output: str
    fallback: bool



def _check_translate(value: Any, name: str) -> Translate:
    if not callable(value):
        raise WrongArgumentType(f"{name} must be callable(texts, src, tgt), got {type(value).__name__}")
    return value


def _check_language(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{name}={value!r} must be a non-empty language code such as 'de'")
    return value


def _check_optional_str(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise WrongArgumentType(f"{name}={value!r} must be a str or None")
    return value


def _check_optional_bool(value: Any, name: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise WrongArgumentType(f"{name}={value!r} must be True, False or None")
    return value


def _check_num_seeds(value: Any, name: str) -> int | None:
    return None if value is None else Integer(low=1)(value, name)


def _check_cache(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, Path)):
        raise WrongArgumentType(f"{name}={value!r} must be a file path (str or Path) or None")
    path = Path(value)
    if not path.parent.is_dir():
        raise InvalidArgument(f"{name}={str(value)!r}: its folder {str(path.parent)!r} does not exist; create it first")
    return str(value)


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
            an empty output for a non-empty text, an output that is not valid text: a lone
            surrogate) raises :class:`TranslationError`.
            ``"fallback"``: the view is the original text; the failure is logged, counted in
            ``self.failures`` (per reason in ``self.failure_reasons``: ``"exception"``,
            ``"wrong_count"``, ``"empty_output"``, ``"invalid_output"``) and recorded in the view's params
            (``"fallback": true``). Failures are never cached. Counters are per process.
        sample_seed: draw a seed per view and pass it as ``seed=`` to the translator. None
            (default): the translator's ``samples`` attribute if it has one (True for a sampling
            :class:`HFTranslator`, False for beam search, whose output does not depend on a seed),
            else whether it accepts ``seed=``.
        num_seeds: draw the view's seed from ``range(num_seeds)`` (a pool of paraphrases per
            text that :meth:`back_translate` can pre-translate into the cache); None draws from
            ``[0, 2**31)``.
        p: probability of back-translating a view.

    Record: ``{"applied": True, "seed": int | None, "input_sha256": str, "pivot_text": str, "output": str,
    "fallback": bool}``, plus ``"protected_lost": [words]`` when the translation lost protected words
    (:mod:`augkit.text.protect`) and the view fell back to the original text. The translation is
    recorded, so ``apply`` replays it without the model;
    given another input than the one the params were drawn for, ``apply`` translates that input
    with the recorded seed.

    Raises:
        WrongArgumentType: when ``translate`` is not callable, or an argument has the wrong type.
        InvalidArgument: naming the argument for a bad ``on_error``, ``pivot``, ``source`` or
            ``num_seeds``, a ``cache`` without a model id or in a missing folder.

    Example:
        >>> bt = BackTranslation(HFTranslator("models/en-de", "models/de-en"), pivot="de", cache="bt.sqlite")
    """

    name = "text.back_translation"
    modality = "text"
    args = (
        Arg("translate", Value(_check_translate, "a callable translate(texts, src, tgt)"), REQUIRED,
            "the translator"),
        Arg("pivot", Value(_check_language, "a non-empty language code such as 'de'"), "de", "the pivot language"),
        Arg("source", Value(_check_language, "a non-empty language code such as 'en'"), "en",
            "the language of the inputs"),
        Arg("model_id", Value(_check_optional_str, "a str or None"), None, "names the model in the cache key"),
        Arg("cache", Value(_check_cache, "a file path in an existing folder, or None"), None,
            "sqlite3 file caching translations"),
        Arg("on_error", Choice(("raise", "fallback")), "raise", "what a failing translator does"),
        Arg("sample_seed", Value(_check_optional_bool, "True, False or None"), None,
            "pass a per-view seed= to the translator"),
        Arg("num_seeds", Value(_check_num_seeds, "an int >= 1 or None"), None, "draw seeds from range(num_seeds)"),
        Arg("p", Probability(), 1.0, "probability of applying the op"),
    )
    drawn = {"seed": (int, type(None))}
    translate: Translate
    pivot: str
    source: str
    model_id: str | None
    cache: str | None
    on_error: str
    sample_seed: bool | None
    num_seeds: int | None

    def setup(self) -> None:
        if self.pivot == self.source:
            raise InvalidArgument(f"pivot={self.pivot!r} must differ from source={self.source!r}")
        takes_seed = accepts_seed(self.translate)
        if self.sample_seed is None:
            samples = getattr(self.translate, "samples", None)
            self.sample_seed = takes_seed if samples is None else bool(samples) and takes_seed
        if self.sample_seed and not takes_seed:
            raise InvalidArgument("sample_seed=True but the translator takes no seed= keyword")
        if self.model_id is None:
            self.model_id = getattr(self.translate, "model_id", None)
        if self.cache is not None and not self.model_id:
            raise InvalidArgument(
                f"cache={self.cache!r} needs model_id= naming the translation model (or a translator with a "
                "model_id attribute), so that two models never share cached outputs"
            )
        self._cache = None if self.cache is None else TranslationCache(self.cache)
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
        keys = [TranslationCache.key(t, src, tgt, model_id, seed) for t in texts]
        found = self._cache.get_many(keys) if self._cache is not None else {}
        todo = [t for t, k in zip(texts, keys, strict=True) if k not in found]
        fresh: dict[str, str | None] = {}
        if todo:
            fresh = self._call_translator(todo, src, tgt, seed)
            if self._cache is not None:
                good = {TranslationCache.key(t, src, tgt, model_id, seed): o for t, o in fresh.items() if o is not None}
                self._cache.put_many(good)
        return [found[k] if k in found else fresh[t] for t, k in zip(texts, keys, strict=True)]

    def _call_translator(self, todo: list[str], src: str, tgt: str, seed: int | None) -> dict[str, str | None]:
        self.model_calls += 1
        where = f"{len(todo)} text(s) {src}->{tgt} with {describe(self.translate)}"
        try:
            given = list(todo)  # a copy: a translator that changes its argument cannot change ours
            out = self.translate(given, src, tgt, seed=seed) if self.sample_seed else self.translate(given, src, tgt)
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
        # a lone surrogate is not text: it would be the view, the next direction's input and a cache row
        failed = set(empty)
        invalid = {t: why for t, o in zip(todo, out, strict=True)
                   if t not in failed and (why := invalid_text(o)) is not None}
        if invalid:
            first = next(iter(invalid))
            self._fail("invalid_output", list(invalid), f"translator returned an output holding "
                       f"{invalid[first]} for {first[:80]!r} ({len(invalid)} of {where}); it is not valid text")
        for t, o in zip(todo, out, strict=True):
            result[t] = o if t not in failed and t not in invalid else None
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
        bad = next((t for t in texts if not isinstance(t, str)), None) if not isinstance(texts, str) else texts
        if bad is not None:
            raise WrongInputType("BackTranslation.back_translate takes a str per text (a list of them), "
                                 f"got {type(bad).__name__}")
        texts = list(texts)
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

    def draw(self, x: str, rng: np.random.Generator) -> Params:
        """Draw the view's seed and back-translate ``x`` (through the cache)."""
        seed = None
        if self.sample_seed:
            seed = int(rng.integers(self.num_seeds if self.num_seeds is not None else _SEED_BOUND))
        pivot, output, fallback = self.back_translate([x], seed=seed)[0]
        record: Params = {"seed": seed, "input_sha256": digest(x), "pivot_text": pivot, "output": output,
                          "fallback": fallback}
        keep = protected()
        if keep and not fallback:
            lost = _lost_words(x, output, keep)
            if lost:  # the translation dropped a word the caption must keep: the view is the original
                record.update(output=x, fallback=True, protected_lost=lost)
        return record

    def transform(self, x: str, params: Params) -> str:
        """Replay the recorded translation of ``x``; translate ``x`` with ``params["seed"]`` otherwise."""
        if params.get("input_sha256") == digest(x) and isinstance(params.get("output"), str):
            return str(params["output"])
        return self.back_translate([x], seed=params["seed"])[0].output

    def __getstate__(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _lost_words(text: str, output: str, keep: frozenset[str]) -> list[str]:
    """The protected words of ``text`` that ``output`` holds fewer times (case ignored), in order."""
    kept = Counter(w.lower() for w in WORD.findall(output))
    lost: list[str] = []
    for w, n in Counter(w.lower() for w in WORD.findall(text) if is_protected(w, keep)).items():
        if kept[w] < n:
            lost.append(w)
    return lost
