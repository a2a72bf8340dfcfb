"""Image edges that used to fail: crop ratios that overflow, thin images whose fallback crop was empty."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit.errors import InvalidArgument
from augkit.image import RandomResizedCrop
from augkit.image.ops import MAX_ASPECT_RATIO
from augkit.streams import stream

# -- RandomResizedCrop: bounded ratios and a fallback that always fits ------------------------------


@pytest.mark.parametrize("ratio", [1e308, 1e-308, (1e-300, 1.0), (1.0, 1e300), 2 * MAX_ASPECT_RATIO,
                                   (0.5 / MAX_ASPECT_RATIO, 1.0)])
def test_absurd_crop_ratios_are_refused_naming_ratio(ratio: Any) -> None:
    with pytest.raises(InvalidArgument, match=r"ratio=.*10000") as err:
        RandomResizedCrop(8, ratio=ratio)
    assert "ratio" in str(err.value)


@pytest.mark.parametrize("ratio", [MAX_ASPECT_RATIO, 1 / MAX_ASPECT_RATIO, (1 / MAX_ASPECT_RATIO, MAX_ASPECT_RATIO)])
def test_ratios_at_the_bounds_give_valid_crops(ratio: Any) -> None:
    op = RandomResizedCrop(8, ratio=ratio)
    for shape in [(64, 64, 3), (1, 500), (500, 1, 3), (3, 40000)]:
        img = np.zeros(shape, np.uint8)
        for seed in range(20):
            y, params = op.augment(img, stream(seed, 0, 0, 0))
            assert y.shape[:2] == (8, 8)
            _assert_inside(params, shape)


def _assert_inside(params: dict[str, Any], shape: tuple[int, ...]) -> None:
    top, left, h, w = params["top"], params["left"], params["height"], params["width"]
    assert h >= 1 and w >= 1 and top >= 0 and left >= 0, params
    assert top + h <= shape[0] and left + w <= shape[1], (params, shape)


@pytest.mark.parametrize(("shape", "ratio"), [((1, 500), (0.5, 0.5)), ((500, 1), (3.0, 3.0)), ((1, 500), (0.1, 0.4)),
                                              ((2, 3000, 3), (0.01, 0.02)), ((3000, 2), (50.0, 90.0))])
def test_thin_images_get_a_crop_inside_them_whatever_the_ratio(shape: tuple[int, ...],
                                                               ratio: tuple[float, float]) -> None:
    op = RandomResizedCrop((4, 6), ratio=ratio)
    img = np.arange(np.prod(shape), dtype=np.int64).reshape(shape).astype(np.uint8)
    for seed in range(30):
        y, params = op.augment(img, stream(seed, 0, 0, 0))
        _assert_inside(params, shape)
        assert y.shape[:2] == (4, 6)
        np.testing.assert_array_equal(op.apply(img, params), y)  # the record replays


def test_the_fallback_is_the_centred_crop_clamped_to_the_image() -> None:
    """torchvision's fallback (the whole image clipped to the ratio range, centred) whenever it has
    at least one pixel per side; a side that rounds to 0 becomes 1."""
    op = RandomResizedCrop(8, scale=(1.0, 1.0), ratio=(1.0, 1.0))
    _, params = op.augment(np.zeros((10, 40), np.uint8), stream(0, 0, 0, 0))
    assert params == {"applied": True, "top": 0, "left": 15, "height": 10, "width": 10}
    thin = RandomResizedCrop(8, scale=(1.0, 1.0), ratio=(0.25, 0.25))
    _, params = thin.augment(np.zeros((1, 500), np.uint8), stream(0, 0, 0, 0))
    assert params == {"applied": True, "top": 0, "left": 249, "height": 1, "width": 1}


@settings(max_examples=200, deadline=None, database=None)
@given(h=st.integers(1, 3000), w=st.integers(1, 3000), lo=st.floats(-9.2, 9.2), span=st.floats(0, 5),
       s_lo=st.floats(1e-6, 1.0), seed=st.integers(0, 2**31))
def test_any_image_and_bounded_ratio_give_a_crop_inside_it(h: int, w: int, lo: float, span: float, s_lo: float,
                                                          seed: int) -> None:
    ratio = (float(np.exp(lo)), float(np.exp(min(lo + span, 9.2))))
    op = RandomResizedCrop(4, scale=(s_lo, 1.0), ratio=ratio)
    params = op.sample(np.zeros((h, w), np.uint8), stream(seed, 0, 0, 0))
    _assert_inside(params, (h, w))
