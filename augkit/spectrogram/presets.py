"""Spectrogram view presets: SpecAugment's policies and BYOL-A's views, each with its log-mel front end.

Every preset sets the generator's input step (:class:`~augkit.spectrogram.LogMel`), so it takes
waveforms, audio files' paths and log-mels already made (``.npy``).
"""

from __future__ import annotations

from typing import Any

from augkit.core import Augmenter, Compose
from augkit.core.args import Arg, Choice, Integer, Number, SampleRate
from augkit.core.errors import InvalidArgument
from augkit.spectrogram.crop import RandomCrop
from augkit.spectrogram.fader import RandomLinearFader
from augkit.spectrogram.logmel import LogMel
from augkit.spectrogram.masks import FrequencyMask, TimeMask
from augkit.spectrogram.mixup import MixupLogExp
from augkit.spectrogram.resize_crop import RandomResizeCrop
from augkit.spectrogram.time_warp import TimeWarp
from augkit.views.generator import ViewGenerator
from augkit.views.presets import preset

__all__ = ["BYOL_A", "SPECAUGMENT_POLICIES", "byol_a", "specaugment"]

#: Park et al. 2019, "SpecAugment", Table 1: ``(W, F, m_F, T, p, m_T)`` per policy (LibriSpeech basic
#: and double, Switchboard mild and strong).
SPECAUGMENT_POLICIES = {
    "LB": (80, 27, 1, 100, 1.0, 1),
    "LD": (80, 27, 2, 100, 1.0, 2),
    "SM": (40, 15, 2, 70, 0.2, 2),
    "SS": (40, 27, 2, 70, 0.2, 2),
}

#: BYOL-A's values, by version: the front end (``config.yaml``, ``v2/config_v2.yaml``: 16 kHz,
#: ``unit_sec`` 0.95, n_fft 1024, hop 160, 64 mels over 60–7800 Hz, shape [64, 96]) and the mixup
#: ratio (``MixupBYOLA`` in ``byol_a/augmentations.py``: 0.4; ``v2/train_v2.py``: 0.2).
BYOL_A = {"sample_rate": 16000, "n_fft": 1024, "hop": 160, "n_mels": 64, "f_min": 60.0, "f_max": 7800.0,
          "frames": 96, "mixup_ratio": {1: 0.4, 2: 0.2}}

_SPEC_OPTIONS = (Arg("sample_rate", SampleRate(), 16000, "the waveforms' rate in Hz", keyword_only=True),
                 Arg("n_mels", Integer(1, 1024), 80, "mel bands of the log-mel", keyword_only=True))
_NORM_OPTIONS = (Arg("mean", Number(), 0.0, "dataset mean of the log-mels (norm_stats)", keyword_only=True),
                 Arg("std", Number(0.0, None, low_open=True), 1.0, "dataset std of the log-mels", keyword_only=True))


def _specaugment_views(pipelines: Any, n_views: int, seed: int | None, *, sample_rate: int,
                       n_mels: int) -> ViewGenerator:
    # the paper's front end: 25 ms windows every 10 ms (section 4.1), up to the Nyquist frequency
    if round(0.010 * sample_rate) < 1 or round(0.025 * sample_rate) < 2:
        raise InvalidArgument(f"specaugment(): sample_rate={sample_rate} Hz is too low for 25 ms windows every "
                              "10 ms; give the waveforms' rate (at least 100 Hz)")
    step = LogMel(sample_rate, round(0.025 * sample_rate), round(0.010 * sample_rate), n_mels, 0.0, sample_rate / 2)
    return ViewGenerator(pipelines, n_views=n_views, seed=seed, input=step)


@preset("spectrogram.specaugment", modality="spectrogram", views=2, options=_SPEC_OPTIONS, finish=_specaugment_views)
def specaugment(policy: str = "LD") -> Augmenter[Any]:
    """SpecAugment (Park et al. 2019): time warp, then frequency masks, then time masks, per view.

    The policies of the paper's Table 1 (:data:`SPECAUGMENT_POLICIES`), ``(W, F, m_F, T, p, m_T)``:
    LB ``(80, 27, 1, 100, 1.0, 1)``, LD ``(80, 27, 2, 100, 1.0, 2)``, SM ``(40, 15, 2, 70, 0.2, 2)``,
    SS ``(40, 27, 2, 70, 0.2, 2)``: :class:`TimeWarp` ``(max_warp=W)``, :class:`FrequencyMask`
    ``(max_width=F, count=m_F)``, :class:`TimeMask` ``(max_width=T, count=m_T, max_time_fraction=p)``.
    Masks hold the log-mel's mean (the paper's zero on normalised features). The input step is
    the paper's front end: ``n_mels`` (80) log-mel bands of 25 ms windows every 10 ms at
    ``sample_rate``. Two views by default (a contrastive pair); ``n_views=1`` is plain SpecAugment.

    Args:
        policy: "LB", "LD", "SM" or "SS".

    Example:
        >>> vg = augkit.spectrogram.specaugment("LD", seed=0); a, b = vg("speech.wav", index=0)
    """
    name = Choice(tuple(SPECAUGMENT_POLICIES))(policy, "specaugment(policy)")
    w, f, m_f, t, p, m_t = SPECAUGMENT_POLICIES[name]
    return Compose([TimeWarp(max_warp=w), FrequencyMask(max_width=f, count=m_f),
                    TimeMask(max_width=t, count=m_t, max_time_fraction=p)])


def _byol_a_views(pipelines: Any, n_views: int, seed: int | None, *, mean: float, std: float) -> ViewGenerator:
    step = LogMel(16000, 1024, 160, 64, 60.0, 7800.0, mean=mean, std=std)  # the values of BYOL_A
    return ViewGenerator(pipelines, n_views=n_views, seed=seed, input=step)


@preset("spectrogram.byol_a", modality="spectrogram", views=2, fixed_views=True, options=_NORM_OPTIONS,
        finish=_byol_a_views)
def byol_a(version: int = 1) -> Augmenter[Any]:
    """BYOL-A's two views (Niizumi et al. 2021; v2: 2023), from waveforms or audio files at 16 kHz.

    Input step (``config.yaml``, the same in ``v2/config_v2.yaml``): 16 kHz, n_fft 1024, hop 160,
    64 mel bands over 60–7800 Hz, ``log(mel + eps)``, then ``(x - mean) / std`` with the dataset's
    statistics (``PrecomputedNorm``; compute them with :func:`augkit.spectrogram.norm_stats`; v1's
    ``train.py`` uses a running normalisation instead). Per view: 96 frames (0.95 s, ``unit_sec``),
    :class:`MixupLogExp` (``max_ratio`` 0.4 in v1, 0.2 in v2), :class:`RandomResizeCrop` with a
    virtual canvas of ``(1.0, 1.5)`` and frequency and time scales ``(0.6, 1.5)``, bicubic; v2 adds
    :class:`RandomLinearFader` (gain 1.0). Files: ``byol_a/augmentations.py``,
    ``v2/byol_a2/augmentations.py``, ``v2/train_v2.py``.

    Where this differs from the reference code, and why: BYOL-A mixes with a FIFO memory bank of
    past inputs (2,048 in v1, 512 in v2); here the partner is drawn uniformly from the generator's
    source (``ViewGenerator(source=...)``, datasets pass their own), so views stay reproducible.
    BYOL-A crops one 0.95 s segment per sample and makes both views from it; augkit's views draw
    independently, so each view crops its own 96 frames (for clips of at most 0.95 s the two are
    the same). BYOL-A normalises each batch after augmentation (``NormalizeBatch``): do that in
    the training step.

    Args:
        version: 1 or 2.

    Example:
        >>> vg = augkit.spectrogram.byol_a(2, mean=-6.2, std=4.9, seed=0)
        >>> a, b = ViewDataset(FolderDataset("speech/", modality="spectrogram"), vg)[0]
    """
    v = Choice((1, 2))(version, "byol_a(version)")
    frames, ratio = BYOL_A["frames"], BYOL_A["mixup_ratio"]
    assert isinstance(frames, int) and isinstance(ratio, dict)
    ops: list[Augmenter[Any]] = [RandomCrop(frames=frames), MixupLogExp(max_ratio=ratio[v]),
                                 RandomResizeCrop(virtual_crop_scale=(1.0, 1.5), freq_scale=(0.6, 1.5),
                                                  time_scale=(0.6, 1.5), interpolation="bicubic")]
    if v == 2:
        ops.append(RandomLinearFader(gain=1.0))
    return Compose(ops)
