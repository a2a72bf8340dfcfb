"""The ``augkit`` command: thin glue over the library, one module per subcommand.

    augkit list [--modality NAME] [NAME]
    augkit preview SOURCE... (--preset NAME | --config SPEC) [--views N] [--samples K] [--seed S]
                   --out PAGE.html [--png GRID.png]
    augkit generate SOURCE... --out DIR (--preset NAME | --config SPEC) [--views N] [--epochs E]
                    [--seed S] [--workers N] [--shard-size N] [--engine local|ray] [--limit K] ...
    augkit stats SOURCE... (--preset NAME | --config SPEC) [--samples K] [--views N] [--seed S]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from augkit.cli import generate, listing, preview, stats

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The ``augkit`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="augkit", description="Positive pairs (n views) for contrastive learning.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (listing, preview, generate, stats):
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``augkit`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader went away (`augkit list | head`): stop quietly
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
