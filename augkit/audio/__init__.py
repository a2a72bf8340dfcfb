"""Audio views on torch tensors (they run on a GPU tensor when given one).

Waveforms are float32 ``[channels, time]`` at the rate the pipeline was built for (there is no
clip type carrying a rate); ``[time]``, ``[batch, channels, time]``, numpy arrays, float64 and int16
(scaled by 1/32768) are accepted, and every op returns the caller's layout (numpy in, numpy float32
out). Empty waveforms and NaN or inf samples raise :class:`~augkit.core.errors.InvalidInput`, other
types :class:`~augkit.core.errors.WrongInputType`. Every op takes ``p``, and its record is
``{"applied": bool, ...}``. A batch gets ``{"applied": any, "batch": [r_0, ...]}``, each ``r_i``
what the op draws for that clip alone, and the batch result equals the per-clip results. Ops whose
arguments are in seconds or hertz take ``sample_rate`` at construction (torchaudio's convention).

Noise is drawn from an integer ``seed`` kept in params, on the clip's device: replay holds on
the device type a view was made on (CPU and CUDA random streams differ).

Example:
    >>> from augkit import audio
    >>> wav, sr = audio.load("data/audio/speech_digits.flac", sample_rate=16000, mono=True)
    >>> a, b = audio.audio_pairs(sr, seconds=1.0, seed=0)(wav, index=0)
"""

from __future__ import annotations

from augkit.audio.codecs import CodecCompression, Mp3Compression
from augkit.audio.crop import RandomCrop
from augkit.audio.distortion import BitCrush, ClippingDistortion, TanhDistortion
from augkit.audio.equalizer import PeakingEQ
from augkit.audio.fades import Fade
from augkit.audio.filters import BandPass, BandStop, HighPass, LowPass
from augkit.audio.flips import PolarityInversion, Reverse
from augkit.audio.gain import Gain
from augkit.audio.io import FORMATS, load, resample, save
from augkit.audio.masks import TimeMask
from augkit.audio.mix import Mix
from augkit.audio.noise import AddBackgroundNoise, AddNoise, colored_noise, mix_at_snr
from augkit.audio.pitch_shift import PitchShift
from augkit.audio.presets import audio_pairs, clar, effects
from augkit.audio.reverb import ApplyImpulseResponse
from augkit.audio.shift import TimeShift
from augkit.audio.short_noises import AddShortNoises
from augkit.audio.speed import SpeedPerturb
from augkit.audio.time_stretch import TimeStretch

__all__ = [
    "FORMATS",
    "AddBackgroundNoise",
    "AddNoise",
    "AddShortNoises",
    "ApplyImpulseResponse",
    "BandPass",
    "BandStop",
    "BitCrush",
    "ClippingDistortion",
    "CodecCompression",
    "Fade",
    "Gain",
    "HighPass",
    "LowPass",
    "Mix",
    "Mp3Compression",
    "PeakingEQ",
    "PitchShift",
    "PolarityInversion",
    "RandomCrop",
    "Reverse",
    "SpeedPerturb",
    "TanhDistortion",
    "TimeMask",
    "TimeShift",
    "TimeStretch",
    "audio_pairs",
    "clar",
    "colored_noise",
    "effects",
    "load",
    "mix_at_snr",
    "resample",
    "save",
]
