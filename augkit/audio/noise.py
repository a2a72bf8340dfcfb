"""Noise at a signal-to-noise ratio: synthetic coloured noise, or real background recordings."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import torch

from augkit.audio._records import bounded
from augkit.audio._sources import Recordings, checker
from augkit.core import Augmenter, Params, expect, uniform
from augkit.core.args import REQUIRED, Arg, Choice, Probability, Range, SampleRate, Value
from augkit.core.errors import (
    InvalidArgument,
)
from augkit.core.registry import register

__all__ = ["AddBackgroundNoise", "AddNoise", "colored_noise", "mix_at_snr"]

_COLORS = {"white": 0.0, "pink": 1.0, "brown": 2.0}
_SNR_DB = (-60.0, 120.0)
_SEEDS = (0, 2**64 - 1)  # what torch.Generator.manual_seed takes


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
        InvalidArgument: for an unknown color.

    Example:
        >>> colored_noise((1, 16000), "pink", torch.Generator().manual_seed(0), torch.device("cpu"))
    """
    if color not in _COLORS:
        raise InvalidArgument(f"color={color!r} must be one of {sorted(_COLORS)}")
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
    if not math.isfinite(p_signal):  # squares past float32's range (a clip at 1e20): sum them in float64
        p_signal = float(torch.dot(flat_clip.double(), flat_clip.double()))
    if p_signal == 0 or p_noise == 0:
        return clip
    return torch.add(clip, noise, alpha=math.sqrt(p_signal / (p_noise * 10.0 ** (snr_db / 10.0))))


@register
class AddNoise(Augmenter[torch.Tensor]):
    """Add white, pink or brown Gaussian noise at an SNR drawn uniformly from ``snr_db``.

    The SNR is measured over the whole clip (all channels, each with its own noise); a silent
    clip comes back unchanged, and a 1-sample clip gets white noise whatever ``color`` says (one
    sample has no spectrum to shape).
    The noise comes from an integer ``seed`` kept in the record, turned into a ``torch.Generator``
    on the clip's device, so a view replays bit for bit on the same device type (CPU and CUDA
    random streams differ: a view made on a GPU replays on a GPU).

    Args:
        snr_db: signal-to-noise ratio in dB, a ``(min, max)`` range or a fixed value, in [-60, 120].
        color: "white" (flat spectrum), "pink" (1/f) or "brown" (1/f²).
        p: probability of adding noise.

    Record: ``{"applied": True, "snr_db": float, "seed": int}``.

    Raises:
        InvalidArgument: for an SNR outside [-60, 120] or with min > max, or an unknown color.
        InvalidParams: for a record whose ``snr_db`` or ``seed`` is missing or out of range.

    Example:
        >>> noisy = AddNoise(snr_db=(5, 20), color="pink")(waveform)
    """

    name = "audio.add_noise"
    modality = "audio"
    args = (
        Arg("snr_db", Range(*_SNR_DB), (5.0, 20.0), "signal-to-noise ratio in dB"),
        Arg("color", Choice(tuple(_COLORS)), "white", "spectrum of the noise"),
        Arg("p", Probability(), 1.0, "probability of adding noise"),
    )
    drawn = {"snr_db": float, "seed": int}
    snr_db: tuple[float, float]
    color: str

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"snr_db": uniform(rng, self.snr_db), "seed": int(rng.integers(2**63))}

    def _white(self, like: torch.Tensor, params: Params, out: torch.Tensor | None = None) -> torch.Tensor:
        seed = bounded(params, "seed", *_SEEDS, self, kind=int)
        generator = torch.Generator(device=like.device).manual_seed(seed)
        if out is not None:
            return torch.randn(like.shape, generator=generator, device=like.device, out=out)
        return torch.randn(like.shape, generator=generator, device=like.device)

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        snr = float(bounded(params, "snr_db", *_SNR_DB, self))
        noise = _color(self._white(x, params), _COLORS[self.color])
        return mix_at_snr(x, noise, snr)

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        # Each example's noise comes from its own seed (so it equals the single-clip view); the
        # colouring and the mixing then run on the whole batch at once.
        snrs = [float(bounded(r, "snr_db", *_SNR_DB, self)) for r in records]
        white = torch.empty_like(batch)
        for i, r in enumerate(records):
            self._white(batch[i], r, out=white[i])
        noise = _color(white, _COLORS[self.color])
        # squared norms without a batch-sized temporary
        p_signal = torch.linalg.vector_norm(batch.reshape(batch.shape[0], -1), dim=1).square()
        p_noise = torch.linalg.vector_norm(noise.reshape(noise.shape[0], -1), dim=1).square()
        if not bool(torch.isfinite(p_signal).all()):  # squares past float32's range: float64 powers
            p_signal = torch.linalg.vector_norm(batch.reshape(batch.shape[0], -1).double(), dim=1).square()
            p_noise = p_noise.double()
        snr = torch.tensor(snrs, device=batch.device, dtype=p_signal.dtype)
        scale = torch.sqrt(p_signal / (p_noise * 10.0 ** (snr / 10.0)))
        scale = torch.where((p_signal > 0) & (p_noise > 0), scale, torch.zeros_like(scale)).to(batch.dtype)
        return torch.addcmul(batch, noise, scale[:, None, None])


@register
class AddBackgroundNoise(Augmenter[torch.Tensor]):
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
        p: probability of mixing in a recording.

    Record: ``{"applied": True, "source": index, "offset": samples, "snr_db": float}``.

    Raises:
        WrongArgumentType: for ``sources`` that is not a list, or a waveform of another type.
        InvalidArgument: for an empty ``sources``, an unreadable file, an empty / NaN / inf
            waveform, a bad ``snr_db`` or ``sample_rate``.
        FileNotFoundError: for a path that does not exist.
        InvalidParams: for a record whose ``source`` is out of range.

    Example:
        >>> AddBackgroundNoise(["cafe.wav", "street.flac"], snr_db=(3, 15), sample_rate=16000)
    """

    name = "audio.add_background_noise"
    modality = "audio"
    args = (
        Arg("sources", Value(checker("background noise source"), "a non-empty list of audio file paths and/or "
                             "waveforms"), REQUIRED,
            "the noise recordings"),
        Arg("snr_db", Range(*_SNR_DB), (3.0, 30.0), "signal-to-noise ratio in dB"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("p", Probability(), 1.0, "probability of mixing in a recording"),
    )
    drawn = {"source": int, "offset": int, "snr_db": float}
    sources: list[str | torch.Tensor]
    snr_db: tuple[float, float]
    sample_rate: int

    def setup(self) -> None:
        self._recordings = Recordings(self.sources, self.sample_rate, "AddBackgroundNoise")

    @classmethod
    def example(cls) -> AddBackgroundNoise:
        """A 50 Hz mains hum of 0.5 s as the only recording, mixed at 5-15 dB."""
        hum = torch.sin(torch.arange(8000) * (2 * torch.pi * 50 / 16000)) * 0.1
        return cls([hum], snr_db=(5, 15), sample_rate=16000)

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        i = int(rng.integers(len(self.sources)))
        length = self._recordings[i].shape[-1]
        return {"source": i, "offset": int(rng.integers(length)), "snr_db": uniform(rng, self.snr_db)}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        noise = self._recordings[expect(params, "source", int, self)].to(x.device)
        snr = float(bounded(params, "snr_db", *_SNR_DB, self))
        n, length = x.shape[-1], noise.shape[-1]
        offset = expect(params, "offset", int, self) % length  # any offset names a place in the loop
        reps = -(-(offset + n) // length)
        looped = noise.repeat(1, reps) if reps > 1 else noise
        segment = looped[..., offset : offset + n]
        if segment.shape[0] != x.shape[0]:
            if segment.shape[0] != 1:
                segment = segment.mean(dim=0, keepdim=True)
            segment = segment.expand(x.shape[0], -1)
        return mix_at_snr(x, segment, snr)
