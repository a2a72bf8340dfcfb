"""Small helpers of back-translation: a stand-in translator, digests, and questions about a translator."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["accepts_seed", "describe", "digest", "invalid_text", "reverse_words_translator"]


def reverse_words_translator(texts: list[str], src: str, tgt: str) -> list[str]:
    """A deterministic stand-in translator with no model, for examples and tests: reverses word order.

    Translating there and back returns the original text, so it augments nothing; it exists for
    the contract tests, ``BackTranslation.example()`` and dry runs of a pipeline without a model.

    Example:
        >>> reverse_words_translator(["a b c"], "en", "de")
        ['c b a']
    """
    return [" ".join(reversed(t.split(" "))) for t in texts]


def digest(*parts: str) -> str:
    """The sha256 hex digest of ``parts`` joined by U+001F, as UTF-8.

    Lone surrogates (a translator's broken output) are encoded as themselves ("surrogatepass")
    instead of raising: a digest names a string, it does not judge it. Valid text digests as plain
    UTF-8, so keys of existing caches are unchanged.
    """
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def invalid_text(text: str) -> str | None:
    """Why ``text`` is not valid Unicode text (a lone surrogate, which no file, cache or tokenizer
    stores), or None when it is."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"a lone surrogate {text[exc.start]!r} at character {exc.start}"
    return None


def accepts_seed(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def describe(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__

