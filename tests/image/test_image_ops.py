"""Image ops: what each one does to the pixels, and the inputs they accept."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import torch
from PIL import Image

from augkit import image
from augkit.image import as_image
from augkit.image.ops import (
    CenterCrop,
    ColorJitter,
    GaussianBlur,
    HorizontalFlip,
    RandomResizedCrop,
    Resize,
    Solarize,
    ToGray,
)


def test_random_resized_crop_draws_area_and_ratio_in_range(photo: np.ndarray) -> None:
    op = RandomResizedCrop(64, scale=(0.2, 0.5), ratio=(0.75, 1.333))
    h, w = photo.shape[:2]
    for seed in range(300):
        p = op.sample(photo, np.random.default_rng(seed))
        area = p["height"] * p["width"] / (h * w)
        assert 0.2 - 0.01 <= area <= 0.5 + 0.01
        assert 0.75 - 0.02 <= p["width"] / p["height"] <= 1.333 + 0.02
        assert 0 <= p["top"] <= h - p["height"] and 0 <= p["left"] <= w - p["width"]
    out = op.apply(photo, p)
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    expected = cv2.resize(photo[p["top"] : p["top"] + p["height"], p["left"] : p["left"] + p["width"]], (64, 64))
    np.testing.assert_array_equal(out, expected)


def test_crop_of_an_image_smaller_than_the_output_upsamples() -> None:
    tiny = np.arange(8 * 6 * 3, dtype=np.uint8).reshape(8, 6, 3)
    op = RandomResizedCrop(32)
    out = op.apply(tiny, op.sample(tiny, np.random.default_rng(0)))
    assert out.shape == (32, 32, 3)


def test_crop_falls_back_to_a_centred_crop_for_extreme_shapes() -> None:
    strip = np.zeros((2, 400, 3), np.uint8)  # no 8-100 % crop with ratio 3/4-4/3 fits in 10 tries
    p = RandomResizedCrop(16, scale=(0.5, 1.0)).sample(strip, np.random.default_rng(0))
    assert p["height"] == 2 and p["width"] == round(2 * 4 / 3) and p["left"] == (400 - p["width"]) // 2


def test_flip_gray_solarize_values(photo: np.ndarray) -> None:
    on = {"applied": True}
    np.testing.assert_array_equal(HorizontalFlip().apply(photo, on), photo[:, ::-1])
    gray = ToGray().apply(photo, on)
    assert gray.shape == photo.shape and np.array_equal(gray[..., 0], gray[..., 1])
    weights = np.array([0.299, 0.587, 0.114])
    assert np.abs(gray[..., 0].astype(float) - photo @ weights).max() <= 1.0
    sol = Solarize(threshold=128).apply(photo, on)
    np.testing.assert_array_equal(sol, np.where(photo >= 128, 255 - photo, photo))
    assert HorizontalFlip().apply(photo, {"applied": False}) is photo


def test_color_jitter_brightness_and_identity(photo: np.ndarray) -> None:
    op = ColorJitter(0.5, 0.5, 0.5, 0.1, p=1.0)
    params = {"applied": True, "order": ["brightness", "contrast", "saturation", "hue"],
              "brightness": 1.3, "contrast": 1.0, "saturation": 1.0, "hue": 0.0}
    out = op.apply(photo, params)
    # torchvision blends uint8 images in float32
    np.testing.assert_array_equal(out, np.clip(photo.astype(np.float32) * np.float32(1.3), 0, 255).astype(np.uint8))
    identity = dict(params, brightness=1.0)
    np.testing.assert_array_equal(op.apply(photo, identity), photo)


def test_color_jitter_draws_factors_in_range_in_random_order(photo: np.ndarray) -> None:
    op = ColorJitter(0.8, 0.8, 0.8, 0.2, p=1.0)
    orders = set()
    for seed in range(200):
        p = op.sample(photo, np.random.default_rng(seed))
        assert 0.2 <= p["brightness"] <= 1.8 and 0.2 <= p["contrast"] <= 1.8 and 0.2 <= p["saturation"] <= 1.8
        assert -0.2 <= p["hue"] <= 0.2
        orders.add(tuple(p["order"]))
    assert len(orders) > 12  # 24 orders exist


def test_color_jitter_matches_torchvision_semantics_for_saturation() -> None:
    # saturation 0 gives the grayscale image (torchvision: blend with rgb_to_grayscale)
    rgb = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    p = {"applied": True, "order": ["saturation"], "brightness": 1.0, "contrast": 1.0, "saturation": 0.0, "hue": 0.0}
    out = ColorJitter(p=1.0).apply(rgb, p)
    gray = rgb @ np.array([0.299, 0.587, 0.114])
    assert np.abs(out[..., 1].astype(float) - gray).max() <= 1.0


def test_color_kernels_equal_albumentations_torchvision_kernels() -> None:
    from albumentations.augmentations.pixel import functional as fpixel

    from augkit.image import functional as _color

    rng = np.random.default_rng(3)
    for trial in range(60):
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        img = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        if trial % 4 == 0:
            img = np.ascontiguousarray(img[..., 0])
        factor = 0.0 if trial % 10 == 0 else float(rng.uniform(0, 2))
        hue = float(rng.uniform(-0.5, 0.5))
        np.testing.assert_array_equal(_color.brightness(img, factor), fpixel.adjust_brightness_torchvision(img, factor))
        np.testing.assert_array_equal(_color.contrast(img, factor), fpixel.adjust_contrast_torchvision(img, factor))
        if img.ndim == 3:
            np.testing.assert_array_equal(
                _color.saturation(img, factor), fpixel.adjust_saturation_torchvision(img, factor)
            )
            np.testing.assert_array_equal(_color.hue(img, hue), fpixel.adjust_hue_torchvision(img.copy(), hue))


def test_blur_truncated_at_3_sigma_equals_the_paper_kernel(photo: np.ndarray) -> None:
    op = GaussianBlur(sigma=(0.1, 2.0), kernel_size=23, p=1.0)
    for sigma in (0.3, 1.0, 1.7, 2.0):
        p = {"applied": True, "sigma": sigma, "kernel_size": 2 * math.ceil(3 * sigma) + 1}
        ours = op.apply(photo, p).astype(int)
        full = cv2.GaussianBlur(photo, (23, 23), sigma, borderType=cv2.BORDER_REFLECT_101).astype(int)
        assert np.abs(ours - full).max() <= 1, sigma
    # a hard black-white edge is the worst case of a truncated kernel
    edge = np.zeros((40, 40, 3), np.uint8)
    edge[:, 20:] = 255
    for sigma in (0.5, 1.3, 2.0):
        p = {"applied": True, "sigma": sigma, "kernel_size": 2 * math.ceil(3 * sigma) + 1}
        full = cv2.GaussianBlur(edge, (23, 23), sigma, borderType=cv2.BORDER_REFLECT_101).astype(int)
        assert np.abs(op.apply(edge, p).astype(int) - full).max() <= 1, sigma
    drawn = [op.sample(photo, np.random.default_rng(i)) for i in range(20)]
    assert all(d["kernel_size"] == 2 * math.ceil(3 * d["sigma"]) + 1 <= 23 for d in drawn)


def test_resize_and_centre_crop(photo: np.ndarray) -> None:
    on = {"applied": True}
    r = Resize(100).apply(photo, on)
    assert min(r.shape[:2]) == 100 and abs(r.shape[1] / r.shape[0] - photo.shape[1] / photo.shape[0]) < 0.02
    c = CenterCrop((50, 60)).apply(photo, on)
    h, w = photo.shape[:2]
    np.testing.assert_array_equal(c, photo[(h - 50) // 2 : (h - 50) // 2 + 50, (w - 60) // 2 : (w - 60) // 2 + 60])


def test_accepted_inputs(photo: np.ndarray) -> None:
    rgba = np.concatenate([photo, np.full((*photo.shape[:2], 1), 7, np.uint8)], axis=-1)
    np.testing.assert_array_equal(as_image(rgba), photo)  # alpha dropped
    np.testing.assert_array_equal(as_image(Image.fromarray(photo)), photo)
    np.testing.assert_array_equal(as_image(torch.from_numpy(photo).permute(2, 0, 1)), photo)
    gray = photo[..., 0]
    assert as_image(gray[..., None]).shape == gray.shape
    wide = (photo.astype(np.uint16) * 257)
    np.testing.assert_array_equal(as_image(wide), photo)  # uint16 rescaled
    np.testing.assert_array_equal(as_image(photo / 255.0), photo)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (np.zeros((4, 4, 4, 3), np.uint8), ValueError, r"shape \(4, 4, 4, 3\)"),
        (np.zeros((0, 5, 3), np.uint8), ValueError, "no pixels"),
        (np.full((4, 4, 3), np.nan, np.float32), ValueError, "NaN"),
        (np.zeros((4, 4, 5), np.uint8), ValueError, "5 channels"),
        (np.zeros((4, 4, 3), np.int32), TypeError, "dtype int32"),
        (np.zeros((4, 4, 3), bool), TypeError, "dtype bool"),
        (np.full((4, 4, 3), 2.0), ValueError, r"must lie in \[0, 1\]"),
        (torch.zeros(3, 4, 4), TypeError, "torch.float32"),
        ("photo.jpg", TypeError, "unsupported image type str"),
    ],
)
def test_bad_inputs_name_the_problem(bad: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        image.simclr(32, seed=0)(bad)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RandomResizedCrop(32, scale=(0, 1)), r"scale=\(0, 1\) must be .* within \(0, 1\]"),
        (lambda: RandomResizedCrop(0), r"size=0 must be .* each in \[1, 16384\]"),
        (lambda: RandomResizedCrop(8, interpolation="lanczos"),
         "interpolation='lanczos' must be one of 'linear', 'area', 'cubic', 'cubic_antialias'"),
        (lambda: ColorJitter(hue=0.7), r"hue=0.7 must be a strength .* within \[-0.5, 0.5\]"),
        (lambda: ColorJitter(brightness=(1.5, 1.2)), r"brightness=\(1.5, 1.2\) must be .* min <= max"),
        (lambda: GaussianBlur(kernel_size=4), r"kernel_size=4 must be an odd int in \[1, inf\)"),
        (lambda: GaussianBlur(sigma=0), r"sigma=0 must be .* within \(0, 100\]"),
        (lambda: Solarize(threshold=300), r"threshold=300 must be a number in \[0, 256\]"),
        (lambda: ToGray(p=2), r"p=2 must be a probability in \[0, 1\]"),
        (lambda: Resize((0, 3)), r"size=\(0, 3\) must be .* each in \[1, 16384\]"),
        (lambda: CenterCrop(20000), r"size=20000 must be .* each in \[1, 16384\]"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_allowed_range(make, message: str) -> None:  # type: ignore[no-untyped-def]
    from augkit.core.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match=message):
        make()


def test_wrong_argument_types_are_type_errors_naming_the_argument() -> None:
    from augkit.core.errors import WrongArgumentType

    with pytest.raises(WrongArgumentType, match="size='a'"):
        Resize("a")  # type: ignore[arg-type]
    with pytest.raises(WrongArgumentType, match="its arguments are: p"):
        HorizontalFlip(0.5, 3)  # type: ignore[call-arg]


def test_pipeline_gives_each_op_its_own_stream_deterministically(photo: np.ndarray) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from augkit.core import Compose, RandomApply
    from augkit.image import Pipeline

    twins = Pipeline([ColorJitter(0.8, 0.8, 0.8, 0.2, p=1.0), ColorJitter(0.8, 0.8, 0.8, 0.2, p=1.0)])
    small = photo[:32, :32].copy()
    _, params = twins.augment(small, np.random.default_rng(0))
    first, second = (rec["params"] for rec in params["ops"])
    assert first["brightness"] != second["brightness"] and first["hue"] != second["hue"]
    # a composite inside keys its own child streams by place, still derived from the view's stream
    assert image.Pipeline is Compose
    mixed = Pipeline([RandomApply(HorizontalFlip(p=1.0), p=0.5), ColorJitter(p=1.0)])
    runs = [mixed.augment(small, np.random.default_rng(seed))[1] for seed in range(40)]
    assert runs == [mixed.augment(small, np.random.default_rng(seed))[1] for seed in range(40)]
    assert {r["ops"][0]["params"]["applied"] for r in runs} == {True, False}
    # threads share no generator state: concurrent runs give the sequential results
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(lambda s: mixed.augment(small, np.random.default_rng(s))[1], range(40)))
    assert threaded == runs


def test_color_jitter_takes_strengths_and_exact_ranges() -> None:
    from augkit.image import ColorJitter

    strong = ColorJitter(0.8, 0.8, 0.8, 0.2)
    assert strong.brightness == (pytest.approx(0.2), 1.8) and strong.hue == (-0.2, 0.2)
    fixed = ColorJitter(brightness=(1.2, 1.2), contrast=0, saturation=0, hue=0, p=1.0)
    record = fixed.sample(np.zeros((4, 4, 3), np.uint8), np.random.default_rng(0))
    assert record["brightness"] == 1.2 and record["contrast"] == 1.0 and record["hue"] == 0.0
    with pytest.raises(ValueError, match=r"hue=\(-0.6, 0.1\)"):
        ColorJitter(hue=(-0.6, 0.1))
    with pytest.raises(ValueError, match=r"brightness=-1"):
        ColorJitter(brightness=-1)


def test_image_ops_convert_other_image_forms_and_check_their_records() -> None:
    from PIL import Image

    from augkit.core.errors import InvalidParams
    from augkit.image import HorizontalFlip, RandomResizedCrop

    rgb = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    flip = HorizontalFlip(p=1.0)
    np.testing.assert_array_equal(flip.apply(Image.fromarray(rgb), {"applied": True}), rgb[:, ::-1])
    np.testing.assert_array_equal(flip.apply(rgb.astype(np.uint16) * 257, {"applied": True}), rgb[:, ::-1])
    rgba = np.dstack([rgb, np.full((4, 6), 255, np.uint8)])
    np.testing.assert_array_equal(flip.apply(rgba, {"applied": True}), rgb[:, ::-1])
    with pytest.raises(InvalidParams, match="'applied'"):
        flip.apply(rgb, {})  # augkit 0.1 accepted this silently
    with pytest.raises(TypeError, match="float16"):
        flip.apply(rgb.astype(np.float16), {"applied": True})
    with pytest.raises(InvalidParams, match="outside an image of 4×6"):
        RandomResizedCrop(8).apply(rgb, {"applied": True, "top": 2, "left": 0, "height": 4, "width": 4})


PIXELS = np.random.default_rng(7).integers(0, 256, (20, 24, 3), dtype=np.uint8)
# every image op with its default p (deterministic ops always fire)
DEFAULT_P = [
    (RandomResizedCrop, {"size": 8}, 1.0), (HorizontalFlip, {}, 0.5), (ColorJitter, {}, 0.8), (ToGray, {}, 0.2),
    (GaussianBlur, {}, 0.5), (Solarize, {}, 0.2), (Resize, {"size": 10}, 1.0), (CenterCrop, {"size": 8}, 1.0),
]


@pytest.mark.parametrize(("cls", "kwargs", "default"), DEFAULT_P, ids=[c.__name__ for c, _, _ in DEFAULT_P])
def test_every_image_op_declares_p_with_its_default(cls, kwargs, default: float) -> None:  # type: ignore[no-untyped-def]
    import inspect

    assert inspect.signature(cls).parameters["p"].default == default
    op = cls(**kwargs)
    assert op.p == default and op.arguments()["p"] == default and f"p={default}" in repr(op)
    never = cls(**kwargs, p=0.0)
    record = never.sample(PIXELS, np.random.default_rng(0))
    assert record == {"applied": False}
    assert never.apply(PIXELS, record) is PIXELS
    always = cls(**kwargs, p=1.0)
    fired = always.sample(PIXELS, np.random.default_rng(0))
    # a crop records its interpolation too (an argument its view depends on, optional in 0.2's records)
    assert fired["applied"] is True and set(fired) - {"interpolation"} == {"applied", *cls.drawn}
    # fired with p = 1 and drawn with p < 1: the same maths for the same record
    np.testing.assert_array_equal(op.apply(PIXELS, fired), always.apply(PIXELS, fired))


@pytest.mark.parametrize(("cls", "kwargs", "default"), DEFAULT_P, ids=[c.__name__ for c, _, _ in DEFAULT_P])
def test_apply_without_applied_names_the_key(cls, kwargs, default: float) -> None:  # type: ignore[no-untyped-def]
    from augkit.core.errors import InvalidParams

    op = cls(**kwargs)
    with pytest.raises(ValueError, match="'applied'"):
        op.apply(PIXELS, {})
    with pytest.raises(InvalidParams, match=r"\['applied'\] must be bool"):
        op.apply(PIXELS, {"applied": 1})
    for key in cls.drawn:
        record = op.sample(PIXELS, np.random.default_rng(0)) if op.p == 1.0 else cls(**kwargs, p=1.0).sample(
            PIXELS, np.random.default_rng(0))
        del record[key]
        with pytest.raises(InvalidParams, match=repr(key)):
            op.apply(PIXELS, record)


@pytest.mark.parametrize("form", ["pil", "uint16", "rgba", "float", "tensor"])
def test_ops_convert_other_image_forms_given_directly(form: str) -> None:
    rgb = PIXELS
    given = {
        "pil": lambda: Image.fromarray(rgb),
        "uint16": lambda: rgb.astype(np.uint16) * 257,
        "rgba": lambda: np.dstack([rgb, np.full(rgb.shape[:2], 9, np.uint8)]),
        "float": lambda: rgb / 255.0,
        "tensor": lambda: torch.from_numpy(rgb).permute(2, 0, 1),
    }[form]()
    pipeline = image.Pipeline([RandomResizedCrop(12), ColorJitter(p=1.0), GaussianBlur(p=1.0), Solarize(p=1.0)])
    out, params = pipeline.augment(given, np.random.default_rng(1))
    ref, ref_params = pipeline.augment(rgb, np.random.default_rng(1))
    assert params == ref_params and out.dtype == np.uint8 and out.shape == (12, 12, 3)
    np.testing.assert_array_equal(out, ref)
    for op in (ToGray(p=1.0), Resize(10), CenterCrop(8)):
        np.testing.assert_array_equal(op.apply(given, {"applied": True}), op.apply(rgb, {"applied": True}))


def test_image_input_errors_are_augkit_errors() -> None:
    from augkit.core.errors import InvalidInput, WrongInputType

    with pytest.raises(WrongInputType, match="dtype int32"):
        HorizontalFlip(p=1.0).apply(np.zeros((4, 4, 3), np.int32), {"applied": True})
    with pytest.raises(InvalidInput, match="5 channels"):
        ToGray().sample(np.zeros((4, 4, 5), np.uint8), np.random.default_rng(0))
    with pytest.raises(WrongInputType, match="unsupported image type list"):
        as_image([[1, 2], [3, 4]])
    with pytest.raises(InvalidInput, match="NaN"):
        as_image(np.full((2, 2), np.inf))


def test_output_and_statistics_errors_name_the_argument() -> None:
    from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType, WrongInputType

    with pytest.raises(InvalidArgument, match="output='float'"):
        image.make_output("float")
    with pytest.raises(InvalidArgument, match=r"std=.* must be positive"):
        image.make_output("normalized", std=(0.2, 0.0, 0.3))
    with pytest.raises(InvalidArgument, match="1 or 3 numbers"):
        image.make_output("normalized", mean=(0.5, 0.5), std=(0.2, 0.2))
    with pytest.raises(InvalidArgument, match="finite"):
        image.make_output("normalized", mean=(float("nan"),), std=(0.2,))
    with pytest.raises(WrongArgumentType, match="mean='grey'"):
        image.make_output("normalized", mean="grey")  # type: ignore[arg-type]
    batch = torch.zeros(2, 3, 4, 4, dtype=torch.uint8)
    with pytest.raises(WrongInputType, match="uint8 torch tensor"):
        image.normalize_batch(batch.numpy())
    with pytest.raises(InvalidInput, match="2 channels"):
        image.normalize_batch(batch[:, :2])
    with pytest.raises(WrongArgumentType, match="float32"):
        image.normalize_batch(batch, out=torch.empty(batch.shape, dtype=torch.float64))
    with pytest.raises(InvalidArgument, match="shape"):
        image.normalize_batch(batch, out=torch.empty(2, 3, 4, 2))


def test_color_jitter_stores_normalized_ranges_and_draws_within_them() -> None:
    clipped = ColorJitter(brightness=1.5, contrast=0, saturation=(0.5, 1.5), hue=(-0.3, 0.1), p=1.0)
    assert clipped.brightness == (0.0, 2.5)  # max(0, 1 - b)
    assert clipped.contrast == (1.0, 1.0) and clipped.saturation == (0.5, 1.5) and clipped.hue == (-0.3, 0.1)
    assert ColorJitter(brightness=(1.2, 1.2)).brightness == (1.2, 1.2)  # a fixed factor
    assert ColorJitter(hue=0.5).hue == (-0.5, 0.5)
    for seed in range(50):
        r = clipped.sample(PIXELS, np.random.default_rng(seed))
        assert 0.0 <= r["brightness"] <= 2.5 and r["contrast"] == 1.0
        assert 0.5 <= r["saturation"] <= 1.5 and -0.3 <= r["hue"] <= 0.1
    # the stored ranges rebuild the same op
    again = ColorJitter(**clipped.arguments())
    assert again.arguments() == clipped.arguments()


def test_a_clamped_crop_cuts_its_box_to_the_image_and_batches_draw_the_same() -> None:
    from augkit import ViewGenerator
    from augkit.image import RandomResizedCrop

    op = RandomResizedCrop(16, scale=(0.6, 1.0), fit="clamp")
    photo = np.zeros((30, 50, 3), np.uint8)
    recs = [op.draw(photo, np.random.default_rng(k)) for k in range(400)]
    assert all(1 <= r["height"] <= 30 and 1 <= r["width"] <= 50 for r in recs)
    assert sum(r["height"] == 30 for r in recs) > 100  # tall boxes are cut to the image, not drawn again
    retry = [RandomResizedCrop(16, scale=(0.6, 1.0)).draw(photo, np.random.default_rng(k)) for k in range(400)]
    assert sum(r["height"] == 30 for r in retry) < sum(r["height"] == 30 for r in recs)
    vg = ViewGenerator(op, n_views=2, seed=5)
    photos = [np.random.default_rng(i).integers(0, 256, (30 + i, 50, 3), dtype=np.uint8) for i in range(8)]
    batch = vg.generate_batch(photos, range(8))
    assert batch.params == [vg.generate(x, index=i).params for i, x in enumerate(photos)]
