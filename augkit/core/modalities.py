"""Modalities: what augkit knows about each kind of input, in one descriptor per modality.

A descriptor lives in its modality's package (``augkit/image/modality.py``, ...). It is the only
place that knows what an input of that modality looks like, how to read one from a file, how to
store and batch a view, and how to show one; ops, generators, datasets, the CLI and previews ask it.
A fourth modality is one descriptor (usually a :class:`BaseModality` subclass) plus its ops, made
known with :func:`register` or the entry-point group ``augkit.modalities``.

Example:
    >>> from augkit import modalities
    >>> modalities.get("text").check("a text")
    'a text'
"""

from __future__ import annotations

import contextlib
import html
import importlib
import inspect
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from augkit.core.batchform import BatchForm
from augkit.core.errors import InvalidArgument, InvalidInput, WrongInputType
from augkit.core.registries import Registry

__all__ = [
    "ANY",
    "ENTRY_POINT_GROUP",
    "MODALITIES",
    "BaseModality",
    "Modality",
    "builtin_names",
    "builtin_packages",
    "claiming",
    "for_path",
    "get",
    "names",
    "of_augmenters",
    "reads_text",
    "register",
    "walk",
]

ENTRY_POINT_GROUP = "augkit.modalities"
# The built-in descriptors, by name; third parties register theirs through the entry-point group.
# A lookup imports only the one asked for: a text-only user never imports torch for audio.
_BUILTIN = {"image": "augkit.image.modality", "text": "augkit.text.modality", "audio": "augkit.audio.modality",
            "spectrogram": "augkit.spectrogram.modality"}


@runtime_checkable
class Modality(Protocol):
    """Everything augkit needs to know about one kind of input.

    Attributes:
        name: the registry name (``"image"``); ops declare it as their ``modality``.
        extensions: lower-case file suffixes :meth:`load` reads (``(".jpg", ".png", ...)``).
        formats: the storage formats :meth:`encode` writes, the default first (``("jpg", "png", "npy")``).
        ops_modules: modules whose import registers the modality's ops and presets.

    Methods:
        check(x, **options): ``x`` in the canonical form (converting the forms the modality accepts),
            or one error naming what is wrong and what to do. The generator runs it once per sample.
        enter / leave / stack: how an op sees its input (:meth:`BaseModality.enter`).
        load(path, **options): one sample from a file, in the canonical form.
        read(path, **options): the samples a file named as a source holds (a text file: its lines).
        load_bytes(data, name, **options): one sample from an encoded file held in memory.
        encode(view, format=None, **context) -> (bytes, extension) and decode(data, extension):
            store a view taken before the generator's output step; decode(encode(v)) equals v up
            to the format (context: what :meth:`context` gives, e.g. the sample rate of a WAV).
        check_format(format): ``format`` (None: the default, ``formats[0]``) or an error naming them.
        collate(items, **options): one view position across a batch.
        render(view, params=None, source=None, **context): an HTML fragment showing the view;
            context holds what the generator knows (:meth:`context`: the output's mean/std, a rate).
        picture(view, **context): the view as an RGB uint8 ``H×W×3`` array for a PNG grid.
        moved(source, view, params=None, **context): how far a view moved from its source, as
            ``{"ssim": 0.41, ...}`` (what the preview's summary table and ``augkit stats`` show).
        context(vg): the options :meth:`load`, :meth:`encode` and :meth:`render` take for a
            generator's views (each takes the whole context and uses what it needs).
        output(spec): the declared output step named by a spec (``{"type": "uint8"}``), or None.
        input(spec): the declared input step named by a spec (``{"type": "log_mel", ...}``), or None.
        example(): a typical input; examples(): labelled odd inputs the modality accepts.
    """

    @property
    def name(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    @property
    def formats(self) -> tuple[str, ...]: ...

    @property
    def ops_modules(self) -> tuple[str, ...]: ...

    def check(self, x: Any, **options: Any) -> Any: ...

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]: ...

    def leave(self, y: Any, ctx: Any) -> Any: ...

    def stack(self, items: Sequence[Any], where: str) -> Any: ...

    def load(self, path: str | Path, **options: Any) -> Any: ...

    def read(self, path: str | Path, **options: Any) -> list[Any]: ...

    def load_bytes(self, data: bytes, name: str = "", **options: Any) -> Any: ...

    def encode(self, view: Any, format: str | None = None, **context: Any) -> tuple[bytes, str]: ...

    def decode(self, data: bytes, extension: str) -> Any: ...

    def check_format(self, format: str | None) -> str: ...

    def collate(self, items: Sequence[Any], **options: Any) -> Any: ...

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str: ...

    def picture(self, view: Any, **context: Any) -> Any: ...

    def moved(self, source: Any, view: Any, params: Any = None, **context: Any) -> dict[str, float]: ...

    def context(self, vg: Any) -> dict[str, Any]: ...

    def output(self, spec: Mapping[str, Any] | None) -> Any: ...

    def example(self) -> Any: ...

    def examples(self) -> list[tuple[str, Any]]: ...


class BaseModality(BatchForm):
    """Defaults for a descriptor: subclass it and write at least ``name`` and :meth:`check`.

    The defaults: ops see ``check(x)``; a batch is a list; :meth:`load` reads nothing; views are
    stored as ``.npy`` (``numpy.save`` without pickles) and collated with
    :func:`augkit.core.batching.collate_items`; :meth:`render` shows ``repr`` in a ``<pre>``.
    """

    name: str = ""
    extensions: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("npy",)
    ops_modules: tuple[str, ...] = ()
    #: Python types whose plain values are this modality's samples when nothing else names one (a
    #: ``str`` is text): collate and dict views ask :func:`claiming`.
    claims: tuple[type, ...] = ()
    #: The keywords a preview page's caller may give its ``render`` (``sample_rate`` for audio,
    #: ``crop_boxes`` for images): :func:`augkit.preview.write_page` refuses any other.
    render_options: tuple[str, ...] = ()
    #: The distributions whose versions change this modality's views (recorded beside stored views).
    libraries: tuple[str, ...] = ()
    #: Whether lookups that guess a modality (:func:`for_path`, :func:`picture_of`) consider this one;
    #: False for one whose files or arrays are another's too (a log-mel: a float array, a WAV).
    guessed: bool = True

    def check(self, x: Any, **options: Any) -> Any:
        return x

    def single_threaded(self) -> contextlib.AbstractContextManager[Any]:
        """A context in which the libraries this modality's ops call run on one thread, so that
        stored views do not depend on how threads split a sum (torch is limited by the caller)."""
        return contextlib.nullcontext()

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        """``(value, batched, ctx)``: ``x`` in canonical form for the op named ``where``."""
        try:
            return self.check(x), False, None
        except (InvalidInput, WrongInputType) as err:
            raise type(err)(f"{where}: {err}") from None

    def leave(self, y: Any, ctx: Any) -> Any:
        """Hand an op's result back in the caller's form (``ctx`` is what :meth:`enter` returned)."""
        return y

    def stack(self, items: Sequence[Any], where: str) -> Any:
        """Rebuild a batch from per-item results."""
        return list(items)

    def load(self, path: str | Path, **options: Any) -> Any:
        raise InvalidInput(f"the {self.name} modality reads no files ({path})")

    def read(self, path: str | Path, **options: Any) -> list[Any]:
        return [self.load(path, **options)]

    def load_bytes(self, data: bytes, name: str = "", **options: Any) -> Any:
        """One sample from an encoded file held in memory (a dataset cell), as :meth:`load` reads a file;
        ``name`` (a file name) gives its format and names it in errors."""
        return self.decode(data, Path(name).suffix.lstrip(".") or self.formats[0])

    def encode(self, view: Any, format: str | None = None, **context: Any) -> tuple[bytes, str]:
        import numpy as np

        self.check_format(format)
        buf = io.BytesIO()
        np.save(buf, np.asarray(view), allow_pickle=False)
        return buf.getvalue(), "npy"

    def decode(self, data: bytes, extension: str) -> Any:
        import numpy as np

        self.check_format(extension)
        return np.load(io.BytesIO(data), allow_pickle=False)

    def check_format(self, format: str | None) -> str:
        """``format`` (None: the default) if this modality stores views in it, else an error naming them."""
        if format is None:
            return self.formats[0]
        fmt = format.lower().lstrip(".")
        if fmt not in self.formats:
            raise InvalidArgument(f"{self.name} views are stored as {', '.join(self.formats)}; got format={format!r}")
        return fmt

    def collate(self, items: Sequence[Any], **options: Any) -> Any:
        from augkit.core.batching import collate_items

        return collate_items(items, **options)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        return f"<pre class='view'>{html.escape(repr(view))}</pre>"

    def picture(self, view: Any, **context: Any) -> Any:
        raise InvalidInput(f"{self.name} views have no picture for a PNG grid; write an .html page instead")

    def context(self, vg: Any) -> dict[str, Any]:
        return {}

    def output(self, spec: Mapping[str, Any] | None) -> Any:
        if spec is None:
            return None
        raise InvalidInput(f"the {self.name} modality declares no output step; got {dict(spec)!r}")

    def input(self, spec: Mapping[str, Any] | None) -> Any:
        if spec is None:
            return None
        raise InvalidInput(f"the {self.name} modality declares no input step; got {dict(spec)!r:.80}")

    def moved(self, source: Any, view: Any, params: Any = None, **context: Any) -> dict[str, float]:
        """How far ``view`` moved from ``source`` (both before the output step), as named numbers;
        ``params`` is the view's record. The default measures nothing."""
        return {}

    def example(self) -> Any:
        raise NotImplementedError(f"the {self.name} modality gives no example input")

    def examples(self) -> list[tuple[str, Any]]:
        return [("typical", self.example())]

    def __repr__(self) -> str:
        return f"<modality {self.name}>"


class _Any(BaseModality):
    """The pass-through form of ops that take any input (Identity, composites)."""

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        return x, False, None


ANY: Modality = _Any()

def _builtin_modalities() -> None:
    for module in _BUILTIN.values():
        importlib.import_module(module)


#: Modality descriptors by name: augkit's own, then those of installed packages.
MODALITIES: Registry[Modality] = Registry("modality", ENTRY_POINT_GROUP, _builtin_modalities)


def register(modality: Modality) -> Modality:
    """Make ``modality`` findable by its ``name``; returns it.

    Raises:
        InvalidArgument: for an empty name, or a name another descriptor already holds.
    """
    return MODALITIES.register(modality)


def get(name: str) -> Modality:
    """The descriptor of modality ``name`` (a built-in one imports only its own module).

    Raises:
        UnknownName: (a ValueError) naming the unknown modality and the known ones.
    """
    found = MODALITIES.peek(name)
    if found is None and isinstance(name, str) and name in _BUILTIN:
        importlib.import_module(_BUILTIN[name])
        found = MODALITIES.peek(name)
    return found if found is not None else MODALITIES.get(name)


def names() -> list[str]:
    """The registered modality names: augkit's own in their fixed order (image, text, audio), then
    installed ones sorted. Lookups that try each modality (:func:`claiming`, :func:`picture_of`)
    go in this order."""
    every = MODALITIES.names()
    return [n for n in _BUILTIN if n in every] + [n for n in every if n not in _BUILTIN]


def builtin_names() -> list[str]:
    """The names of augkit's own modalities (no import needed)."""
    return list(_BUILTIN)


def builtin_packages() -> dict[str, str]:
    """Each of augkit's own modalities and the package holding its ops (``{"image": "augkit.image"}``)."""
    return {name: module.rsplit(".", 1)[0] for name, module in _BUILTIN.items()}


def claiming(values: Sequence[Any]) -> str | None:
    """The name of the first registered modality whose descriptor ``claims`` the type of every one of
    ``values`` (strings: text), or None when none does or ``values`` is empty."""
    if len(values) == 0:
        return None
    for name in names():
        types = getattr(get(name), "claims", ())
        if types and all(isinstance(v, types) for v in values):
            return name
    return None


def reads_text(descriptor: Any) -> bool:
    """Whether ``descriptor`` decodes text from files (its ``read`` or ``load`` takes ``encoding``):
    where an ``encoding`` option applies."""
    return any("encoding" in inspect.signature(fn).parameters
               for fn in (getattr(descriptor, "read", None), getattr(descriptor, "load", None)) if fn is not None)


def picture_of(x: Any) -> Any:
    """``x`` drawn as an H×W×3 uint8 picture by the first registered modality whose ``picture``
    takes it (an image array, a tensor, a PIL image).

    Raises:
        WrongInputType or InvalidInput: the kind of the first modality's refusal (in :func:`names`
            order: a str is the wrong type, an array of 2 channels a wrong value), naming each
            modality's reason.
    """
    reasons: list[str] = []
    kind: type[Exception] | None = None
    for name in names():
        descriptor = get(name)
        if not hasattr(descriptor, "picture") or not getattr(descriptor, "guessed", True):
            continue
        try:
            return descriptor.picture(x)
        except (TypeError, ValueError) as err:
            kind = kind or (InvalidInput if isinstance(err, ValueError) else WrongInputType)
            reasons.append(f"{name}: {err}")
    kind = kind or WrongInputType
    raise kind(f"no modality draws a picture of this {type(x).__name__}: " + "; ".join(reasons)[:400])


def for_path(path: str | Path, prefer: str | None = None) -> Modality | None:
    """The modality whose :attr:`~Modality.extensions` hold ``path``'s suffix, or None: ``prefer`` (a
    generator's modality) when it reads the suffix, otherwise the first guessed one in :func:`names` order."""
    suffix = Path(path).suffix.lower()
    if not suffix:
        return None
    for name in ([prefer] if prefer else []) + [n for n in names() if getattr(get(n), "guessed", True)]:
        m = get(name)
        if suffix in getattr(m, "extensions", ()):
            return m
    return None


def of_augmenters(augmenters: Iterable[Any]) -> str:
    """The one modality a set of augmenters (and their children) takes; ``""`` when they take anything.

    Raises:
        ValueError: when they mix modalities, naming them.
    """
    found: set[str] = set()
    for aug in augmenters:
        found |= _modalities_in(aug)
    if len(found) > 1:
        raise InvalidArgument(f"the pipelines mix modalities {sorted(found)}; one generator takes one modality "
                              "(a dict sample gives each field its own pipeline)")
    return found.pop() if found else ""


def _modalities_in(aug: Any) -> set[str]:
    return {m for op in walk([aug]) if (m := getattr(op, "modality", ""))}


def walk(augmenters: Iterable[Any]) -> Iterable[Any]:
    """Every augmenter in ``augmenters`` and, depth first, the children composites hold in their arguments."""
    for aug in augmenters:
        yield aug
        arguments = getattr(aug, "arguments", None)
        if arguments is None:
            continue
        for value in arguments().values():
            children = value if isinstance(value, (list, tuple)) else [value]
            yield from walk(c for c in children if hasattr(c, "augment") and hasattr(c, "arguments"))
