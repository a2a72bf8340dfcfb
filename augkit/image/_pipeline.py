"""The presets' chain of image ops: each op gets its own stream, derived cheaply.

:class:`augkit.core.Compose` gives each child ``rng.spawn(1)``-style streams, which costs ≈ 8–20 µs
per op (a SeedSequence each); on a 32×32 image that is more than the ops themselves. Here the
parent stream draws one random 128-bit Philox key per op, and the op draws from a Philox generator
with that key and counter 0. Philox is counter-based: distinct keys give independent streams by
construction (Salmon et al. 2011), so every op still has its own stream, at ≈ 1.5 µs per op.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from augkit.core import Augmenter, Compose, Params
from augkit.image.ops import _Op

__all__ = ["Pipeline"]

_ZERO = np.zeros(4, dtype=np.uint64)
_local = threading.local()


def _philox() -> np.random.Generator:
    # One re-keyed generator per thread; it is handed only to augkit's own image ops, which draw
    # from it and never keep it (they do not spawn, so its missing seed sequence does not matter).
    gen: np.random.Generator | None = getattr(_local, "generator", None)
    if gen is None:
        gen = np.random.Generator(np.random.Philox(key=np.zeros(2, dtype=np.uint64)))
        _local.generator = gen
    return gen


class Pipeline(Compose):
    """Apply image ``ops`` in order, each drawing from its own Philox stream keyed from ``rng``.

    Same params as :class:`augkit.core.Compose` (``{"ops": [{"op", "params"}, ...]}``), so its
    ``apply`` and replay are Compose's. Ops that are not augkit image ops (a user's composite,
    the albumentations wrapper) get a full ``np.random.Generator`` seeded from their key.

    Example:
        >>> Pipeline([RandomResizedCrop(32), HorizontalFlip()]).augment(img, np.random.default_rng(0))
    """

    def __init__(self, ops: Sequence[Augmenter[Any]]) -> None:
        super().__init__(ops)
        self._fast = [isinstance(op, _Op) for op in self.ops]

    def _streams(self, rng: np.random.Generator) -> Any:
        """Yield ``(op, stream)`` in order; each stream is valid until the next one is yielded."""
        keys = rng.integers(0, 2**64, size=(len(self.ops), 2), dtype=np.uint64, endpoint=False)
        for op, fast, key in zip(self.ops, self._fast, keys, strict=True):
            if fast:
                child = _philox()
                child.bit_generator.state = {
                    "bit_generator": "Philox",
                    "state": {"counter": _ZERO, "key": key},
                    "buffer": _ZERO,
                    "buffer_pos": 4,
                    "has_uint32": 0,
                    "uinteger": 0,
                }
            else:
                child = np.random.default_rng(key.tolist())
            yield op, child

    def augment(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        records = []
        for op, child in self._streams(rng):
            x, p = op.augment(x, child)
            records.append({"op": op.name or type(op).__name__, "params": p})
        return x, {"ops": records}

    def draw(self, x: Any, rng: np.random.Generator) -> Params:
        """The params :meth:`augment` would record, drawn without applying any op.

        Only valid when no op's draw depends on an earlier op's output (true for a leading
        :class:`RandomResizedCrop` followed by pixel ops); :func:`augkit.image.generate_batch`
        checks that before using it.
        """
        return {"ops": [{"op": op.name, "params": op.sample(x, child)} for op, child in self._streams(rng)]}
