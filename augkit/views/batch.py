"""Views of many samples at once (:meth:`augkit.ViewGenerator.generate_batch`): the arguments' checks,
each view position run through the batch engine (:mod:`augkit.core.engine`) for the samples' modality
or for each field of dict samples, the output step per stacked batch, and the per-sample path for
what the engine does not walk (dict samples with coupling rules or a whole-view output step).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from augkit.core import RECORD_FORMAT, Params
from augkit.core.args import Integer
from augkit.core.batching import stack_items
from augkit.core.engine import Batch, Keys
from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, WrongArgumentType
from augkit.views.records import batch_fields

__all__ = ["BatchViews", "check_batch", "make_batch", "one_by_one"]


@dataclass
class BatchViews:
    """Views of a batch: ``items[k]`` stacks view ``k`` of every sample; ``params[i][k]`` made it for sample ``i``."""

    items: list[Any]
    params: list[list[Params]]


def check_batch(samples: Sequence[Any], indices: Sequence[int], epoch: Any, device: Any,
                what: str = "samples") -> tuple[list[int], int, Any]:
    """``(indices, epoch, device)`` checked (the torch device, or None for the CPU engine).

    Raises:
        WrongArgumentType: for ``samples`` that is one array or not a sequence, or an index or epoch that is not an int.
        InvalidArgument: when ``samples`` is empty, ``indices`` has another length, an index or the
            epoch is negative, or ``device`` names no usable device.
    """
    if isinstance(samples, np.ndarray) or hasattr(samples, "dim"):  # one array or tensor: not a list
        raise WrongArgumentType(f"generate_batch({what}=...) takes a list of {what}, got one "
                                f"{type(samples).__name__} of shape {tuple(getattr(samples, 'shape', ()))}; "
                                f"pass [x] for one")
    for name, seq in ((what, samples), ("indices", indices)):
        if isinstance(seq, (str, bytes, dict)) or not hasattr(seq, "__len__") or not hasattr(seq, "__getitem__"):
            raise WrongArgumentType(f"generate_batch({name}=...) must be a sequence (a list), got {type(seq).__name__}")
    if len(samples) == 0 or len(samples) != len(indices):
        raise InvalidArgument(f"generate_batch needs one index per {what[:-1]}: got {len(samples)} {what}, "
                              f"{len(indices)} indices")
    index = Integer(0, None)
    indices = [index(i, f"generate_batch(): indices[{n}]") for n, i in enumerate(indices)]
    epoch = index(epoch, "generate_batch(): epoch")
    return indices, epoch, _device(device)


def _device(device: Any) -> Any:
    """The torch device of the torch engine, or None for the OpenCV engine."""
    if device is None:
        return None
    import torch

    try:
        target = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidArgument(f"generate_batch(device={device!r}) must be None, 'cpu', 'cuda' or a torch.device") \
            from None
    if target.type == "cuda" and not torch.cuda.is_available():
        raise InvalidArgument(f"generate_batch(device={device!r}): this torch sees no CUDA device; use device=None "
                              "(OpenCV, bit-identical) or device='cpu'")
    return target


def one_by_one(vg: Any, samples: Sequence[Any], indices: list[int], epoch: int, what: str = "samples",
               device: Any = None) -> BatchViews:
    """Each sample's views by ``vg.generate``, view ``k`` of every sample stacked into ``items[k]``
    (arrays and tensors stacked, on ``device`` when given; texts as lists; dict views key by key).

    Raises:
        InvalidInput: when the views of one position differ in shape, naming the first two samples.
        WrongArgumentType: when a view is not an array or tensor.
    """
    views = []
    for n, (x, i) in enumerate(zip(samples, indices, strict=True)):
        try:
            views.append(vg.generate(x, index=i, epoch=epoch))
        except AugkitError as err:
            raise type(err)(f"generate_batch(): {what}[{n}]: {err}") from None
    items = [_stacked([v.items[k] for v in views], k, what, device) for k in range(vg.n_views)]
    return BatchViews(items=items, params=[v.params for v in views])


def make_batch(vg: Any, samples: Sequence[Any], indices: Sequence[int], epoch: Any = 0, device: Any = None,
               what: str = "samples") -> BatchViews:
    """:meth:`augkit.ViewGenerator.generate_batch`: the arguments checked, then each view position of
    every sample through the batch engine, with the records ``vg.generate`` draws."""
    indices, epoch, target = check_batch(samples, indices, epoch, device, what)
    prepared = []
    for n, (x, i) in enumerate(zip(samples, indices, strict=True)):
        try:
            prepared.append(vg._check(x, i))
        except AugkitError as err:
            raise type(err)(f"generate_batch(): {what}[{n}]: {err}") from None
    if vg.fields is not None and (vg.couplings or callable(vg.output) or
                                  any(f not in x for x in prepared for f in vg.fields)):
        return one_by_one(vg, samples, indices, epoch, what, target)  # per-sample rules and output steps
    params: list[list[Params]] = [[] for _ in prepared]
    items = []
    for k, pipeline in enumerate(vg.pipelines):
        if vg.fields is None:
            item, records = _run(vg._form, pipeline, prepared, Keys((vg.seed, epoch), indices, (k,)), vg.output,
                                 k, what, target)
            items.append(batch_fields(vg, item, records, target))
            for row, record in zip(params, records, strict=True):
                row.append({"format": RECORD_FORMAT, **record})
            continue
        view: dict[str, Any] = {}
        fields: list[dict[str, Params]] = [{} for _ in prepared]
        for f, op in pipeline.items():
            output = vg.output.get(f) if isinstance(vg.output, Mapping) else None
            view[f], drawn = _run(vg._forms[f], op, [x[f] for x in prepared],
                                  Keys((vg.seed, epoch), indices, (k, f)), output, k, what, target)
            for sample_fields, field_record in zip(fields, drawn, strict=True):
                sample_fields[f] = field_record
        for key in prepared[0]:
            if key not in view:
                view[key] = _stacked([x.get(key) for x in prepared], k, what, None, key)
        items.append(view)
        for row, sample_fields in zip(params, fields, strict=True):
            row.append({"format": RECORD_FORMAT, "fields": sample_fields})
    return BatchViews(items=items, params=params)


def _run(form: Any, pipeline: Any, items: list[Any], keys: Keys, output: Any, k: int, what: str,
         device: Any) -> tuple[Any, list[Params]]:
    """One view position of a batch through ``pipeline`` and the output step: ``(stacked views, records)``."""
    batch = Batch(form, items, device)
    records = pipeline.augment_batch(batch, keys)
    batch.settle()
    if batch.ragged is not None:  # views of several shapes: stack them after the output step, or say why not
        views = [y if output is None else output(y) for y in batch.ragged]
        hint = form.batch_hint(views) if hasattr(form, "batch_hint") else ""
        return _stacked(views, k, what, device, hint=hint), records
    return form.finish_batch(batch.value, output), records


def _stacked(column: list[Any], k: int, what: str, device: Any, key: Any = None, hint: str = "") -> Any:
    """View ``k`` of every sample as one batch: arrays and tensors stacked (on ``device`` when given),
    texts and other values as a list, dict views key by key; an error naming the first two samples
    whose views differ in shape, or a sample without a key of the first one."""
    if isinstance(column[0], Mapping):
        out = {}
        for name in column[0]:
            for i, view in enumerate(column):
                if not isinstance(view, Mapping) or name not in view:
                    raise InvalidInput(f"generate_batch: view {k} of {what}[0] has key {name!r} and of {what}[{i}] "
                                       "not, so they do not stack key by key; give samples with the same keys")
            out[name] = _stacked([v[name] for v in column], k, what, device, name, hint)
        return out
    if any(isinstance(v, np.ndarray) or hasattr(v, "dim") for v in column):
        _check_stackable(column, k, what, key, hint)
        return stack_items(column, device)
    return list(column)


def _check_stackable(column: list[Any], k: int, what: str, key: Any = None, hint: str = "") -> None:
    """View ``k`` of every sample as arrays of one shape, or an error naming the first two samples that differ."""
    import torch

    where = f"view {k}" if key is None else f"view {k}[{key!r}]"
    for i, view in enumerate(column):
        if not isinstance(view, (np.ndarray, torch.Tensor)):
            raise WrongArgumentType(f"generate_batch stacks array and tensor views: {where} of {what}[{i}] is a "
                                    f"{type(view).__name__} and of {what}[0] an array; give {what} of one kind")
    first = tuple(column[0].shape)
    for i, view in enumerate(column):
        if tuple(view.shape) != first:
            raise InvalidInput(
                f"generate_batch: {where} of {what}[0] has shape {first} and of {what}[{i}] {tuple(view.shape)}, "
                f"so they do not stack into one batch{hint}; give one batch {what} whose views have one shape")
