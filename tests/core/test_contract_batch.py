"""Every registered augmenter runs through ``ViewGenerator.generate_batch``: the records ``generate``
draws, and the views it makes (bit for bit on the host; audio within 1e-4), in plain and dict
generators, with ``p`` of 1 and of 0.5 (the batch kernel then runs on the items that fired)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from augkit import ViewGenerator
from augkit.core import Augmenter, modalities, registry
from augkit.core.errors import InvalidInput

NAMES = registry.names()
#: audio kernels sum in another order over a batch: within this of the single-clip view
AUDIO_TOLERANCE = 1e-4


def _variants(name: str) -> list[Augmenter[Any]]:
    op = registry.get(name).example()
    args = op.arguments()
    if "p" not in args or args["p"] == 0.5:
        return [op]
    return [op, type(op)(**{**args, "p": 0.5})]


def _samples(op: Augmenter[Any]) -> list[tuple[str, list[Any]]]:
    """Batches of each modality the op takes: its typical input, 6 times (one shape, stacked)."""
    names = [op.modality] if op.modality else modalities.names()
    return [(m, [modalities.get(m).example() for _ in range(6)]) for m in names]


def _close(a: Any, b: Any, modality: str) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        a, b = torch.as_tensor(np.asarray(a)), torch.as_tensor(np.asarray(b))
        if a.shape != b.shape:
            return False
        if modality == "audio":
            return bool((a.double() - b.double()).abs().max() <= AUDIO_TOLERANCE) if a.numel() else True
        return torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    return bool(a == b)


def _check(vg: ViewGenerator, samples: list[Any], modality: str, field: str | None = None) -> None:
    indices = [3, 1, 4, 15, 9, 26]
    singles = [vg.generate(x, index=i, epoch=2) for x, i in zip(samples, indices, strict=True)]
    try:
        made = vg.generate_batch(samples, indices, epoch=2)
    except InvalidInput as err:  # views of several lengths (a stretch without keep_length) do not stack
        assert "do not stack" in str(err)
        shapes = {tuple(np.shape(v.items[0] if field is None else v.items[0][field])) for v in singles}
        assert len(shapes) > 1, err
        return
    for n, view in enumerate(singles):
        assert made.params[n] == view.params, (n, made.params[n], view.params)
        for k in range(vg.n_views):
            got = made.items[k] if field is None else made.items[k][field]
            want = view.items[k] if field is None else view.items[k][field]
            assert _close(got[n], want, modality), (n, k)


@pytest.mark.parametrize("name", NAMES)
def test_generate_batch_gives_generate_records_and_views(name: str) -> None:
    for op in _variants(name):
        for modality, samples in _samples(op):
            source = samples if getattr(op, "mixes", False) else None
            _check(ViewGenerator(op, n_views=2, seed=11, modality=modality or None, source=source), samples,
                   modality)


@pytest.mark.parametrize("name", NAMES)
def test_generate_batch_of_dict_samples_gives_generate_records_and_views(name: str) -> None:
    for op in _variants(name):
        for modality, samples in _samples(op):
            dicts = [{modality: x, "label": n} for n, x in enumerate(samples)]
            vg = ViewGenerator({modality: op}, n_views=2, seed=5, source=dicts if getattr(op, "mixes", False) else None)
            _check(vg, dicts, modality, field=modality)


def test_dict_batches_stack_each_field_and_pass_other_keys_as_lists() -> None:
    vg = ViewGenerator({"image": registry.get("image.horizontal_flip").example(),
                        "text": registry.get("text.random_swap").example()}, n_views=2, seed=5)
    image = modalities.get("image").example()
    samples = [{"image": image, "text": "a red kite over the sea", "label": n} for n in range(3)]
    made = vg.generate_batch(samples, [0, 1, 2])
    for k in range(2):
        assert made.items[k]["label"] == [0, 1, 2]
        assert made.items[k]["image"].shape == (3, *image.shape)
        assert made.items[k]["text"] == [vg.generate(x, index=n).items[k]["text"] for n, x in enumerate(samples)]


def test_batch_records_are_separate_objects() -> None:
    from augkit import Compose

    vg = ViewGenerator(Compose([registry.get("image.horizontal_flip")(p=0.0)]), n_views=1, seed=0)
    made = vg.generate_batch([modalities.get("image").example()] * 3, [0, 1, 2])
    made.params[0][0]["ops"][0]["params"]["applied"] = "changed by the user"
    assert made.params[1][0]["ops"][0]["params"]["applied"] is False  # no record shares an object with another
