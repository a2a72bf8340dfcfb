"""``augkit stats SOURCE... (--preset NAME | --config SPEC) [--samples 200] [--views N] [--seed S]
[--encoding CODEC] [--extensions .EXT,...]``:
how far a generator's views move from their sources, and how often each op fires, in the terminal.

The same table heads the page of ``augkit preview``; use it to tune augmentation strength before
training. A user error prints one line ``augkit stats: ...`` on stderr and exits 2.

Example:
    augkit stats data/images --preset simclr --samples 200
"""

from __future__ import annotations

import argparse
from typing import Any

from augkit.cli import _views
from augkit.cli._escape import escaped
from augkit.core.errors import AugkitError

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    """Print the table; 0 on success, 2 (with one line on stderr) for a user error."""
    from augkit import datasets, preview

    taker = "the generator"
    try:
        if args.samples < 1:
            raise _views.UserError(f"--samples {args.samples}: measure at least 1 sample")
        views, taker = _views.generator(args)
        chosen = _views.extensions(args, args.sources, views.modality)
        samples = _views.read("stats", args.sources, views, args.samples, args.encoding,
                              _views.read_options(args, views.modality), chosen)
        table = preview.measure(samples, views)
    except datasets.ModalityMismatch as err:
        return _views.fail("stats", f"{err.path} holds {err.found}, but {taker} takes {err.wanted}")
    except (_views.UserError, AugkitError, ValueError, TypeError, OSError) as err:
        return _views.fail("stats", str(err))
    print(escaped(f"{taker}, seed {views.seed}: {len(samples)} samples x {views.n_views} views"))
    print(escaped(table.text(), keep="\n\t"))
    return 0


def add_parser(sub: Any) -> None:
    """Add the ``stats`` subcommand to the ``augkit`` parser."""
    p = sub.add_parser("stats", help="how far a generator's views move from their sources",
                       description="Measure how far the views of the first samples of SOURCE move, per measure "
                                   "(median, min, max), and how often each op fires.")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="files or folders of one modality, or JSONL/CSV manifests")
    _views.add_generator_options(p)
    _views.add_source_options(p)
    p.add_argument("--samples", type=int, default=200, metavar="K", help="measure the first K samples (default 200)")
    p.set_defaults(func=run)
