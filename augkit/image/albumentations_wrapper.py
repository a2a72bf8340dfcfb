"""Drive an existing albumentations pipeline from augkit's streams, so its views replay."""

from __future__ import annotations

import copy
import os
import random
from collections.abc import Mapping
from typing import Any

import numpy as np

from augkit.core import Augmenter, Params
from augkit.core.args import REQUIRED, Arg, Probability, Value
from augkit.core.errors import InvalidParams, WrongArgumentType
from augkit.core.registry import register

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

__all__ = ["Albumentations"]


def _check_transform(value: Any, name: str) -> Any:
    import albumentations as A

    if isinstance(value, A.BaseCompose):
        pipeline = copy.deepcopy(value)
        pipeline.save_applied_params = True
        return pipeline
    if isinstance(value, A.BasicTransform):
        return A.Compose([copy.deepcopy(value)], save_applied_params=True)
    raise WrongArgumentType(f"Albumentations({name}=...) takes an albumentations transform or Compose, "
                            f"got {type(value).__name__}")


@register
class Albumentations(Augmenter[Any]):
    """Wrap any albumentations transform or ``Compose`` a user already has.

    ``draw`` draws one integer seed from augkit's rng and gives **every** transform in the tree
    its own stream derived from it (albumentations' own ``Compose(seed=...)`` hands one seed to all
    children, so two identical-looking transforms draw identical values, and DataLoader workers
    repeat each other's views). The record holds the seed and what albumentations applied — which
    transforms fired, with their values — so it means something to a reader; ``transform`` re-seeds
    the streams and runs the pipeline again, bit for bit.

    The wrapped pipeline is copied: the caller's object is never re-seeded.

    Args:
        transform: an albumentations ``BasicTransform`` or ``Compose``.
        p: probability of running the pipeline at all.

    Record: ``{"applied": True, "seed": int, "transforms": [{"transform", "params"}, ...]}``
    (augkit 0.1 kept the list under ``"applied"``; its records are upgraded on replay).

    Raises:
        WrongArgumentType: when ``transform`` is not an albumentations transform.

    Example:
        >>> aug = Albumentations(A.Compose([A.RandomResizedCrop((224, 224)), A.HorizontalFlip()]))
    """

    name = "image.albumentations"
    modality = "image"
    unnameable = {"transform": "an Albumentations transform outside augkit's registry cannot be named in a spec; "
                               "use augkit's image ops (augkit list --modality image), or keep this pipeline in code"}
    args = (
        Arg("transform", Value(_check_transform, "an albumentations transform or Compose"), REQUIRED,
            "the albumentations pipeline", attr="pipeline"),
        Arg("p", Probability(), 1.0, "probability of running the pipeline"),
    )
    drawn = {"seed": int}
    pipeline: Any  # the copied albumentations Compose (the argument `transform`)

    def setup(self) -> None:
        self._nodes = _walk(self.pipeline)

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
        if not 0 <= seed < 2**64:
            raise InvalidParams(f"Albumentations params['seed']={seed} must lie in [0, 2**64)")
        self._seed_streams(seed)
        return dict(self.pipeline(image=x))

    def draw(self, x: Any, rng: np.random.Generator) -> Params:
        seed = int(rng.integers(2**63))
        result = self._run(x, seed)
        applied = [
            {"transform": name, "params": _json_safe(values)} for name, values in result.get("applied_transforms", [])
        ]
        return {"seed": seed, "transforms": applied}

    def transform(self, x: Any, params: Params) -> Any:
        return self._run(x, int(params["seed"]))["image"]

    @classmethod
    def swaps_left_right(cls, params: Params) -> bool:
        """An odd number of ``HorizontalFlip`` transforms in the record mirrors the image."""
        flips = sum(1 for t in params.get("transforms", []) if isinstance(t, Mapping)
                    and t.get("transform") == "HorizontalFlip")
        return flips % 2 == 1

    def upgrade(self, params: Any, from_format: int) -> Params:
        if from_format < 2 and isinstance(params, dict) and isinstance(params.get("applied"), list):
            rest = {k: v for k, v in params.items() if k != "applied"}
            return {"applied": True, **rest, "transforms": params["applied"]}
        return super().upgrade(params, from_format)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_nodes"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._nodes = _walk(self.pipeline)


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
