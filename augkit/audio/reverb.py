"""Reverberation: convolution with a recorded room impulse response or a synthetic one."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio._iir import grid
from augkit.audio._records import bounded
from augkit.audio._sources import Recordings, checker
from augkit.core import Augmenter, Params, expect, uniform
from augkit.core.args import Arg, Integer, Probability, Range, SampleRate, Value
from augkit.core.registry import register

__all__ = ["ApplyImpulseResponse", "synthetic_impulse_response"]

_RT60 = (0.01, 10.0)
_SEEDS = (0, 2**64 - 1)


def synthetic_impulse_response(rt60: float, sample_rate: int, generator: torch.Generator,
                               device: torch.device | str = "cpu") -> torch.Tensor:
    """A room's impulse response ``[rt60 * sample_rate]``: Gaussian noise under an exponential
    decay that falls by 60 dB in ``rt60`` seconds (the statistical model of a diffuse late
    reverberation, Polack 1988; Schroeder integration of it measures ``rt60`` back).

    Example:
        >>> ir = synthetic_impulse_response(0.5, 16000, torch.Generator().manual_seed(0))
    """
    n = max(1, round(rt60 * sample_rate))
    t = torch.arange(n, device=device, dtype=torch.float32)
    decay = torch.pow(10.0, -3.0 * t / (rt60 * sample_rate))  # amplitude 10^-3 (-60 dB) at rt60
    return torch.randn(n, generator=generator, device=device) * decay


@register
class ApplyImpulseResponse(Augmenter[torch.Tensor]):
    """Play the clip in another room: convolve it with an impulse response, mixed dry/wet.

    Without ``sources`` each view builds a synthetic room (:func:`synthetic_impulse_response`)
    with a reverberation time drawn from ``rt60``; with ``sources`` (recorded impulse responses,
    files or waveforms) it picks one of them and ``rt60`` is not used. A multichannel response is
    averaged to mono and applied to every channel.

    The reverberant signal is aligned on the response's strongest sample (the direct sound), so
    the wet part does not lag the dry one, cut to the clip's length, scaled to the clip's RMS,
    mixed as ``(1 - wet) * dry + wet * reverberant`` and the mix scaled back to the clip's RMS: the
    level never changes, only the room. The length never changes. A silent clip comes back
    unchanged. audiomentations' ``ApplyImpulseResponse`` has no dry/wet control (its issue #388)
    and no synthetic rooms; torch-audiomentations' reads files only.

    Args:
        sources: None for synthetic rooms, or recorded impulse responses: audio file paths and/or
            waveforms ``[time]`` / ``[channels, time]`` at ``sample_rate``.
        rt60: the synthetic room's reverberation time (60 dB decay) in seconds, a ``(min, max)``
            range or a fixed value in [0.01, 10].
        wet: the share of reverberant sound, a range or a fixed value in [0, 1].
        sample_rate: of the clips, in Hz.
        p: probability of applying a room.

    Record: synthetic ``{"applied": True, "source": -1, "wet": float, "rt60": float, "seed": int}``;
    recorded ``{"applied": True, "source": index, "wet": float}``.

    Raises:
        WrongArgumentType / InvalidArgument: for bad ``sources`` (as AddBackgroundNoise), an rt60
            or wet out of range.
        FileNotFoundError: for a path that does not exist.
        InvalidParams: for a record whose source, rt60 or seed is out of range.

    Example:
        >>> roomy = ApplyImpulseResponse(rt60=(0.2, 0.8), wet=(0.3, 0.9), sample_rate=16000)(waveform)
    """

    name = "audio.apply_impulse_response"
    modality = "audio"
    args = (
        Arg("sources", Value(lambda v, n: None if v is None else checker("impulse response")(v, n),
                             "None, or a non-empty list of audio file paths and/or waveforms"), None,
            "recorded impulse responses (None: synthetic rooms)"),
        Arg("rt60", Range(*_RT60), (0.2, 1.0), "reverberation time of a synthetic room, in seconds"),
        Arg("wet", Range(0, 1), (0.3, 1.0), "share of reverberant sound"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("p", Probability(), 1.0, "probability of applying a room"),
    )
    drawn = {"source": int, "wet": float}
    record_bounds = {"source": Integer(-1, None)}
    sources: list[str | torch.Tensor] | None
    rt60: tuple[float, float]
    wet: tuple[float, float]
    sample_rate: int

    def setup(self) -> None:
        self._recordings = Recordings(self.sources or [], self.sample_rate, "ApplyImpulseResponse")

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        if self.sources:
            return {"source": int(rng.integers(len(self.sources))), "wet": uniform(rng, self.wet)}
        return {"source": -1, "wet": uniform(rng, self.wet), "rt60": uniform(rng, self.rt60),
                "seed": int(rng.integers(2**63))}

    def _response(self, params: Params, device: torch.device) -> torch.Tensor:
        source = expect(params, "source", int, self)
        if source >= 0:
            ir = self._recordings[source].to(device)
            return ir.mean(dim=0) if ir.shape[0] > 1 else ir[0]
        rt60 = float(bounded(params, "rt60", *_RT60, self))
        seed = bounded(params, "seed", *_SEEDS, self, kind=int)
        return synthetic_impulse_response(rt60, self.sample_rate, torch.Generator(device=device).manual_seed(seed),
                                          device)

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        irs = [self._response(r, batch.device) for r in records]
        wet = [float(bounded(r, "wet", 0.0, 1.0, self)) for r in records]
        if batch.device.type == "cpu":
            return self._numpy_kernel(batch, irs, wet, [expect(r, "source", int, self) for r in records])
        b, n = batch.shape[0], batch.shape[-1]
        longest = max(ir.shape[0] for ir in irs)
        stacked = torch.zeros(b, longest, device=batch.device, dtype=batch.dtype)
        for k, ir in enumerate(irs):  # ragged lengths into one zero-padded [B, L] (no maths here)
            stacked[k, : ir.shape[0]] = ir
        delay = stacked.abs().argmax(dim=1)  # the direct sound
        n_fft = grid(n, longest)
        spectrum = torch.fft.rfft(batch, n=n_fft, dim=-1) * torch.fft.rfft(stacked, n=n_fft, dim=-1)[:, None, :]
        full = torch.fft.irfft(spectrum, n=n_fft, dim=-1)
        index = (delay[:, None, None] + torch.arange(n, device=batch.device)).expand(b, batch.shape[1], n)
        reverberant = full.gather(-1, index)
        mix_wet = torch.tensor(wet, device=batch.device, dtype=torch.float64)[:, None]
        rms = _rms(batch)
        mix = (1 - mix_wet) * batch.reshape(b, -1) + mix_wet * _to_rms(reverberant, rms)
        return _to_rms(mix, rms).reshape(batch.shape).to(batch.dtype)

    def _numpy_kernel(self, batch: torch.Tensor, irs: list[torch.Tensor], wet: list[float],
                      sources: list[int]) -> torch.Tensor:
        """The same steps on the CPU with numpy's FFT (pocketfft: 2 to 3 times faster than torch's
        at these sizes on one core), a recorded response's spectrum kept per FFT size."""
        x = batch.detach().numpy()
        b, n = x.shape[0], x.shape[-1]
        n_fft = grid(n, max(ir.shape[0] for ir in irs))
        spectrum = np.fft.rfft(x, n=n_fft, axis=-1)
        out = np.empty((b, x.shape[1] * n))
        for k in range(b):
            response = irs[k].numpy()
            spectrum[k] *= self._spectrum(response, sources[k], n_fft)
            delay = int(np.argmax(np.abs(response)))  # the direct sound
            reverberant = np.fft.irfft(spectrum[k], n=n_fft, axis=-1)[:, delay : delay + n]
            dry = x[k].reshape(-1).astype(np.float64)
            rms = np.sqrt(np.mean(dry * dry))
            out[k] = _scaled((1 - wet[k]) * dry + wet[k] * _scaled(reverberant.reshape(-1), rms), rms)
        return torch.from_numpy(out.reshape(batch.shape)).to(batch.dtype)

    def _spectrum(self, response: np.ndarray, source: int, n_fft: int) -> np.ndarray:
        if source < 0:  # a synthetic room: new every time
            return np.fft.rfft(response, n=n_fft)
        cache: dict[tuple[int, int], np.ndarray] = self.__dict__.setdefault("_spectra", {})
        if (source, n_fft) not in cache:
            if len(cache) >= 64:
                cache.clear()
            cache[(source, n_fft)] = np.fft.rfft(response, n=n_fft)
        return cache[(source, n_fft)]


def _scaled(x: np.ndarray, target: float) -> np.ndarray:
    """``x`` scaled to RMS ``target`` in float64 (a silent one stays as it is): :func:`_to_rms` for one example."""
    x = x.astype(np.float64)
    own = float(np.sqrt(np.mean(x * x)))
    return x * (target / max(own, 1e-300)) if own > 0 else x


def _rms(x: torch.Tensor) -> torch.Tensor:
    """The RMS of each example over all its channels, ``[B, 1]`` in float64."""
    return x.reshape(x.shape[0], -1).double().pow(2).mean(dim=1, keepdim=True).sqrt()


def _to_rms(x: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Each example of ``x`` scaled to RMS ``target`` ``[B, 1]`` (a silent one stays as it is), ``[B, N]`` float64."""
    flat = x.reshape(x.shape[0], -1).double()
    own = flat.pow(2).mean(dim=1, keepdim=True).sqrt()
    return torch.where(own > 0, flat * (target / own.clamp_min(1e-300)), flat)
