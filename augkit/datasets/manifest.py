"""Manifests: JSONL or CSV files whose rows name a sample's fields (an image path, a caption, an
audio path, a label), read as dict samples for :class:`augkit.ViewGenerator` over dict samples.

Example:
    >>> rows = ManifestDataset("data/captions.jsonl")
    >>> rows[0]["image"].shape, rows[0]["text"]
"""

from __future__ import annotations

import copy
import csv
import json
import operator
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from augkit.core import modalities
from augkit.core.errors import (
    AugkitError,
    InvalidArgument,
    InvalidInput,
    MissingFile,
    WrongArgumentType,
    WrongInputType,
    quoted,
)
from augkit.core.files import MAX_DEPTH, iter_lines, nesting_fault
from augkit.datasets.readers import _sample_rate, check_load_options, load_file, loader_options

__all__ = ["MANIFEST_SUFFIXES", "ManifestDataset"]

#: Manifest suffixes :class:`ManifestDataset` reads, and the format each one names.
MANIFEST_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv"}


class ManifestDataset(torch.utils.data.Dataset[dict[str, Any]]):
    """The rows of a manifest file, each item a dict whose modality fields are loaded samples.

    A manifest is JSONL (``.jsonl``/``.ndjson``: one JSON object per line; blank lines are
    skipped) or CSV (``.csv``, or ``.tsv`` tab-separated: a header row naming the columns). A row
    such as ``{"image": "a.jpg", "text": "a dog on the left", "audio": "a.wav", "label": 3}``
    gives the item ``{"image": uint8 array, "text": "a dog on the left", "audio": [channels, time]
    tensor, "label": 3}``, ready for a ``ViewGenerator`` of dict samples.

    - **Fields.** A key named after a registered modality (:func:`augkit.core.modalities.names`) is a
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
      path is checked when the dataset is made (it must name an existing file with one of its
      modality's extensions) and again when its item is loaded: a file swapped for a link that
      leaves the folder, or for a FIFO or a device, after the dataset was made is refused then.
    - **Bounds.** The manifest is read as a stream (one chunk and the rows so far in memory); a row
      nested deeper than :data:`augkit.core.files.MAX_DEPTH` levels of lists and objects is refused.
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
        load_options: keywords for the descriptors' ``load`` (``sample_rate=``, ``channels=``, ``color=``);
            one that some modality's ``load`` names but none of the manifest's fields' does is
            refused (``color=`` for a manifest of captions and clips).

    Raises:
        FileNotFoundError: when the manifest, ``base`` or a file a row names does not exist
            (naming the manifest, the line and the field).
        ValueError: naming the manifest and the line (and the field, for a value): a folder given
            as the manifest, a suffix other than :data:`MANIFEST_SUFFIXES`, a manifest that is not
            UTF-8, invalid JSON, a row that is not an object or is nested too deeply, a CSV row with
            more cells than the header, an empty or duplicate column name, an integer label too
            long for an int, no rows at all, an absolute path or one
            that leaves ``base``, a path to a folder or with a suffix the modality does not read,
            a value its modality refuses; ``fields`` naming an unknown modality or a field no
            row has.
        TypeError: for a value of the wrong type (a number where a path is expected),
            ``fields`` that is not a mapping of str, or a load option its fields' modalities do not take.

    Loading an item raises a ValueError (FileNotFoundError if the file went away) naming the
    dataset index, the line, the field and the path, for a corrupt image or audio file, or a file
    that since the check left the folder or stopped being a regular file.

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
            raise MissingFile(f"manifest {self.path} does not exist")
        kind = MANIFEST_SUFFIXES.get(suffix)
        if kind is None:
            raise InvalidInput(f"manifest {self.path}: cannot tell its format from the suffix {suffix or '(none)'}; "
                               "name it .jsonl (one JSON object per line) or .csv/.tsv (a header row first)")
        self.base = self.path.parent if base is None else Path(base)
        if not self.base.is_dir():
            raise MissingFile(f"ManifestDataset base {self.base} is not a folder")
        mapping = _check_fields(fields)
        parsed = _jsonl_rows(self.path) if kind == "jsonl" else _csv_rows(self.path, "\t" if kind == "tsv" else ",")
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
        # a generator's context mixed in (an output's mean) passes by; a reader option is checked
        self.load_options = loader_options(load_options)
        if self.load_options:
            check_load_options([modalities.get(m) for m in dict.fromkeys(self.fields.values()) if m],
                               self.load_options, f"ManifestDataset({str(self.path)!r})")
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
            found[key] = self._file(self._where(line, key), value, descriptor)
        return found

    def _file(self, where: str, value: str, descriptor: Any) -> _File:
        """The checked file ``value`` names: relative, inside the base folder once resolved, a
        regular file with one of the modality's extensions. Run when the dataset is made, and
        again when the item is loaded."""
        if not value.strip():
            raise InvalidInput(f"{where}: the path is empty; give a {descriptor.name} file relative to {self.base}")
        relative = Path(value)
        if relative.is_absolute() or relative.drive:
            raise InvalidInput(f"{where}: the path {quoted(value)} is absolute; write it relative to the base "
                               f"folder {self.base} (the manifest's folder unless base= is given)")
        mode: int | None = None
        try:
            resolved = (self._root / relative).resolve()
            inside = resolved.is_relative_to(self._root)
            mode = resolved.stat().st_mode
        except FileNotFoundError:
            pass
        except (OSError, RuntimeError, ValueError) as exc:  # NUL bytes, overlong names, symlink loops
            raise InvalidInput(f"{where}: the path {quoted(value)} cannot be resolved ({exc})") from None
        is_dir = mode is not None and stat.S_ISDIR(mode)
        if not inside:
            raise InvalidInput(f"{where}: the path {quoted(value)} leaves the base folder {self.base} (it resolves "
                               f"to {resolved}); keep the files inside it, or give base= a folder that holds them")
        if relative.suffix.lower() not in descriptor.extensions:
            named = ", ".join(descriptor.extensions) or "no files"
            raise InvalidInput(f"{where}: {quoted(value)} is not a file of the {descriptor.name} modality, which reads "
                               f"{named}")
        if is_dir:
            raise InvalidInput(f"{where}: {quoted(value)} is a folder, not a {descriptor.name} file")
        if mode is None:
            raise MissingFile(f"{where}: the {descriptor.name} file {quoted(value)} does not exist (looked for "
                                    f"{self.base / relative})")
        if not stat.S_ISREG(mode):
            raise InvalidInput(f"{where}: {quoted(value)} is not a regular file (a FIFO, a device or a socket)")
        return _File(resolved, value)

    def _load(self, i: int, key: str, source: _File) -> Any:
        where = f"ManifestDataset item {i} ({self.path}, line {self.lines[i]}), field {key!r}, {source.path}"
        descriptor = modalities.get(self.fields[key])
        # the check again, now: a file swapped after the dataset was made (for a link that leaves
        # the folder, a FIFO) is refused rather than read
        checked = self._file(where, source.written, descriptor)
        try:
            return load_file(descriptor.load, checked.path, **self.load_options)
        except FileNotFoundError as err:
            raise MissingFile(f"{where}: {err}") from err
        except TypeError as err:
            raise WrongInputType(f"{where}: {err}") from err
        except (AugkitError, OSError, ValueError) as err:
            raise InvalidInput(f"{where}: {err}") from err


class _File:
    """A checked path a manifest field names (told apart from a sample that is a str): resolved, and
    as the row wrote it (checked again when it is opened)."""

    __slots__ = ("path", "written")

    def __init__(self, path: Path, written: str) -> None:
        self.path = path
        self.written = written


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


def _jsonl_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    # only \n ends a line: JSON strings may hold U+2028 and other separators unescaped
    for number, line in enumerate(iter_lines(path, "utf-8", "manifest", ends="newline"), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except RecursionError:
            raise InvalidInput(f"{path}, line {number}: the JSON is nested deeper than {MAX_DEPTH} levels; "
                               "flatten the row") from None
        except ValueError as exc:  # JSONDecodeError, and integers past Python's digit limit
            detail = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise InvalidInput(f"{path}, line {number}: not valid JSON ({detail}); each line must be one "
                               "JSON object") from None
        if not isinstance(row, dict):
            raise InvalidInput(f"{path}, line {number}: a row must be a JSON object such as "
                               f'{{"image": "a.jpg", "text": "..."}}, got {type(row).__name__}')
        fault = nesting_fault(row)
        if fault is not None:
            raise InvalidInput(f"{path}, line {number}: the JSON {fault}; flatten the row")
        rows.append((number, row))
    return rows


_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def _csv_rows(path: Path, delimiter: str) -> list[tuple[int, dict[str, Any]]]:
    lines = iter_lines(path, "utf-8", "manifest", ends="universal", keepends=True)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
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
            seen: set[str] = set()
            for k, name in enumerate(header):
                if not name:
                    raise InvalidInput(f"{path}, line {number}: column {k + 1} of the header has no name")
                if name in seen:
                    raise InvalidInput(f"{path}, line {number}: the header names column {quoted(name)} twice")
                seen.add(name)
            continue
        if len(cells) > len(header):
            shown = ", ".join(quoted(name) for name in header[:20]) + (f", … {len(header)} in all" if len(header) > 20
                                                                        else "")
            raise InvalidInput(f"{path}, line {number}: the row has {len(cells)} cells, more than the header's "
                               f"columns ({shown})")
        rows.append((number, {name: cell for name, cell in zip(header, cells, strict=False) if cell != ""}))
    labels = [row["label"] for _, row in rows if "label" in row]
    if labels and all(_INTEGER.fullmatch(label) for label in labels):
        for number, row in rows:
            if "label" in row:
                row["label"] = _integer_label(path, number, row["label"])
    return rows


def _integer_label(path: Path, number: int, label: str) -> int:
    try:
        return int(label)
    except ValueError:  # past Python's limit on the digits of an int (4300 by default)
        digits = len(label.strip().lstrip("+-"))
        raise InvalidInput(f"{path}, line {number}: the label {quoted(label.strip(), 24)} has {digits} digits, "
                           "more than an int holds here; write a shorter label, or a non-numeric one to keep "
                           "labels as strings") from None
