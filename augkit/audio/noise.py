"""Noise at a signal-to-noise ratio: synthetic coloured noise, or real background recordings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
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


@lru_cache(maxsize=32)
def _spectral_shape(n: int, exponent: float, device: torch.device) -> torch.Tensor:
    """Amplitude filter ``f^(-k/2)`` over the ``n // 2 + 1`` rfft bins, with the DC bin removed."""
    freqs = torch.arange(n // 2 + 1, device=device, dtype=torch.float32)
    freqs[0] = 1.0  # keep the DC bin finite; it is zeroed below (noise has no offset)
    shape = freqs.pow(-exponent / 2.0)
    shape[0] = 0.0
    return shape


def colored_noise(shape: tuple[int, ...], color: str, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Gaussian noise whose power spectrum falls as ``1/f^k`` (white k=0, pink 1, brown 2).

    Args:
        shape: the output shape; the spectrum is shaped along the last axis.
        color: "white", "pink" or "brown".
        generator: the only source of randomness (on ``device``).
        device: where the noise is made.

    Returns:
        A float32 tensor of ``shape``. Pink and brown noise have zero mean; their scale is
        arbitrary (:func:`mix_at_snr` sets it). A series shorter than 2 samples is white.

    Raises:
        ValueError: for an unknown color.

    Example:
        >>> colored_noise((1, 16000), "pink", torch.Generator().manual_seed(0), torch.device("cpu"))
    """
    if color not in _COLORS:
        raise ValueError(f"color={color!r} must be one of {sorted(_COLORS)}")
    white = torch.randn(shape, generator=generator, device=device)
    return _color(white, _COLORS[color])


def _color(white: torch.Tensor, exponent: float) -> torch.Tensor:
    n = white.shape[-1]
    if exponent == 0.0 or n < 2:
        return white
    spectrum = torch.fft.rfft(white, dim=-1)
    spectrum *= _spectral_shape(n, exponent, white.device)
    return torch.fft.irfft(spectrum, n=n, dim=-1)


def mix_at_snr(clip: torch.Tensor, noise: torch.Tensor, snr_db: float) -> torch.Tensor:
    """``clip + a·noise`` with ``a`` set so that ``10·log10(P_clip / P_(a·noise)) = snr_db``.

    Powers are means of squares over all channels, so a stereo clip keeps its channel balance and
    the SNR holds for the clip as a whole. A silent clip (or silent noise) is returned unchanged:
    the SNR is undefined there.

    Example:
        >>> noisy = mix_at_snr(clip, torch.randn_like(clip), snr_db=10.0)
    """
    flat_clip, flat_noise = clip.reshape(-1), noise.reshape(-1)
    # Sums of squares of equal-sized tensors: their ratio is the power ratio. Python floats keep
    # the scalar maths off the tensor dispatcher (a handful of microseconds per clip).
    p_signal = float(torch.dot(flat_clip, flat_clip))
    p_noise = float(torch.dot(flat_noise, flat_noise))
    if p_signal == 0 or p_noise == 0:
        return clip
    return torch.add(clip, noise, alpha=math.sqrt(p_signal / (p_noise * 10.0 ** (snr_db / 10.0))))


@register
class AddNoise(WaveOp):
    """Add white, pink or brown Gaussian noise at an SNR drawn uniformly from ``snr_db``.

    The SNR is measured over the whole clip (all channels, each with its own noise); a silent
    clip comes back unchanged, and a 1-sample clip gets white noise whatever ``color`` says (one
    sample has no spectrum to shape).
    The noise comes from an integer ``seed`` kept in params, turned into a ``torch.Generator`` on
    the clip's device, so a view replays bit for bit on the same device type (CPU and CUDA random
    streams differ: a view made on a GPU replays on a GPU).

    Args:
        snr_db: signal-to-noise ratio in dB, a ``(min, max)`` range or a fixed value, in [-60, 120].
        color: "white" (flat spectrum), "pink" (1/f) or "brown" (1/f²).

    Params: ``{"snr_db": float, "seed": int}``.

    Raises:
        ValueError: for an SNR outside [-60, 120] or an unknown color.

    Example:
        >>> noisy = AddNoise(snr_db=(5, 20), color="pink")(waveform)
    """

    name = "audio.add_noise"

    def __init__(self, snr_db: float | tuple[float, float] = (5.0, 20.0), color: str = "white") -> None:
        self.snr_db = check_range(snr_db, "snr_db", low=-60, high=120)
        if color not in _COLORS:
            raise ValueError(f"color={color!r} must be one of {sorted(_COLORS)}")
        self.color = color

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"snr_db": uniform(rng, self.snr_db), "seed": int(rng.integers(2**63))}

    def _white(self, like: torch.Tensor, seed: int, out: torch.Tensor | None = None) -> torch.Tensor:
        generator = torch.Generator(device=like.device).manual_seed(seed)
        if out is not None:
            return torch.randn(like.shape, generator=generator, device=like.device, out=out)
        return torch.randn(like.shape, generator=generator, device=like.device)

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        noise = _color(self._white(clip, int(params["seed"])), _COLORS[self.color])
        return mix_at_snr(clip, noise, float(params["snr_db"]))

    def _apply_batch(self, wav: torch.Tensor, params: Sequence[Params]) -> torch.Tensor:
        # Each example's noise comes from its own seed (so it equals the single-clip view); the
        # colouring and the mixing then run on the whole batch at once.
        white = torch.empty_like(wav)
        for i, p in enumerate(params):
            self._white(wav[i], int(p["seed"]), out=white[i])
        noise = _color(white, _COLORS[self.color])
        # squared norms without a batch-sized temporary
        p_signal = torch.linalg.vector_norm(wav.reshape(wav.shape[0], -1), dim=1).square()
        p_noise = torch.linalg.vector_norm(noise.reshape(noise.shape[0], -1), dim=1).square()
        snr = torch.tensor([float(p["snr_db"]) for p in params], device=wav.device, dtype=torch.float32)
        scale = torch.sqrt(p_signal / (p_noise * 10.0 ** (snr / 10.0)))
        scale = torch.where((p_signal > 0) & (p_noise > 0), scale, torch.zeros_like(scale))
        return torch.addcmul(wav, noise, scale[:, None, None])


@register
class AddBackgroundNoise(WaveOp):
    """Mix in a real noise recording (a café, a street, a fan) at an SNR drawn from ``snr_db``.

    Each view picks one of ``sources`` and a random start offset in it. A recording shorter than
    the clip is looped from that offset; a longer one is cut there (wrapping round its end). A
    mono recording is added to every channel of the clip; a recording whose channel count differs
    from the clip's otherwise is first averaged to mono. The SNR is measured over the whole clip;
    a silent clip, or a silent stretch of recording, leaves the clip unchanged.

    Args:
        sources: audio file paths (anything :func:`augkit.audio.load` reads) and/or waveforms
            ``[time]`` / ``[channels, time]`` (tensors or numpy arrays) already at ``sample_rate``.
        snr_db: signal-to-noise ratio in dB, a ``(min, max)`` range or a fixed value, in [-60, 120].
        sample_rate: of the clips, in Hz; a file at another rate is resampled when first used
            (once per process, then kept in memory).

    Params: ``{"source": index, "offset": samples, "snr_db": float}``.

    Raises:
        ValueError: for an empty ``sources``, an unreadable file, an empty / NaN / inf waveform,
            a bad ``snr_db`` or ``sample_rate``.
        FileNotFoundError: for a path that does not exist.

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
        if isinstance(sources, (str, Path, torch.Tensor, np.ndarray)) or not isinstance(sources, Sequence) \
                or len(sources) == 0:
            raise ValueError("sources must be a non-empty list of audio file paths and/or waveforms, "
                             f"got {type(sources).__name__}")
        self.sample_rate = check_sample_rate(sample_rate)
        self.snr_db = check_range(snr_db, "snr_db", low=-60, high=120)
        self.sources: list[str | torch.Tensor] = []
        for i, src in enumerate(sources):
            if isinstance(src, (str, Path)):
                self.sources.append(_check_audio_file(Path(src)))
            else:
                wav, layout = as_waveform(src, name=f"sources[{i}]")
                if layout.batched:
                    raise ValueError(f"sources[{i}] must be one recording [time] or [channels, time], "
                                     f"got shape {tuple(wav.shape)}")
                self.sources.append(wav[0].detach().clone())
        self._loaded: dict[int, torch.Tensor] = {}

    @classmethod
    def example(cls) -> AddBackgroundNoise:
        """A 50 Hz mains hum of 0.5 s as the only recording, mixed at 5-15 dB."""
        hum = torch.sin(torch.arange(8000) * (2 * torch.pi * 50 / 16000)) * 0.1
        return cls([hum], snr_db=(5, 15), sample_rate=16000)

    def _source(self, i: int) -> torch.Tensor:
        if not 0 <= i < len(self.sources):
            raise ValueError(f"AddBackgroundNoise params source={i} is out of range for {len(self.sources)} sources")
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
        n, length = clip.shape[-1], noise.shape[-1]
        offset = int(params["offset"]) % length
        reps = -(-(offset + n) // length)
        looped = noise.repeat(1, reps) if reps > 1 else noise
        segment = looped[..., offset : offset + n]
        if segment.shape[0] != clip.shape[0]:
            if segment.shape[0] != 1:
                segment = segment.mean(dim=0, keepdim=True)
            segment = segment.expand(clip.shape[0], -1)
        return mix_at_snr(clip, segment, float(params["snr_db"]))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_loaded"] = {}  # decoded files are re-read in the worker rather than pickled
        return state


def _check_audio_file(path: Path) -> str:
    import soundfile as sf

    if not path.is_file():
        raise FileNotFoundError(f"background noise source {path} does not exist")
    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise ValueError(f"background noise source {path} is not a readable audio file "
                         f"(WAV, FLAC, OGG or MP3): {exc}") from None
    if info.frames == 0:
        raise ValueError(f"background noise source {path} holds no samples")
    return str(path)
