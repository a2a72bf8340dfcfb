"""Image edges that used to fail: crop ratios that overflow, thin images whose fallback crop was
empty, rare PIL modes, and normalize_batch on tensors of fewer than 3 dimensions."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from mixing_support import partnered
from PIL import Image

from augkit.core import modalities, registry
from augkit.core.errors import InvalidArgument, InvalidInput
from augkit.core.streams import stream
from augkit.image import RandomResizedCrop, as_image, normalize_batch
from augkit.image.ops import MAX_ASPECT_RATIO

IMAGE_OPS = [n for n in registry.names() if n.startswith("image.")]

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
    assert params == {"applied": True, "top": 0, "left": 15, "height": 10, "width": 10,
                      "interpolation": "linear"}
    thin = RandomResizedCrop(8, scale=(1.0, 1.0), ratio=(0.25, 0.25))
    _, params = thin.augment(np.zeros((1, 500), np.uint8), stream(0, 0, 0, 0))
    assert params == {"applied": True, "top": 0, "left": 249, "height": 1, "width": 1, "interpolation": "linear"}


@settings(max_examples=200, deadline=None, database=None)
@given(h=st.integers(1, 3000), w=st.integers(1, 3000), lo=st.floats(-9.2, 9.2), span=st.floats(0, 5),
       s_lo=st.floats(1e-6, 1.0), seed=st.integers(0, 2**31))
def test_any_image_and_bounded_ratio_give_a_crop_inside_it(h: int, w: int, lo: float, span: float, s_lo: float,
                                                          seed: int) -> None:
    ratio = (float(np.exp(lo)), float(np.exp(min(lo + span, 9.2))))
    op = RandomResizedCrop(4, scale=(s_lo, 1.0), ratio=ratio)
    params = op.sample(np.zeros((h, w), np.uint8), stream(seed, 0, 0, 0))
    _assert_inside(params, (h, w))


# -- rare PIL modes ---------------------------------------------------------------------------------

_RNG = np.random.default_rng(0)
_RGB = _RNG.integers(0, 256, (6, 9, 3), dtype=np.uint8)
_GRAY = _RNG.integers(0, 256, (6, 9), dtype=np.uint8)
_U16 = _RNG.integers(0, 65536, (6, 9), dtype=np.uint16)


def _pil(mode: str) -> Image.Image:
    """A PIL image in ``mode``, made without PIL's lossy conversions where the mode allows it."""
    if mode in ("I;16", "I;16L", "I;16B", "I;16N"):
        order = {"I;16B": ">u2", "I;16N": "=u2"}.get(mode, "<u2")
        return Image.frombytes(mode, (9, 6), _U16.astype(order).tobytes())
    if mode == "La":
        return Image.fromarray(np.dstack([_GRAY, np.full_like(_GRAY, 255)]), mode="LA").convert("La")
    if mode == "LA":
        return Image.fromarray(np.dstack([_GRAY, np.full_like(_GRAY, 90)]), mode="LA")
    if mode in ("1", "L", "F"):
        return Image.fromarray(_GRAY).convert(mode)
    if mode == "P-transparency":
        img = Image.fromarray(_RGB).convert("P")
        img.info["transparency"] = bytes(range(256))  # per-entry alpha, as PNG palettes carry it
        return img
    if mode == "P-grey":
        return Image.fromarray(_GRAY).convert("P")
    return Image.fromarray(_RGB).convert(mode)


GRAY_MODES = ["1", "L", "LA", "La", "F", "I;16", "I;16L", "I;16B", "I;16N", "P-grey"]
COLOUR_MODES = ["P", "P-transparency", "PA", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "LAB", "HSV"]


@pytest.mark.parametrize("mode", GRAY_MODES + COLOUR_MODES)
def test_rare_pil_modes_become_the_canonical_image(mode: str) -> None:
    img = _pil(mode)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PIL warns on a palette with transparency converted to RGB
        arr = as_image(img)
    assert arr.dtype == np.uint8 and arr.flags.c_contiguous and arr.flags.writeable
    if mode in GRAY_MODES:
        assert arr.shape == (6, 9), mode
    else:
        assert arr.shape == (6, 9, 3), mode
    if mode in ("L", "LA", "La", "F", "P-grey"):
        np.testing.assert_array_equal(arr, _GRAY)
    elif mode.startswith("I;16"):
        np.testing.assert_array_equal(arr, ((_U16.astype(np.uint32) + 128) // 257).astype(np.uint8))
    elif mode in ("P", "P-transparency", "PA"):
        np.testing.assert_array_equal(arr, np.asarray(img.convert("RGBA"))[..., :3])
    elif mode in ("RGBA", "RGBa", "RGBX"):
        np.testing.assert_array_equal(arr, _RGB)


#: the modes a PNG or TIFF file keeps (PIL writes no file in La, I;16N, PA, RGBa, HSV; I;16L and RGBX
#: come back in other modes)
FILE_MODES = [m for m in GRAY_MODES + COLOUR_MODES if m not in {"La", "I;16L", "I;16N", "PA", "RGBa", "RGBX", "HSV"}]


@pytest.mark.parametrize("mode", FILE_MODES)
def test_an_image_in_memory_and_its_file_give_the_same_picture(tmp_path: Path, mode: str) -> None:
    img = _pil(mode)
    path = tmp_path / ("x.tif" if mode in ("F", "I;16B", "CMYK", "LAB", "YCbCr") else "x.png")
    img.save(path)
    with Image.open(path) as back:
        assert back.mode == img.mode or (mode == "P-transparency" and back.mode == "P")
    np.testing.assert_array_equal(modalities.get("image").load(path, color="keep"), as_image(img))
    rgb = modalities.get("image").load(path)  # the readers' default: every file as RGB
    assert rgb.ndim == 3 and rgb.shape[2] == 3
    if as_image(img).ndim == 2:
        assert (rgb == as_image(img)[..., None]).all()
    gray = modalities.get("image").load(path, color="gray")
    assert gray.ndim == 2 and gray.shape == rgb.shape[:2]


@pytest.mark.parametrize("name", IMAGE_OPS)
@pytest.mark.parametrize("mode", GRAY_MODES + COLOUR_MODES)
def test_every_image_op_takes_every_pil_mode(name: str, mode: str) -> None:
    op = registry.get(name).example()
    with partnered(op, _pil(mode)):
        y, params = op.augment(_pil(mode), stream(1, 0, 0, 0))
    assert isinstance(y, (np.ndarray, torch.Tensor)) and params["applied"] in (True, False)


def test_a_mode_pil_cannot_convert_is_named() -> None:
    class Odd:  # what a PIL image of a mode without conversions looks like to as_image
        __module__ = "PIL.Image"
        mode = "I;16S"

        def convert(self, mode: str) -> Any:
            raise ValueError(f"conversion from I;16S to {mode} not supported")

    with pytest.raises(InvalidInput, match=r"mode 'I;16S'.*convert"):
        as_image(Odd())


# -- one-pixel axes with negative strides ------------------------------------------------------------

_THIN_REVERSED = {
    "one row, rows reversed (gray)": np.arange(5, dtype=np.uint8).reshape(1, 5)[::-1],
    "one column, columns reversed (gray)": np.arange(5, dtype=np.uint8).reshape(5, 1)[:, ::-1],
    "one pixel, both reversed": np.full((1, 1), 7, np.uint8)[::-1, ::-1],
    "one row, rows reversed (RGB)": np.arange(15, dtype=np.uint8).reshape(1, 5, 3)[::-1],
    "one pixel RGB, all reversed": np.arange(3, dtype=np.uint8).reshape(1, 1, 3)[::-1, ::-1, ::-1],
    "one row float": np.linspace(0, 1, 5).reshape(1, 5)[::-1],
}


@pytest.mark.parametrize("case", list(_THIN_REVERSED))
def test_reversed_one_pixel_axes_become_plain_c_ordered_images(case: str) -> None:
    x = _THIN_REVERSED[case]
    assert any(s < 0 for s in x.strides)  # numpy keeps a negative stride on an axis of length 1
    img = as_image(x)
    assert img.flags.c_contiguous and all(s > 0 for s in img.strides)
    np.testing.assert_array_equal(img, as_image(np.array(x)))


@pytest.mark.parametrize("output", ["uint8", "normalized"])
@pytest.mark.parametrize("case", list(_THIN_REVERSED))
def test_the_output_step_takes_canonical_reversed_one_pixel_images(case: str, output: str) -> None:
    from augkit.image import make_output, simclr

    x = _THIN_REVERSED[case]
    convert = make_output(output)
    assert torch.equal(convert(as_image(x)), convert(as_image(np.array(x))))
    views = simclr(size=8, output=output, seed=0)(x, index=0)
    for got, want in zip(views, simclr(size=8, output=output, seed=0)(np.array(x), index=0), strict=True):
        assert torch.equal(got, want)


# -- normalize_batch ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (5,), (4, 4), (0,), (1, 1)])
@pytest.mark.parametrize("stats", [(0.5,), (0.485, 0.456, 0.406)])
def test_normalize_batch_names_batches_of_fewer_than_three_dimensions(shape: tuple[int, ...],
                                                                      stats: tuple[float, ...]) -> None:
    with pytest.raises(InvalidInput, match=re.escape(f"shape {tuple(shape)}")) as err:
        normalize_batch(torch.zeros(shape, dtype=torch.uint8), stats, stats)
    assert "[B, C, H, W]" in str(err.value) and "dimension" in str(err.value)


def test_normalize_batch_still_takes_one_image_and_a_batch() -> None:
    image = torch.arange(3 * 4 * 5, dtype=torch.uint8).reshape(3, 4, 5)
    one, many = normalize_batch(image), normalize_batch(image[None].repeat(2, 1, 1, 1))
    assert one.shape == (3, 4, 5) and many.shape == (2, 3, 4, 5)
    assert torch.equal(many[0], one) and torch.equal(many[1], one)
