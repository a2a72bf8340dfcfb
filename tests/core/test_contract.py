"""Every registered augmenter, whatever its modality, honours the one contract.

augment(x, rng) equals apply(x, sample(x, rng)); params are JSON-safe, say ``applied`` and replay
bit for bit after a JSON round trip; malformed params raise a ValueError naming the key; repr
round-trips the constructor arguments; the op pickles (DataLoader workers under spawn need that);
and each op takes the odd inputs its modality accepts.
"""

from __future__ import annotations

import ast
import json
import pickle
from typing import Any

import numpy as np
import pytest
import torch

from augkit.core import Augmenter, check_json_safe, modalities, registry
from augkit.core.errors import InvalidParams
from augkit.core.mixing import Pool, partners
from augkit.core.streams import stream


def _inputs(modality: str) -> list[tuple[str, Any]]:
    """The inputs an op of ``modality`` must take, typical first, from the modality's own descriptor.

    An op of no modality (Identity, the composites) must take the typical input of every modality.
    """
    if modality:
        return modalities.get(modality).examples()
    return [(f"{m} typical", modalities.get(m).example()) for m in modalities.names()]


def typical(aug: Augmenter[Any]) -> Any:
    return _inputs(aug.modality)[0][1]


NAMES = registry.names()


def same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    return type(a) is type(b) and bool(a == b)


def pool(aug: Augmenter[Any], x: Any) -> Any:
    """A mixing op's partners, when it is one: the input itself (outside a generator, a Pool)."""
    return partners(Pool([x]) if getattr(aug, "mixes", False) else None)


def example(name: str) -> Augmenter[Any]:
    aug = registry.get(name).example()
    assert aug.name == name
    return aug


def inputs(aug: Augmenter[Any]) -> list[Any]:
    return [x for _, x in _inputs(aug.modality)]


def test_every_modality_registers_augmenters() -> None:
    registered = {registry.get(name).modality for name in NAMES}
    assert set(modalities.builtin_names()) <= registered, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_augment_equals_apply_of_sample_and_replays_from_json(name: str) -> None:
    aug = example(name)
    for x in inputs(aug):
        with pool(aug, x):
            _augment_equals_apply_of_sample(aug, x)


def _augment_equals_apply_of_sample(aug: Augmenter[Any], x: Any) -> None:
    for seed in range(3):
        p1 = aug.sample(x, stream(seed, 0, 0, 0))
        p2 = aug.sample(x, stream(seed, 0, 0, 0))
        assert p1 == p2, "same stream must give the same params"
        check_json_safe(p1)
        assert isinstance(p1["applied"], bool)
        y, p3 = aug.augment(x, stream(seed, 0, 0, 0))
        assert p3 == p1
        assert same(y, aug.apply(x, p1)), "augment must equal apply(sample)"
        assert same(y, aug.apply(x, json.loads(json.dumps(p1)))), "replay from JSON params must be exact"
        assert type(y) is type(x) or aug.modality == "image", "an op maps an input to one of the same kind"


@pytest.mark.parametrize("name", NAMES)
def test_p_zero_never_fires(name: str) -> None:
    aug = registry.get(name)(**{**example(name).arguments(), "p": 0.0})
    x = typical(aug)
    with pool(aug, x):
        y, params = aug.augment(x, stream(0, 0, 0, 0))
    assert params == {"applied": False}
    assert same(y, x) or (isinstance(y, np.ndarray) and np.array_equal(y, x))


@pytest.mark.parametrize("name", NAMES)
def test_malformed_params_raise_a_value_error_naming_the_key(name: str) -> None:
    aug = example(name)
    x = typical(aug)
    with pool(aug, x):
        _malformed_params_raise(aug, x)


def _malformed_params_raise(aug: Augmenter[Any], x: Any) -> None:
    with pytest.raises(InvalidParams, match="'applied'"):
        aug.apply(x, {})
    with pytest.raises(ValueError, match="'applied'"):
        aug.apply(x, {"applied": "yes"})
    fired = next((p for s in range(50) if (p := aug.sample(x, stream(s, 0, 0, 0)))["applied"]), None)
    assert fired is not None
    assert set(type(aug).drawn) <= set(fired), "a fired record holds every key the op declares in `drawn`"
    for key in type(aug).drawn:
        broken = {k: v for k, v in fired.items() if k != key}
        with pytest.raises(ValueError, match=repr(key)):
            aug.apply(x, broken)


@pytest.mark.parametrize("name", NAMES)
def test_repr_round_trips_the_constructor_arguments(name: str) -> None:
    aug = example(name)
    rebuilt = type(aug)(**aug.arguments())
    assert rebuilt.arguments().keys() == aug.arguments().keys()
    for key, value in aug.arguments().items():
        again = rebuilt.arguments()[key]
        if isinstance(value, list) and value and isinstance(value[0], torch.Tensor):  # recordings
            assert all(same(a, b) for a, b in zip(value, again, strict=True))
        elif not callable(value) and not isinstance(value, (list, Augmenter)):
            assert again == value, key
    assert repr(rebuilt) == repr(aug) or aug.name == "image.albumentations"  # its repr is albumentations' own
    literal = True
    for value in aug.arguments().values():
        try:
            ast.literal_eval(repr(value))
        except (ValueError, SyntaxError):
            literal = False  # a callable, a tensor or a nested augmenter: rebuilt above instead
    classes = [registry.get(n) for n in NAMES]
    names = [c.__name__ for c in classes]
    if literal and names.count(type(aug).__name__) == 1:  # audio's and spectrogram's RandomCrop share a name
        namespace = dict(zip(names, classes, strict=True))
        assert eval(repr(aug), namespace).arguments() == aug.arguments()


@pytest.mark.parametrize("name", NAMES)
def test_augmenters_pickle(name: str) -> None:
    aug = example(name)
    x = typical(aug)
    clone = pickle.loads(pickle.dumps(aug))
    with pool(aug, x):
        p = aug.sample(x, stream(42, 0, 0, 0))
        assert same(clone.apply(x, p), aug.apply(x, p))


def test_unknown_name_lists_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no augmenter named .image\.nope."):
        registry.get("image.nope")
