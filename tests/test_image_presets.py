"""Presets: hyper-parameters as published, op frequencies, views that differ and replay."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import torch

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
    assert recipe(image.moco_v2().pipelines[0]) == expected(224, (0.2, 1.0), (0.4, 0.4, 0.4, 0.1), 0.5, kernel=23)


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
        assert recipe(p) == expected(224, (0.14, 1.0), jitter, 0.5, kernel=23)
    for p in vg.pipelines[2:]:
        assert recipe(p) == expected(96, (0.05, 0.14), jitter, 0.5, kernel=11)


def test_dino_multi_crop() -> None:
    assert image.dino().n_views == 10
    vg = image.dino(n_views=8)
    assert vg.n_views == 8
    jitter = (0.4, 0.4, 0.2, 0.1)
    assert recipe(vg.pipelines[0]) == expected(224, (0.4, 1.0), jitter, 1.0, kernel=23)
    assert recipe(vg.pipelines[1]) == expected(224, (0.4, 1.0), jitter, 0.1, 0.2, kernel=23)
    for p in vg.pipelines[2:]:
        assert recipe(p) == expected(96, (0.05, 0.4), jitter, 0.5, kernel=11)


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
    from augkit import registry

    assert {f"image.{n}" for n in ("simclr", "simclr_cifar", "moco_v2", "byol", "swav", "dino")} <= set(
        registry.presets())
    assert registry.get_preset("image.simclr") is image.simclr
