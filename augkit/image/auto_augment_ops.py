"""The sub-ops of RandAugment, TrivialAugment and BLIP's RandomAugment: torchvision's 14, magnitudes, kernels.

A sub-op is a name and a magnitude, torchvision v2's meaning (``transforms/v2/_auto_augment.py``,
``_apply_image_or_video_transform``): shears are factors (``atan`` of the angle), translations
whole pixels (``int(magnitude)``), rotations degrees counter-clockwise, brightness, colour,
contrast and sharpness factors ``1 + magnitude``, posterize bits, solarize a threshold as a
fraction of 255. Each runs with the kernels of the standalone ops (:mod:`augkit.image.warp`,
:mod:`augkit.image.tone_kernels`, :class:`augkit.image.ColorJitter`'s), on one image as a stack of
one, on a host stack, or on a torch batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from augkit.core.errors import InvalidParams
from augkit.image import functional as F
from augkit.image import kernels, tone_kernels, warp

__all__ = ["NAMES", "SPACES", "apply_batch", "check", "forward_x_sign", "linspace32", "magnitudes", "signed"]

#: torchvision's 14 sub-ops, in its order (Identity, ShearX, …, Equalize).
NAMES = ("identity", "shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness", "color",
         "contrast", "sharpness", "posterize", "solarize", "autocontrast", "equalize")
_SIGNED = {"shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness", "color", "contrast",
           "sharpness"}
_WARPS = {"shear_x", "shear_y", "translate_x", "translate_y", "rotate"}
_COLOUR = {"brightness": "brightness", "color": "saturation", "contrast": "contrast"}

#: The largest magnitudes of torchvision's spaces: RandAugment's (``RandAugment._AUGMENTATION_SPACE``,
#: translations as a fraction of the side) and TrivialAugmentWide's (translations in pixels);
#: ``posterize`` is the divisor of the bins in ``8 - round(bin / ((bins - 1) / divisor))``.
SPACES = {
    "randaugment": {"shear": 0.3, "translate": 150.0 / 331.0, "rotate": 30.0, "enhance": 0.9, "posterize": 4},
    "trivial": {"shear": 0.99, "translate": 32.0, "rotate": 135.0, "enhance": 0.99, "posterize": 6},
}


def linspace32(start: float, end: float, steps: int) -> np.ndarray:
    """``torch.linspace(start, end, steps)`` in float32, computed as torch's CPU kernel does (a
    float32 step; the first half from the start, the second from the end, each a fused multiply-add:
    the float64 product of float32 values is exact, rounded once), so magnitudes equal torchvision's."""
    start32, end32 = np.float32(start), np.float32(end)
    step = np.float64((end32 - start32) / np.float32(steps - 1)) if steps > 1 else 0.0
    idx = np.arange(steps, dtype=np.float64)
    half = steps // 2
    out = np.empty(steps, dtype=np.float32)
    out[:half] = np.float64(start32) + step * idx[:half]
    out[half:] = np.float64(end32) - step * (steps - 1 - idx[half:])
    return out


@lru_cache(maxsize=1024)
def magnitudes(name: str, bins: int, height: int, width: int, space_name: str) -> tuple[float, ...] | None:
    """The ``bins`` magnitudes of ``name`` for an image of ``height × width`` in the space
    ``space_name`` (a key of :data:`SPACES`); None for the sub-ops without one (identity,
    autocontrast, equalize)."""
    table = _magnitudes(name, bins, height, width, SPACES[space_name], space_name == "randaugment")
    return None if table is None else tuple(float(v) for v in table)


def _magnitudes(name: str, bins: int, height: int, width: int, space: dict[str, float],
                relative: bool) -> np.ndarray | None:
    if name in ("identity", "autocontrast", "equalize"):
        return None
    if name in ("shear_x", "shear_y"):
        return linspace32(0.0, space["shear"], bins)
    if name in ("translate_x", "translate_y"):
        side = width if name == "translate_x" else height
        top = space["translate"] * side if relative else space["translate"]
        return linspace32(0.0, top, bins)
    if name == "rotate":
        return linspace32(0.0, space["rotate"], bins)
    if name == "posterize":
        levels = np.arange(bins).astype(np.float32) / np.float32((bins - 1) / space["posterize"])
        return np.round(np.float32(8) - levels).astype(np.int32).astype(np.float32)
    if name == "solarize":
        return linspace32(1.0, 0.0, bins)
    return linspace32(0.0, space["enhance"], bins)


def signed(name: str) -> bool:
    """Whether torchvision flips the sign of this sub-op's magnitude half of the time."""
    return name in _SIGNED


def check(ops: Any, where: str) -> list[tuple[str, float]]:
    """A record's ``ops`` as ``[(name, magnitude)]``, each checked; :class:`InvalidParams` naming the fault."""
    out = []
    for k, entry in enumerate(ops):
        if not isinstance(entry, dict) or entry.get("op") not in NAMES or \
                not isinstance(entry.get("magnitude"), (int, float)) or isinstance(entry.get("magnitude"), bool):
            raise InvalidParams(f"{where} params['ops'][{k}]={str(entry)[:80]} must be {{'op': one of {NAMES}, "
                                "'magnitude': a number}; use the params drawn for this image")
        name, m = entry["op"], float(entry["magnitude"])
        low, high = _BOUNDS.get(name, (-1e6, 1e6))
        if not (math.isfinite(m) and low <= m <= high) or (name == "posterize" and m != int(m)):
            raise InvalidParams(f"{where} params['ops'][{k}]['magnitude']={m!r} is outside [{low}, {high}] for "
                                f"{name!r}; use the params drawn for this image")
        out.append((name, m))
    return out


_BOUNDS = {"shear_x": (-1.0, 1.0), "shear_y": (-1.0, 1.0), "translate_x": (-65536.0, 65536.0),
           "translate_y": (-65536.0, 65536.0), "rotate": (-360.0, 360.0), "brightness": (-1.0, 99.0),
           "color": (-1.0, 99.0), "contrast": (-1.0, 99.0), "sharpness": (-1.0, 99.0), "posterize": (0.0, 8.0),
           "solarize": (0.0, 1.0), "identity": (0.0, 0.0), "autocontrast": (0.0, 0.0), "equalize": (0.0, 0.0)}


def matrix(name: str, magnitude: float, height: int, width: int) -> np.ndarray:
    """The output-to-input map of a geometric sub-op (torchvision's ``affine``/``rotate`` calls)."""
    if name == "shear_x":
        return warp.inverse_matrix(height, width, shear=(math.degrees(math.atan(magnitude)), 0.0), center=(0.0, 0.0))
    if name == "shear_y":
        return warp.inverse_matrix(height, width, shear=(0.0, math.degrees(math.atan(magnitude))), center=(0.0, 0.0))
    if name == "translate_x":
        return warp.inverse_matrix(height, width, translate=(float(int(magnitude)), 0.0))
    if name == "translate_y":
        return warp.inverse_matrix(height, width, translate=(0.0, float(int(magnitude))))
    return warp.inverse_matrix(height, width, -magnitude)  # rotate: torchvision's rotate passes -angle


def forward_x_sign(ops: Sequence[tuple[str, float]]) -> float:
    """The x-to-x entry of the composed forward map of the geometric sub-ops in ``ops``: negative
    when the view puts the left of the image on the right."""
    total = np.eye(2)
    for name, m in ops:
        if name in _WARPS:
            inverse = matrix(name, m, 1, 1)[:, :2]
            total = np.linalg.inv(inverse) @ total
    return float(total[0, 0])


def _jitter_records(name: str, values: Sequence[float]) -> list[dict[str, Any]]:
    neutral = {"brightness": 1.0, "contrast": 1.0, "saturation": 1.0, "hue": 0.0}
    key = _COLOUR[name]
    return [{"order": [key, *(k for k in neutral if k != key)], **neutral, key: 1.0 + v} for v in values]


def _by_value(values: Sequence[float], run: Callable[[list[int], float], None]) -> None:
    groups: dict[float, list[int]] = {}
    for i, v in enumerate(values):
        groups.setdefault(v, []).append(i)
    for v, rows in groups.items():
        run(rows, v)


def apply_batch(name: str, batch: Any, values: Sequence[float], interpolation: str, fill: tuple[float, ...]) -> Any:
    """Sub-op ``name`` with each image's magnitude, on a host stack ``[B, H, W(, 3)]`` or a torch
    batch ``[B, C, H, W]``; a new batch (one image is a stack of one)."""
    host = isinstance(batch, np.ndarray)
    h, w = (batch.shape[1], batch.shape[2]) if host else (batch.shape[2], batch.shape[3])
    if name == "identity":
        return batch.copy() if host else batch.clone()
    if name in _WARPS:
        matrices = [matrix(name, v, h, w) for v in values]
        return warp.warp_stack(batch, matrices, interpolation, fill) if host else \
            warp.warp_torch(batch, matrices, interpolation, fill)
    if name in _COLOUR:
        if host:
            return kernels.jitter(batch, _jitter_records(name, values))
        from augkit.image import torch_kernels

        return torch_kernels.jitter(batch, _jitter_records(name, values))
    if not host:
        return _torch_tone(name, batch, values)
    if name == "sharpness":
        return tone_kernels.sharpness(batch, [1.0 + v for v in values])
    if name == "autocontrast":
        return tone_kernels.autocontrast(batch)
    if name == "equalize":
        return tone_kernels.equalize(batch)
    out = batch.copy()
    if name == "posterize":
        _by_value(values, lambda rows, v: out.__setitem__(rows, tone_kernels.posterize(batch[rows], int(v))))
    else:
        _by_value(values, lambda rows, v: out.__setitem__(rows, F.apply_lut(batch[rows],
                                                                            F.solarize_table(threshold(v)))))
    return out


def threshold(magnitude: float) -> float:
    """Solarize's threshold: ``255 · magnitude`` as torchvision compares it with uint8 levels (in float32)."""
    return float(np.float32(255.0 * magnitude))


def _torch_tone(name: str, batch: Any, values: Sequence[float]) -> Any:
    from augkit.image import tone_torch, torch_kernels

    if name == "sharpness":
        return tone_torch.sharpness(batch, [1.0 + v for v in values])
    if name == "autocontrast":
        return tone_torch.autocontrast(batch)
    if name == "equalize":
        return tone_torch.equalize(batch)
    out = batch.clone()

    def run(rows: list[int], v: float) -> None:
        sub = batch[rows]
        out[rows] = tone_torch.posterize(sub, int(v)) if name == "posterize" else \
            torch_kernels.solarize(sub, threshold(v))

    _by_value(values, run)
    return out
