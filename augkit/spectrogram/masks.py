"""SpecAugment's frequency and time masks: bands of mel channels or frames set to the mean (or zero)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Choice, Integer, Number, Probability
from augkit.core.errors import InvalidParams
from augkit.core.registry import register
from augkit.spectrogram._kernels import bands

__all__ = ["FrequencyMask", "TimeMask"]


class _Bands(Augmenter[torch.Tensor]):
    """``count`` bands along one axis; the record lists each band as ``[start, width]``."""

    modality = "spectrogram"
    drawn = {"masks": list}
    axis = 2
    max_width: int
    count: int
    fill: str

    def limit(self, size: int) -> int:
        """The widest band on an axis of ``size`` cells."""
        return min(self.max_width, size)

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        size = x.shape[self.axis - 1]
        widest = self.limit(size)
        masks = []
        for _ in range(self.count):
            width = int(rng.integers(0, widest + 1))
            masks.append([int(rng.integers(0, size - width + 1)), width])
        return {"masks": masks}

    def check_params(self, x: torch.Tensor, params: Params) -> None:
        size = x.shape[self.axis - 1]
        for n, band in enumerate(params["masks"]):
            ok = isinstance(band, list) and len(band) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) for v in band)
            if not ok or band[0] < 0 or not 0 <= band[1] <= self.limit(size) or band[0] + band[1] > size:
                raise InvalidParams(f"{type(self).__name__} params['masks'][{n}]={band!r:.40} must be [start, width] "
                                    f"ints with width <= {self.limit(size)} inside the {size} cells of this input; "
                                    "pass the record sample() drew for it")

    def _fill(self, items: Any) -> torch.Tensor:
        if self.fill == "zero":
            return torch.zeros(len(items))
        # one reduction per example, as alone, in float64: the float32 mean does not hang on the summing order
        return torch.stack([item.double().mean() for item in items]).float()

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        spans = [[(int(s), int(w)) for s, w in r["masks"]] for r in records]
        return bands(batch, spans, self.axis, self._fill(batch))


_FILL = Arg("fill", Choice(("mean", "zero")), "mean", "what a band holds: the input's mean, or 0")


@register
class FrequencyMask(_Bands):
    """Set ``count`` bands of mel channels to the spectrogram's mean: SpecAugment's frequency masking.

    Each band's width ``f`` is drawn uniformly from ``{0, ..., max_width}`` (capped at the number of
    bands ``ν``) and its first channel ``f0`` uniformly from ``{0, ..., ν - f}``: Park et al. 2019,
    "SpecAugment", section 2 (``F`` = ``max_width``, ``m_F`` = ``count``). Bands may overlap. The
    paper sets masked cells to zero on normalised log-mels, which is their mean; ``fill="mean"``
    (the default) writes the input's mean so that unnormalised log-mels behave the same, and
    ``fill="zero"`` writes 0 (torchaudio's ``FrequencyMasking`` ``mask_value``). Per example,
    like torchaudio's ``iid_masks=True``.

    Args:
        max_width: the widest band ``F``, in mel channels.
        count: the number of bands ``m_F``.
        fill: "mean" or "zero".
        p: probability of masking.

    Record: ``{"applied": True, "masks": [[start, width], ...]}``.

    Raises:
        InvalidArgument: for a negative width or count, or an unknown fill.
        InvalidParams: for a band that is not ``[start, width]`` within the input and ``max_width``.

    Example:
        >>> masked = FrequencyMask(max_width=27, count=2)(log_mel)
    """

    name = "spectrogram.frequency_mask"
    args = (Arg("max_width", Integer(0, 4096), 27, "widest band F, in mel channels"),
            Arg("count", Integer(0, 64), 1, "number of bands m_F"), _FILL,
            Arg("p", Probability(), 1.0, "probability of masking"))
    axis = 2


@register
class TimeMask(_Bands):
    """Set ``count`` bands of frames to the spectrogram's mean: SpecAugment's time masking.

    Each band's width ``t`` is drawn uniformly from ``{0, ..., min(max_width, ⌊max_time_fraction · τ⌋)}``
    for ``τ`` frames and its first frame uniformly from ``{0, ..., τ - t}``: Park et al. 2019, section
    2 (``T`` = ``max_width``, ``m_T`` = ``count``, and the upper bound ``p`` on the masked fraction,
    here ``max_time_fraction`` since ``p`` is augkit's probability of applying the op). The cap is
    applied before the draw, as torchaudio's ``TimeMasking(p=...)`` does (``mask_along_axis_iid``).
    Fill as :class:`FrequencyMask`.

    Args:
        max_width: the widest band ``T``, in frames.
        count: the number of bands ``m_T``.
        max_time_fraction: the largest fraction of the frames one band covers, in [0, 1].
        fill: "mean" or "zero".
        p: probability of masking.

    Record: ``{"applied": True, "masks": [[start, width], ...]}``.

    Raises:
        InvalidArgument: for a negative width or count, a fraction outside [0, 1], or an unknown fill.
        InvalidParams: for a band that is not ``[start, width]`` within the input and the caps.

    Example:
        >>> masked = TimeMask(max_width=100, count=2, max_time_fraction=1.0)(log_mel)
    """

    name = "spectrogram.time_mask"
    args = (Arg("max_width", Integer(0, 1 << 20), 100, "widest band T, in frames"),
            Arg("count", Integer(0, 64), 1, "number of bands m_T"),
            Arg("max_time_fraction", Number(0.0, 1.0), 1.0, "largest fraction of the frames one band covers"),
            _FILL, Arg("p", Probability(), 1.0, "probability of masking"))
    axis = 3
    max_time_fraction: float

    def limit(self, size: int) -> int:
        return min(self.max_width, int(np.floor(self.max_time_fraction * size)), size)
