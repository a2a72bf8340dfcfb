"""``augkit list [--modality NAME] [NAME]``: ops and presets by modality, or one entry in full."""

from __future__ import annotations

import argparse
import inspect
import re
import sys
from typing import Any

from augkit.cli._escape import escaped

__all__ = ["add_parser", "describe", "entries", "run"]

_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr):`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def plain(text: str) -> str:
    """A docstring as plain text: Sphinx roles and double backquotes dropped, indentation cleaned."""
    text = inspect.cleandoc(text or "")
    return _LITERAL.sub(r"\1", _ROLE.sub(lambda m: m.group(1).rsplit(".", 1)[-1], text))


def summary(doc: str) -> str:
    """The first sentence of a docstring (which may run over several lines), as plain text."""
    para = " ".join(plain(doc).split("\n\n", 1)[0].split())
    match = re.search(r"(?<=[.!?])\s(?=[A-Z(])", para)
    return para[: match.start()] if match else para


def entries() -> list[tuple[str, str, str, Any]]:
    """``(modality, kind, name, object)`` for every registered op and preset, sorted."""
    from augkit.core import registry

    found = [(registry.get(n).modality, "op", n, registry.get(n)) for n in registry.names()]
    found += [(registry.get_preset(n).modality, "preset", n, registry.get_preset(n)) for n in registry.presets()]
    return sorted(found, key=lambda e: (e[0], e[1] != "preset", e[2]))


def describe(obj: Any) -> str:
    """``Name(arg=default, ...)``: the signature the declaration (or the preset) gives."""
    name = getattr(obj, "__name__", type(obj).__name__)
    sig = inspect.signature(obj)
    return f"{name}{sig.replace(return_annotation=inspect.Signature.empty)!s}"


def run(args: argparse.Namespace) -> int:
    """Print the listing; 2 with one line on stderr for an unknown name or modality."""
    from augkit.core import modalities

    every = entries()
    if args.name:
        hit = [e for e in every if e[2] == args.name]
        if not hit:
            print(f"augkit list: no op or preset named {escaped(repr(args.name))}; run `augkit list` for the names",
                  file=sys.stderr)
            return 2
        _, kind, name, obj = hit[0]
        print(escaped(f"{name} ({kind})\n{describe(obj)}\n\n{plain(obj.__doc__ or '')}", keep="\n\t"))
        return 0
    if args.modality is not None and args.modality not in modalities.names():
        print(f"augkit list: no modality {escaped(repr(args.modality))}; known: {', '.join(modalities.names())}",
              file=sys.stderr)
        return 2
    shown = [e for e in every if args.modality is None or e[0] == args.modality]
    width = max(len(e[2]) for e in shown)
    current = None
    for modality, kind, name, obj in shown:
        if modality != current:
            print(f"{modality or 'any'}:")
            current = modality
        print(escaped(f"  {name:<{width}}  {kind:<6}  {describe(obj)}  {summary(obj.__doc__ or '')}"))
    return 0


def add_parser(sub: Any) -> None:
    """Add the ``list`` subcommand to the ``augkit`` parser."""
    p = sub.add_parser("list", help="list the registered ops and presets, or show one in full")
    p.add_argument("name", nargs="?", default=None, help="an op or preset name, e.g. image.simclr")
    p.add_argument("--modality", default=None, help="only this modality (image, text, audio, ...)")
    p.set_defaults(func=run)
