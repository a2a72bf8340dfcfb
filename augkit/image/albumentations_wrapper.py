"""Drive an existing albumentations pipeline from augkit's streams, so its views replay."""

from __future__ import annotations

import copy
import os
import random
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.registry import register

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

__all__ = ["Albumentations"]


@register
class Albumentations(Augmenter[Any]):
    """Wrap any albumentations transform or ``Compose`` a user already has.

    ``sample`` draws one integer seed from augkit's rng and gives **every** transform in the tree
    its own stream derived from it (albumentations' own ``Compose(seed=...)`` hands one seed to all
    children, so two identical-looking transforms draw identical values, and DataLoader workers
    repeat each other's views). Params hold the seed and what albumentations applied — which
    transforms fired, with their values — so the record means something to a reader; ``apply``
    re-seeds the streams and runs the pipeline again, bit for bit.

    The wrapped pipeline is copied: the caller's object is never re-seeded.

    Args:
        transform: an albumentations ``BasicTransform`` or ``Compose``.

    Raises:
        TypeError: when ``transform`` is not an albumentations transform.

    Example:
        >>> aug = Albumentations(A.Compose([A.RandomResizedCrop((224, 224)), A.HorizontalFlip()]))
    """

    name = "image.albumentations"

    def __init__(self, transform: Any) -> None:
        import albumentations as A

        if isinstance(transform, A.BaseCompose):
            pipeline = copy.deepcopy(transform)
            pipeline.save_applied_params = True
        elif isinstance(transform, A.BasicTransform):
            pipeline = A.Compose([copy.deepcopy(transform)], save_applied_params=True)
        else:
            raise TypeError(
                "Albumentations(transform=...) takes an albumentations transform or Compose, "
                f"got {type(transform).__name__}"
            )
        self.transform = pipeline
        self._nodes = _walk(pipeline)

    @classmethod
    def example(cls) -> Albumentations:
        import albumentations as A

        return cls(A.Compose([A.RandomResizedCrop((64, 64), scale=(0.2, 1.0)), A.HorizontalFlip(p=0.5),
                              A.ColorJitter(0.4, 0.4, 0.4, 0.1, p=0.8)]))

    def _seed_streams(self, seed: int) -> None:
        states = np.random.SeedSequence(seed).generate_state(len(self._nodes), np.uint64)
        for node, state in zip(self._nodes, states, strict=True):
            node.random_generator = np.random.default_rng(int(state))
            node.py_random = random.Random(int(state))

    def _run(self, x: Any, seed: int) -> dict[str, Any]:
        self._seed_streams(seed)
        return dict(self.transform(image=x))

    def augment(self, x: Any, rng: np.random.Generator) -> tuple[Any, Params]:
        seed = int(rng.integers(2**63))
        result = self._run(x, seed)
        applied = [
            {"transform": name, "params": _json_safe(values)} for name, values in result.get("applied_transforms", [])
        ]
        return result["image"], {"seed": seed, "applied": applied}

    def sample(self, x: Any, rng: np.random.Generator) -> Params:
        return self.augment(x, rng)[1]

    def apply(self, x: Any, params: Params) -> Any:
        return self._run(x, int(params["seed"]))["image"]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_nodes"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._nodes = _walk(self.transform)


def _walk(node: Any) -> list[Any]:
    import albumentations as A

    nodes = [node]
    if isinstance(node, A.BaseCompose):
        for child in node.transforms:
            nodes.extend(_walk(child))
    return nodes


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist()) if value.size <= 64 else f"<array shape={list(value.shape)}>"
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if np.isfinite(v) else str(v)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return repr(value)
