"""Short noises (a door, a cough, a beep) from recordings, dropped into the clip at drawn SNRs."""

from __future__ import annotations

import math

import numpy as np
import torch

from augkit.audio._sources import Recordings, checker
from augkit.core import Augmenter, Params, expect, uniform
from augkit.core.args import REQUIRED, Arg, Probability, Range, SampleRate, Value
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.registry import register

__all__ = ["AddShortNoises"]

_SNR_DB = (-60.0, 120.0)
#: Each noise fades in and out over this long (or a quarter of the noise, if shorter), so that its
#: edges do not click.
FADE_SECONDS = 0.005


@register
class AddShortNoises(Augmenter[torch.Tensor]):
    """Add ``count`` short recordings at drawn places in the clip, each at its own drawn SNR.

    Each noise is one of ``sources``, played from its beginning at a start drawn uniformly in the
    clip and cut at the clip's end, with 5 ms linear fades at its edges. Its gain sets the ratio
    of the clip's power (over the whole clip) to the noise's power (over the samples it covers)
    to ``snr_db``; audiomentations' ``augmentations/add_short_noises.py`` also measures the noise
    over the noise alone. A mono recording is added to every channel; one with another channel
    count is averaged to mono first. A silent clip, or a silent recording, adds nothing.

    A batch is handled one clip at a time: the noises of each clip sit at their own places.

    Args:
        sources: audio file paths and/or waveforms ``[time]`` / ``[channels, time]`` at ``sample_rate``.
        snr_db: a ``(min, max)`` range or a fixed value in [-60, 120], drawn per noise.
        count: how many noises per view, ``(min, max)`` whole numbers or a fixed one, in [1, 64].
        sample_rate: of the clips, in Hz (files at another rate are resampled when first read).
        p: probability of adding noises.

    Record: ``{"applied": True, "noises": [[source, start, snr_db], ...]}``.

    Raises:
        WrongArgumentType / InvalidArgument: for bad ``sources`` (as AddBackgroundNoise), an SNR
            or count out of range.
        FileNotFoundError: for a path that does not exist.
        InvalidParams: for a malformed ``noises`` list or a source out of range.

    Example:
        >>> AddShortNoises(["door.wav", "cough.flac"], snr_db=(0, 15), count=(1, 3), sample_rate=16000)
    """

    name = "audio.add_short_noises"
    modality = "audio"
    args = (
        Arg("sources", Value(checker("short noise"), "a non-empty list of audio file paths and/or waveforms"),
            REQUIRED, "the noise recordings"),
        Arg("snr_db", Range(*_SNR_DB), (0.0, 20.0), "signal-to-noise ratio of each noise in dB"),
        Arg("count", Range(1, 64), (1.0, 3.0), "how many noises per view"),
        Arg("sample_rate", SampleRate(), 16000, "of the clips, in Hz"),
        Arg("p", Probability(), 1.0, "probability of adding noises"),
    )
    drawn = {"noises": list}
    sources: list[str | torch.Tensor]
    snr_db: tuple[float, float]
    count: tuple[float, float]
    sample_rate: int

    def setup(self) -> None:
        if any(c != int(c) for c in self.count):
            raise InvalidArgument(f"AddShortNoises count={self.count!r} must be whole numbers, e.g. (1, 3)")
        self._recordings = Recordings(self.sources, self.sample_rate, "AddShortNoises")

    @classmethod
    def example(cls) -> AddShortNoises:
        """Two synthetic bursts (a 1 kHz beep of 0.1 s and a decaying click) as the recordings."""
        t = torch.arange(1600) / 16000
        beep = 0.2 * torch.sin(2 * torch.pi * 1000 * t)
        click = torch.exp(-t * 200) * torch.sin(2 * torch.pi * 300 * t)
        return cls([beep, click], snr_db=(0, 15), count=(1, 3), sample_rate=16000)

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        count = int(rng.integers(int(self.count[0]), int(self.count[1]) + 1))
        noises = []
        for _ in range(count):
            source = int(rng.integers(len(self.sources)))
            noises.append([source, int(rng.integers(x.shape[-1])), uniform(rng, self.snr_db)])
        return {"noises": noises}

    def _noises(self, params: Params) -> list[tuple[int, int, float]]:
        noises = expect(params, "noises", list, self)
        out = []
        for entry in noises:
            ok = isinstance(entry, list) and len(entry) == 3 and all(
                isinstance(v, int) and not isinstance(v, bool) for v in entry[:2]) and \
                isinstance(entry[2], (int, float)) and not isinstance(entry[2], bool)
            if not ok or entry[1] < 0 or not (math.isfinite(entry[2]) and _SNR_DB[0] <= entry[2] <= _SNR_DB[1]):
                raise InvalidParams(f"AddShortNoises params['noises'] entry {entry!r:.60} must be [source, start >= 0, "
                                    f"snr_db in {list(_SNR_DB)}]; pass the record sample() drew")
            out.append((int(entry[0]), int(entry[1]), float(entry[2])))
        return out

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        n = x.shape[-1]
        p_clip = float(x.double().pow(2).mean())
        out = x.clone()
        for source, start, snr in self._noises(params):
            noise = self._recordings[source].to(x.device)
            if start >= n:
                continue
            piece = _faded(noise[:, : n - start], round(FADE_SECONDS * self.sample_rate))
            if piece.shape[0] != x.shape[0]:
                piece = (piece.mean(dim=0, keepdim=True) if piece.shape[0] != 1 else piece).expand(x.shape[0], -1)
            p_noise = float(piece.double().pow(2).mean())
            if p_clip == 0 or p_noise == 0:
                continue
            gain = math.sqrt(p_clip / (p_noise * 10.0 ** (snr / 10.0)))
            out[:, start : start + piece.shape[-1]] += gain * piece
        return out


def _faded(noise: torch.Tensor, fade: int) -> torch.Tensor:
    """``noise`` with linear fades of ``fade`` samples (at most a quarter of it) at both ends."""
    n = noise.shape[-1]
    fade = min(fade, n // 4)
    if fade < 1:
        return noise
    ramp = torch.linspace(0.0, 1.0, fade + 1, device=noise.device)[1:]
    envelope = torch.ones(n, device=noise.device)
    envelope[:fade] = ramp
    envelope[n - fade :] = ramp.flip(0)
    return noise * envelope
