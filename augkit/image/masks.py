"""Patch masks drawn with a view, for masked-image-modelling methods (iBOT, DINOv2).

:class:`PatchMask` is the last op of a view's pipeline: it leaves the image as it is and draws a
boolean mask over the view's patch grid (``H // patch_size`` × ``W // patch_size``) from the view's
own stream; the mask is held in its record, so replay rebuilds it and a record alone says which
patches were masked. :class:`MaskField` reads it back from a view's record: a preset hands it to its
generator as the ``"mask"`` field (``ViewGenerator(extra_fields=...)``), so each masked view is the
dict ``{"image": view, "mask": bool [H / patch, W / patch]}``, which collate stacks and
``augkit generate`` stores as ``.npy``.

Both rules are BEiT's block-wise masking as each reference writes it:

- ``"ibot"`` (``bytedance/ibot``, ``loader.py``, ``ImageFolderMask.__getitem__``, ``pred_shape='block'``):
  masks blocks until ``ratio · H · W`` patches are reached, each block of area uniform in
  ``[(min(H, W) // 3)², what is left]`` and log-uniform aspect ratio in ``aspect``;
- ``"dinov2"`` (``facebookresearch/dinov2``, ``dinov2/data/masking.py``, ``MaskingGenerator``, as
  ``dinov2/train/train.py`` builds it): ``int(ratio · N)`` patches, blocks of at least 4 patches and
  at most ``N / 2``, aspect ratio log-uniform in [0.3, 1 / 0.3].

A view is masked with probability ``mask_p`` and then with a ratio uniform in ``ratio``; otherwise
its mask is all False. iBOT's published ViT-S/16 run (``--pred_ratio 0 0.3 --pred_ratio_var 0 0.2``)
is exactly that with ``mask_p=0.5, ratio=(0.1, 0.5)``. DINOv2's reference masks exactly half the
crops of a batch, with ratios spread evenly over [0.1, 0.5] across the batch
(``dinov2/data/collate.py``); a view drawn from its own stream cannot see its batch, so the
``dinov2`` preset masks each global view with probability 0.5 and a ratio uniform in [0.1, 0.5]:
the same marginal distribution per view, without the per-batch count being exactly half.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Choice, Integer, Probability, Range
from augkit.core.errors import InvalidParams
from augkit.core.registry import register

__all__ = ["MaskField", "PatchMask", "block_mask", "mask_of", "shade"]


def block_mask(height: int, width: int, count: float, rng: np.random.Generator, rule: str,
               aspect: tuple[float, float] = (0.3, 1 / 0.3)) -> np.ndarray:
    """A ``height × width`` boolean mask of about ``count`` patches in rectangular blocks, drawn
    from ``rng`` by the reference's loop (``rule``: ``"ibot"`` or ``"dinov2"``, see the module)."""
    mask = np.zeros((height, width), dtype=bool)
    log_aspect = (math.log(aspect[0]), math.log(aspect[1]))
    if rule == "ibot":
        low, cap = float((min(height, width) // 3) ** 2), math.inf
    else:
        low, cap = 4.0, 0.5 * height * width
    masked = 0
    while masked < count:
        budget = min(count - masked, cap)
        delta = 0
        for _ in range(10):
            target = low + (budget - low) * rng.random()  # random.uniform(low, budget)
            ratio = math.exp(log_aspect[0] + (log_aspect[1] - log_aspect[0]) * rng.random())
            h, w = round(math.sqrt(target * ratio)), round(math.sqrt(target / ratio))
            if w < width and h < height:
                top, left = int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1))
                block = mask[top : top + h, left : left + w]
                if 0 < h * w - int(block.sum()) <= budget:
                    delta = h * w - int(block.sum())
                    block[...] = True
            if delta > 0:
                break
        if delta == 0:
            break
        masked += delta
    return mask


def _rows(mask: np.ndarray) -> list[str]:
    return ["".join("1" if v else "0" for v in row) for row in mask.tolist()]


def mask_of(rows: Any, where: str = "PatchMask params['mask']") -> np.ndarray:
    """A record's mask (rows of ``"0"``/``"1"``) as a boolean array, or InvalidParams naming it."""
    if not isinstance(rows, list) or not all(isinstance(r, str) and set(r) <= {"0", "1"} for r in rows) \
            or len({len(r) for r in rows}) > 1:
        raise InvalidParams(f"{where} must be a list of equally long strings of '0' and '1' (one per row of "
                            f"patches), got {rows!r:.80}; use the params drawn for this view")
    width = len(rows[0]) if rows else 0
    return np.array([[c == "1" for c in r] for r in rows], dtype=bool).reshape(len(rows), width)


@register
class PatchMask(Augmenter[np.ndarray]):
    """Draw a block-wise patch mask for the view (iBOT's or DINOv2's rule); the image is unchanged.

    Place it last in a view's pipeline: the grid is the view's ``H // patch_size`` × ``W // patch_size``.

    Args:
        patch_size: the side of a patch in pixels (16 for ViT-/16, 14 for ViT-/14).
        ratio: range of the share of patches masked in a masked view.
        mask_p: probability that a view is masked at all (else its mask is all False).
        rule: ``"ibot"`` or ``"dinov2"`` (block sizes as each reference draws them; see the module).
        p: probability of drawing a mask (1.0: a masked view always holds one, all False or not).

    Record: ``{"applied": True, "ratio": float (0.0 when not masked), "mask": [rows of "0"/"1"]}``.

    Example:
        >>> PatchMask(patch_size=16, ratio=(0.1, 0.5), mask_p=0.5, rule="ibot")
    """

    name = "image.patch_mask"
    modality = "image"
    args = (
        Arg("patch_size", Integer(1, 4096), 16, "the side of a patch in pixels"),
        Arg("ratio", Range(0.0, 1.0), (0.1, 0.5), "range of the share of patches masked"),
        Arg("mask_p", Probability(), 0.5, "probability that a view is masked at all"),
        Arg("rule", Choice(("ibot", "dinov2")), "ibot", "whose block rule: 'ibot' or 'dinov2'"),
        Arg("p", Probability(), 1.0, "probability of drawing a mask"),
    )
    drawn = {"ratio": float, "mask": list}
    patch_size: int
    ratio: tuple[float, float]
    mask_p: float
    rule: str

    @staticmethod
    def field_reader() -> MaskField:
        """The reader of the ``"mask"`` field this op's records hold (``ViewGenerator(extra_fields=...)``)."""
        return MaskField()

    def grid(self, x: np.ndarray) -> tuple[int, int]:
        return x.shape[0] // self.patch_size, x.shape[1] // self.patch_size

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        h, w = self.grid(x)
        if rng.random() >= self.mask_p or h * w == 0:
            return {"ratio": 0.0, "mask": _rows(np.zeros((h, w), dtype=bool))}
        lo, hi = self.ratio
        ratio = lo + (hi - lo) * rng.random()
        count = ratio * h * w if self.rule == "ibot" else int(h * w * ratio)
        return {"ratio": float(ratio), "mask": _rows(block_mask(h, w, count, rng, self.rule))}

    def check_params(self, x: np.ndarray, params: Params) -> None:
        mask = mask_of(params["mask"])
        if mask.shape != self.grid(x):
            raise InvalidParams(f"PatchMask params['mask'] is {mask.shape[0]}×{mask.shape[1]} patches, but this "
                                f"view's grid is {self.grid(x)[0]}×{self.grid(x)[1]}; use the params drawn for it")

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return x

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        return batch


def _find(record: Any) -> Any:
    """The record of the last PatchMask in a (nested) pipeline record, or None."""
    if not isinstance(record, Mapping):
        return None
    found = None
    for step in record.get("ops") or ():
        if isinstance(step, Mapping):
            if step.get("op") == PatchMask.name and isinstance(step.get("params"), Mapping):
                found = step["params"]
            else:
                found = _find(step.get("params")) or found
    return found


class MaskField:
    """The ``"mask"`` field of a view: its PatchMask's mask, read from the view's record.

    Called with a view's record, it returns the boolean mask (None for a view without a PatchMask,
    such as a local crop). Generators made with ``extra_fields={"mask": MaskField()}`` give such
    views as ``{"image": view, "mask": mask}``.
    """

    #: The op whose record holds the field (how a spec names this reader, ``config.dump(expand=True)``).
    reads = "image.patch_mask"

    def __call__(self, record: Any) -> np.ndarray | None:
        params = _find(record)
        if params is None or not params.get("applied"):
            return None
        return mask_of(params.get("mask"))

    def __repr__(self) -> str:
        return "MaskField()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaskField)

    def __hash__(self) -> int:
        return hash(MaskField)


def masked_share(masks: Sequence[np.ndarray]) -> list[float]:
    """The share of patches masked in each mask (for tests and stats)."""
    return [float(m.mean()) if m.size else 0.0 for m in masks]


def shade(picture: np.ndarray, mask: Any) -> np.ndarray:
    """``picture`` (``H×W×3`` uint8) with the patches ``mask`` marks darkened and tinted, for previews."""
    grid = np.asarray(mask.cpu() if hasattr(mask, "cpu") else mask, dtype=bool)
    if grid.ndim != 2 or grid.size == 0 or not grid.any():
        return picture
    h, w = picture.shape[:2]
    rows = np.minimum(np.arange(h) * grid.shape[0] // h, grid.shape[0] - 1)
    cols = np.minimum(np.arange(w) * grid.shape[1] // w, grid.shape[1] - 1)
    covered = grid[rows[:, None], cols[None, :]]
    out = picture.copy()
    out[covered] = (out[covered] * 0.35 + np.array([0, 60, 120]) * 0.65).astype(np.uint8)
    return out
