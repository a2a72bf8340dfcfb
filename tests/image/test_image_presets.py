"""Presets: hyper-parameters as published, op frequencies, views that differ and replay."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit import Compose, ViewGenerator, image
from augkit.image.ops import ColorJitter, GaussianBlur, HorizontalFlip, RandomResizedCrop, Solarize, ToGray


def ops_of(pipeline: Any) -> dict[str, Any]:
    assert isinstance(pipeline, Compose)
    return {op.name.split(".", 1)[1]: op for op in pipeline.ops}


def recipe(pipeline: Any) -> dict[str, Any]:
    """The hyper-parameters of one view's pipeline, in the papers' terms."""
    ops = ops_of(pipeline)
    crop: RandomResizedCrop = ops["random_resized_crop"]
    jitter: ColorJitter = ops["color_jitter"]
    blur: GaussianBlur | None = ops.get("gaussian_blur")
    sol: Solarize | None = ops.get("solarize")
    flip: HorizontalFlip = ops["horizontal_flip"]
    gray: ToGray = ops["to_gray"]
    return {
        "size": crop.size[0],
        "scale": crop.scale,
        "ratio": _round(crop.ratio),
        "flip_p": flip.p,
        # the strengths s the papers give: factors in [max(0, 1 - s), 1 + s], hue in [-s, s]
        "jitter": _round((jitter.brightness[1] - 1, jitter.contrast[1] - 1, jitter.saturation[1] - 1, jitter.hue[1])),
        "jitter_p": jitter.p,
        "gray_p": gray.p,
        "blur_p": 0.0 if blur is None else blur.p,
        "blur_sigma": None if blur is None else blur.sigma,
        "blur_kernel": None if blur is None else blur.kernel_size,
        "solarize_p": 0.0 if sol is None else sol.p,
    }


RATIO = (3 / 4, 4 / 3)


def _round(values: tuple[float, ...]) -> tuple[float, ...]:
    # 0.8 * 0.5 is 0.4 only up to float rounding
    return tuple(round(v, 9) for v in values)


def expected(size: int, scale: tuple[float, float], jitter: tuple[float, ...], blur_p: float, sol_p: float = 0.0,
             kernel: int | None = None) -> dict[str, Any]:
    return {
        "size": size, "scale": scale, "ratio": _round(RATIO), "flip_p": 0.5,
        "jitter": _round(jitter), "jitter_p": 0.8, "gray_p": 0.2, "blur_p": blur_p,
        "blur_sigma": (0.1, 2.0) if blur_p else None, "blur_kernel": kernel if blur_p else None,
        "solarize_p": sol_p,
    }


def test_simclr_is_the_paper_recipe() -> None:
    vg = image.simclr(224)
    assert vg.n_views == 2
    assert recipe(vg.pipelines[0]) == expected(224, (0.08, 1.0), (0.8, 0.8, 0.8, 0.2), 0.5, kernel=23)
    assert vg.pipelines[0] is vg.pipelines[1]


def test_simclr_cifar_has_no_blur_and_half_strength() -> None:
    assert recipe(image.simclr_cifar(32).pipelines[0]) == expected(32, (0.08, 1.0), (0.4, 0.4, 0.4, 0.1), 0.0)


def test_moco_v2_recipe() -> None:
    # moco/loader.py blurs with PIL's GaussianBlur(radius=σ): the 3σ kernel, no cap (kernel None)
    assert recipe(image.moco_v2().pipelines[0]) == expected(224, (0.2, 1.0), (0.4, 0.4, 0.4, 0.1), 0.5, kernel=None)


def test_byol_asymmetric_views() -> None:
    vg = image.byol()
    jitter = (0.4, 0.4, 0.2, 0.1)
    assert recipe(vg.pipelines[0]) == expected(224, (0.08, 1.0), jitter, 1.0, 0.0, kernel=23)
    assert recipe(vg.pipelines[1]) == expected(224, (0.08, 1.0), jitter, 0.1, 0.2, kernel=23)
    assert ops_of(vg.pipelines[1])["solarize"].threshold == 128


def test_swav_multi_crop() -> None:
    vg = image.swav()
    assert vg.n_views == 8
    jitter = (0.8, 0.8, 0.8, 0.2)
    for p in vg.pipelines[:2]:
        assert recipe(p) == expected(224, (0.14, 1.0), jitter, 0.5, kernel=None)  # PIL's radius blur
    for p in vg.pipelines[2:]:
        assert recipe(p) == expected(96, (0.05, 0.14), jitter, 0.5, kernel=None)


def test_dino_multi_crop() -> None:
    assert image.dino().n_views == 10
    vg = image.dino(n_views=8)
    assert vg.n_views == 8
    jitter = (0.4, 0.4, 0.2, 0.1)
    assert recipe(vg.pipelines[0]) == expected(224, (0.4, 1.0), jitter, 1.0, kernel=None)  # PIL's radius blur
    assert recipe(vg.pipelines[1]) == expected(224, (0.4, 1.0), jitter, 0.1, 0.2, kernel=None)
    for p in vg.pipelines[2:]:
        assert recipe(p) == expected(96, (0.05, 0.4), jitter, 0.5, kernel=None)
        assert ops_of(p)["random_resized_crop"].interpolation == "cubic"  # main_dino.py: Image.BICUBIC


def fired(params: dict[str, Any]) -> dict[str, bool]:
    return {rec["op"].split(".", 1)[1]: rec["params"]["applied"] for rec in params["ops"]}


@pytest.mark.parametrize("preset", ["simclr", "byol", "dino"])
def test_each_op_fires_at_its_probability(preset: str) -> None:
    # 2,000 draws per view pipeline; counts within 3 sigma of n*p.
    n = 2000
    x = np.zeros((40, 40, 3), np.uint8)
    if preset == "dino":
        vg: ViewGenerator = image.dino(64, 32, n_views=3, seed=0)
    else:
        vg = getattr(image, preset)(64, seed=0)
    for k, pipeline in enumerate(vg.pipelines):
        counts: dict[str, int] = {}
        for i in range(n):
            for name, hit in fired(pipeline.sample(x, vg.rng(i, 0, k))).items():
                counts[name] = counts.get(name, 0) + hit
        for op in pipeline.ops:
            short = op.name.split(".", 1)[1]
            p = op.p
            sigma = np.sqrt(n * p * (1 - p))
            assert abs(counts[short] - n * p) <= 3 * sigma + 1e-9, (preset, k, short, counts[short], p)


def test_two_views_differ_and_replay_bit_for_bit(photo: np.ndarray) -> None:
    vg = image.simclr(96, seed=1)
    views = vg.generate(photo, index=3, epoch=0)
    assert not torch.equal(views.items[0], views.items[1])
    params = json.loads(json.dumps(views.params))
    for a, b in zip(views.items, vg.replay(photo, params), strict=True):
        assert torch.equal(a, b)


def test_outputs(photo: np.ndarray) -> None:
    norm = image.simclr(64, seed=0)(photo, index=0)[0]
    raw = image.simclr(64, seed=0, output="uint8")(photo, index=0)[0]
    arr = image.simclr(64, seed=0, output="numpy")(photo, index=0)[0]
    assert norm.dtype == torch.float32 and norm.shape == (3, 64, 64)
    assert raw.dtype == torch.uint8 and raw.shape == (3, 64, 64)
    assert isinstance(arr, np.ndarray) and arr.shape == (64, 64, 3)
    assert torch.equal(raw, torch.from_numpy(arr).permute(2, 0, 1))
    mean = torch.tensor(image.IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(image.IMAGENET_STD).view(3, 1, 1)
    torch.testing.assert_close(norm, (raw.float() / 255 - mean) / std, atol=1e-5, rtol=0)
    torch.testing.assert_close(image.normalize_batch(raw[None])[0], norm, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="output='float'"):
        image.simclr(output="float")


@pytest.mark.parametrize("side", [32, 100])  # the small-image table path and the large-image path
@pytest.mark.parametrize("gray", [False, True])
def test_normalized_output_is_contiguous_and_matches_the_formula(side: int, gray: bool) -> None:
    shape = (side, side) if gray else (side, side, 3)
    img = np.random.default_rng(side).integers(0, 256, shape, dtype=np.uint8)
    out = image.make_output("normalized", mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.3))(img)
    mean = torch.tensor([0.5, 0.4, 0.3]).view(3, 1, 1)
    std = torch.tensor([0.2, 0.25, 0.3]).view(3, 1, 1)
    raw = torch.from_numpy(img[None] if gray else img.transpose(2, 0, 1).copy()).float()
    if gray:
        mean, std = mean.mean(0, keepdim=True), std.mean(0, keepdim=True)
    assert out.dtype == torch.float32 and out.is_contiguous() and out.shape == raw.shape
    torch.testing.assert_close(out, (raw / 255 - mean) / std, atol=1e-5, rtol=0)


@pytest.mark.parametrize("layout", ["contiguous", "strided", "one image", "gray"])
def test_normalize_batch_by_table_and_by_arithmetic_agree(layout: str) -> None:
    # contiguous CPU batches take the per-channel table lookup, the others torch's arithmetic
    gen = torch.Generator().manual_seed(1)
    batch = torch.randint(0, 256, (3, 3, 9, 7), dtype=torch.uint8, generator=gen)
    mean, std = (0.5, 0.4, 0.3), (0.2, 0.25, 0.3)
    if layout == "strided":
        batch = batch.transpose(-1, -2)
    elif layout == "one image":
        batch = batch[0]
    elif layout == "gray":
        batch = batch[:, :1]
    m = torch.tensor(mean).view(3, 1, 1)
    s = torch.tensor(std).view(3, 1, 1)
    if layout == "gray":
        m, s = m.mean(0, keepdim=True), s.mean(0, keepdim=True)
    got = image.normalize_batch(batch, mean, std)
    assert got.dtype == torch.float32 and got.shape == batch.shape
    torch.testing.assert_close(got, (batch.float() / 255 - m) / s, atol=1e-6, rtol=0)
    if layout == "contiguous":
        buffer = torch.empty(batch.shape)
        assert image.normalize_batch(batch, mean, std, out=buffer) is buffer and torch.equal(buffer, got)


@settings(max_examples=60, deadline=None)
@given(shape=st.tuples(st.integers(0, 4), st.sampled_from([1, 3]), st.integers(0, 9), st.integers(0, 9)),
       stats=st.sampled_from([((0.5,), (0.2,)), ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)), ((0.0,), (1.0,))]),
       seed=st.integers(0, 2**16))
def test_normalize_batch_matches_the_formula_for_any_shape(shape: tuple[int, int, int, int],
                                                           stats: tuple[tuple[float, ...], tuple[float, ...]],
                                                           seed: int) -> None:
    batch = torch.randint(0, 256, shape, dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))
    mean, std = torch.tensor(stats[0]).view(-1, 1, 1), torch.tensor(stats[1]).view(-1, 1, 1)
    if shape[1] == 1 and mean.numel() == 3:
        mean, std = mean.mean(0, keepdim=True), std.mean(0, keepdim=True)
    got = image.normalize_batch(batch, *stats)
    torch.testing.assert_close(got, (batch.float() / 255 - mean) / std, atol=2e-6, rtol=0)
    buffer = torch.full(shape, float("nan"))
    assert torch.equal(image.normalize_batch(batch, *stats, out=buffer), got)


def test_normalize_batch_into_a_reused_buffer_and_its_errors() -> None:
    batch = torch.randint(0, 256, (4, 3, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    expected = image.normalize_batch(batch)
    mean = torch.tensor(image.IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(image.IMAGENET_STD).view(3, 1, 1)
    torch.testing.assert_close(expected, (batch.float() / 255 - mean) / std, atol=1e-5, rtol=0)
    buffer = torch.full(batch.shape, float("nan"))
    assert image.normalize_batch(batch, out=buffer) is buffer
    torch.testing.assert_close(buffer, expected, atol=0, rtol=0)
    with pytest.raises(TypeError, match="uint8 torch tensor"):
        image.normalize_batch(batch.float())
    with pytest.raises(TypeError, match="float32"):
        image.normalize_batch(batch, out=torch.empty(batch.shape, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"shape \(4, 3, 8, 4\)"):
        image.normalize_batch(batch, out=torch.empty(4, 3, 8, 4))
    with pytest.raises(ValueError, match="2 channels"):
        image.normalize_batch(batch[:, :2])


def test_grayscale_input_gives_one_channel_views() -> None:
    digit = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    v = image.simclr_cifar(28, seed=0)(digit, index=0)
    assert [t.shape for t in v] == [(1, 28, 28), (1, 28, 28)]
    raw = image.simclr_cifar(28, seed=0, output="uint8")(digit, index=0)[0]
    assert image.normalize_batch(raw[None]).shape == (1, 1, 28, 28)


def test_eval_transform_resizes_and_centre_crops(photo: np.ndarray) -> None:
    t = image.eval_transform(224)
    assert t.resize == 256
    out = image.eval_transform(224, output="numpy")(photo)
    assert out.shape == (224, 224, 3)
    # deterministic, and the centre of the resized photo
    np.testing.assert_array_equal(out, image.eval_transform(224, output="numpy")(photo))
    assert t(photo).shape == (3, 224, 224)
    small = image.eval_transform(32, resize=32, output="numpy")(np.zeros((10, 20, 3), np.uint8))
    assert small.shape == (32, 32, 3)


def test_n_views_is_the_total_and_wrong_counts_are_refused_by_name() -> None:
    assert image.simclr(64, n_views=3).n_views == 3
    assert image.swav(n_views=2).n_views == 2 and image.swav().n_views == 8
    with pytest.raises(ValueError, match=r"byol\(n_views=3\) is not possible: image.byol makes exactly 2 views"):
        image.byol(n_views=3)
    for bad in (-1, 0, 1):
        with pytest.raises(ValueError, match="n_views"):
            image.dino(n_views=bad)
    with pytest.raises(ValueError, match="strength=-1"):
        image.simclr(strength=-1)
    with pytest.raises(ValueError, match="output='png'"):
        image.simclr(output="png")
    with pytest.raises(TypeError, match="n_local"):
        image.dino(n_local=2)  # type: ignore[call-arg]


def test_presets_are_registered_by_name() -> None:
    from augkit.core import registry

    assert {f"image.{n}" for n in ("simclr", "simclr_cifar", "moco_v2", "byol", "swav", "dino")} <= set(
        registry.presets())
    assert registry.get_preset("image.simclr") is image.simclr


PRESETS = ["simclr", "simclr_cifar", "moco_v2", "byol", "swav", "dino"]


@pytest.mark.parametrize("name", PRESETS)
def test_every_image_preset_takes_the_common_keywords_declared_once(name: str) -> None:
    import inspect

    from augkit.image.presets import IMAGE_OPTIONS

    preset = getattr(image, name)
    params = inspect.signature(preset).parameters
    keywords = ["n_views", "seed", *(a.name for a in IMAGE_OPTIONS)]
    assert list(params)[-len(keywords):] == keywords
    assert all(params[k].kind is inspect.Parameter.KEYWORD_ONLY for k in keywords)
    # the recipe itself does not repeat them
    assert not {"seed", "output", "mean", "std"} & set(inspect.signature(preset.build).parameters)
    vg = preset(48, seed=3, output="uint8") if name not in ("swav", "dino") else preset(48, 24, seed=3, output="uint8")
    assert vg.seed == 3 and vg.prepare is None and vg.modality == "image"
    assert vg(np.zeros((30, 30, 3), np.uint8), index=0)[0].dtype == torch.uint8
    with pytest.raises(ValueError, match=r"std=.* must be 1 or 3 numbers, each in \[0.001, 1\]"):
        preset(seed=0, std=(0.2, 0.0, 0.2))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: image.simclr(0), ValueError, r"simclr\(\): size=0 must be an int in \[1, 16384\]"),
        (lambda: image.simclr(strength=3), ValueError, r"simclr\(\): strength=3 must be a number in \[0, 2.5\]"),
        (lambda: image.simclr(blur=1), TypeError, r"simclr\(\): blur=1 must be True or False"),
        (lambda: image.simclr_cifar(scale=(0.5, 0.2)), ValueError, r"simclr_cifar\(\): scale=\(0.5, 0.2\)"),
        (lambda: image.moco_v2(1.5), TypeError, r"moco_v2\(\): size=1.5 must be an int"),
        (lambda: image.swav(local_size=0), ValueError, r"swav\(\): local_size=0"),
        (lambda: image.dino(size=(3, 4)), TypeError, r"dino\(\): size=\(3, 4\)"),
        (lambda: image.simclr(n_views=0), ValueError, r"simclr\(n_views\)=0 must be an int in \[1, 1024\]"),
        (lambda: image.swav(n_views=1), ValueError, r"swav\(n_views\)=1 must be an int in \[2, 1024\]"),
        (lambda: image.byol(n_views=1), ValueError, r"byol\(n_views=1\) is not possible"),
        (lambda: image.simclr(seed=-1), ValueError, r"seed=-1"),
    ],
)
def test_preset_arguments_are_checked_by_name(make, error: type[Exception], message: str) -> None:  # type: ignore[no-untyped-def]
    from augkit.core.errors import AugkitError

    with pytest.raises(error, match=message) as caught:
        make()
    assert isinstance(caught.value, AugkitError)


def test_multi_crop_presets_split_n_views_into_two_globals_and_locals() -> None:
    for preset, local in ((image.swav, 96), (image.dino, 96)):
        for n in (2, 3, 12):
            vg = preset(n_views=n)
            sizes = [ops_of(p)["random_resized_crop"].size[0] for p in vg.pipelines]
            assert sizes == [224, 224] + [local] * (n - 2)


def test_a_dino_record_replays_with_n_views(photo: np.ndarray) -> None:
    vg = image.dino(48, 24, n_views=3, seed=0, output="numpy")
    x = np.ascontiguousarray(photo[::4, ::4])
    made = vg.generate(x, index=2)
    assert [v.shape for v in made.items] == [(48, 48, 3), (48, 48, 3), (24, 24, 3)]
    for a, b in zip(made.items, vg.replay(x, json.loads(json.dumps(made.params))), strict=True):
        np.testing.assert_array_equal(a, b)
