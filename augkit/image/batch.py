"""Views of many images at once: the same views and params as ``ViewGenerator.generate``, in batches.

On small images (CIFAR's 32×32) the cost of a view is mostly per-call overhead. ``generate_batch``
draws every sample's params from the very streams ``generate`` uses, then applies each op to all
the samples it fired for together (one colour conversion over a stack of images, one lookup table
per sample applied in one call), and converts the output once per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from augkit.core import Compose, Params
from augkit.core.errors import AugkitError, InvalidInput, WrongArgumentType
from augkit.image import functional as F
from augkit.image._batch_draw import draw_views
from augkit.image._convert import TALL_SPLIT_PIXELS
from augkit.image.ops import ColorJitter, GaussianBlur, HorizontalFlip, RandomResizedCrop, Solarize, ToGray
from augkit.views.batch import BatchViews, check_batch, one_by_one, to_device
from augkit.views.generator import ViewGenerator

__all__ = ["BatchViews", "generate_batch"]

_PIXEL_OPS = (HorizontalFlip, ColorJitter, ToGray, GaussianBlur, Solarize)


def generate_batch(vg: ViewGenerator, images: Sequence[Any], indices: Sequence[int], epoch: int = 0,
                   device: Any = None) -> BatchViews:
    """Make the views of ``images`` (sample ``indices``) at once, equal to calling ``vg.generate`` per image.

    Two engines, with the same params (drawn from the streams ``generate`` uses):

    - ``device=None`` (default): OpenCV's kernels over stacks of images on the CPU, bit for bit the
      views ``generate`` makes;
    - ``device="cpu"``, ``"cuda"`` or a ``torch.device``: torch's kernels over the whole batch on that
      device (:mod:`augkit.image.torch_batch`), each sample with its own values; views within
      rounding of ``generate``'s (about one uint8 level where a kernel rounds differently, exact
      where both compute the same integer maths). Items are tensors on the device: uint8
      ``[B, 3, H, W]`` (``output="uint8"``, or no output step) or normalized float32.

    ``items[k]`` is a ``[B, C, H, W]`` tensor (``output="normalized"`` or ``"uint8"``) or a
    ``[B, H, W, C]`` uint8 array (``"numpy"``; ``[B, H, W]`` for grayscale images);
    ``params[i][k]`` are exactly the params
    ``vg.generate(images[i], index=indices[i], epoch=epoch).params[k]`` records, and the views are
    bit for bit the same. The batched path covers the presets' pipelines (a random resized crop
    then flip, colour jitter, grayscale, blur, solarize) on RGB images, and on grayscale ones with
    the OpenCV engine, with an ``output`` that has a ``convert_batch(stack)`` method (the presets'
    do); anything else (other ops, another ``output``, grayscale images on the torch engine, a
    batch mixing both kinds) falls back to one ``generate`` call per image, stacked, with the
    same views and records.

    Args:
        vg: a generator from a preset (or any ViewGenerator whose views stack).
        images: the inputs, in any form the generator accepts.
        indices: each image's index in its dataset (views are seeded per index, as in ``generate``).
        epoch: the training epoch.
        device: None for the OpenCV engine, or the torch device the torch engine runs on.

    Raises:
        InvalidArgument: (a ValueError) when ``images`` is empty, ``indices`` has another length,
            or an index or the epoch is negative.
        WrongArgumentType: (a TypeError) for a ``vg`` that is not a ViewGenerator, ``images`` that
            is not a sequence, or an index or epoch that is not an int.
        InvalidInput: (a ValueError) when the views of two images do not stack (a batch mixing
            grayscale H×W and RGB images, say), naming both images.

    Example:
        >>> batch = generate_batch(simclr_cifar(32, seed=0, output="uint8"), images, range(len(images)))
    """
    if not isinstance(vg, ViewGenerator):
        raise WrongArgumentType(f"generate_batch(vg=...) must be a ViewGenerator (from a preset), "
                                f"got {type(vg).__name__}")
    indices, epoch, target = check_batch(images, indices, epoch, device, "images")
    prepared = [_prepare(vg, x, i) for i, x in enumerate(images)]
    if not _batchable(vg, prepared, target):
        try:
            made = one_by_one(vg, images, indices, epoch, "images")
        except InvalidInput as err:
            if "do not stack" not in str(err):
                raise
            raise InvalidInput(f"{err} (grayscale H×W images give 1-channel views, RGB ones 3): convert the "
                               "grayscale ones to RGB (np.repeat(x[..., None], 3, axis=2)) or the RGB ones to "
                               "grayscale") from None
        return made if target is None else to_device(made, target)
    chains = [cast(Compose, p) for p in vg.pipelines]  # _batchable checked them
    params = draw_views(chains, prepared, vg.seed, epoch, indices)
    items = []
    for k, chain in enumerate(chains):
        drawn = [row[k] for row in params]
        if target is None:
            items.append(_output(vg.output, _apply(chain, prepared, drawn)))
        else:
            from augkit.image.torch_batch import apply_batch, to_output

            items.append(to_output(apply_batch(chain, prepared, drawn, target), vg.output))
    return BatchViews(items=items, params=params)


def _prepare(vg: ViewGenerator, x: Any, i: int) -> Any:
    if vg.prepare is None:
        return x
    try:
        return vg.prepare(x)
    except AugkitError as err:
        raise type(err)(f"generate_batch(): images[{i}]: {err}") from None


def _batchable(vg: ViewGenerator, prepared: list[Any], device: Any) -> bool:
    # canonical images of one kind: all RGB H×W×3, or (OpenCV engine) all grayscale H×W
    if not all(isinstance(x, np.ndarray) and x.dtype == np.uint8 for x in prepared):
        return False
    rgb = all(x.ndim == 3 and x.shape[2] == 3 for x in prepared)
    if not (rgb or (device is None and all(x.ndim == 2 for x in prepared))):
        return False
    # an output step converts a whole stack only when it says how (the presets' converters do)
    if vg.output is not None and not callable(getattr(vg.output, "convert_batch", None)):
        return False
    return all(
        type(p) is Compose
        and p.p == 1.0
        and len(p.ops) > 0
        and type(p.ops[0]) is RandomResizedCrop
        and p.ops[0].p == 1.0  # every view is cropped to the batch's size
        and all(type(op) in _PIXEL_OPS for op in p.ops[1:])
        for p in vg.pipelines
    )


def _apply(pipeline: Any, prepared: list[np.ndarray], drawn: list[Params]) -> np.ndarray:
    import cv2

    crop = pipeline.ops[0]
    h, w = crop.size
    gray = prepared[0].ndim == 2  # _batchable checked that all images are of one kind
    batch = np.empty((len(prepared), h, w) if gray else (len(prepared), h, w, 3), dtype=np.uint8)
    for i, (x, p) in enumerate(zip(prepared, drawn, strict=True)):
        box = p["ops"][0]["params"]  # a record just drawn for x: no check needed
        top, left = box["top"], box["left"]
        F.resize(x[top : top + box["height"], left : left + box["width"]], crop.size, crop.interpolation, batch[i])
    for j, op in enumerate(pipeline.ops[1:], start=1):
        op_params = [p["ops"][j]["params"] for p in drawn]
        fired = [i for i, p in enumerate(op_params) if p["applied"]]
        if not fired:
            continue
        if isinstance(op, HorizontalFlip):
            for i in fired:  # F.hflip's mirror, in place (OpenCV's flip allows it)
                cv2.flip(batch[i], 1, dst=batch[i])
        elif isinstance(op, ToGray):
            if not gray:  # a grayscale image is returned as it is
                batch[fired] = _per_pixel(batch[fired], F.gray)
        elif isinstance(op, Solarize):
            batch[fired] = F.apply_lut(batch[fired], op.table)
        elif isinstance(op, GaussianBlur):
            for i in fired:
                batch[i] = F.blur(batch[i], float(op_params[i]["sigma"]), int(op_params[i]["kernel_size"]))
        else:
            _jitter(batch, fired, op_params, gray)
    return batch


def _per_pixel(stack: np.ndarray, fn: Any) -> np.ndarray:
    # per-pixel colour conversions give the same values on a tall stack of images as on each image
    n, h, w, c = stack.shape
    return np.asarray(fn(np.ascontiguousarray(stack).reshape(n * h, w, c))).reshape(n, h, w, -1)


def _take(tables: np.ndarray, stack: np.ndarray) -> np.ndarray:
    """Map each image of ``stack`` through its own 256-entry table (row of ``tables``)."""
    out = np.array(stack, order="C")
    _translate(out, list(range(len(out))), tables)
    return out


def _translate(batch: np.ndarray, rows: list[int], tables: np.ndarray) -> None:
    """Map image ``rows[r]`` of ``batch`` through ``tables[r]`` in place (each image is contiguous)."""
    import stringzilla

    for i, table in zip(rows, tables, strict=True):
        stringzilla.translate(batch[i].reshape(-1).data, np.ascontiguousarray(table).data, inplace=True)


def _jitter(batch: np.ndarray, fired: list[int], params: list[Params], gray: bool) -> None:
    """ColorJitter on the fired samples, stage by stage, each stage batched per kind of adjustment
    (grayscale images get brightness and contrast only, as :class:`ColorJitter` gives them)."""
    import cv2

    for name, group in F.jitter_groups(fired, params):
        factors = [params[i][name] for i in group]
        if name == "brightness":
            _translate(batch, group, F.brightness_tables(np.asarray(factors)))
        elif name == "contrast":
            _contrast(batch, group, factors, gray)
        elif gray:
            continue
        elif name == "saturation":  # F.saturation per image, its grey images made in one conversion
            grays = _per_pixel(batch[group], F.gray)
            for i, f, g in zip(group, factors, grays, strict=True):
                if f == 0:
                    batch[i] = g
                else:
                    cv2.addWeighted(batch[i], f, g, 1 - f, 0, dst=batch[i])
        elif batch.shape[1] * batch.shape[2] > TALL_SPLIT_PIXELS:  # large images: F.hue each, in cache
            for i, f in zip(group, factors, strict=True):
                batch[i] = F.hue(batch[i], f)
        else:  # small images: one conversion each way over the group's stack
            n, h, w, _ = batch[group].shape
            hsv = cv2.cvtColor(np.ascontiguousarray(batch[group]).reshape(n * h, w, 3), cv2.COLOR_RGB2HSV)
            planes = list(cv2.split(hsv))  # the hue plane of the tall stack, each image's rows through its table
            planes[0] = _take(np.stack([F.hue_table(f) for f in factors]), planes[0].reshape(n, h, w)).reshape(n * h, w)
            batch[group] = cv2.cvtColor(cv2.merge(planes), cv2.COLOR_HSV2RGB).reshape(n, h, w, 3)


def _contrast(batch: np.ndarray, group: list[int], factors: list[float], gray: bool) -> None:
    import cv2

    zero = [i for i, f in zip(group, factors, strict=True) if f == 0]
    for i in zero:  # a factor of 0 fills with the rounded mean: the single-image kernel does it
        batch[i] = F.contrast(batch[i], 0.0)
    pairs = [(i, f) for i, f in zip(group, factors, strict=True) if f != 0]
    if not pairs:
        return
    rows = [i for i, _ in pairs]
    luma = batch[rows] if gray else _per_pixel(batch[rows], lambda img: cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))[..., 0]
    means = np.asarray([cv2.mean(g)[0] for g in luma])
    _translate(batch, rows, F.contrast_tables(np.asarray([f for _, f in pairs]), means))


def _output(output: Any, batch: np.ndarray) -> Any:
    return batch if output is None else output.convert_batch(batch)
