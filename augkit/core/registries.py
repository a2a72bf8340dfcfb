"""One registry mechanism for everything augkit finds by name: ops and presets
(:mod:`augkit.core.registry`), modalities (:mod:`augkit.core.modalities`) and coupling rules
(:mod:`augkit.views.couplings`). Each is a :class:`Registry`: ``register`` (a decorator), the
built-ins it imports on first lookup, an entry-point group through which installed packages add
theirs, ``names`` and ``get``, which fails with one error for every kind, :class:`UnknownName`.

Example:
    >>> RULES = Registry("coupling", "augkit.couplings")
    >>> RULES.get("mirror")   # UnknownName: no coupling named 'mirror'; known: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from augkit.core.errors import InvalidArgument, quoted

__all__ = ["Registry", "UnknownName"]

T = TypeVar("T")


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
            raise UnknownName(f"no {self.kind} named {quoted(name)}; known: {known}") from None
