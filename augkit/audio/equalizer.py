"""Peaking equalizer: one or more bell-shaped boosts or cuts at drawn frequencies."""

from __future__ import annotations

import math

import numpy as np
import torch

from augkit.audio import _iir
from augkit.core import Augmenter, Params, expect
from augkit.core.args import Arg, Integer, Probability, Range, SampleRate
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.registry import register

__all__ = ["PeakingEQ"]

_GAIN_DB = (-40.0, 40.0)
_Q = (0.05, 50.0)


@register
class PeakingEQ(Augmenter[torch.Tensor]):
    """``bands`` peaking filters in cascade (a parametric EQ), each with a drawn centre, gain and Q.

    Each band is the Audio EQ Cookbook's peaking biquad (R. Bristow-Johnson; audiomentations'
    ``augmentations/peaking_filter.py`` uses the same one): gain ``gain_db`` at ``center_hz``,
    0 dB far from it, a bell whose width falls as ``q`` grows. The centre is drawn log-uniformly
    (equal chances per octave, as frequencies are heard); gains and Q uniformly. Several bands make
    the multi-band EQ of audiomentations' ``SevenBandParametricEQ`` with centres that move. Causal,
    the length kept; ``scipy.signal.sosfilt`` on the CPU, one FFT pair per batch on a GPU
    (:mod:`augkit.audio._iir`).

    Args:
        center_hz: the centre frequency range ``(min, max)`` or a fixed value, below ``sample_rate / 2``.
        gain_db: the gain at the centre, a range or a fixed value in [-40, 40].
        q: the quality factor, a range or a fixed value in [0.05, 50].
        bands: how many bands (1 to 16).
        sample_rate: of the clips, in Hz.
        p: probability of equalizing.

    Record: ``{"applied": True, "center_hz": [float] * bands, "gain_db": [...], "q": [...]}``.

    Raises:
        InvalidArgument: for a centre at or above the Nyquist frequency, a gain or Q out of range.
        InvalidParams: for a record whose lists are not ``bands`` long or hold values out of range.

    Example:
        >>> coloured = PeakingEQ(center_hz=(100, 6000), gain_db=(-12, 12), bands=3, sample_rate=16000)(waveform)
    """

    name = "audio.peaking_eq"
    modality = "audio"
    args = (
        Arg("center_hz", Range(0.0, None, low_open=True), (50.0, 7500.0), "the centre frequency in Hz"),
        Arg("gain_db", Range(*_GAIN_DB), (-12.0, 12.0), "the gain at the centre in dB"),
        Arg("q", Range(*_Q), (0.5, 5.0), "the quality factor (higher: narrower)"),
        Arg("bands", Integer(1, 16), 1, "how many peaking filters"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("p", Probability(), 1.0, "probability of equalizing"),
    )
    drawn = {"center_hz": list, "gain_db": list, "q": list}
    center_hz: tuple[float, float]
    gain_db: tuple[float, float]
    q: tuple[float, float]
    bands: int
    sample_rate: int

    def setup(self) -> None:
        if not self.center_hz[1] < self.sample_rate / 2:
            raise InvalidArgument(f"PeakingEQ center_hz={self.center_hz!r} reaches the Nyquist frequency "
                                  f"{self.sample_rate / 2:g} Hz of sample_rate={self.sample_rate}: lower it")

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        low, high = (math.log(f) for f in self.center_hz)
        centers = np.exp(rng.uniform(low, high, self.bands)) if low < high else np.full(self.bands, self.center_hz[0])
        gains = rng.uniform(*self.gain_db, self.bands)
        qs = rng.uniform(*self.q, self.bands)
        return {"center_hz": [float(v) for v in centers], "gain_db": [float(v) for v in gains],
                "q": [float(v) for v in qs]}

    def _values(self, params: Params, key: str, low: float, high: float) -> list[float]:
        values = expect(params, key, list, self)
        if len(values) != self.bands or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and low <= v <= high
                for v in values):
            raise InvalidParams(f"PeakingEQ params[{key!r}]={values!r:.80} must be a list of {self.bands} numbers in "
                                f"[{low:g}, {high:g}]; pass the record sample() drew")
        return [float(v) for v in values]

    def _coefficients(self, records: list[Params]) -> tuple[np.ndarray, np.ndarray]:
        bs, as_ = [], []
        for r in records:
            b, a = _iir.peaking_biquads(self._values(r, "center_hz", 1e-6, self.sample_rate / 2 * (1 - 1e-9)),
                                        self._values(r, "gain_db", *_GAIN_DB), self._values(r, "q", *_Q),
                                        self.sample_rate)
            bs.append(b)
            as_.append(a)
        return np.stack(bs), np.stack(as_)

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        b, a = self._coefficients(records)
        if batch.device.type == "cpu":
            return _iir.apply_sections(batch, list(np.concatenate([b, a], axis=-1)))
        poles = np.concatenate([np.roots(section) for section in a.reshape(-1, 3)])
        n_fft = _iir.grid(batch.shape[-1], _iir.tail_samples(poles))
        return _iir.apply_responses(batch, _iir.biquad_responses(b, a, n_fft), n_fft)
