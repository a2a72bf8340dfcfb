"""Noise at a signal-to-noise ratio: synthetic coloured noise, or real background recordings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.audio._base import WaveOp
from augkit.audio._waveform import as_waveform, check_sample_rate
from augkit.core import Params, check_range, uniform
from augkit.registry import register

__all__ = ["AddBackgroundNoise", "AddNoise", "colored_noise", "mix_at_snr"]

_COLORS = {"white": 0.0, "pink": 1.0, "brown": 2.0}


def colored_noise(shape: tuple[int, ...], color: str, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Gaussian noise whose power spectrum falls as ``1/f^k`` (white k=0, pink 1, brown 2)."""
    white = torch.randn(shape, generator=generator, device=device)
    exponent = _COLORS[color]
    if exponent == 0.0 or shape[-1] < 2:
        return white
    spectrum = torch.fft.rfft(white, dim=-1)
    freqs = torch.arange(spectrum.shape[-1], device=device, dtype=torch.float32)
    freqs[0] = 1.0  # keep the DC bin's scale finite; it is removed below
    spectrum = spectrum / freqs.pow(exponent / 2)
    spectrum[..., 0] = 0
    return torch.fft.irfft(spectrum, n=shape[-1], dim=-1)


def mix_at_snr(clip: torch.Tensor, noise: torch.Tensor, snr_db: float) -> torch.Tensor:
    """``clip + a·noise`` with ``a`` set so that 10·log10(P_clip / P_(a·noise)) = snr_db.

    Powers are means of squares over all channels. A silent clip (or silent noise) is returned
    unchanged: the SNR is undefined there.
    """
    p_signal = clip.pow(2).mean()
    p_noise = noise.pow(2).mean()
    if p_signal == 0 or p_noise == 0:
        return clip
    scale = torch.sqrt(p_signal / (p_noise * 10.0 ** (snr_db / 10.0)))
    return clip + scale * noise


@register
class AddNoise(WaveOp):
    """Add white, pink or brown Gaussian noise at an SNR drawn uniformly from ``snr_db``.

    The noise comes from an integer seed kept in params (a ``torch.Generator`` on the clip's
    device), so views replay bit for bit on the same device type (CPU and CUDA streams differ).

    Example:
        >>> AddNoise(snr_db=(5, 20), color="pink")
    """

    name = "audio.add_noise"

    def __init__(self, snr_db: float | tuple[float, float] = (5.0, 20.0), color: str = "white") -> None:
        self.snr_db = check_range(snr_db, "snr_db", low=-60, high=120)
        if color not in _COLORS:
            raise ValueError(f"color={color!r} must be one of {sorted(_COLORS)}")
        self.color = color

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"snr_db": uniform(rng, self.snr_db), "seed": int(rng.integers(2**63))}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        generator = torch.Generator(device=clip.device).manual_seed(int(params["seed"]))
        noise = colored_noise(tuple(clip.shape), self.color, generator, clip.device)
        return mix_at_snr(clip, noise, params["snr_db"])


@register
class AddBackgroundNoise(WaveOp):
    """Mix in a real noise recording at an SNR drawn from ``snr_db``.

    A recording shorter than the clip is looped; a longer one is cut at a random offset. Mono
    recordings are added to every channel.

    Args:
        sources: audio file paths and/or waveform tensors ``[time]`` / ``[channels, time]``
            already at ``sample_rate``.
        snr_db: the SNR range in dB.
        sample_rate: of the clips; files at another rate are resampled once, when first used.

    Params: ``{"source": index, "offset": samples, "snr_db": value}``.

    Example:
        >>> AddBackgroundNoise(["cafe.wav", "street.flac"], snr_db=(3, 15), sample_rate=16000)
    """

    name = "audio.add_background_noise"

    def __init__(
        self,
        sources: Sequence[str | Path | torch.Tensor | np.ndarray],
        snr_db: float | tuple[float, float] = (3.0, 30.0),
        sample_rate: int = 16000,
    ) -> None:
        if isinstance(sources, (str, Path)) or not isinstance(sources, Sequence) or len(sources) == 0:
            raise ValueError("sources must be a non-empty list of audio paths or waveforms")
        self.sample_rate = check_sample_rate(sample_rate)
        self.snr_db = check_range(snr_db, "snr_db", low=-60, high=120)
        self.sources: list[Any] = []
        for i, src in enumerate(sources):
            if isinstance(src, (str, Path)):
                if not Path(src).is_file():
                    raise FileNotFoundError(f"background noise source {src} does not exist")
                self.sources.append(str(src))
            else:
                wav, layout = as_waveform(src, name=f"sources[{i}]")
                if layout.batched:
                    raise ValueError(f"sources[{i}] must be one recording, got shape {tuple(wav.shape)}")
                self.sources.append(wav[0])
        self._loaded: dict[int, torch.Tensor] = {}

    @classmethod
    def example(cls) -> AddBackgroundNoise:
        hum = torch.sin(torch.arange(8000) * (2 * torch.pi * 50 / 16000)) * 0.1
        return cls([hum], snr_db=(5, 15), sample_rate=16000)

    def _source(self, i: int) -> torch.Tensor:
        if i not in self._loaded:
            src = self.sources[i]
            if isinstance(src, str):
                from augkit.audio.io import load

                src = load(src, sample_rate=self.sample_rate)[0]
            self._loaded[i] = src
        return self._loaded[i]

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        i = int(rng.integers(len(self.sources)))
        length = self._source(i).shape[-1]
        return {"source": i, "offset": int(rng.integers(length)), "snr_db": uniform(rng, self.snr_db)}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        noise = self._source(int(params["source"])).to(clip.device)
        n = clip.shape[-1]
        reps = -(-(params["offset"] + n) // noise.shape[-1])
        looped = noise.repeat(1, reps) if reps > 1 else noise
        segment = looped[..., params["offset"] : params["offset"] + n]
        if segment.shape[0] == 1 and clip.shape[0] > 1:
            segment = segment.expand(clip.shape[0], -1)
        elif segment.shape[0] != clip.shape[0]:
            segment = segment.mean(dim=0, keepdim=True).expand(clip.shape[0], -1)
        return mix_at_snr(clip, segment, params["snr_db"])

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_loaded"] = {}
        return state
