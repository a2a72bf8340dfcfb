"""The issue-28 ops against their references: torchvision v2's kernels and magnitudes, BLIP's RandomAugment
values, albumentations' JPEG round trip; their distributions, records, errors and left-right answers."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torchvision.transforms import v2 as T
from torchvision.transforms.v2 import functional as TVF

from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.streams import stream
from augkit.image import (
    OPENAI_MEAN,
    OPENAI_STD,
    Affine,
    AutoContrast,
    BlipRandomAugment,
    Equalize,
    JpegCompression,
    Posterize,
    RandAugment,
    RandomErasing,
    Rotate,
    Sharpness,
    TrivialAugment,
    blip,
)
from augkit.image import auto_augment_ops as S
from augkit.image.auto_augment import BLIP_OPS


def _chw(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))


def _hwc(t: torch.Tensor) -> np.ndarray:
    return t.numpy().transpose(1, 2, 0)


@pytest.fixture(scope="module")
def image(photos: list[np.ndarray]) -> np.ndarray:
    return np.ascontiguousarray(photos[0][:120, :160])


def test_tone_ops_equal_torchvision(image: np.ndarray) -> None:
    t = _chw(image)
    fired = {"applied": True}
    assert np.array_equal(Equalize().transform(image, fired), _hwc(TVF.equalize(t)))
    assert np.array_equal(AutoContrast().transform(image, fired), _hwc(TVF.autocontrast(t)))
    for bits in range(9):
        assert np.array_equal(Posterize(bits).transform(image, fired), _hwc(TVF.posterize(t, bits)))
    for factor in (0.0, 0.3, 1.0, 1.9, 5.0):
        ours = Sharpness(factor).transform(image, {"applied": True, "factor": factor}).astype(int)
        diff = np.abs(ours - _hwc(TVF.adjust_sharpness(t, factor)).astype(int))
        # torchvision's add_(alpha=) may fuse the multiply-add (one rounding): a level where it truncates
        assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, (factor, diff.max())


@pytest.mark.parametrize("angle", [-170.0, -33.3, 12.5, 90.0, 135.0])
def test_rotate_and_affine_match_torchvision_geometry(image: np.ndarray, angle: float) -> None:
    t = _chw(image)
    ours = Rotate(interpolation="linear").transform(image, {"applied": True, "angle": angle}).astype(int)
    ref = _hwc(TVF.rotate(t, angle, interpolation=T.InterpolationMode.BILINEAR)).astype(int)
    assert (np.abs(ours - ref) > 1).mean() < 1e-3
    params = {"applied": True, "angle": angle, "translate_x": 7, "translate_y": -3, "scale": 1.2, "shear_x": 10.0,
              "shear_y": -5.0}
    ours = Affine(interpolation="linear").transform(image, params).astype(int)
    ref = _hwc(TVF.affine(t, angle=-angle, translate=[7, -3], scale=1.2, shear=[10.0, -5.0],
                          interpolation=T.InterpolationMode.BILINEAR)).astype(int)
    assert (np.abs(ours - ref) > 1).mean() < 1e-3


def test_rotations_beyond_90_degrees_swap_left_and_right() -> None:
    assert Rotate.swaps_left_right({"applied": True, "angle": 180.0})
    assert Rotate.swaps_left_right({"applied": True, "angle": -100.0})
    assert not Rotate.swaps_left_right({"applied": True, "angle": 80.0})
    assert not Rotate.swaps_left_right({"applied": False})
    affine = {"applied": True, "angle": 170.0, "translate_x": 0, "translate_y": 0, "scale": 1.0, "shear_x": 0.0,
              "shear_y": 0.0}
    assert Affine.swaps_left_right(affine) and not Affine.swaps_left_right({**affine, "angle": 10.0})
    two = {"applied": True, "ops": [{"op": "rotate", "magnitude": 60.0}, {"op": "rotate", "magnitude": 60.0}]}
    assert RandAugment.swaps_left_right(two)  # 120° in all
    assert not TrivialAugment.swaps_left_right({"applied": True, "ops": [{"op": "rotate", "magnitude": -45.0}]})


@pytest.mark.parametrize("space, cls", [("randaugment", T.RandAugment), ("trivial", T.TrivialAugmentWide)])
def test_magnitudes_are_torchvisions_values(space: str, cls: type) -> None:
    tv_names = list(cls._AUGMENTATION_SPACE)
    assert [n.lower() for n in tv_names] == [n.replace("_", "") for n in S.NAMES]
    for tv_name, name in zip(tv_names, S.NAMES, strict=True):
        fn, signed = cls._AUGMENTATION_SPACE[tv_name]
        for bins in (31, 10):
            ref = fn(bins, 120, 160)
            ours = S.magnitudes(name, bins, 120, 160, space)
            assert (ours is None) == (ref is None) and S.signed(name) == signed
            if ref is not None:
                assert list(ours) == [float(v) for v in ref], (name, bins)


def test_randaugment_draws_ops_uniformly_with_random_signs(image: np.ndarray) -> None:
    op, n = RandAugment(2, 9), 7000
    records = [op.sample(image, stream(0, 0, i, 0)) for i in range(n)]
    counts = Counter(e["op"] for r in records for e in r["ops"])
    expected = 2 * n / 14
    sigma = math.sqrt(2 * n * (1 / 14) * (13 / 14))
    assert set(counts) == set(S.NAMES) and all(abs(c - expected) < 5 * sigma for c in counts.values()), counts
    rotations = [e["magnitude"] for r in records for e in r["ops"] if e["op"] == "rotate"]
    assert {abs(m) for m in rotations} == {float(torch.linspace(0, 30, 31)[9])}
    negative = sum(m < 0 for m in rotations) / len(rotations)
    assert abs(negative - 0.5) < 5 * math.sqrt(0.25 / len(rotations))
    translations = {abs(e["magnitude"]) for r in records for e in r["ops"] if e["op"] == "translate_x"}
    assert translations == {float(torch.linspace(0, 150 / 331 * 160, 31)[9])}


def test_trivial_augment_draws_one_op_at_a_uniform_bin(image: np.ndarray) -> None:
    op = TrivialAugment()
    records = [op.sample(image, stream(1, 0, i, 0)) for i in range(6000)]
    assert all(len(r["ops"]) == 1 for r in records)
    table = S.magnitudes("rotate", 31, 120, 160, "trivial")
    bins = Counter(table.index(abs(r["ops"][0]["magnitude"])) for r in records if r["ops"][0]["op"] == "rotate")
    assert len(bins) == 31 and max(bins.values()) < 3 * sum(bins.values()) / 31


def test_blip_random_augment_has_blips_ops_values_and_firing_rate(image: np.ndarray) -> None:
    op, n = BlipRandomAugment(2, 5), 6000
    records = [op.sample(image, stream(2, 0, i, 0)) for i in range(n)]
    fired = [e for r in records for e in r["ops"]]
    assert abs(len(fired) / (2 * n) - 0.5) < 5 * math.sqrt(0.25 / (2 * n))  # BLIP: each op with p 0.5
    assert {e["op"] for e in fired} == set(BLIP_OPS)
    values = {e["op"]: set() for e in fired}
    for e in fired:
        values[e["op"]].add(e["magnitude"])
    # BLIP at level 5 of 10: rotate 15°, shear 0.15, translate 5 px (signs random), enhancers 1.8·0.5+0.1 = 1.0
    assert values["rotate"] == {15.0, -15.0} and values["translate_y"] == {5.0, -5.0}
    assert {round(v, 12) for v in values["shear_x"]} == {0.15, -0.15}
    assert {round(v, 12) for v in values["brightness"]} == {0.0} == {round(v, 12) for v in values["sharpness"]}
    assert op.interpolation == "linear" and op.fill == (128.0,)


def test_blip_preset_crops_flips_augments_and_normalizes_with_clips_statistics(image: np.ndarray) -> None:
    vg = blip(64, seed=0)
    assert tuple(vg.output.spec["mean"]) == OPENAI_MEAN and tuple(vg.output.spec["std"]) == OPENAI_STD
    view = vg.generate(image, index=3)
    assert view.items[0].shape == (3, 64, 64) and view.items[0].dtype == torch.float32
    assert [step["op"] for step in view.params[0]["ops"]] == [
        "image.random_resized_crop", "image.horizontal_flip", "image.blip_random_augment"]
    crop, flip, augment = vg.pipelines[0].ops
    assert crop.scale == (0.5, 1.0) and crop.interpolation == "cubic" and flip.p == 0.5
    assert (augment.num_ops, augment.magnitude) == (2, 5)
    areas = [r["params"]["height"] * r["params"]["width"] / (120 * 160)
             for i in range(200) for r in vg.generate(image, index=i).params[0]["ops"][:1]]
    assert 0.45 < min(areas) and max(areas) <= 1.0


def test_random_erasing_boxes_follow_torchvisions_rule(image: np.ndarray) -> None:
    op = RandomErasing(p=1.0, fill=(1, 2, 3))
    for i in range(300):
        r = op.sample(image, stream(3, 0, i, 0))
        area = r["height"] * r["width"] / (120 * 160)
        assert 0.015 < area < 0.36 and r["height"] < 120 and r["width"] < 160
        out = op.transform(image, r)
        assert (out[r["top"], r["left"]] == (1, 2, 3)).all()
    assert op.sample(image[:1, :1].copy(), stream(0, 0, 0, 0)) == {"applied": False}  # no box fits 1×1


def test_jpeg_equals_albumentations_on_grayscale_and_draws_whole_qualities(image: np.ndarray) -> None:
    from albumentations.augmentations.pixel.functional import image_compression

    gray = np.ascontiguousarray(image[..., 1])
    ours = JpegCompression(40).transform(gray, {"applied": True, "quality": 40})
    assert np.array_equal(ours, image_compression(gray[..., None], 40, ".jpg")[..., 0])
    op = JpegCompression((30, 34))
    qualities = Counter(op.sample(image, stream(4, 0, i, 0)).get("quality") for i in range(2000))
    assert set(qualities) - {None} == {30, 31, 32, 33, 34}


def test_errors_name_the_argument_and_the_record_key(image: np.ndarray) -> None:
    with pytest.raises(InvalidArgument, match="magnitude=31"):
        RandAugment(2, 31)
    with pytest.raises(InvalidArgument, match="quality"):
        JpegCompression((10.5, 20))
    with pytest.raises(InvalidArgument, match="bits"):
        Posterize(9)
    with pytest.raises(InvalidParams, match=r"params\['ops'\]\[0\]"):
        RandAugment().apply(image, {"applied": True, "ops": [{"op": "explode", "magnitude": 1.0}]})
    with pytest.raises(InvalidParams, match="magnitude"):
        RandAugment().apply(image, {"applied": True, "ops": [{"op": "shear_x", "magnitude": 5.0}]})
    with pytest.raises(InvalidParams, match="outside"):
        RandomErasing().apply(image, {"applied": True, "top": 100, "left": 0, "height": 50, "width": 5})


@settings(max_examples=25, deadline=None)
@given(h=st.integers(1, 40), w=st.integers(1, 40), gray=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_policies_batch_draws_and_kernels_equal_single_ones(h: int, w: int, gray: bool, seed: int) -> None:
    rng = np.random.default_rng(seed)
    images = [rng.integers(0, 256, (h, w) if gray else (h, w, 3), dtype=np.uint8) for _ in range(4)]
    for op in (RandAugment(3, 15), TrivialAugment(), BlipRandomAugment(2, 7)):
        records = [op.draw(x, stream(seed, 0, i, 0)) for i, x in enumerate(images)]
        u = np.stack([stream(seed, 0, i, 0).random(op.uniform_draws()) for i in range(4)])
        assert op.draw_uniforms(images, u) == records
        fired = [{"applied": True, **r} for r in records]
        batch = op.transform_batch(np.stack(images), fired)
        for x, r, y in zip(images, fired, batch, strict=True):
            assert np.array_equal(op.transform(x, r), y)
