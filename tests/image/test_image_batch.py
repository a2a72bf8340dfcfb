"""generate_batch: the views and params of ViewGenerator.generate, made for many images at once."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from augkit import image
from augkit.image import generate_batch


@pytest.fixture(scope="module")
def images() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    # mixed sizes, some smaller than the crop: the crop resizes all of them to the view size
    return [rng.integers(0, 256, (int(rng.integers(20, 50)), int(rng.integers(20, 50)), 3), dtype=np.uint8)
            for _ in range(24)]


def _same(a: object, b: object) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    return isinstance(b, np.ndarray) and np.array_equal(a, b)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [
        lambda: image.simclr_cifar(32, seed=1, output="uint8"),
        lambda: image.simclr_cifar(32, seed=1),
        lambda: image.simclr_cifar(32, seed=1, output="numpy"),
        lambda: image.simclr_cifar(31, seed=4, output="uint8"),  # an odd width: the in-place flip's middle column
        lambda: image.simclr(80, seed=2),  # blur, and the large-image normalization path
        lambda: image.byol(40, seed=3, output="uint8"),  # asymmetric views, solarize
    ],
)
def test_batch_equals_generate_per_image_bit_for_bit(make, images: list[np.ndarray]) -> None:  # type: ignore[no-untyped-def]
    vg = make()
    indices = list(range(100, 100 + len(images)))
    batch = generate_batch(vg, images, indices, epoch=2)
    assert len(batch.items) == vg.n_views and len(batch.params) == len(images)
    fired = set()
    for i, (x, index) in enumerate(zip(images, indices, strict=True)):
        views = vg.generate(x, index=index, epoch=2)
        assert batch.params[i] == views.params
        assert json.loads(json.dumps(batch.params[i])) == views.params
        for k in range(vg.n_views):
            assert _same(views.items[k], batch.items[k][i]), (i, k)
            fired.update(rec["op"] for rec in views.params[k]["ops"] if rec["params"]["applied"])
    assert {"image.color_jitter", "image.to_gray", "image.horizontal_flip"} <= fired


@pytest.mark.parametrize("output", ["uint8", "normalized", "numpy"])
@pytest.mark.parametrize("size", [28, 80])  # the small-image table path and the large-image path
def test_grayscale_batches_equal_generate_bit_for_bit(output: str, size: int) -> None:
    rng = np.random.default_rng(size)
    digits = [rng.integers(0, 256, (int(rng.integers(20, 90)), int(rng.integers(20, 90))), dtype=np.uint8)
              for _ in range(40)]
    vg = image.simclr(size, seed=6, output=output, mean=(0.3,), std=(0.35,))  # blur at 80, a 1-channel mean/std
    batch = generate_batch(vg, digits, range(40), epoch=1)
    fired = set()
    for i, x in enumerate(digits):
        views = vg.generate(x, index=i, epoch=1)
        assert batch.params[i] == views.params
        for k in range(vg.n_views):
            assert _same(views.items[k], batch.items[k][i]), (i, k)
            fired.update(r["op"] for r in views.params[k]["ops"] if r["params"]["applied"])
    assert {"image.color_jitter", "image.horizontal_flip", "image.gaussian_blur" if size == 80 else "image.to_gray"} \
        <= fired


def test_grayscale_batch_and_the_argument_checks() -> None:
    digits = [np.random.default_rng(i).integers(0, 256, (28, 28), dtype=np.uint8) for i in range(5)]
    vg = image.simclr_cifar(28, seed=0, output="uint8")
    batch = generate_batch(vg, digits, range(5))
    assert batch.items[0].shape == (5, 1, 28, 28)
    for i, x in enumerate(digits):
        assert torch.equal(batch.items[1][i], vg(x, index=i)[1])
    with pytest.raises(ValueError, match="2 images, 1 indices"):
        generate_batch(vg, digits[:2], [0])
    with pytest.raises(ValueError, match="0 images"):
        generate_batch(vg, [], [])


def test_batch_records_are_drawn_from_each_op_s_stream(images: list[np.ndarray]) -> None:
    from augkit.core import RECORD_FORMAT
    from augkit.core.streams import stream

    vg = image.simclr_cifar(32, seed=4, output="uint8")
    batch = generate_batch(vg, images[:6], [3, 1, 4, 1, 5, 9], epoch=1)
    for i, (x, index) in enumerate(zip(images[:6], [3, 1, 4, 1, 5, 9], strict=True)):
        for k, pipeline in enumerate(vg.pipelines):
            record = batch.params[i][k]
            assert record["format"] == RECORD_FORMAT and record["applied"] is True
            assert [r["op"] for r in record["ops"]] == [op.name for op in pipeline.ops]
            for j, (op, rec) in enumerate(zip(pipeline.ops, record["ops"], strict=True)):
                assert isinstance(rec["params"]["applied"], bool)
                assert rec["params"] == op.sample(x, stream(vg.seed, 1, index, k, j))
    # the records replay to the batch's views
    for i, x in enumerate(images[:6]):
        for k, view in enumerate(vg.replay(x, batch.params[i])):
            assert torch.equal(view, batch.items[k][i])


@pytest.mark.parametrize(
    "make",
    [
        lambda: image.dino(40, 24, n_views=4, seed=6, output="uint8"),  # globals and locals of other sizes
        lambda: image.swav(40, 24, n_views=3, seed=7),
        lambda: image.moco_v2(36, seed=8, output="numpy", mean=(0.5,), std=(0.25,)),
    ],
)
def test_multi_crop_and_other_presets_batch_bit_for_bit(make, images: list[np.ndarray]) -> None:  # type: ignore[no-untyped-def]
    vg = make()
    batch = generate_batch(vg, images[:8], range(8))
    for i, x in enumerate(images[:8]):
        views = vg.generate(x, index=i)
        assert batch.params[i] == views.params
        for k in range(vg.n_views):
            assert _same(views.items[k], batch.items[k][i]), (i, k)


def test_batch_falls_back_for_other_outputs_and_pipelines(images: list[np.ndarray]) -> None:
    from augkit import Compose, ViewGenerator
    from augkit.image import ColorJitter, RandomResizedCrop

    def shifted(img: np.ndarray) -> torch.Tensor:  # an output step with no convert_batch
        return torch.from_numpy(img.astype(np.int16) - 128)

    crop_jitter = Compose([RandomResizedCrop(16), ColorJitter(p=1.0)])
    generators = [
        ViewGenerator(crop_jitter, n_views=2, seed=0, output=shifted, prepare=image.as_image),
        # views that did not fire keep the input's 20×20, so the crop makes 20×20 too (views must stack)
        ViewGenerator(Compose([RandomResizedCrop(20), ColorJitter(p=1.0)], p=0.5), seed=0, prepare=image.as_image),
        ViewGenerator(Compose([ColorJitter(p=1.0), RandomResizedCrop(16)]), seed=0, prepare=image.as_image),
    ]
    small = [np.ascontiguousarray(x[:20, :20]) for x in images[:5]]
    for vg in generators:
        batch = generate_batch(vg, small, range(5))
        for i, x in enumerate(small):
            views = vg.generate(x, index=i)
            assert batch.params[i] == views.params
            for k in range(vg.n_views):
                assert _same(views.items[k], batch.items[k][i])
