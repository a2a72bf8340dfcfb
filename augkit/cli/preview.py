"""``augkit preview SOURCE... (--preset NAME | --config SPEC) [--views N] [--samples K] [--seed S]
[--encoding CODEC] [--color rgb|gray|keep] [--channels 1|2|keep] [--extensions .EXT,...] --out PAGE.html
[--png GRID.png]``.

Writes a self-contained HTML page (and, with ``--png``, a PNG grid with column titles) of the views
a generator makes of the first K samples of the sources: files or folders of one modality (a text
file is one sample per line, decoded as ``--encoding`` says, UTF-8 by default; from folders, only
the files with ``--extensions`` when given), or manifests. Each row of the page is titled with its
sample's file (a folder's files by their path in the folder, a text file's samples numbered) and,
from a manifest, the row's label. The generator is a registered preset (``image.simclr``, or
``simclr`` when the short name is unique) or a YAML/JSON spec (:func:`augkit.views.config.load`).
Every user error (a file that cannot be decoded, a decompression bomb among them) prints one line
``augkit preview: ...`` on stderr, control characters escaped, and exits 2.

Example:
    augkit preview data/images --preset simclr --views 3 --out out/views.html --png out/views.png
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from augkit.cli import _views
from augkit.cli._escape import escaped
from augkit.core.errors import AugkitError

__all__ = ["USAGE", "add_parser", "run"]

USAGE = ("augkit preview SOURCE... (--preset NAME | --config SPEC) [--views N] [--samples K] [--seed S] "
         "[--encoding CODEC] [--color rgb|gray|keep] [--channels 1|2|keep] [--extensions .EXT,...] "
         "--out PAGE.html [--png GRID.png]")


def run(args: argparse.Namespace) -> int:
    """Write the page (and grid); 0 on success, 2 (with one line on stderr) for a user error."""
    from augkit import datasets, preview

    taker = "the generator"
    try:
        _check_suffix(args.out, ".html", "--out")
        if args.png is not None:
            _check_suffix(args.png, ".png", "--png")
        if args.samples < 1:
            raise _views.UserError(f"--samples {args.samples}: show at least 1 sample")
        views, taker = _views.generator(args)
        chosen = _views.extensions(args, args.sources, views.modality)
        samples, names, labels = _read(args, views, chosen)
    except datasets.ModalityMismatch as err:
        return _views.fail("preview", f"{err.path} holds {err.found}, but {taker} takes {err.wanted}")
    except (_views.UserError, AugkitError, ValueError, TypeError, OSError) as err:  # OSError: FileNotFoundError too
        return _views.fail("preview", str(err))
    try:
        written = []
        if args.png is not None:  # first: a modality without pictures (text) then leaves nothing behind
            written.append(preview.write_grid(args.png, samples, views, labels=True))
        written.insert(0, preview.write_page(args.out, samples, views, names=names, labels=labels))
    except (AugkitError, OSError) as err:  # a sample the ops refuse, an unwritable path; other errors are bugs
        return _views.fail("preview", str(err))
    for path in written:
        print(escaped(str(path)))
    return 0


def _read(args: argparse.Namespace, views: Any,
          chosen: tuple[str, ...] | None) -> tuple[list[Any], list[str | None] | None, list[Any] | None]:
    """The samples, read as every command reads them (:func:`augkit.cli._views.read`), with each
    one's name (its file; a folder's files by their path in it, a text file's samples numbered) and,
    from manifests, each row's label; None where they cannot be told."""
    from augkit.datasets.manifest import MANIFEST_SUFFIXES

    titles: list[tuple[str | None, Any]] = []
    samples = _views.read("preview", args.sources, views, args.samples, args.encoding,
                          _views.read_options(args, views.modality), chosen, titles)
    manifest = any(Path(s).suffix.lower() in MANIFEST_SUFFIXES for s in args.sources)
    if not (manifest or views.modality):  # a generator of any input reads the sources together: no names
        return samples, None, None
    labels = [label for _, label in titles]
    return samples, [name for name, _ in titles], labels if any(label is not None for label in labels) else None


def _check_suffix(path: str, suffix: str, option: str) -> None:
    if Path(path).suffix.lower() != suffix:
        raise _views.UserError(f"{option} {path}: the file name must end in {suffix}")


def add_parser(sub: Any) -> None:
    """Add the ``preview`` subcommand to the ``augkit`` parser."""
    p = sub.add_parser("preview", help="write an HTML page (and a PNG grid) of a generator's views",
                       usage=USAGE.replace("augkit preview", "%(prog)s", 1),
                       description="Show the views a preset or a config spec makes of the first samples of SOURCE.")
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="files or folders of one modality (images, audio clips; a text file is one sample a "
                        "line), or JSONL/CSV manifests")
    _views.add_generator_options(p)
    _views.add_source_options(p)
    p.add_argument("--samples", type=int, default=4, metavar="K", help="show the first K samples (default 4)")
    p.add_argument("--out", required=True, metavar="PAGE.html", help="the HTML page to write")
    p.add_argument("--png", default=None, metavar="GRID.png", help="also write a PNG grid of the views")
    p.set_defaults(func=run)
