"""Reading and writing audio with soundfile (WAV, FLAC, OGG, MP3); no FFmpeg or torchcodec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.audio._waveform import as_waveform, check_sample_rate

__all__ = ["load", "resample", "save"]


def load(path: str | Path, sample_rate: int | None = None, mono: bool = False) -> tuple[torch.Tensor, int]:
    """Read an audio file into a float32 tensor ``[channels, time]`` in [-1, 1].

    Args:
        path: a WAV, FLAC, OGG or MP3 file.
        sample_rate: resample to this rate (``torchaudio.functional.resample``); None keeps the file's.
        mono: average the channels into one.

    Returns:
        ``(waveform, sample_rate)``.

    Raises:
        FileNotFoundError: when ``path`` does not exist.
        ValueError: when the file cannot be decoded or is empty.
    """
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"audio file {path} does not exist")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as exc:
        raise ValueError(f"cannot decode audio file {path}: {exc}") from None
    if data.size == 0:
        raise ValueError(f"audio file {path} holds no samples")
    wav = torch.from_numpy(np.ascontiguousarray(data.T))
    if mono and wav.shape[0] > 1:
        wav = wav.mean(dim=0, keepdim=True)
    if sample_rate is not None and check_sample_rate(sample_rate) != rate:
        wav = resample(wav, rate, sample_rate)
        rate = sample_rate
    return wav, int(rate)


def save(path: str | Path, waveform: Any, sample_rate: int) -> Path:
    """Write ``waveform`` (``[time]`` or ``[channels, time]``) to ``path``; the format follows the
    suffix (.wav is 16-bit PCM, .flac 16-bit, .ogg Vorbis, .mp3). Samples are clipped to [-1, 1].

    Returns:
        The path written.
    """
    import soundfile as sf

    wav, layout = as_waveform(waveform)
    if layout.batched:
        raise ValueError(f"save() writes one clip, got a batch of shape {tuple(wav.shape)}")
    rate = check_sample_rate(sample_rate)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = wav[0].clamp(-1.0, 1.0).T.cpu().numpy()
    sf.write(str(path), data, rate)
    return path


def resample(waveform: torch.Tensor, orig_freq: int, new_freq: int) -> torch.Tensor:
    """Resample along the last axis with ``torchaudio.functional.resample`` (windowed sinc)."""
    import torchaudio.functional as AF

    return AF.resample(waveform, int(orig_freq), int(new_freq))
