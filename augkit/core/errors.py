"""augkit's own errors: one base to catch, each also a ValueError or TypeError.

``except augkit.AugkitError`` catches every error augkit raises about what it was given; each
subclass also derives from the built-in a user would expect (``ValueError`` for a bad value,
``TypeError`` for a wrong type), so ``except ValueError`` keeps working.

Example:
    >>> try:
    ...     augkit.audio.Gain(gain_db=(6, -6))
    ... except augkit.AugkitError as err:
    ...     print(err)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "QUOTE_CHARS",
    "AugkitError",
    "AugkitTypeError",
    "AugkitValueError",
    "InvalidArgument",
    "InvalidInput",
    "InvalidParams",
    "MissingData",
    "MissingFile",
    "WrongArgumentType",
    "WrongInputType",
    "quoted",
]


class AugkitError(Exception):
    """The base of every error augkit raises about its arguments, inputs and records."""


class AugkitValueError(AugkitError, ValueError):
    """A value augkit was given is out of range or malformed."""


class AugkitTypeError(AugkitError, TypeError):
    """Something augkit was given has the wrong type."""


class InvalidArgument(AugkitValueError):
    """A constructor or function argument is out of its allowed range (the message names both)."""


class WrongArgumentType(AugkitTypeError):
    """A constructor or function argument has the wrong type."""


class InvalidInput(AugkitValueError):
    """An input (an image, a text, a waveform) cannot be augmented as it is."""


class WrongInputType(AugkitTypeError):
    """An input is of a type the op does not take."""


class InvalidParams(AugkitValueError):
    """Params given to ``apply``/``replay`` are missing a key or hold a malformed value."""


class MissingData(InvalidArgument, LookupError):
    """An argument asks for data that is not installed (NLTK's WordNet for ``source="nltk"``); it is
    also a ``LookupError``, what NLTK raises for it."""


class MissingFile(AugkitError, FileNotFoundError):
    """A file or folder augkit was pointed at does not exist (the message names the path); also a
    ``FileNotFoundError``."""


#: How many characters of a value an error message quotes: a value from data (a spec, a record) may
#: be megabytes long, and its message must still be one readable line.
QUOTE_CHARS = 80


def quoted(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, with an ellipsis where it was cut: how errors
    quote a value they were given. Containers and strings are cut while their repr is made, so a
    huge (or self-sharing) structure costs no more than a few times ``limit`` characters.

    Example:
        >>> quoted("x" * 1000, 12)
        "'xxxxxxxxxx…"
    """
    import reprlib

    if isinstance(value, str):
        text = repr(value[:limit]) if len(value) > limit else repr(value)
        cut = len(value) > limit
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 10_000:
        text, cut = f"<an int of {value.bit_length()} bits>", False  # past 4300 digits, repr() fails
    elif isinstance(value, (list, tuple, dict, set, frozenset)):
        short = reprlib.Repr()
        short.maxlevel, short.maxstring, short.maxother, short.maxlong = 3, limit, limit, limit
        short.maxlist = short.maxtuple = short.maxdict = short.maxset = short.maxfrozenset = 8
        text, cut = short.repr(value), False
    else:
        text, cut = repr(value), False
    return text if len(text) <= limit and not cut else text[: limit - 1] + "…"
