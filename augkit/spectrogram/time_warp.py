"""SpecAugment's time warp: the frames left of a point stretched, those right of it squeezed (or back)."""

from __future__ import annotations

import numpy as np
import torch

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Probability
from augkit.core.errors import InvalidParams
from augkit.core.registry import register
from augkit.spectrogram._kernels import time_warp

__all__ = ["TimeWarp"]


@register
class TimeWarp(Augmenter[torch.Tensor]):
    """Move frame ``center`` to ``center + warp``, resampling both sides linearly: SpecAugment's time warp.

    SpecAugment (Park et al. 2019, section 2) picks a point on the time axis within ``(W, τ - W)``
    and warps it by a distance drawn uniformly from ``[-W, W]`` (``W`` = ``max_warp``), with
    TensorFlow's ``sparse_image_warp``. torchaudio has no time warp (pytorch/audio #3622). Here, as
    in ESPnet's ``time_warp`` (``espnet2/layers/time_warp.py``), the frames ``[0, center)`` are
    resampled onto ``[0, center + warp)`` and ``[center, τ)`` onto ``[center + warp, τ)`` by linear
    interpolation (``F.interpolate(mode="linear", align_corners=False)``'s mapping; ESPnet uses
    bicubic), the same for every mel channel. On short inputs the window shrinks to
    ``W' = min(W, ⌊(τ - 2) / 2⌋)``: ``center`` is drawn from ``{W' + 1, ..., τ - W' - 1}`` and ``warp`` from
    ``{-W', ..., W'}``, so both sides keep at least one frame. An input of fewer than 4 frames is
    left as it is (recorded as not applied).

    Args:
        max_warp: the largest warp ``W``, in frames.
        p: probability of warping.

    Record: ``{"applied": True, "center": frame, "warp": frames}``.

    Raises:
        InvalidArgument: for a negative ``max_warp``.
        InvalidParams: for a ``center``/``warp`` that leaves a side empty on this input or exceeds ``max_warp``.

    Example:
        >>> warped = TimeWarp(max_warp=40)(log_mel)
    """

    name = "spectrogram.time_warp"
    modality = "spectrogram"
    args = (Arg("max_warp", Integer(0, 1 << 20), 80, "largest warp W, in frames"),
            Arg("p", Probability(), 1.0, "probability of warping"))
    drawn = {"center": int, "warp": int}
    record_bounds = {"center": Integer(1, None), "warp": Integer(-(1 << 20), 1 << 20)}
    max_warp: int

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params | None:
        frames = x.shape[-1]
        window = min(self.max_warp, (frames - 2) // 2)
        if window < 1:
            return None
        center = int(rng.integers(window + 1, frames - window))
        return {"center": center, "warp": int(rng.integers(-window, window + 1))}

    def check_params(self, x: torch.Tensor, params: Params) -> None:
        frames, center, warp = x.shape[-1], params["center"], params["warp"]
        if abs(warp) > self.max_warp or not 1 <= center < frames or not 1 <= center + warp < frames:
            raise InvalidParams(f"TimeWarp params center={center!r}, warp={warp!r} must keep 1 <= center and "
                                f"center + warp < {frames} frames with |warp| <= {self.max_warp}; pass the record "
                                "sample() drew for this input")

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        return time_warp(batch, [(int(r["center"]), int(r["warp"])) for r in records])
