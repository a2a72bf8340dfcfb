"""``augkit generate SOURCE --out DIR (--preset NAME | --config SPEC) [options]``: write an n-view
dataset as WebDataset-compatible tar shards (see :mod:`augkit.generate`). SOURCE is read as
``preview`` and ``stats`` read it: folders, files, or JSONL/CSV manifests (a row without the
generator's field is a recorded failure, named by its line).

Running the same command again resumes: complete shards whose hashes verify are kept, the rest is
rebuilt. When the folder's job file is corrupt (or missing beside shards), ``--repair`` rebuilds it
and keeps every shard this job made. A user error prints one line ``augkit generate: ...`` on
stderr and exits 2; a job in which every input failed exits 1. Ctrl-C or SIGTERM stops the workers
and prints one line (how many shards are complete; run the same command to resume), exiting 130
or 143; a second Ctrl-C kills at once. Control characters in file names are printed escaped (``\x1b``).

Example:
    augkit generate data/images --out out/pairs --preset simclr --workers 2
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from typing import Any

from augkit.cli import _views

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    """Write the shards; 0 on success, 1 when every input failed, 2 for a user error."""
    from augkit import generate
    from augkit.core import modalities
    from augkit.datasets.suffixes import NoFiles
    from augkit.generate.resume import DifferentJob
    from augkit.generate.shards import source_name
    from augkit.generate.sources import printable

    try:
        views, _ = _views.generator(args)
        modality = views.modality or args.modality or ""
        extensions = _views.extensions(args, args.source, modality)
        formats = {name: value for name in modalities.names()
                   if (value := getattr(args, f"{name}_format", None)) is not None}
        with _stops_quietly():
            summary = generate.write_pairs(
                args.source, args.out, views, epochs=args.epochs, shard_size=args.shard_size, workers=args.workers,
                engine=args.engine, ray_address=args.ray_address, limit=args.limit, formats=formats,
                modality=args.modality, strict=args.strict, overwrite=args.overwrite, repair=args.repair,
                progress=not args.quiet, encoding=args.encoding, read_options=_views.read_options(args, modality),
                extensions=extensions)
    except generate.Interrupted as stop:
        print(str(stop), file=sys.stderr)
        return 128 + stop.signum  # 130 for SIGINT, 143 for SIGTERM
    except _Stop as stop:  # before the shards started or after the last: nothing half done
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 128 + stop.signum
    except _views.UserError as err:
        return _views.fail("generate", printable(str(err)))
    except NoFiles as err:
        return _views.fail("generate", printable(_views.no_files(err)))
    except DifferentJob as err:
        named = ", ".join(_flags(err.changed, views, modality))
        return _views.fail("generate", printable(f"{err.where} holds a different job (it differs in {named}); use "
                                                 "another --out, or --overwrite to replace it"))
    except (generate.GenerateError, ValueError, TypeError, OSError) as err:
        return _views.fail("generate", printable(str(err)))
    print(summary)
    for failure in summary.failures[:5]:
        print(printable(f"  failed: sample {failure['index']} ({source_name(failure['source'])}): "
                        f"{_views.in_cli_words(failure['reason'])}"),
              file=sys.stderr)
    if len(summary.failures) > 5:
        print(f"  ... and {len(summary.failures) - 5} more in {printable(str(summary.manifest))}", file=sys.stderr)
    print(f"manifest: {printable(str(summary.manifest))}")
    return 1 if summary.written == 0 else 0


#: What each key of a job (:func:`augkit.generate.resume.job_changes`) is on the command line.
_JOB_FLAGS = {"spec": "--preset/--config", "fields": "--config", "seed": "--seed", "n_views": "--views",
              "epochs": "--epochs", "shard_size": "--shard-size", "limit": "--limit", "modality": "--modality",
              "encoding": "--encoding", "extensions": "--extensions", "samples": "the samples read from SOURCE",
              "sources_sha256": "the samples read from SOURCE", "augkit": "the augkit version that wrote it",
              "dataset_format": "the augkit version that wrote it", "record_format": "the augkit version that wrote it"}


def _flags(changed: list[str], views: Any, modality: str) -> list[str]:
    """The flags (or, for what no flag sets, the words) that name the keys of a job that differ:
    ``read_options.color`` is ``--color``, ``format`` the ``--MODALITY-format`` of the job's modalities."""
    named: list[str] = []
    for key in changed:
        if key.startswith("read_options."):
            named.append("--" + key.split(".", 1)[1].replace("_", "-"))
        elif key == "format":
            used = views.field_modalities.values() if views.fields is not None else [modality or "MODALITY"]
            named += [f"--{m}-format" for m in dict.fromkeys(used) if m]
        else:
            named.append(_JOB_FLAGS.get(key, key))
    return list(dict.fromkeys(named))


class _Stop(KeyboardInterrupt):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _stops_quietly() -> Iterator[None]:
    """SIGINT and SIGTERM stop the job as one interruption (the workers are stopped and the complete
    shards counted); a second one while it stops kills at once."""

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a second Ctrl-C: no more waiting
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise _Stop(signum)

    before = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def add_parser(sub: Any) -> None:
    """Add the ``generate`` subcommand to the ``augkit`` parser."""
    from augkit.core import modalities

    p = sub.add_parser("generate", help="write an n-view dataset as tar shards (resumable)",
                       description="Write n views of every sample of SOURCE to WebDataset-compatible tar shards.")
    p.add_argument("source", metavar="SOURCE", nargs="+",
                   help="a folder of images or audio files, a text file (one sample per line), or JSONL/CSV "
                        "manifests (each row's field of the generator's modality, its label kept; whole rows "
                        "for a --config with fields)")
    p.add_argument("--out", required=True, metavar="DIR", help="the output folder (the same one resumes)")
    _views.add_generator_options(p)
    _views.add_source_options(p)
    p.add_argument("--epochs", type=int, default=1, help="epochs of views, each in its own shard set (default 1)")
    p.add_argument("--workers", type=int, default=1, help="processes making shards (default 1)")
    p.add_argument("--shard-size", type=int, default=1000, help="samples per shard (default 1000)")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local processes, or Ray tasks (pip install 'augkit[ray]')")
    p.add_argument("--ray-address", default=None, metavar="ADDR", help="the Ray cluster to join (default: local)")
    p.add_argument("--limit", type=int, default=None, metavar="K", help="only the first K samples")
    p.add_argument("--modality", default=None, help="the source's modality, when the generator's ops take any")
    for name in modalities.names():
        formats = modalities.get(name).formats
        if len(formats) > 1:
            p.add_argument(f"--{name}-format", choices=formats, default=None,
                           help=f"how {name} views are stored (default {formats[0]})")
    p.add_argument("--strict", action="store_true", help="stop at the first input that fails")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a different job's output in --out (only augkit's own files are removed)")
    p.add_argument("--repair", action="store_true",
                   help="when --out's job file is corrupt or missing beside shards: rebuild it and keep every shard "
                        "this job made (refused if a shard was made by another job)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
