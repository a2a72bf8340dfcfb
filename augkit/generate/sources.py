"""What a generate job reads: the samples of a source (a folder, a file, samples in memory) in a fixed
order, with their modality, where each came from and its class label.

Nothing in a folder is skipped silently: besides the files of the dataset's modality, every entry
that looks like an input but cannot be one becomes an item with a ``problem``, which the job
records as a failure with that reason (and never opens): a link that dangles or loops, a link to a
folder (not followed: links can loop), a FIFO, a socket or a device (itself or through a link), a
file whose name is not UTF-8, and a file the modality does not read although its type says it is
of that modality (an ``.gif`` in an image folder). A link to a regular file is read like the file.
With ``extensions`` given, only the entries with those suffixes are looked at: the caller chose them.

A manifest (JSONL or CSV, :class:`augkit.datasets.ManifestDataset`) gives one sample per row: the
row's field of the generator's modality (a file, loaded by the workers, or the sample itself, a
caption), its ``label`` the sample's label (string labels numbered as folder classes are). A row
without that field is an item with a ``problem`` too, recorded as a failure: every row keeps its index.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augkit.core import modalities
from augkit.core.errors import InvalidArgument, InvalidInput, MissingFile, WrongArgumentType
from augkit.datasets.manifest import MANIFEST_SUFFIXES
from augkit.datasets.suffixes import NoFiles, check_extensions

__all__ = ["Item", "file_kind", "list_source", "manifest_items", "path_text", "printable", "row_digest"]


@dataclass(frozen=True)
class Item:
    """One sample of the source: a file to load, or a value; where it came from; its label; or, for an
    entry that cannot be a sample, the ``problem`` the job records for it."""

    index: int
    source: Any  # JSON-safe: a path, or {"path": ..., "item": k}, {"path": ..., "line": n}, or {"item": k}
    path: str | None = None
    value: Any = None
    label: Any = None  # a class number, or a manifest row's label as written when not a class name
    label_name: str | None = None
    problem: str | None = None
    #: for a manifest row: the sha256 of the row, so that an edited row makes another job
    row_sha256: str | None = None


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on or hide escaped (control characters,
    escape sequences, bidirectional overrides, lone surrogates of undecodable bytes): ``\\x1b``,
    ``\\u202e``, ``\\udcff``. Everything generate prints goes through it."""
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


def path_text(path: str | Path) -> str:
    """A path as JSON-safe text: undecodable bytes of its name (kept by Python as lone surrogates)
    escaped, as ``\\xe9``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def file_kind(mode: int) -> str:
    """What a ``st_mode`` is, in words."""
    for test, name in ((stat.S_ISREG, "regular file"), (stat.S_ISDIR, "folder"), (stat.S_ISLNK, "symbolic link"),
                       (stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "special file"


def _utf8(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_NOT_UTF8 = "its name is not valid UTF-8 ({}), so it cannot be recorded; rename it (e.g. with convmv) to read it"
_UNREAD = "unread"


def _problem(path: Path) -> str | None:
    """Why the entry ``path`` (not a real folder) cannot be a sample, or None for a regular file or
    a link to one."""
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        target = path_text(os.readlink(path))
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            return f"it is a link to {target}, which does not exist"
        except OSError as exc:
            return f"it is a link that cannot be followed ({exc.strerror}: it may loop)"
        if stat.S_ISDIR(mode):
            return f"it is a link to the folder {target}; links to folders are not followed (they can loop): give " \
                   "that folder as a source of its own"
        if not stat.S_ISREG(mode):
            return f"it is a link to a {file_kind(mode)} ({target}), not to a regular file"
        return None
    if not stat.S_ISREG(mode):
        return f"it is a {file_kind(mode)}, not a regular file"
    return None


_TYPES = mimetypes.MimeTypes()  # Python's own table only, the same on every machine


def _unread_kind(path: Path) -> str | None:
    """The modality a file's type names (``image`` for ``.gif``) when no modality reads its suffix."""
    kind = _TYPES.guess_type(path.name)[0]
    major = kind.split("/")[0] if kind else None
    return major if major in modalities.names() else None


def list_source(source: Any, modality: str, encoding: str | None = None,
                extensions: Sequence[str] | None = None) -> tuple[list[Item], str, list[str]]:
    """The samples of ``source`` in a fixed order, their modality and the class names (the entries
    that cannot be samples are items with a ``problem``; see the module's docstring).

    Args:
        source: a folder, a file, a list of them, manifests (:func:`manifest_items`), or samples
            in memory.
        modality: the modality of the samples (``""``: the files' own, one for all).
        encoding: how text files are decoded (not manifests: they are UTF-8).
        extensions: the suffixes of the files to take from folders (``(".wav", ".oga")``, matched
            ignoring case); files named as sources are read as named (not given with manifests).

    Raises:
        InvalidArgument / WrongArgumentType: for ``extensions`` that are not suffixes or that the
            modality (or, without one, every modality) does not read, before any file is looked at
            (:func:`augkit.datasets.suffixes.check_extensions`); for an ``encoding`` of sources
            that are not text.
        NoFiles: for a folder with no file of the modality, or none with ``extensions``.
        InvalidInput: for sources that mix modalities (or manifests with files and folders), a file
            no modality reads, or no sample file; a manifest that cannot be read.
        FileNotFoundError: for a source that does not exist.
    """
    wanted = None if extensions is None else check_extensions(extensions, modality or None)
    if isinstance(source, (str, Path)):
        paths = [Path(source)]
    elif isinstance(source, Sequence) and source and all(isinstance(s, (str, Path)) for s in source):
        paths = [Path(s) for s in source]
        if any(_is_manifest(p) for p in paths) and not all(_is_manifest(p) for p in paths):
            raise InvalidInput(f"give manifests ({', '.join(MANIFEST_SUFFIXES)}) or files and folders as sources, "
                               "not both")
    elif hasattr(source, "__len__") and hasattr(source, "__getitem__") and not isinstance(source, (bytes, str)):
        if not modality:
            raise InvalidArgument("samples in memory need a generator of one modality (or modality=...)")
        return [Item(i, {"item": i}, value=source[i]) for i in range(len(source))], modality, []
    else:
        raise WrongArgumentType(f"source must be a path, a list of paths or a list of samples, got "
                                f"{type(source).__name__}")
    if _is_manifest(paths[0]):
        for name, given in (("encoding", encoding), ("extensions", extensions)):
            if given is not None:
                raise InvalidArgument(f"{name}={given!r}: {paths[0]} is a manifest, which names its files and is "
                                      f"read as UTF-8; {name} is for folders and text files")
        return manifest_items(paths, modality)
    # (source, path, value, class, problem, the modality it would be a sample of: None for any)
    found: list[tuple[Any, str | None, Any, str | None, str | None, str | None]] = []
    kinds: dict[str, int] = {}
    known = ", ".join(sorted({e for n in modalities.names() for e in modalities.get(n).extensions}))
    for path in paths:
        if not _utf8(path):
            raise InvalidInput(f"the source path {path_text(path)} is not valid UTF-8 text; rename it")
        if path.is_dir():
            before = len(found)
            for f in sorted(path.rglob("*")):
                if f.is_dir() and not f.is_symlink():
                    continue
                if wanted is not None and f.suffix.lower() not in wanted:
                    continue  # not a suffix asked for: not an entry of this dataset
                m = modalities.for_path(f, modality or None)
                kind = m.name if m is not None else _unread_kind(f)
                other = kind is None or bool(modality and kind != modality)  # not a sample of this dataset
                if not _utf8(f):
                    if not other:
                        found.append((path_text(f), None, None, None, _NOT_UTF8.format(path_text(f)), kind))
                    continue
                problem = _problem(f)
                if problem is not None:  # a link that cannot be read, a FIFO, a device: whatever its name
                    if kind is None or not other:
                        found.append((str(f), None, None, None, problem, kind))
                    continue
                if other:
                    continue  # a README, a file of another modality
                if m is None:  # its type names the modality, which does not read its suffix: see below
                    found.append((str(f), None, None, None, _UNREAD, kind))
                    continue
                kinds[m.name] = kinds.get(m.name, 0) + 1
                rel = f.relative_to(path)
                found.append((str(f), str(f), None, rel.parts[0] if len(rel.parts) > 1 else None, None, m.name))
            if len(found) == before:
                if wanted is not None:
                    raise NoFiles(f"{path} holds no {modality or 'sample'} files with extensions {', '.join(wanted)}",
                                  path, wanted, modality, chosen=True)
                looked = modalities.get(modality).extensions if modality else tuple(known.split(", "))
                raise NoFiles(f"{path} holds no {modality or 'sample'} files ({', '.join(looked)})", path, looked,
                              modality)
        elif os.path.lexists(path):
            problem = _problem(path)
            if problem is not None:
                raise InvalidInput(f"source {path}: {problem}")
            m = modalities.for_path(path, modality or None)
            if m is None:
                raise InvalidInput(f"{path}: no modality reads {path.suffix or 'files without a suffix'}; "
                                   f"known: {known}")
            if modality and m.name != modality:
                raise InvalidInput(f"{path} holds {m.name}, but the generator takes {modality}")
            kinds[m.name] = kinds.get(m.name, 0) + 1
            if encoding is not None:
                _check_encoding(encoding, m)
            if isinstance(m, modalities.BaseModality) and type(m).read is modalities.BaseModality.read:
                found.append((str(path), str(path), None, None, None, m.name))  # one sample: loaded by the worker
            else:
                read = m.read(path) if encoding is None else m.read(path, encoding=encoding)
                found += [({"path": str(path), "item": k}, None, v, None, None, m.name) for k, v in enumerate(read)]
        else:
            raise MissingFile(f"source {path} does not exist (a list of str is read as paths: write texts "
                              "held in memory to a file, one per line)")
    if len(kinds) > 1:
        counts = ", ".join(f"{n} {name}" for name, n in sorted(kinds.items()))
        raise InvalidInput(f"the source mixes modalities ({counts}); give a generator of one modality or "
                           "pass modality=")
    chosen = modality or next(iter(kinds), "")
    if not chosen:
        raise InvalidInput(f"{printable(str(source))} holds no sample files ({known}), only {len(found)} entries "
                           "that cannot be read (links, FIFOs, devices, names that are not UTF-8)")
    if encoding is not None:  # the files of a folder, loaded by the workers, are decoded with it too
        _check_encoding(encoding, modalities.get(chosen))
    kept = []
    for src, p, v, c, problem, kind in found:
        if kind is not None and kind != chosen:
            continue  # an entry of another modality (found before the modality was known)
        if problem == _UNREAD:
            problem = (f"the {chosen} modality does not read {Path(src).suffix} files (it reads "
                       f"{', '.join(modalities.get(chosen).extensions)}); convert it to one of those")
        kept.append((src, p, v, c, problem))
    classes = sorted({c for _, _, _, c, _ in kept if c is not None})
    items = [Item(i, src, path=p, value=v, label=None if c is None else classes.index(c), label_name=c,
                  problem=problem) for i, (src, p, v, c, problem) in enumerate(kept)]
    return items, chosen, classes


def manifest_items(paths: Sequence[Path], modality: str) -> tuple[list[Item], str, list[str]]:
    """The rows of manifests as the samples of a generator of one modality, that modality and the
    class names: each row's field of ``modality`` (``""``: the manifests' one modality field) is the
    sample, a file (its path, loaded by whoever reads the item) or the sample itself (a caption);
    a row without it is an item with a ``problem``. String labels are numbered in the order of the
    sorted class names (as a folder's classes); other labels are kept as written.

    Raises:
        InvalidInput: for a manifest without one field of ``modality`` (or, for ``""``, with several
            modality fields), or manifests of different modalities; what
            :class:`augkit.datasets.ManifestDataset` raises for a manifest it refuses.
    """
    from augkit.datasets.manifest import ManifestDataset

    found: list[tuple[dict[str, Any], str | None, Any, Any, str | None, str]] = []
    chosen = modality
    for path in paths:
        data = ManifestDataset(path)
        fields = [f for f, m in data.fields.items() if m == chosen or not chosen]
        if len(fields) != 1:
            listed = ", ".join(f"{f} ({m})" for f, m in data.fields.items()) or "none"
            if chosen:
                raise InvalidInput(f"{path}: a generator of {chosen} samples reads one {chosen} field of each row, "
                                   f"and the manifest's modality fields are {listed}; give a manifest with one "
                                   f"{chosen} field, or a generator of dict samples")
            raise InvalidInput(f"{path}: the generator's ops take any modality, and the manifest's modality fields "
                               f"are {listed}; give a generator of one modality (modality=, --modality in augkit "
                               "generate) or of dict samples")
        field = fields[0]
        chosen = chosen or data.fields[field]
        descriptor = modalities.get(chosen)
        for line, row in zip(data.lines, data.rows, strict=True):
            value, file, problem = row.get(field), None, None
            if value is None:
                problem = f"the row has no {field!r} field (its keys: {', '.join(map(str, row))})"
            else:
                try:
                    value = descriptor.check(value)  # the sample itself (a caption)
                except TypeError:  # a path, which the manifest checked: inside its folder, a file of the modality
                    value, file = None, str(data.base / row[field])
            found.append(({"path": path_text(path), "line": line}, file, value, row.get("label"), problem,
                          row_digest(row)))
    labels = [label for _, _, _, label, _, _ in found if label is not None]
    classes = sorted(set(labels)) if labels and all(isinstance(label, str) for label in labels) else []
    items = [Item(i, src, path=file, value=value, problem=problem, row_sha256=digest,
                  label=classes.index(label) if classes and label is not None else label,
                  label_name=label if classes else None)
             for i, (src, file, value, label, problem, digest) in enumerate(found)]
    return items, chosen, classes


def row_digest(row: Any) -> str:
    """The sha256 of a manifest row (its keys sorted), as hex."""
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()


def _is_manifest(path: Path) -> bool:
    return path.suffix.lower() in MANIFEST_SUFFIXES


def _check_encoding(encoding: str, descriptor: Any) -> None:
    if not modalities.reads_text(descriptor):
        raise InvalidArgument(f"encoding={encoding!r}: {descriptor.name} sources are not text; give an encoding for "
                              "text sources only")
