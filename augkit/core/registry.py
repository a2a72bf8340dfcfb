"""One registry mechanism for everything augkit finds by name: ops, presets, modalities and coupling
rules. Each is a :class:`Registry`: ``register`` (a decorator), the built-ins it imports on first
lookup, an entry-point group through which installed packages add theirs, ``names`` and ``get``,
which fails with one error for every kind, :class:`UnknownName`.

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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from augkit.core.errors import InvalidArgument, WrongArgumentType

if TYPE_CHECKING:
    from augkit.core.augmenter import Augmenter

__all__ = ["ENTRY_POINT_GROUP", "Registry", "UnknownName", "create", "get", "get_preset", "names", "presets",
           "register", "register_preset"]

T = TypeVar("T")

ENTRY_POINT_GROUP = "augkit.augmenters"


class UnknownName(InvalidArgument, KeyError):
    """A name no registry holds: the message names the kind, the name and the known ones. Also a
    ``KeyError`` (what a lookup by name raises in Python)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _identity(obj: Any) -> str:
    """What makes two registrations the same thing: the qualified name of the class (or of an
    instance's class), so a module imported twice registers again without a clash."""
    return str(getattr(obj, "__qualname__", None) or type(obj).__qualname__)


class Registry(Generic[T]):
    """Named things of one kind.

    Args:
        kind: what the things are, for messages (``"augmenter"``, ``"modality"``).
        entry_point_group: the group installed packages declare theirs in, or None.
        builtins: called once, before the first full lookup, to register augkit's own (it imports
            their modules).
        check: turns an entry point's object into the thing registered (and refuses others).
        named: the name a thing is registered under (default: its ``name`` attribute).
    """

    def __init__(self, kind: str, entry_point_group: str | None = None,
                 builtins: Callable[[], None] | None = None, check: Callable[[Any, str], T] | None = None,
                 named: Callable[[T], Any] | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._builtins = builtins
        self._check = check
        self._named = named or (lambda obj: getattr(obj, "name", ""))
        self._table: dict[str, T] = {}
        self._loaded = False

    def register(self, obj: T) -> T:
        """Make ``obj`` findable by its name; returns it (so it decorates a class).

        Raises:
            InvalidArgument: for an empty name, or a name another thing already holds.
        """
        name = self._named(obj)
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"{_identity(obj)} needs a non-empty `name` to be registered as a {self.kind}")
        existing = self._table.get(name)
        if existing is not None and existing is not obj and _identity(existing) != _identity(obj):
            owner = f"{getattr(existing, '__module__', '?')}.{_identity(existing)}"
            raise InvalidArgument(f"{self.kind} name {name!r} is already registered by {owner}")
        self._table[name] = obj
        return obj

    def load(self) -> None:
        """Register the built-ins and every installed entry point, once."""
        if self._loaded:
            return
        self._loaded = True
        if self._builtins is not None:
            self._builtins()
        if self.entry_point_group is None:
            return
        # importlib.metadata costs ~20 ms to import: only pay for it when names are first looked up
        from importlib.metadata import entry_points

        for ep in entry_points(group=self.entry_point_group):
            obj = ep.load()
            where = f"entry point {ep.name!r} = {ep.value!r} in group {self.entry_point_group!r}"
            self.register(self._check(obj, where) if self._check is not None else obj)

    def names(self) -> list[str]:
        """Every registered name, sorted (built-ins plus installed plugins)."""
        self.load()
        return sorted(self._table)

    def values(self) -> list[T]:
        """Every registered thing, in the order they were registered (built-ins first)."""
        self.load()
        return list(self._table.values())

    def unregister(self, name: str) -> None:
        """Forget ``name`` (a plugin's test cleaning up after itself); nothing happens when absent."""
        self._table.pop(name, None)

    def peek(self, name: str) -> T | None:
        """The thing registered as ``name`` so far, without loading anything (None when absent)."""
        return self._table.get(name)

    def get(self, name: str) -> T:
        """The thing registered as ``name``.

        Raises:
            UnknownName: naming the unknown name and the known ones.
        """
        found = self._table.get(name) if isinstance(name, str) else None
        if found is not None:
            return found
        self.load()
        try:
            return self._table[name]
        except (KeyError, TypeError):
            known = ", ".join(sorted(self._table))
            raise UnknownName(f"no {self.kind} named {name!r:.80}; known: {known}") from None


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
