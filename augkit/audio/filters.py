"""Butterworth low-pass, high-pass, band-pass and band-stop filters with a drawn cutoff or band.

The design is closed-form (:mod:`augkit.audio._iir`): the same filter as
``scipy.signal.butter(order, edges, kind, fs=sample_rate)`` applied causally like
``scipy.signal.sosfilt`` (on the CPU by ``sosfilt`` itself, on a GPU with one FFT pair for a
whole batch). audiomentations
(``augmentations/base_butterword_filter.py``) designs the filter with scipy on every call and states
its steepness as a roll-off in dB/octave; here ``order`` is the Butterworth order (6 dB/octave each).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import torch

from augkit.audio import _iir
from augkit.audio._records import bounded
from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Integer, Probability, Range, SampleRate
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.registry import register

__all__ = ["BandPass", "BandStop", "HighPass", "LowPass"]

_HZ = Range(0.0, None, low_open=True)
_FRACTION = Range(0.0, 2.0, low_open=True, high_open=True)
_ORDER = Integer(1, 8)


class _Butterworth(Augmenter[torch.Tensor]):
    """What the four filters share: the design per record and the batched application."""

    modality = "audio"
    kind: ClassVar[str] = ""
    order: int
    sample_rate: int

    def edges(self, params: Params) -> list[float]:
        """The band edges in Hz (one for low/high-pass, two for band filters) a record asks for."""
        raise NotImplementedError

    def _design(self, records: list[Params]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        zeros, poles, refs = [], [], []
        for r in records:
            z, p, ref = _iir.butterworth_zpk(self.kind, self.order, self.edges(r), self.sample_rate)
            zeros.append(z)
            poles.append(p)
            refs.append(ref)
        return np.stack(zeros), np.stack(poles), np.array(refs)

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        if batch.device.type == "cpu":
            designs = (_iir.butterworth_zpk(self.kind, self.order, self.edges(r), self.sample_rate) for r in records)
            return _iir.apply_sections(batch, [_iir.zpk_sections(*design) for design in designs])
        zeros, poles, refs = self._design(records)
        n_fft = _iir.grid(batch.shape[-1], _iir.tail_samples(poles))
        return _iir.apply_responses(batch, _iir.zpk_responses(zeros, poles, refs, n_fft), n_fft)

    def _below_nyquist(self, name: str, highest: float) -> None:
        if not highest < self.sample_rate / 2:
            raise InvalidArgument(f"{type(self).__name__} {name}={getattr(self, name)!r} reaches {highest:g} Hz, at or "
                                  f"above the Nyquist frequency {self.sample_rate / 2:g} Hz of sample_rate="
                                  f"{self.sample_rate}: lower it or give the clips' real sample_rate")

    def _hz(self, params: Params, key: str) -> float:
        return float(bounded(params, key, 1e-6, self.sample_rate / 2 * (1 - 1e-9), self))


class _Cutoff(_Butterworth):
    cutoff_hz: tuple[float, float]
    drawn = {"cutoff_hz": float}

    def setup(self) -> None:
        self._below_nyquist("cutoff_hz", self.cutoff_hz[1])

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"cutoff_hz": uniform(rng, self.cutoff_hz)}

    def edges(self, params: Params) -> list[float]:
        return [self._hz(params, "cutoff_hz")]


@register
class LowPass(_Cutoff):
    """Butterworth low-pass filter of ``order``, its cutoff (-3 dB) drawn uniformly from ``cutoff_hz``.

    A muffled microphone, a wall between source and listener. Causal (the phase of
    ``scipy.signal.sosfilt``), the length kept.

    Args:
        cutoff_hz: the -3 dB frequency, a ``(min, max)`` range or a fixed value, below
            ``sample_rate / 2``.
        order: the Butterworth order (1 to 8) as ``scipy.signal.butter`` means it: 6 dB/octave each.
        sample_rate: of the clips, in Hz.
        p: probability of filtering.

    Record: ``{"applied": True, "cutoff_hz": float}``.

    Raises:
        InvalidArgument: for a cutoff ≤ 0 or at or above the Nyquist frequency, an order outside
            [1, 8], a bad sample rate.
        InvalidParams: for a record whose cutoff is not below the Nyquist frequency.

    Example:
        >>> muffled = LowPass(cutoff_hz=(1000, 4000), order=4, sample_rate=16000)(waveform)
    """

    name = "audio.low_pass"
    kind = "lowpass"
    args = (
        Arg("cutoff_hz", _HZ, (150.0, 7500.0), "the -3 dB frequency in Hz"),
        Arg("order", _ORDER, 4, "the Butterworth order (6 dB/octave each)"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("p", Probability(), 1.0, "probability of filtering"),
    )


@register
class HighPass(_Cutoff):
    """Butterworth high-pass filter of ``order``, its cutoff (-3 dB) drawn uniformly from ``cutoff_hz``.

    A small loudspeaker or a telephone, which lose the low end. Causal, the length kept.

    Args:
        cutoff_hz: the -3 dB frequency, a ``(min, max)`` range or a fixed value, below
            ``sample_rate / 2``.
        order: the Butterworth order (1 to 8) as ``scipy.signal.butter`` means it.
        sample_rate: of the clips, in Hz.
        p: probability of filtering.

    Record: ``{"applied": True, "cutoff_hz": float}``.

    Raises:
        InvalidArgument: as :class:`LowPass`.
        InvalidParams: for a record whose cutoff is not below the Nyquist frequency.

    Example:
        >>> thin = HighPass(cutoff_hz=(100, 800), sample_rate=16000)(waveform)
    """

    name = "audio.high_pass"
    kind = "highpass"
    args = (
        Arg("cutoff_hz", _HZ, (20.0, 2400.0), "the -3 dB frequency in Hz"),
        Arg("order", _ORDER, 4, "the Butterworth order (6 dB/octave each)"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("p", Probability(), 1.0, "probability of filtering"),
    )


class _Band(_Butterworth):
    center_hz: tuple[float, float]
    bandwidth_fraction: tuple[float, float]
    drawn = {"center_hz": float, "bandwidth_fraction": float}
    record_bounds = {"bandwidth_fraction": _FRACTION}

    def setup(self) -> None:
        self._below_nyquist("center_hz", self.center_hz[1] * (1 + self.bandwidth_fraction[1] / 2))

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        return {"center_hz": uniform(rng, self.center_hz), "bandwidth_fraction": uniform(rng, self.bandwidth_fraction)}

    def edges(self, params: Params) -> list[float]:
        center = self._hz(params, "center_hz")
        fraction = float(bounded(params, "bandwidth_fraction", 1e-6, 2 - 1e-6, self))
        high = center * (1 + fraction / 2)
        if not high < self.sample_rate / 2:
            raise InvalidParams(f"{type(self).__name__} params['center_hz']={center!r} with "
                                f"params['bandwidth_fraction']={fraction!r} put the band's upper edge at {high:g} Hz, "
                                "not below the Nyquist "
                                f"frequency {self.sample_rate / 2:g} Hz; pass the record sample() drew")
        return [center * (1 - fraction / 2), high]


_BAND_ARGS: tuple[Arg, ...] = (
    Arg("center_hz", _HZ, (200.0, 4000.0), "the centre of the band in Hz"),
    Arg("bandwidth_fraction", _FRACTION, (0.5, 1.99), "the bandwidth divided by the centre frequency"),
    Arg("order", _ORDER, 2, "the Butterworth order of the prototype (the filter has twice as many poles)"),
    Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
    Arg("p", Probability(), 1.0, "probability of filtering"),
)


@register
class BandPass(_Band):
    """Butterworth band-pass filter around a drawn centre, with a drawn relative bandwidth.

    The band runs from ``center * (1 - fraction / 2)`` to ``center * (1 + fraction / 2)`` (the
    -3 dB edges), as in audiomentations' ``BandPassFilter``: a fraction of 1 is a band one centre
    frequency wide. Causal, the length kept.

    Args:
        center_hz: the centre frequency, a ``(min, max)`` range or a fixed value.
        bandwidth_fraction: bandwidth / centre, a range or a fixed value in (0, 2).
        order: the prototype's Butterworth order (1 to 8), as ``scipy.signal.butter(order,
            [low, high], "bandpass")`` means it.
        sample_rate: of the clips, in Hz.
        p: probability of filtering.

    Record: ``{"applied": True, "center_hz": float, "bandwidth_fraction": float}``.

    Raises:
        InvalidArgument: for a band whose upper edge reaches the Nyquist frequency, a fraction
            outside (0, 2), an order outside [1, 8].
        InvalidParams: for a record whose band does not fit below the Nyquist frequency.

    Example:
        >>> telephone = BandPass(center_hz=1700, bandwidth_fraction=1.8, sample_rate=16000)(waveform)
    """

    name = "audio.band_pass"
    kind = "bandpass"
    args = _BAND_ARGS


@register
class BandStop(_Band):
    """Butterworth band-stop (notch) filter around a drawn centre, with a drawn relative bandwidth.

    The same band as :class:`BandPass`, removed instead of kept. Causal, the length kept.

    Args:
        center_hz: the centre frequency, a ``(min, max)`` range or a fixed value.
        bandwidth_fraction: bandwidth / centre, a range or a fixed value in (0, 2).
        order: the prototype's Butterworth order (1 to 8).
        sample_rate: of the clips, in Hz.
        p: probability of filtering.

    Record: ``{"applied": True, "center_hz": float, "bandwidth_fraction": float}``.

    Raises:
        InvalidArgument: as :class:`BandPass`.
        InvalidParams: for a record whose band does not fit below the Nyquist frequency.

    Example:
        >>> notched = BandStop(center_hz=(500, 3000), bandwidth_fraction=(0.2, 0.8), sample_rate=16000)(waveform)
    """

    name = "audio.band_stop"
    kind = "bandstop"
    args = _BAND_ARGS
