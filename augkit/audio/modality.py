"""The audio modality: float32 ``[channels, time]`` waveforms (torch), one clip or a batch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from augkit.errors import InvalidInput
from augkit.modalities import register

__all__ = ["AudioModality"]


class AudioModality:
    """Ops see one clip, a float32 tensor ``[channels, time]``.

    Accepted (:func:`augkit.audio._waveform.as_waveform`): float32, float64 or int16 tensors or
    numpy arrays shaped ``[time]``, ``[channels, time]`` or ``[batch, channels, time]``; a result
    goes back in the caller's layout and never shares memory with the input. A batch gets one
    record per example.
    """

    name = "audio"

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        from augkit.audio._waveform import as_waveform

        wav, layout = as_waveform(x, name=f"{where} input")
        ptr = wav.untyped_storage().data_ptr()
        if layout.batched:
            return wav, True, (layout, ptr)
        return wav[0], False, (layout, ptr)

    def leave(self, y: Any, ctx: Any) -> Any:
        from augkit.audio._waveform import restore

        layout, ptr = ctx
        if y.untyped_storage().data_ptr() == ptr:
            y = y.clone()  # an op that did not fire, a shift of 0, a crop: never hand out the input's memory
        return restore(y if layout.batched else y[None], layout)

    def stack(self, items: Sequence[Any], where: str) -> Any:
        import torch

        lengths = sorted({item.shape[-1] for item in items})
        if len(lengths) != 1:
            raise InvalidInput(f"{where} would give a ragged batch (lengths {lengths}): augment the clips one at a "
                               "time, or keep lengths equal (TimeStretch(keep_length=True); p=1 for RandomCrop)")
        return torch.stack(list(items))


register(AudioModality())
