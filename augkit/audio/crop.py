"""Random crop: two random segments of one clip are the classic audio positive pair (COLA)."""

from __future__ import annotations

import math

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.audio._waveform import check_sample_rate
from augkit.core import Params
from augkit.registry import register

__all__ = ["RandomCrop"]


@register
class RandomCrop(WaveOp):
    """Cut a random segment of ``seconds`` from the clip (COLA, Saeed et al. 2021).

    The segment has ``max(1, round(seconds * sample_rate))`` samples and starts at an offset drawn
    uniformly from every position where it fits. A clip shorter than the segment is not an error:
    it is kept whole and padded with silence at the end (offset 0), so every view has the same
    length and batches are never ragged.

    Args:
        seconds: the segment length in seconds (> 0).
        sample_rate: of the input, in Hz.

    Params: ``{"offset": samples}``.

    Raises:
        ValueError: for ``seconds`` ≤ 0 or not a number, or a sample rate ≤ 0.

    Example:
        >>> crop = RandomCrop(seconds=1.0, sample_rate=16000); a, b = crop(wav), crop(wav)
    """

    name = "audio.random_crop"

    def __init__(self, seconds: float, sample_rate: int) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) \
                or not seconds > 0:
            raise ValueError(f"seconds={seconds!r} must be a positive finite number of seconds")
        self.sample_rate = check_sample_rate(sample_rate)
        self.seconds = float(seconds)
        self.length = max(1, round(self.seconds * self.sample_rate))

    @classmethod
    def example(cls) -> RandomCrop:
        """Half-second segments of 16 kHz audio."""
        return cls(seconds=0.5, sample_rate=16000)

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        room = clip.shape[-1] - self.length
        return {"offset": int(rng.integers(room + 1)) if room > 0 else 0}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        offset = int(params["offset"])
        if not 0 <= offset < max(1, clip.shape[-1]):
            raise ValueError(f"RandomCrop params offset={offset} lies outside a clip of {clip.shape[-1]} samples")
        segment = clip[..., offset : offset + self.length]
        if segment.shape[-1] < self.length:
            segment = torch.nn.functional.pad(segment, (0, self.length - segment.shape[-1]))
        return segment
