"""What the subcommands that make views share: ``--preset NAME | --config SPEC``, ``--views``,
``--seed``, how sources are read (``--encoding``, ``--color``, ``--channels``, ``--extensions``), and
one-line errors with control characters escaped."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augkit.cli._escape import escaped

if TYPE_CHECKING:
    from augkit.datasets.suffixes import NoFiles

__all__ = ["UserError", "add_generator_options", "add_source_options", "extensions", "fail", "generator",
           "no_files", "parse_extensions", "read", "resolve_preset"]

#: How ``--extensions`` is written, shown with every mistake in it.
EXTENSIONS_HINT = "write extensions with their dot, comma-separated: --extensions .wav,.oga"


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


def read_options(args: argparse.Namespace, modality: str) -> dict[str, Any]:
    """``--color`` and ``--channels`` as keywords of the modality's ``load``; an option its ``load``
    does not take is refused, naming the flag."""
    import inspect

    from augkit.core import modalities

    given = {k: v for k, v in (("color", getattr(args, "color", None)), ("channels", getattr(args, "channels", None)))
             if v is not None}
    if not given or not modality:
        return given
    takes = inspect.signature(modalities.get(modality).load).parameters
    for name in given:
        if name not in takes:
            raise UserError(f"--{name}: {modality} sources take no {name} option")
    return {k: int(v) if k == "channels" and v != "keep" else v for k, v in given.items()}


def parse_extensions(text: str) -> tuple[str, ...]:
    """``--extensions .wav,.OGA`` as ``(".wav", ".oga")``: comma-separated suffixes, each with its
    dot (blanks around an item are ignored; repeats dropped).

    Raises:
        argparse.ArgumentTypeError: for an empty item or one that is not a dot and a suffix
            (``wav``, ``.tar.gz``), saying how to write them; argparse prints it and exits 2.
    """
    from augkit.datasets.suffixes import is_suffix

    items = [item.strip() for item in text.split(",")]
    for item in items:
        if not item:
            raise argparse.ArgumentTypeError(f"{EXTENSIONS_HINT} (an item of {text!r} is empty)")
        if not is_suffix(item):
            dotted = "." + item
            problem = f"{item!r} is not one suffix" if item.startswith(".") else f"{item!r} needs its dot: {dotted!r}"
            raise argparse.ArgumentTypeError(f"{EXTENSIONS_HINT} ({problem})")
    return tuple(dict.fromkeys(item.lower() for item in items))


def extensions(args: argparse.Namespace, sources: list[str], modality: str) -> tuple[str, ...] | None:
    """``--extensions``, checked before any file is read: each must be a suffix ``modality``'s
    ``load`` reads (any modality's, for ``""``), and the sources folders or files, not manifests;
    None when not given.

    Raises:
        UserError: naming the suffixes the modality does not read and those it reads, or a manifest.
    """
    given = getattr(args, "extensions", None)
    if given is None:
        return None
    from augkit.core.errors import AugkitError
    from augkit.datasets.manifest import MANIFEST_SUFFIXES
    from augkit.datasets.suffixes import check_extensions

    for source in sources:
        if Path(source).suffix.lower() in MANIFEST_SUFFIXES:
            raise UserError(f"--extensions: {source} is a manifest, which names its files itself; --extensions "
                            "chooses the files of folders")
    try:
        return check_extensions(given, modality or None, where=f"--extensions {','.join(given)}")
    except AugkitError as err:
        raise UserError(str(err)) from None


def no_files(err: NoFiles) -> str:
    """The message for :class:`augkit.datasets.suffixes.NoFiles` (a folder with no file to read):
    its own, or, when ``--extensions`` chose the suffixes, one that names the flag."""
    if not err.chosen:
        return str(err)
    kind = f" ({err.modality} files)" if err.modality else ""
    return f"no files with --extensions {','.join(err.extensions)}{kind} under {err.folder}"


def read(command: str, sources: list[str], views: Any, limit: int, encoding: str | None = None,
         options: dict[str, Any] | None = None, extensions: tuple[str, ...] | None = None) -> list[Any]:
    """The first ``limit`` samples of ``sources`` for ``views``, loaded as the generator needs them
    (audio at the rate its ops declare, text in ``encoding``; from folders, only the files with
    ``extensions`` when given); a file among good ones that cannot be read is skipped with a note
    on stderr.

    Raises:
        UserError: for an ``encoding`` given to sources whose modality reads no text, or a folder
            with no file of ``extensions``.
    """
    from augkit import datasets
    from augkit.core import modalities
    from augkit.datasets.suffixes import NoFiles

    options = {**(modalities.get(views.modality).context(views) if views.modality else {}), **(options or {})}
    if encoding is not None:
        if views.modality:
            _check_encoding(views.modality)
        options["encoding"] = encoding
    skipped: list[tuple[str, str]] = []
    from augkit.datasets.manifest import MANIFEST_SUFFIXES

    if any(Path(s).suffix.lower() in MANIFEST_SUFFIXES for s in sources):
        return _manifest_samples(sources, views, limit, options)
    try:
        samples, kind = datasets.read_sources(sources, modality=views.modality or None, limit=limit,
                                              skipped=skipped, extensions=extensions, **options)
    except NoFiles as err:
        raise UserError(no_files(err)) from None
    if encoding is not None:
        _check_encoding(kind)
    for bad, reason in skipped:
        print(f"augkit {command}: skipped {escaped(bad)}: {escaped(' '.join(reason.split()))}", file=sys.stderr)
    return samples


def _manifest_samples(sources: list[str], views: Any, limit: int, options: dict[str, Any]) -> list[Any]:
    """The rows of JSONL/CSV manifests (each file loaded through its field's modality): whole rows for
    a generator of dict samples, the one field of the generator's modality otherwise."""
    from augkit.datasets.manifest import MANIFEST_SUFFIXES, ManifestDataset

    samples: list[Any] = []
    for source in sources:
        if Path(source).suffix.lower() not in MANIFEST_SUFFIXES:
            raise UserError(f"{source}: give manifests ({', '.join(MANIFEST_SUFFIXES)}) or files and folders, "
                            "not both")
        rows = ManifestDataset(source, **{k: v for k, v in options.items() if k != "encoding"})
        field = None
        if views.fields is None:
            fields = [f for f, m in rows.fields.items() if m == views.modality]
            if len(fields) != 1:
                raise UserError(f"{source}: the generator takes {views.modality or 'one kind of'} samples and the "
                                f"manifest's fields are {rows.fields}; give a manifest with one such field, or a "
                                "generator of dict samples (--config with fields)")
            field = fields[0]
        for i in range(len(rows)):
            if len(samples) >= limit:
                return samples
            row = rows[i]
            if field is None:
                samples.append(row)
            elif field in row:
                samples.append(row[field])
    return samples


def _check_encoding(modality: str) -> None:
    """Refuse ``--encoding`` for a modality whose descriptor reads no text (its ``read`` and
    ``load`` take no ``encoding``)."""
    from augkit.core import modalities

    if not modalities.reads_text(modalities.get(modality)):
        raise UserError(f"--encoding: {modality} sources are not text; give --encoding for text sources only")


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


def add_source_options(p: argparse.ArgumentParser) -> None:
    """``--encoding CODEC``, ``--color``, ``--channels``, ``--extensions .EXT,...``: how sources are read."""
    p.add_argument("--encoding", default=None, metavar="CODEC",
                   help="the encoding of text sources (default utf-8; e.g. utf-16, latin-1)")
    p.add_argument("--color", default=None, choices=("rgb", "gray", "keep"),
                   help="how image files are read (default rgb: grayscale files too, so views stack)")
    p.add_argument("--channels", default=None, choices=("1", "2", "keep"),
                   help="how audio files are read (default 1: mixed down to mono, so clips stack)")
    p.add_argument("--extensions", type=parse_extensions, default=None, metavar=".EXT,...",
                   help="read only the files with these suffixes from folders, e.g. .wav,.oga (with their dot, "
                        "comma-separated, any case; default: every suffix the modality reads)")


def fail(command: str, message: str) -> int:
    """Print ``augkit COMMAND: message`` on one line on stderr, control characters escaped
    (:func:`augkit.cli._escape.escaped`); returns the exit status 2."""
    print(f"augkit {command}: {escaped(' '.join(message.split()))}", file=sys.stderr)
    return 2
