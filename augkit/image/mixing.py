"""Image ops that mix two samples: MixUp and CutMix, with partners drawn from the stream and recorded
by index (:mod:`augkit.core.mixing`), so a mixed view replays and does not depend on the batch.

torchvision v2 (``transforms/v2/_augment.py``) and kornia mix within a batch and record nothing: the
partner is the neighbour in the batch, so another batch size or worker count gives another view.
Here the partner ``j`` is drawn from sample ``i``'s own stream and passed through the view's
pipeline up to the mixing op with its own streams, so it has the view's size. Labels: ``lam`` in
the record is the weight of the sample itself (of its area, for CutMix), for a soft label
``lam · y_i + (1 − lam) · y_j``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from augkit.core import Mixing, Params
from augkit.core.args import Arg, Integer, Number, Probability
from augkit.core.errors import InvalidInput, InvalidParams
from augkit.core.registry import register

__all__ = ["CutMix", "MixUp"]

_ALPHA = Number(0.0, 1000.0, low_open=True)


def _same_shape(op: Any, x: np.ndarray, partner: np.ndarray, j: int) -> None:
    if partner.shape != x.shape:
        raise InvalidInput(f"{type(op).__name__}: partner {j} is {partner.shape} at this point of the pipeline and "
                           f"the sample {x.shape}; put a crop or resize to one size before it (a preset's "
                           "RandomResizedCrop), or read the images as RGB")


@register
class MixUp(Mixing):
    """Blend the image with a partner: ``lam · x + (1 − lam) · partner``, ``lam`` ~ Beta(alpha, alpha).

    mixup (Zhang et al. 2018, ``facebookresearch/mixup-cifar10``'s ``mixup_data``: ``lam =
    np.random.beta(alpha, alpha)``; torchvision v2 ``MixUp`` draws the same Beta). The blend is
    OpenCV's ``addWeighted`` on uint8, rounded and saturated.

    Args:
        alpha: the Beta distribution's parameter (both shapes); 1 is uniform, small values keep
            one image mostly (0.2 is common on ImageNet).
        p: probability of mixing.

    Record: ``{"applied": True, "partner": j, "stage": [...], "lam": float}``.

    Raises:
        InvalidArgument: for ``alpha`` outside (0, 1000].
        InvalidInput: when the partner reaches the op at another size than the sample.

    Example:
        >>> ViewGenerator(Compose([RandomResizedCrop(224), MixUp(alpha=0.4)]), source=photos, seed=0)
    """

    name = "image.mixup"
    modality = "image"
    args = (Arg("alpha", _ALPHA, 1.0, "the Beta distribution's parameter"),
            Arg("p", Probability(), 1.0, "probability of mixing"))
    drawn = {**Mixing.drawn, "lam": float}
    record_bounds = {**Mixing.record_bounds, "lam": Number(0.0, 1.0)}
    alpha: float

    def draw_mix(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        return {"lam": float(rng.beta(self.alpha, self.alpha))}

    def mix(self, x: np.ndarray, partner: np.ndarray, params: Params) -> np.ndarray:
        import cv2

        _same_shape(self, x, partner, params["partner"])
        lam = float(params["lam"])
        return cv2.addWeighted(x, lam, partner, 1.0 - lam, 0.0)


@register
class CutMix(Mixing):
    """Paste a box of a partner into the image; the box's area is about ``1 − lam``, ``lam`` ~ Beta(alpha, alpha).

    CutMix (Yun et al. 2019), with torchvision v2's box rule (``transforms/v2/_augment.py``,
    ``CutMix``): a centre drawn uniformly over the pixels, half-sides ``int(0.5 · sqrt(1 − lam) ·
    side)``, clipped to the image; the recorded ``lam`` is then the share of the image that stayed
    (``1 − box area / image area``), the weight of the sample's own label.

    Args:
        alpha: the Beta distribution's parameter (both shapes).
        p: probability of mixing.

    Record: ``{"applied": True, "partner": j, "stage": [...], "lam": float, "top": int, "left": int,
    "height": int, "width": int}`` (the box).

    Raises:
        InvalidArgument: for ``alpha`` outside (0, 1000].
        InvalidInput: when the partner reaches the op at another size than the sample.
        InvalidParams: for a recorded box outside the image.

    Example:
        >>> ViewGenerator(Compose([RandomResizedCrop(224), CutMix(alpha=1.0)]), source=photos, seed=0)
    """

    name = "image.cutmix"
    modality = "image"
    args = (Arg("alpha", _ALPHA, 1.0, "the Beta distribution's parameter"),
            Arg("p", Probability(), 1.0, "probability of mixing"))
    drawn = {**Mixing.drawn, "lam": float, "top": int, "left": int, "height": int, "width": int}
    record_bounds = {**Mixing.record_bounds, "lam": Number(0.0, 1.0), "top": Integer(0, None),
                     "left": Integer(0, None), "height": Integer(0, None), "width": Integer(0, None)}
    alpha: float

    def draw_mix(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        lam = float(rng.beta(self.alpha, self.alpha))
        height, width = x.shape[:2]
        cy, cx = int(rng.integers(height)), int(rng.integers(width))
        r = 0.5 * math.sqrt(1.0 - lam)
        half_h, half_w = int(r * height), int(r * width)
        top, left = max(cy - half_h, 0), max(cx - half_w, 0)
        bottom, right = min(cy + half_h, height), min(cx + half_w, width)
        box_h, box_w = bottom - top, right - left
        return {"lam": 1.0 - box_h * box_w / (height * width), "top": top, "left": left,
                "height": box_h, "width": box_w}

    def mix(self, x: np.ndarray, partner: np.ndarray, params: Params) -> np.ndarray:
        _same_shape(self, x, partner, params["partner"])
        top, left, h, w = (int(params[k]) for k in ("top", "left", "height", "width"))
        if top + h > x.shape[0] or left + w > x.shape[1]:
            raise InvalidParams(f"CutMix params box top={top}, left={left}, height={h}, width={w} lies outside an "
                                f"image of {x.shape[0]}×{x.shape[1]}; use the params drawn for this image")
        out = x.copy()
        out[top : top + h, left : left + w] = partner[top : top + h, left : left + w]
        return out
