"""Reading data files within bounds: text decoded as a stream, line by line, with a clear error, and
the nesting depth that structured data (manifest rows, config specs) may have.

Every reader of text (the text modality, manifests, ``read_lines``) goes through :func:`iter_lines`
or :func:`decode_text`: the file is opened as a regular file (a folder, a FIFO or a device is
refused before anything is read, so nothing waits on a pipe) and decoded in chunks of
:data:`CHUNK_BYTES`, so reading holds the lines it gives and one chunk, never the whole file as
bytes and again as text.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Literal

from augkit.core.errors import InvalidArgument, InvalidInput, MissingFile

__all__ = ["CHUNK_BYTES", "MAX_DEPTH", "decode_text", "iter_lines", "nesting_fault", "open_regular", "read_lines"]

#: How many bytes a text file is decoded at a time.
CHUNK_BYTES = 1 << 18

#: The deepest nesting of lists and dicts that a manifest row or a config spec may hold. Deeper
#: data is refused by name before anything walks it (recursion would end in a RecursionError).
MAX_DEPTH = 100

#: Where lines end: ``str.splitlines``'s boundaries ("unicode"), ``\n`` only ("newline": JSON
#: strings may hold the others unescaped), or ``\r\n``, ``\r`` and ``\n`` ("universal": what the
#: csv module expects of a file opened with ``newline=""``).
LineEnds = Literal["unicode", "newline", "universal"]

_UNICODE_ENDS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_UNIVERSAL = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def read_lines(path: str | Path, encoding: str = "utf-8", skip_blank: bool = True) -> list[str]:
    """The lines of a text file, one sample each, in file order.

    The file is decoded as a stream with ``encoding`` (a leading byte-order mark is dropped) and
    split as :meth:`str.splitlines` splits: at ``\\n``, ``\\r\\n`` and ``\\r``, and also at the
    other line boundaries Unicode defines (``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028,
    U+2029). The line ending is removed and nothing else is: spaces at either end stay. A final
    line ending ends the last line; it does not start an empty one. Reading holds the lines and one
    chunk of the file (:data:`CHUNK_BYTES`), whatever the file's size.

    Args:
        path: the text file.
        encoding: its encoding (a codec name Python knows).
        skip_blank: leave out lines that hold only white space (the default); False keeps every
            line, so line ``k`` of the file is item ``k - 1``.

    Returns:
        A list of str; empty for an empty file (or, with ``skip_blank``, a file of blank lines).

    Raises:
        FileNotFoundError: naming the path when it does not exist.
        ValueError: (:class:`augkit.core.errors.InvalidInput`) naming the path when it is a folder
            or not a regular file (a FIFO, a device), or when it is not valid ``encoding`` text
            (with the line and byte of the first bad byte);
            (:class:`augkit.core.errors.InvalidArgument`) for an unknown ``encoding``.

    Example:
        >>> sentences = read_lines("data/sentences.txt")   # 1,500 str
    """
    lines = iter_lines(path, encoding, "text file")
    # isspace() where strip() would copy the line: a blank line is empty or all white space
    return [line for line in lines if line and not line.isspace()] if skip_blank else list(lines)


def iter_lines(path: str | Path, encoding: str = "utf-8", what: str = "text file", ends: LineEnds = "unicode",
               keepends: bool = False) -> Iterator[str]:
    """The lines of ``path``, decoded and split chunk by chunk (see :func:`read_lines`).

    Args:
        path: the file; encoding: its codec; what: how errors name it ("manifest").
        ends: where lines end (:data:`LineEnds`).
        keepends: keep each line's ending (a csv reader needs it).

    Raises:
        As :func:`read_lines`; the file is checked (and opened) when iteration starts.
    """
    path = Path(path)
    decoder = _decoder(encoding)
    with open_regular(path, what) as stream:
        parts: list[str] = []  # the line in progress, when it spans chunks
        for text in _decoded(stream, decoder, path, encoding):
            pieces = text.splitlines(keepends=True) if ends == "unicode" else _UNIVERSAL.findall(text) \
                if ends == "universal" else _newline_pieces(text)
            for piece in pieces:
                if not _ended(piece, ends):  # only the last piece of a chunk: the line goes on
                    parts.append(piece)
                    continue
                line = "".join(parts) + piece if parts else piece
                parts = []
                yield line if keepends else line[: -2 if line.endswith("\r\n") and ends != "newline" else -1]
        if parts:
            yield "".join(parts)


def decode_text(path: Path, encoding: str, what: str) -> str:
    """``path`` decoded whole, a leading byte-order mark dropped; errors name the path, line and byte."""
    decoder = _decoder(encoding)
    with open_regular(path, what) as stream:
        return "".join(_decoded(stream, decoder, path, encoding))


def open_regular(path: Path, what: str) -> BinaryIO:
    """``path`` opened for reading in binary, checked to be a regular file on the open descriptor
    (so a file swapped for a FIFO after a check is refused, never waited on).

    Raises:
        MissingFile: when it does not exist; InvalidInput: for a folder, a FIFO, a device or a
            socket, or a path that cannot be opened, naming it as ``what``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise MissingFile(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise InvalidInput(f"{what} {path} is a folder, not a file: give a file inside it") from None
    except (OSError, ValueError) as exc:  # a link loop, no permission, a NUL byte
        raise InvalidInput(f"{what} {path} cannot be opened ({exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InvalidInput(f"{what} {path} is a folder, not a file: give a file inside it")
        if not stat.S_ISREG(mode):
            raise InvalidInput(f"{what} {path} is not a regular file (a FIFO, a device or a socket): give a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def nesting_fault(value: Any, max_depth: int = MAX_DEPTH, max_values: int | None = None) -> str | None:
    """Why ``value`` (lists, tuples and dicts of anything) is too deep or too big, or None.

    The walk is iterative, so it ends on any input: data nested far deeper than the interpreter's
    recursion limit, and a structure that holds itself (it is simply too deep). ``max_values``
    bounds the number of values counted as often as they appear (a structure sharing parts of
    itself, as YAML aliases make, counts each share).

    Returns:
        ``"is nested deeper than 100 levels"``, ``"holds more than 100,000 values"`` or None.

    Example:
        >>> nesting_fault([[[1]]], max_depth=2)
        'is nested deeper than 2 levels'
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    count = 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth >= max_depth:
            return f"is nested deeper than {max_depth} levels"
        count += len(children)
        if max_values is not None and count > max_values:
            return f"holds more than {max_values:,} values"
        stack.extend((child, depth + 1) for child in children)
    return None


def _decoder(encoding: str) -> codecs.IncrementalDecoder:
    try:
        return codecs.getincrementaldecoder(encoding)()
    except (LookupError, TypeError):
        raise InvalidArgument(f"encoding={encoding!r} is not a codec Python knows (e.g. 'utf-8', 'latin-1')") from None


def _decoded(stream: BinaryIO, decoder: codecs.IncrementalDecoder, path: Path, encoding: str) -> Iterator[str]:
    """The text of ``stream`` chunk by chunk, the leading byte-order mark dropped; a ``\\r`` that ends
    a chunk is held back to the next, so ``\\r\\n`` never straddles two."""
    fed = newlines = 0  # bytes given to the decoder so far, and the \n bytes among them
    first, carry = True, ""
    while True:
        data = stream.read(CHUNK_BYTES)
        final = not data
        buffered = decoder.getstate()[0]
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            held = exc.object[: len(buffered)] if isinstance(exc.object, bytes) else b""
            start = fed - len(held) + exc.start
            line = newlines - held.count(b"\n") + bytes(exc.object[: exc.start]).count(b"\n") + 1
            raise InvalidInput(f"{path} is not {encoding} text ({exc.reason} at byte {start}, line {line}): "
                               "convert it to UTF-8 or pass its encoding= (--encoding on the command line)") from None
        fed += len(data)
        newlines += data.count(b"\n")
        if first and text:
            text, first = text.removeprefix("\ufeff"), False
        text, carry = carry + text, ""
        if not final and text.endswith("\r"):
            text, carry = text[:-1], "\r"
        if text:
            yield text
        if final:
            return


def _newline_pieces(text: str) -> list[str]:
    pieces = text.split("\n")
    out = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        out.append(pieces[-1])
    return out


def _ended(piece: str, ends: LineEnds) -> bool:
    last = piece[-1]
    if ends == "unicode":
        return last in _UNICODE_ENDS
    return last == "\n" if ends == "newline" else last in "\r\n"
