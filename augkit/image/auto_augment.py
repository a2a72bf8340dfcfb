"""Automatic augmentation policies: RandAugment, TrivialAugment and BLIP's RandomAugment.

Each draws a list of sub-ops with magnitudes (:mod:`augkit.image.auto_augment_ops`, torchvision's
14) from uniform doubles only, so a batch draws every record at once, and records them:
``{"applied": True, "ops": [{"op": "rotate", "magnitude": -27.0}, ...]}``. A batch runs stage by
stage, each sub-op's kernel once over the images that drew it at that stage; ``transform`` runs the
same kernels on a stack of one, so host batches equal single images bit for bit. On a torch device
the colour sub-ops (brightness, color, contrast) are ColorJitter's torch kernels, within a level
of the host's (:mod:`augkit.image.torch_kernels`); bilinear warps may round a border pixel the
other way (:mod:`augkit.image.warp`); the others compute the host's maths exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import Arg, Choice, Integer, Numbers, Probability
from augkit.core.errors import InvalidArgument
from augkit.core.registry import register
from augkit.image import auto_augment_ops as S

__all__ = ["BLIP_OPS", "BlipRandomAugment", "RandAugment", "TrivialAugment"]

#: BLIP's RandomAugment list (``salesforce/BLIP``, ``data/__init__.py``: ``RandomAugment(2, 5,
#: isPIL=True, augs=[...])``), in its order.
BLIP_OPS = ("identity", "autocontrast", "brightness", "sharpness", "equalize", "shear_x", "shear_y",
            "translate_x", "translate_y", "rotate")


def _interpolation(default: str) -> Arg:
    return Arg("interpolation", Choice(("nearest", "linear")), default, "resampling of the geometric sub-ops")


def _fill(default: float) -> Arg:
    return Arg("fill", Numbers((1, 3), 0.0, 255.0), default, "grey level, or RGB levels, of the area from outside")


class _Policy(Augmenter[np.ndarray]):
    """A policy of sub-ops: the record holds the list of ``{"op", "magnitude"}`` it applies, in order."""

    modality = "image"
    drawn = {"ops": list}
    interpolation: str
    fill: tuple[float, ...]

    def _ops(self, shape: tuple[int, ...], u: list[float]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        n = self.uniform_draws()
        return {"ops": self._ops(x.shape, rng.random(n).tolist() if n else [])}

    def draw_uniforms(self, items: Sequence[Any], u: np.ndarray) -> list[Params | None]:
        return [{"ops": self._ops(x.shape, row.tolist())} for x, row in zip(items, u, strict=True)]

    def check_params(self, x: Any, params: Params) -> None:
        S.check(params["ops"], type(self).__name__)

    @classmethod
    def swaps_left_right(cls, params: Params) -> bool:
        """Whether the geometric sub-ops together put the left of the image on the right (a
        rotation beyond 90°: TrivialAugment's reach 135°)."""
        if params.get("applied", True) is not True:
            return False
        return S.forward_x_sign(S.check(params.get("ops", []), cls.__name__)) < 0

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return self._run(x[None], [params])[0]

    def transform_batch(self, batch: Any, records: list[Params]) -> Any:
        return self._run(batch, records)

    def _run(self, batch: Any, records: list[Params]) -> Any:
        host = isinstance(batch, np.ndarray)
        ops = [[(e["op"], float(e["magnitude"])) for e in r["ops"]] for r in records]
        out = batch.copy() if host else batch.clone()
        for stage in range(max((len(o) for o in ops), default=0)):
            groups: dict[str, list[int]] = {}
            for i, o in enumerate(ops):
                if len(o) > stage and o[stage][0] != "identity":
                    groups.setdefault(o[stage][0], []).append(i)
            for name, rows in groups.items():
                values = [ops[i][stage][1] for i in rows]
                if len(rows) == len(ops):
                    out = S.apply_batch(name, out, values, self.interpolation, self.fill)
                else:
                    out[rows] = S.apply_batch(name, out[rows], values, self.interpolation, self.fill)
        return out


def _entry(name: str, magnitude: float, negative: bool) -> dict[str, Any]:
    if negative and S.signed(name) and magnitude != 0.0:
        magnitude = -magnitude
    return {"op": name, "magnitude": magnitude}


@register
class RandAugment(_Policy):
    """Apply ``num_ops`` sub-ops drawn uniformly from torchvision's 14, at magnitude bin ``magnitude`` of 31.

    torchvision v2 ``RandAugment`` (``transforms/v2/_auto_augment.py``, Cubuk et al. 2020): each of
    ``num_ops`` draws one of Identity, ShearX, ShearY, TranslateX, TranslateY, Rotate, Brightness,
    Color, Contrast, Sharpness, Posterize, Solarize, AutoContrast, Equalize with equal chance (with
    replacement), takes its magnitude at bin ``magnitude`` of ``num_magnitude_bins`` (the float32
    ``torch.linspace`` values: shear 0.3, translate 150/331 of the side, rotate 30°, enhancers 0.9,
    posterize 8 → 4 bits, solarize 1 → 0 of 255), negated half of the time for the signed ones.
    The argument names are torchvision's, so a recipe ports keyword for keyword.

    Args:
        num_ops: the sub-ops applied in sequence, in [0, 16].
        magnitude: the magnitude bin, in [0, num_magnitude_bins − 1].
        num_magnitude_bins: the number of bins, in [2, 1000].
        interpolation: ``"nearest"`` (torchvision's default) or ``"linear"``.
        fill: grey level, or RGB levels, of the area geometric sub-ops bring in.
        p: probability of applying the policy.

    Record: ``{"applied": True, "ops": [{"op": name, "magnitude": float}, ...]}``.

    Raises:
        InvalidArgument: for a magnitude beyond the last bin, or an argument outside its bounds.

    Example:
        >>> RandAugment(2, 9)
    """

    name = "image.rand_augment"
    args = (Arg("num_ops", Integer(0, 16), 2, "sub-ops applied in sequence"),
            Arg("magnitude", Integer(0, None), 9, "the magnitude bin"),
            Arg("num_magnitude_bins", Integer(2, 1000), 31, "the number of magnitude bins"),
            _interpolation("nearest"), _fill(0.0), Arg("p", Probability(), 1.0, "probability of applying the policy"))
    num_ops: int
    magnitude: int
    num_magnitude_bins: int

    def setup(self) -> None:
        if self.magnitude >= self.num_magnitude_bins:
            raise InvalidArgument(f"magnitude={self.magnitude} must be a bin in [0, {self.num_magnitude_bins - 1}] "
                                  f"(num_magnitude_bins={self.num_magnitude_bins})")

    def uniform_draws(self) -> int:
        return 2 * self.num_ops

    def _ops(self, shape: tuple[int, ...], u: list[float]) -> list[dict[str, Any]]:
        out = []
        for k in range(self.num_ops):
            name = S.NAMES[min(int(u[2 * k] * len(S.NAMES)), len(S.NAMES) - 1)]
            table = S.magnitudes(name, self.num_magnitude_bins, shape[0], shape[1], "randaugment")
            out.append(_entry(name, 0.0 if table is None else table[self.magnitude], u[2 * k + 1] <= 0.5))
        return out


@register
class TrivialAugment(_Policy):
    """Apply one sub-op drawn uniformly from torchvision's 14 at a magnitude bin drawn uniformly (TrivialAugment Wide).

    torchvision v2 ``TrivialAugmentWide`` (Müller & Hutter 2021): the wide space (shear 0.99,
    translate 32 pixels, rotate 135°, enhancers 0.99, posterize 8 → 2 bits, solarize 1 → 0), the
    bin uniform over ``num_magnitude_bins``, the sign of signed sub-ops drawn half and half. A
    rotation beyond 90° puts the left on the right: :meth:`swaps_left_right` says so.

    Args:
        num_magnitude_bins: the number of bins, in [2, 1000].
        interpolation: ``"nearest"`` or ``"linear"``.
        fill: grey level, or RGB levels, of the area geometric sub-ops bring in.
        p: probability of applying it.

    Record: ``{"applied": True, "ops": [{"op": name, "magnitude": float}]}``.

    Example:
        >>> TrivialAugment()
    """

    name = "image.trivial_augment"
    args = (Arg("num_magnitude_bins", Integer(2, 1000), 31, "the number of magnitude bins"),
            _interpolation("nearest"), _fill(0.0), Arg("p", Probability(), 1.0, "probability of applying it"))
    num_magnitude_bins: int

    def uniform_draws(self) -> int:
        return 3

    def _ops(self, shape: tuple[int, ...], u: list[float]) -> list[dict[str, Any]]:
        name = S.NAMES[min(int(u[0] * len(S.NAMES)), len(S.NAMES) - 1)]
        table = S.magnitudes(name, self.num_magnitude_bins, shape[0], shape[1], "trivial")
        bin_ = min(int(u[1] * self.num_magnitude_bins), self.num_magnitude_bins - 1)
        return [_entry(name, 0.0 if table is None else table[bin_], u[2] <= 0.5)]


@register
class BlipRandomAugment(_Policy):
    """BLIP's RandomAugment: ``num_ops`` sub-ops drawn from its 10, each firing with p 0.5, at level ``magnitude``.

    ``salesforce/BLIP`` ``transform/randaugment.py`` (``RandomAugment(2, 5, isPIL=True, augs=[...])``
    in ``data/__init__.py``): ops drawn with replacement from Identity, AutoContrast, Brightness,
    Sharpness, Equalize, ShearX, ShearY, TranslateX, TranslateY, Rotate; each fires when a uniform
    double is at most 0.5; at level ``m``: shear factor ``0.3 · m / 10``, translation ``10 · m / 10``
    pixels, rotation ``30 · m / 10`` degrees (each negated half of the time), brightness and
    sharpness factors ``1.8 · m / 10 + 0.1`` (1.0, no change, at BLIP's m = 5); geometric ops fill
    with grey 128, bilinear. The sub-ops are torchvision's kernels, so two details follow torchvision
    rather than BLIP's OpenCV code: rotations turn about ``((w − 1) / 2, (h − 1) / 2)`` (BLIP: ``(w / 2,
    h / 2)``), shears about the image's corner (BLIP: the first pixel's centre), half a pixel apart.

    Args:
        num_ops: the sub-ops drawn, in [0, 16].
        magnitude: BLIP's level, in [0, 10].
        interpolation: ``"linear"`` (BLIP's OpenCV default) or ``"nearest"``.
        fill: grey level, or RGB levels, of the area geometric sub-ops bring in (BLIP's 128).
        p: probability of applying the policy.

    Record: ``{"applied": True, "ops": [{"op": name, "magnitude": float}, ...]}`` (the ops that fired).

    Example:
        >>> BlipRandomAugment(2, 5)
    """

    name = "image.blip_random_augment"
    args = (Arg("num_ops", Integer(0, 16), 2, "sub-ops drawn"),
            Arg("magnitude", Integer(0, 10), 5, "BLIP's level out of 10"),
            _interpolation("linear"), _fill(128.0), Arg("p", Probability(), 1.0, "probability of applying the policy"))
    num_ops: int
    magnitude: int

    def setup(self) -> None:
        level = self.magnitude / 10
        enhance = level * 1.8 + 0.1 - 1.0  # BLIP's factor, as torchvision's 1 + magnitude
        self._values = {"identity": 0.0, "autocontrast": 0.0, "equalize": 0.0, "brightness": enhance,
                        "sharpness": enhance, "shear_x": level * 0.3, "shear_y": level * 0.3,
                        "translate_x": level * 10.0, "translate_y": level * 10.0, "rotate": level * 30.0}

    def uniform_draws(self) -> int:
        return 3 * self.num_ops

    def _ops(self, shape: tuple[int, ...], u: list[float]) -> list[dict[str, Any]]:
        out = []
        for k in range(self.num_ops):
            name = BLIP_OPS[min(int(u[3 * k] * len(BLIP_OPS)), len(BLIP_OPS) - 1)]
            if u[3 * k + 1] <= 0.5:  # BLIP: `if np.random.random() > prob: continue`
                out.append(_entry(name, self._values[name], u[3 * k + 2] <= 0.5))
        return out
