"""The ``augkit`` command: thin glue over the library, one module per subcommand.

    augkit list [--modality NAME] [NAME]
    augkit preview SOURCE... (--preset NAME | --config SPEC) [--views N] [--samples K] [--seed S]
                   [--encoding CODEC] [--color C] [--channels N] [--extensions .EXT,...] --out PAGE.html
                   [--png GRID.png]
    augkit generate SOURCE... --out DIR (--preset NAME | --config SPEC) [--views N] [--epochs E]
                    [--seed S] [--workers N] [--shard-size N] [--engine local|ray] [--limit K] ...
    augkit stats SOURCE... (--preset NAME | --config SPEC) [--samples K] [--views N] [--seed S]
                 [--encoding CODEC] [--color C] [--channels N] [--extensions .EXT,...]

How sources are read is the same in ``preview``, ``stats`` and ``generate`` (folders, files, and
JSONL/CSV manifests: :func:`augkit.cli._views.read`): ``--encoding``,
``--color``, ``--channels``, and ``--extensions .wav,.oga`` (only the files of folders with those
suffixes, any case; each must be one the modality reads).

What the command prints passes through :func:`augkit.cli._escape.escaped`: a file name holding
control characters (an escape sequence) shows them as escapes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from augkit.cli import generate, listing, preview, stats
from augkit.cli._escape import escaped

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """argparse, with control characters in what it prints escaped (an unrecognized argument is
    printed as given), and a mistake in the arguments told in one line, as every other user error
    is (``augkit generate: error: the following arguments are required: --out (see augkit generate
    --help)``) instead of after the usage block; its subcommand parsers are of this class too."""

    def _print_message(self, message: str, file: Any = None) -> None:
        super()._print_message(escaped(message, keep="\n\t"), file)

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: error: MESSAGE (see PROG --help)`` on one line on stderr and exit 2."""
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``augkit`` argument parser with every subcommand."""
    parser = _Parser(prog="augkit", description="Positive pairs (n views) for contrastive learning.")
    from augkit.core.version import __version__

    parser.add_argument("--version", action="version", version=f"augkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in (listing, preview, generate, stats):
        module.add_parser(sub)
    parser.set_defaults(subcommands=sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``augkit`` command; returns the exit status."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # told by the subcommand's parser, which names itself and its --help
        args.subcommands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args.func(args))
    except KeyboardInterrupt:  # Ctrl-C anywhere else: one line, no traceback
        import sys

        print(f"augkit {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`augkit list | head`): stop quietly
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
