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

from augkit.audio.codecs import CodecCompression, Mp3Compression, mp3_bitrates
from augkit.audio.crop import RandomCrop
from augkit.audio.distortion import ClippingDistortion, TanhDistortion
from augkit.audio.equalizer import PeakingEQ
from augkit.audio.fades import Fade
from augkit.audio.filters import BandPass, HighPass, LowPass
from augkit.audio.gain import Gain
from augkit.audio.masks import TimeMask
from augkit.audio.noise import AddBackgroundNoise, AddNoise
from augkit.audio.pitch_shift import PitchShift
from augkit.audio.reverb import ApplyImpulseResponse
from augkit.audio.shift import TimeShift
from augkit.audio.time_stretch import TimeStretch
from augkit.core import Augmenter, Compose, OneOf, RandomApply
from augkit.core.args import Check, Number, Probability, SampleRate
from augkit.core.errors import AugkitError, InvalidArgument, WrongArgumentType
from augkit.views.presets import preset

__all__ = ["CLAR_AUGMENTATIONS", "MAX_VIEW_SAMPLES", "audio_pairs", "clar", "effects"]

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


def _checked_length(recipe: str, sample_rate: int, seconds: float) -> tuple[int, float]:
    sample_rate = _arg(recipe, "sample_rate", SampleRate(), sample_rate)
    seconds = _arg(recipe, "seconds", Number(0.0, None, low_open=True), seconds)
    if round(seconds * sample_rate) > MAX_VIEW_SAMPLES:
        raise InvalidArgument(f"{recipe}(): seconds={seconds!r} at sample_rate={sample_rate} makes views of "
                              f"{round(seconds * sample_rate)} samples; at most {MAX_VIEW_SAMPLES}")
    return sample_rate, seconds


#: CLAR's augmentations in the order its ``main_unsupervised.py`` applies them, each as ``utils.py``
#: (github.com/haideraltahan/CLAR) sets it.
CLAR_AUGMENTATIONS = ("fade", "time_mask", "time_stretch", "pitch_shift", "time_shift", "white_noise")


def _clar_step(name: str, sample_rate: int) -> Augmenter[Any]:
    if name == "fade":  # add_fade: both lengths up to half the clip, one of five shapes
        return RandomApply(Fade((0.0, 0.5), (0.0, 0.5)), p=0.5)
    if name == "time_mask":  # time_masking masks an eighth with N(0, 0.01) noise on half of its calls
        return RandomApply(TimeMask(0.125, "noise"), p=0.25)
    if name == "time_stretch":  # time_stret: rate 0.5-1.5, back to the clip's length
        return RandomApply(TimeStretch((0.5, 1.5), keep_length=True), p=0.5)
    if name == "pitch_shift":  # pitch_shift: -15 to 15 semitones (whole steps there)
        return RandomApply(PitchShift((-15.0, 15.0), sample_rate), p=0.5)
    if name == "time_shift":  # time_shift: up to 8000 samples (half of a 1 s clip) either way, rolled over
        return RandomApply(TimeShift((-0.5, 0.5), rollover=True), p=0.5)
    return RandomApply(AddNoise((0.0, 20.0), "white"), p=0.5)  # add_white_noise: SNR 0-20 dB


@preset("audio.clar", modality="audio", views=2)
def clar(sample_rate: int = 16000, seconds: float = 1.0, *,
         augmentations: Sequence[str] = ("fade", "time_mask")) -> Augmenter[Any]:
    """CLAR's views (Al-Tahan & Mohsenzadeh, "CLAR: Contrastive Learning of Auditory Representations",
    AISTATS 2021, arXiv:2010.09542), with the settings of its reference code.

    CLAR compares pitch shift, noise, fade in/out, time masking, time shift and time stretch and
    their pairs (the paper's augmentation table); its repository's README names fade in/out with
    time masking as the best set (``--tm=True --fd=True``): the default here. Any of
    :data:`CLAR_AUGMENTATIONS` may be chosen; they run in the order of ``main_unsupervised.py``,
    each with probability 0.5 (torchvision's ``RandomApply`` default there), and with the
    values of ``utils.py``:

    - ``"fade"``: :class:`~augkit.audio.Fade`, each length up to half the clip, one of the five
      shapes;
    - ``"time_mask"``: :class:`~augkit.audio.TimeMask` of an eighth of the clip filled with N(0, 0.01)
      noise (CLAR's function masks on half of its calls, so it fires with probability 0.25);
    - ``"time_stretch"``: :class:`~augkit.audio.TimeStretch` by 0.5–1.5, the length kept;
    - ``"pitch_shift"``: :class:`~augkit.audio.PitchShift` by ±15 semitones (CLAR draws whole steps);
    - ``"time_shift"``: :class:`~augkit.audio.TimeShift` by up to half the clip, rolled over;
    - ``"white_noise"``: :class:`~augkit.audio.AddNoise`, white, 0–20 dB SNR.

    CLAR's "mixed noise" (recordings of brown, pink and fan noise) needs those files: use
    :func:`audio_pairs` with ``background_noise`` for it. CLAR pads or cuts each clip to 1 s; here a
    clip longer than ``seconds`` gives a random segment (:class:`~augkit.audio.RandomCrop`) and a
    shorter one is padded.

    Args:
        sample_rate: of the input clips, in Hz.
        seconds: length of each view.
        augmentations: names from :data:`CLAR_AUGMENTATIONS` (any order: they run in CLAR's).
        n_views, seed: as every preset (keyword only).

    Returns:
        A :class:`~augkit.views.generator.ViewGenerator` of float32 ``[channels, time]`` views.

    Raises:
        InvalidArgument: for an unknown augmentation name, a bad rate or length.

    Example:
        >>> a, b = clar(16000, seed=0)(waveform, index=0)
    """
    sample_rate, seconds = _checked_length("clar", sample_rate, seconds)
    if not isinstance(augmentations, str) and not (isinstance(augmentations, Sequence) and
                                                   all(isinstance(n, str) for n in augmentations)):
        raise WrongArgumentType(f"clar(): augmentations={augmentations!r:.80} must be a name or a list of names "
                                f"from {list(CLAR_AUGMENTATIONS)}")
    names = [augmentations] if isinstance(augmentations, str) else list(augmentations)
    unknown = [n for n in names if n not in CLAR_AUGMENTATIONS]
    if unknown:
        raise InvalidArgument(f"clar(): augmentations={augmentations!r:.80} holds {unknown[0]!r}; choose from "
                              f"{list(CLAR_AUGMENTATIONS)}")
    steps = [_clar_step(n, sample_rate) for n in CLAR_AUGMENTATIONS if n in names]
    return Compose([RandomCrop(seconds, sample_rate), *steps])


@preset("audio.effects", modality="audio", views=2)
def effects(sample_rate: int = 16000, seconds: float = 1.0, *, room_p: float = 0.5, filter_p: float = 0.5,
            eq_p: float = 0.3, codec_p: float = 0.2, distortion_p: float = 0.1, noise_p: float = 0.3,
            impulse_responses: Sequence[str | Path | torch.Tensor | np.ndarray] | None = None) -> Augmenter[Any]:
    """Views that sound like the same source in another room, through another microphone and channel.

    Per view, after a random ``seconds`` segment: a room (:class:`~augkit.audio.ApplyImpulseResponse`,
    synthetic with RT60 0.1–0.8 s or one of ``impulse_responses``, 20–80 % wet) with probability
    ``room_p``; a microphone or loudspeaker band limit (low-pass at 30–90 % of Nyquist, high-pass
    at 50–400 Hz or a telephone-like band-pass) with ``filter_p``; a three-band peaking EQ of ±9 dB
    with ``eq_p``; a codec (MP3 16–64 kbps where the rate allows MP3, else Ogg Vorbis) with
    ``codec_p``; mild saturation or clipping with ``distortion_p``; a noise floor at 10–30 dB SNR
    with ``noise_p``; gain in ±6 dB with probability 0.5. The level stays about the same; the
    words, notes or events do not change.

    Args:
        sample_rate: of the input clips, in Hz.
        seconds: length of each view.
        room_p, filter_p, eq_p, codec_p, distortion_p, noise_p: the probabilities of the steps.
        impulse_responses: recorded room responses (paths or waveforms at ``sample_rate``);
            None for synthetic rooms.
        n_views, seed: as every preset (keyword only).

    Returns:
        A :class:`~augkit.views.generator.ViewGenerator` of float32 ``[channels, time]`` views.

    Raises:
        InvalidArgument: for a probability outside [0, 1], a bad rate, length or responses.

    Example:
        >>> a, b = effects(16000, seed=0)(waveform, index=0)
    """
    sample_rate, seconds = _checked_length("effects", sample_rate, seconds)
    probability = {name: _arg("effects", name, Probability(), value) for name, value in (
        ("room_p", room_p), ("filter_p", filter_p), ("eq_p", eq_p), ("codec_p", codec_p),
        ("distortion_p", distortion_p), ("noise_p", noise_p))}
    nyquist = sample_rate / 2
    try:
        room = ApplyImpulseResponse(impulse_responses, (0.1, 0.8), (0.2, 0.8), sample_rate)
    except (AugkitError, FileNotFoundError) as err:
        raise type(err)(f"effects(): impulse_responses: {err}") from None
    band_center = min(1700.0, 0.4 * nyquist)
    microphone = OneOf([
        LowPass((0.3 * nyquist, 0.9 * nyquist), 4, sample_rate),
        HighPass((min(50.0, 0.05 * nyquist), min(400.0, 0.2 * nyquist)), 2, sample_rate),
        BandPass(band_center, (1.0, 1.8), 2, sample_rate),
    ])
    codec: Augmenter[Any] = CodecCompression("vorbis", (0.3, 1.0), sample_rate)
    if mp3_bitrates(sample_rate):
        codec = OneOf([Mp3Compression((16, 64), sample_rate), codec])
    return Compose([
        RandomCrop(seconds, sample_rate),
        RandomApply(room, p=probability["room_p"]),
        RandomApply(microphone, p=probability["filter_p"]),
        RandomApply(PeakingEQ((min(100.0, 0.1 * nyquist), 0.8 * nyquist), (-9.0, 9.0), (0.7, 3.0), 3, sample_rate),
                    p=probability["eq_p"]),
        RandomApply(codec, p=probability["codec_p"]),
        RandomApply(OneOf([TanhDistortion((0.01, 0.3)), ClippingDistortion((0.0, 5.0))]),
                    p=probability["distortion_p"]),
        RandomApply(AddNoise((10.0, 30.0), "pink"), p=probability["noise_p"]),
        RandomApply(Gain((-6.0, 6.0)), p=0.5),
    ])
