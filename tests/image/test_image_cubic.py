"""Cubic resizing: OpenCV's INTER_CUBIC bit for bit, PIL's bicubic bit for bit (torchvision on PIL),
the torch kernels within a stated tolerance, and records of augkit 0.2 replaying as they were made."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch

import augkit
from augkit.core.errors import InvalidParams
from augkit.core.streams import stream
from augkit.image import RandomResizedCrop, Resize
from augkit.image import functional as F

PHOTO = cv2.GaussianBlur((np.random.default_rng(1).random((300, 400, 3)) * 255).astype(np.uint8), (0, 0), 2)


def test_cubic_is_opencv_inter_cubic() -> None:
    op = RandomResizedCrop(224, interpolation="cubic")
    y, rec = op.augment(PHOTO, stream(0, 0, 1, 0))
    t, left, h, w = rec["top"], rec["left"], rec["height"], rec["width"]
    expected = cv2.resize(np.ascontiguousarray(PHOTO[t : t + h, left : left + w]), (224, 224),
                          interpolation=cv2.INTER_CUBIC)
    assert rec["interpolation"] == "cubic" and np.array_equal(y, expected)


def test_cubic_antialias_is_torchvision_on_pil_bit_for_bit() -> None:
    from PIL import Image
    from torchvision.transforms import InterpolationMode
    from torchvision.transforms import functional as TVF

    op = RandomResizedCrop(96, interpolation="cubic_antialias")
    for seed in range(5):
        y, rec = op.augment(PHOTO, stream(0, 0, seed, 0))
        reference = TVF.resized_crop(Image.fromarray(PHOTO), rec["top"], rec["left"], rec["height"], rec["width"],
                                     [96, 96], InterpolationMode.BICUBIC)
        assert np.array_equal(y, np.asarray(reference))


def test_pil_and_opencv_bicubic_differ_when_shrinking_as_documented() -> None:
    from PIL import Image

    opencv = F.resize(PHOTO[:, :300], (224, 224), "cubic").astype(float)
    pil = np.asarray(Image.fromarray(np.ascontiguousarray(PHOTO[:, :300])).resize((224, 224), Image.Resampling.BICUBIC))
    assert 0.05 < np.abs(opencv - pil).mean() < 3.0  # smooth image; 1.25 on photos (the module's docstring)


def test_resize_takes_cubic() -> None:
    y = Resize(150, interpolation="cubic")(PHOTO)
    assert y.shape == (150, 200, 3)
    assert np.array_equal(y, cv2.resize(PHOTO, (200, 150), interpolation=cv2.INTER_CUBIC))


def test_a_record_of_0_2_replays_bilinear_on_a_cubic_crop() -> None:
    old = {"applied": True, "top": 10, "left": 20, "height": 200, "width": 250}  # 0.2's record: no interpolation
    cubic = RandomResizedCrop(64, interpolation="cubic").apply(PHOTO, old)
    linear = RandomResizedCrop(64).apply(PHOTO, old)
    assert np.array_equal(cubic, linear)
    area = RandomResizedCrop(64, interpolation="area")  # an op 0.2 had: its own interpolation
    assert np.array_equal(area.apply(PHOTO, old), F.resize(PHOTO[10:210, 20:270], (64, 64), "area"))


def test_a_preset_replays_its_0_2_records() -> None:
    """0.2's dino resized bilinearly: its records (no interpolation) replay so, today's cubically."""
    from augkit.views import config

    vg = augkit.image.dino(size=32, local_size=16, n_views=3, seed=0, output="numpy")
    made = vg.generate(PHOTO, index=0)
    old = [{**r, "ops": [{**s, "params": {k: v for k, v in s["params"].items() if k != "interpolation"}}
                         for s in r["ops"]]} for r in made.params]
    spec = config.dump(vg, expand=True)
    then = config.load(eval(repr(spec).replace("'cubic'", "'linear'")))  # 0.2's pipelines
    assert all(np.array_equal(a, b) for a, b in zip(vg.replay(PHOTO, old), then.replay(PHOTO, old), strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(vg.replay(PHOTO, made.params), made.items, strict=True))


def test_a_record_with_an_unknown_interpolation_is_refused() -> None:
    rec = {"applied": True, "top": 0, "left": 0, "height": 10, "width": 10, "interpolation": "lanczos"}
    with pytest.raises(InvalidParams, match="interpolation"):
        RandomResizedCrop(8).apply(PHOTO, rec)


@pytest.mark.parametrize("interpolation", ["cubic", "cubic_antialias"])
def test_generate_batch_on_the_host_equals_generate(interpolation: str) -> None:
    vg = augkit.ViewGenerator(RandomResizedCrop(48, interpolation=interpolation), n_views=2, seed=0)
    images = [PHOTO, PHOTO[:200], PHOTO[50:, 60:]]
    batch = vg.generate_batch(images, [0, 1, 2])
    for i, x in enumerate(images):
        views = vg.generate(x, index=i)
        for k in range(2):
            assert np.array_equal(batch.items[k][i], views.items[k])


@pytest.mark.parametrize("interpolation", ["cubic", "cubic_antialias"])
def test_the_torch_kernel_is_within_a_grey_level_on_average(interpolation: str) -> None:
    """Stated tolerance: mean |difference| below 1 level, 99th percentile within 4 levels."""
    vg = augkit.ViewGenerator(RandomResizedCrop(96, interpolation=interpolation), n_views=1, seed=0,
                              output=augkit.core.modalities.get("image").output({"type": "uint8"}))
    images = [PHOTO] * 8
    host = vg.generate_batch(images, list(range(8))).items[0].to(torch.float32)
    device = vg.generate_batch(images, list(range(8)), device="cpu").items[0].to(torch.float32)
    diff = (host - device).abs()
    assert diff.mean() < 1.0 and torch.quantile(diff.flatten(), 0.99) <= 4
