"""Self-contained HTML pages of what a view generator does.

Rows are samples; the first column is the original, the next ones its views. Each cell is drawn
by the generator's modality (its descriptor's ``render`` and ``picture``, :mod:`augkit.core.modalities`),
given what the generator knows (an image output's mean and std, the rate audio ops were built for).

Example:
    >>> write_page("views.html", photos, augkit.image.simclr(224, seed=0))
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from augkit.core.errors import InvalidArgument
from augkit.core.html import number
from augkit.preview.show import Show
from augkit.preview.stats import Table, held_fields
from augkit.views.display import CSS, caption, swatch
from augkit.views.generator import ViewGenerator

__all__ = ["page", "write_html", "write_page", "write_sections"]


def write_page(
    path: str | Path,
    samples: Sequence[Any],
    views: ViewGenerator,
    epoch: int = 0,
    cell: int = 200,
    *,
    names: Sequence[str | None] | None = None,
    labels: Sequence[Any] | None = None,
    **options: Any,
) -> Path:
    """Write one self-contained HTML page of what ``views`` does to ``samples``; returns its path.

    At the top, the generator (its preset and arguments when a preset made it), the seed and a
    table of how far the views moved from their sources (median and range of each measure the
    modality gives: SSIM and crop area for images, word edit distance for text, SNR for audio)
    and how often each op fired. Then one row per sample, under its name and label when given:
    the original, then each view as its modality renders it (images in true colours, text with its
    edits marked, audio as waveform, spectrogram and player), captioned with the ops that fired
    and their values, and its distances. Where the modality marks on the original where each view
    came from (an image's crop boxes, a clip's cropped segment on its waveform: the descriptor's
    optional ``marked_views(view_params, **context)`` names those views), each mark has its view's
    colour (:data:`augkit.views.display.VIEW_COLOURS`), shown in a legend under the original and
    beside the view's title. Everything is embedded (data URIs, inline CSS, no script, no
    network); every text from the data is HTML-escaped.

    Views are shown as the ops left them (before the generator's output step, which only
    converts them), with ``index=row``, so a seeded page is reproducible.

    Args:
        path: where to write the page (parent folders are created).
        samples: the inputs; view ``k`` of sample ``i`` is made with ``index=i``.
        views: the generator whose views are shown.
        epoch: the epoch the views are drawn for.
        cell: width of each column, in pixels.
        names: a title for each row, in sample order (the file a sample was read from); None, or
            a None entry, for no title.
        labels: each sample's label (a class index or name), shown beside its name; None, or a
            None entry, for none.
        **options: what the modality's rendering takes (its descriptor's ``render_options``):
            ``sample_rate=`` for audio (the rate clips are played at, overriding the one the ops
            declare), ``crop_boxes=False`` for images (no crop boxes on the originals).

    Raises:
        ValueError: when ``samples`` is empty, ``names`` or ``labels`` are not one per sample, an
            option is not one the modality takes or out of its range (a ``sample_rate`` that is not
            a positive integer), or audio has no known rate.
        TypeError: when a sample is not of the generator's modality.

    Example:
        >>> write_page("out/views.html", photos, augkit.image.simclr(224, seed=0), names=["cat.jpg", "dog.jpg"])
    """
    out = Path(path).resolve()
    text = page(samples, views, epoch=epoch, cell=cell, names=names, labels=labels, **options)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


#: The name :func:`write_page` had in augkit 0.1 (same arguments).
write_html = write_page

_PAGE_CSS = ("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.4;margin:16px 24px;"
             "color:#1d1d1f;background:#fff;max-width:none} h1{font-size:20px} h2{font-size:17px}"
             " .row{border-bottom:1px solid #e5e5e5;padding-bottom:12px}"
             " .row-title{flex-basis:100%;margin:0;font-size:13px} .row-title .name{font-weight:600}"
             " .row-title .label{margin-left:8px;padding:0 6px;border-radius:8px;background:#eef;font-size:12px}"
             " @media (prefers-color-scheme: dark){body{color:#e8e8e8;background:#161618}"
             " .moved{color:#aaa} pre{background:#222} table.summary td,table.summary th{border-color:#444}"
             " ins{background:#1f4d2a} del{background:#5a2222;color:#fbb} mark{background:#5c5210;color:#fff}"
             " .row{border-color:#333} .row-title .label{background:#2a2a44}}")


def page(samples: Sequence[Any], views: ViewGenerator, epoch: int = 0, cell: int = 200, *,
         names: Sequence[str | None] | None = None, labels: Sequence[Any] | None = None, **options: Any) -> str:
    """The HTML of :func:`write_page`, as a string."""
    return _document(_section(samples, views, epoch, cell, options, title=None, names=names, labels=labels))


Section = tuple[str, Sequence[Any], ViewGenerator] | tuple[str, Sequence[Any], ViewGenerator, Sequence[str | None]]


def write_sections(path: str | Path, sections: Sequence[Section], epoch: int = 0, cell: int = 200) -> Path:
    """Write one page with a section per ``(title, samples, generator)``: images, texts and clips
    previewed side by side, each section as :func:`write_page` shows it. A fourth item names the
    section's rows (as :func:`write_page`'s ``names``).

    Raises:
        ValueError: when ``sections`` is empty, a section has no samples, or its names are not
            one per sample.

    Example:
        >>> write_sections("out/all.html", [("photos", photos, simclr, ["cat.jpg", "dog.jpg"]),
        ...                                 ("sentences", lines, eda)])
    """
    if not sections:
        raise InvalidArgument("write_sections needs at least one (title, samples, generator) section")
    body = "".join(_section(s[1], s[2], epoch, cell, {}, title=s[0], names=s[3] if len(s) > 3 else None)
                   for s in sections)
    out = Path(path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_document(body), encoding="utf-8")
    return out


def _document(body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>augkit preview</title><style>{_PAGE_CSS}"
            f"{CSS}</style></head><body><h1>augkit preview</h1>{body}</body></html>")


def _section(samples: Sequence[Any], views: ViewGenerator, epoch: int, cell: int, options: dict[str, Any],
             title: str | None, names: Sequence[Any] | None = None, labels: Sequence[Any] | None = None) -> str:
    if len(samples) == 0:
        raise InvalidArgument("a preview needs at least one sample")
    for what, given in (("names", names), ("labels", labels)):
        if given is not None and len(given) != len(samples):
            raise InvalidArgument(f"{what} has {len(given)} entries for {len(samples)} samples; give one per sample")
    show = Show(views, cell=cell, **options)
    takes = tuple(getattr(show.descriptor, "render_options", ()))
    unknown = sorted(set(options) - set(takes))
    if unknown:
        kind = views.modality or ("dict" if views.fields is not None else "these")
        raise InvalidArgument(f"a page of {kind} views takes no {', '.join(unknown)}; it takes "
                              f"{', '.join(takes) or 'no options'} (the modality's render_options)")
    marks = getattr(show.descriptor, "marked_views", None)
    rows, table = [], Table()
    for i, x in enumerate(samples):
        source = show.original(x, i)
        # mixing ops draw partners from the previewed samples, unless the generator has a source
        made = views.generate(source, index=i, epoch=epoch, with_output=False,
                              source=samples if views.source is None else None)
        marked = set(marks(made.params, **show.raw_context)) if marks is not None else set()
        original = show.descriptor.render(source, None, None, **show.raw_context, view_params=made.params,
                                          view_items=made.items)
        cells = [f"<div class='cell' style='width:{cell}px'><b>original</b>{original}{_legend(sorted(marked))}</div>"]
        for k, (view, params) in enumerate(zip(made.items, made.params, strict=True)):
            steps = views.fired(k, params)
            moved = show.moved(source, view, params)
            table.add(steps, moved, held_fields(views, params))
            cells.append(f"<div class='cell' style='width:{cell}px'>{swatch(k) if k in marked else ''}"
                         f"<b>view {k + 1}</b>{show.descriptor.render(view, params, source, **show.raw_context)}"
                         f"{caption(steps)}{_moved(moved)}"
                         f"<details><summary>record</summary><pre>{html.escape(json.dumps(params, indent=1))}"
                         "</pre></details></div>")
        heading = _row_title(names[i] if names is not None else None, labels[i] if labels is not None else None)
        rows.append(f"<div class='row' data-index='{i}'>{heading}{''.join(cells)}</div>")
    heading = f"<h2>{html.escape(title)}</h2>" if title else ""
    notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in show.notes)
    return (f"<section data-modality='{html.escape(views.modality)}'>{heading}"
            f"<p class='generator'>{_describe(views)}</p>"
            f"<p>seed {views.seed}, epoch {epoch}, {views.n_views} views per sample, {len(samples)} samples</p>"
            + table.html(views.n_views * len(samples)) + notes + "\n".join(rows) + "</section>")


def _row_title(name: Any, label: Any) -> str:
    """The escaped title line of a row: its name (a file) and its label, or nothing."""
    parts = []
    if name is not None and str(name) != "":
        parts.append(f"<span class='name'>{html.escape(str(name))}</span>")
    if label is not None:
        parts.append(f"<span class='label'>label {html.escape(str(label))}</span>")
    return f"<p class='row-title'>{''.join(parts)}</p>" if parts else ""


def _legend(marked: list[int]) -> str:
    """Under the original: each marked view's colour and name."""
    if not marked:
        return ""
    entries = "".join(f"<span class='entry'>{swatch(k)}view {k + 1}</span>" for k in marked)
    return f"<p class='legend' title='where each view came from, marked on the original in its colour'>{entries}</p>"


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


def _moved(moved: dict[str, float]) -> str:
    if not moved:
        return ""
    text = ", ".join("unchanged" if k == "unchanged" else f"{k} {number(v)}" for k, v in moved.items())
    return "<p class='moved'>" + html.escape(text) + "</p>"
