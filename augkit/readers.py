"""Readers: the files of a folder, the lines of a text file, the rows of a manifest, and the
samples that sources named on a command line hold.

Which files a reader keeps and how it loads them is up to each modality's descriptor
(:mod:`augkit.modalities`): its ``extensions``, ``load`` and ``read``.
"""

from __future__ import annotations

import copy
import csv
import inspect
import io
import json
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from augkit import modalities
from augkit.audio.modality import EXTENSIONS as AUDIO_EXTENSIONS
from augkit.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType
from augkit.image.modality import EXTENSIONS as IMAGE_EXTENSIONS

__all__ = [
    "AUDIO_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "MANIFEST_SUFFIXES",
    "FolderDataset",
    "ManifestDataset",
    "ModalityMismatch",
    "read_lines",
    "read_sources",
]

#: Manifest suffixes :class:`ManifestDataset` reads, and the format each one names.
MANIFEST_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv"}


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
        ValueError: (:class:`augkit.errors.InvalidInput`) naming the path when it is a folder, or
            when it is not valid ``encoding`` text (with the line and byte of the first bad byte);
            (:class:`augkit.errors.InvalidArgument`) for an unknown ``encoding``.

    Example:
        >>> sentences = read_lines("data/sentences.txt")   # 1,500 str
    """
    text = _decode(Path(path), encoding, "text file")
    lines = text.splitlines()
    return [line for line in lines if line.strip()] if skip_blank else lines


def _decode(path: Path, encoding: str, what: str) -> str:
    """``path`` decoded whole, a leading byte-order mark dropped; errors name the path, line and byte."""
    if path.is_dir():
        raise InvalidInput(f"{what} {path} is a folder, not a file: give a file inside it")
    if not path.is_file():
        raise FileNotFoundError(f"{what} {path} does not exist")
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


class FolderDataset(torch.utils.data.Dataset[Any]):
    """The files under ``root`` of one modality (or with the given extensions), sorted; items are
    loaded samples.

    Which files are kept, and how each is loaded:

    - ``modality`` given: that descriptor's extensions (or ``extensions``, when given too), each
      file loaded with ``descriptor.load(path, **load_options)`` (``encoding=`` reads text);
    - ``extensions`` only: the files with those suffixes, each loaded by the descriptor that
      :func:`augkit.modalities.for_path` finds for it;
    - neither: the files some registered modality reads; they must all be of one modality (a
      folder of photos gives uint8 RGB arrays, ``H×W`` for grayscale files as for a grayscale
      numpy array; audio files give float32 ``[channels, time]`` tensors; text files one string each).

    Audio is resampled on load to ``sample_rate``, **16000 Hz unless told otherwise** (the audio
    descriptor's default), so every clip has the rate its ops are built for: a 44.1 kHz and an
    8 kHz file both give 16,000 samples per second. ``sample_rate=None`` keeps each file's own
    rate; ask for it only when you track the rates yourself (a clip carries none). The rate the
    clips have is ``self.sample_rate`` (None for other modalities, a custom ``loader`` or
    ``sample_rate=None``).

    Labels come from the first-level sub-folder names when ``labels_from_folders`` is True
    (``root/cat/1.jpg`` → label index of ``"cat"`` in ``classes``), ImageFolder-style.

    Args:
        root: the folder to scan recursively.
        extensions: lower-case suffixes to keep (``(".flac",)``).
        loader: turns a path into a sample, instead of the descriptors' ``load``.
        labels_from_folders: return ``(sample, label_index)`` pairs.
        modality: the registered modality of the samples (``self.modality``; ``""`` when the kept
            files span several modalities or none claims them and ``loader`` reads them).
        load_options: keywords for the descriptor's ``load`` (``sample_rate=``, ``mono=True`` for audio).

    Raises:
        FileNotFoundError: when ``root`` is not a folder.
        ValueError: for an unknown ``modality``; when no file under ``root`` is kept; when, with
            neither ``modality`` nor ``extensions``, the files are of several modalities (naming
            them and their counts); when, without ``loader``, no modality reads a kept suffix.
        TypeError: when ``load_options`` are given with a ``loader``, or ``sample_rate`` is not a number.

    Example:
        >>> clips = FolderDataset("data/audio", modality="audio", sample_rate=16000)
    """

    def __init__(
        self,
        root: str | Path,
        extensions: Sequence[str] | None = None,
        loader: Callable[[Path], Any] | None = None,
        labels_from_folders: bool = False,
        modality: str | None = None,
        **load_options: Any,
    ) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"FolderDataset root {self.root} is not a folder")
        if loader is not None and load_options:
            raise WrongArgumentType(f"FolderDataset: load options {sorted(load_options)} are for the modality's "
                                    "load; a custom loader takes the path only")
        descriptor = modalities.get(modality) if modality is not None else None
        kinds = _suffix_modalities()  # one lookup per file, not a registry scan
        files = sorted(p for p in self.root.rglob("*") if p.is_file())
        if extensions is not None or descriptor is not None:
            chosen = extensions if extensions is not None else descriptor.extensions if descriptor else ()
            wanted = tuple(e.lower() for e in chosen)
            self.paths = [p for p in files if p.suffix.lower() in wanted]
            if not self.paths:
                kind = f" ({descriptor.name} files)" if descriptor is not None else ""
                raise InvalidInput(f"no files with extensions {list(wanted)}{kind} under {self.root}")
        else:
            self.paths = [p for p in files if p.suffix.lower() in kinds]
            if not self.paths:
                raise InvalidInput(f"no files with extensions of a registered modality under {self.root} "
                                   f"(known: {', '.join(sorted(kinds))})")
        counts = Counter(kinds.get(p.suffix.lower(), "") for p in self.paths)
        unread = counts.pop("", 0)
        if descriptor is None and extensions is None and len(counts) > 1:
            raise InvalidInput(f"{self.root} holds files of several modalities ({_describe_counts(counts)}): "
                               f"pass modality= to keep one, e.g. FolderDataset({str(self.root)!r}, "
                               f"modality={counts.most_common(1)[0][0]!r})")
        if descriptor is None and loader is None and unread:
            suffixes = sorted({p.suffix.lower() for p in self.paths if p.suffix.lower() not in kinds})
            raise InvalidInput(f"no modality reads {', '.join(suffixes)} files under {self.root}: pass "
                               "modality= or loader=")
        if descriptor is not None:
            self.modality = descriptor.name
        else:  # "" when the files span modalities, or a loader reads files no modality claims
            self.modality = next(iter(counts)) if len(counts) == 1 and not unread else ""
        self.loader = loader
        self.load_options = dict(load_options)
        used = [descriptor] if descriptor is not None else [modalities.get(name) for name in counts]
        self.sample_rate = None if loader is not None else _sample_rate(used, self.load_options)
        self.labels_from_folders = labels_from_folders
        self.classes = sorted({p.relative_to(self.root).parts[0] for p in self.paths if p.parent != self.root})

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> Any:
        path = self.paths[index]
        try:
            sample = self.load(path)
        except InvalidInput as err:  # a corrupt file: name the item too, the path is in the message
            raise InvalidInput(f"FolderDataset item {index}: {err}") from None
        if not self.labels_from_folders:
            return sample
        folder = path.relative_to(self.root).parts[0] if path.parent != self.root else None
        if folder is None:
            raise ValueError(f"{path} lies directly in {self.root}; labels_from_folders needs class sub-folders")
        return sample, self.classes.index(folder)

    def load(self, path: Path) -> Any:
        """One file as a sample: ``loader(path)``, or the descriptor's ``load``."""
        if self.loader is not None:
            return self.loader(path)
        descriptor = modalities.get(self.modality) if self.modality else modalities.for_path(path)
        if descriptor is None:  # the constructor made sure every kept suffix is read by some modality
            raise InvalidInput(f"no modality reads {path}")
        return descriptor.load(path, **self.load_options)


class ManifestDataset(torch.utils.data.Dataset[dict[str, Any]]):
    """The rows of a manifest file, each item a dict whose modality fields are loaded samples.

    A manifest is JSONL (``.jsonl``/``.ndjson``: one JSON object per line; blank lines are
    skipped) or CSV (``.csv``, or ``.tsv`` tab-separated: a header row naming the columns). A row
    such as ``{"image": "a.jpg", "text": "a dog on the left", "audio": "a.wav", "label": 3}``
    gives the item ``{"image": uint8 array, "text": "a dog on the left", "audio": [channels, time]
    tensor, "label": 3}``, ready for a ``ViewGenerator`` of dict samples.

    - **Fields.** A key named after a registered modality (:func:`augkit.modalities.names`) is a
      field of that modality; ``fields`` maps other names (``{"photo": "image", "caption":
      "text"}``) or, with None, passes a modality-named key through untouched. Every other key
      passes through as it is (labels, ids, metadata).
    - **Values.** A value the modality's ``check`` takes as it is, is the sample itself: a caption
      is the text, not a file name. Other values (image, audio) are paths, loaded lazily in
      ``__getitem__`` with the modality's ``load`` (``load_options`` passed on; audio is
      resampled to ``sample_rate``, 16000 Hz by default, ``sample_rate=None`` keeps each file's
      own rate; ``self.sample_rate`` says which). A row may leave a field out (an image row
      without audio); a JSON ``null`` leaves it out too, and the item then has no such key.
    - **Paths** are relative to ``base``, by default the manifest's folder. An absolute path, or
      one that leaves that folder (through ``..`` or a symlink, after resolving both), is
      refused, so a manifest from elsewhere cannot make the loader read arbitrary files. Every
      path is checked when the dataset is made: it must name an existing file with one of its
      modality's extensions.
    - **CSV values stay strings**, except a ``label`` column whose every value is an integer,
      which becomes int; an empty cell means the row has no value for that column.

    Attributes:
        path: the manifest; base: the folder paths are relative to.
        rows: the parsed rows (dicts, paths as written), in file order; ``lines``: the line each starts on.
        fields: field name -> modality, for the modality fields found in any row, in order.
        sample_rate: the rate audio fields are loaded at (None: each file's own, or no audio).

    Args:
        path: the manifest file.
        fields: field name -> modality name (or None: pass through), on top of the
            modality-named keys.
        base: the folder that paths are relative to and must stay inside.
        load_options: keywords for the descriptors' ``load`` (``sample_rate=``, ``mono=True``).

    Raises:
        FileNotFoundError: when the manifest, ``base`` or a file a row names does not exist
            (naming the manifest, the line and the field).
        ValueError: naming the manifest and the line (and the field, for a value): a folder given
            as the manifest, a suffix other than :data:`MANIFEST_SUFFIXES`, a manifest that is not
            UTF-8, invalid JSON, a row that is not an object, a CSV row with more cells than the
            header, an empty or duplicate column name, no rows at all, an absolute path or one
            that leaves ``base``, a path to a folder or with a suffix the modality does not read,
            a value its modality refuses; ``fields`` naming an unknown modality or a field no
            row has.
        TypeError: for a value of the wrong type (a number where a path is expected), or
            ``fields`` that is not a mapping of str.

    Loading an item raises a ValueError (FileNotFoundError if the file went away) naming the
    dataset index, the line, the field and the path, for a corrupt image or audio file.

    Example:
        >>> pairs = ManifestDataset("data/captions.jsonl")
        >>> pairs[0]["text"], pairs[0]["image"].shape
        ('An astronaut in an orange suit ...', (500, 500, 3))
    """

    def __init__(self, path: str | Path, fields: Mapping[str, str | None] | None = None,
                 base: str | Path | None = None, **load_options: Any) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if self.path.is_dir():
            raise InvalidInput(f"manifest {self.path} is a folder, not a file: give the .jsonl or .csv file in it")
        if not self.path.is_file():
            raise FileNotFoundError(f"manifest {self.path} does not exist")
        kind = MANIFEST_SUFFIXES.get(suffix)
        if kind is None:
            raise InvalidInput(f"manifest {self.path}: cannot tell its format from the suffix {suffix or '(none)'}; "
                               "name it .jsonl (one JSON object per line) or .csv/.tsv (a header row first)")
        self.base = self.path.parent if base is None else Path(base)
        if not self.base.is_dir():
            raise FileNotFoundError(f"ManifestDataset base {self.base} is not a folder")
        mapping = _check_fields(fields)
        text = _decode(self.path, "utf-8", "manifest")
        parsed = _jsonl_rows(self.path, text) if kind == "jsonl" else \
            _csv_rows(self.path, text, "\t" if kind == "tsv" else ",")
        if not parsed:
            raise InvalidInput(f"manifest {self.path} holds no rows: write one "
                               f"{'JSON object per line' if kind == 'jsonl' else 'row under the header'}")
        self.lines = [line for line, _ in parsed]
        self.rows = [row for _, row in parsed]
        keys = list(dict.fromkeys(key for row in self.rows for key in row))
        absent = [name for name in mapping if name not in keys]
        if absent:
            raise InvalidInput(f"ManifestDataset fields= names {absent[0]!r}, which no row of {self.path} has; "
                               f"its keys: {', '.join(keys)}")
        known = set(modalities.names())
        self.fields: dict[str, str] = {}
        for key in keys:
            kind_of = mapping[key] if key in mapping else key if key in known else None
            if kind_of is not None:
                self.fields[key] = kind_of
        self.load_options = dict(load_options)
        self.sample_rate = _sample_rate([modalities.get(m) for m in dict.fromkeys(self.fields.values())],
                                        self.load_options)
        self._root = self.base.resolve()
        # what each modality field of each row holds: a file to load, or the (checked) sample itself
        self._sources = [self._sources_of(line, row) for line, row in parsed]

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        i = operator.index(index)
        if not -len(self.rows) <= i < len(self.rows):
            raise IndexError(f"ManifestDataset index {index} is out of range for {len(self.rows)} rows")
        i %= len(self.rows)
        item: dict[str, Any] = {}
        for key, value in self.rows[i].items():
            if key not in self.fields:
                item[key] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
            elif key in self._sources[i]:
                source = self._sources[i][key]
                item[key] = self._load(i, key, source) if isinstance(source, _File) else source
        return item

    def _where(self, line: int, key: str) -> str:
        return f"{self.path}, line {line}, field {key!r}"

    def _sources_of(self, line: int, row: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in row.items():
            modality = self.fields.get(key)
            if modality is None or value is None:
                continue
            descriptor = modalities.get(modality)
            try:
                found[key] = descriptor.check(value)  # the sample itself (a caption)
                continue
            except TypeError as err:
                if not isinstance(value, str):
                    raise WrongInputType(f"{self._where(line, key)}: expected the path of a file of the {modality} "
                                         f"modality, or a sample of it, got {type(value).__name__} ({err})") from None
            except ValueError as err:
                raise InvalidInput(f"{self._where(line, key)}: {err}") from None
            found[key] = self._file(line, key, value, descriptor)
        return found

    def _file(self, line: int, key: str, value: str, descriptor: Any) -> _File:
        where = self._where(line, key)
        if not value.strip():
            raise InvalidInput(f"{where}: the path is empty; give a {descriptor.name} file relative to {self.base}")
        relative = Path(value)
        if relative.is_absolute() or relative.drive:
            raise InvalidInput(f"{where}: the path {value!r} is absolute; write it relative to the manifest's "
                               f"folder {self.base}")
        try:
            resolved = (self._root / relative).resolve()
            inside = resolved.is_relative_to(self._root)
            is_dir, is_file = resolved.is_dir(), resolved.is_file()
        except (OSError, RuntimeError, ValueError) as exc:  # NUL bytes, overlong names, symlink loops
            raise InvalidInput(f"{where}: the path {value!r} cannot be resolved ({exc})") from None
        if not inside:
            raise InvalidInput(f"{where}: the path {value!r} leaves the manifest's folder {self.base} (it resolves "
                               f"to {resolved}); keep the files inside it")
        if relative.suffix.lower() not in descriptor.extensions:
            named = ", ".join(descriptor.extensions) or "no files"
            raise InvalidInput(f"{where}: {value!r} is not a file of the {descriptor.name} modality, which reads "
                               f"{named}")
        if is_dir:
            raise InvalidInput(f"{where}: {value!r} is a folder, not a {descriptor.name} file")
        if not is_file:
            raise FileNotFoundError(f"{where}: the {descriptor.name} file {value!r} does not exist (looked for "
                                    f"{self.base / relative})")
        return _File(resolved)

    def _load(self, i: int, key: str, source: _File) -> Any:
        where = f"ManifestDataset item {i} ({self.path}, line {self.lines[i]}), field {key!r}, {source.path}"
        try:
            return modalities.get(self.fields[key]).load(source.path, **self.load_options)
        except FileNotFoundError as err:
            raise FileNotFoundError(f"{where}: {err}") from err
        except TypeError as err:
            raise WrongInputType(f"{where}: {err}") from err
        except (AugkitError, OSError, ValueError) as err:
            raise InvalidInput(f"{where}: {err}") from err


class _File:
    """A checked path a manifest field names (told apart from a sample that is a str)."""

    __slots__ = ("path",)

    def __init__(self, path: Path) -> None:
        self.path = path


def _check_fields(fields: Mapping[str, str | None] | None) -> dict[str, str | None]:
    if fields is None:
        return {}
    if not isinstance(fields, Mapping):
        raise WrongArgumentType(f"fields must map field names to modality names ({{'photo': 'image'}}), "
                                f"got {type(fields).__name__}")
    known = modalities.names()
    for name, modality in fields.items():
        if not isinstance(name, str) or not (modality is None or isinstance(modality, str)):
            raise WrongArgumentType(f"fields must map str to a modality name or None, got {name!r}: {modality!r}")
        if modality is not None and modality not in known:
            raise InvalidArgument(f"fields={{{name!r}: {modality!r}}}: no modality named {modality!r}; "
                                  f"registered: {', '.join(known)}")
    return dict(fields)


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    # only \n ends a line: JSON strings may hold U+2028 and other separators unescaped
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except RecursionError:
            raise InvalidInput(f"{path}, line {number}: the JSON is nested too deeply") from None
        except ValueError as exc:  # JSONDecodeError, and integers past Python's digit limit
            detail = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise InvalidInput(f"{path}, line {number}: not valid JSON ({detail}); each line must be one "
                               "JSON object") from None
        if not isinstance(row, dict):
            raise InvalidInput(f"{path}, line {number}: a row must be a JSON object such as "
                               f'{{"image": "a.jpg", "text": "..."}}, got {type(row).__name__}')
        rows.append((number, row))
    return rows


_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def _csv_rows(path: Path, text: str, delimiter: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            hint = "; a cell that long needs a JSONL manifest" if "field limit" in str(exc) else ""
            raise InvalidInput(f"{path}, line {start}: not valid CSV ({exc}){hint}") from None
        number, start = start, reader.line_num + 1
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            for k, name in enumerate(header):
                if not name:
                    raise InvalidInput(f"{path}, line {number}: column {k + 1} of the header has no name")
                if name in header[:k]:
                    raise InvalidInput(f"{path}, line {number}: the header names column {name!r} twice")
            continue
        if len(cells) > len(header):
            raise InvalidInput(f"{path}, line {number}: the row has {len(cells)} cells, more than the header's "
                               f"columns ({', '.join(map(repr, header))})")
        rows.append((number, {name: cell for name, cell in zip(header, cells, strict=False) if cell != ""}))
    labels = [row["label"] for _, row in rows if "label" in row]
    if labels and all(_INTEGER.fullmatch(label) for label in labels):
        for _, row in rows:
            if "label" in row:
                row["label"] = int(row["label"])
    return rows


class ModalityMismatch(InvalidInput):
    """A source holds samples of another modality than the one asked for.

    Attributes:
        path: the source.
        found: the modality (or modalities, comma-separated) it holds.
        wanted: the modality asked for.
    """

    def __init__(self, path: str | Path, found: str, wanted: str) -> None:
        self.path, self.found, self.wanted = str(path), found, wanted
        super().__init__(f"{self.path} holds {found}, not {wanted}: give {wanted} sources "
                         f"({', '.join(modalities.get(wanted).extensions) or 'no files'})")


def read_sources(
    paths: str | Path | Iterable[str | Path], modality: str | None = None, *, limit: int | None = None,
    skipped: list[tuple[str, str]] | None = None, **options: Any,
) -> tuple[list[Any], str]:
    """The samples that files and folders named as sources hold, and their modality.

    A folder gives all its files of the modality, sorted (:class:`FolderDataset`, each file one
    sample); a file gives what its modality's ``read`` makes of it (a text file: one sample per
    non-blank line; an image or audio file: one sample). ``options`` go to ``read``/``load``
    (``sample_rate=16000`` for audio, ``encoding=`` for text). Every path is checked before any
    sample is loaded, so a missing or mistyped source fails fast.

    Args:
        paths: one source or several.
        modality: the modality the samples must be of; None takes the sources' own (one for all).
        limit: keep only the first ``limit`` samples (later files are not loaded).
        skipped: when given, a file of a folder that cannot be read (a corrupt image) is skipped
            and ``(path, reason)`` appended here, instead of raising.
        options: keywords for the descriptors' ``read``/``load``.

    Returns:
        ``(samples, modality_name)``.

    Raises:
        FileNotFoundError: naming a source that does not exist.
        ModalityMismatch: (a ValueError) when ``modality`` is given and a source holds another.
        ValueError: for a file no modality reads (naming it and the known extensions), sources of
            several modalities (naming them), an unknown ``modality``, a ``limit`` below 1, a folder
            of mixed modalities without ``modality``, a file that cannot be decoded, or no samples.

    Example:
        >>> texts, kind = read_sources(["data/sentences.txt"], limit=8)   # kind == "text"
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidArgument(f"limit={limit!r} must be a positive integer or None")
    if modality is not None:
        modalities.get(modality)  # an unknown name fails before any file is looked at
    sources = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not sources:
        raise InvalidArgument("read_sources needs at least one file or folder")
    plan: list[tuple[Path, Any]] = []  # (path, descriptor of a file | FolderDataset of a folder)
    first: dict[str, Path] = {}
    for source in sources:
        path = Path(source)
        item: FolderDataset | modalities.Modality
        if path.is_dir():
            item = _folder(path, modality, options)
            kind = item.modality
        elif path.is_file():
            descriptor = modalities.for_path(path)
            if descriptor is None:
                suffix = f"{path.suffix} files" if path.suffix else "files without a suffix"
                raise InvalidInput(f"{path}: no modality reads {suffix}; known extensions: "
                                   f"{', '.join(_known_extensions())}")
            if modality is not None and descriptor.name != modality:
                raise ModalityMismatch(path, descriptor.name, modality)
            kind, item = descriptor.name, descriptor
        else:
            raise FileNotFoundError(f"source {path} does not exist")
        first.setdefault(kind, path)
        if len(first) > 1:
            named = ", ".join(f"{k} ({p})" for k, p in first.items())
            raise InvalidInput(f"the sources mix modalities: {named}; give sources of one modality")
        plan.append((path, item))
    samples: list[Any] = []
    for path, item in plan:
        room = None if limit is None else limit - len(samples)
        if room is not None and room <= 0:
            break
        if isinstance(item, FolderDataset):
            for i in range(len(item)):
                if limit is not None and len(samples) >= limit:
                    break
                if skipped is None:
                    samples.append(item[i])
                    continue
                try:
                    samples.append(item[i])
                except (AugkitError, OSError) as err:
                    skipped.append((str(item.paths[i]), str(err)))
        else:
            samples.extend(item.read(path, **options)[:room])
    if not samples:
        raise InvalidInput(f"the sources hold no samples: {', '.join(str(s) for s in sources)}")
    return samples, next(iter(first))


def _sample_rate(descriptors: Iterable[Any], options: Mapping[str, Any]) -> int | None:
    """The rate (Hz) the descriptors' ``load`` gives clips with ``options``: ``sample_rate`` when
    given (checked), else the default of a ``load`` that takes one (audio's 16000); None when no
    ``load`` takes a rate or ``sample_rate=None`` keeps each file's own."""
    from augkit.args import SampleRate

    if "sample_rate" in options:
        rate = options["sample_rate"]
        return None if rate is None else SampleRate()(rate, "sample_rate")
    for descriptor in descriptors:
        parameter = inspect.signature(descriptor.load).parameters.get("sample_rate")
        if parameter is not None and isinstance(parameter.default, int):
            return parameter.default
    return None


def _known_extensions() -> list[str]:
    """Every file suffix a registered modality reads, sorted."""
    return sorted(_suffix_modalities())


def _suffix_modalities() -> dict[str, str]:
    """Suffix -> the modality :func:`augkit.modalities.for_path` gives files with it."""
    found: dict[str, str] = {}
    for name in modalities.names():
        for suffix in modalities.get(name).extensions:
            found.setdefault(suffix.lower(), name)
    return found


def _folder(path: Path, modality: str | None, options: dict[str, Any]) -> FolderDataset:
    """The folder as a dataset of ``modality``; a folder that holds only other modalities is a mismatch."""
    try:
        return FolderDataset(path, modality=modality, **options)
    except InvalidInput:
        if modality is not None:
            others = _modality_counts(p for p in path.rglob("*") if p.is_file())
            if others and modality not in others:
                raise ModalityMismatch(path, ", ".join(sorted(others)), modality) from None
        raise


def _modality_counts(paths: Iterable[Path]) -> Counter[str]:
    kinds = _suffix_modalities()
    return Counter(kinds[p.suffix.lower()] for p in paths if p.suffix.lower() in kinds)


def _describe_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {name} file{'s' if n != 1 else ''}" for name, n in sorted(counts.items()))
