"""Time stretch with a phase vocoder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.audio._vocoder import stretch, stretch_batch
from augkit.core import Params, check_range, uniform
from augkit.registry import register

__all__ = ["TimeStretch"]


@register
class TimeStretch(WaveOp):
    """Change the tempo without changing the pitch (phase vocoder with identity phase locking,
    1024-point STFT, hop 256).

    A ``rate`` above 1 makes the clip faster and shorter (torchaudio's and librosa's convention):
    the result has ``round(time / rate)`` samples (at least 1). ``keep_length=True`` crops or
    zero-pads the result back to the input length, which batch mode needs: a batch whose examples
    would come out with different lengths raises ``ValueError`` instead of a ragged batch.

    Short clips: a clip shorter than the FFT (1024 samples) is zero-padded for the analysis and cut
    back to ``round(time / rate)``; a clip of 1 to 3 samples is stretched by repeating (or
    dropping) samples, since it has no spectrum to speak of.

    Args:
        rate: speed factor, or a ``(min, max)`` range to draw it from, within [0.1, 10].
        keep_length: crop or zero-pad the result to the input length.

    Raises:
        ValueError: for a rate outside [0.1, 10] or a non-bool ``keep_length``.

    Example:
        >>> TimeStretch(rate=1.25)(torch.randn(1, 16000)).shape
        torch.Size([1, 12800])
    """

    name = "audio.time_stretch"

    def __init__(self, rate: float | tuple[float, float] = (0.8, 1.25), keep_length: bool = False) -> None:
        self.rate = check_range(rate, "rate", low=0.1, high=10.0)
        if not isinstance(keep_length, bool):
            raise ValueError(f"keep_length={keep_length!r} must be True or False")
        self.keep_length = keep_length

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"rate": uniform(rng, self.rate)}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        out = stretch(clip, float(params["rate"]))
        if self.keep_length:
            n = clip.shape[-1]
            out = out[..., :n] if out.shape[-1] >= n else torch.nn.functional.pad(out, (0, n - out.shape[-1]))
        return out

    def _apply_batch(self, wav: torch.Tensor, params: Sequence[Params]) -> torch.Tensor:
        # On a GPU, one STFT, vocoder and ISTFT for the whole batch (each example at its own rate)
        # saves a kernel launch per op and example. On the CPU the per-example loop is faster: one
        # clip's spectra stay in cache (measured, 16 x 1 s: 18 ms looped, 39 ms in one pass).
        if not self.keep_length or wav.device.type == "cpu":
            return super()._apply_batch(wav, params)  # without keep_length: equal lengths or a clear error
        return stretch_batch(wav, [float(p["rate"]) for p in params])
