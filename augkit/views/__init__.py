"""Views of samples: ViewGenerator, dict fields, couplings between fields, presets machinery and cross-modal views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

# Public names, served lazily (PEP 562): name -> the module that defines it.
_LAZY: dict[str, str] = {
    "COMMON_ARGS": "augkit.views.presets",
    "CrossModalViews": "augkit.views.crossmodal",
    "Preset": "augkit.views.presets",
    "ViewGenerator": "augkit.views.generator",
    "Views": "augkit.views.generator",
    "multi_crop": "augkit.views.presets",
    "preset": "augkit.views.presets",
}

__all__ = [
    "COMMON_ARGS",
    "CrossModalViews",
    "Preset",
    "ViewGenerator",
    "Views",
    "multi_crop",
    "preset",
]

if TYPE_CHECKING:
    from augkit.views.crossmodal import CrossModalViews
    from augkit.views.generator import ViewGenerator, Views
    from augkit.views.presets import COMMON_ARGS, Preset, multi_crop, preset

__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
