"""The text modality: a ``str``.

Files: a ``.txt`` file is one sample when loaded and, named as a source, one sample per line.
Views are stored as UTF-8; a batch is a list of strings, or what a tokenizer makes of it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from augkit.errors import InvalidInput, WrongArgumentType, WrongInputType
from augkit.modalities import BaseModality, register

__all__ = ["EXTENSIONS", "TextModality"]

#: File suffixes :meth:`TextModality.load` reads.
EXTENSIONS = (".txt",)
_SENTENCE = "The quick brown foxes were jumping over the lazy dogs, and nobody saw them."


class TextModality(BaseModality):
    """Ops see a ``str``; anything else raises :class:`augkit.errors.WrongInputType`."""

    name = "text"
    extensions = EXTENSIONS
    formats = ("txt",)
    ops_modules = (
        "augkit.text.synonym_replacement",
        "augkit.text.random_insertion",
        "augkit.text.random_swap",
        "augkit.text.random_deletion",
        "augkit.text.back_translation",
        "augkit.text.presets",
    )

    def check(self, x: Any, **options: Any) -> str:
        if not isinstance(x, str):
            hint = " (decode bytes first: x.decode('utf-8'))" if isinstance(x, (bytes, bytearray)) else ""
            raise WrongInputType(f"text input must be a str, got {type(x).__name__}{hint}")
        return x

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        if not isinstance(x, str):
            raise WrongInputType(f"{where} takes a str, got {type(x).__name__}")
        return x, False, None

    def load(self, path: str | Path, encoding: str = "utf-8", **options: Any) -> str:
        """The whole file as one sample (trailing newline removed).

        Raises:
            FileNotFoundError: when ``path`` is not a file.
            InvalidInput: when it is not ``encoding`` text, naming the byte.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"text file {path} does not exist")
        try:
            return path.read_text(encoding=encoding).rstrip("\n")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{path} is not {encoding} text ({exc.reason} at byte {exc.start})") from None

    def read(self, path: str | Path, encoding: str = "utf-8", **options: Any) -> list[str]:
        """A text file named as a source: one sample per non-blank line."""
        from augkit.datasets import read_lines

        return read_lines(path, encoding=encoding)

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
            WrongInputType: when an item is not a str.
        """
        texts = [self.check(t) for t in items]
        if tokenizer is None:
            if options:
                raise WrongArgumentType(f"text collate takes {sorted(options)} only with a tokenizer")
            return texts
        if not callable(tokenizer):
            raise WrongArgumentType(f"tokenizer must be callable (a Hugging Face tokenizer), got "
                                    f"{type(tokenizer).__name__}")
        return tokenizer(texts, **options)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        return f"<p class='view text'>{html.escape(self.check(view))}</p>"

    def example(self) -> str:
        return _SENTENCE

    def examples(self) -> list[tuple[str, Any]]:
        return [("typical", _SENTENCE), ("empty", ""), ("one word", "Hello"),
                ("unicode", "Ünïcødé 日本語 — café, naïve!")]


register(TextModality())
