"""Every registered op under generated odd inputs: a valid result of its modality's kind, with
finite values where the input was finite, or one augkit error (a ValueError/TypeError) with a
message; never another exception.

Inputs are built from (shape, dtype, layout, seed, special values), not drawn element by element:
among them one-pixel and one-frame arrays with negative strides (numpy keeps a reversed axis of
length 1 "contiguous"), reversed and strided arrays and tensors, and PIL images in rare modes
(``La``, ``I;16B``, palettes with transparency, ``CMYK``, ...). Further tests probe
RandomResizedCrop with extreme aspect ratios on thin images, BackTranslation with translators
answering lone surrogates and other non-text, and resampling of strided batches.
``make test`` runs the quick profile (25 inputs per op); ``make fuzz`` (``AUGKIT_FUZZ=long``)
runs 2,500 per op, over 10,000 per modality (``AUGKIT_FUZZ_EXAMPLES`` sets another count).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augkit.core import registry
from augkit.core.errors import AugkitError, InvalidArgument
from augkit.core.streams import stream

LONG = os.environ.get("AUGKIT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 2500 if LONG else 25))
SKIP = {"text.back_translation"}  # needs a translator: covered by its own tests
NAMES = [n for n in registry.names() if n not in SKIP]

_SPECIAL = {"none": None, "nan": np.nan, "inf": np.inf, "-inf": -np.inf, "huge": 1e20, "zero": 0.0}


#: PIL modes beyond RGB: grey with (premultiplied) alpha, 16-bit in each byte order, float, palettes
#: with per-entry transparency, colour spaces PIL converts to RGB
PIL_MODES = ["1", "L", "LA", "La", "P", "P-transparency", "PA", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "LAB",
             "HSV", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"]


def pil_image(rgb: np.ndarray, mode: str) -> Any:
    """``rgb`` (uint8 ``H×W×3``) as a PIL image in ``mode``."""
    from PIL import Image

    h, w = rgb.shape[:2]
    if mode.startswith("I;16"):
        order = {"I;16B": ">u2", "I;16N": "=u2"}.get(mode, "<u2")
        levels = rgb[..., 0].astype(np.uint16) * 257 + rgb[..., 1] % 2
        return Image.frombytes(mode, (w, h), levels.astype(order).tobytes())
    if mode == "La":
        return Image.fromarray(np.dstack([rgb[..., 0], rgb[..., 1]]), mode="LA").convert("La")
    if mode == "P-transparency":
        img = Image.fromarray(rgb).convert("P")
        img.info["transparency"] = bytes(rgb[0, 0].tolist() * 86)[:256]
        return img
    return Image.fromarray(rgb).convert(mode)


@st.composite
def images(draw: Any) -> Any:
    h = draw(st.one_of(st.just(1), st.integers(1, 64)))
    w = draw(st.one_of(st.just(1), st.integers(1, 64)))
    layout = draw(st.sampled_from(["hw", "hw1", "hw3", "hw4", "hw2", "chw", "pil", "pil-mode"]))
    dtype = draw(st.sampled_from(["uint8", "uint16", ">u2", "float32", "float64", "float16", "int32", "bool"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = {"hw": (h, w), "hw1": (h, w, 1), "hw3": (h, w, 3), "hw4": (h, w, 4), "hw2": (h, w, 2),
             "chw": (3, h, w), "pil": (h, w, 3), "pil-mode": (h, w, 3)}[layout]
    if dtype.startswith("float"):
        arr = rng.random(shape).astype(dtype)
        special = draw(st.sampled_from(list(_SPECIAL)))
        if _SPECIAL[special] is not None and arr.size:
            with np.errstate(over="ignore"):  # 1e20 in float16 is inf: one more special value
                arr.flat[0] = _SPECIAL[special]
    elif dtype == "bool":
        arr = rng.random(shape) > 0.5
    else:
        info = np.iinfo(np.dtype(dtype))
        arr = rng.integers(0, min(int(info.max), 65535) + 1, shape).astype(dtype)
    if layout in ("pil", "pil-mode"):
        from PIL import Image

        rgb = np.nan_to_num(arr).clip(0, 255).astype(np.uint8)
        return Image.fromarray(rgb) if layout == "pil" else pil_image(rgb, draw(st.sampled_from(PIL_MODES)))
    if layout == "chw":
        return torch.from_numpy(np.ascontiguousarray(arr.astype(np.uint8) if dtype in (">u2", "bool") else arr))
    stride = draw(st.sampled_from(["none", "rows", "columns", "both", "every other"]))
    if stride == "rows":  # negative strides; an axis of length 1 keeps its own through np.ascontiguousarray
        arr = arr[::-1]
    elif stride == "columns":
        arr = arr[:, ::-1]
    elif stride == "both":
        arr = arr[::-1, ::-1]
    elif stride == "every other":
        arr = arr[::2, ::2]
    return arr


_PIECES = ["", " ", "\n", "\t", "word", "Über", "日本語", "שלום", "مرحبا", "\u200b", "\x00", "\x1b[31m", "🙂",
           "don't", "e-mail", "...", "A", "the", "quick", "brown", "fox", "  ", "\r\n"]


@st.composite
def texts(draw: Any) -> Any:
    pieces = draw(st.lists(st.sampled_from(_PIECES), max_size=40))
    text = " ".join(pieces) if draw(st.booleans()) else "".join(pieces)
    if draw(st.integers(0, 20)) == 0:
        text = text * 2000  # huge
    if draw(st.integers(0, 10)) == 0:
        return draw(st.sampled_from([None, 3, b"bytes", ["a", "b"]]))
    return text


@st.composite
def clips(draw: Any) -> Any:
    length = draw(st.sampled_from([0, 1, 2, 3, 17, 255, 1000, 16000]))
    channels = draw(st.sampled_from([1, 2, 6]))
    layout = draw(st.sampled_from(["ct", "t", "bct", "numpy", "int16", "tc", "reversed", "strided tensor"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arr = rng.uniform(-1, 1, (channels, length)).astype(np.float32)
    special = draw(st.sampled_from(list(_SPECIAL)))
    if _SPECIAL[special] is not None and arr.size:
        arr.flat[int(rng.integers(arr.size))] = _SPECIAL[special]
    if layout == "t":
        return torch.from_numpy(arr[0].copy())
    if layout == "bct":
        return torch.from_numpy(np.stack([arr, arr]))
    if layout == "numpy":
        return arr
    if layout == "int16":
        return (np.nan_to_num(arr, posinf=1, neginf=-1).clip(-1, 1) * 32767).astype(np.int16)
    if layout == "tc":
        return arr.T.copy()
    if layout == "reversed":  # numpy of 1 to 3 dimensions, float32 or float64, one axis or all reversed
        ndim = draw(st.sampled_from([1, 2, 3]))
        x = arr[0] if ndim == 1 else arr if ndim == 2 else np.stack([arr, -arr])
        if draw(st.booleans()):
            x = x.astype(np.float64)
        reverse = slice(None, None, -1)
        flips = {"all": (reverse,) * ndim, "time": (..., reverse), "first": (reverse,)}
        return x[flips[draw(st.sampled_from(sorted(flips)))]]
    if layout == "strided tensor":  # not contiguous: transposed, every other sample, sliced, column-major
        t = torch.from_numpy(np.stack([arr, arr]))
        how = draw(st.sampled_from(["transposed", "every other", "sliced", "column-major"]))
        if how == "transposed":
            return t.transpose(0, 1)
        if how == "every other":
            return t[..., ::2]
        if how == "sliced":
            return t[:, :, 1:]
        return t[0].T.contiguous().T
    return torch.from_numpy(arr)


INPUTS = {"image": images(), "text": texts(), "audio": clips()}


def _finite(x: Any) -> bool:
    if isinstance(x, torch.Tensor):
        return bool(torch.isfinite(x.float()).all()) if x.is_floating_point() else True
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return bool(np.isfinite(x).all())
    return True


def _input_finite(x: Any) -> bool:
    if isinstance(x, (torch.Tensor, np.ndarray)):
        return _finite(x)
    return True


@pytest.mark.parametrize("name", NAMES)
def test_every_op_gives_a_valid_view_or_one_augkit_error(name: str, fuzzed: Any) -> None:
    op = registry.get(name).example()
    modality = op.modality
    source = INPUTS[modality] if modality in INPUTS else st.one_of(*INPUTS.values())

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(x=source, seed=st.integers(0, 2**31))
    def check(x: Any, seed: int) -> None:
        fuzzed[modality or "any"] += 1
        try:
            y, params = op.augment(x, stream(seed, 0, 0, 0))
        except AugkitError as err:
            assert isinstance(err, (ValueError, TypeError)) and str(err), f"{name}: an empty error message"
            return
        assert isinstance(params, dict) and isinstance(params.get("applied"), bool)
        if _input_finite(x):
            assert _finite(y), f"{name} made non-finite values from a finite input"
        if modality == "text":
            assert isinstance(y, str)
        elif modality == "image":
            assert isinstance(y, (np.ndarray, torch.Tensor)) and np.shape(y)[0] > 0
        elif modality == "audio":
            assert isinstance(y, (np.ndarray, torch.Tensor))
            assert (y.numel() if isinstance(y, torch.Tensor) else y.size) > 0

    check()


# -- probes of one op or function --------------------------------------------------------------------

@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=images(), output=st.sampled_from(["uint8", "normalized"]))
def test_every_canonical_image_reaches_the_output_step(x: Any, output: str, fuzzed: Any) -> None:
    """What ``as_image`` accepts, the output step converts, as it converts a fresh copy."""
    from augkit.image import as_image, make_output

    fuzzed["image output"] += 1
    try:
        img = as_image(x)
    except AugkitError as err:
        assert isinstance(err, (ValueError, TypeError)) and str(err)
        return
    convert = make_output(output)
    assert torch.equal(convert(img), convert(img.copy()))


_RATIOS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(1e-6, 1e6),
                    st.sampled_from([1e308, 1e-308, 5e-324, 1e-4, 1e4, 0.0, -1.0]))


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(lo=_RATIOS, hi=_RATIOS, scale=st.floats(1e-9, 1.0), h=st.sampled_from([1, 2, 3, 17, 500, 4000]),
       w=st.sampled_from([1, 2, 3, 17, 500, 4000]), seed=st.integers(0, 2**31))
def test_random_resized_crop_gives_a_box_inside_any_image_or_names_the_ratio(lo: float, hi: float, scale: float,
                                                                            h: int, w: int, seed: int,
                                                                            fuzzed: Any) -> None:
    from augkit.image import RandomResizedCrop

    fuzzed["image crop ratio"] += 1
    try:
        op = RandomResizedCrop((3, 5), scale=(scale, 1.0), ratio=(lo, hi))
    except InvalidArgument as err:
        assert "ratio" in str(err) or "scale" in str(err), err
        return
    img = np.zeros((h, w), np.uint8)
    y, params = op.augment(img, stream(seed, 0, 0, 0))
    top, left, height, width = params["top"], params["left"], params["height"], params["width"]
    assert 0 <= top and 0 <= left and height >= 1 and width >= 1 and top + height <= h and left + width <= w
    assert y.shape == (3, 5)


_OUTPUTS = st.one_of(
    texts(),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=4),  # lone surrogates
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=8), st.sampled_from(["\ud800", "\udfff", "\udce9", "\ud83d"]),
              st.text(max_size=8)),
    st.text(max_size=20),
)


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(there=_OUTPUTS, back=_OUTPUTS, on_error=st.sampled_from(["raise", "fallback"]), text=texts())
def test_back_translation_takes_any_translator_output(there: Any, back: Any, on_error: str, text: Any,
                                                      fuzzed: Any, tmp_path_factory: Any) -> None:
    """A translator answering anything (lone surrogates, non-str, empty) gives valid text or the input
    back (fallback), a TranslationError (raise), or an augkit error for a bad input; never another
    exception, and never an invalid string in a view or the cache."""
    from augkit.text import BackTranslation, TranslationError

    fuzzed["text translator"] += 1

    def translate(texts: list[str], src: str, tgt: str) -> list[Any]:
        return [there if src == "en" else back for _ in texts]

    cache = tmp_path_factory.mktemp("bt") / "bt.sqlite"
    bt = BackTranslation(translate, on_error=on_error, model_id="fuzz", cache=str(cache))
    try:
        view, params = bt.augment(text, stream(0, 0, 0, 0))
    except AugkitError as err:
        assert isinstance(err, (ValueError, TypeError)) and str(err)
        return
    except TranslationError as err:
        assert on_error == "raise" and "on_error='fallback'" in str(err)
        return
    assert isinstance(view, str)
    view.encode("utf-8")  # valid text
    if params.get("fallback"):
        assert view == text
    bt.apply(text, params)  # replays


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=clips(), rates=st.sampled_from([(16000, 8000), (8000, 16000), (44100, 16000), (44099, 44100), (16000, 16000)]))
def test_resample_of_any_layout_equals_its_contiguous_copy(x: Any, rates: tuple[int, int], fuzzed: Any) -> None:
    from augkit.audio import resample

    fuzzed["audio resample"] += 1
    copy = x.contiguous() if isinstance(x, torch.Tensor) else np.array(x)
    try:
        want = resample(copy, *rates)
    except AugkitError:
        with pytest.raises(AugkitError):
            resample(x, *rates)
        return
    got = resample(x, *rates)
    assert type(got) is type(want) and got.shape == want.shape
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
