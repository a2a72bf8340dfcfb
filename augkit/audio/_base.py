"""The audio op base: one clip or a batch with per-example params."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from augkit.audio._waveform import as_waveform, restore
from augkit.core import Augmenter, Params

__all__ = ["WaveOp"]


class WaveOp(Augmenter[Any]):
    """Base of the audio ops.

    Subclasses implement ``_draw(clip, rng)`` and ``_apply(clip, params)`` on one clip
    ``[channels, time]``. A batch ``[batch, channels, time]`` gets ``{"batch": [p_0, ...]}``, one
    dict per example drawn in order from the same stream, and each example is processed with its
    own params; ops that change the length must keep it in batch mode (``keeps_length``).
    """

    changes_length = False

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        wav, layout = as_waveform(x)
        if layout.batched:
            return {"batch": [self._draw(clip, rng) for clip in wav]}
        return self._draw(wav[0], rng)

    def apply(self, x: Any, params: Params) -> Any:
        wav, layout = as_waveform(x)
        if layout.batched:
            per_example = params.get("batch")
            if not isinstance(per_example, list) or len(per_example) != wav.shape[0]:
                raise ValueError(f"{type(self).__name__}: batch of {wav.shape[0]} needs params {{'batch': [...]}} "
                                 "with one dict per example")
            outs = [self._apply(clip, p) for clip, p in zip(wav, per_example, strict=True)]
            lengths = {o.shape[-1] for o in outs}
            if len(lengths) != 1:
                raise ValueError(f"{type(self).__name__} would give a ragged batch (lengths {sorted(lengths)}); "
                                 "use keep_length=True in batch mode")
            return restore(torch.stack(outs), layout)
        return restore(self._apply(wav[0], params)[None], layout)

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        raise NotImplementedError
