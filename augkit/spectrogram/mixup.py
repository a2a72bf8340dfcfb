"""BYOL-A's log-mixup-exp: a partner log-mel mixed in at a small drawn ratio, in linear power."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from augkit.core import Mixing, Params, uniform
from augkit.core.args import Arg, Number, Probability
from augkit.core.errors import InvalidInput
from augkit.core.registry import register
from augkit.spectrogram._form import EPS

__all__ = ["MixupLogExp", "log_mixup_exp"]


def log_mixup_exp(x: torch.Tensor, partner: torch.Tensor, ratio: torch.Tensor) -> torch.Tensor:
    """``log((1 - ratio) · exp(x) + ratio · exp(partner) + eps)``, element-wise (``ratio`` broadcasts)."""
    return torch.log((1.0 - ratio) * x.exp() + ratio * partner.exp() + EPS)


@register
class MixupLogExp(Mixing):
    """Mix another sample (the partner) into the log-mel in linear power, at a ratio drawn from ``[0, max_ratio]``.

    BYOL-A's ``MixupBYOLA`` with ``log_mixup_exp`` (``byol_a/augmentations.py``: ratio 0.4 and a
    FIFO memory bank of 2,048 past inputs; ``v2/byol_a2/augmentations.py``: ratio 0.2, 512):
    ``λ = max_ratio · U(0, 1)`` and ``log((1 - λ) · exp(x) + λ · exp(z) + eps)``. BYOL-A draws ``z``
    from the memory bank of recent inputs; here the partner is drawn uniformly from the
    generator's source and recorded by index (:mod:`augkit.core.mixing`), which approximates the
    bank with the whole dataset and keeps every view reproducible. The partner passes through the
    view's ops before this one (a crop to the same frames); one with other frames is cut or padded
    at the end with its own minimum.

    Args:
        max_ratio: the largest partner weight ``λ``, in [0, 1].
        p: probability of mixing.

    Record: ``{"applied": True, "partner": j, "stage": [...], "ratio": λ}``.

    Raises:
        InvalidArgument: for ``max_ratio`` outside [0, 1].
        InvalidInput: when the partner has other channels or mel bands.

    Example:
        >>> ViewGenerator(Compose([RandomCrop(96), MixupLogExp(0.4)]), source=clips, input=LogMel(), seed=0)
    """

    name = "spectrogram.mixup_log_exp"
    modality = "spectrogram"
    args = (Arg("max_ratio", Number(0.0, 1.0), 0.4, "largest partner weight"),
            Arg("p", Probability(), 1.0, "probability of mixing"))
    drawn = {**Mixing.drawn, "ratio": float}
    record_bounds = {**Mixing.record_bounds, "ratio": Number(0.0, 1.0)}
    max_ratio: float

    def draw_mix(self, x: Any, rng: np.random.Generator) -> Params:
        return {"ratio": uniform(rng, (0.0, self.max_ratio))}

    def _fit(self, partner: Any, x: torch.Tensor, j: Any) -> torch.Tensor:
        z = self._form().check(partner).to(x.device)
        if z.shape[:-1] != x.shape[:-1]:
            raise InvalidInput(f"MixupLogExp: partner {j} is [channels, mels] {list(z.shape[:-1])} and the log-mel "
                               f"{list(x.shape[:-1])}; make every sample with one LogMel step and channel count")
        t = x.shape[-1]
        if z.shape[-1] >= t:
            return z[..., :t]
        return torch.nn.functional.pad(z, (0, t - z.shape[-1]), value=float(z.min()))

    def mix(self, x: torch.Tensor, partner: torch.Tensor, params: Params) -> torch.Tensor:
        z = self._fit(partner, x, params["partner"])
        return log_mixup_exp(x[None], z[None], torch.tensor(float(params["ratio"])).reshape(1, 1, 1, 1))[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        provider = self._provider()
        partners = torch.stack([self._fit(provider.partner(self, int(r["partner"]), r["stage"]), batch[k],
                                          r["partner"]) for k, r in enumerate(records)])
        ratios = torch.tensor([float(r["ratio"]) for r in records], device=batch.device).reshape(-1, 1, 1, 1)
        return log_mixup_exp(batch, partners, ratios)
