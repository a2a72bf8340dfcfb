"""Generators as specs: :func:`dump` writes a :class:`augkit.ViewGenerator` as the JSON-safe spec
:func:`augkit.views.config.load` builds it from again (a preset's name and arguments, or every op)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from augkit.core import Augmenter
from augkit.core.errors import InvalidArgument
from augkit.views.generator import ViewGenerator
from augkit.views.steps import input_spec

__all__ = ["SPEC_FORMAT", "InvalidSpec", "dump", "fields_spec", "load_fields"]

#: The version of the spec layout this augkit writes and reads.
SPEC_FORMAT = 1


class InvalidSpec(InvalidArgument):
    """A spec names something unknown or holds a value that cannot be used (the message says where)."""


def dump(vg: ViewGenerator, expand: bool = False) -> dict[str, Any]:
    """The spec of ``vg``: a JSON- and YAML-safe dict that :func:`load` turns back into it.

    Args:
        vg: the generator to write down.
        expand: write a preset-made generator as its pipelines rather than as the preset's name
            and arguments.

    Raises:
        InvalidSpec: naming the field that a spec cannot name: a custom ``prepare`` or ``output``
            function, an input step without a spec,
            a callable argument (a translator function), an in-memory waveform (give
            background noise as file paths), an Albumentations transform outside augkit's
            registry, or an augmenter class that is not registered.
        TypeError: when ``vg`` is not a ViewGenerator.
    """
    from augkit.core.version import __version__

    if not isinstance(vg, ViewGenerator):
        raise TypeError(f"dump() takes an augkit.ViewGenerator, got {type(vg).__name__}")
    head: dict[str, Any] = {"augkit": __version__, "spec_format": SPEC_FORMAT}
    if vg.prepare is not None:
        raise InvalidSpec(f"prepare: {_callable_name(vg.prepare)} is a function of your own, which a spec cannot "
                          "name; convert the inputs before the generator instead")
    if vg.origin is not None and not expand:
        args = {k: _value(v, f"args.{k}") for k, v in vg.origin["args"].items()}
        return {**head, "preset": vg.origin["preset"], "args": args, "n_views": vg.n_views, "seed": vg.seed}
    if vg.fields is not None:
        return _dump_fields(vg, head)
    spec = {**head, "modality": vg.modality, "seed": vg.seed}
    first = vg.pipelines[0]
    if all(p is first for p in vg.pipelines):
        spec.update(n_views=vg.n_views, pipeline=_op(first, "pipeline"))
    else:
        spec["views"] = [_op(p, f"views[{k}]") for k, p in enumerate(vg.pipelines)]
    if vg.output is not None:
        declared = getattr(vg.output, "spec", None)
        if not isinstance(declared, Mapping):
            raise InvalidSpec(f"output: {_callable_name(vg.output)} is a function of your own, which a spec "
                              "cannot name; use a declared output (an image preset's output=...) or none")
        spec["output"] = _value(dict(declared), "output")
    if vg.input is not None:
        step = input_spec(vg.input)
        if step is None:
            raise InvalidSpec(f"input: {_callable_name(vg.input)} is a function of your own, which a spec "
                              "cannot name; use a declared input step (one with a spec) or prepare= in code")
        spec["input"] = _value(step, "input")
    if vg.extra_fields:
        spec["extra_fields"] = fields_spec(vg.extra_fields)
    return spec


def fields_spec(extra: Mapping[str, Any]) -> dict[str, str]:
    """``extra_fields`` as a spec names them, ``{name: op}``: the registered op whose record holds the
    field (a reader's ``reads``; the op's ``field_reader()`` makes the reader again).

    Raises:
        InvalidSpec: for a reader of one's own, which a spec cannot name.
    """
    named = {}
    for name, reader in extra.items():
        op = getattr(reader, "reads", None)
        if not isinstance(op, str):
            raise InvalidSpec(f"extra_fields.{name}: {type(reader).__name__} is a reader of your own, which a spec "
                              "cannot name; use a registered op's field reader (PatchMask.field_reader())")
        named[name] = op
    return named


def load_fields(spec: Any, lookup: Any) -> dict[str, Any] | None:
    """``extra_fields`` from a spec's ``{name: op}`` (``lookup(op, where)``: the registered op class).

    Raises:
        InvalidSpec: when ``spec`` is not such a mapping or an op makes no field reader.
    """
    if spec is None:
        return None
    if not isinstance(spec, Mapping):
        raise InvalidSpec(f"extra_fields: must map field names to the op whose record holds them, got "
                          f"{type(spec).__name__}")
    made = {}
    for name, op in spec.items():
        cls = lookup(op, f"extra_fields.{name}")
        maker = getattr(cls, "field_reader", None)
        if maker is None:
            raise InvalidSpec(f"extra_fields.{name}: {op!r:.60} holds no field in its record")
        made[str(name)] = maker()
    return made


def _dump_fields(vg: ViewGenerator, head: dict[str, Any]) -> dict[str, Any]:
    from augkit.views.crossmodal import CrossModalViews

    assert vg.fields is not None
    if vg.output is not None and not isinstance(vg.output, Mapping):
        raise InvalidSpec(f"output: {_callable_name(vg.output)} converts whole views, which a spec cannot name; "
                          "give one declared output per field ({field: output}) or none")
    fields: dict[str, Any] = {}
    for f, pipes in vg.fields.items():
        entry: dict[str, Any] = {"modality": vg.field_modalities[f]} if vg.field_modalities[f] else {}
        if all(p is pipes[0] for p in pipes):
            entry["pipeline"] = _op(pipes[0], f"fields.{f}.pipeline")
        else:
            entry["views"] = [_op(p, f"fields.{f}.views[{k}]") for k, p in enumerate(pipes)]
        out = vg.output.get(f) if isinstance(vg.output, Mapping) else None
        if out is not None:
            declared = getattr(out, "spec", None)
            if not isinstance(declared, Mapping):
                raise InvalidSpec(f"fields.{f}.output: {_callable_name(out)} is a function of your own, which a "
                                  "spec cannot name; use a declared output or none")
            entry["output"] = _value(dict(declared), f"fields.{f}.output")
        fields[f] = entry
    spec = {**head, "seed": vg.seed, "n_views": vg.n_views, "fields": fields,
            "couplings": [c.spec() for c in vg.couplings], "missing": vg.missing}
    if isinstance(vg, CrossModalViews):
        spec["cross_modal"] = True
    return spec


def _op(aug: Augmenter[Any], where: str) -> dict[str, Any]:
    from augkit.core import registry

    name = getattr(aug, "name", "")
    try:
        registered = registry.get(name)
    except KeyError:
        registered = None
    if registered is not type(aug):
        held = f" ({name!r} names {registered.__name__})" if registered is not None else ""
        raise InvalidSpec(f"{where}: {type(aug).__name__} is not in augkit's registry{held}; give it a `name` of "
                          "its own and register it (augkit.core.registry.register) so that a spec can name it")
    for key, why in type(aug).unnameable.items():
        raise InvalidSpec(f"{where}.{key}: {why}")
    spec: dict[str, Any] = {"type": name}
    for key, value in aug.arguments().items():
        spec[key] = _value(value, f"{where}.{key}")
    return spec


def _value(value: Any, where: str) -> Any:
    """``value`` as plain JSON data, or an InvalidSpec naming ``where``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise InvalidSpec(f"{where}: {value!r} is not a finite number, which JSON cannot hold")
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Augmenter):
        return _op(value, where)
    if isinstance(value, (list, tuple)):
        return [_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        return {str(k): _value(v, f"{where}.{k}") for k, v in value.items()}
    kind = type(value).__module__.split(".")[0]
    if kind == "torch" or isinstance(value, np.ndarray):
        raise InvalidSpec(f"{where}: an in-memory {type(value).__name__} cannot be named in a spec; give a file "
                          "path instead (background noise: the recording's path)")
    if callable(value):
        raise InvalidSpec(f"{where}: {_callable_name(value)} is a function of your own, which a spec cannot name; "
                          "keep this generator in code")
    raise InvalidSpec(f"{where}: a {type(value).__name__} cannot be named in a spec")


def _callable_name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or type(fn).__name__
