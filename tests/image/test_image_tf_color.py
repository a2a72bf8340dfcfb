"""ColorJitter with ``tf.image``'s maths (``semantics=``), and the presets whose reference code is
TensorFlow/JAX (SimCLR, BYOL) using it.

The reference here is written independently of augkit's kernel: float64, pixel by pixel, with the
standard library's ``colorsys`` for HSV, following ``tf.image.adjust_*`` as SimCLR's
``data_util.py`` and BYOL's ``augmentations.py`` call them (clipped to [0, 1] after each step).
"""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit
from augkit.core.errors import InvalidParams
from augkit.image import ColorJitter

PHOTO = np.random.default_rng(0).integers(0, 256, (12, 10, 3), dtype=np.uint8)


def _hsv_map(img: np.ndarray, fn: Any) -> np.ndarray:
    out = np.empty_like(img)
    for i in range(img.shape[0]):
        for j in range(img.shape[1]):
            out[i, j] = colorsys.hsv_to_rgb(*fn(*colorsys.rgb_to_hsv(*img[i, j])))
    return out


def _reference(x: np.ndarray, rec: dict[str, Any], multiplicative: bool) -> np.ndarray:
    img = x.astype(np.float64) / 255
    for name in rec["order"]:
        f = rec[name]
        if name == "brightness":
            img = img * f if multiplicative else img + (f - 1)  # tf.image.adjust_brightness adds a delta
        elif name == "contrast":
            mean = img.mean(axis=(0, 1))  # tf.image.adjust_contrast: each channel around its own mean
            img = (img - mean) * f + mean
        elif name == "saturation" and img.ndim == 3:
            img = _hsv_map(img, lambda h, s, v, f=f: (h, min(max(s * f, 0.0), 1.0), v))
        elif name == "hue" and img.ndim == 3:
            img = _hsv_map(img, lambda h, s, v, f=f: ((h + f) % 1.0, s, v))
        img = np.clip(img, 0.0, 1.0)
    return np.rint(img * 255).astype(np.uint8)


@pytest.mark.parametrize("semantics", ["tensorflow", "simclr_v2"])
def test_views_equal_tf_image_maths_within_one_level(semantics: str) -> None:
    op = ColorJitter(0.8, 0.8, 0.8, 0.2, p=1.0, semantics=semantics)
    diffs = []
    for k in range(60):
        rec = op.draw(PHOTO, np.random.default_rng(k))
        assert rec["semantics"] == semantics
        got = op.transform(PHOTO, rec).astype(int)
        diffs.append(np.abs(got - _reference(PHOTO, rec, semantics == "simclr_v2")))
    d = np.stack(diffs)
    assert d.max() <= 1 and d.mean() < 0.05  # float32 against float64: rounding only


def test_the_semantics_change_the_view_and_not_the_draw() -> None:
    tv, tf = ColorJitter(0.4, 0.4, 0.2, 0.1, p=1.0), ColorJitter(0.4, 0.4, 0.2, 0.1, p=1.0, semantics="tensorflow")
    a, b = tv.draw(PHOTO, np.random.default_rng(3)), tf.draw(PHOTO, np.random.default_rng(3))
    assert "semantics" not in a and {**a, "semantics": "tensorflow"} == b
    assert not np.array_equal(tv.transform(PHOTO, a), tf.transform(PHOTO, b))


def test_a_record_without_semantics_replays_as_torchvision_and_a_bad_one_is_refused() -> None:
    tv, tf = ColorJitter(p=1.0), ColorJitter(p=1.0, semantics="tensorflow")
    rec = tv.draw(PHOTO, np.random.default_rng(1))
    assert np.array_equal(tf.transform(PHOTO, rec), tv.transform(PHOTO, rec))  # 0.2's records keep their views
    with pytest.raises(InvalidParams, match="semantics"):
        tf.transform(PHOTO, {**rec, "semantics": "keras"})


def test_grayscale_images_get_brightness_and_contrast_only() -> None:
    gray = PHOTO[..., 0].copy()
    op = ColorJitter(0.5, 0.5, 0.5, 0.3, p=1.0, semantics="tensorflow")
    for k in range(10):
        rec = op.draw(gray, np.random.default_rng(k))
        out = op.transform(gray, rec)
        assert out.shape == gray.shape and out.dtype == np.uint8
        assert np.array_equal(out, _reference(gray, rec, False))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(["tensorflow", "simclr_v2"]))
def test_any_image_stays_uint8_of_its_shape(seed: int, semantics: str) -> None:
    x = np.random.default_rng(seed).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    op = ColorJitter(2.0, 2.0, 2.0, 0.5, p=1.0, semantics=semantics)
    out = op.transform(x, op.draw(x, np.random.default_rng(seed)))
    assert out.shape == x.shape and out.dtype == np.uint8


def test_generate_batch_equals_generate_for_byol() -> None:
    # on a torch device the views are within a level of these: tests/image/test_image_torch_batch.py
    photos = [np.random.default_rng(i).integers(0, 256, (40 + i, 36, 3), dtype=np.uint8) for i in range(6)]
    vg = augkit.image.byol(32, seed=2, output="uint8")
    batch = vg.generate_batch(photos, range(6))
    for i, photo in enumerate(photos):
        made = vg.generate(photo, index=i)
        assert batch.params[i] == made.params
        for k, view in enumerate(made.items):
            assert torch.equal(torch.as_tensor(batch.items[k][i]).cpu(), view), (i, k)


def test_byol_and_simclr_follow_their_tensorflow_references() -> None:
    def ops(vg: Any, k: int) -> dict[str, Any]:
        return {op.name: op for op in vg.pipelines[k].ops}

    byol = augkit.image.byol(224, seed=0)
    for k in (0, 1):
        named = ops(byol, k)
        assert named["image.color_jitter"].semantics == "tensorflow"
        assert named["image.random_resized_crop"].interpolation == "cubic"
        assert named["image.gaussian_blur"].kernel_size == 23  # 2·int(224 / 20) + 1
    assert ops(augkit.image.byol(96, seed=0), 0)["image.gaussian_blur"].kernel_size == 9
    assert ops(augkit.image.simclr(224, seed=0), 0)["image.color_jitter"].semantics == "simclr_v2"
    assert ops(augkit.image.simclr_cifar(seed=0), 0)["image.color_jitter"].semantics == "simclr_v2"



def _tf_blur(x: np.ndarray, sigma: float, ksize: int) -> np.ndarray:
    """SimCLR's and BYOL's blur: the full kernel of ``ksize`` taps, zeros beyond the image, float64."""
    radius = ksize // 2
    taps = np.exp(-np.arange(-radius, radius + 1) ** 2 / (2 * sigma**2))
    taps /= taps.sum()
    img = np.pad(x.astype(np.float64), ((radius, radius), (radius, radius), (0, 0)))
    rows = sum(taps[k] * img[:, k : k + x.shape[1]] for k in range(ksize))
    out = sum(taps[k] * rows[k : k + x.shape[0]] for k in range(ksize))
    return np.rint(out).astype(np.uint8)


@pytest.mark.parametrize("device", [None, "cpu"])
def test_a_zero_border_blur_equals_the_tensorflow_blur_within_a_level(device: str | None) -> None:
    from augkit.image import GaussianBlur

    photo = np.random.default_rng(1).integers(0, 256, (40, 48, 3), dtype=np.uint8)
    op = GaussianBlur(sigma=(0.1, 2.0), kernel_size=23, p=1.0, border="zeros")
    vg = augkit.ViewGenerator(op, n_views=1, seed=0, output="uint8")
    if device is None:
        for k in range(30):
            rec = op.draw(photo, np.random.default_rng(k))
            assert rec["border"] == "zeros"
            got = op.transform(photo, rec).astype(int)
            assert np.abs(got - _tf_blur(photo, rec["sigma"], 23)).max() <= 1
            assert got[0].mean() < photo[0].mean() - 5 or rec["sigma"] < 0.5  # the border darkens
    else:
        made = vg.generate_batch([photo] * 4, range(4), device=device)
        for i in range(4):
            rec = made.params[i][0]
            view = made.items[0][i].permute(1, 2, 0).numpy().astype(int)
            assert np.abs(view - _tf_blur(photo, rec["sigma"], 23)).max() <= 1


def test_a_blur_record_without_border_reflects_and_a_bad_one_is_refused() -> None:
    from augkit.image import GaussianBlur

    photo = np.random.default_rng(2).integers(0, 256, (20, 20, 3), dtype=np.uint8)
    zeros, reflect = GaussianBlur(p=1.0, border="zeros"), GaussianBlur(p=1.0)
    rec = reflect.draw(photo, np.random.default_rng(0))
    assert "border" not in rec
    assert np.array_equal(zeros.transform(photo, rec), reflect.transform(photo, rec))
    with pytest.raises(InvalidParams, match="border"):
        zeros.transform(photo, {**rec, "border": ["zeros"]})


def test_simclr_and_byol_blur_with_zeros_beyond_the_image() -> None:
    for vg in (augkit.image.simclr(64, seed=0), augkit.image.byol(64, seed=0)):
        for pipeline in vg.pipelines:
            (blur,) = [op for op in pipeline.ops if op.name == "image.gaussian_blur"]
            assert blur.border == "zeros"
    assert augkit.image.moco_v2(64, seed=0).pipelines[0].ops[4].border == "reflect"  # PIL's blur
