"""Previews of what augmentations do: HTML pages, PNG grids and the statistics of views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

# Public names, served lazily (PEP 562): name -> the module that defines it.
_LAZY: dict[str, str] = {
    "CSS": "augkit.views.display",
    "FieldsView": "augkit.views.display",
    "LABEL_HEIGHT": "augkit.preview.grid",
    "Table": "augkit.preview.stats",
    "caption": "augkit.views.display",
    "describer": "augkit.views.display",
    "image_grid": "augkit.preview.grid",
    "measure": "augkit.preview.stats",
    "page": "augkit.preview.pages",
    "to_display": "augkit.preview.grid",
    "views_html": "augkit.views.display",
    "write_grid": "augkit.preview.grid",
    "write_html": "augkit.preview.pages",
    "write_page": "augkit.preview.pages",
    "write_sections": "augkit.preview.pages",
}

__all__ = [
    "CSS",
    "LABEL_HEIGHT",
    "FieldsView",
    "Table",
    "caption",
    "describer",
    "image_grid",
    "measure",
    "page",
    "to_display",
    "views_html",
    "write_grid",
    "write_html",
    "write_page",
    "write_sections",
]

if TYPE_CHECKING:
    from augkit.preview.grid import LABEL_HEIGHT, image_grid, to_display, write_grid
    from augkit.preview.pages import page, write_html, write_page, write_sections
    from augkit.preview.stats import Table, measure
    from augkit.views.display import CSS, FieldsView, caption, describer, views_html

__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
