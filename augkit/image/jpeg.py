"""JpegCompression: encode to JPEG at a drawn quality and decode again (libjpeg through OpenCV)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Integer, Probability, Range
from augkit.core.errors import InvalidArgument
from augkit.core.registry import register

__all__ = ["JpegCompression", "jpeg"]


def jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    """``img`` (uint8 RGB ``H×W×3`` or grey ``H×W``) after a JPEG round trip at ``quality`` (1–100)."""
    import cv2

    flags = (int(cv2.IMWRITE_JPEG_QUALITY), int(quality))
    if img.ndim == 2:
        return np.asarray(cv2.imdecode(cv2.imencode(".jpg", img, flags)[1], cv2.IMREAD_GRAYSCALE))
    # libjpeg takes BGR from OpenCV: convert, so the luma and chroma planes are the image's own
    bgr = cv2.imdecode(cv2.imencode(".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), flags)[1], cv2.IMREAD_COLOR)
    return np.asarray(cv2.cvtColor(np.asarray(bgr), cv2.COLOR_BGR2RGB))


@register
class JpegCompression(Augmenter[np.ndarray]):
    """Compress to JPEG at a quality drawn from ``quality`` and decode again (blocking and ringing artefacts).

    The quality is a whole number drawn uniformly from ``[min, max]`` (both included), as
    torchvision v2 ``JPEG(quality=(min, max))`` draws it. The round trip is libjpeg's through OpenCV,
    with the RGB image handed over as BGR so that the luma plane is the image's own (albumentations'
    ``ImageCompression`` passes RGB where OpenCV expects BGR, which weighs red and blue the other way).
    On a torch device the batch goes through the same encoder on the host: JPEG's entropy coding
    has no torch kernel, and the views then equal the host ones exactly.

    Args:
        quality: the JPEG quality, or a ``(min, max)`` range of whole numbers in [1, 100].
        p: probability of compressing.

    Record: ``{"applied": True, "quality": int}``.

    Raises:
        InvalidArgument: for a quality outside [1, 100] or not a whole number.

    Example:
        >>> JpegCompression(quality=(30, 90), p=0.5)
    """

    name = "image.jpeg_compression"
    modality = "image"
    args = (Arg("quality", Range(1.0, 100.0), (50.0, 95.0), "JPEG quality, or a (min, max) range of whole numbers"),
            Arg("p", Probability(), 0.5, "probability of compressing"))
    drawn = {"quality": int}
    record_bounds = {"quality": Integer(1, 100)}
    quality: tuple[float, float]

    def setup(self) -> None:
        if any(q != int(q) for q in self.quality):
            raise InvalidArgument(f"quality={self.quality!r} must hold whole numbers in [1, 100], e.g. (30, 90)")
        self._low, self._high = int(self.quality[0]), int(self.quality[1])

    def _quality(self, u: float) -> int:
        return min(self._low + int(u * (self._high - self._low + 1)), self._high)

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        return {"quality": self._low if self._low == self._high else self._quality(rng.random())}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return jpeg(x, int(params["quality"]))

    def uniform_draws(self) -> int:
        return int(self._low != self._high)

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        if self._low == self._high:
            return [{"quality": self._low} for _ in items]
        return [{"quality": self._quality(v)} for v in u[:, 0].tolist()]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return np.stack([jpeg(x, int(r["quality"])) for x, r in zip(batch, records, strict=True)])
        import torch

        host = batch.to(torch.uint8).cpu().numpy()  # whole levels: the conversion is exact
        images = host[:, 0] if host.shape[1] == 1 else host.transpose(0, 2, 3, 1)
        out = np.stack([jpeg(np.ascontiguousarray(x), int(r["quality"])) for x, r in zip(images, records, strict=True)])
        made = torch.from_numpy(out[:, None] if out.ndim == 3 else out.transpose(0, 3, 1, 2).copy())
        return made.to(device=batch.device, dtype=torch.float32)
