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

__all__ = [
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
