"""Protected words: words that no text op deletes, replaces, moves or uses as a synonym source.

A caption that describes its image must keep the words that carry the description ("red",
"two", "left"). Every text op consults the protected set while it draws its params:

- deletion never deletes a protected word (it deletes at least one unprotected word, or leaves
  the text unchanged when every word is protected);
- swap only swaps unprotected words with each other;
- synonym replacement never replaces a protected word, and insertion never inserts a synonym
  of one; neither brings in a synonym that holds a protected word;
- back-translation falls back to the original text when the translation loses a protected
  word (recorded as ``"fallback": "protected"``).

The set is matched case-insensitively, word by word (:data:`augkit.text._words.WORD`). Only the
draw consults it: a record already holds its edits, so ``apply`` and ``replay`` need no
protection.

Example:
    >>> from augkit.text.protect import protecting
    >>> with protecting({"red", "two"}):
    ...     view = augkit.text.RandomDeletion(alpha=0.5)("two red apples on a table", rng)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from augkit.core.errors import WrongArgumentType
from augkit.text._words import WORD

__all__ = ["COLOURS", "NUMBERS", "allowed", "is_protected", "protected", "protecting", "unprotected"]

#: Basic and common colour terms (British and American spellings), lower case.
COLOURS = frozenset(
    "red orange yellow green blue purple violet pink brown black white gray grey silver gold beige "
    "cyan magenta maroon navy teal turquoise crimson scarlet indigo tan cream ivory khaki olive lime "
    "amber bronze copper coral lavender lilac mauve ochre peach rust salmon blond blonde ginger "
    "golden reddish bluish greenish yellowish brownish greyish grayish pinkish purplish orangey".split()
)

#: Number words up to a billion, and ordinals up to the twentieth; digits are matched apart.
NUMBERS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million billion dozen half twice single double triple pair couple both none first second "
    "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
)

_PROTECTED: ContextVar[frozenset[str]] = ContextVar("augkit_protected_words", default=frozenset())


def protected() -> frozenset[str]:
    """The words protected in this context (lower case); empty outside :func:`protecting`."""
    return _PROTECTED.get()


def is_protected(word: str, words: frozenset[str]) -> bool:
    """Whether ``word`` is in ``words`` (lower-case), ignoring case, or is a number written in digits
    while numbers are protected (``"#digits"`` in ``words``)."""
    low = word.lower()
    return low in words or ("#digits" in words and any(c.isdigit() for c in word))


def allowed(options: list[str], words: frozenset[str]) -> list[str]:
    """The synonyms in ``options`` that bring in no protected word (a replacement must not add a
    colour or a number the caption did not have)."""
    return [o for o in options if not any(is_protected(w, words) for w in WORD.findall(o))]


def unprotected(found: list[str], words: frozenset[str]) -> list[int]:
    """The positions in ``found`` (a text's words, in order) of the words not protected."""
    return [k for k, w in enumerate(found) if not is_protected(w, words)]


@contextlib.contextmanager
def protecting(words: Iterable[str], digits: bool = False) -> Iterator[frozenset[str]]:
    """Protect ``words`` (and numbers written in digits when ``digits``) from every text op's draws
    inside the ``with`` block; nested blocks add to the outer set.

    Raises:
        TypeError: when ``words`` is a single str or holds something other than str.
    """
    if isinstance(words, (str, bytes)):
        raise WrongArgumentType(f"protecting() takes a collection of words, not one {type(words).__name__}: "
                                f"pass [{words!r}]")
    new = set()
    for w in words:
        if not isinstance(w, str):
            raise WrongArgumentType(f"protected words must be str, got {type(w).__name__} ({w!r:.40})")
        new.add(w.lower())
    if digits:
        new.add("#digits")
    token = _PROTECTED.set(_PROTECTED.get() | new)
    try:
        yield _PROTECTED.get()
    finally:
        _PROTECTED.reset(token)
