"""The self-supervised presets against their reference code: drawn values over >= 2,000 views.

Crop area fractions are compared by a KS test with torchvision's own ``RandomResizedCrop.get_params``
(the reference code's crop) on an image of the same size; firing rates within 4.5 binomial
standard deviations of the reference probability.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from scipy import stats

import augkit
from augkit.image import presets_ssl
from augkit.views import config

N = 2000
H, W = 48, 64  # a small source: the drawn values do not depend on the view's pixels
PHOTO = (np.random.default_rng(0).random((H, W, 3)) * 255).astype(np.uint8)


def _records(vg: Any, n: int = N) -> list[list[dict[str, Any]]]:
    """The records of ``n`` samples' views (each view's ops by name)."""
    out = []
    for i in range(n):
        views = vg.generate(PHOTO, index=i)
        out.append([{step["op"]: step["params"] for step in rec["ops"]} for rec in views.params])
    return out


def _clamped_areas(scale: tuple[float, float], n: int = N) -> np.ndarray:
    """BYOL's ``_decode_and_random_crop``: one draw, each side cut to the image's."""
    rng = np.random.default_rng(0)
    target = H * W * rng.uniform(*scale, n)
    aspect = np.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3), n))
    w = np.minimum(np.round(np.sqrt(target * aspect)), W)
    h = np.minimum(np.round(np.sqrt(target / aspect)), H)
    return h * w / (H * W)


def _reference_areas(scale: tuple[float, float], n: int = N, fit: str = "retry") -> np.ndarray:
    if fit == "clamp":
        return _clamped_areas(scale, n)
    from PIL import Image
    from torchvision.transforms import RandomResizedCrop

    torch.manual_seed(0)
    img = Image.fromarray(PHOTO)
    boxes = [RandomResizedCrop.get_params(img, list(scale), [3 / 4, 4 / 3]) for _ in range(n)]
    return np.array([h * w / (H * W) for _, _, h, w in boxes])


def _rate(records: list[dict[str, Any]], op: str) -> float:
    return float(np.mean([op in r and r[op]["applied"] for r in records]))


def _close(rate: float, p: float, n: int) -> bool:
    return abs(rate - p) <= 4.5 * math.sqrt(p * (1 - p) / n) + 1e-12


# preset, kwargs, {view: (scale, interpolation, {op: p})}
FLIP, JIT, GRAY, BLUR, SOL = ("image.horizontal_flip", "image.color_jitter", "image.to_gray", "image.gaussian_blur",
                              "image.solarize")
_PUB = {FLIP: 0.5, JIT: 0.8, GRAY: 0.2}
CASES = {
    "dinov2": ({"size": 32, "local_size": 16, "n_views": 3},
               {0: ((0.32, 1.0), "cubic", {**_PUB, BLUR: 1.0, SOL: 0.0}),
                1: ((0.32, 1.0), "cubic", {**_PUB, BLUR: 0.1, SOL: 0.2}),
                2: ((0.05, 0.32), "cubic", {**_PUB, BLUR: 0.5})}),
    "dinov2 as trained": ({"size": 32, "local_size": 16, "n_views": 3, "as_trained": True},
                          {0: ((0.32, 1.0), "cubic", {**_PUB, BLUR: 0.0, SOL: 0.0}),
                           1: ((0.32, 1.0), "cubic", {**_PUB, BLUR: 0.9, SOL: 0.2}),
                           2: ((0.05, 0.32), "cubic", {**_PUB, BLUR: 0.5})}),
    "ibot": ({"size": 32, "local_size": 16, "n_views": 3},
             {0: ((0.25, 1.0), "cubic", {**_PUB, BLUR: 1.0}), 1: ((0.25, 1.0), "cubic", {**_PUB, BLUR: 0.1, SOL: 0.2}),
              2: ((0.05, 0.25), "cubic", {**_PUB, BLUR: 0.5})}),
    "msn": ({"size": 32, "local_size": 16, "n_views": 2},
            {0: ((0.3, 1.0), "linear", {**_PUB, BLUR: 0.5}), 1: ((0.05, 0.3), "linear", {**_PUB, BLUR: 0.5})}),
    "vicreg": ({"size": 32}, {0: ((0.08, 1.0), "cubic", {**_PUB, BLUR: 1.0, SOL: 0.0}),
                              1: ((0.08, 1.0), "cubic", {**_PUB, BLUR: 0.1, SOL: 0.2})}),
    "barlow_twins": ({"size": 32}, {0: ((0.08, 1.0), "cubic", {**_PUB, BLUR: 1.0, SOL: 0.0}),
                                    1: ((0.08, 1.0), "cubic", {**_PUB, BLUR: 0.1, SOL: 0.2})}),
    "mae": ({"size": 32}, {0: ((0.2, 1.0), "cubic", {FLIP: 0.5, JIT: 0.0, BLUR: 0.0})}),
    "clip": ({"size": 32}, {0: ((0.9, 1.0), "cubic", {FLIP: 0.0, JIT: 0.0, BLUR: 0.0})}),
    # the six presets of 0.2 after the audit
    "dino": ({"size": 32, "local_size": 16, "n_views": 3},
             {0: ((0.4, 1.0), "cubic", {**_PUB, BLUR: 1.0}), 1: ((0.4, 1.0), "cubic", {**_PUB, BLUR: 0.1, SOL: 0.2}),
              2: ((0.05, 0.4), "cubic", {**_PUB, BLUR: 0.5})}),
    "swav": ({"size": 32, "local_size": 16, "n_views": 3},
             {0: ((0.14, 1.0), "linear", {**_PUB, BLUR: 0.5}), 2: ((0.05, 0.14), "linear", {**_PUB, BLUR: 0.5})}),
    "simclr": ({"size": 32}, {0: ((0.08, 1.0), "cubic", {**_PUB, BLUR: 0.5})}),
    "moco_v2": ({"size": 32}, {0: ((0.2, 1.0), "linear", {**_PUB, BLUR: 0.5})}),
    "byol": ({"size": 32}, {0: ((0.08, 1.0), "cubic", {**_PUB, BLUR: 1.0, SOL: 0.0}),
                            1: ((0.08, 1.0), "cubic", {**_PUB, BLUR: 0.1, SOL: 0.2})}),
}
#: presets whose crop cuts an oversized box to the image (BYOL's dataset.py) instead of drawing again
CLAMPED = {"byol"}


@pytest.fixture(scope="module")
def drawn() -> dict[str, list[list[dict[str, Any]]]]:
    made = {}
    for case, (kwargs, _) in CASES.items():
        made[case] = _records(getattr(augkit.image, case.split()[0])(seed=1, output="numpy", **kwargs))
    return made


@pytest.mark.parametrize("case", list(CASES))
def test_crop_areas_and_firing_rates_match_the_reference(case: str, drawn: dict[str, Any]) -> None:
    _, views = CASES[case]
    for k, (scale, interpolation, rates) in views.items():
        records = [sample[k] for sample in drawn[case]]
        crops = [r["image.random_resized_crop"] for r in records]
        areas = np.array([c["height"] * c["width"] / (H * W) for c in crops])
        fit = "clamp" if case in CLAMPED else "retry"
        assert stats.ks_2samp(areas, _reference_areas(scale, fit=fit)).pvalue > 1e-3, (case, k)
        assert {c["interpolation"] for c in crops} == {interpolation}
        for op, p in rates.items():
            assert _close(_rate(records, op), p, N), (case, k, op, _rate(records, op), p)


def test_blur_sigmas_and_kernels_follow_the_reference() -> None:
    records = _records(augkit.image.dinov2(n_views=2, seed=3, output="numpy"), 500)
    blurs = [r[0]["image.gaussian_blur"] for r in records]
    sigmas = np.array([b["sigma"] for b in blurs])
    assert stats.kstest(sigmas, stats.uniform(0.1, 1.9).cdf).pvalue > 1e-3
    assert max(b["kernel_size"] for b in blurs) == 9  # torchvision's GaussianBlur(kernel_size=9)
    dino = _records(augkit.image.dino(size=32, local_size=96, n_views=3, seed=3, output="numpy"), 400)
    local = [r[2]["image.gaussian_blur"] for r in dino if r[2]["image.gaussian_blur"]["applied"]]
    # PIL's radius blur: the 3σ kernel, not 10 % of the 96 view (11 taps)
    assert max(b["kernel_size"] for b in local) == 13


def test_clip_carries_openai_statistics_and_normalize_batch_reads_them() -> None:
    vg = augkit.image.clip(seed=0, output="uint8")
    views = torch.stack([vg(PHOTO, index=i)[0] for i in range(4)])
    expected = augkit.image.normalize_batch(views, presets_ssl.OPENAI_MEAN, presets_ssl.OPENAI_STD)
    assert torch.equal(augkit.image.normalize_batch(views, vg), expected)
    assert not torch.equal(augkit.image.normalize_batch(views), expected)  # ImageNet's would differ
    normalized = augkit.image.clip(seed=0)(PHOTO, index=0)[0]
    assert torch.allclose(normalized, expected[0], atol=1e-6)
    numpy_vg = augkit.image.clip(seed=0, output="numpy")  # no output step: the preset's arguments say
    assert torch.equal(augkit.image.normalize_batch(views, numpy_vg), expected)


def test_normalize_batch_refuses_a_generator_without_statistics_and_std_beside_one() -> None:
    from augkit.core.errors import InvalidArgument

    plain = augkit.ViewGenerator(augkit.image.HorizontalFlip(), seed=0)
    batch = torch.zeros(1, 3, 2, 2, dtype=torch.uint8)
    with pytest.raises(InvalidArgument, match="carries no statistics"):
        augkit.image.normalize_batch(batch, plain)
    with pytest.raises(InvalidArgument, match="std="):
        augkit.image.normalize_batch(batch, augkit.image.clip(seed=0), (0.2, 0.2, 0.2))


@pytest.mark.parametrize("name", ["dinov2", "ibot", "clip", "dino"])
def test_dump_shows_the_interpolation_and_round_trips(name: str) -> None:
    vg = getattr(augkit.image, name)(seed=0)
    expanded = config.dump(vg, expand=True)
    assert '"interpolation": "cubic"' in str(expanded).replace("'", '"')
    again = config.load(config.dump(vg))
    assert [v.shape for v in again(PHOTO, index=2)] == [v.shape for v in vg(PHOTO, index=2)]


def test_presets_are_listed() -> None:
    from augkit.core import registry

    names = set(registry.presets())
    for name in ("dinov2", "ibot", "msn", "vicreg", "barlow_twins", "mae", "clip"):
        assert any(name in n for n in names), name
