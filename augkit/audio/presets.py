"""Audio view presets."""

from __future__ import annotations

from augkit.audio.crop import RandomCrop
from augkit.audio.gain import Gain
from augkit.audio.noise import AddNoise
from augkit.audio.pitch_shift import PitchShift
from augkit.audio.time_stretch import TimeStretch
from augkit.core import Compose, OneOf, RandomApply
from augkit.views import ViewGenerator

__all__ = ["audio_pairs"]


def audio_pairs(
    sample_rate: int = 16000, seconds: float = 1.0, n_views: int = 2, seed: int | None = None
) -> ViewGenerator:
    """Contrastive audio views in the COLA / CLAR style.

    Per view, in order:

    1. a random ``seconds`` segment of the clip (always: two segments of one recording are the
       COLA positive pair, Saeed et al. 2021);
    2. gain in ±6 dB, p 0.8 (loudness is not what the encoder should learn);
    3. white or pink noise at 5–20 dB SNR, p 0.5 (CLAR found noise among the most useful
       augmentations, Al-Tahan & Mohsenzadeh 2021);
    4. p 0.3: either a time stretch by 0.9–1.11 (length kept) or a pitch shift by ±2 semitones —
       mild, since large shifts change what a sound is (speaker, instrument).

    Example:
        >>> a, b = audio_pairs(16000, seconds=1.0, seed=0)(waveform, index=0)
    """
    pipeline = Compose([
        RandomCrop(seconds, sample_rate),
        RandomApply(Gain((-6.0, 6.0)), p=0.8),
        RandomApply(OneOf([AddNoise((5.0, 20.0), "white"), AddNoise((5.0, 20.0), "pink")]), p=0.5),
        RandomApply(OneOf([TimeStretch((0.9, 1.11), keep_length=True), PitchShift((-2.0, 2.0), sample_rate)]), p=0.3),
    ])
    return ViewGenerator(pipeline, n_views=n_views, seed=seed)
