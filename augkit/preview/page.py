"""Previews of what a view generator does: a PNG grid and a self-contained HTML page.

Rows are samples; the first column is the original, the next ones its views. Each cell is drawn
by the generator's modality (its descriptor's ``render`` and ``picture``, :mod:`augkit.core.modalities`),
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

from augkit.core import modalities
from augkit.core.composites import fired
from augkit.core.errors import InvalidArgument
from augkit.core.html import number
from augkit.views.generator import ViewGenerator

__all__ = ["LABEL_HEIGHT", "FieldsView", "describer", "image_grid", "measure", "page", "to_display", "views_html",
           "write_grid", "write_html", "write_page", "write_sections"]

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

    show = _Show(views)
    rows = [[show.picture(show.original(x), raw=True), *(show.picture(v) for v in views(x, index=i, epoch=epoch))]
            for i, x in enumerate(samples)]
    titles = ["original", *(f"view {k + 1}" for k in range(max(len(r) for r in rows) - 1))] if rows and labels else None
    out = Path(path).resolve()
    grid = image_grid(rows, cell=cell, labels=titles)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(grid).save(out)
    return out


def write_page(
    path: str | Path,
    samples: Sequence[Any],
    views: ViewGenerator,
    epoch: int = 0,
    cell: int = 200,
    sample_rate: int | None = None,
    crop_boxes: bool = True,
) -> Path:
    """Write one self-contained HTML page of what ``views`` does to ``samples``; returns its path.

    At the top, the generator (its preset and arguments when a preset made it), the seed and a
    table of how far the views moved from their sources (median and range of each measure the
    modality gives: SSIM and crop area for images, word edit distance for text, SNR for audio)
    and how often each op fired. Then one row per sample: the original (for images with the crop
    boxes of its views drawn on it), then each view as its modality renders it (images in true
    colours, text with its edits marked, audio as waveform, spectrogram and player), captioned
    with the ops that fired and their values, and its distances. Everything is embedded (data
    URIs, inline CSS, no script, no network); every text from the data is HTML-escaped.

    Views are shown as the ops left them (before the generator's output step, which only
    converts them), with ``index=row``, so a seeded page is reproducible.

    Args:
        path: where to write the page (parent folders are created).
        samples: the inputs; view ``k`` of sample ``i`` is made with ``index=i``.
        views: the generator whose views are shown.
        epoch: the epoch the views are drawn for.
        cell: width of each column, in pixels.
        sample_rate: the rate (Hz) audio is played at, overriding the one the ops declare.
        crop_boxes: draw each view's crop on the original image.

    Raises:
        ValueError: when ``samples`` is empty, ``sample_rate`` is not a positive integer, or
            audio has no known rate.
        TypeError: when a sample is not of the generator's modality.

    Example:
        >>> write_page("out/views.html", photos, augkit.image.simclr(224, seed=0))
    """
    out = Path(path).resolve()
    text = page(samples, views, epoch=epoch, cell=cell, sample_rate=sample_rate, crop_boxes=crop_boxes)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


#: The name :func:`write_page` had in augkit 0.1 (same arguments).
write_html = write_page

_PAGE_CSS = "body{font-family:system-ui,sans-serif;margin:16px;color:#222} h1{font-size:20px}"
_CSS = (
    " .row{display:flex;gap:12px;margin-bottom:18px;align-items:flex-start;flex-wrap:wrap}"
    " .cell img{max-width:100%;display:block} .cell audio{width:100%}"
    " .caption{font-size:11px;margin:4px 0 0;padding-left:14px} .caption li{margin:0}"
    " .moved{font-size:11px;color:#555;margin:2px 0} code{font-size:12px}"
    " ins{background:#d6f5d6;text-decoration:none} del{background:#fbd5d5;color:#900}"
    " mark{background:#fff2a8} mark.swap{background:#d5e5fb}"
    " table.summary{border-collapse:collapse;font-size:12px;margin:8px 0 16px}"
    " table.summary td,table.summary th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
    " table.summary td:first-child,table.summary th:first-child{text-align:left}"
    " details{font-size:10px} pre{white-space:pre-wrap;max-height:160px;overflow:auto;background:#f4f4f4}"
)


def page(samples: Sequence[Any], views: ViewGenerator, epoch: int = 0, cell: int = 200,
         sample_rate: int | None = None, crop_boxes: bool = True) -> str:
    """The HTML of :func:`write_page`, as a string."""
    return _document(_section(samples, views, epoch, cell, sample_rate, crop_boxes, title=None))


def write_sections(path: str | Path, sections: Sequence[tuple[str, Sequence[Any], ViewGenerator]], epoch: int = 0,
                   cell: int = 200) -> Path:
    """Write one page with a section per ``(title, samples, generator)``: images, texts and clips
    previewed side by side, each section as :func:`write_page` shows it.

    Raises:
        ValueError: when ``sections`` is empty or a section has no samples.

    Example:
        >>> write_sections("out/all.html", [("photos", photos, simclr), ("sentences", lines, eda)])
    """
    if not sections:
        raise InvalidArgument("write_sections needs at least one (title, samples, generator) section")
    body = "".join(_section(samples, views, epoch, cell, None, True, title=title) for title, samples, views in sections)
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_document(body), encoding="utf-8")
    return out


def _document(body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>augkit preview</title><style>{_PAGE_CSS}"
            f"{_CSS}</style></head><body><h1>augkit preview</h1>{body}</body></html>")


def _section(samples: Sequence[Any], views: ViewGenerator, epoch: int, cell: int, sample_rate: int | None,
             crop_boxes: bool, title: str | None) -> str:
    if sample_rate is not None and (isinstance(sample_rate, bool) or not isinstance(sample_rate, int)
                                    or sample_rate <= 0):
        raise InvalidArgument(f"sample_rate must be a positive integer number of Hz, got {sample_rate!r}")
    if len(samples) == 0:
        raise InvalidArgument("a preview needs at least one sample")
    show = _Show(views, cell=cell, **({} if sample_rate is None else {"sample_rate": sample_rate}))
    rows, table = [], _Table()
    for i, x in enumerate(samples):
        source = show.original(x)
        made = views.generate(source, index=i, epoch=epoch, with_output=False)
        extra = {"view_params": made.params} if crop_boxes else {}
        cells = [f"<div class='cell' style='width:{cell}px'><b>original</b>"
                 f"{show.descriptor.render(source, None, None, **show.raw_context, **extra)}</div>"]
        for k, (view, params) in enumerate(zip(made.items, made.params, strict=True)):
            steps = views.fired(k, params)
            moved = show.moved(source, view, params)
            table.add(steps, moved)
            cells.append(f"<div class='cell' style='width:{cell}px'><b>view {k + 1}</b>"
                         f"{show.descriptor.render(view, params, source, **show.raw_context)}"
                         f"{_caption(steps)}{_moved(moved)}"
                         f"<details><summary>record</summary><pre>{html.escape(json.dumps(params, indent=1))}"
                         "</pre></details></div>")
        rows.append(f"<div class='row' data-index='{i}'>{''.join(cells)}</div>")
    heading = f"<h2>{html.escape(title)}</h2>" if title else ""
    notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in show.notes)
    return (f"<section data-modality='{html.escape(views.modality)}'>{heading}"
            f"<p class='generator'>{_describe(views)}</p>"
            f"<p>seed {views.seed}, epoch {epoch}, {views.n_views} views per sample, {len(samples)} samples</p>"
            + table.html(views.n_views * len(samples)) + notes + "\n".join(rows) + "</section>")


def measure(samples: Sequence[Any], views: ViewGenerator, epoch: int = 0) -> _Table:
    """How far the views of ``samples`` moved and which ops fired (what ``augkit stats`` prints)."""
    show = _Show(views)
    table = _Table()
    for i, x in enumerate(samples):
        source = show.original(x)
        made = views.generate(source, index=i, epoch=epoch, with_output=False)
        for k, (view, params) in enumerate(zip(made.items, made.params, strict=True)):
            table.add(views.fired(k, params), show.moved(source, view, params))
    table.notes = show.notes
    table.views = views.n_views * len(samples)
    return table


class _Table:
    """Distances and firing counts gathered over views."""

    def __init__(self) -> None:
        self.values: dict[str, list[float]] = {}
        self.fired: dict[str, int] = {}
        self.notes: list[str] = []
        self.views = 0

    def add(self, steps: list[tuple[str, dict[str, Any]]], moved: dict[str, float]) -> None:
        for name, value in moved.items():
            self.values.setdefault(name, []).append(float(value))
        for name in dict.fromkeys(n for n, _ in steps):
            self.fired[name] = self.fired.get(name, 0) + 1

    def rows(self) -> list[tuple[str, float, float, float, int]]:
        """``(measure, median, min, max, count)`` per measure."""
        return [(k, float(np.median(v)), min(v), max(v), len(v)) for k, v in self.values.items()]

    def text(self) -> str:
        """The table as plain text for a terminal."""
        lines = [f"{'measure':<22} {'median':>9} {'min':>9} {'max':>9} {'views':>6}"]
        lines += [f"{k:<22} {m:>9.3f} {lo:>9.3f} {hi:>9.3f} {n:>6}" for k, m, lo, hi, n in self.rows()]
        lines += ["", f"{'op':<32} {'fired in':>9}"]
        lines += [f"{k:<32} {n / max(self.views, 1):>8.0%}" for k, n in sorted(self.fired.items())]
        return "\n".join(lines + self.notes)

    def html(self, total: int) -> str:
        cells = "".join(f"<tr><td>{html.escape(k)}</td><td>{m:.3g}</td><td>{lo:.3g}</td><td>{hi:.3g}</td>"
                        f"<td>{n}</td></tr>" for k, m, lo, hi, n in self.rows())
        ops = "".join(f"<tr><td>{html.escape(k)}</td><td>{n / max(total, 1):.0%}</td></tr>"
                      for k, n in sorted(self.fired.items()))
        return ("<table class='summary'><tr><th>how far views moved</th><th>median</th><th>min</th><th>max</th>"
                f"<th>views</th></tr>{cells}</table><table class='summary'><tr><th>op</th><th>fired in</th></tr>"
                f"{ops}</table>")


def _caption(steps: list[tuple[str, dict[str, Any]]]) -> str:
    """The ops that fired and their values, as an escaped list (bulky values such as edits left out)."""
    if not steps:
        return "<ul class='caption'><li>no op fired</li></ul>"
    items = []
    for name, params in steps:
        values = ", ".join(f"{k} {number(v)}" for k, v in params.items()
                           if k not in _BULKY and (not isinstance(v, (dict, list)) or _short(v)))
        items.append(f"<li><code>{html.escape(name)}</code> {html.escape(values)}</li>")
    return f"<ul class='caption'>{''.join(items)}</ul>"


_BULKY = {"seed", "edits", "order", "transforms"}


def _short(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= 4 and all(isinstance(v, (int, float)) for v in value)


def _moved(moved: dict[str, float]) -> str:
    if not moved:
        return ""
    return "<p class='moved'>" + html.escape(", ".join(f"{k} {number(v)}" for k, v in moved.items())) + "</p>"


def views_html(made: Any) -> str:
    """HTML of one sample's views (what a notebook shows for :class:`augkit.views.generator.Views`)."""
    vg = made.generator
    descriptor = describer(vg) if vg is not None else modalities.ANY
    context = {**(descriptor.context(vg) if vg is not None else {}), "cell": 160}
    cells = []
    for k, (view, params) in enumerate(zip(made.items, made.params, strict=True)):
        steps = vg.fired(k, params) if vg is not None else fired(params)
        cells.append(f"<div style='width:160px'><b>view {k + 1}</b>"
                     f"{descriptor.render(view, params, made.source, **context)}{_caption(steps)}</div>")
    return f"<style>{_CSS}</style><div class='row'>{''.join(cells)}</div>"


def describer(vg: ViewGenerator) -> Any:
    """What shows ``vg``'s samples and views: its modality's descriptor, :class:`FieldsView` for
    dict samples, or the plain fallback when the generator takes anything."""
    if vg.fields is not None:
        return FieldsView(vg)
    return modalities.get(vg.modality) if vg.modality else modalities.ANY


class FieldsView:
    """Shows dict samples field by field, each by its modality's descriptor (a composite descriptor
    with the ``check``, ``render``, ``moved``, ``picture`` and ``context`` the previews use).

    ``render`` gives one block per field with a modality (``<div class='field' data-field=...>``),
    then the pass-through keys as text; ``moved`` prefixes each field's distances with its name;
    ``picture`` is the first field that has one (an image, an audio spectrogram).
    """

    def __init__(self, vg: ViewGenerator) -> None:
        assert vg.fields is not None
        self.vg = vg
        self.fields = {f: modalities.get(m) for f, m in vg.field_modalities.items() if m}
        self.name = "fields"

    def check(self, x: Any, **options: Any) -> Any:
        return self.vg._check_fields(x, None)

    def context(self, vg: Any) -> dict[str, Any]:
        """Each field's context, from a generator of that field's pipelines and output alone."""
        from augkit.generate.fields import field_context

        return {"fields": field_context(vg)}

    def _ctx(self, f: str, context: dict[str, Any]) -> dict[str, Any]:
        extra = {k: v for k, v in context.items() if k not in ("fields", "view_params")}
        return {**context.get("fields", {}).get(f, {}), **extra}

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        records = params.get("fields", {}) if isinstance(params, dict) else {}
        blocks = []
        for f, descriptor in self.fields.items():
            if not isinstance(view, dict) or f not in view:
                continue
            src = source.get(f) if isinstance(source, dict) else None
            inner = descriptor.render(view[f], records.get(f), src, **self._ctx(f, context))
            blocks.append(f"<div class='field' data-field='{html.escape(f)}'><i>{html.escape(f)}</i>{inner}</div>")
        rest = {k: v for k, v in view.items() if k not in self.fields} if isinstance(view, dict) else {}
        if rest:
            shown = ", ".join(f"{k}: {v!r:.60}" for k, v in rest.items())
            blocks.append(f"<p class='fields-rest'>{html.escape(shown)}</p>")
        return "".join(blocks)

    def moved(self, source: Any, view: Any, params: Any = None, **context: Any) -> dict[str, float]:
        records = params.get("fields", {}) if isinstance(params, dict) else {}
        out: dict[str, float] = {}
        for f, descriptor in self.fields.items():
            if isinstance(view, dict) and f in view and isinstance(source, dict) and f in source:
                for k, v in descriptor.moved(source[f], view[f], records.get(f), **self._ctx(f, context)).items():
                    out[f"{f} {k}"] = v
        return out

    def picture(self, view: Any, **context: Any) -> Any:
        for f, descriptor in self.fields.items():
            if isinstance(view, dict) and f in view:
                try:
                    return descriptor.picture(view[f], **self._ctx(f, context))
                except InvalidArgument:
                    continue
        raise InvalidArgument(f"none of the fields {sorted(self.fields)} has a picture; write an HTML page instead")


class _Show:
    """How a generator's samples and views are shown: its modality's descriptor and two contexts.

    Views get ``descriptor.context(views)``; originals get the context of the same generator
    without its output step (they are raw inputs: no mean/std to undo).
    """

    def __init__(self, views: ViewGenerator, **extra: Any) -> None:
        self.views = views
        self.descriptor = describer(views)
        raw = copy.copy(views)
        raw.output = None
        self.context = {**self.descriptor.context(views), **extra}
        self.raw_context = {**self.descriptor.context(raw), **extra}
        self.notes: list[str] = []

    def original(self, x: Any) -> Any:
        """``x`` as the ops see it (the generator's ``prepare``, then the modality's check)."""
        if self.views.prepare is not None:
            x = self.views.prepare(x)
        return self.descriptor.check(x)

    def moved(self, source: Any, view: Any, params: Any) -> dict[str, float]:
        """The descriptor's distances of ``view`` from ``source``; a missing library becomes a note."""
        try:
            return dict(self.descriptor.moved(source, view, params, **self.raw_context))
        except ImportError as err:
            if str(err) not in self.notes:
                self.notes.append(str(err))
            return {}

    def picture(self, item: Any, raw: bool = False) -> np.ndarray:
        if not self.views.modality and self.views.fields is None:
            return to_display(item)
        return np.asarray(self.descriptor.picture(item, **(self.raw_context if raw else self.context)))


def _describe(views: ViewGenerator) -> str:
    """The header line naming the generator: its preset and arguments, or its modality."""
    origin = views.origin
    if origin:
        args = json.dumps(origin.get("args", {}), default=lambda o: f"<{type(o).__name__}>", sort_keys=True)
        return f"preset <code>{html.escape(str(origin.get('preset')))}</code> <code>{html.escape(args)}</code>"
    fields = ", ".join(f"{f}: {m or 'any'}" for f, m in views.field_modalities.items())
    kind = views.modality or (f"dict ({fields})" if views.fields is not None else "any")
    text = repr(views)
    text = text if len(text) <= 400 else text[:399] + "…"
    return f"a generator of {html.escape(kind)} views: <code>{html.escape(text)}</code>"
