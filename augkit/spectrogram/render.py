"""Pictures of log-mels: a heat map with a viridis-like ramp."""

from __future__ import annotations

import numpy as np

__all__ = ["heat_map"]

# Five stops close to matplotlib's viridis (perceptually even, readable in grey).
_RAMP = np.array([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=np.float64)


def heat_map(values: np.ndarray, height: int = 128, width: int = 256) -> np.ndarray:
    """``values [mels, frames]`` as an RGB uint8 picture ``height×width×3``, low bands at the bottom.

    Rows and columns are sampled at the nearest cell; values are scaled from their minimum to their
    maximum (a constant array gives the darkest colour).
    """
    mels, frames = values.shape
    rows = np.minimum((np.arange(height) * mels) // height, mels - 1)[::-1]
    cols = np.minimum((np.arange(width) * frames) // width, frames - 1)
    grid = values.astype(np.float64)[rows][:, cols]
    lo, hi = float(grid.min()), float(grid.max())
    level = (grid - lo) / (hi - lo) if hi > lo else np.zeros_like(grid)
    pos = level * (len(_RAMP) - 1)
    i = np.minimum(pos.astype(int), len(_RAMP) - 2)
    frac = (pos - i)[..., None]
    return np.round(_RAMP[i] * (1 - frac) + _RAMP[i + 1] * frac).astype(np.uint8)
