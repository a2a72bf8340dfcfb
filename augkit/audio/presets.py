"""Audio view presets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.args import Probability
from augkit.audio.crop import RandomCrop
from augkit.audio.gain import Gain
from augkit.audio.noise import AddBackgroundNoise, AddNoise
from augkit.audio.pitch_shift import PitchShift
from augkit.audio.time_stretch import TimeStretch
from augkit.core import Augmenter, Compose, OneOf, RandomApply
from augkit.presets import preset

__all__ = ["audio_pairs"]


@preset("audio.audio_pairs", modality="audio", views=2)
def audio_pairs(
    sample_rate: int = 16000,
    seconds: float = 1.0,
    *,
    gain_p: float = 0.8,
    noise_p: float = 0.5,
    stretch_pitch_p: float = 0.3,
    background_noise: Sequence[str | Path | torch.Tensor | np.ndarray] | None = None,
) -> Augmenter[Any]:
    """Contrastive audio views in the COLA / CLAR style.

    Per view, in order:

    1. a random ``seconds`` segment of the clip, always: two segments of one recording are the
       COLA positive pair (Saeed et al. 2021). Clips shorter than ``seconds`` are padded with
       silence, so every view has ``round(seconds * sample_rate)`` samples;
    2. gain in ±6 dB with probability ``gain_p`` (0.8): loudness is not what the encoder should
       learn, and recordings differ in level;
    3. noise at 5–20 dB SNR with probability ``noise_p`` (0.5): white or pink, or, when
       ``background_noise`` recordings are given, one of them half the time. CLAR (Al-Tahan &
       Mohsenzadeh 2021) found noise among the most useful audio augmentations; 5 dB keeps
       speech intelligible;
    4. with probability ``stretch_pitch_p`` (0.3), either a time stretch by 0.9–1.11 (length
       kept) or a pitch shift by ±2 semitones. Mild and rarer, because large shifts change what a
       sound is (a speaker, an instrument) and they cost the most.

    Crop first, so the costlier steps only see ``seconds`` of audio. Steps 2 to 4 are
    :class:`~augkit.core.RandomApply` wrappers (not the ops' own ``p``), so the records keep the
    layout of augkit 0.1 and its records replay.

    Args:
        sample_rate: of the input clips, in Hz.
        seconds: length of each view.
        n_views: views per clip (keyword only, common to every preset).
        seed: the generator's seed (keyword only; pass one explicitly with several processes or
            DDP ranks).
        gain_p: probability of the gain step.
        noise_p: probability of the noise step.
        stretch_pitch_p: probability of the time-stretch-or-pitch-shift step.
        background_noise: optional real noise recordings (paths or waveforms at ``sample_rate``).

    Returns:
        A :class:`~augkit.views.ViewGenerator`; ``vg(wav, index=i)`` gives ``n_views`` float32
        ``[channels, time]`` tensors (the audio modality's canonical form, whatever the input's
        layout or dtype).

    Raises:
        InvalidArgument: for a sample rate ≤ 0, ``seconds`` ≤ 0, a probability outside [0, 1]
            (named: ``gain_p=1.5 ...``), or bad background recordings.
        WrongArgumentType: for an argument of the wrong type.

    Example:
        >>> a, b = audio_pairs(16000, seconds=1.0, seed=0)(waveform, index=0)
    """
    probability = Probability()
    gain_p = probability(gain_p, "gain_p")
    noise_p = probability(noise_p, "noise_p")
    stretch_pitch_p = probability(stretch_pitch_p, "stretch_pitch_p")
    noise: Augmenter[Any] = OneOf([AddNoise((5.0, 20.0), "white"), AddNoise((5.0, 20.0), "pink")])
    if background_noise is not None:
        noise = OneOf([noise, AddBackgroundNoise(background_noise, (5.0, 20.0), sample_rate)])
    return Compose([
        RandomCrop(seconds, sample_rate),
        RandomApply(Gain((-6.0, 6.0)), p=gain_p),
        RandomApply(noise, p=noise_p),
        RandomApply(
            OneOf([TimeStretch((0.9, 1.11), keep_length=True), PitchShift((-2.0, 2.0), sample_rate)]),
            p=stretch_pitch_p,
        ),
    ])
