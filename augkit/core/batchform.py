"""How a modality's items stack into the batches the batch engine runs kernels on (:mod:`augkit.core.engine`).

:class:`BatchForm` holds the defaults every descriptor inherits through
:class:`augkit.core.modalities.BaseModality`: arrays and tensors of one type, shape and dtype stack
(numpy on the host, torch on a device), anything else is a list. A modality overrides them where
its batches take another form on a device (images: float32 ``[B, C, H, W]`` levels).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["BatchForm"]


class BatchForm:
    """A modality's batch form: how its items stack, unstack, move and finish."""

    def batch_key(self, item: Any) -> Any:
        """Items with equal keys stack into one batch (by default: arrays and tensors of one type,
        shape and dtype; other items all stack, as a list)."""
        shape = getattr(item, "shape", None)
        return None if shape is None else (type(item), tuple(shape), str(getattr(item, "dtype", "")))

    def to_batch(self, items: Sequence[Any], device: Any = None) -> Any:
        """Items of one :meth:`batch_key` as one batch: numpy arrays stacked, tensors stacked (moved to
        ``device``, a torch device, when given), anything else a list. Ragged items give a list."""
        from augkit.core.batching import stack_items

        return stack_items(items, device)

    def from_batch(self, batch: Any) -> list[Any]:
        """The items of a batch in canonical form (views into it where the form allows)."""
        return list(batch)

    def device_of(self, batch: Any) -> Any:
        """The torch device a batch lives on, or None for the host form."""
        return None if isinstance(batch, list) or type(batch).__module__.startswith("numpy") else batch.device

    def batch_hint(self, views: Sequence[Any]) -> str:
        """What to add to the error of views that do not stack, where the modality knows why ("" by default)."""
        return ""

    def finish_batch(self, batch: Any, output: Any) -> Any:
        """One view position of a batch after the generator's ``output`` step: ``output.convert_batch``
        on a host batch where the output has one, else ``output`` per item, stacked."""
        if output is None:
            return batch
        convert = getattr(output, "convert_batch", None)
        if convert is not None and self.device_of(batch) is None:
            return convert(batch)
        from augkit.core.batching import stack_items

        return stack_items([output(x) for x in self.from_batch(batch)], self.device_of(batch))
