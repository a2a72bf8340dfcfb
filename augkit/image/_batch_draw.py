"""The records of a whole batch of views at once, equal to the ones ``generate`` draws view by view.

``generate`` gives op ``j`` of view ``k`` of sample ``index`` the stream
``stream(seed, epoch, index, k, j)`` and the op draws a few doubles from it. Here every such
stream of the batch is computed together (:func:`augkit.core.streams.uniforms`, numpy's Philox over
all keys in one pass) and each op's draw is made over all samples in numpy, with the same
arithmetic in the same order as the op's own ``draw``, so the records are equal value for value.
A sample whose draw needs more doubles than were computed (a crop that needs a third try) is drawn
by the op itself from its stream.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from augkit.core import RECORD_FORMAT, Augmenter, Compose, Params
from augkit.core.streams import digests, stream, uniform_blocks
from augkit.image.ops import (
    BLUR_TRUNCATE,
    ColorJitter,
    GaussianBlur,
    HorizontalFlip,
    RandomResizedCrop,
    Solarize,
    ToGray,
)

__all__ = ["draw_views"]

#: the tries a crop gets from the batched draw; a sample that needs more is drawn by the op itself
CROP_TRIES = 2


def draw_views(pipelines: Sequence[Compose], images: Sequence[np.ndarray], seed: int, epoch: int,
               indices: list[int]) -> list[list[Params]]:
    """``records[i][k]``: the record view ``k`` of ``images[i]`` (sample ``indices[i]``) gets from ``generate``.

    Every pipeline holds at least one op, each of a type :data:`DRAWERS` knows; the images are
    canonical uint8 arrays.
    """
    shapes = np.array([x.shape[:2] for x in images], dtype=np.int64)
    jobs = [(k, j, op) for k, chain in enumerate(pipelines) for j, op in enumerate(chain.ops)]
    need = [DRAWERS[type(op)][0](op) for _, _, op in jobs]
    # one Philox pass over every stream of the batch that draws anything
    drawing = [g for g, count in enumerate(need) if count]
    drawn: list[np.ndarray | None] = [None] * len(jobs)
    n = len(indices)
    if drawing:
        keys = digests((seed, epoch), indices, [jobs[g][:2] for g in drawing])
        blocks = [-(-need[g] // 4) for g in drawing]  # Philox blocks of four doubles per stream
        values, start = uniform_blocks(keys, np.repeat(blocks, n)), 0
        for g, count in zip(drawing, blocks, strict=True):
            drawn[g] = values[start : start + n * 4 * count].reshape(n, 4 * count)
            start += n * 4 * count
    made = []
    for (k, j, op), u in zip(jobs, drawn, strict=True):
        column = DRAWERS[type(op)][1](op, u, shapes)
        if None in column:  # beyond the doubles drawn here: the op draws these from their streams
            for i in [i for i, record in enumerate(column) if record is None]:
                column[i] = op._record(images[i], stream(seed, epoch, indices[i], k, j))
        made.append(column)
    views = []
    for k, chain in enumerate(pipelines):
        names = [op.name for op in chain.ops]
        columns = [made[g] for g, (view, _, _) in enumerate(jobs) if view == k]
        views.append([{"format": RECORD_FORMAT, "applied": True,
                       "ops": [{"op": name, "params": r} for name, r in zip(names, row, strict=True)]}
                      for row in zip(*columns, strict=True)])
    return [list(row) for row in zip(*views, strict=True)]


def _offset(op: Augmenter[Any]) -> int:
    """The doubles ``Augmenter._record`` draws before the op's own draw: one for ``p`` below 1."""
    return 1 if op.p < 1.0 else 0


def _fired(op: Augmenter[Any], u: np.ndarray | None, n: int) -> list[bool]:
    if not _offset(op):
        return [True] * n
    assert u is not None
    return (u[:, 0] < op.p).tolist()


def _plain(op: Augmenter[Any], u: np.ndarray | None, shapes: np.ndarray) -> list[Params | None]:
    """Ops that draw nothing but whether they fire (flip, grayscale, solarize)."""
    return [{"applied": f} for f in _fired(op, u, len(shapes))]


def _jitter(op: ColorJitter, u: np.ndarray | None, shapes: np.ndarray) -> list[Params | None]:
    assert u is not None
    start = _offset(op)
    factors = {name: (lo + (hi - lo) * u[:, start + c]).tolist()
               for c, (name, (lo, hi)) in enumerate(op._ranges.items())}
    orders = np.argsort(u[:, start + 4 : start + 8], axis=1, kind="stable").tolist()
    names = op._NAMES
    orders = [[names[c] for c in row] for row in orders]
    off = {"applied": False}
    return [{"applied": True, "order": order, "brightness": b, "contrast": c, "saturation": s, "hue": h}
            if fired else dict(off)
            for fired, order, b, c, s, h in zip(_fired(op, u, len(shapes)), orders, *factors.values(), strict=True)]


def _blur(op: GaussianBlur, u: np.ndarray | None, shapes: np.ndarray) -> list[Params | None]:
    lo, hi = op.sigma
    n = len(shapes)
    sigmas = [lo] * n if lo == hi else (lo + (hi - lo) * u[:, _offset(op)]).tolist()  # type: ignore[index]
    cap = None if op.kernel_size is None else op.kernel_size // 2
    out: list[Params | None] = []
    for fired, sigma in zip(_fired(op, u, n), sigmas, strict=True):
        radius = math.ceil(BLUR_TRUNCATE * sigma)
        if cap is not None:
            radius = min(radius, cap)
        out.append({"applied": True, "sigma": sigma, "kernel_size": 2 * radius + 1} if fired else {"applied": False})
    return out


def _crop(op: RandomResizedCrop, u: np.ndarray | None, shapes: np.ndarray) -> list[Params | None]:
    """The first ``CROP_TRIES`` of the op's ten tries, in its arithmetic (``math.exp`` included)."""
    assert u is not None
    n, start = len(shapes), _offset(op)
    tries = u[:, start : start + 4 * CROP_TRIES].reshape(n, CROP_TRIES, 4)
    height, width = shapes[:, 0:1], shapes[:, 1:2]
    (s_lo, s_hi), (r_lo, r_hi) = op.scale, op._log_ratio
    target = (height * width) * (s_lo + (s_hi - s_lo) * tries[..., 0])
    logs = r_lo + (r_hi - r_lo) * tries[..., 1]
    aspect = np.array([math.exp(v) for v in logs.ravel().tolist()]).reshape(logs.shape)
    w, h = np.rint(np.sqrt(target * aspect)), np.rint(np.sqrt(target / aspect))
    fits = (w > 0) & (w <= width) & (h > 0) & (h <= height)
    first = fits.argmax(axis=1)
    rows = np.arange(n)
    w, h, u_top, u_left = w[rows, first], h[rows, first], tries[rows, first, 2], tries[rows, first, 3]
    hs, ws = shapes[:, 0], shapes[:, 1]
    top = np.minimum(np.floor(u_top * (hs - h + 1)), hs - h).astype(np.int64).tolist()
    left = np.minimum(np.floor(u_left * (ws - w + 1)), ws - w).astype(np.int64).tolist()
    h_list, w_list = h.astype(np.int64).tolist(), w.astype(np.int64).tolist()
    found = fits.any(axis=1).tolist()
    out: list[Params | None] = []
    for i, (fired, ok) in enumerate(zip(_fired(op, u, n), found, strict=True)):
        if not fired:
            out.append({"applied": False})
        elif ok:
            out.append({"applied": True, "top": top[i], "left": left[i], "height": h_list[i], "width": w_list[i]})
        else:
            out.append(None)
    return out


Drawer = tuple[Callable[[Any], int], Callable[[Any, Any, np.ndarray], list[Params | None]]]

#: for each op type the batch engine runs: (doubles its draw takes from its stream, the batched draw)
DRAWERS: dict[type, Drawer] = {
    HorizontalFlip: (_offset, _plain),
    ToGray: (_offset, _plain),
    Solarize: (_offset, _plain),
    ColorJitter: (lambda op: _offset(op) + 8, _jitter),
    GaussianBlur: (lambda op: _offset(op) + (op.sigma[0] != op.sigma[1]), _blur),
    RandomResizedCrop: (lambda op: _offset(op) + 4 * CROP_TRIES, _crop),
}
