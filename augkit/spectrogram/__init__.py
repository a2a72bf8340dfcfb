"""Log-mel spectrogram views on torch tensors: SpecAugment and BYOL-A.

Log-mels are float32 ``[channels, mels, frames]`` (``[mels, frames]``, numpy arrays and float16/64
are accepted; every op returns the caller's layout). A generator takes waveforms and audio files
through its input step :class:`LogMel`, which the presets set. Every op takes ``p``, records what
it drew and has a batch kernel: a view made in ``vg.generate_batch`` equals the one ``vg.generate``
makes, bit for bit.

Example:
    >>> from augkit import spectrogram
    >>> a, b = spectrogram.specaugment("LD", seed=0)("data/audio/speech_digits.flac", index=0)
"""

from __future__ import annotations

from augkit.spectrogram.crop import SILENCE, RandomCrop
from augkit.spectrogram.fader import RandomLinearFader
from augkit.spectrogram.logmel import LogMel, norm_stats
from augkit.spectrogram.masks import FrequencyMask, TimeMask
from augkit.spectrogram.mixup import MixupLogExp, log_mixup_exp
from augkit.spectrogram.presets import BYOL_A, SPECAUGMENT_POLICIES, byol_a, specaugment
from augkit.spectrogram.resize_crop import RandomResizeCrop
from augkit.spectrogram.time_warp import TimeWarp

__all__ = [
    "BYOL_A",
    "SILENCE",
    "SPECAUGMENT_POLICIES",
    "FrequencyMask",
    "LogMel",
    "MixupLogExp",
    "RandomCrop",
    "RandomLinearFader",
    "RandomResizeCrop",
    "TimeMask",
    "TimeWarp",
    "byol_a",
    "log_mixup_exp",
    "norm_stats",
    "specaugment",
]
