"""Pictures of clips: the waveform and the log-mel spectrogram the previews show (deterministic:
computed in float64 and rounded, so a page does not depend on how BLAS splits its sums)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

__all__ = ["channel_mean", "log_mel", "spectrogram_picture", "waveform_picture"]

_RAMP = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], np.float64)
_N_MELS, _FLOOR_DB = 64, 80.0


def channel_mean(wave: Any) -> np.ndarray:
    """The channel mean of a checked clip ``[channels, time]``, as float64 numpy."""
    return wave.detach().cpu().double().mean(dim=0).numpy()


def waveform_picture(wave: np.ndarray, height: int = 64, width: int = 256) -> np.ndarray:
    """``wave`` drawn min to max per column on white, scaled to its peak, over a light axis line."""
    canvas = np.full((height, width, 3), 255, np.uint8)
    canvas[height // 2] = 220
    starts = (np.arange(width) * wave.size) // width
    peak = max(float(np.abs(wave).max()), 1e-12)
    highs = np.maximum.reduceat(wave, starts) / peak
    lows = np.minimum.reduceat(wave, starts) / peak
    half = (height - 1) / 2
    top = np.rint((1 - highs) * half).astype(int)
    bottom = np.rint((1 - lows) * half).astype(int)
    rows = np.arange(height)[:, None]
    canvas[(rows >= top) & (rows <= bottom)] = (40, 90, 160)
    return canvas


def log_mel(wave: np.ndarray, rate: int) -> np.ndarray:
    """``[64, frames]`` log-mel power in [0, 1]: 0 is 80 dB or more below the loudest band, 1 the loudest."""
    import torch
    import torchaudio

    n_fft = max(16, 2 * round(256 * rate / 16000))
    # float64, the projection summed by einsum's own loops (a threaded BLAS may split the sums
    # differently from one call to the next) and levels rounded below: the same picture every time
    x = torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float64))
    power = torch.stft(x, n_fft, hop_length=n_fft // 4, window=torch.hann_window(n_fft, dtype=x.dtype),
                       center=True, pad_mode="constant", return_complex=True).abs().square()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # low rates leave some narrow mel bands without an FFT bin
        bank = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, 0.0, rate / 2, _N_MELS, rate)
    mel = np.einsum("fm,ft->mt", bank.double().numpy(), power.numpy())
    if not mel.max() > 0:
        return np.zeros_like(mel)
    db = 10 * np.log10(np.maximum(mel, mel.max() * 10 ** (-_FLOOR_DB / 10)))
    return (db - db.max()) / _FLOOR_DB + 1


def spectrogram_picture(wave: np.ndarray, rate: int, height: int = 128, width: int = 256) -> np.ndarray:
    """The log-mel spectrogram of ``wave`` as an RGB uint8 ``height×width`` image, low bands at the bottom."""
    import torch

    bands = torch.from_numpy(np.ascontiguousarray(log_mel(wave, rate)[::-1]))
    # area: averages frames when shrinking a long clip, repeats them when stretching a short one
    levels = torch.nn.functional.interpolate(bands[None, None], size=(height, width), mode="area")[0, 0].numpy()
    levels = np.round(levels, 6)
    stops = np.linspace(0.0, 1.0, len(_RAMP))
    rgb = np.stack([np.interp(levels, stops, _RAMP[:, c]) for c in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)
