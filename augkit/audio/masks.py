"""Time mask on the waveform: a stretch of the clip replaced by silence or faint noise."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio._records import bounded
from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Choice, Integer, Probability, Range
from augkit.core.registry import register

__all__ = ["TimeMask"]

#: The standard deviation of the noise fill: CLAR's ``time_masking`` (``utils.py``) writes N(0, 0.01).
NOISE_STD = 0.01
_SEEDS = (0, 2**64 - 1)


@register
class TimeMask(Augmenter[torch.Tensor]):
    """Replace a stretch of the clip (all channels) by silence or by faint Gaussian noise.

    The stretch is ``round(fraction * time)`` samples long (``fraction`` drawn uniformly) and
    starts anywhere it fits. ``fill="noise"`` writes N(0, 0.01²) noise, as CLAR's time masking
    (Al-Tahan & Mohsenzadeh 2021, ``utils.py``; it masks an eighth of the clip); ``"silence"``
    writes zeros, as audiomentations' ``TimeMask`` (which adds 5 ms fades at the edges; this mask
    has sharp edges, like CLAR's). The noise comes from a ``seed`` in the record, on the clip's
    device (replay holds per device type, as :class:`~augkit.audio.AddNoise`).

    Args:
        fraction: the masked length as a fraction of the clip, a ``(min, max)`` range or a fixed
            value in [0, 1].
        fill: "silence" or "noise".
        p: probability of masking.

    Record: ``{"applied": True, "start": samples, "length": samples, "seed": int}`` (the seed
    is read only with ``fill="noise"``; a record replayed on a shorter clip masks what is left).

    Raises:
        InvalidArgument: for a fraction outside [0, 1] or an unknown fill.
        InvalidParams: for negative positions or a seed out of range.

    Example:
        >>> masked = TimeMask(fraction=0.125, fill="noise")(waveform)
    """

    name = "audio.time_mask"
    modality = "audio"
    args = (
        Arg("fraction", Range(0, 1), (0.01, 0.2), "masked length as a fraction of the clip"),
        Arg("fill", Choice(("silence", "noise")), "silence", "what the masked stretch holds"),
        Arg("p", Probability(), 1.0, "probability of masking"),
    )
    drawn = {"start": int, "length": int, "seed": int}
    record_bounds = {"start": Integer(0, None), "length": Integer(0, None), "seed": Integer(*_SEEDS)}
    fraction: tuple[float, float]
    fill: str

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        n = x.shape[-1]
        length = min(n, round(uniform(rng, self.fraction) * n))
        return {"start": int(rng.integers(n - length + 1)), "length": length, "seed": int(rng.integers(2**63))}

    def _span(self, params: Params, n: int) -> tuple[int, int]:
        start = min(int(params["start"]), n)
        return start, min(int(params["length"]), n - start)

    def _noise(self, like: torch.Tensor, params: Params, length: int) -> torch.Tensor:
        seed = bounded(params, "seed", *_SEEDS, self, kind=int)
        generator = torch.Generator(device=like.device).manual_seed(seed)
        noise = torch.randn((like.shape[0], length), generator=generator, device=like.device)
        return noise * NOISE_STD

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        start, length = self._span(params, x.shape[-1])
        out = x.clone()
        out[:, start : start + length] = self._noise(x, params, length) if self.fill == "noise" else 0.0
        return out

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        n = batch.shape[-1]
        spans = [self._span(r, n) for r in records]
        i = torch.arange(n, device=batch.device)[None, :]
        starts = torch.tensor([s for s, _ in spans], device=batch.device)[:, None]
        ends = starts + torch.tensor([length for _, length in spans], device=batch.device)[:, None]
        masked = ((i >= starts) & (i < ends))[:, None, :]
        out = batch.masked_fill(masked, 0.0)
        if self.fill == "noise":  # each example's noise from its own seed, as the clip alone gets it
            for k, (r, (start, length)) in enumerate(zip(records, spans, strict=True)):
                out[k, :, start : start + length] = self._noise(batch[k], r, length)
        return out
