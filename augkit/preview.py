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

__all__ = ["LABEL_HEIGHT", "image_grid", "to_display", "write_grid", "write_html"]

#: Height in pixels of the strip of column titles that ``labels`` adds above a grid.
LABEL_HEIGHT = 16


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

    Views are made with ``index=row`` so the grid is reproducible for a seeded generator.

    Args:
        path: where to write the PNG (parent folders are created).
        samples: images (anything :func:`to_display` accepts).
        views: the generator whose views are shown.
        epoch: the epoch the views are drawn for.
        cell: side of each cell, in pixels.
        labels: draw column titles ("original", "view 1", ...) above the grid.

    Returns:
        The absolute path of the PNG written.

    Raises:
        ValueError: when ``samples`` is empty or ``cell`` is out of range.

    Example:
        >>> write_grid("out/views.png", photos, augkit.image.simclr(224, seed=0, output="numpy"), labels=True)
    """
    from PIL import Image

    rows = [[x, *views(x, index=i, epoch=epoch)] for i, x in enumerate(samples)]
    titles = ["original", *(f"view {k + 1}" for k in range(max(len(r) for r in rows) - 1))] if rows and labels else None
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image_grid(rows, cell=cell, labels=titles)).save(out)
    return out


def _png_data_uri(x: Any, cell: int) -> str:
    from PIL import Image

    img = Image.fromarray(to_display(x))
    img.thumbnail((cell, cell))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _wav_data_uri(x: Any, sample_rate: int) -> str:
    import soundfile as sf

    if type(x).__module__.startswith("torch"):
        x = x.detach().cpu().numpy()
    if not isinstance(x, np.ndarray) or x.ndim not in (1, 2):
        raise TypeError(
            f"cannot play a view of type {type(x).__name__}; expected a [channels, time] or [time] waveform"
        )
    wave = x.astype(np.float32)
    wave = wave[:, None] if wave.ndim == 1 else wave.T  # soundfile wants [time, channels]
    buf = io.BytesIO()
    sf.write(buf, wave, sample_rate, format="WAV", subtype="FLOAT")  # float: no clipping of loud views
    return "data:audio/wav;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


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

    Image samples are shown as pictures, text samples as text, and — when ``sample_rate`` is
    given — waveforms (``[channels, time]`` or ``[time]`` tensors/arrays) as audio players
    (32-bit float WAV, so loud views are not clipped).

    Args:
        path: where to write the page (parent folders are created).
        samples: the inputs; view ``k`` of sample ``i`` is made with ``index=i``.
        views: the generator whose views are shown.
        epoch: the epoch the views are drawn for.
        cell: width of each column, in pixels.
        sample_rate: set it to show audio samples and views as players at this rate (Hz).

    Returns:
        The absolute path of the page written.

    Raises:
        ValueError: when ``sample_rate`` is not a positive integer.
        TypeError: when a sample or view cannot be shown as an image (or, with ``sample_rate``, as audio).

    Example:
        >>> write_html("out/views.html", clips, augkit.audio.audio_pairs(16000, seed=0), sample_rate=16000)
    """
    if sample_rate is not None and (isinstance(sample_rate, bool) or not isinstance(sample_rate, int)
                                    or sample_rate <= 0):
        raise ValueError(f"sample_rate must be a positive integer number of Hz, got {sample_rate!r}")
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>augkit preview</title><style>",
        "body{font-family:sans-serif;margin:16px} .row{display:flex;gap:12px;margin-bottom:18px}",
        f".cell{{width:{cell}px}} .cell img{{max-width:100%}} pre{{font-size:10px;white-space:pre-wrap;"
        "max-height:160px;overflow:auto;background:#f4f4f4} audio{width:100%}",
        "</style></head><body><h1>augkit preview</h1>",
        f"<p>seed {views.seed}, epoch {epoch}, {views.n_views} views per sample</p>",
    ]
    for i, x in enumerate(samples):
        generated = views.generate(x, index=i, epoch=epoch)
        pairs = zip(generated.items, generated.params, strict=True)
        cells = [("original", x, None)] + [(f"view {k + 1}", item, p) for k, (item, p) in enumerate(pairs)]
        parts.append(f"<div class='row' data-index='{i}'>")
        for label, item, params in cells:
            parts.append(f"<div class='cell'><b>{html.escape(label)}</b><br>")
            if isinstance(item, str):
                parts.append(f"<p class='text'>{html.escape(item)}</p>")
            elif sample_rate is not None:
                parts.append(f"<audio controls preload='none' src='{_wav_data_uri(item, sample_rate)}'></audio>")
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
