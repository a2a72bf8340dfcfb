"""Storage of dict-sample views (:func:`augkit.generate.job.write_pairs` with a generator over dict
samples): each field of each view is encoded by its modality as its own shard member,
``KEY.view{k}.{field}.{ext}``; the pass-through keys (labels, ids) go into the sample's JSON
record under ``"passed"``; :class:`augkit.generate.job.PairDataset` puts the dict views back together.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from augkit.core import modalities
from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType

__all__ = ["decode_views", "encode_views", "field_formats", "field_source"]

MANIFEST_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".tsv")


def field_source(source: Any) -> tuple[Any, list[dict[str, Any]], Any]:
    """The dict samples of ``source`` (a manifest path, or a sequence of dicts), where each came
    from, and the dataset the shard workers index: a manifest (its files load there, lazily), or
    None for samples in memory."""
    if isinstance(source, (str, Path)) or (isinstance(source, Sequence) and len(source) == 1
                                           and isinstance(source[0], (str, Path))):
        path = Path(source if isinstance(source, (str, Path)) else source[0])
        if path.suffix.lower() not in MANIFEST_SUFFIXES:
            raise InvalidInput(f"{path}: a generator of dict samples reads a manifest ({', '.join(MANIFEST_SUFFIXES)}; "
                               "see augkit.datasets.view_dataset.ManifestDataset) or a list of dict samples")
        from augkit.datasets.manifest import ManifestDataset

        data = ManifestDataset(path)
        return data, [{"path": str(path), "line": line} for line in data.lines], data
    if isinstance(source, (str, bytes)) or not (hasattr(source, "__len__") and hasattr(source, "__getitem__")):
        raise WrongArgumentType(f"a generator of dict samples takes a manifest path or a list of dict samples, got "
                                f"{type(source).__name__}")
    return source, [{"item": i} for i in range(len(source))], None


def field_formats(fields: Mapping[str, str], formats: Mapping[str, str]) -> dict[str, str]:
    """The storage format of each field: ``formats`` by field name or by modality, else the modality's first."""
    out = {}
    for f, m in fields.items():
        if not m:
            raise InvalidArgument(f"field {f!r} has no modality, so it cannot be stored; name it with "
                                  f"modality={{{f!r}: ...}}")
        out[f] = modalities.get(m).check_format(formats.get(f, formats.get(m)))
    return out


def encode_views(vg: Any, items: list[dict[str, Any]], formats: Mapping[str, str],
                 context: Mapping[str, dict[str, Any]]) -> tuple[list[tuple[str, bytes]], dict[str, Any]]:
    """The shard members of one sample's dict views (``view{k}.{field}.{ext}``) and its pass-through keys.

    Raises:
        InvalidInput: when a pass-through value is not JSON-safe, naming the key.
    """
    members = []
    for k, view in enumerate(items):
        for f, m in vg.field_modalities.items():
            if f in view:
                data, ext = modalities.get(m).encode(view[f], formats[f], **context.get(f, {}))
                members.append((f"view{k}.{f}.{ext}", data))
    passed = {key: value for key, value in items[0].items() if key not in vg.field_modalities} if items else {}
    for key, value in passed.items():
        if not _json_safe(value):
            raise InvalidInput(f"the pass-through key {key!r} holds a {type(value).__name__}, which a record cannot "
                               "store; keep labels and ids as numbers and strings")
    return members, passed


def decode_views(vg: Any, members: Mapping[str, bytes], passed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The dict views of one stored sample, fields decoded, pass-through keys restored."""
    views = []
    for k in range(vg.n_views):
        view: dict[str, Any] = dict(passed)
        for f, m in vg.field_modalities.items():
            names = [n for n in members if n.startswith(f"view{k}.{f}.")]
            if len(names) > 1:
                raise InvalidInput(f"a stored sample holds {len(names)} members for field {f!r} of view {k}; "
                                   "the shard is damaged")
            if names:  # a field the sample lacked (missing="pass") is absent
                view[f] = modalities.get(m).decode(members[names[0]], names[0].rsplit(".", 1)[1])
        views.append(view)
    return views


def _json_safe(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
