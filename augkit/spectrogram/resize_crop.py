"""BYOL-A's random resize crop: a box of a virtual canvas around the log-mel, resized back to its size."""

from __future__ import annotations

import numpy as np
import torch

from augkit.core import Augmenter, Params, uniform
from augkit.core.args import Arg, Choice, Integer, Probability, Range
from augkit.core.errors import InvalidParams
from augkit.core.registry import register
from augkit.spectrogram._kernels import resize_crop

__all__ = ["RandomResizeCrop"]


@register
class RandomResizeCrop(Augmenter[torch.Tensor]):
    """Crop a random box of a zero canvas holding the log-mel at its centre and resize it back: BYOL-A's crop.

    As BYOL-A's ``RandomResizeCrop`` (``byol_a/augmentations.py``, the same in v2): the canvas is
    ``⌊mels · vf⌋ × ⌊frames · vt⌋`` for ``virtual_crop_scale = (vf, vt)`` (default ``(1.0, 1.5)``),
    zeros with the log-mel copied to its centre (zero is the mean of a normalised log-mel); the box
    is ``h = clip(⌊U(freq_scale) · mels⌋, 1, canvas height)`` by ``w = clip(⌊U(time_scale) · frames⌋,
    1, canvas width)`` at a top-left corner drawn uniformly over the places it fits; the box is
    resized to ``mels × frames`` with ``interpolation`` and ``align_corners=True``. A box taller than
    the input shows the canvas edge repeated (``F.interpolate`` clamps there too). Values above 1
    in ``freq_scale``/``time_scale`` zoom out, below 1 zoom in: pitch and tempo both change.

    The resize runs as two weighted gathers per batch (per-example boxes): within 1e-4 of BYOL-A's
    ``F.interpolate`` on the cut-out box (tested).

    Args:
        virtual_crop_scale: ``(vf, vt)``, the canvas size over the input's, each in [1, 4].
        freq_scale: the ``(min, max)`` box height over the number of mel bands, in (0, 4].
        time_scale: the ``(min, max)`` box width over the number of frames, in (0, 4].
        interpolation: "bicubic" (BYOL-A's) or "bilinear".
        p: probability of cropping.

    Record: ``{"applied": True, "top": int, "left": int, "height": int, "width": int}`` on the canvas.

    Raises:
        InvalidArgument: for scales out of range or an unknown interpolation.
        InvalidParams: for a box outside this input's canvas.

    Example:
        >>> cropped = RandomResizeCrop(virtual_crop_scale=(1.0, 1.5), freq_scale=(0.6, 1.5))(log_mel)
    """

    name = "spectrogram.random_resize_crop"
    modality = "spectrogram"
    args = (Arg("virtual_crop_scale", Range(1.0, 4.0), (1.0, 1.5), "canvas size over the input's (mels, frames)"),
            Arg("freq_scale", Range(0.0, 4.0, low_open=True), (0.6, 1.5), "box height over the mel bands"),
            Arg("time_scale", Range(0.0, 4.0, low_open=True), (0.6, 1.5), "box width over the frames"),
            Arg("interpolation", Choice(("bicubic", "bilinear")), "bicubic", "how the box is resized"),
            Arg("p", Probability(), 1.0, "probability of cropping"))
    drawn = {"top": int, "left": int, "height": int, "width": int}
    record_bounds = {"top": Integer(0, None), "left": Integer(0, None), "height": Integer(1, None),
                     "width": Integer(1, None)}
    virtual_crop_scale: tuple[float, float]
    freq_scale: tuple[float, float]
    time_scale: tuple[float, float]
    interpolation: str

    def canvas(self, x: torch.Tensor) -> tuple[int, int]:
        """The virtual canvas ``(height, width)`` for ``x``, as BYOL-A sizes it (``int(size * scale)``)."""
        return int(x.shape[-2] * self.virtual_crop_scale[0]), int(x.shape[-1] * self.virtual_crop_scale[1])

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        (ch, cw), (m, t) = self.canvas(x), x.shape[-2:]
        h = int(np.clip(int(uniform(rng, self.freq_scale) * m), 1, ch))
        w = int(np.clip(int(uniform(rng, self.time_scale) * t), 1, cw))
        top = int(rng.integers(0, ch - h + 1)) if ch > h else 0
        left = int(rng.integers(0, cw - w + 1)) if cw > w else 0
        return {"top": top, "left": left, "height": h, "width": w}

    def check_params(self, x: torch.Tensor, params: Params) -> None:
        ch, cw = self.canvas(x)
        if params["top"] + params["height"] > ch or params["left"] + params["width"] > cw:
            raise InvalidParams(f"RandomResizeCrop params box {[params[k] for k in self.drawn]} does not fit this "
                                f"input's {ch}x{cw} canvas; pass the record sample() drew for it")

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        boxes = [(int(r["top"]), int(r["left"]), int(r["height"]), int(r["width"])) for r in records]
        return resize_crop(batch, boxes, self.canvas(batch[0]), self.interpolation)
