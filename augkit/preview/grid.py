"""PNG grids of views: one row per sample, the original then its views, each cell the picture the
generator's modality draws.

Example:
    >>> write_grid("views.png", photos, augkit.image.simclr(224, seed=0))
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit.core import modalities
from augkit.preview.show import Show
from augkit.views.generator import ViewGenerator

__all__ = ["LABEL_HEIGHT", "image_grid", "to_display", "write_grid"]

#: Height in pixels of the strip of column titles that ``labels`` adds above a grid.
LABEL_HEIGHT = 20
_FONT_SIZE = 13


def to_display(x: Any) -> np.ndarray:
    """Turn an image view into an H×W×3 uint8 array for display.

    Accepts uint8 H×W×C / H×W arrays, PIL images, uint8 C×H×W tensors, and float C×H×W tensors
    (rescaled to their own min–max range, since the statistics are not known here: use
    ``modalities.get(vg.modality).picture(view, **descriptor.context(vg))`` for true colours).
    The first registered modality whose ``picture`` takes ``x`` draws it
    (:func:`augkit.core.modalities.picture_of`; images: :func:`augkit.image.modality.picture`).

    Raises:
        TypeError: for anything that is not an image array, PIL image or tensor.
        ValueError: for an array that is not 2-D or 3-D, or is empty.
    """
    return np.asarray(modalities.picture_of(x))


def image_grid(
    rows: Sequence[Sequence[Any]], cell: int = 160, gap: int = 4, labels: Sequence[str] | None = None
) -> np.ndarray:
    """Lay out rows of pictures in one H×W×3 uint8 grid, each scaled to fit a ``cell``×``cell``
    square with its aspect ratio kept (its longer side ``cell`` pixels).

    Each column is as wide as its widest picture and each row as high as its tallest, pictures
    centred in their place: square views fill ``cell``×``cell`` places, and wide pictures (a clip's
    spectrogram, twice as wide as high) make low rows rather than leaving empty bands.

    Args:
        rows: one sequence of pictures per row (anything :func:`to_display` accepts).
        cell: the longer side of each picture, in pixels (≥ 8).
        gap: white space between and around cells, in pixels (≥ 0).
        labels: optional column titles, drawn in a header strip above the first row.

    Returns:
        The grid: as wide as its columns plus ``cols+1`` gaps and as high as its rows plus
        ``rows+1`` gaps (``rows·cell + (rows+1)·gap`` high and ``cols·cell + (cols+1)·gap`` wide
        when every picture is square); labels add a strip of :data:`LABEL_HEIGHT` pixels on top.

    Raises:
        ValueError: when there are no rows, a row is empty, ``cell``/``gap`` are out of range, or
            there are more labels than columns.

    Example:
        >>> image_grid([[photo, *views]], cell=128, labels=["original", "view 1", "view 2"])
    """
    from PIL import Image, ImageDraw, ImageFont

    if not rows or any(len(r) == 0 for r in rows):
        raise ValueError("image_grid needs at least one non-empty row")
    if cell < 8:
        raise ValueError(f"cell must be >= 8 pixels, got {cell}")
    if gap < 0:
        raise ValueError(f"gap must be >= 0 pixels, got {gap}")
    n_cols = max(len(r) for r in rows)
    if labels is not None and len(labels) > n_cols:
        raise ValueError(f"labels has {len(labels)} titles for {n_cols} columns; give at most one per column")
    tiles = [[_fitted(to_display(item), cell) for item in row] for row in rows]
    widths = [max(row[j].shape[1] for row in tiles if j < len(row)) for j in range(n_cols)]
    heights = [max(t.shape[0] for t in row) for row in tiles]
    header = LABEL_HEIGHT if labels else 0
    lefts = [gap + sum(widths[:j]) + j * gap for j in range(n_cols)]
    canvas = np.full((header + sum(heights) + (len(rows) + 1) * gap, sum(widths) + (n_cols + 1) * gap, 3), 255,
                     np.uint8)
    top = header + gap
    for row, height in zip(tiles, heights, strict=True):
        for j, tile in enumerate(row):
            y = top + (height - tile.shape[0]) // 2
            x = lefts[j] + (widths[j] - tile.shape[1]) // 2
            canvas[y : y + tile.shape[0], x : x + tile.shape[1]] = tile
        top += height + gap
    if labels:
        picture = Image.fromarray(canvas)
        draw = ImageDraw.Draw(picture)
        font = ImageFont.load_default(size=_FONT_SIZE)
        for j, label in enumerate(labels):  # centred over its column (measured: bitmap fonts take no anchor)
            x0, y0, x1, y1 = (round(v) for v in draw.textbbox((0, 0), label, font=font))
            draw.text((lefts[j] + (widths[j] - (x1 - x0)) // 2 - x0, (header - (y1 - y0)) // 2 - y0),
                      label, fill=(0, 0, 0), font=font)
        canvas = np.asarray(picture).copy()
    return canvas


def _fitted(tile: np.ndarray, cell: int) -> np.ndarray:
    """``tile`` scaled so that its longer side is ``cell``: shrunk smoothly, or enlarged pixel by pixel."""
    from PIL import Image

    img = Image.fromarray(tile)
    if max(img.size) > cell:
        img.thumbnail((cell, cell))
    elif max(img.size) < cell:
        scale = cell / max(img.size)
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(size, Image.Resampling.NEAREST)
    return np.asarray(img)


def write_grid(
    path: str | Path,
    samples: Sequence[Any],
    views: ViewGenerator,
    epoch: int = 0,
    cell: int = 160,
    labels: bool = False,
) -> Path:
    """Write a PNG grid: one row per sample, the original then ``views.n_views`` views.

    Every cell is the ``picture`` of the generator's modality (:mod:`augkit.core.modalities`), given
    the generator's own context: normalized image views are shown in their true colours (the
    output step's mean and std undone), audio views as waveforms. A generator whose ops take any
    input shows its views with :func:`to_display`. Views are made with ``index=row`` so the grid
    is reproducible for a seeded generator.

    Args:
        path: where to write the PNG (parent folders are created).
        samples: the inputs (anything the generator takes).
        views: the generator whose views are shown.
        epoch: the epoch the views are drawn for.
        cell: the longer side of each picture, in pixels (rows of clips are half as high as wide).
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

    show = Show(views)
    rows = [[show.picture(show.original(x, i), raw=True), *(show.picture(v) for v in views(x, index=i, epoch=epoch))]
            for i, x in enumerate(samples)]
    titles = ["original", *(f"view {k + 1}" for k in range(max(len(r) for r in rows) - 1))] if rows and labels else None
    out = Path(path).resolve()
    grid = image_grid(rows, cell=cell, labels=titles)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(out)
    return out
