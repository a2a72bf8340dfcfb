"""Random crop: two random segments of one clip are the classic audio positive pair (COLA)."""

from __future__ import annotations

import numpy as np
import torch

from augkit.audio import io
from augkit.audio._waveform import fit
from augkit.core import Augmenter, Params
from augkit.core.args import REQUIRED, Arg, Number, Probability, SampleRate
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.registry import register

__all__ = ["RandomCrop", "crop_gather"]


@register
class RandomCrop(Augmenter[torch.Tensor]):
    """Cut a random segment of ``seconds`` from the clip (COLA, Saeed et al. 2021).

    The segment has ``max(1, round(seconds * sample_rate))`` samples (:attr:`length`) and starts
    at an offset drawn uniformly from every position where it fits. A clip shorter than the
    segment is not an error: it is kept whole and padded with silence at the end (offset 0), so
    every view has the same length and batches are never ragged.

    With ``p < 1`` a clip the op does not fire on keeps its own length: give ``p`` only where the
    views need not share one length.

    Args:
        seconds: the segment length in seconds (> 0).
        sample_rate: of the input, in Hz.
        p: probability of cropping.

    Record: ``{"applied": True, "offset": samples}``.

    Raises:
        InvalidArgument: for ``seconds`` ≤ 0 or not finite, a sample rate ≤ 0, or segments longer
            than :data:`augkit.audio.io.MAX_FRAMES` samples (one hour at 48 kHz).
        WrongArgumentType: for ``seconds`` or ``sample_rate`` that is not a number.
        InvalidParams: for a record whose ``offset`` lies outside the clip.

    Example:
        >>> crop = RandomCrop(seconds=1.0, sample_rate=16000); a, b = crop(wav), crop(wav)
    """

    name = "audio.random_crop"
    modality = "audio"
    args = (
        Arg("seconds", Number(low=0, low_open=True), REQUIRED, "the segment length in seconds"),
        Arg("sample_rate", SampleRate(), REQUIRED, "of the input, in Hz"),
        Arg("p", Probability(), 1.0, "probability of cropping"),
    )
    drawn = {"offset": int}
    seconds: float
    sample_rate: int
    length: int

    def setup(self) -> None:
        samples = self.seconds * self.sample_rate  # a float: inf for absurd seconds, compared before rounding
        if not samples <= io.MAX_FRAMES:
            raise InvalidArgument(f"RandomCrop seconds={self.seconds!r} at sample_rate={self.sample_rate} makes "
                                  f"segments of {samples:.6g} samples, more than augkit.audio.io.MAX_FRAMES = "
                                  f"{io.MAX_FRAMES} ({io.MAX_FRAMES / self.sample_rate:.6g} s at this rate): give "
                                  "the length in seconds, or raise the cap for longer segments")
        self.length = max(1, round(samples))

    @classmethod
    def example(cls) -> RandomCrop:
        """Half-second segments of 16 kHz audio."""
        return cls(seconds=0.5, sample_rate=16000)

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        room = x.shape[-1] - self.length
        return {"offset": int(rng.integers(room + 1)) if room > 0 else 0}

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        offset = int(params["offset"])
        if not 0 <= offset < x.shape[-1]:
            raise InvalidParams(f"RandomCrop params['offset']={offset} lies outside a clip of {x.shape[-1]} "
                                "samples: pass the record sample() drew for this clip")
        return fit(x[..., offset:], self.length)

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        n = batch.shape[-1]
        offsets = [int(r["offset"]) for r in records]
        if any(not 0 <= o < n for o in offsets):
            return super().transform_batch(batch, records)  # transform names the bad record
        if batch.device.type == "cpu":  # a crop is a copy: one slice per example into one output
            out = torch.zeros((*batch.shape[:-1], self.length), dtype=batch.dtype)
            for i, o in enumerate(offsets):
                take = min(self.length, n - o)
                out[i, :, :take] = batch[i, :, o : o + take]
            return out
        return crop_gather(batch, offsets, self.length)


def crop_gather(batch: torch.Tensor, offsets: list[int], length: int) -> torch.Tensor:
    """RandomCrop's kernel on a device, one gather: ``length`` samples of example i from
    ``offsets[i]``, silence past the clip's end."""
    source = torch.tensor(offsets, device=batch.device)[:, None] + torch.arange(length, device=batch.device)
    padded = torch.nn.functional.pad(batch, (0, length))
    return padded.gather(-1, source[:, None, :].expand(-1, batch.shape[1], -1))
