"""The host batch kernels of the image ops: OpenCV and numpy over a stack of images at once.

On small images (CIFAR's 32×32) the cost of a view is mostly per-call overhead: one colour
conversion over a tall stack of images, one lookup table per image applied in one call, replace a
call per image. Each kernel gives exactly the values the op's ``transform`` gives each image, and
never writes into its input; the ops' ``transform_batch`` call them on host batches
(:mod:`augkit.image.torch_kernels` on a torch device).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from augkit.core import Params
from augkit.image import functional as F
from augkit.image._convert import TALL_SPLIT_PIXELS

__all__ = ["blur", "blur_rows", "crop_resize", "flip", "flip_rows", "gray", "gray_rows", "jitter", "jitter_rows", "lut",
           "lut_rows"]


def crop_resize(batch: Any, boxes: list[Params], size: tuple[int, int], interpolation: str | list[str]) -> Any:
    """Each image's box (``top``, ``left``, ``height``, ``width``) resized to ``size`` (with one
    interpolation, or one per image), stacked; ``batch`` is a stack or a list of images (grayscale
    and RGB images mixed give a list)."""
    modes = [interpolation] * len(boxes) if isinstance(interpolation, str) else interpolation
    h, w = size
    if len({x.ndim for x in batch}) > 1:  # grayscale and RGB images mixed: crops of two kinds, as a list
        return [crop_resize([x], [box], size, mode)[0] for x, box, mode in zip(batch, boxes, modes, strict=True)]
    out = np.empty((len(batch), h, w, *batch[0].shape[2:]), dtype=np.uint8)
    for i, box in enumerate(boxes):
        top, left = box["top"], box["left"]
        F.resize(batch[i][top : top + box["height"], left : left + box["width"]], size, modes[i], out[i])
    return out


def flip(batch: np.ndarray) -> np.ndarray:
    """Every image mirrored left-right."""
    return np.ascontiguousarray(batch[:, :, ::-1])


def gray(batch: np.ndarray) -> np.ndarray:
    """Every RGB image as 3 equal channels of its ITU-R 601 grey (grayscale images as they are)."""
    return batch if batch.ndim == 3 else _per_pixel(batch, F.gray)


def lut(batch: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Every image through one 256-entry table."""
    return F.apply_lut(batch, table)


def blur(batch: np.ndarray, records: list[Params]) -> np.ndarray:
    """Each image blurred with its own ``sigma`` and ``kernel_size``."""
    return np.stack([F.blur(x, float(r["sigma"]), int(r["kernel_size"]), r.get("border", "reflect"))
                     for x, r in zip(batch, records, strict=True)])


def jitter(batch: np.ndarray, records: list[Params]) -> np.ndarray:
    """ColorJitter with each image's record (:func:`_jitter` on a copy)."""
    out = np.array(batch, order="C")
    _jitter(out, list(range(len(out))), records, out.ndim == 3)
    return out


# -- in place on rows of the engine's own host batch (no gather, no write-back) ------------------------

def flip_rows(batch: np.ndarray, rows: list[int]) -> None:
    import cv2

    for i in rows:  # OpenCV's flip allows dst to be src
        cv2.flip(batch[i], 1, dst=batch[i])


def gray_rows(batch: np.ndarray, rows: list[int]) -> None:
    if batch.ndim == 4:  # grayscale images stay as they are
        batch[rows] = _per_pixel(batch[rows], F.gray)


def lut_rows(batch: np.ndarray, rows: list[int], table: np.ndarray) -> None:
    _translate(batch, rows, np.broadcast_to(table, (len(rows), 256)))


def blur_rows(batch: np.ndarray, rows: list[int], records: list[Params]) -> None:
    for i, r in zip(rows, records, strict=True):
        batch[i] = F.blur(batch[i], float(r["sigma"]), int(r["kernel_size"]), r.get("border", "reflect"))


def jitter_rows(batch: np.ndarray, rows: list[int], records: list[Params]) -> None:
    by_row: list[Any] = [None] * len(batch)
    for i, r in zip(rows, records, strict=True):
        by_row[i] = r
    _jitter(batch, rows, by_row, batch.ndim == 3)


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


