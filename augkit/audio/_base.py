"""The audio op base: one clip or a batch with per-example params."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from augkit.audio._waveform import as_waveform, restore
from augkit.core import Augmenter, Params

__all__ = ["WaveOp"]


class WaveOp(Augmenter[Any]):
    """Base of the audio ops.

    Subclasses implement ``_draw(clip, rng)`` and ``_apply(clip, params)`` on one clip
    ``[channels, time]``. A batch ``[batch, channels, time]`` gets ``{"batch": [p_0, ...]}``: one
    dict per example, drawn in order from the same stream, each exactly what the op would draw for
    that clip alone; applying it equals applying each ``p_i`` to example ``i``. Ops may override
    ``_apply_batch`` to do that in one vectorized pass. A result never shares memory with the
    input, so writing into a view cannot change the clip it came from.
    """

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        wav, layout = as_waveform(x)
        if layout.batched:
            return {"batch": [self._draw(clip, rng) for clip in wav]}
        return self._draw(wav[0], rng)

    def apply(self, x: Any, params: Params) -> Any:
        wav, layout = as_waveform(x)
        if layout.batched:
            per_example = params.get("batch") if isinstance(params, dict) else None
            if not isinstance(per_example, list) or len(per_example) != wav.shape[0]:
                raise ValueError(f"{type(self).__name__}: a batch of {wav.shape[0]} needs params "
                                 "{'batch': [...]} with one dict per example (from sample() on the batch)")
            out = self._apply_batch(wav, per_example)
        else:
            if not isinstance(params, dict) or "batch" in params:
                raise ValueError(f"{type(self).__name__}: one clip needs the params dict sample() drew for one clip, "
                                 f"got {params!r:.80}")
            out = self._apply(wav[0], params)[None]
        if out.untyped_storage().data_ptr() == wav.untyped_storage().data_ptr():
            out = out.clone()  # an identity (shift 0) or a crop is a view: never hand out the input's memory
        return restore(out, layout)

    def _apply_batch(self, wav: torch.Tensor, params: Sequence[Params]) -> torch.Tensor:
        """Apply per-example params to ``[batch, channels, time]``; by default one clip at a time."""
        outs = [self._apply(clip, p) for clip, p in zip(wav, params, strict=True)]
        lengths = sorted({o.shape[-1] for o in outs})
        if len(lengths) != 1:
            raise ValueError(f"{type(self).__name__} would give a ragged batch (lengths {lengths}); "
                             "use keep_length=True in batch mode, or augment the clips one at a time")
        return torch.stack(outs)

    def _draw(self, clip: torch.Tensor, rng: np.random.Generator) -> Params:
        return {}

    def _apply(self, clip: torch.Tensor, params: Params) -> torch.Tensor:
        raise NotImplementedError

