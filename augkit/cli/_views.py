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
           "in_cli_words", "no_files", "parse_extensions", "read", "resolve_preset"]

#: Why ``--encoding`` is refused for a manifest (named in the blank).
_MANIFEST_ENCODING = "--encoding: {} is a manifest, which is read as UTF-8; --encoding decodes text files"
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
    None when not given. ``--encoding`` is refused for a manifest here too (it is UTF-8).

    Raises:
        UserError: naming the suffixes the modality does not read and those it reads, or a manifest.
    """
    from augkit.core.errors import AugkitError
    from augkit.datasets.manifest import MANIFEST_SUFFIXES
    from augkit.datasets.suffixes import check_extensions

    if getattr(args, "encoding", None) is not None:
        for source in sources:
            if Path(source).suffix.lower() in MANIFEST_SUFFIXES:
                raise UserError(_MANIFEST_ENCODING.format(source))
    given = getattr(args, "extensions", None)
    if given is None:
        return None
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
         options: dict[str, Any] | None = None, extensions: tuple[str, ...] | None = None,
         titles: list[tuple[str | None, Any]] | None = None) -> list[Any]:
    """The first ``limit`` samples of ``sources`` for ``views``, loaded as the generator needs them
    (audio at the rate its ops declare, text in ``encoding``; from folders, only the files with
    ``extensions`` when given; from manifests, as ``augkit generate`` reads them); a file among
    good ones that cannot be read (a manifest row without the generator's field) is skipped with a
    note on stderr. ``titles`` (when given) gets each sample's ``(name, label)``: from manifests the
    row's files and label, else its file (:func:`augkit.datasets.read_sources`'s ``names``) and None.

    Raises:
        UserError: for an ``encoding`` given to sources whose modality reads no text or to a
            manifest, a folder with no file of ``extensions``, or a manifest row without a field of
            a generator of dict samples that does not let such rows through.
    """
    from augkit import datasets
    from augkit.core import modalities
    from augkit.datasets.manifest import MANIFEST_SUFFIXES
    from augkit.datasets.suffixes import NoFiles

    manifests = [s for s in sources if Path(s).suffix.lower() in MANIFEST_SUFFIXES]
    if manifests and encoding is not None:
        raise UserError(_MANIFEST_ENCODING.format(manifests[0]))
    options = {**(modalities.get(views.modality).context(views) if views.modality else {}), **(options or {})}
    if encoding is not None:
        if views.modality:
            _check_encoding(views.modality)
        options["encoding"] = encoding
    if manifests:
        if len(manifests) != len(sources):
            raise UserError(f"give manifests ({', '.join(MANIFEST_SUFFIXES)}) or files and folders, not both")
        rows = _manifest_rows(command, sources, views, limit, options)
        if not rows:
            raise UserError(f"no row of {', '.join(sources)} gives a sample the generator takes (see the notes above)")
        if titles is not None:
            titles += [(name, label) for _, name, label in rows]
        return [sample for sample, _, _ in rows]
    skipped: list[tuple[str, str]] = []
    names: list[str] = []
    try:
        samples, kind = datasets.read_sources(sources, modality=views.modality or None, limit=limit,
                                              skipped=skipped, extensions=extensions, names=names, **options)
    except NoFiles as err:
        raise UserError(no_files(err)) from None
    if encoding is not None:
        _check_encoding(kind)
    for bad, reason in skipped:
        print(f"augkit {command}: skipped {escaped(bad)}: {escaped(' '.join(reason.split()))}", file=sys.stderr)
    if titles is not None:
        titles += [(name, None) for name in names]
    return samples


def _manifest_rows(command: str, sources: list[str], views: Any, limit: int,
                   options: dict[str, Any]) -> list[tuple[Any, str | None, Any]]:
    """The first ``limit`` samples of JSONL/CSV manifests, each with the files its row names and its
    label: for a generator of one modality, each row's field of it, read as ``augkit generate`` reads
    it (:func:`augkit.generate.sources.manifest_items`; a row without the field, or whose file
    cannot be read, is skipped with a note); for a generator of dict samples, whole rows."""
    from augkit.core import modalities
    from augkit.core.errors import AugkitError, InvalidInput
    from augkit.datasets.manifest import ManifestDataset
    from augkit.datasets.readers import load_file

    out: list[tuple[Any, str | None, Any]] = []
    if views.fields is None:
        from augkit.generate.shards import source_name
        from augkit.generate.sources import manifest_items

        try:
            items, kind, _ = manifest_items([Path(s) for s in sources], views.modality)
        except InvalidInput as err:
            raise UserError(str(err)) from None
        descriptor = modalities.get(kind)
        without: dict[str, list[int]] = {}  # manifest -> the lines of rows without the field: one note each
        for item in items:
            if len(out) >= limit:
                break
            if item.problem is not None:
                without.setdefault(item.source["path"], []).append(item.source["line"])
                continue
            try:
                sample = item.value if item.path is None else load_file(descriptor.load, Path(item.path), **options)
            except (AugkitError, OSError) as err:  # as a read of a folder skips a file it cannot read
                print(f"augkit {command}: skipped {escaped(source_name(item.source))}: "
                      f"{escaped(' '.join(str(err).split()))}", file=sys.stderr)
                continue
            row_label = item.label_name if item.label_name is not None else item.label
            out.append((sample, None if item.path is None else Path(item.path).name, row_label))
        for manifest, lines in without.items():
            shown = ", ".join(map(str, lines[:5])) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
            many = f"{len(lines)} rows" if len(lines) > 1 else "1 row"
            print(f"augkit {command}: skipped {many} of {escaped(manifest)} that have no {kind} field "
                  f"(line{'s' if len(lines) > 1 else ''} {shown})", file=sys.stderr)
        return out
    for source in sources:
        rows = ManifestDataset(source, **{k: v for k, v in options.items() if k != "encoding"})
        for i in range(len(rows)):
            if len(out) >= limit:
                return out
            absent = [f for f in views.field_modalities if f not in rows.rows[i] or rows.rows[i][f] is None]
            if absent and views.missing == "raise":
                raise UserError(f"sample {len(out)} ({source}, line {rows.lines[i]}) has no field {absent[0]!r} (its "
                                f"keys: {', '.join(map(str, rows.rows[i]))}); set `missing: pass` in the --config "
                                "spec to let such rows through without it")
            files = [Path(v).name for f, v in rows.rows[i].items() if f in rows.fields and isinstance(v, str)
                     and Path(v).suffix.lower() in modalities.get(rows.fields[f]).extensions]
            out.append((rows[i], ", ".join(files) or None, rows.rows[i].get("label")))
    return out


def in_cli_words(message: str) -> str:
    """A library message as the command line says it: the generator's ``missing='pass'`` is the
    ``missing: pass`` of a ``--config`` spec."""
    return message.replace("pass missing='pass'", "set `missing: pass` in the --config spec")


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
    print(f"augkit {command}: {escaped(' '.join(in_cli_words(message).split()))}", file=sys.stderr)
    return 2
