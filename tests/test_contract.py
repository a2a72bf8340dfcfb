"""Every registered augmenter, whatever its modality, honours the one contract.

Same rng state → same params; apply is repeatable; params are JSON-safe and replay after a JSON
round trip; the augmenter pickles (DataLoader workers under spawn need that).
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import numpy as np
import pytest
import torch

from augkit import registry
from augkit.core import check_json_safe

SENTENCE = "The quick brown foxes were jumping over the lazy dogs, and nobody saw them."


def typical_input(name: str) -> Any:
    modality = name.split(".", 1)[0]
    if modality == "image":
        yy, xx = np.mgrid[0:120, 0:160]
        photo = np.stack([(xx * 1.5) % 256, (yy * 2) % 256, (xx + yy) % 256], axis=-1)
        return photo.astype(np.uint8)
    if modality == "text":
        return SENTENCE
    if modality == "audio":
        t = torch.arange(16000, dtype=torch.float32) / 16000
        return (0.3 * torch.sin(2 * torch.pi * 220 * t) + 0.1 * torch.sin(2 * torch.pi * 440 * t))[None]
    raise AssertionError(f"no typical input for modality {modality!r} of {name!r}: add one here")


def same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    return bool(a == b)


NAMES = registry.names()


def test_every_modality_registers_augmenters() -> None:
    modalities = {name.split(".", 1)[0] for name in NAMES}
    assert {"image", "text", "audio"} <= modalities, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_contract(name: str) -> None:
    aug = registry.get(name).example()
    assert aug.name == name
    x = typical_input(name)
    for seed in range(3):
        p1 = aug.sample(x, np.random.default_rng(seed))
        p2 = aug.sample(x, np.random.default_rng(seed))
        assert p1 == p2, "same rng state must give the same params"
        check_json_safe(p1)
        y1 = aug.apply(x, p1)
        y2 = aug.apply(x, json.loads(json.dumps(p1)))
        assert same(y1, y2), "apply must be pure and replay from JSON params"
        assert type(y1) is type(x), "an augmenter maps an input to an input of the same kind"
    clone = pickle.loads(pickle.dumps(aug))
    p = aug.sample(x, np.random.default_rng(42))
    assert same(clone.apply(x, p), aug.apply(x, p))


def test_unknown_name_lists_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no augmenter named .image\.nope."):
        registry.get("image.nope")
