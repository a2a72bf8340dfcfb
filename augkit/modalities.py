"""Modalities: what augkit knows about each kind of input, in one descriptor per modality.

A descriptor lives in its modality's package (``augkit/image/modality.py``, ...). It is the only
place that knows what an input of that modality looks like; ops, composites and generators ask it.

Example:
    >>> from augkit import modalities
    >>> modalities.get("text").enter("a text", "RandomSwap")
    ('a text', False, None)
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["ANY", "ENTRY_POINT_GROUP", "Modality", "get", "names", "register"]

ENTRY_POINT_GROUP = "augkit.modalities"
# The built-in descriptors, by name; third parties register theirs through the entry-point group.
# A lookup imports only the one asked for: a text-only user never imports torch for audio.
_BUILTIN = {"image": "augkit.image.modality", "text": "augkit.text.modality", "audio": "augkit.audio.modality"}


@runtime_checkable
class Modality(Protocol):
    """What an op needs to know about its inputs.

    ``enter(x, where)`` checks ``x`` and returns ``(value, batched, ctx)``: the canonical form (or
    a sequence of canonical items when ``batched``), and whatever ``leave`` needs to hand a result
    back in the caller's form. Errors name ``where`` (the op) and what is wrong with ``x``.
    ``stack(items, where)`` rebuilds a batch from per-item results.
    """

    name: str

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]: ...

    def leave(self, y: Any, ctx: Any) -> Any: ...

    def stack(self, items: Sequence[Any], where: str) -> Any: ...


class _Any:
    """The pass-through form of ops that take any input (Identity, composites)."""

    name = ""

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        return x, False, None

    def leave(self, y: Any, ctx: Any) -> Any:
        return y

    def stack(self, items: Sequence[Any], where: str) -> Any:
        return list(items)


ANY: Modality = _Any()

_REGISTRY: dict[str, Modality] = {}
_loaded = False


def register(modality: Modality) -> Modality:
    """Make ``modality`` findable by its ``name``; returns it.

    Raises:
        ValueError: for an empty name, or a name another descriptor already holds.
    """
    name = getattr(modality, "name", "")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{modality!r} needs a non-empty `name` to be registered as a modality")
    existing = _REGISTRY.get(name)
    if existing is not None and type(existing) is not type(modality):
        raise ValueError(f"modality {name!r} is already registered by {type(existing).__qualname__}")
    _REGISTRY[name] = modality
    return modality


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in _BUILTIN.values():
        importlib.import_module(module)
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        register(ep.load())


def get(name: str) -> Modality:
    """The descriptor of modality ``name``.

    Raises:
        ValueError: naming the unknown modality and the known ones.
    """
    found = _REGISTRY.get(name)
    if found is not None:
        return found
    if name in _BUILTIN:
        importlib.import_module(_BUILTIN[name])
        if name in _REGISTRY:
            return _REGISTRY[name]
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"no modality named {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def names() -> list[str]:
    """The registered modality names, sorted."""
    _load()
    return sorted(_REGISTRY)
