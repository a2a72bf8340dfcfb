"""The photometric image ops: colour jitter, grayscale, Gaussian blur and solarize.

Each maps a uint8 ``H×W×3`` (RGB) or ``H×W`` (grayscale) image to one of the same kind, draws its
record from uniform doubles (so a batch draws all its records at once, :meth:`draw_uniforms`) and
has a batch kernel for host stacks (:mod:`augkit.image.kernels`, equal to ``transform`` bit for bit)
and for torch batches on a device (:mod:`augkit.image.torch_kernels`, within the rounding stated there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params, modalities, uniform
from augkit.core.args import Arg, Choice, Integer, Number, Probability, Range, Strength, Value
from augkit.core.recordcheck import recorded_choice
from augkit.core.registry import register
from augkit.image import functional as F
from augkit.image import kernels
from augkit.image.tf_color import SEMANTICS, tf_jitter

__all__ = ["BLUR_TRUNCATE", "MAX_BLUR_KERNEL", "MAX_BLUR_SIGMA", "ColorJitter", "GaussianBlur", "Solarize", "ToGray"]


#: GaussianBlur's kernel radius in standard deviations (the kernel's side is ``2 * ceil(3σ) + 1``)
BLUR_TRUNCATE = 3.0
#: The largest standard deviation GaussianBlur takes, in pixels.
MAX_BLUR_SIGMA = 100.0
#: The largest kernel side GaussianBlur draws (that of :data:`MAX_BLUR_SIGMA`): a replayed record
#: holding a larger one is refused, where OpenCV would buffer that many rows of the image.
MAX_BLUR_KERNEL = 2 * math.ceil(BLUR_TRUNCATE * MAX_BLUR_SIGMA) + 1


def _optional_odd(value: object, name: str) -> int | None:
    return None if value is None else Integer(1, None, odd=True)(value, name)


@register
class ColorJitter(Augmenter[np.ndarray]):
    """Randomly change brightness, contrast, saturation and hue, in random order (torchvision's maths,
    or ``tf.image``'s with ``semantics=``).

    Each argument is a jitter strength or an exact range. A number ``v`` keeps torchvision's and
    albumentations' meaning: brightness, contrast and saturation factors are drawn from
    ``[max(0, 1 - v), 1 + v]`` and hue from ``[-v, v]`` (a fraction of the colour wheel, within
    ±0.5); 0 leaves that property alone. A ``(min, max)`` tuple is exactly that range, so a fixed
    factor is ``(1.2, 1.2)``. This is the one place in augkit where a single number is a strength
    rather than a fixed value. Grayscale images only get brightness and contrast. The kernels
    compute exactly what Albumentations' torchvision-compatible ``adjust_*_torchvision`` functions
    compute, called through OpenCV without their per-call checks (see :mod:`augkit.image.functional`).

    Args:
        brightness, contrast, saturation: a strength ``v >= 0`` (factors in ``[max(0, 1 - v), 1 + v]``)
            or an exact ``(min, max)`` range of factors, min >= 0; stored as the normalized range.
        hue: a strength ``h`` (shifts in ``[-h, h]``, h <= 0.5) or an exact ``(min, max)`` range
            within [-0.5, 0.5], in turns of the colour wheel; stored as the normalized range.
        p: probability of jittering.
        semantics: whose maths applies the drawn values (:mod:`augkit.image.tf_color`):
            ``"torchvision"`` (the default), ``"tensorflow"`` (``tf.image``: additive brightness,
            contrast around each channel's mean, saturation and hue in float HSV; BYOL's code) or
            ``"simclr_v2"`` (the same with multiplicative brightness, SimCLR's ``data_util.py``).
            The draws are the same for all three.

    Record: ``{"applied", "order": [names], "brightness", "contrast", "saturation", "hue"}``, and
    ``"semantics"`` when it is not ``"torchvision"`` (a record without it is torchvision's).

    Raises:
        InvalidArgument: for a negative strength, a hue beyond 0.5, or a range with min > max.

    Example:
        >>> ColorJitter(0.8, 0.8, 0.8, 0.2, p=0.8)   # SimCLR's colour distortion with s = 1
    """

    name = "image.color_jitter"
    modality = "image"
    _NAMES = ("brightness", "contrast", "saturation", "hue")
    args = (
        Arg("brightness", Strength(1.0, low=0.0), 0.4, "brightness factor: strength or (min, max)"),
        Arg("contrast", Strength(1.0, low=0.0), 0.4, "contrast factor: strength or (min, max)"),
        Arg("saturation", Strength(1.0, low=0.0), 0.4, "saturation factor: strength or (min, max)"),
        Arg("hue", Strength(0.0, low=-0.5, high=0.5), 0.1, "hue shift: strength or (min, max)"),
        Arg("p", Probability(), 0.8, "probability of jittering"),
        Arg("semantics", Choice(SEMANTICS), "torchvision", "whose maths: 'torchvision', 'tensorflow' or 'simclr_v2'",
            keyword_only=True),
    )
    drawn = {"order": list, "brightness": float, "contrast": float, "saturation": float, "hue": float}
    brightness: tuple[float, float]
    contrast: tuple[float, float]
    saturation: tuple[float, float]
    hue: tuple[float, float]
    semantics: str

    def setup(self) -> None:
        self._ranges = {name: getattr(self, name) for name in self._NAMES}
        self._tag = {} if self.semantics == "torchvision" else {"semantics": self.semantics}

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        # one draw: 4 factors, then 4 keys whose ranks give a uniformly random order
        draws = rng.random(8)
        order = [self._NAMES[i] for i in np.argsort(draws[4:], kind="stable").tolist()]
        out: Params = {"order": order}
        for name, u in zip(self._NAMES, draws[:4].tolist(), strict=True):
            lo, hi = self._ranges[name]
            out[name] = float(lo + (hi - lo) * u)
        return out | self._tag

    def semantics_of(self, params: Params) -> str:
        """The maths a record was made with (torchvision's when it does not say)."""
        return recorded_choice(params, "semantics", SEMANTICS, "torchvision", self)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        semantics = self.semantics_of(params)
        if semantics != "torchvision":
            return tf_jitter(x, params["order"], params, semantics)
        gray = x.ndim == 2
        for name in params["order"]:
            factor = params[name]
            if name == "brightness" and factor != 1.0:
                x = F.brightness(x, factor)
            elif name == "contrast" and factor != 1.0:
                x = F.contrast(x, factor)
            elif name == "saturation" and factor != 1.0 and not gray:
                x = F.saturation(x, factor)
            elif name == "hue" and factor != 0.0 and not gray:
                x = F.hue(x, factor)
        return x

    def uniform_draws(self) -> int:
        return 8

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        # draw()'s arithmetic on every row: 4 factors, then the ranks of 4 keys
        factors = [(lo + (hi - lo) * u[:, c]).tolist() for c, (lo, hi) in enumerate(self._ranges.values())]
        orders = np.argsort(u[:, 4:8], axis=1, kind="stable").tolist()
        return [{"order": [self._NAMES[c] for c in order], "brightness": b, "contrast": c, "saturation": s, "hue": h}
                | self._tag for order, b, c, s, h in zip(orders, *factors, strict=True)]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if any(self.semantics_of(r) != "torchvision" for r in records):
            return self._tf_batch(batch, records)
        if isinstance(batch, np.ndarray):
            return kernels.jitter(batch, records)
        from augkit.image import torch_kernels

        return torch_kernels.jitter(batch, records)

    def transform_rows(self, batch: Any, rows: list[int], records: list[Params]) -> bool:
        if not (isinstance(batch, np.ndarray) and batch.flags.c_contiguous):
            return False
        if any(self.semantics_of(r) != "torchvision" for r in records):
            for i, r in zip(rows, records, strict=True):
                batch[i] = self.transform(batch[i], r)
            return True
        kernels.jitter_rows(batch, rows, records)
        return True

    def _tf_batch(self, batch: Any, records: list[Params]) -> Any:
        """Records of mixed semantics, each image on the host (a torch batch's images go there and
        back through the image descriptor's batch form)."""
        form: Any = modalities.get(self.modality)  # its batch form (augkit.core.batchform)
        views = [self.transform(x, r) for x, r in zip(form.from_batch(batch), records, strict=True)]
        return form.to_batch(views, form.device_of(batch))


@register
class ToGray(Augmenter[np.ndarray]):
    """Convert to grayscale with probability ``p``, keeping 3 channels (ITU-R 601 weights).

    A grayscale (``H×W``) input is returned as it is.

    Args:
        p: probability of converting.

    Record: ``{"applied": bool}``.

    Example:
        >>> ToGray(p=0.2)
    """

    name = "image.to_gray"
    modality = "image"
    args = (Arg("p", Probability(), 0.2, "probability of converting"),)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return x if x.ndim == 2 else F.gray(x)

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return kernels.gray(batch)
        from augkit.image import torch_kernels

        return torch_kernels.gray(batch)

    def transform_rows(self, batch: Any, rows: list[int], records: list[Params]) -> bool:
        if not isinstance(batch, np.ndarray):
            return False
        kernels.gray_rows(batch, rows)
        return True


@register
class GaussianBlur(Augmenter[np.ndarray]):
    """Gaussian blur with ``sigma`` drawn uniformly from a range, with probability ``p``.

    The kernel is truncated at radius ``ceil(3σ)`` (:data:`BLUR_TRUNCATE`) and never made larger
    than ``kernel_size`` (SimCLR's 10 % of the image side). The weights beyond 3σ hold 0.27 % of the
    Gaussian's mass, so the result equals the full-size kernel's within rounding (at most one grey
    level in uint8, tested), at a fraction of the cost for small σ: 13 taps instead of 17 at σ = 2.

    Args:
        sigma: range of the standard deviation in pixels.
        kernel_size: the largest (odd) kernel side; None leaves only the 3σ truncation.
        p: probability of blurring.
        border: what lies beyond the image: ``"reflect"`` (the image mirrored, OpenCV's and PIL's
            way) or ``"zeros"`` (black, what SimCLR's and BYOL's TensorFlow blur pads with: it
            darkens a border as wide as the kernel's radius).

    Record: ``{"applied": True, "sigma": float, "kernel_size": int}``, and ``"border"`` when it is
    not ``"reflect"`` (a record without it is reflected); the recorded kernel side is at most
    :data:`MAX_BLUR_KERNEL` (601), whatever ``kernel_size`` allows.

    Example:
        >>> GaussianBlur(sigma=(0.1, 2.0), kernel_size=23, p=0.5)
    """

    name = "image.gaussian_blur"
    modality = "image"
    args = (
        Arg("sigma", Range(0.0, MAX_BLUR_SIGMA, low_open=True), (0.1, 2.0),
            "range of the standard deviation in pixels"),
        Arg("kernel_size", Value(_optional_odd, "a positive odd int or None"), None, "the largest kernel side"),
        Arg("p", Probability(), 0.5, "probability of blurring"),
        Arg("border", Choice(tuple(F.BORDERS)), "reflect", "beyond the image: 'reflect' or 'zeros'",
            keyword_only=True),
    )
    drawn = {"sigma": float, "kernel_size": int}
    # the kernel drawn is the 3σ one, capped by the argument: its bound follows from sigma's
    record_bounds = {"kernel_size": Integer(1, MAX_BLUR_KERNEL, odd=True)}
    sigma: tuple[float, float]
    kernel_size: int | None
    border: str

    def setup(self) -> None:
        self._tag = {} if self.border == "reflect" else {"border": self.border}

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        sigma = uniform(rng, self.sigma)
        radius = math.ceil(BLUR_TRUNCATE * sigma)
        if self.kernel_size is not None:
            radius = min(radius, self.kernel_size // 2)
        return {"sigma": sigma, "kernel_size": 2 * radius + 1} | self._tag

    def border_of(self, params: Params) -> str:
        """The border a record was made with (reflected when it does not say)."""
        return recorded_choice(params, "border", tuple(F.BORDERS), "reflect", self)

    def check_params(self, x: np.ndarray, params: Params) -> None:
        self.border_of(params)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return F.blur(x, float(params["sigma"]), int(params["kernel_size"]), self.border_of(params))

    def uniform_draws(self) -> int:
        return 0 if self.sigma[0] == self.sigma[1] else 1

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        lo, hi = self.sigma
        sigmas = [lo] * len(items) if lo == hi else (lo + (hi - lo) * u[:, 0]).tolist()  # uniform()'s arithmetic
        cap = None if self.kernel_size is None else self.kernel_size // 2
        out: list[Params | None] = []
        for sigma in sigmas:
            radius = math.ceil(BLUR_TRUNCATE * sigma)
            side = 2 * (radius if cap is None else min(radius, cap)) + 1
            out.append({"sigma": sigma, "kernel_size": side} | self._tag)
        return out

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return kernels.blur(batch, records)
        from augkit.image import torch_kernels

        return torch_kernels.blur(batch, records)

    def transform_rows(self, batch: Any, rows: list[int], records: list[Params]) -> bool:
        if not isinstance(batch, np.ndarray):
            return False
        kernels.blur_rows(batch, rows, records)
        return True


@register
class Solarize(Augmenter[np.ndarray]):
    """Invert every pixel at or above ``threshold`` (grey levels, 0–255), with probability ``p``.

    Args:
        threshold: the grey level from which pixels are inverted, in [0, 256] (256: none).
        p: probability of solarizing.

    Record: ``{"applied": bool}``.

    Example:
        >>> Solarize(threshold=128, p=0.2)   # BYOL's second view
    """

    name = "image.solarize"
    modality = "image"
    args = (
        Arg("threshold", Number(0, 256), 128.0, "grey level from which pixels are inverted"),
        Arg("p", Probability(), 0.2, "probability of solarizing"),
    )
    threshold: float

    def setup(self) -> None:
        self.table = F.solarize_table(self.threshold)

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return F.apply_lut(x, self.table)

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        if isinstance(batch, np.ndarray):
            return kernels.lut(batch, self.table)
        from augkit.image import torch_kernels

        return torch_kernels.solarize(batch, self.threshold)

    def transform_rows(self, batch: Any, rows: list[int], records: list[Params]) -> bool:
        if not (isinstance(batch, np.ndarray) and batch.flags.c_contiguous):
            return False
        kernels.lut_rows(batch, rows, self.table)
        return True


