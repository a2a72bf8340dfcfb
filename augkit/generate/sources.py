"""What a generate job reads: the samples of a source (a folder, a file, samples in memory) in a fixed
order, with their modality, where each came from and its class label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augkit.core import modalities
from augkit.core.errors import InvalidArgument, InvalidInput, MissingFile, WrongArgumentType

__all__ = ["Item", "list_source"]


@dataclass(frozen=True)
class Item:
    """One sample of the source: a file to load, or a value; where it came from; its label."""

    index: int
    source: Any  # JSON-safe: a path, or {"path": ..., "item": k}, or {"item": k}
    path: str | None = None
    value: Any = None
    label: int | None = None
    label_name: str | None = None


def list_source(source: Any, modality: str) -> tuple[list[Item], str, list[str]]:
    """The samples of ``source`` in a fixed order, their modality and the class names."""
    if isinstance(source, (str, Path)):
        paths = [Path(source)]
    elif isinstance(source, Sequence) and source and all(isinstance(s, (str, Path)) for s in source):
        paths = [Path(s) for s in source]
    elif hasattr(source, "__len__") and hasattr(source, "__getitem__") and not isinstance(source, (bytes, str)):
        if not modality:
            raise InvalidArgument("samples in memory need a generator of one modality (or modality=...)")
        return [Item(i, {"item": i}, value=source[i]) for i in range(len(source))], modality, []
    else:
        raise WrongArgumentType(f"source must be a path, a list of paths or a list of samples, got "
                                f"{type(source).__name__}")
    found: list[tuple[Any, str | None, Any, str | None]] = []  # (source, path, value, class)
    kinds: dict[str, int] = {}
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            before = len(found)
            for f in files:
                m = modalities.for_path(f)
                if m is None or (modality and m.name != modality):
                    continue  # not a sample of this dataset (a README, a file of another modality)
                kinds[m.name] = kinds.get(m.name, 0) + 1
                rel = f.relative_to(path)
                found.append((str(f), str(f), None, rel.parts[0] if len(rel.parts) > 1 else None))
            if len(found) == before:
                known = ", ".join(sorted({e for n in modalities.names() for e in modalities.get(n).extensions}))
                raise InvalidInput(f"{path} holds no {modality or 'sample'} files ({known})")
        elif path.is_file():
            m = modalities.for_path(path)
            if m is None:
                known = ", ".join(sorted({e for n in modalities.names() for e in modalities.get(n).extensions}))
                raise InvalidInput(f"{path}: no modality reads {path.suffix or 'files without a suffix'}; "
                                   f"known: {known}")
            if modality and m.name != modality:
                raise InvalidInput(f"{path} holds {m.name}, but the generator takes {modality}")
            kinds[m.name] = kinds.get(m.name, 0) + 1
            if isinstance(m, modalities.BaseModality) and type(m).read is modalities.BaseModality.read:
                found.append((str(path), str(path), None, None))  # one sample: loaded by the worker
            else:
                found += [({"path": str(path), "item": k}, None, v, None) for k, v in enumerate(m.read(path))]
        else:
            raise MissingFile(f"source {path} does not exist (a list of str is read as paths: write texts "
                                    "held in memory to a file, one per line)")
    if len(kinds) > 1:
        counts = ", ".join(f"{n} {name}" for name, n in sorted(kinds.items()))
        raise InvalidInput(f"the source mixes modalities ({counts}); give a generator of one modality or "
                           "pass modality=")
    chosen = modality or next(iter(kinds), "")
    classes = sorted({c for *_, c in found if c is not None})
    items = [Item(i, src, path=p, value=v, label=None if c is None else classes.index(c), label_name=c)
             for i, (src, p, v, c) in enumerate(found)]
    return items, chosen, classes
