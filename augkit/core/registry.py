"""Ops and presets by name: the two registries plugin authors use most (:class:`Registry`
instances, :mod:`augkit.core.registries`).

Ops register themselves with :func:`register` when their module is imported; the first lookup
imports the modules every modality descriptor lists in its ``ops_modules``. A plugin package
declares, in its own pyproject::

    [project.entry-points."augkit.augmenters"]
    my_op = "my_package.ops:MyOp"       # a class with a unique ``name`` ClassVar

Example:
    >>> from augkit.core import registry; registry.create("audio.gain", gain_db=(-6, 6))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from augkit.core.errors import WrongArgumentType
from augkit.core.registries import Registry, UnknownName

if TYPE_CHECKING:
    from augkit.core.augmenter import Augmenter

__all__ = ["ENTRY_POINT_GROUP", "UnknownName", "create", "get", "get_preset", "names", "presets",
           "register", "register_preset"]

ENTRY_POINT_GROUP = "augkit.augmenters"


def _builtin_ops() -> None:
    from augkit.core import composites, modalities

    for cls in (composites.Compose, composites.OneOf, composites.RandomApply, composites.Identity):
        OPS.register(cls)
    for name in modalities.names():
        for module_name in getattr(modalities.get(name), "ops_modules", ()):
            importlib.import_module(module_name)


def _augmenter_class(obj: Any, where: str) -> type[Augmenter[Any]]:
    from augkit.core.augmenter import Augmenter

    if not (isinstance(obj, type) and issubclass(obj, Augmenter)):
        raise WrongArgumentType(f"{where} must name an augkit Augmenter subclass")
    return obj


#: Ops (augmenter classes) by name; the composites are registered too, so specs can name them.
OPS: Registry[type[Augmenter[Any]]] = Registry("augmenter", ENTRY_POINT_GROUP, _builtin_ops, _augmenter_class)
#: Presets by name (the ``@preset`` decorator registers them); they load with the ops' modules.
PRESETS: Registry[Any] = Registry("preset", builtins=OPS.load)


def register(cls: type[Augmenter[Any]]) -> type[Augmenter[Any]]:
    """Class decorator: make the op ``cls`` findable by its ``name``.

    Raises:
        InvalidArgument: when the class has no name or the name is taken by another class.
    """
    return OPS.register(cls)


def names() -> list[str]:
    """All registered augmenter names, sorted (built-ins plus installed plugins)."""
    return OPS.names()


def get(name: str) -> type[Augmenter[Any]]:
    """The augmenter class registered as ``name``.

    Raises:
        UnknownName: (a ValueError and a KeyError) naming the unknown name and the known ones.
    """
    return OPS.get(name)


def create(name: str, **kwargs: Any) -> Augmenter[Any]:
    """Instantiate the augmenter registered as ``name`` with ``kwargs``."""
    return get(name)(**kwargs)


def register_preset(made: Any) -> Any:
    """Make a :class:`augkit.views.presets.Preset` findable by its name (``@preset`` calls it)."""
    return PRESETS.register(made)


def presets() -> list[str]:
    """All registered preset names, sorted."""
    return PRESETS.names()


def get_preset(name: str) -> Any:
    """The preset registered as ``name``.

    Raises:
        UnknownName: naming the unknown name and the known ones.
    """
    return PRESETS.get(name)
