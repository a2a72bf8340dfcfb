"""LogMel: the generator's input step that turns a waveform (or an audio file) into a log-mel spectrogram."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.core.args import Integer, Number, SampleRate
from augkit.core.errors import InvalidArgument, InvalidInput, WrongInputType
from augkit.spectrogram._form import EPS, native

__all__ = ["LogMel", "norm_stats"]

_KEYS = ("sample_rate", "n_fft", "hop", "n_mels", "f_min", "f_max", "mean", "std")


class LogMel:
    """A waveform as a log-mel spectrogram ``[channels, n_mels, frames]``: the input step of spectrogram generators.

    ``log(mel(|STFT|²) + eps)`` with a Hann window of ``n_fft`` samples, a hop of ``hop``, centred
    frames (reflect padding: ``time // hop + 1`` frames) and ``n_mels`` triangular HTK-mel bands
    over ``[f_min, f_max]`` Hz without area normalisation: torchaudio's ``MelSpectrogram`` defaults
    (``power=2``), the front end of BYOL-A (``byol_a/dataset.py``: ``(melspec(wav) + eps).log()``
    with ``eps = torch.finfo().eps``). Then ``(x - mean) / std`` when given: BYOL-A's
    ``PrecomputedNorm`` of dataset statistics (:func:`norm_stats`; ``v2/train_v2.py``).

    It is deterministic, runs once per sample before any view (``ViewGenerator(input=LogMel(...))``),
    and a spec names it (:attr:`spec`). It takes a waveform (a tensor or array ``[time]`` or
    ``[channels, time]`` at ``sample_rate``), an audio file's path (read with
    :func:`augkit.audio.load` at ``sample_rate``), or a log-mel already made
    (any 3-D ``[channels, mels, frames]``, passed through unchanged, e.g. one stored as ``.npy``).

    Args:
        sample_rate: the waveform's rate in Hz.
        n_fft: the FFT size and window length in samples.
        hop: the hop between frames in samples.
        n_mels: the number of mel bands.
        f_min, f_max: the band edges in Hz (``f_max`` at most the Nyquist frequency).
        mean, std: normalisation of the log-mel (0 and 1: none).

    Raises:
        InvalidArgument: for a value out of range (``f_min >= f_max``, ``f_max`` above Nyquist,
            ``hop`` above ``n_fft``); ``__call__`` raises InvalidInput / WrongInputType for inputs.

    Example:
        >>> LogMel(16000, 1024, 160, 64, 60, 7800)(torch.zeros(1, 15200)).shape
        torch.Size([1, 64, 96])
    """

    def __init__(self, sample_rate: int = 16000, n_fft: int = 1024, hop: int = 160, n_mels: int = 64,
                 f_min: float = 60.0, f_max: float = 7800.0, mean: float = 0.0, std: float = 1.0) -> None:
        self.sample_rate = SampleRate()(sample_rate, "LogMel(sample_rate)")
        self.n_fft = Integer(2, 1 << 16)(n_fft, "LogMel(n_fft)")
        self.hop = Integer(1, self.n_fft)(hop, "LogMel(hop)")
        self.n_mels = Integer(1, 1024)(n_mels, "LogMel(n_mels)")
        nyquist = self.sample_rate / 2
        self.f_min = Number(0.0, nyquist, high_open=True)(f_min, "LogMel(f_min)")
        self.f_max = Number(0.0, nyquist, low_open=True)(f_max, "LogMel(f_max)")
        if self.f_min >= self.f_max:
            raise InvalidArgument(f"LogMel(f_min={f_min!r}, f_max={f_max!r}): f_min must be below f_max")
        self.mean = Number()(mean, "LogMel(mean)")
        self.std = Number(0.0, None, low_open=True)(std, "LogMel(std)")
        self._built: tuple[torch.Tensor, torch.Tensor] | None = None

    @property
    def spec(self) -> dict[str, Any]:
        """How a config spec names this step: ``{"type": "log_mel", "sample_rate": ..., ...}``."""
        return {"type": "log_mel", **{k: getattr(self, k) for k in _KEYS}}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> LogMel:
        """The step a spec names (``type`` may be left out).

        Raises:
            InvalidArgument: for a key that is not an argument, or another ``type``.
        """
        if spec.get("type", "log_mel") != "log_mel":
            raise InvalidArgument(f"the spectrogram input step is {{'type': 'log_mel', ...}}; got type "
                                  f"{spec.get('type')!r:.40}")
        extra = sorted(set(spec) - {"type", *_KEYS})
        if extra:
            raise InvalidArgument(f"log_mel input step: unknown keys {extra}; it takes {', '.join(_KEYS)}")
        return cls(**{k: v for k, v in spec.items() if k != "type"})

    def _parts(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._built is None:
            from torchaudio.functional import melscale_fbanks

            fbank = melscale_fbanks(self.n_fft // 2 + 1, self.f_min, self.f_max, self.n_mels, self.sample_rate,
                                    norm=None, mel_scale="htk")  # [freqs, mels]
            self._built = (torch.hann_window(self.n_fft), fbank)
        return self._built

    def waveform(self, x: Any) -> torch.Tensor:
        """``x`` as a float32 waveform ``[channels, time]`` (a path is read at :attr:`sample_rate`)."""
        if isinstance(x, (str, Path)):
            from augkit.audio.io import load

            return load(x, sample_rate=self.sample_rate)[0]
        if isinstance(x, np.ndarray):
            x = torch.from_numpy(native(x))
        if not isinstance(x, torch.Tensor) or not (x.is_floating_point() or x.dtype == torch.int16):
            raise WrongInputType(f"LogMel takes a float waveform [channels, time], an audio file's path or a log-mel "
                                 f"[channels, {self.n_mels}, frames]; got {type(x).__name__}"
                                 f"{'' if not hasattr(x, 'dtype') else f' of dtype {x.dtype}'}")
        wav = x.to(torch.float32) / 32768.0 if x.dtype == torch.int16 else x.to(torch.float32)
        wav = wav[None] if wav.ndim == 1 else wav
        if wav.ndim != 2 or wav.shape[-1] == 0:
            raise InvalidInput(f"LogMel: a waveform is [time] or [channels, time], got shape {tuple(x.shape)}")
        if not bool(torch.isfinite(wav).all()):
            raise InvalidInput("LogMel: the waveform holds NaN or inf samples")
        return wav

    def __call__(self, x: Any) -> torch.Tensor:
        """The log-mel of ``x`` (see the class docstring); a 3-D log-mel passes through."""
        if isinstance(x, (torch.Tensor, np.ndarray)) and x.ndim == 3:
            return torch.as_tensor(x)  # a log-mel made before (a stored .npy): the modality's check takes it as it is
        return self.batch(self.waveform(x)[None])[0]

    def batch(self, waves: torch.Tensor) -> torch.Tensor:
        """Waveforms ``[B, channels, time]`` of one length as log-mels ``[B, channels, n_mels, frames]``."""
        window, fbank = self._parts()
        b, c, t = waves.shape
        flat = waves.reshape(b * c, t)
        if t <= self.n_fft // 2:  # reflect padding needs more samples than half a window: pad with silence
            flat = torch.nn.functional.pad(flat, (0, self.n_fft // 2 + 1 - t))
        spec = torch.stft(flat, self.n_fft, self.hop, window=window.to(flat.device), center=True,
                          pad_mode="reflect", return_complex=True)
        power = spec.real.square() + spec.imag.square()  # |X|², without the square root abs() takes
        # [frames, freqs] @ [freqs, mels]: one GEMM over every frame of the batch (torchaudio's MelScale)
        mel = torch.matmul(power.transpose(-1, -2), fbank.to(flat.device)).transpose(-1, -2)  # [B*C, mels, frames]
        out = torch.log(mel + EPS)
        if self.mean != 0.0 or self.std != 1.0:
            out = (out - self.mean) / self.std
        frames = t // self.hop + 1
        return out[..., :frames].reshape(b, c, self.n_mels, frames).contiguous()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LogMel) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(tuple(self.spec.items()))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_built": None}

    def __repr__(self) -> str:
        return "LogMel(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in _KEYS) + ")"


def norm_stats(samples: Iterable[Any], log_mel: LogMel, limit: int = 10000) -> tuple[float, float]:
    """The mean and standard deviation of the log-mels of up to ``limit`` samples (before normalisation):
    BYOL-A's ``calc_norm_stats`` (``v2/train_v2.py``), to give ``LogMel(mean=, std=)``.

    Raises:
        InvalidInput: when ``samples`` is empty.
    """
    raw = LogMel(log_mel.sample_rate, log_mel.n_fft, log_mel.hop, log_mel.n_mels, log_mel.f_min, log_mel.f_max)
    total = squares = 0.0
    count = 0
    for n, x in enumerate(samples):
        if n >= limit:
            break
        lms = raw(x).double()
        total += float(lms.sum())
        squares += float(lms.square().sum())
        count += lms.numel()
    if count == 0:
        raise InvalidInput("norm_stats: no samples to measure")
    mean = total / count
    return mean, max(squares / count - mean * mean, 0.0) ** 0.5
