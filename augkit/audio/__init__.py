"""Audio views on torch tensors (they run on a GPU tensor when given one).

Waveforms are float32 ``[channels, time]``; ``[time]``, ``[batch, channels, time]``, numpy arrays
and int16 are accepted (see :func:`augkit.audio._waveform.as_waveform`). A batch gets
per-example params ``{"batch": [...]}``. Replay holds on the device type a view was made on (CPU
and CUDA random streams differ).

Example:
    >>> from augkit import audio
    >>> wav, sr = audio.load("speech.wav", sample_rate=16000, mono=True)
    >>> a, b = audio.audio_pairs(sr, seconds=1.0, seed=0)(wav, index=0)
"""

from __future__ import annotations

from augkit.audio.crop import RandomCrop
from augkit.audio.gain import Gain
from augkit.audio.io import load, resample, save
from augkit.audio.noise import AddBackgroundNoise, AddNoise
from augkit.audio.pitch_shift import PitchShift
from augkit.audio.presets import audio_pairs
from augkit.audio.shift import TimeShift
from augkit.audio.time_stretch import TimeStretch

__all__ = [
    "AddBackgroundNoise",
    "AddNoise",
    "Gain",
    "PitchShift",
    "RandomCrop",
    "TimeShift",
    "TimeStretch",
    "audio_pairs",
    "load",
    "resample",
    "save",
]
