"""Registry: augmenter name -> class, extended by third-party packages through entry points.

Augmenters register themselves with :func:`register` when their module is imported; the first
time the registry is asked for names it imports the modules every modality descriptor lists in its
``ops_modules`` (:mod:`augkit.core.modalities`). The composites (``compose``, ``one_of``,
``random_apply``, ``identity``) are registered too, so config specs can name them. A plugin
package declares, in its own pyproject::

    [project.entry-points."augkit.augmenters"]
    my_op = "my_package.ops:MyOp"       # a class with a unique ``name`` ClassVar

Example:
    >>> from augkit import registry; registry.create("audio.gain", gain_db=(-6, 6))
"""

from __future__ import annotations

import importlib
from typing import Any

from augkit.core.augmenter import Augmenter

__all__ = ["ENTRY_POINT_GROUP", "create", "get", "get_preset", "names", "presets", "register", "register_preset"]

ENTRY_POINT_GROUP = "augkit.augmenters"

_REGISTRY: dict[str, type[Augmenter[Any]]] = {}
_PRESETS: dict[str, Any] = {}
_loaded = False


def register(cls: type[Augmenter[Any]]) -> type[Augmenter[Any]]:
    """Class decorator: make ``cls`` findable by its ``name``.

    Raises:
        ValueError: when the class has no name or the name is taken by another class.
    """
    name = getattr(cls, "name", "")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{cls.__qualname__} needs a non-empty `name` class attribute to be registered")
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls and existing.__qualname__ != cls.__qualname__:
        owner = f"{existing.__module__}.{existing.__qualname__}"
        raise ValueError(f"augmenter name {name!r} is already registered by {owner}")
    _REGISTRY[name] = cls
    return cls


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from augkit.core import composites, modalities

    for cls in (composites.Compose, composites.OneOf, composites.RandomApply, composites.Identity):
        register(cls)
    for name in modalities.names():
        for module_name in getattr(modalities.get(name), "ops_modules", ()):
            importlib.import_module(module_name)
    # importlib.metadata costs ~20 ms to import: only pay for it when names are first looked up
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()
        if not (isinstance(obj, type) and issubclass(obj, Augmenter)):
            raise TypeError(f"entry point {ep.name!r} = {ep.value!r} in group {ENTRY_POINT_GROUP!r} "
                            "must name an augkit Augmenter subclass")
        register(obj)


def names() -> list[str]:
    """All registered augmenter names, sorted (built-ins plus installed plugins)."""
    _load()
    return sorted(_REGISTRY)


def get(name: str) -> type[Augmenter[Any]]:
    """The augmenter class registered as ``name``.

    Raises:
        KeyError: naming the unknown name and the known ones.
    """
    return _lookup(_REGISTRY, "augmenter", name)


def create(name: str, **kwargs: Any) -> Augmenter[Any]:
    """Instantiate the augmenter registered as ``name`` with ``kwargs``."""
    return get(name)(**kwargs)


def register_preset(made: Any) -> Any:
    """Make a :class:`augkit.views.presets.Preset` findable by its name (the ``@preset`` decorator calls it).

    Raises:
        ValueError: when another preset holds the name.
    """
    existing = _PRESETS.get(made.name)
    if existing is not None and existing.__qualname__ != made.__qualname__:
        raise ValueError(f"preset name {made.name!r} is already registered by {existing.__module__}")
    _PRESETS[made.name] = made
    return made


def presets() -> list[str]:
    """All registered preset names, sorted."""
    _load()
    return sorted(_PRESETS)


def get_preset(name: str) -> Any:
    """The preset registered as ``name``.

    Raises:
        KeyError: naming the unknown name and the known ones.
    """
    return _lookup(_PRESETS, "preset", name)


def _lookup(table: dict[str, Any], kind: str, name: str) -> Any:
    _load()
    try:
        return table[name]
    except KeyError:
        raise KeyError(f"no {kind} named {name!r}; known: {', '.join(sorted(table))}") from None
