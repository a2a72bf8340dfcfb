"""Lazy re-exports (PEP 562) shared by augkit's packages, so heavy modules load on first use."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, table: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` serving ``table`` (public name -> defining module).

    A name that is the last part of its module's path (``"streams": "augkit.core.streams"``) is
    that module; any other name is looked up in its module. The value is cached in the package's
    namespace, so each name imports once.
    """

    def __getattr__(name: str) -> Any:
        module_name = table.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(module_name)
        value = module if module_name.rsplit(".", 1)[-1] == name else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
