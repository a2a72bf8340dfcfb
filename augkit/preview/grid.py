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
LABEL_HEIGHT = 16


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

    show = Show(views)
    rows = [[show.picture(show.original(x), raw=True), *(show.picture(v) for v in views(x, index=i, epoch=epoch))]
            for i, x in enumerate(samples)]
    titles = ["original", *(f"view {k + 1}" for k in range(max(len(r) for r in rows) - 1))] if rows and labels else None
    out = Path(path).resolve()
    grid = image_grid(rows, cell=cell, labels=titles)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(out)
    return out
