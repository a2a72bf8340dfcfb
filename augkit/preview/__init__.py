"""Previews of what augmentations do: HTML pages, PNG grids and the statistics of views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

# Public names, served lazily (PEP 562): name -> the module that defines it.
_LAZY: dict[str, str] = {
    "FieldsView": "augkit.preview.page",
    "LABEL_HEIGHT": "augkit.preview.page",
    "describer": "augkit.preview.page",
    "image_grid": "augkit.preview.page",
    "measure": "augkit.preview.page",
    "page": "augkit.preview.page",
    "to_display": "augkit.preview.page",
    "views_html": "augkit.preview.page",
    "write_grid": "augkit.preview.page",
    "write_html": "augkit.preview.page",
    "write_page": "augkit.preview.page",
    "write_sections": "augkit.preview.page",
}

__all__ = [
    "LABEL_HEIGHT",
    "FieldsView",
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
    from augkit.preview.page import (
        LABEL_HEIGHT,
        FieldsView,
        describer,
        image_grid,
        measure,
        page,
        to_display,
        views_html,
        write_grid,
        write_html,
        write_page,
        write_sections,
    )

__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
