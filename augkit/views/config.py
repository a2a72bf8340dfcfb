"""Config specs: a view generator written down as plain data (a dict, YAML or JSON) and read back.

A spec names everything by its registry name: no import paths, no ``!!python`` tags, no eval. It
has one of two shapes::

    # a preset and its arguments
    {"augkit": "0.3.0", "spec_format": 1, "preset": "image.simclr", "args": {"size": 96},
     "n_views": 2, "seed": 0}

    # pipelines of registered ops; "type" is the op's registry name, the other keys its arguments
    {"augkit": "0.3.0", "spec_format": 1, "modality": "image", "seed": 0, "n_views": 2,
     "pipeline": {"type": "compose", "ops": [{"type": "image.horizontal_flip", "p": 0.5}]},
     "output": {"type": "normalized", "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}}

Specs are data from elsewhere, so loading one is bounded: a file holds at most
:data:`MAX_SPEC_BYTES`; YAML is read with ``safe_load``'s rules and at most :data:`MAX_ALIASES`
aliases; any spec (a dict too) holds at most :data:`MAX_SPEC_VALUES` values, counted as often as
they are shared, nested at most :data:`augkit.core.files.MAX_DEPTH` levels; and an error quotes
at most a few dozen characters of a value it names (:func:`augkit.core.args.quoted`).

A declared input step (:mod:`augkit.views.steps`) is written as ``"input": {"type": ...}`` beside
``"modality"``, and built back by that modality's descriptor.

``"views": [spec, spec, ...]`` (one pipeline per view: BYOL, multi-crop) takes the place of
``"pipeline"`` and ``"n_views"``. ``load(dump(vg))`` gives the same views as ``vg`` for every
``(seed, epoch, index)``.

A generator over dict samples (:class:`augkit.CrossModalViews` included) writes its fields, each
with its pipeline (or views) and, where set, its modality and output, and its coupling rules by
name (:mod:`augkit.views.couplings`)::

    {"augkit": "0.3.0", "spec_format": 1, "seed": 0, "n_views": 1, "cross_modal": true,
     "fields": {"image": {"pipeline": {"type": "image.horizontal_flip", "p": 0.5}},
                "text": {"pipeline": {"type": "text.random_swap", "alpha": 0.1}}},
     "couplings": ["flip_swaps_left_right", "protect_words"], "missing": "raise"}

Example:
    >>> spec = augkit.views.config.dump(augkit.image.simclr(96, seed=0))
    >>> Path("simclr.yaml").write_text(yaml.safe_dump(spec))
    >>> vg = augkit.views.config.load("simclr.yaml")
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from augkit.core import Augmenter
from augkit.core.args import Check
from augkit.core.errors import AugkitError, quoted
from augkit.core.files import MAX_DEPTH, nesting_fault, open_regular
from augkit.views.dump import SPEC_FORMAT, InvalidSpec, dump, load_fields
from augkit.views.generator import ViewGenerator
from augkit.views.mixing import check_source

__all__ = ["MAX_ALIASES", "MAX_SPEC_BYTES", "MAX_SPEC_VALUES", "SPEC_FORMAT", "InvalidSpec", "dump", "load"]

#: The largest spec file :func:`load` reads (1 MiB): a spec is a few hundred bytes to a few kB.
MAX_SPEC_BYTES = 1 << 20
#: The most YAML aliases (``*name``) a spec file may hold: each can copy a whole subtree, so a few
#: hundred bytes of them expand to gigabytes (the "billion laughs").
MAX_ALIASES = 16
#: The most values (list items and mapping values, each share counted) a spec may hold.
MAX_SPEC_VALUES = 100_000
#: How much of an inner error a spec error repeats.
_MESSAGE_CHARS = 400

_TOP = ("augkit", "spec_format", "preset", "args", "modality", "seed", "n_views", "pipeline", "views", "output",
        "input", "extra_fields", "fields", "couplings", "missing", "cross_modal")
_FIELD = ("pipeline", "views", "modality", "output")
_UNSET: Any = object()


# -- load --------------------------------------------------------------------------------------


def load(spec_or_path: Mapping[str, Any] | str | Path, *, seed: Any = _UNSET, n_views: Any = _UNSET,
         source: Any = None) -> ViewGenerator:
    """The ViewGenerator a spec describes (with ``source``: the samples its mixing ops draw
    partners from, which a spec never holds).

    Args:
        spec_or_path: a spec dict, or the path of a ``.yaml``/``.yml`` (read with
            ``yaml.safe_load``) or ``.json`` file holding one.
        seed: overrides the spec's seed (``None`` draws one).
        n_views: overrides the spec's number of views (a spec with one pipeline per view only
            takes its own count).

    Raises:
        InvalidSpec: naming the place in the spec (``views[1].ops[2].sigma``) of an unknown
            preset, op, argument or field, or of a value the op refuses; or a spec written by a
            newer augkit.
        InvalidSpec: also for a spec past the bounds above (naming the bound), and for a file
            that is not valid JSON or plain YAML.
        FileNotFoundError: when the path does not exist.
        TypeError: when ``spec_or_path`` is neither a mapping nor a path.
    """
    vg = _load(spec_or_path, seed, n_views)
    if source is not None:
        vg.source = check_source(source)
    return vg


def _load(spec_or_path: Mapping[str, Any] | str | Path, seed: Any, n_views: Any) -> ViewGenerator:
    spec = _read(spec_or_path) if isinstance(spec_or_path, (str, Path)) else spec_or_path
    if not isinstance(spec, Mapping):
        raise TypeError(f"load() takes a spec dict or a .yaml/.json path, got {type(spec_or_path).__name__}")
    fault = nesting_fault(spec, MAX_DEPTH, MAX_SPEC_VALUES)
    if fault is not None:
        source = f"{spec_or_path}: " if isinstance(spec_or_path, (str, Path)) else ""
        raise InvalidSpec(f"{source}the spec {fault}; a spec needs far fewer (nest composites less deeply)")
    unknown = [k for k in spec if k not in _TOP]
    if unknown:
        raise InvalidSpec(f"{_key(unknown[0])}: not a field of an augkit spec; fields: {', '.join(_TOP)}")
    fmt = spec.get("spec_format", SPEC_FORMAT)
    if isinstance(fmt, bool) or not isinstance(fmt, int) or fmt < 1:
        raise InvalidSpec(f"spec_format: {quoted(fmt)} must be a positive integer")
    if fmt > SPEC_FORMAT:
        raise InvalidSpec(f"spec_format: {quoted(fmt)} was written by a newer augkit ({quoted(spec.get('augkit'))}); "
                          f"this one reads format {SPEC_FORMAT}: upgrade augkit")
    seed = _count(spec.get("seed") if seed is _UNSET else seed, "seed", 0)
    count = _count(spec.get("n_views") if n_views is _UNSET else n_views, "n_views", 1)
    if "preset" in spec:
        clash = [k for k in ("modality", "pipeline", "views", "output", "input") if k in spec]
        if clash:
            raise InvalidSpec(f"{clash[0]}: a preset spec takes args, n_views and seed, not {clash[0]}")
        return _preset(spec["preset"], spec.get("args") or {}, count, seed)
    if "fields" in spec:
        clash = [k for k in ("modality", "pipeline", "views", "output", "input") if k in spec]
        if clash:
            raise InvalidSpec(f"{clash[0]}: a spec with fields gives each field its {clash[0]}")
        return _fields(spec, count, seed)
    extra = [k for k in ("couplings", "missing", "cross_modal") if k in spec]
    if extra:
        raise InvalidSpec(f"{extra[0]}: only a spec with fields (dict samples) takes {extra[0]}")
    return _pipelines(spec, count, seed, n_views is not _UNSET)


def _fields(spec: Mapping[str, Any], n_views: Any, seed: Any) -> ViewGenerator:
    from augkit.core import modalities
    from augkit.views.crossmodal import CrossModalViews

    fields = spec["fields"]
    if not isinstance(fields, Mapping) or not fields:
        raise InvalidSpec("fields: must be a non-empty mapping {field: {pipeline: op spec}}")
    pipelines: dict[str, Any] = {}
    named: dict[str, str] = {}
    outputs: dict[str, Any] = {}
    for f, entry in fields.items():
        where = f"fields.{_key(f)}"
        if not isinstance(entry, Mapping):
            raise InvalidSpec(f"{where}: must be a mapping with a pipeline (or views), got {type(entry).__name__}")
        unknown = [k for k in entry if k not in _FIELD]
        if unknown:
            raise InvalidSpec(f"{where}.{_key(unknown[0])}: not a field entry's key; keys: {', '.join(_FIELD)}")
        if ("pipeline" in entry) == ("views" in entry):
            raise InvalidSpec(f"{where}: give a pipeline or views (one pipeline per view), one of the two")
        if "views" in entry:
            views = entry["views"]
            if not isinstance(views, list) or not views:
                raise InvalidSpec(f"{where}.views: must be a non-empty list of op specs, one per view")
            pipelines[f] = [_build(v, f"{where}.views[{k}]") for k, v in enumerate(views)]
        else:
            pipelines[f] = _build(entry["pipeline"], f"{where}.pipeline")
        modality = entry.get("modality")
        if modality is not None:
            if not isinstance(modality, str):
                raise InvalidSpec(f"{where}.modality: {quoted(modality)} must be a modality's name")
            named[f] = modality
        if entry.get("output") is not None:
            kind = modality or (f if f in modalities.names() else None)
            if not kind:
                raise InvalidSpec(f"{where}.output: a field with an output step names its modality")
            try:
                outputs[f] = modalities.get(kind).output(entry["output"])
            except AugkitError as err:
                raise InvalidSpec(f"{where}.output: {_said(err)}") from None
    couplings = spec.get("couplings") or []
    cross = spec.get("cross_modal", False)
    if not isinstance(cross, bool):
        raise InvalidSpec(f"cross_modal: {quoted(cross)} must be true or false")
    try:
        if cross:
            return CrossModalViews(couplings=couplings, seed=seed, n_views=n_views, output=outputs or None,
                                   missing=spec.get("missing", "raise"), modality=named or None, **pipelines)
        return ViewGenerator(pipelines, n_views=n_views, seed=seed, output=outputs or None, modality=named or None,
                             missing=spec.get("missing", "raise"), couplings=couplings)
    except AugkitError as err:
        where = "couplings" if "coupling" in str(err) else "missing" if "missing=" in str(err) else "fields"
        raise InvalidSpec(f"{where}: {_said(err)}") from None


def _count(value: Any, field: str, low: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise InvalidSpec(f"{field}: {quoted(value)} must be an integer >= {low} (or left out)")
    return value


def _read(path: str | Path) -> Any:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise InvalidSpec(f"{path}: a spec file ends in .yaml, .yml or .json")
    with open_regular(path, "spec file") as stream:
        data = stream.read(MAX_SPEC_BYTES + 1)
    if len(data) > MAX_SPEC_BYTES:
        raise InvalidSpec(f"{path}: a spec file holds at most {MAX_SPEC_BYTES:,} bytes (a spec is a few kB); "
                          "this one is larger: is it a spec?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSpec(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        if suffix == ".json":
            return json.loads(text)
        import yaml

        return yaml.load(text, Loader=_spec_loader())  # a SafeLoader with bounds
    except RecursionError:
        raise InvalidSpec(f"{path}: the spec is nested deeper than {MAX_DEPTH} levels; a spec needs far fewer") \
            from None
    except _Refused as exc:
        raise InvalidSpec(f"{path}: {exc}") from None
    except ValueError as exc:  # json.JSONDecodeError, and integers past Python's digit limit
        raise InvalidSpec(f"{path} is not valid JSON: {_said(exc)}") from None
    except Exception as exc:  # yaml.YAMLError (and its tags refused by safe_load)
        if type(exc).__module__.startswith("yaml"):
            raise InvalidSpec(f"{path} is not a plain YAML spec: {_said(str(exc).splitlines()[0])}") from None
        raise


class _Refused(Exception):
    """A YAML spec past a bound (aliases, depth); the message says which."""


def _spec_loader() -> Any:
    """``yaml.SafeLoader`` that refuses more than :data:`MAX_ALIASES` aliases and collections nested
    deeper than :data:`MAX_DEPTH`, while composing (before any alias is expanded or a level recursed)."""
    import yaml

    class SpecLoader(yaml.SafeLoader):
        aliases = 0
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise _Refused(f"more than {MAX_ALIASES} YAML aliases (*name), at line "
                                   f"{event.start_mark.line + 1}; a spec needs few or none: write the values out")
                return super().compose_node(parent, index)
            if isinstance(event, yaml.ScalarEvent):
                return super().compose_node(parent, index)
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise _Refused(f"the spec is nested deeper than {MAX_DEPTH} levels (line "
                                   f"{event.start_mark.line + 1}); a spec needs far fewer")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return SpecLoader


def _key(key: Any) -> str:
    """A key from the spec as a place in a message (``fields.image``): as written when short."""
    return key if isinstance(key, str) and len(key) <= 40 and key.isprintable() else quoted(key, 40)


def _said(err: Any) -> str:
    """An inner error's message (or any text) as a spec error repeats it: cut to a readable length."""
    text = str(err)
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"


def _preset(name: Any, args: Any, n_views: Any, seed: Any) -> ViewGenerator:
    import inspect

    from augkit.core import registry

    made = _named(registry.get_preset, name, "preset", "a preset's name")
    if not isinstance(args, Mapping):
        raise InvalidSpec(f"args: must be a mapping of {name}'s arguments, got {type(args).__name__}")
    takes = [p for p in inspect.signature(made).parameters if p not in ("n_views", "seed")]
    for key in args:
        if key not in takes:
            raise InvalidSpec(f"args.{_key(key)}: {name} has no argument {quoted(key)}; it takes {', '.join(takes)}")
    kwargs = dict(args)
    if n_views is not None:
        kwargs["n_views"] = n_views
    try:
        return made(**kwargs, seed=seed)
    except AugkitError as err:
        raise InvalidSpec(f"args: {_said(err)}") from None


def _pipelines(spec: Mapping[str, Any], n_views: Any, seed: Any, overridden: bool) -> ViewGenerator:
    from augkit.core import modalities, registry

    if ("pipeline" in spec) == ("views" in spec):
        raise InvalidSpec("pipeline: a spec holds a preset, one pipeline (with n_views) or views (one pipeline "
                          "per view)")
    if "views" in spec:
        views = spec["views"]
        if not isinstance(views, list) or not views:
            raise InvalidSpec("views: must be a non-empty list of op specs, one per view")
        if n_views is not None and n_views != len(views):
            where = "n_views" if not overridden else "n_views (given to load)"
            raise InvalidSpec(f"{where}: {n_views} does not match the {len(views)} pipelines in views")
        built: Augmenter[Any] | list[Augmenter[Any]] = [_build(v, f"views[{k}]") for k, v in enumerate(views)]
        count = None
    else:
        built = _build(spec["pipeline"], "pipeline")
        count = n_views
    modality = spec.get("modality")
    if modality is not None and not isinstance(modality, str):
        raise InvalidSpec(f"modality: {quoted(modality)} must be a modality's name")
    output = None
    if spec.get("output") is not None:
        if not modality:
            raise InvalidSpec("output: a spec with an output step names its modality")
        try:
            output = modalities.get(modality).output(spec["output"])
        except AugkitError as err:
            raise InvalidSpec(f"output: {_said(err)}") from None
    step = None
    if spec.get("input") is not None:
        if not modality:
            raise InvalidSpec("input: a spec with an input step names its modality")
        try:
            maker = getattr(modalities.get(modality), "input", None)
            if maker is None:
                raise InvalidSpec(f"input: the {modality} modality declares no input step")
            step = maker(spec["input"])
        except AugkitError as err:
            raise InvalidSpec(f"input: {_said(err)}") from None
    extra = load_fields(spec.get("extra_fields"), lambda op, where: _named(registry.get, op, where, "an op's name"))
    try:
        return ViewGenerator(built, n_views=count, seed=seed, output=output, input=step, modality=modality or None,
                             extra_fields=extra)
    except AugkitError as err:  # seed and n_views are checked above: the pipelines and the modality disagree
        raise InvalidSpec(f"modality: {_said(err)}") from None


def _named(lookup: Any, name: Any, where: str, what: str) -> Any:
    """``lookup(name)`` from the registry, or an InvalidSpec naming ``where``."""
    if not isinstance(name, str):
        raise InvalidSpec(f"{where}: {quoted(name)} must be {what} (augkit list shows them)")
    try:
        return lookup(name)
    except KeyError as err:
        raise InvalidSpec(f"{where}: {_said(err.args[0])}") from None


def _build(spec: Any, where: str) -> Augmenter[Any]:
    from augkit.core import registry

    if not isinstance(spec, Mapping):
        raise InvalidSpec(f"{where}: an op spec is a mapping with a 'type' (the op's registry name), "
                          f"got {type(spec).__name__}")
    name = spec.get("type")
    cls = _named(registry.get, name, f"{where}.type", "the op's registry name")
    declared = {a.name: a for a in cls._declared}
    kwargs: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "type":
            continue
        if key not in declared:
            raise InvalidSpec(f"{where}.{_key(key)}: {name} has no argument {quoted(key)}; it takes "
                              f"{', '.join(declared)}")
        kwargs[key] = _augmenters(value, f"{where}.{key}")
    try:
        return cls(**kwargs)
    except AugkitError as err:
        for key, value in kwargs.items():  # name the argument the op refuses
            check = declared[key].check
            if not isinstance(check, Check):
                continue
            try:
                check(value, key)
            except AugkitError as own:
                raise InvalidSpec(f"{where}.{key}: {_said(own)}") from None
        raise InvalidSpec(f"{where}: {_said(err)}") from None


def _augmenters(value: Any, where: str) -> Any:
    """Nested op specs (a composite's ``op`` / ``ops``) built into augmenters; other values as given."""
    if isinstance(value, Mapping) and "type" in value:
        return _build(value, where)
    if isinstance(value, list) and value and all(isinstance(v, Mapping) and "type" in v for v in value):
        return [_build(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value
