"""The ``augkit`` command: thin glue over the library.

    augkit list [--modality image|text|audio]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _cmd_list(args: argparse.Namespace) -> int:
    from augkit import registry

    names = [n for n in registry.names() if args.modality is None or n.startswith(args.modality + ".")]
    if not names:
        print(f"no augmenters registered for modality {args.modality!r}", file=sys.stderr)
        return 1
    width = max(len(n) for n in names)
    for name in names:
        cls = registry.get(name)
        summary = (cls.__doc__ or "").strip().splitlines()
        print(f"{name:<{width}}  {summary[0] if summary else ''}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="augkit", description="Positive pairs (n views) for contrastive learning.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="list the registered augmenters")
    p_list.add_argument("--modality", choices=["image", "text", "audio"], default=None)
    p_list.set_defaults(func=_cmd_list)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``augkit`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
