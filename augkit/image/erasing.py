"""RandomErasing: fill a random rectangle (torchvision v2 ``RandomErasing``, Zhong et al. 2020)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Numbers, Probability, Range
from augkit.core.errors import InvalidParams
from augkit.core.registry import register

__all__ = ["ERASE_TRIES", "RandomErasing"]

#: The boxes tried before giving up on an image (torchvision's 10).
ERASE_TRIES = 10


@register
class RandomErasing(Augmenter[np.ndarray]):
    """Fill a rectangle of random area and aspect ratio with a constant (torchvision v2 ``RandomErasing``).

    torchvision's draw (``transforms/v2/_augment.py``): up to 10 tries of an area fraction from
    ``scale`` and a log-uniform aspect ratio from ``ratio``, ``height = round(sqrt(area · ratio))``,
    ``width = round(sqrt(area / ratio))``; the first box strictly smaller than the image is placed
    uniformly. One difference: a box must be at least one pixel a side (torchvision takes an empty
    one). When no try fits (a tiny image) nothing is erased and the record says not applied.

    Args:
        scale: range of the box's area as a fraction of the image, in (0, 1].
        ratio: range of the box's aspect ratio (height / width, torchvision's), in [1e-4, 1e4].
        fill: grey level, or RGB levels, written into the box (torchvision's ``value``).
        p: probability of erasing.

    Record: ``{"applied": True, "top", "left", "height", "width"}`` (the box).

    Raises:
        InvalidArgument: for a scale or ratio outside its bounds (naming it).
        InvalidParams: for a recorded box outside the image.

    Example:
        >>> RandomErasing(scale=(0.02, 0.33), ratio=(0.3, 3.3), p=0.25)
    """

    name = "image.random_erasing"
    modality = "image"
    args = (
        Arg("scale", Range(0.0, 1.0, low_open=True), (0.02, 0.33), "range of the box's area fraction"),
        Arg("ratio", Range(1e-4, 1e4), (0.3, 3.3), "range of the box's aspect ratio"),
        Arg("fill", Numbers((1, 3), 0.0, 255.0), 0.0, "grey level, or RGB levels, written into the box"),
        Arg("p", Probability(), 0.5, "probability of erasing"),
    )
    drawn = {"top": int, "left": int, "height": int, "width": int}
    record_bounds = {k: Integer(0, None) for k in drawn}
    scale: tuple[float, float]
    ratio: tuple[float, float]
    fill: tuple[float, ...]

    def setup(self) -> None:
        self._log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))

    def _box(self, shape: tuple[int, ...], tries: list[list[float]]) -> Params | None:
        height, width = shape[:2]
        area = height * width
        (s_lo, s_hi), (r_lo, r_hi) = self.scale, self._log_ratio
        for u_scale, u_ratio, u_top, u_left in tries:
            target = area * (s_lo + (s_hi - s_lo) * u_scale)
            aspect = math.exp(r_lo + (r_hi - r_lo) * u_ratio)
            h, w = round(math.sqrt(target * aspect)), round(math.sqrt(target / aspect))
            if 0 < h < height and 0 < w < width:
                top = min(int(u_top * (height - h + 1)), height - h)
                left = min(int(u_left * (width - w + 1)), width - w)
                return {"top": top, "left": left, "height": h, "width": w}
        return None

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params | None:
        return self._box(x.shape, rng.random((ERASE_TRIES, 4)).tolist())

    def uniform_draws(self) -> int:
        return 4 * ERASE_TRIES

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        return [self._box(x.shape, row.reshape(ERASE_TRIES, 4).tolist()) for x, row in zip(items, u, strict=True)]

    def check_params(self, x: Any, params: Params) -> None:
        top, left, h, w = (params[k] for k in ("top", "left", "height", "width"))
        if top + h > x.shape[0] or left + w > x.shape[1]:
            raise InvalidParams(f"RandomErasing params box top={top}, left={left}, height={h}, width={w} lies "
                                f"outside an image of {x.shape[0]}×{x.shape[1]}; use the params drawn for this image")

    def _value(self, channels: int) -> Any:
        values = self.fill * 3 if len(self.fill) == 1 else self.fill
        return np.asarray(values[:channels], dtype=np.uint8) if channels > 1 else np.uint8(values[0])

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        out = x.copy()
        top, left = params["top"], params["left"]
        out[top : top + params["height"], left : left + params["width"]] = self._value(1 if x.ndim == 2 else 3)
        return out

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        out = batch.copy() if isinstance(batch, np.ndarray) else batch.clone()
        if isinstance(batch, np.ndarray):
            value: Any = self._value(1 if batch.ndim == 3 else 3)
        else:
            import torch

            c = batch.shape[1]
            value = torch.as_tensor(self._value(c).astype(np.float32), device=batch.device).view(c, 1, 1)
        for i, r in enumerate(records):
            top, left = r["top"], r["left"]
            if isinstance(batch, np.ndarray):
                out[i, top : top + r["height"], left : left + r["width"]] = value
            else:
                out[i, :, top : top + r["height"], left : left + r["width"]] = value
        return out
