"""Readers: the files of a folder, the lines of a text file, and the samples that sources named on
a command line hold (manifests: :mod:`augkit.datasets.manifest`).

Which files a reader keeps and how it loads them is up to each modality's descriptor
(:mod:`augkit.core.modalities`): its ``extensions``, ``load`` and ``read``.
"""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch

from augkit.core import modalities
from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, MissingFile, WrongArgumentType, quoted
from augkit.datasets.suffixes import NoFiles, check_extensions, suffix_modalities

__all__ = [
    "FolderDataset",
    "ModalityMismatch",
    "check_load_options",
    "load_file",
    "read_sources",
]

#: Errors that mean a bug in the code rather than a file that cannot be read: :func:`load_file`
#: lets them through as they are.
_BUGS = (TypeError, AttributeError, NameError, ImportError, NotImplementedError, AssertionError)


def load_file(read: Callable[..., Any], path: Path, **options: Any) -> Any:
    """``read(path, **options)`` (a descriptor's ``load`` or ``read``), where a decoder's own error
    about this file becomes :class:`augkit.core.errors.InvalidInput` naming the path: PIL's
    ``DecompressionBombError`` for a PNG declaring 100000×100000 pixels, a codec's ``RuntimeError``
    or ``ValueError``. augkit's errors, ``OSError`` (a missing file stays a FileNotFoundError) and
    errors that mean a bug pass as they are.

    Example:
        >>> load_file(modalities.get("image").load, Path("photo.png"))
    """
    try:
        return read(path, **options)
    except (AugkitError, OSError, *_BUGS):
        raise
    except Exception as exc:
        raise InvalidInput(f"cannot read {path}: {type(exc).__name__}: {' '.join(str(exc).split())}") from exc


def reader_keywords(read: Callable[..., Any]) -> dict[str, Any]:
    """The options a reader (a descriptor's ``load`` or ``read``) names after the path, with their
    defaults (``inspect.Parameter.empty`` for none). Its ``**options`` catch-all is not one: it
    takes a generator's whole context, of which each reader uses what it names."""
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    named = [p for p in inspect.signature(read).parameters.values() if p.kind in kinds]
    return {p.name: p.default for p in named[1:]}


def check_load_options(descriptors: Iterable[Any], options: Mapping[str, Any], where: str) -> None:
    """Refuse an option that no descriptor's ``load`` names (a misspelt ``colour=``, PIL's
    ``mode="RGB"``, ``sample_rate=`` for images), naming it and the options the loads take.

    Raises:
        WrongArgumentType: (a TypeError, as for an unexpected keyword) naming ``where``, the option and
            the ones taken with their defaults.

    Example:
        >>> check_load_options([modalities.get("image")], {"color": "gray"}, "FolderDataset('photos')")
    """
    chosen = list(dict.fromkeys(descriptors))
    taken: dict[str, Any] = {}
    for descriptor in chosen:
        taken.update(reader_keywords(descriptor.load))
    unknown = [k for k in options if k not in taken]
    if not unknown:
        return
    kinds = " and ".join(d.name for d in chosen) or "these"
    shown = ", ".join(k if v is inspect.Parameter.empty else f"{k}={v!r}" for k, v in taken.items())
    raise WrongArgumentType(f"{where}: {kinds} files take no option {unknown[0]}={quoted(options[unknown[0]])}; "
                            f"{'the options they take (defaults shown): ' + shown if shown else 'they take no options'}"
                            "; remove it or correct its name")


class FolderDataset(torch.utils.data.Dataset[Any]):
    """The files under ``root`` of one modality (or with the given extensions), sorted; items are
    loaded samples.

    Which files are kept, and how each is loaded:

    - ``modality`` given: that descriptor's extensions (or ``extensions``, when given too), each
      file loaded with ``descriptor.load(path, **load_options)`` (``encoding=`` reads text);
    - ``extensions`` only: the files with those suffixes, each loaded by the descriptor that
      :func:`augkit.core.modalities.for_path` finds for it;
    - neither: the files some registered modality reads; they must all be of one modality (a
      folder of photos gives uint8 RGB arrays, ``H×W`` for grayscale files as for a grayscale
      numpy array; audio files give float32 ``[channels, time]`` tensors; text files one string each).

    Audio is resampled on load to ``sample_rate``, **16000 Hz unless told otherwise** (the audio
    descriptor's default), so every clip has the rate its ops are built for: a 44.1 kHz and an
    8 kHz file both give 16,000 samples per second. ``sample_rate=None`` keeps each file's own
    rate; ask for it only when you track the rates yourself (a clip carries none). The rate the
    clips have is ``self.sample_rate`` (None for other modalities, a custom ``loader`` or
    ``sample_rate=None``).

    Labels come from the first-level sub-folder names when ``labels_from_folders`` is True
    (``root/cat/1.jpg`` → label index of ``"cat"`` in ``classes``), ImageFolder-style.

    Args:
        root: the folder to scan recursively.
        extensions: suffixes to keep, with their dot (``(".flac", ".oga")``; matched ignoring
            case), checked by :func:`augkit.datasets.suffixes.check_extensions`: without
            ``loader``, each must be one that ``modality`` (or, without it, some modality) reads.
        loader: turns a path into a sample, instead of the descriptors' ``load``.
        labels_from_folders: return ``(sample, label_index)`` pairs.
        modality: the registered modality of the samples (``self.modality``; ``""`` when the kept
            files span several modalities or none claims them and ``loader`` reads them).
        load_options: keywords for the descriptor's ``load`` (audio: ``sample_rate=``,
            ``channels=1 | 2 | "keep"``; images: ``color="rgb" | "gray" | "keep"``; text:
            ``encoding=``); an option the ``load`` does not name is refused.

    Raises:
        FileNotFoundError: when ``root`` is not a folder.
        TypeError: when ``extensions`` is one string rather than a sequence of them.
        ValueError: for an unknown ``modality``; for ``extensions`` that are not suffixes or that
            ``modality`` (without ``loader``: any modality) does not read, naming them and what it
            reads; when no file under ``root`` is kept (:class:`augkit.datasets.suffixes.NoFiles`); when, with
            neither ``modality`` nor ``extensions``, the files are of several modalities (naming
            them and their counts); when, without ``loader``, no modality reads a kept suffix.
        TypeError: when ``load_options`` are given with a ``loader``, or name an option the
            modality's ``load`` does not take (naming it and those it takes), or ``sample_rate`` is
            not a number.

    Example:
        >>> clips = FolderDataset("data/audio", modality="audio", sample_rate=16000)
        >>> chosen = FolderDataset("sounds", modality="audio", extensions=(".wav", ".oga"))
    """

    def __init__(
        self,
        root: str | Path,
        extensions: Sequence[str] | None = None,
        loader: Callable[[Path], Any] | None = None,
        labels_from_folders: bool = False,
        modality: str | None = None,
        **load_options: Any,
    ) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise MissingFile(f"FolderDataset root {self.root} is not a folder")
        if loader is not None and load_options:
            raise WrongArgumentType(f"FolderDataset: load options {sorted(load_options)} are for the modality's "
                                    "load; a custom loader takes the path only")
        descriptor = modalities.get(modality) if modality is not None else None
        if extensions is not None:  # before any file is looked at
            extensions = check_extensions(extensions, modality, readable=loader is None)
        kinds = suffix_modalities()  # one lookup per file, not a registry scan
        files = sorted(p for p in self.root.rglob("*") if p.is_file())
        if extensions is not None or descriptor is not None:
            chosen = extensions if extensions is not None else descriptor.extensions if descriptor else ()
            wanted = tuple(e.lower() for e in chosen)
            self.paths = [p for p in files if p.suffix.lower() in wanted]
            if not self.paths:
                kind = f" ({descriptor.name} files)" if descriptor is not None else ""
                raise NoFiles(f"no files with extensions {list(wanted)}{kind} under {self.root}", self.root, wanted,
                              descriptor.name if descriptor is not None else "", extensions is not None)
        else:
            self.paths = [p for p in files if p.suffix.lower() in kinds]
            if not self.paths:
                raise NoFiles(f"no files with extensions of a registered modality under {self.root} "
                              f"(known: {', '.join(sorted(kinds))})", self.root, sorted(kinds))
        counts = Counter(kinds.get(p.suffix.lower(), "") for p in self.paths)
        unread = counts.pop("", 0)
        if descriptor is None and extensions is None and len(counts) > 1:
            raise InvalidInput(f"{self.root} holds files of several modalities ({_describe_counts(counts)}): "
                               f"pass modality= to keep one, e.g. FolderDataset({str(self.root)!r}, "
                               f"modality={counts.most_common(1)[0][0]!r})")
        if descriptor is None and loader is None and unread:
            suffixes = sorted({p.suffix.lower() for p in self.paths if p.suffix.lower() not in kinds})
            raise InvalidInput(f"no modality reads {', '.join(suffixes)} files under {self.root}: pass "
                               "modality= or loader=")
        if descriptor is not None:
            self.modality = descriptor.name
        else:  # "" when the files span modalities, or a loader reads files no modality claims
            self.modality = next(iter(counts)) if len(counts) == 1 and not unread else ""
        self.loader = loader
        self.load_options = dict(load_options)
        used = [descriptor] if descriptor is not None else [modalities.get(name) for name in counts]
        if loader is None:
            check_load_options(used, self.load_options, f"FolderDataset({str(self.root)!r})")
        self.sample_rate = None if loader is not None else _sample_rate(used, self.load_options)
        self.labels_from_folders = labels_from_folders
        self.classes = sorted({p.relative_to(self.root).parts[0] for p in self.paths if p.parent != self.root})

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> Any:
        path = self.paths[index]
        try:
            sample = self.load(path)
        except InvalidInput as err:  # a corrupt file: name the item too, the path is in the message
            raise InvalidInput(f"FolderDataset item {index}: {err}") from None
        if not self.labels_from_folders:
            return sample
        folder = path.relative_to(self.root).parts[0] if path.parent != self.root else None
        if folder is None:
            raise ValueError(f"{path} lies directly in {self.root}; labels_from_folders needs class sub-folders")
        return sample, self.classes.index(folder)

    def load(self, path: Path) -> Any:
        """One file as a sample: ``loader(path)``, or the descriptor's ``load`` (a decoder's error
        about the file raised as InvalidInput naming it, :func:`load_file`)."""
        if self.loader is not None:
            return self.loader(path)
        descriptor = modalities.get(self.modality) if self.modality else modalities.for_path(path)
        if descriptor is None:  # the constructor made sure every kept suffix is read by some modality
            raise InvalidInput(f"no modality reads {path}")
        return load_file(descriptor.load, path, **self.load_options)


class ModalityMismatch(InvalidInput):
    """A source holds samples of another modality than the one asked for.

    Attributes:
        path: the source.
        found: the modality (or modalities, comma-separated) it holds.
        wanted: the modality asked for.
    """

    def __init__(self, path: str | Path, found: str, wanted: str) -> None:
        self.path, self.found, self.wanted = str(path), found, wanted
        super().__init__(f"{self.path} holds {found}, not {wanted}: give {wanted} sources "
                         f"({', '.join(modalities.get(wanted).extensions) or 'no files'})")


def read_sources(
    paths: str | Path | Iterable[str | Path], modality: str | None = None, *, limit: int | None = None,
    skipped: list[tuple[str, str]] | None = None, extensions: Sequence[str] | None = None,
    names: list[str] | None = None, **options: Any,
) -> tuple[list[Any], str]:
    """The samples that files and folders named as sources hold, and their modality.

    A folder gives all its files of the modality, sorted (:class:`FolderDataset`, each file one
    sample), or only those with ``extensions``; a file gives what its modality's ``read`` makes of
    it (a text file: one sample per non-blank line; an image or audio file: one sample), whatever
    ``extensions`` say. ``options`` go to ``read``/``load`` (``sample_rate=16000`` for audio,
    ``encoding=`` for text, ``color=`` for images); a folder refuses an option some modality's
    ``load`` names but its own does not (``sample_rate=`` for photos), and keys no registered
    ``load`` names pass by its files (a generator's context: an output's ``mean``, ``paragraphs``).
    Every path is checked before any sample is loaded, so a missing or mistyped source fails fast.

    Args:
        paths: one source or several.
        modality: the modality the samples must be of; None takes the sources' own (one for all).
        limit: keep only the first ``limit`` samples (later files are not loaded).
        skipped: when given, a file of a folder that cannot be read (a corrupt image) is skipped
            and ``(path, reason)`` appended here, instead of raising.
        extensions: the suffixes of the files to read from folders (``(".wav", ".oga")``, matched
            ignoring case), instead of every suffix the modality reads; each must be one that
            ``modality`` (or, without it, some modality) reads (:func:`augkit.datasets.suffixes.check_extensions`).
        names: when given, each sample's name is appended: a folder's file by its path in the
            folder, a file by its name, numbered (``sentences.txt #2``) when it gives several.
        options: keywords for the descriptors' ``read``/``load``.

    Returns:
        ``(samples, modality_name)``.

    Raises:
        FileNotFoundError: naming a source that does not exist.
        ModalityMismatch: (a ValueError) when ``modality`` is given and a source holds another.
        NoFiles: (a ValueError) for a folder with no file of the modality or with ``extensions``.
        TypeError: for ``extensions`` given as one string.
        ValueError: for a file no modality reads (naming it and the known extensions), sources of
            several modalities (naming them), an unknown ``modality``, ``extensions`` that are not
            suffixes or that the modality does not read (before any file is looked at), a ``limit``
            below 1, a folder of mixed modalities without ``modality``, a file that cannot be
            decoded (whatever its decoder raised: :func:`load_file`), or no samples.

    Example:
        >>> texts, kind = read_sources(["data/sentences.txt"], limit=8)   # kind == "text"
        >>> clips, _ = read_sources("sounds", "audio", extensions=[".wav", ".oga"])
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidArgument(f"limit={limit!r} must be a positive integer or None")
    if modality is not None:
        modalities.get(modality)  # an unknown name fails before any file is looked at
    wanted = None if extensions is None else check_extensions(extensions, modality)
    sources = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if not sources:
        raise InvalidArgument("read_sources needs at least one file or folder")
    plan: list[tuple[Path, Any]] = []  # (path, descriptor of a file | FolderDataset of a folder)
    first: dict[str, Path] = {}
    for source in sources:
        path = Path(source)
        item: FolderDataset | modalities.Modality
        if path.is_dir():
            item = _folder(path, modality, wanted, options)
            kind = item.modality
        elif path.is_file():
            descriptor = modalities.for_path(path, modality)
            if descriptor is None:
                suffix = f"{path.suffix} files" if path.suffix else "files without a suffix"
                raise InvalidInput(f"{path}: no modality reads {suffix}; known extensions: "
                                   f"{', '.join(_known_extensions())}")
            if modality is not None and descriptor.name != modality:
                raise ModalityMismatch(path, descriptor.name, modality)
            kind, item = descriptor.name, descriptor
        else:
            raise MissingFile(f"source {path} does not exist")
        first.setdefault(kind, path)
        if len(first) > 1:
            named = ", ".join(f"{k} ({p})" for k, p in first.items())
            raise InvalidInput(f"the sources mix modalities: {named}; give sources of one modality")
        plan.append((path, item))
    samples: list[Any] = []
    for path, item in plan:
        room = None if limit is None else limit - len(samples)
        if room is not None and room <= 0:
            break
        if isinstance(item, FolderDataset):
            for i in range(len(item)):
                if limit is not None and len(samples) >= limit:
                    break
                if skipped is None:
                    samples.append(item[i])
                else:
                    try:
                        samples.append(item[i])
                    except (AugkitError, OSError) as err:
                        skipped.append((str(item.paths[i]), str(err)))
                        continue
                if names is not None:
                    names.append(item.paths[i].relative_to(path).as_posix())
        else:
            got = load_file(item.read, path, **options)[:room]
            samples.extend(got)
            if names is not None:
                names += [f"{path.name} #{j + 1}" if len(got) > 1 else path.name for j in range(len(got))]
    if not samples:
        raise InvalidInput(f"the sources hold no samples: {', '.join(str(s) for s in sources)}")
    return samples, next(iter(first))


def _sample_rate(descriptors: Iterable[Any], options: Mapping[str, Any]) -> int | None:
    """The rate (Hz) the descriptors' ``load`` gives clips with ``options``: ``sample_rate`` when
    given (checked), else the default of a ``load`` that takes one (audio's 16000); None when no
    ``load`` takes a rate or ``sample_rate=None`` keeps each file's own."""
    from augkit.core.args import SampleRate

    if "sample_rate" in options:
        rate = options["sample_rate"]
        return None if rate is None else SampleRate()(rate, "sample_rate")
    for descriptor in descriptors:
        parameter = inspect.signature(descriptor.load).parameters.get("sample_rate")
        if parameter is not None and isinstance(parameter.default, int):
            return parameter.default
    return None


def _known_extensions() -> list[str]:
    """Every file suffix a registered modality reads, sorted."""
    return sorted(suffix_modalities())


def loader_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``options`` some registered modality's ``load`` names: a generator's context (an output's
    ``mean``, an input step's ``hop``) mixed into reader options leaves the rest, which no file
    reader takes (:func:`check_load_options` then checks these against the modality read)."""
    names: set[str] = set()
    for name in modalities.names():
        names.update(reader_keywords(modalities.get(name).load))
    return {k: v for k, v in options.items() if k in names}


def _folder(path: Path, modality: str | None, extensions: Sequence[str] | None,
            options: dict[str, Any]) -> FolderDataset:
    """The folder as a dataset of ``modality`` (its files with ``extensions``, when given); a folder
    that holds only other modalities is a mismatch."""
    try:
        return FolderDataset(path, extensions=extensions, modality=modality, **loader_options(options))
    except InvalidInput:
        if modality is not None:
            others = _modality_counts(p for p in path.rglob("*") if p.is_file())
            if others and modality not in others:
                raise ModalityMismatch(path, ", ".join(sorted(others)), modality) from None
        raise


def _modality_counts(paths: Iterable[Path]) -> Counter[str]:
    kinds = suffix_modalities()
    return Counter(kinds[p.suffix.lower()] for p in paths if p.suffix.lower() in kinds)


def _describe_counts(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {name} file{'s' if n != 1 else ''}" for name, n in sorted(counts.items()))
