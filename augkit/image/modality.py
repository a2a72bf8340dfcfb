"""The image modality: uint8 ``H×W×3`` (RGB) or ``H×W`` (grayscale) numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.modalities import register

__all__ = ["ImageModality"]


class ImageModality:
    """Ops see a uint8 ``H×W×3`` or ``H×W`` array; other inputs go through
    :func:`augkit.image.as_image` (PIL images, RGBA, uint16, floats in [0, 1], ``C×H×W`` tensors)."""

    name = "image"

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        # the canonical form passes with a few attribute reads: ops inside a pipeline see it
        if type(x) is np.ndarray and x.dtype == np.uint8 and x.size and \
                (x.ndim == 2 or (x.ndim == 3 and x.shape[2] == 3)):
            return x, False, None
        from augkit.image._convert import as_image

        return as_image(x), False, None

    def leave(self, y: Any, ctx: Any) -> Any:
        return y

    def stack(self, items: Sequence[Any], where: str) -> Any:
        return np.stack(items)


register(ImageModality())
