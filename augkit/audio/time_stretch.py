"""Time stretch with a phase vocoder."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.audio._vocoder import stretch
from augkit.core import Params, check_range, uniform
from augkit.registry import register

__all__ = ["TimeStretch"]


@register
class TimeStretch(WaveOp):
    """Change the tempo without changing the pitch (phase vocoder, 512-point STFT, hop 128).

    A ``rate`` above 1 makes the clip faster and shorter (torchaudio's and librosa's convention):
    the result has ``round(time / rate)`` samples. ``keep_length=True`` crops or zero-pads the
    result back to the input length, which batch mode requires. Clips shorter than the FFT are
    zero-padded for the analysis; clips under 4 samples are stretched by repeating samples.

    Example:
        >>> TimeStretch(rate=(0.8, 1.25))
    """

    name = "audio.time_stretch"

    def __init__(self, rate: float | tuple[float, float] = (0.8, 1.25), keep_length: bool = False) -> None:
        self.rate = check_range(rate, "rate", low=0.1, high=10.0)
        self.keep_length = keep_length

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"rate": uniform(rng, self.rate)}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        out = stretch(clip, float(params["rate"]))
        if self.keep_length:
            n = clip.shape[-1]
            out = out[..., :n] if out.shape[-1] >= n else torch.nn.functional.pad(out, (0, n - out.shape[-1]))
        return out
