"""How views look in a notebook and on a page: each modality's descriptor renders its items,
:class:`FieldsView` renders dict samples field by field, :func:`caption` lists the ops that fired.
:meth:`augkit.views.generator.Views._repr_html_` shows a sample's views with :func:`views_html`;
:mod:`augkit.preview` builds whole pages on the same pieces.
"""

from __future__ import annotations

import html
from typing import Any

from augkit.core import fired, modalities
from augkit.core.errors import InvalidArgument, InvalidInput
from augkit.core.html import number
from augkit.views.fields import check_fields, field_context

__all__ = ["CSS", "VIEW_COLOURS", "FieldsView", "caption", "describer", "swatch", "view_colour", "views_html"]

#: The colour of view ``k`` is ``VIEW_COLOURS[k % 6]``: where a modality marks on the original where
#: each view came from (an image's crop boxes, a clip's cropped segment), the page's legend and
#: each view's header show the same colour.
VIEW_COLOURS: tuple[tuple[int, int, int], ...] = (
    (230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240))


def view_colour(k: int) -> tuple[int, int, int]:
    """The RGB colour of view ``k`` (0-based), as :data:`VIEW_COLOURS` cycles."""
    return VIEW_COLOURS[k % len(VIEW_COLOURS)]


def swatch(k: int) -> str:
    """A small square of view ``k``'s colour (:func:`view_colour`), as HTML."""
    r, g, b = view_colour(k)
    return f"<span class='swatch' style='background:#{r:02x}{g:02x}{b:02x}'></span>"

#: The styles of rows, cells, captions and summary tables, shared by notebooks and pages.
CSS = (
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
    " .swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px;"
    "box-shadow:0 0 0 1px rgba(0,0,0,.25)}"
    " .legend{font-size:11px;margin:4px 0 0} .legend span.entry{white-space:nowrap;margin-right:8px}"
)


def caption(steps: list[tuple[str, dict[str, Any]]]) -> str:
    """The ops that fired and their values, as an escaped list (bulky values such as edits left out)."""
    if not steps:
        return "<ul class='caption'><li>no op fired</li></ul>"
    items = []
    for name, params in steps:
        values = ", ".join(f"{k} {number(v)}" for k, v in params.items()
                           if k not in BULKY and (not isinstance(v, (dict, list)) or _short(v)))
        items.append(f"<li><code>{html.escape(name)}</code> {html.escape(values)}</li>")
    return f"<ul class='caption'>{''.join(items)}</ul>"


BULKY = {"seed", "edits", "order", "transforms"}


def _short(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= 4 and all(isinstance(v, (int, float)) for v in value)


def views_html(made: Any) -> str:
    """HTML of one sample's views (what a notebook shows for :class:`augkit.views.generator.Views`)."""
    vg = made.generator
    descriptor = describer(vg) if vg is not None else modalities.ANY
    context = {**(descriptor.context(vg) if vg is not None else {}), "cell": 160}
    cells = []
    for k, (view, params) in enumerate(zip(made.items, made.params, strict=True)):
        steps = vg.fired(k, params) if vg is not None else fired(params)
        cells.append(f"<div style='width:160px'><b>view {k + 1}</b>"
                     f"{descriptor.render(view, params, made.source, **context)}{caption(steps)}</div>")
    return f"<style>{CSS}</style><div class='row'>{''.join(cells)}</div>"


def describer(vg: Any) -> Any:
    """What shows ``vg``'s samples and views: its modality's descriptor, :class:`FieldsView` for
    dict samples, or the plain fallback when the generator takes anything."""
    if vg.fields is not None:
        return FieldsView(vg)
    return modalities.get(vg.modality) if vg.modality else modalities.ANY


#: White rows between the fields' pictures of a dict sample's view in a PNG grid.
_FIELD_GAP = 4


class FieldsView:
    """Shows dict samples field by field, each by its modality's descriptor (a composite descriptor
    with the ``check``, ``render``, ``moved``, ``picture`` and ``context`` the previews use).

    ``render`` gives one block per field with a modality (``<div class='field' data-field=...>``),
    then the pass-through keys as text; ``moved`` prefixes each field's distances with its name;
    ``picture`` stacks every field's picture (an image, an audio spectrogram) top to bottom.
    """

    def __init__(self, vg: Any) -> None:
        self.vg = vg
        self.fields = {f: modalities.get(m) for f, m in vg.field_modalities.items() if m}
        self.name = "fields"
        self.render_options = tuple(dict.fromkeys(o for d in self.fields.values()
                                                  for o in getattr(d, "render_options", ())))

    def check(self, x: Any, **options: Any) -> Any:
        return check_fields(self.vg, x, None)

    def context(self, vg: Any) -> dict[str, Any]:
        """Each field's context (:func:`augkit.views.fields.field_context`)."""
        return {"fields": field_context(vg)}

    def _ctx(self, f: str, context: dict[str, Any]) -> dict[str, Any]:
        """Field ``f``'s context: its own, the shared keys, and of the views of an original
        (``view_params``, ``view_items``) the records and values of that field."""
        extra = {k: v for k, v in context.items() if k not in ("fields", "view_params", "view_items")}
        if "view_params" in context:
            extra["view_params"] = [p.get("fields", {}).get(f) if isinstance(p, dict) else None
                                    for p in context["view_params"]]
        if "view_items" in context:
            extra["view_items"] = [v.get(f) if isinstance(v, dict) else None for v in context["view_items"]]
        return {**context.get("fields", {}).get(f, {}), **extra}

    def marked_views(self, view_params: Any, **context: Any) -> list[int]:
        """The views any field marks on its original (see :func:`augkit.preview.write_page`)."""
        marked: set[int] = set()
        for f, descriptor in self.fields.items():
            marks = getattr(descriptor, "marked_views", None)
            if marks is not None:
                marked.update(marks(**self._ctx(f, {**context, "view_params": view_params})))
        return sorted(marked)

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
        """Every field's picture that the view holds (an image, a clip's spectrogram), in the fields'
        order, scaled to one width and stacked top to bottom; fields without one (text) are left out."""
        import numpy as np
        from PIL import Image

        tiles = []
        for f, descriptor in self.fields.items():
            if isinstance(view, dict) and f in view:
                try:
                    tiles.append(np.asarray(descriptor.picture(view[f], **self._ctx(f, context)), dtype=np.uint8))
                except (InvalidArgument, InvalidInput):  # a field without pictures (text)
                    continue
        if not tiles:
            raise InvalidArgument(f"none of the fields {sorted(self.fields)} has a picture; write an HTML page "
                                  "instead")
        if len(tiles) == 1:
            return tiles[0]
        width = max(t.shape[1] for t in tiles)
        scaled = [t if t.shape[1] == width else np.asarray(Image.fromarray(t).resize(
            (width, max(1, round(t.shape[0] * width / t.shape[1]))), Image.Resampling.BILINEAR)) for t in tiles]
        gap = np.full((_FIELD_GAP, width, 3), 255, np.uint8)
        return np.concatenate([part for t in scaled for part in (t, gap)][:-1])
