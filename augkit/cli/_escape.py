"""Text from data made safe for a terminal: what the ``augkit`` command prints goes through
:func:`escaped`, so a file name holding an escape sequence (``\\x1b[2J``), a right-to-left override
or bytes that are not UTF-8 shows as escapes instead of acting on the terminal or failing to print."""

from __future__ import annotations

import unicodedata

__all__ = ["escaped"]

#: Control (Cc), format (Cf: bidi overrides, zero-width), surrogate (Cs: undecodable file name bytes)
#: and line/paragraph separator (Zl, Zp) characters: none of them should reach a terminal as it is.
_UNSAFE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def escaped(text: str, keep: str = "") -> str:
    """``text`` with every control, format and separator character written as an escape (``\\x1b``,
    ``\\u202e``), except those in ``keep`` (``"\\n"`` for a multi-line table). A byte a file name
    could not decode (``os.fsdecode`` gives it as a lone surrogate) is written as that byte, ``\\xff``.

    Example:
        >>> escaped("evil\\x1b[2J.png")
        'evil\\\\x1b[2J.png'
    """
    if text.isprintable():
        return text  # the common case, in one pass: no control, format or separator character at all
    out = []
    for c in text:
        if c in keep or unicodedata.category(c) not in _UNSAFE:
            out.append(c)
        elif 0xDC80 <= ord(c) <= 0xDCFF:  # surrogateescape's stand-in for an undecodable byte
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        else:
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)
