"""A fixed number of frames from a random place: BYOL-A's 0.95 s segments, on the log-mel."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Probability, Value
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.registry import register
from augkit.spectrogram._form import EPS
from augkit.spectrogram._kernels import crop_frames

__all__ = ["SILENCE", "RandomCrop"]

#: A silent frame of an unnormalised log-mel: ``log(0 + eps)`` (:class:`augkit.spectrogram.LogMel`).
SILENCE = float(np.log(np.float32(EPS)))


def _pad_value(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise InvalidArgument(f"{name}={value!r:.40} must be None (each input's minimum) or a finite number")
    return float(value)


@register
class RandomCrop(Augmenter[torch.Tensor]):
    """``frames`` consecutive frames from a place drawn uniformly; a shorter input is padded at both ends.

    BYOL-A (``byol_a/dataset.py``) pads a short waveform with zeros at both ends (half each) and
    crops a random 0.95 s segment (96 frames at hop 160, 16 kHz) of a long one. This does the same
    on the log-mel: padding frames hold ``pad_value``, or with ``None`` (the default) the input's
    own minimum, its quietest cell (close to :data:`SILENCE` = ``log(eps)``, the log-mel of
    digital silence, and right whether or not the log-mel is normalised). Frames at the edge of
    the cut see the STFT window reach past it, so the cut differs from a log-mel of the cut
    waveform in its outer frame or two.

    Args:
        frames: the number of frames of every view.
        pad_value: what padding frames hold (a number), or None for each input's minimum.
        p: probability of cropping (with ``p < 1`` views keep their own length and may not stack).

    Record: ``{"applied": True, "offset": frame}``: the first frame taken, negative when padded in front.

    Raises:
        InvalidArgument: for ``frames < 1``.
        InvalidParams: for an offset that takes no frame of this input.

    Example:
        >>> segment = RandomCrop(frames=96)(log_mel)
    """

    name = "spectrogram.random_crop"
    modality = "spectrogram"
    args = (Arg("frames", Integer(1, 1 << 24), 96, "frames of every view"),
            Arg("pad_value", Value(_pad_value, "None or a finite number"), None, "what padding frames hold"),
            Arg("p", Probability(), 1.0, "probability of cropping"))
    drawn = {"offset": int}
    record_bounds = {"offset": Integer(-(1 << 24), 1 << 40)}
    frames: int
    pad_value: float | None

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        extra = x.shape[-1] - self.frames
        return {"offset": int(rng.integers(0, extra + 1)) if extra > 0 else extra // 2 if extra < 0 else 0}

    def check_params(self, x: torch.Tensor, params: Params) -> None:
        offset = params["offset"]
        if offset >= x.shape[-1] or offset + self.frames <= 0:
            raise InvalidParams(f"RandomCrop params['offset']={offset} takes none of this input's {x.shape[-1]} "
                                "frames; pass the record sample() drew for it")

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        offsets = [int(r["offset"]) for r in records]
        if self.pad_value is not None:
            return crop_frames(batch, offsets, self.frames, torch.full((len(records),), self.pad_value))
        return crop_frames(batch, offsets, self.frames, torch.stack([item.min() for item in batch]))
