"""Previews of what a view generator does: a PNG grid and a self-contained HTML page.

Rows are samples; the first column is the original, the next ones its views.

Example:
    >>> write_grid("views.png", photos, augkit.image.simclr(224, seed=0, output="numpy"))
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from augkit.views import ViewGenerator

__all__ = ["image_grid", "to_display", "write_grid", "write_html"]


def to_display(x: Any) -> np.ndarray:
    """Turn an image view into an H×W×3 uint8 array for display.

    Accepts uint8 H×W×C / H×W arrays, uint8 C×H×W tensors, and float C×H×W tensors (normalized
    views are rescaled to their own min–max range, since the statistics are not known here).

    Raises:
        TypeError: for anything that is not an image array or tensor.
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
        raise TypeError(f"cannot display a view of type {type(x).__name__}; expected an image array or tensor")
    if arr.dtype != np.uint8:
        lo, hi = float(arr.min()), float(arr.max())
        arr = np.zeros(arr.shape, np.uint8) if hi <= lo else ((arr - lo) / (hi - lo) * 255).round().astype(np.uint8)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return np.ascontiguousarray(arr[:, :, :3])


def image_grid(rows: Sequence[Sequence[Any]], cell: int = 160, gap: int = 4) -> np.ndarray:
    """Lay out rows of images in one H×W×3 uint8 grid, each fitted into a ``cell``×``cell`` square.

    Raises:
        ValueError: when there are no rows or a row is empty.
    """
    from PIL import Image

    if not rows or any(len(r) == 0 for r in rows):
        raise ValueError("image_grid needs at least one non-empty row")
    n_cols = max(len(r) for r in rows)
    height = len(rows) * cell + (len(rows) + 1) * gap
    width = n_cols * cell + (n_cols + 1) * gap
    canvas = np.full((height, width, 3), 255, np.uint8)
    for i, row in enumerate(rows):
        for j, item in enumerate(row):
            img = Image.fromarray(to_display(item))
            img.thumbnail((cell, cell))
            tile = np.asarray(img)
            top = gap + i * (cell + gap) + (cell - tile.shape[0]) // 2
            left = gap + j * (cell + gap) + (cell - tile.shape[1]) // 2
            canvas[top : top + tile.shape[0], left : left + tile.shape[1]] = tile
    return canvas


def write_grid(
    path: str | Path, samples: Sequence[Any], views: ViewGenerator, epoch: int = 0, cell: int = 160
) -> Path:
    """Write a PNG grid: one row per sample, the original then ``views.n_views`` views.

    Views are made with ``index=row`` so the grid is reproducible for a seeded generator.

    Returns:
        The absolute path of the PNG written.
    """
    from PIL import Image

    rows = [[x, *views(x, index=i, epoch=epoch)] for i, x in enumerate(samples)]
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image_grid(rows, cell=cell)).save(out)
    return out


def _png_data_uri(x: Any, cell: int) -> str:
    from PIL import Image

    img = Image.fromarray(to_display(x))
    img.thumbnail((cell, cell))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def write_html(
    path: str | Path, samples: Sequence[Any], views: ViewGenerator, epoch: int = 0, cell: int = 200
) -> Path:
    """Write a self-contained HTML page (images embedded as data URIs, no network) showing each
    sample, its views, and every view's recorded params.

    Image samples are shown as pictures; text samples as text.

    Returns:
        The absolute path of the page written.
    """
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>augkit preview</title><style>",
        "body{font-family:sans-serif;margin:16px} .row{display:flex;gap:12px;margin-bottom:18px}",
        f".cell{{width:{cell}px}} .cell img{{max-width:100%}} pre{{font-size:10px;white-space:pre-wrap;"
        "max-height:160px;overflow:auto;background:#f4f4f4}",
        "</style></head><body><h1>augkit preview</h1>",
        f"<p>seed {views.seed}, epoch {epoch}, {views.n_views} views per sample</p>",
    ]
    for i, x in enumerate(samples):
        generated = views.generate(x, index=i, epoch=epoch)
        cells = [("original", x, None)] + [
            (f"view {k}", item, p) for k, (item, p) in enumerate(zip(generated.items, generated.params, strict=True))
        ]
        parts.append(f"<div class='row' data-index='{i}'>")
        for label, item, params in cells:
            parts.append(f"<div class='cell'><b>{html.escape(label)}</b><br>")
            if isinstance(item, str):
                parts.append(f"<p class='text'>{html.escape(item)}</p>")
            else:
                parts.append(f"<img alt='{html.escape(label)}' src='{_png_data_uri(item, cell)}'>")
            if params is not None:
                parts.append(f"<pre>{html.escape(json.dumps(params, indent=1))}</pre>")
            parts.append("</div>")
        parts.append("</div>")
    parts.append("</body></html>")
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")
    return out
