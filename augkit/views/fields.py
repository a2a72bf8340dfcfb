"""How a :class:`augkit.ViewGenerator` reads its pipelines: one augmenter per view, and for dict
samples one list of them per field, with each field's modality."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from augkit.core import Augmenter, check_augmenter, modalities
from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType
from augkit.views.records import sample_name

__all__ = ["FieldPart", "check_fields", "field_context", "field_modalities", "field_pipelines", "view_pipelines"]


def view_pipelines(pipeline: Any, n_views: int | None, name: str) -> list[Augmenter[Any]]:
    """One augmenter per view, from one augmenter (repeated) or a list."""
    if isinstance(pipeline, Augmenter):
        from augkit.core.args import MAX_VIEWS

        count = 2 if n_views is None else n_views
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
            raise WrongArgumentType(f"n_views={n_views!r} must be an integer from 1 to {MAX_VIEWS}")
        if not 1 <= count <= MAX_VIEWS:
            raise InvalidArgument(f"n_views={n_views!r} must be an integer from 1 to {MAX_VIEWS}")
        return [pipeline] * int(count)
    if isinstance(pipeline, Sequence) and not isinstance(pipeline, (str, bytes)):
        if len(pipeline) == 0:
            raise InvalidArgument(f"{name} list is empty: give one augmenter per view")
        if n_views is not None and n_views != len(pipeline):
            raise InvalidArgument(
                f"n_views={n_views} does not match the {len(pipeline)} pipelines given for {name} (one per view); "
                "leave n_views out to follow the list"
            )
        return [check_augmenter(p, f"{name}[{i}]") for i, p in enumerate(pipeline)]
    if hasattr(pipeline, "pipelines") and hasattr(pipeline, "n_views"):  # a ViewGenerator (a preset)
        raise WrongArgumentType(
            f"{name} is a ViewGenerator (a preset); give its pipeline instead, e.g. "
            "vg.pipelines[0] of the preset's generator vg, and its output step as output={field: vg.output}")
    raise WrongArgumentType(
        f"{name} must be an Augmenter or a list of Augmenters, got {type(pipeline).__name__}"
    )


def field_pipelines(pipeline: Mapping[Any, Any], n_views: int | None) -> dict[str, list[Augmenter[Any]]]:
    """Field -> one augmenter per view; every field with the same number of views."""
    if not pipeline:
        raise InvalidArgument("pipeline dict is empty: give {field: augmenter} for at least one field")
    lists = {f: len(p) for f, p in pipeline.items() if isinstance(p, Sequence) and not isinstance(p, (str, bytes))}
    if n_views is None and len(set(lists.values())) == 1:
        n_views = next(iter(lists.values()))
    fields: dict[str, list[Augmenter[Any]]] = {}
    for f, p in pipeline.items():
        if not isinstance(f, str) or not f:
            raise WrongArgumentType(f"pipeline dict keys are field names (non-empty str), got {f!r}")
        fields[f] = view_pipelines(p, n_views, f"the pipeline of field {f!r}")
    counts = {f: len(p) for f, p in fields.items()}
    if len(set(counts.values())) != 1:
        raise InvalidArgument(f"the fields' pipeline lists give different numbers of views: {counts}; "
                              "give every field one augmenter or lists of one length")
    return fields


def field_modalities(fields: Mapping[str, list[Augmenter[Any]]], given: Any) -> dict[str, str]:
    """Field -> modality: given, else what its ops declare, else its name when it names a modality."""
    if given is not None and not isinstance(given, Mapping):
        raise WrongArgumentType(f"modality= for dict samples is a dict {{field: modality}}, got {given!r}")
    given = dict(given or {})
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise InvalidArgument(f"modality= names fields {unknown} that have no pipeline; fields: {sorted(fields)}")
    known = set(modalities.names())
    out = {}
    for f, pipes in fields.items():
        found = given.get(f) or modalities.of_augmenters(pipes)
        if not found and f in known:
            found = f
        if found:
            modalities.get(found)  # an unknown modality name fails here
        out[f] = found
    return out


@dataclass(frozen=True)
class FieldPart:
    """What a modality's ``context`` reads of a generator, for one field of dict samples: that
    field's pipelines (one per view) and its output step."""

    pipelines: tuple[Augmenter[Any], ...]
    output: Any = None


def field_context(vg: Any) -> dict[str, dict[str, Any]]:
    """Each field's context (an audio field's sample rate, an image field's output mean and std),
    asked once of the field's descriptor, given that field's pipelines and output alone."""
    outputs = vg.output if isinstance(vg.output, Mapping) else {}
    return {f: dict(modalities.get(m).context(FieldPart(tuple(vg.fields[f]), outputs.get(f))))
            for f, m in vg.field_modalities.items() if m}


def check_fields(vg: Any, x: Any, index: int | str | None) -> dict[str, Any]:
    """A dict sample with each field checked by its modality (or an error naming the sample and field)."""
    if not isinstance(x, Mapping):
        raise WrongInputType(f"{sample_name(index)}: this generator augments dict samples with fields "
                             f"{sorted(vg.field_modalities)}, got {type(x).__name__}")
    out = dict(x)
    for f, form in vg._forms.items():
        if f not in x:
            if vg.missing == "raise":
                raise InvalidInput(f"{sample_name(index)} has no field {f!r} (its keys: {sorted(map(str, x))}); "
                                   "pass missing='pass' to let such samples through without it")
            continue
        try:
            out[f] = form.check(x[f])
        except (InvalidInput, WrongInputType) as err:
            raise type(err)(f"{sample_name(index)}, field {f!r}: {err}") from None
    return out
