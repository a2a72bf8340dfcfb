"""Previews of what a view generator does: a PNG grid and a self-contained HTML page.

Rows are samples; the first column is the original, the next ones its views. Each cell is drawn
by the generator's modality (its descriptor's ``render`` and ``picture``, :mod:`augkit.modalities`),
given what the generator knows (an image output's mean and std, the rate audio ops were built for).

Example:
    >>> write_grid("views.png", photos, augkit.image.simclr(224, seed=0))
"""

from __future__ import annotations

import copy
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit import modalities
from augkit.errors import InvalidArgument
from augkit.views import ViewGenerator

__all__ = ["LABEL_HEIGHT", "image_grid", "to_display", "write_grid", "write_html"]

#: Height in pixels of the strip of column titles that ``labels`` adds above a grid.
LABEL_HEIGHT = 16


def to_display(x: Any) -> np.ndarray:
    """Turn an image view into an H×W×3 uint8 array for display.

    Accepts uint8 H×W×C / H×W arrays, PIL images, uint8 C×H×W tensors, and float C×H×W tensors
    (rescaled to their own min–max range, since the statistics are not known here: use
    ``modalities.get(vg.modality).picture(view, **descriptor.context(vg))`` for true colours).
    The image modality's :func:`augkit.image.modality.picture` does the work.

    Raises:
        TypeError: for anything that is not an image array, PIL image or tensor.
        ValueError: for an array that is not 2-D or 3-D, or is empty.
    """
    from augkit.image.modality import picture

    return picture(x)


def image_grid(
    rows: Sequence[Sequence[Any]], cell: int = 160, gap: int = 4, labels: Sequence[str] | None = None
) -> np.ndarray:
    """Lay out rows of images in one H×W×3 uint8 grid, each fitted into a ``cell``×``cell`` square.

    Args:
        rows: one sequence of images per row (anything :func:`to_display` accepts).
        cell: side of the square each image is fitted into, in pixels (≥ 8).
        gap: white space between and around cells, in pixels (≥ 0).
        labels: optional column titles, drawn in a header strip above the first row.

    Returns:
        The grid; without labels it is ``rows·cell + (rows+1)·gap`` high and
        ``cols·cell + (cols+1)·gap`` wide, labels add a strip of :data:`LABEL_HEIGHT` pixels on top.

    Raises:
        ValueError: when there are no rows, a row is empty, ``cell``/``gap`` are out of range, or
            there are more labels than columns.

    Example:
        >>> image_grid([[photo, *views]], cell=128, labels=["original", "view 1", "view 2"])
    """
    from PIL import Image, ImageDraw

    if not rows or any(len(r) == 0 for r in rows):
        raise ValueError("image_grid needs at least one non-empty row")
    if cell < 8:
        raise ValueError(f"cell must be >= 8 pixels, got {cell}")
    if gap < 0:
        raise ValueError(f"gap must be >= 0 pixels, got {gap}")
    n_cols = max(len(r) for r in rows)
    if labels is not None and len(labels) > n_cols:
        raise ValueError(f"labels has {len(labels)} titles for {n_cols} columns; give at most one per column")
    header = LABEL_HEIGHT if labels else 0
    height = header + len(rows) * cell + (len(rows) + 1) * gap
    width = n_cols * cell + (n_cols + 1) * gap
    canvas = np.full((height, width, 3), 255, np.uint8)
    for i, row in enumerate(rows):
        for j, item in enumerate(row):
            img = Image.fromarray(to_display(item))
            img.thumbnail((cell, cell))
            tile = np.asarray(img)
            top = header + gap + i * (cell + gap) + (cell - tile.shape[0]) // 2
            left = gap + j * (cell + gap) + (cell - tile.shape[1]) // 2
            canvas[top : top + tile.shape[0], left : left + tile.shape[1]] = tile
    if labels:
        picture = Image.fromarray(canvas)
        draw = ImageDraw.Draw(picture)
        for j, label in enumerate(labels):
            left = gap + j * (cell + gap)
            draw.text((left + 2, 3), label, fill=(0, 0, 0))
        canvas = np.asarray(picture).copy()
    return canvas


def write_grid(
    path: str | Path,
    samples: Sequence[Any],
    views: ViewGenerator,
    epoch: int = 0,
    cell: int = 160,
    labels: bool = False,
) -> Path:
    """Write a PNG grid: one row per sample, the original then ``views.n_views`` views.

    Every cell is the ``picture`` of the generator's modality (:mod:`augkit.modalities`), given
    the generator's own context: normalized image views are shown in their true colours (the
    output step's mean and std undone), audio views as waveforms. A generator whose ops take any
    input shows its views with :func:`to_display`. Views are made with ``index=row`` so the grid
    is reproducible for a seeded generator.

    Args:
        path: where to write the PNG (parent folders are created).
        samples: the inputs (anything the generator takes).
        views: the generator whose views are shown.
        epoch: the epoch the views are drawn for.
        cell: side of each cell, in pixels.
        labels: draw column titles ("original", "view 1", ...) above the grid.

    Returns:
        The absolute path of the PNG written.

    Raises:
        ValueError: when ``samples`` is empty, ``cell`` is out of range, or the modality has no
            picture of its views (text: write an HTML page instead).

    Example:
        >>> write_grid("out/views.png", photos, augkit.image.simclr(224, seed=0), labels=True)
    """
    from PIL import Image

    show = _Show(views)
    rows = [[show.picture(show.original(x), raw=True), *(show.picture(v) for v in views(x, index=i, epoch=epoch))]
            for i, x in enumerate(samples)]
    titles = ["original", *(f"view {k + 1}" for k in range(max(len(r) for r in rows) - 1))] if rows and labels else None
    out = Path(path).resolve()
    grid = image_grid(rows, cell=cell, labels=titles)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(out)
    return out


def write_html(
    path: str | Path,
    samples: Sequence[Any],
    views: ViewGenerator,
    epoch: int = 0,
    cell: int = 200,
    sample_rate: int | None = None,
) -> Path:
    """Write a self-contained HTML page (media embedded as data URIs, no network) showing each
    sample, its views, and every view's recorded params.

    Each original and view is shown by the ``render`` of the generator's modality
    (:mod:`augkit.modalities`) with the generator's own context: images as pictures (normalized
    views in their true colours), texts as escaped text, waveforms as audio players at the rate
    the ops were built for (32-bit float WAV, so loud views are not clipped). A generator whose
    ops take any input shows ``repr`` of each item. The header names the generator (its preset
    and arguments when a preset made it), the seed, the epoch and the number of views.

    Args:
        path: where to write the page (parent folders are created).
        samples: the inputs; view ``k`` of sample ``i`` is made with ``index=i``.
        views: the generator whose views are shown.
        epoch: the epoch the views are drawn for.
        cell: width of each column, in pixels.
        sample_rate: the rate (Hz) audio is played at, overriding the one the ops declare.

    Returns:
        The absolute path of the page written.

    Raises:
        ValueError: when ``sample_rate`` is not a positive integer, or audio has no known rate.
        TypeError: when a sample or view is not of the generator's modality.

    Example:
        >>> write_html("out/views.html", clips, augkit.audio.audio_pairs(16000, seed=0))
    """
    if sample_rate is not None and (isinstance(sample_rate, bool) or not isinstance(sample_rate, int)
                                    or sample_rate <= 0):
        raise InvalidArgument(f"sample_rate must be a positive integer number of Hz, got {sample_rate!r}")
    show = _Show(views, cell=cell, **({} if sample_rate is None else {"sample_rate": sample_rate}))
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>augkit preview</title><style>",
        "body{font-family:sans-serif;margin:16px} .row{display:flex;gap:12px;margin-bottom:18px}",
        f".cell{{width:{cell}px}} .cell img{{max-width:100%}} pre{{font-size:10px;white-space:pre-wrap;"
        "max-height:160px;overflow:auto;background:#f4f4f4} audio{width:100%} .generator code{font-size:12px}",
        "</style></head><body><h1>augkit preview</h1>",
        f"<p class='generator'>{_describe(views)}</p>",
        f"<p>seed {views.seed}, epoch {epoch}, {views.n_views} views per sample</p>",
    ]
    for i, x in enumerate(samples):
        generated = views.generate(x, index=i, epoch=epoch)
        pairs = zip(generated.items, generated.params, strict=True)
        original = show.render(show.original(x), raw=True)
        cells = [("original", original, None)] + [(f"view {k + 1}", show.render(item, p), p)
                                                  for k, (item, p) in enumerate(pairs)]
        parts.append(f"<div class='row' data-index='{i}'>")
        for label, fragment, params in cells:
            parts.append(f"<div class='cell'><b>{html.escape(label)}</b><br>{fragment}")
            if params is not None:
                parts.append(f"<pre>{html.escape(json.dumps(params, indent=1))}</pre>")
            parts.append("</div>")
        parts.append("</div>")
    parts.append("</body></html>")
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


class _Show:
    """How a generator's samples and views are shown: its modality's descriptor and two contexts.

    Views get ``descriptor.context(views)``; originals get the context of the same generator
    without its output step (they are raw inputs: no mean/std to undo).
    """

    def __init__(self, views: ViewGenerator, **extra: Any) -> None:
        self.views = views
        self.descriptor = modalities.get(views.modality) if views.modality else modalities.ANY
        raw = copy.copy(views)
        raw.output = None
        self.context = {**self.descriptor.context(views), **extra}
        self.raw_context = {**self.descriptor.context(raw), **extra}

    def original(self, x: Any) -> Any:
        """``x`` as the ops see it (the generator's ``prepare``, then the modality's check)."""
        if self.views.prepare is not None:
            x = self.views.prepare(x)
        return self.descriptor.check(x)

    def render(self, item: Any, params: Any = None, raw: bool = False) -> str:
        return self.descriptor.render(item, params, **(self.raw_context if raw else self.context))

    def picture(self, item: Any, raw: bool = False) -> np.ndarray:
        if not self.views.modality:
            return to_display(item)
        return np.asarray(self.descriptor.picture(item, **(self.raw_context if raw else self.context)))


def _describe(views: ViewGenerator) -> str:
    """The header line naming the generator: its preset and arguments, or its modality."""
    origin = views.origin
    if origin:
        args = json.dumps(origin.get("args", {}), default=lambda o: f"<{type(o).__name__}>", sort_keys=True)
        return f"preset <code>{html.escape(str(origin.get('preset')))}</code> <code>{html.escape(args)}</code>"
    kind = views.modality or "any"
    text = repr(views)
    text = text if len(text) <= 400 else text[:399] + "…"
    return f"a generator of {html.escape(kind)} views: <code>{html.escape(text)}</code>"
