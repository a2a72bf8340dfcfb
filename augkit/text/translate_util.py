"""Small helpers of back-translation: a stand-in translator, digests, and questions about a translator."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["accepts_seed", "describe", "digest", "reverse_words_translator"]


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
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()



def accepts_seed(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def describe(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__

