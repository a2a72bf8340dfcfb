"""The torch batch engine: the records of the single-sample path, views within rounding of it, on any device."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import augkit
from augkit import Compose, ViewGenerator
from augkit.image import generate_batch, ops


@pytest.fixture(scope="module")
def crops(photos: list[np.ndarray]) -> list[np.ndarray]:
    return [photos[i % len(photos)][:300, :400].copy() for i in range(12)]


@pytest.fixture(scope="module")
def tiny(photos: list[np.ndarray]) -> list[np.ndarray]:
    from PIL import Image

    return [np.asarray(Image.fromarray(photos[i % len(photos)]).resize((32, 32))) for i in range(24)]


def _distance(a: torch.Tensor, b: torch.Tensor) -> tuple[float, float]:
    d = (a.to(torch.int32) - b.to(torch.int32)).abs().to(torch.float32)
    return float(d.mean()), float(d.mean(dim=tuple(range(1, d.ndim))).max())


@pytest.mark.parametrize("preset", ["simclr", "byol", "moco_v2", "simclr_cifar"])
def test_the_records_are_the_single_sample_ones_and_the_views_within_a_level(preset, crops, tiny):
    make = getattr(augkit.image, preset)
    vg = make(32 if preset == "simclr_cifar" else 64, seed=3, output="uint8")
    images = tiny if preset == "simclr_cifar" else crops
    torch_made = vg.generate_batch(images, range(10, 10 + len(images)), epoch=2, device="cpu")
    for i, x in enumerate(images):
        assert vg.generate(x, index=10 + i, epoch=2).params == torch_made.params[i]
    reference = generate_batch(vg, images, range(10, 10 + len(images)), epoch=2)  # bit-identical to generate
    for k in range(vg.n_views):
        assert torch_made.items[k].dtype == torch.uint8 and torch_made.items[k].shape == reference.items[k].shape
        mean, worst = _distance(torch_made.items[k], reference.items[k])
        assert mean <= 1.0 and worst <= 1.5, (preset, k, mean, worst)


def test_integer_kernels_are_exact(crops):
    vg = ViewGenerator(Compose([ops.RandomResizedCrop((48, 64), scale=(1.0, 1.0), ratio=(4 / 3, 4 / 3)),
                                ops.HorizontalFlip(p=0.5), ops.Solarize(threshold=100, p=0.5)]),
                       n_views=2, seed=0, output=augkit.core.modalities.get("image").output({"type": "uint8"}))
    images = [np.ascontiguousarray(x[:48, :64]) for x in crops]  # the crop is the whole image: no resampling
    ours = vg.generate_batch(images, range(len(images)), device="cpu")
    for i, x in enumerate(images):
        for k, view in enumerate(vg(x, index=i)):
            assert torch.equal(ours.items[k][i], view)


def test_normalized_output_is_the_normalized_uint8_views(crops):
    u8 = augkit.image.simclr(64, seed=1, output="uint8").generate_batch(crops, range(12), device="cpu")
    norm = augkit.image.simclr(64, seed=1).generate_batch(crops, range(12), device="cpu")
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    for a, b in zip(u8.items, norm.items, strict=True):
        assert b.dtype == torch.float32
        torch.testing.assert_close(b, (a.float() / 255 - mean) / std, atol=1e-5, rtol=1e-5)


def test_pipelines_without_batch_kernels_fall_back_per_sample(crops):
    vg = ViewGenerator(Compose([ops.CenterCrop(32), ops.HorizontalFlip(p=0.5)]), n_views=2, seed=0)
    made = vg.generate_batch(crops[:4], range(4), device="cpu")
    for i, x in enumerate(crops[:4]):
        want = vg.generate(x, index=i)
        assert made.params[i] == want.params
        for k in range(2):
            assert torch.equal(made.items[k][i], torch.from_numpy(want.items[k]).permute(2, 0, 1))


def test_bad_devices_are_named(crops):
    vg = augkit.image.simclr(32, seed=0)
    with pytest.raises(ValueError, match="device='tpu9'"):
        vg.generate_batch(crops[:2], [0, 1], device="tpu9")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            vg.generate_batch(crops[:2], [0, 1], device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_views_are_the_cpu_views_within_a_level(crops):
    vg = augkit.image.simclr(64, seed=0, output="uint8")
    cpu = vg.generate_batch(crops, range(12), device="cpu")
    gpu = vg.generate_batch(crops, range(12), device="cuda")
    assert gpu.params == cpu.params
    for a, b in zip(cpu.items, gpu.items, strict=True):
        assert b.device.type == "cuda"
        assert _distance(a, b.cpu())[0] <= 1.0
