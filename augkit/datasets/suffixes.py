"""File suffixes: which files a folder reader keeps (:func:`check_extensions` checks the suffixes
a caller chooses), and :class:`NoFiles` when a folder holds none of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from augkit.core import modalities
from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType

__all__ = ["NoFiles", "check_extensions", "is_suffix", "suffix_modalities"]

#: One file suffix as ``Path.suffix`` gives it: a dot, then no dot, separator or blank.
_SUFFIX = re.compile(r"\.[^./\\\s]+")


def is_suffix(text: str) -> bool:
    """Whether ``text`` is one file suffix with its dot, as ``Path.suffix`` gives it (``".wav"``;
    not ``"wav"``, ``"."`` or ``".tar.gz"``)."""
    return _SUFFIX.fullmatch(text) is not None


def check_extensions(extensions: Iterable[str], modality: str | None = None, *, readable: bool = True,
                     where: str | None = None) -> tuple[str, ...]:
    """``extensions`` as lower-case file suffixes, in the order given, without repeats; checked before
    any file is looked at.

    Each is one suffix with its dot, as ``Path.suffix`` gives it (``".wav"``, ``".OGA"``); case
    does not matter when files are matched. With ``readable`` (the default), each must be one that
    ``modality``'s ``load`` reads (its ``extensions``), or, without ``modality``, one that some
    registered modality reads.

    Args:
        extensions: the suffixes, e.g. ``(".wav", ".oga")``.
        modality: the registered modality whose files they name; None for any.
        readable: check that a modality reads them (False: a custom loader will).
        where: how a message names the argument (default ``extensions=[...]``, as given).

    Returns:
        The suffixes, lower-cased.

    Raises:
        WrongArgumentType: for a single ``str`` (give a sequence: ``(".wav",)``) or an item that is not a str.
        InvalidArgument: for no suffixes, one that is not a dot and a suffix (``"wav"``, ``""``,
            ``".tar.gz"``), or one the modality does not read (naming it and those the modality reads).

    Example:
        >>> check_extensions([".WAV", ".oga"], "audio")
        ('.wav', '.oga')
    """
    if isinstance(extensions, (str, bytes)):
        raise WrongArgumentType(f"extensions={extensions!r} must be a sequence of suffixes, e.g. "
                                f"({str(extensions)!r},), not one string")
    given = list(extensions)
    shown = where if where is not None else f"extensions={given!r}"[:200]
    if not given:
        raise InvalidArgument(f"{shown}: give at least one suffix, e.g. ('.wav',)")
    for item in given:
        if not isinstance(item, str):
            raise WrongArgumentType(f"{shown}: every suffix must be a str, got {type(item).__name__}")
        if not is_suffix(item):
            raise InvalidArgument(f"{shown}: {item!r} is not a file suffix; write one suffix with its dot, "
                                  "as Path.suffix gives it (e.g. '.wav')")
    wanted = tuple(dict.fromkeys(item.lower() for item in given))
    if not readable:
        return wanted
    if modality is not None:
        descriptor = modalities.get(modality)
        reads = tuple(e.lower() for e in descriptor.extensions)
        unread = [e for e in wanted if e not in reads]
        if unread:
            raise InvalidArgument(f"{shown}: the {descriptor.name} modality does not read {', '.join(unread)} files; "
                                  f"it reads {', '.join(reads) or 'no files'}")
        return wanted
    kinds = suffix_modalities()
    unread = [e for e in wanted if e not in kinds]
    if unread:
        raise InvalidArgument(f"{shown}: no modality reads {', '.join(unread)} files; known extensions: "
                              f"{', '.join(sorted(kinds))}")
    return wanted


class NoFiles(InvalidInput):
    """A folder holds no file with the extensions looked for.

    Attributes:
        folder: the folder.
        extensions: the suffixes looked for.
        modality: the modality whose files were looked for (``""``: any).
        chosen: True when the caller chose the suffixes (``extensions=``), False when they are the
            modality's own.
    """

    def __init__(self, message: str, folder: str | Path, extensions: Sequence[str], modality: str = "",
                 chosen: bool = False) -> None:
        self.folder, self.extensions, self.modality, self.chosen = str(folder), tuple(extensions), modality, chosen
        super().__init__(message)


def suffix_modalities() -> dict[str, str]:
    """Suffix -> the modality :func:`augkit.core.modalities.for_path` gives files with it."""
    found: dict[str, str] = {}
    for name in modalities.names():
        for suffix in modalities.get(name).extensions:
            found.setdefault(suffix.lower(), name)
    return found
