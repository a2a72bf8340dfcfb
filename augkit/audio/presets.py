"""Audio view presets.

Every argument is checked at construction, and the error names the preset and the argument. A
view holds at most :data:`MAX_VIEW_SAMPLES` samples per channel (``seconds * sample_rate``), so a
mistyped length is refused instead of becoming a multi-gigabyte allocation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.audio.crop import RandomCrop
from augkit.audio.gain import Gain
from augkit.audio.noise import AddBackgroundNoise, AddNoise
from augkit.audio.pitch_shift import PitchShift
from augkit.audio.time_stretch import TimeStretch
from augkit.core import Augmenter, Compose, OneOf, RandomApply
from augkit.core.args import Check, Number, Probability, SampleRate
from augkit.core.errors import AugkitError, InvalidArgument
from augkit.views.presets import preset

__all__ = ["MAX_VIEW_SAMPLES", "audio_pairs"]

#: The most samples per channel an audio preset's view holds: 2^25, about 35 minutes at 16 kHz or
#: 11.6 minutes at 48 kHz (128 MiB of float32 per channel and view).
MAX_VIEW_SAMPLES = 2**25


def _arg(recipe: str, name: str, check: Check, value: Any) -> Any:
    """``value`` checked by ``check``; the error names the preset and the argument, with the same class."""
    try:
        return check(value, name)
    except AugkitError as err:
        raise type(err)(f"{recipe}(): {err}") from None


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
        A :class:`~augkit.views.generator.ViewGenerator`; ``vg(wav, index=i)`` gives ``n_views`` float32
        ``[channels, time]`` tensors (the audio modality's canonical form, whatever the input's
        layout or dtype).

    Raises:
        InvalidArgument: for a sample rate ≤ 0, ``seconds`` ≤ 0, views longer than
            :data:`MAX_VIEW_SAMPLES` samples, a probability outside [0, 1] (named:
            ``gain_p=1.5 ...``), or bad ``background_noise`` recordings.
        WrongArgumentType: for an argument of the wrong type.
        FileNotFoundError: for a ``background_noise`` path that does not exist (named).

    Example:
        >>> a, b = audio_pairs(16000, seconds=1.0, seed=0)(waveform, index=0)
    """
    sample_rate = _arg("audio_pairs", "sample_rate", SampleRate(), sample_rate)
    seconds = _arg("audio_pairs", "seconds", Number(0.0, None, low_open=True), seconds)
    if round(seconds * sample_rate) > MAX_VIEW_SAMPLES:
        raise InvalidArgument(f"audio_pairs(): seconds={seconds!r} at sample_rate={sample_rate} makes views of "
                              f"{round(seconds * sample_rate)} samples; at most {MAX_VIEW_SAMPLES} "
                              f"({MAX_VIEW_SAMPLES / sample_rate:.6g} s at this rate)")
    gain_p = _arg("audio_pairs", "gain_p", Probability(), gain_p)
    noise_p = _arg("audio_pairs", "noise_p", Probability(), noise_p)
    stretch_pitch_p = _arg("audio_pairs", "stretch_pitch_p", Probability(), stretch_pitch_p)
    noise: Augmenter[Any] = OneOf([AddNoise((5.0, 20.0), "white"), AddNoise((5.0, 20.0), "pink")])
    if background_noise is not None:
        try:
            background = AddBackgroundNoise(background_noise, (5.0, 20.0), sample_rate)
        except (AugkitError, FileNotFoundError) as err:  # the op calls them `sources`: name the preset's argument
            raise type(err)(f"audio_pairs(): background_noise: {err}") from None
        noise = OneOf([noise, background])
    return Compose([
        RandomCrop(seconds, sample_rate),
        RandomApply(Gain((-6.0, 6.0)), p=gain_p),
        RandomApply(noise, p=noise_p),
        RandomApply(
            OneOf([TimeStretch((0.9, 1.11), keep_length=True), PitchShift((-2.0, 2.0), sample_rate)]),
            p=stretch_pitch_p,
        ),
    ])
