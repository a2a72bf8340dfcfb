"""How image views are drawn: the picture of a view (its true colours, the output's normalization
undone), crop boxes on the original (each in its view's colour), for previews and PNG grids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core.errors import InvalidInput, WrongInputType
from augkit.views.display import view_colour

__all__ = ["crop_boxes", "draw_boxes", "gray_levels", "marked_views", "picture", "view_boxes"]


def crop_boxes(params: Any) -> list[tuple[int, int, int, int]]:
    """``[(top, left, height, width)]`` of the crop a view's record starts with, in the source's
    pixels; empty when its first fired op is not a crop (later crops see a changed image)."""
    from augkit.core.composites import fired

    steps = fired(params)
    if not steps:
        return []
    first = steps[0][1]
    if all(isinstance(first.get(k), int) for k in ("top", "left", "height", "width")):
        return [(first["top"], first["left"], first["height"], first["width"])]
    return []


def view_boxes(view_params: Sequence[Any]) -> list[tuple[int, int, int, int] | None]:
    """The crop box of each view (:func:`crop_boxes`), None for a view whose record does not start
    with a crop: position ``k`` is view ``k``, drawn in its colour."""
    return [next(iter(crop_boxes(p)), None) for p in view_params]


def marked_views(view_params: Sequence[Any]) -> list[int]:
    """The views whose crop box :func:`draw_boxes` draws on the original."""
    return [k for k, box in enumerate(view_boxes(view_params)) if box is not None]


def draw_boxes(pic: np.ndarray, boxes: Sequence[Sequence[int] | None]) -> np.ndarray:
    """``pic`` with each ``(top, left, height, width)`` box outlined, box ``k`` in view ``k``'s
    colour (:func:`augkit.views.display.view_colour`); a None keeps its view's colour unused."""
    out = pic.copy()
    line = max(1, round(max(pic.shape[:2]) / 150))
    for k, box in enumerate(boxes):
        if box is None:
            continue
        top, left, height, width = box
        colour = view_colour(k)
        bottom, right = min(top + height, pic.shape[0]), min(left + width, pic.shape[1])
        out[top : top + line, left:right] = colour
        out[max(bottom - line, 0) : bottom, left:right] = colour
        out[top:bottom, left : left + line] = colour
        out[top:bottom, max(right - line, 0) : right] = colour
    return out


def gray_levels(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114, dtype=np.float64).round()


def picture(x: Any, mean: Sequence[float] | None = None, std: Sequence[float] | None = None) -> np.ndarray:
    """An image view as an ``H×W×3`` uint8 array for display.

    Accepts uint8 ``H×W×C``/``H×W`` arrays, PIL images, uint8 ``C×H×W`` tensors and float ``C×H×W``
    tensors. A float view is un-normalized with ``mean`` and ``std`` (the generator's own) when
    they are given, so its colours are true; without them it is stretched to its min–max range.

    Raises:
        WrongInputType: for anything that is not an image array, PIL image or tensor.
        InvalidInput: for an array that is not 2-D or 3-D, is empty, or has 2 or more than 4 channels.
    """
    arr: np.ndarray
    if type(x).__module__.startswith("torch"):
        t = x.detach().cpu()
        arr = t.permute(1, 2, 0).numpy() if t.ndim == 3 else t.numpy()
    elif isinstance(x, np.ndarray):
        arr = x
    elif type(x).__module__.startswith("PIL"):
        arr = np.asarray(x.convert("RGB"))
    else:
        raise WrongInputType(f"cannot display a view of type {type(x).__name__}; expected an image array or tensor")
    if arr.ndim not in (2, 3) or arr.size == 0:
        raise InvalidInput(f"cannot display an array of shape {arr.shape} as an image")
    if arr.ndim == 3 and arr.shape[2] not in (1, 3, 4):
        raise InvalidInput(f"cannot display an array of shape {arr.shape} as an image: {arr.shape[2]} channels; "
                           "give H×W, H×W×1, H×W×3 or H×W×4 (a C×H×W tensor with C of 1, 3 or 4)")
    if arr.dtype != np.uint8:
        values = arr.astype(np.float64)
        if mean is not None and std is not None:
            m, s = np.asarray(mean, np.float64), np.asarray(std, np.float64)
            if (values.ndim == 3 and values.shape[2] == 1) or values.ndim == 2:
                m, s = m.mean(), s.mean()  # a grayscale view was normalized with the averaged statistics
            values = (values * s + m) * 255.0
        else:
            lo, hi = float(values.min()), float(values.max())
            values = np.zeros(values.shape) if hi <= lo else (values - lo) / (hi - lo) * 255.0
        arr = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return np.ascontiguousarray(arr[:, :, :3])

