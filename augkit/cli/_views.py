"""What the subcommands that make views share: ``--preset NAME | --config SPEC``, ``--views``,
``--seed``, and one-line errors."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["UserError", "add_generator_options", "fail", "generator", "read", "resolve_preset"]


class UserError(Exception):
    """A mistake in the command line, reported as one line and exit status 2."""


def resolve_preset(name: str) -> Any:
    """The registered preset named ``name``, or the one whose name after the modality is ``name``.

    Raises:
        UserError: for an unknown or ambiguous name, listing the known presets.
    """
    from augkit.core import registry

    known = registry.presets()
    if name in known:
        return registry.get_preset(name)
    matches = [full for full in known if full.split(".", 1)[-1] == name]
    if len(matches) == 1:
        return registry.get_preset(matches[0])
    if matches:
        raise UserError(f"preset {name!r} is ambiguous ({', '.join(matches)}); give the full name")
    raise UserError(f"no preset named {name!r}; known: {', '.join(known)}")


def generator(args: argparse.Namespace) -> tuple[Any, str]:
    """The generator ``--preset``/``--config`` name (with ``--views``/``--seed``), and how to name it
    in a message (``preset image.simclr``)."""
    if args.preset is not None:
        made = resolve_preset(args.preset)
        kwargs: dict[str, Any] = {"seed": 0 if args.seed is None else args.seed}
        if args.views is not None:
            kwargs["n_views"] = args.views  # every preset takes n_views; a fixed count refuses others by name
        return made(**kwargs), f"preset {made.name}"
    from augkit.views import config

    overrides = {k: v for k, v in (("n_views", args.views), ("seed", args.seed)) if v is not None}
    return config.load(args.config, **overrides), f"the generator of {args.config}"


def read(command: str, sources: list[str], views: Any, limit: int) -> list[Any]:
    """The first ``limit`` samples of ``sources`` for ``views``, loaded as the generator needs them
    (audio at the rate its ops declare); a file among good ones that cannot be read is skipped
    with a note on stderr."""
    from augkit import datasets
    from augkit.core import modalities

    options = modalities.get(views.modality).context(views) if views.modality else {}
    skipped: list[tuple[str, str]] = []
    samples, _ = datasets.read_sources(sources, modality=views.modality or None, limit=limit, skipped=skipped,
                                       **options)
    for bad, reason in skipped:
        print(f"augkit {command}: skipped {bad}: {' '.join(reason.split())}", file=sys.stderr)
    return samples


def add_generator_options(p: argparse.ArgumentParser) -> None:
    """``--preset NAME | --config SPEC`` (one of them required), ``--views N`` and ``--seed S``."""
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--preset", metavar="NAME",
                       help="a registered preset (image.simclr), or its short name when unique (simclr)")
    which.add_argument("--config", metavar="SPEC", help="a YAML or JSON generator spec (see augkit.views.config)")
    p.add_argument("--views", type=int, default=None, metavar="N",
                   help="views per sample (default: the preset's or the spec's own count)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help="the seed (default: 0 for a preset, the spec's own for --config)")


def fail(command: str, message: str) -> int:
    """Print ``augkit COMMAND: message`` on one line on stderr; returns the exit status 2."""
    print(f"augkit {command}: {' '.join(message.split())}", file=sys.stderr)
    return 2
