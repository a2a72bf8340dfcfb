"""The text modality: a ``str``.

Files: a ``.txt`` file is one sample when loaded and, named as a source, one sample per line.
Views are stored as UTF-8; a batch is a list of strings, or what a tokenizer makes of it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from augkit.core.errors import InvalidInput, WrongArgumentType, WrongInputType
from augkit.core.modalities import BaseModality, register
from augkit.text.render import marked_body, matcher

__all__ = ["EXTENSIONS", "MAX_CHARS", "MAX_DISTANCE_CELLS", "TextModality", "word_distance"]

#: File suffixes :meth:`TextModality.load` reads.
EXTENSIONS = (".txt",)
_SENTENCE = "The quick brown foxes were jumping over the lazy dogs, and nobody saw them."
#: Above this many word pairs (2000 words against 2000) :func:`word_distance` estimates instead
#: of running its O(n·m) table, which takes seconds in pure Python from there on.
MAX_DISTANCE_CELLS = 2000 * 2000
#: The longest text a view is made of, in characters (like PIL's pixel cap for images and the audio
#: frame cap): a whole book on one line would make every op hold many copies of it. Raise it by
#: assigning ``augkit.text.modality.MAX_CHARS``.
MAX_CHARS = 1_000_000


class TextModality(BaseModality):
    """Ops see a ``str``; anything else raises :class:`augkit.core.errors.WrongInputType`."""

    name = "text"
    extensions = EXTENSIONS
    claims = (str,)
    formats = ("txt",)
    libraries = ("nltk",)
    ops_modules = (
        "augkit.text.synonym_replacement",
        "augkit.text.random_insertion",
        "augkit.text.random_swap",
        "augkit.text.random_deletion",
        "augkit.text.back_translation",
        "augkit.text.word_repetition",
        "augkit.text.token_shuffle",
        "augkit.text.span_deletion",
        "augkit.text.span_sample",
        "augkit.text.char_edits",
        "augkit.text.keyboard_typo",
        "augkit.text.ocr_noise",
        "augkit.text.contextual",
        "augkit.text.presets",
    )

    def swap_left_right(self, item: Any) -> tuple[str, int] | None:
        """``item`` with "left" and "right" swapped and the count (:func:`augkit.text.swap_left_right`),
        or None for an item that is not text: what a mirrored image asks of its caption."""
        from augkit.text.sides import swap_left_right

        return swap_left_right(item) if isinstance(item, str) else None

    def protect(self, words: Any, colours: bool = True, numbers: bool = True) -> Any:
        """A context in which every text op leaves ``words`` alone, plus colour and number words when
        asked (:func:`augkit.text.protect.protecting`); entering it gives the protected set."""
        from augkit.text.protect import COLOURS, NUMBERS, protecting

        kept = frozenset(words) | (COLOURS if colours else frozenset()) | (NUMBERS if numbers else frozenset())
        return protecting(kept, digits=numbers)

    def protected_in(self, item: Any, kept: frozenset[str]) -> set[str]:
        """The words of ``item`` that ``kept`` protects, lower case (none for an item that is not text)."""
        from augkit.text._words import WORD
        from augkit.text.protect import is_protected

        if not isinstance(item, str):
            return set()
        return {w.lower() for w in WORD.findall(item) if is_protected(w, kept)}

    def check(self, x: Any, **options: Any) -> str:
        if not isinstance(x, str):
            hint = " (decode bytes first: x.decode('utf-8'))" if isinstance(x, (bytes, bytearray)) else ""
            raise WrongInputType(f"text input must be a str, got {type(x).__name__}{hint}")
        return _encodable(x, "text input")

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        if not isinstance(x, str):
            raise WrongInputType(f"{where} takes a str, got {type(x).__name__}")
        return _encodable(x, where), False, None

    def load(self, path: str | Path, encoding: str = "utf-8", **options: Any) -> str:
        """The whole file as one sample, trailing newlines removed (``\\r\\n`` and ``\\r`` line
        endings read as ``\\n``; a leading byte-order mark dropped).

        Raises:
            MissingFile: (a FileNotFoundError) when ``path`` does not exist.
            InvalidInput: when ``path`` is a folder, or not ``encoding`` text (naming the line and byte).
            InvalidArgument: for an unknown ``encoding``.
        """
        from augkit.core.files import decode_text

        text = decode_text(Path(path), encoding, "text file")
        return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")

    def read(self, path: str | Path, encoding: str = "utf-8", paragraphs: bool = False, **options: Any) -> list[str]:
        """A text file named as a source: one sample per non-blank line (:func:`augkit.core.files.read_lines`),
        or with ``paragraphs`` one per blank-line-separated paragraph (:func:`augkit.text.documents.read_documents`)."""
        if paragraphs:
            from augkit.text.documents import read_documents

            return read_documents(path, encoding=encoding)
        from augkit.core.files import read_lines

        return read_lines(path, encoding=encoding)

    def context(self, vg: Any) -> dict[str, Any]:
        """``{"paragraphs": True}`` for a generator of documents (``vg.documents``, the ``text.declutr``
        preset's): its sources are read one paragraph per sample."""
        return {"paragraphs": True} if getattr(vg, "documents", False) else {}

    def encode(self, view: Any, format: str | None = None, **context: Any) -> tuple[bytes, str]:
        return self.check(view).encode("utf-8"), self.check_format(format)

    def decode(self, data: bytes, extension: str) -> str:
        self.check_format(extension)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"a stored text view is not UTF-8 ({exc.reason} at byte {exc.start})") from None

    def collate(self, items: Sequence[Any], tokenizer: Callable[..., Any] | None = None, **options: Any) -> Any:
        """A list of strings, or ``tokenizer(list_of_strings, **options)`` when a tokenizer is given
        (a Hugging Face tokenizer with ``padding=True, return_tensors="pt"`` gives padded tensors).

        Raises:
            WrongInputType: when an item is not a str, naming the item.
            InvalidInput: when an item cannot be encoded (lone surrogates), naming the item.
            WrongArgumentType: for options without a tokenizer, or a tokenizer that is not callable.

        Example:
            >>> modalities.get("text").collate(["a dog", "a cat"], tokenizer=tok, return_tensors="pt")
        """
        texts = []
        for i, t in enumerate(items):
            try:
                texts.append(self.check(t))
            except (InvalidInput, WrongInputType) as err:
                raise type(err)(f"item {i}: {err}") from None
        if tokenizer is None:
            if options:
                raise WrongArgumentType(f"text collate takes {sorted(options)} only with a tokenizer")
            return texts
        if not callable(tokenizer):
            raise WrongArgumentType(f"tokenizer must be callable (a Hugging Face tokenizer), got "
                                    f"{type(tokenizer).__name__}")
        return tokenizer(texts, **options)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        """An HTML fragment, ``<p class='view text'>...</p>``, of ``view`` with its edits marked.

        A span (:class:`augkit.text.SpanSample`) is shown on its source: the span in
        ``<mark class='span'>`` (its title gives the offsets of it and of the anchor), the rest of
        the source in ``<del class='outside'>``. Inserted words are wrapped in ``<ins>`` (repeated
        words: ``<ins class='repeat'>``); deleted words are shown where they were, in
        ``<del>``; replaced words (synonyms) in ``<mark title='was: OLD'>``; words moved by a swap
        in ``<mark class='swap' title='swapped with: OTHER'>`` (OTHER: the word that stood there;
        a shuffle says ``moved here; was: OTHER``); character edits mark the characters they change.
        Leaving out every tag and the content of the ``<del>`` tags gives back exactly
        ``html.escape(view)``. Every piece of text is escaped, attributes included.

        The marks come from the record when exactly one op in it recorded ``edits`` and applying
        them to ``source`` gives ``view``; otherwise (no params, several text ops chained, a
        back translation, params of another text) from a word-level diff of ``source`` and ``view``
        (:class:`difflib.SequenceMatcher` over whitespace-separated words).

        Args:
            view: the view's text.
            params: the view's record (``vg.generate(x, index=i).params[k]``), or None.
            source: the text the view was made from; None shows ``view`` unmarked.
            **context: unused (what :meth:`context` gives; text needs none).

        Returns:
            The fragment, as a str.

        Raises:
            WrongInputType: when ``view`` or ``source`` is not a str.

        Example:
            >>> text.render("The fast fox", params, source="The quick fox")
            "<p class='view text'>The <mark title='was: quick'>fast</mark> fox</p>"
        """
        view = self.check(view)
        if source is None:
            return f"<p class='view text'>{html.escape(view)}</p>"
        source = self.check(source)
        return f"<p class='view text'>{marked_body(source, view, params)}</p>"

    def moved(self, source: Any, view: Any, params: Any = None, **context: Any) -> dict[str, float]:
        """How many words ``view`` changed from ``source``.

        Words are what ``str.split()`` gives (punctuation stays on its word). The distance is
        the word-level Levenshtein distance (insertions, deletions and substitutions each cost 1,
        so one swap of two different words costs 2), from :func:`word_distance`: exact up to
        :data:`MAX_DISTANCE_CELLS` word pairs once the common first and last words are set
        aside, an upper bound estimated from :class:`difflib.SequenceMatcher`'s matching blocks
        above that.

        Args:
            source: the text the view was made from.
            view: the view's text.
            params: the view's record (unused: the distance is measured on the texts).
            **context: unused.

        Returns:
            ``{"word_edit_distance": d, "words_changed": d / max(1, source words)}``, as floats.

        Raises:
            WrongInputType: when ``source`` or ``view`` is not a str.

        Example:
            >>> text.moved("the quick fox", "the slow fox")
            {'word_edit_distance': 1.0, 'words_changed': 0.3333333333333333}
        """
        before, after = self.check(source).split(), self.check(view).split()
        d = word_distance(before, after)
        return {"word_edit_distance": float(d), "words_changed": d / max(1, len(before))}

    def example(self) -> str:
        return _SENTENCE

    def examples(self) -> list[tuple[str, Any]]:
        return [("typical", _SENTENCE), ("empty", ""), ("one word", "Hello"),
                ("unicode", "Ünïcødé 日本語 — café, naïve!")]


def word_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """The Levenshtein distance between two word lists (each insertion, deletion or substitution
    of a word costs 1).

    Common leading and trailing words are set aside first (exact and cheap). When the rest holds
    more than :data:`MAX_DISTANCE_CELLS` word pairs, the result is an estimate instead: the cost
    of the edit script :class:`difflib.SequenceMatcher` finds (each replaced block costs its
    longer side), the smaller of both directions, capped at the longer list's length. It is
    never below the true distance.

    Example:
        >>> word_distance("a b c".split(), "a x c".split())
        1
    """
    start, n, m = 0, len(a), len(b)
    while start < n and start < m and a[start] == b[start]:
        start += 1
    while n > start and m > start and a[n - 1] == b[m - 1]:
        n, m = n - 1, m - 1
    a, b = a[start:n], b[start:m]
    if not a or not b:
        return len(a) + len(b)
    if len(a) * len(b) > MAX_DISTANCE_CELLS:
        return min(_script_cost(a, b), _script_cost(b, a), max(len(a), len(b)))
    if len(b) > len(a):
        a, b = b, a  # the row holds the shorter list
    row = list(range(len(b) + 1))
    for i, word in enumerate(a, 1):
        diagonal, row[0] = row[0], i
        for j, other in enumerate(b, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (word != other))
    return row[-1]


def _script_cost(a: Sequence[str], b: Sequence[str]) -> int:
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher(a, b).get_opcodes() if tag != "equal")


def _encodable(x: str, where: str) -> str:
    """``x`` when it is valid Unicode and at most :data:`MAX_CHARS` long; a lone surrogate (from bytes
    decoded with ``errors="surrogateescape"``) cannot be stored, tokenized or translated, so it is named."""
    if len(x) > MAX_CHARS:
        raise InvalidInput(f"{where} holds {len(x):,} characters, more than augkit.text.modality.MAX_CHARS "
                           f"({MAX_CHARS:,}): split it into samples (one per line or paragraph), or raise the cap")
    if x.isascii():
        return x
    try:
        x.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{where} holds a lone surrogate {x[exc.start]!r} at character {exc.start}: decode the "
                           "text with errors='replace' (or fix its source)") from None
    return x


register(TextModality())
