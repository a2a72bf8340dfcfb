"""Fade in and fade out, with the five fade shapes of CLAR and torchaudio."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from augkit.core import Augmenter, Params, expect, uniform
from augkit.core.args import Arg, Integer, Probability, Range, Value
from augkit.core.errors import InvalidArgument, InvalidParams, WrongArgumentType
from augkit.core.registry import register

__all__ = ["SHAPES", "Fade"]

#: The fade-in curves over t in [0, 1] (a fade-out is the curve at 1 - t), as
#: ``torchaudio.transforms.Fade`` defines them and CLAR's ``utils.py`` (``add_fade``) uses them.
SHAPES: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "linear": lambda t: t,
    "exponential": lambda t: torch.pow(2.0, t - 1.0) * t,
    "logarithmic": lambda t: torch.log10(0.1 + t) + 1.0,
    "quarter_sine": lambda t: torch.sin(t * (math.pi / 2)),
    "half_sine": lambda t: torch.sin(t * math.pi - math.pi / 2) / 2 + 0.5,
}


def _check_shapes(value: Any, name: str) -> tuple[str, ...]:
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, Sequence) or isinstance(names, (bytes, bytearray)):
        raise WrongArgumentType(f"{name}={value!r:.80} must be a fade shape or a list of them: one of {sorted(SHAPES)}")
    unknown = [s for s in names if not isinstance(s, str) or s not in SHAPES]
    if unknown or not names:
        raise InvalidArgument(f"{name}={value!r:.80} must be a fade shape or a non-empty list of them, each one of "
                              f"{sorted(SHAPES)}")
    return tuple(names)


def envelopes(length: int, fade_in: Sequence[int], fade_out: Sequence[int], shapes: Sequence[str],
              device: torch.device) -> torch.Tensor:
    """The gain curves ``[B, length]`` of a batch of fades (float32, in [0, 1])."""
    i = torch.arange(length, device=device, dtype=torch.float64)[None, :]
    n_in = torch.tensor([min(n, length) for n in fade_in], device=device, dtype=torch.float64)[:, None]
    n_out = torch.tensor([min(n, length) for n in fade_out], device=device, dtype=torch.float64)[:, None]
    t_in = (i / (n_in - 1).clamp_min(1)).clamp(0, 1)
    t_out = ((i - (length - n_out)) / (n_out - 1).clamp_min(1)).clamp(0, 1)
    env = torch.ones(len(shapes), length, device=device, dtype=torch.float64)
    for shape in sorted(set(shapes)):  # at most five passes, each over every example of that shape
        rows = torch.tensor([k for k, s in enumerate(shapes) if s == shape], device=device)
        curve = SHAPES[shape]
        rising = torch.where(i < n_in[rows], curve(t_in[rows]), 1.0)
        falling = torch.where(i >= length - n_out[rows], curve(1.0 - t_out[rows]), 1.0)
        env[rows] = (rising * falling).clamp(0, 1)
    return env.to(torch.float32)


@register
class Fade(Augmenter[torch.Tensor]):
    """Fade the clip in from silence and out to silence, over drawn fractions of its length.

    Each view draws a fade-in and a fade-out length (fractions of the clip, rounded to samples)
    and one of ``shape``; the fade-in gain over its ``n`` samples is ``curve(linspace(0, 1, n))``
    and the fade-out's the mirror image, as in ``torchaudio.transforms.Fade``. CLAR (Al-Tahan &
    Mohsenzadeh 2021, ``utils.py``: ``add_fade``) draws both lengths up to half the clip and one of
    the five shapes per clip: ``Fade()``'s defaults. Fades that overlap multiply.

    Args:
        fade_in: the fade-in length as a fraction of the clip, a ``(min, max)`` range or a fixed
            value in [0, 1].
        fade_out: the fade-out length, likewise.
        shape: one of "linear", "exponential", "logarithmic", "quarter_sine", "half_sine", or a
            list of them to draw one from per view.
        p: probability of fading.

    Record: ``{"applied": True, "fade_in_samples": int, "fade_out_samples": int, "shape": str}`` (lengths
    longer than a clip replayed on it cover all of it).

    Raises:
        InvalidArgument: for fractions outside [0, 1] or an unknown shape.
        InvalidParams: for a record with negative lengths or an unknown shape.

    Example:
        >>> faded = Fade(fade_in=(0, 0.5), fade_out=(0, 0.5), shape="quarter_sine")(waveform)
    """

    name = "audio.fade"
    modality = "audio"
    args = (
        Arg("fade_in", Range(0, 1), (0.0, 0.5), "fade-in length as a fraction of the clip"),
        Arg("fade_out", Range(0, 1), (0.0, 0.5), "fade-out length as a fraction of the clip"),
        Arg("shape", Value(_check_shapes, f"a fade shape or a list of them ({', '.join(SHAPES)})"), tuple(SHAPES),
            "the fade curve, or curves to draw one from"),
        Arg("p", Probability(), 1.0, "probability of fading"),
    )
    drawn = {"fade_in_samples": int, "fade_out_samples": int, "shape": str}
    record_bounds = {"fade_in_samples": Integer(0, None), "fade_out_samples": Integer(0, None)}
    fade_in: tuple[float, float]
    fade_out: tuple[float, float]
    shape: tuple[str, ...]

    def draw(self, x: torch.Tensor, rng: np.random.Generator) -> Params:
        n = x.shape[-1]
        fade_in, fade_out = round(uniform(rng, self.fade_in) * n), round(uniform(rng, self.fade_out) * n)
        shape = self.shape[0] if len(self.shape) == 1 else self.shape[int(rng.integers(len(self.shape)))]
        return {"fade_in_samples": fade_in, "fade_out_samples": fade_out, "shape": shape}

    def _shape(self, params: Params) -> str:
        shape = expect(params, "shape", str, self)
        if shape not in SHAPES:
            raise InvalidParams(f"Fade params['shape'] must be one of {sorted(SHAPES)}, got {shape!r:.40}; pass the "
                                "record sample() drew")
        return str(shape)

    def transform(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return self.transform_batch(x[None], [params])[0]

    def transform_batch(self, batch: torch.Tensor, records: list[Params]) -> torch.Tensor:
        env = envelopes(batch.shape[-1], [int(r["fade_in_samples"]) for r in records],
                        [int(r["fade_out_samples"]) for r in records], [self._shape(r) for r in records], batch.device)
        return batch * env[:, None, :]
