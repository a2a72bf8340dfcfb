"""Text files read whole and decoded with a clear error: the lines of a text file (one sample each),
and the decoding every reader of text (the text modality, manifests) shares."""

from __future__ import annotations

from pathlib import Path

from augkit.core.errors import InvalidArgument, InvalidInput, MissingFile

__all__ = ["read_lines"]


def read_lines(path: str | Path, encoding: str = "utf-8", skip_blank: bool = True) -> list[str]:
    """The lines of a text file, one sample each, in file order.

    The file is decoded whole with ``encoding`` (a leading byte-order mark is dropped) and split
    as :meth:`str.splitlines` splits: at ``\\n``, ``\\r\\n`` and ``\\r``, and also at the other
    line boundaries Unicode defines (``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028,
    U+2029). The line ending is removed and nothing else is: spaces at either end stay. A final
    line ending ends the last line; it does not start an empty one.

    Args:
        path: the text file.
        encoding: its encoding (a codec name Python knows).
        skip_blank: leave out lines that hold only white space (the default); False keeps every
            line, so line ``k`` of the file is item ``k - 1``.

    Returns:
        A list of str; empty for an empty file (or, with ``skip_blank``, a file of blank lines).

    Raises:
        FileNotFoundError: naming the path when it does not exist.
        ValueError: (:class:`augkit.core.errors.InvalidInput`) naming the path when it is a folder, or
            when it is not valid ``encoding`` text (with the line and byte of the first bad byte);
            (:class:`augkit.core.errors.InvalidArgument`) for an unknown ``encoding``.

    Example:
        >>> sentences = read_lines("data/sentences.txt")   # 1,500 str
    """
    text = decode_text(Path(path), encoding, "text file")
    lines = text.splitlines()
    return [line for line in lines if line.strip()] if skip_blank else lines


def decode_text(path: Path, encoding: str, what: str) -> str:
    """``path`` decoded whole, a leading byte-order mark dropped; errors name the path, line and byte."""
    if path.is_dir():
        raise InvalidInput(f"{what} {path} is a folder, not a file: give a file inside it")
    if not path.is_file():
        raise MissingFile(f"{what} {path} does not exist")
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InvalidArgument(f"encoding={encoding!r} is not a codec Python knows (e.g. 'utf-8', 'latin-1')") from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(f"{path} is not {encoding} text ({exc.reason} at byte {exc.start}, line {line}): "
                           "convert it to UTF-8 or pass its encoding=") from None
    return text.removeprefix("\ufeff")
