"""Bounds under generated extreme inputs: replayed records holding huge, non-finite or mistyped
values for every op; specs nested to any depth, with YAML aliases and huge values; CSV manifests of
extreme width, long labels and odd line endings; padding values at the edges of every dtype; and
epochs of any size.

The property, each time: a result, or one augkit error (a ValueError/TypeError) with a short message
that names the input, within a time limit; never a RecursionError, an OverflowError, a RuntimeError
from torch or a hang. ``make test`` runs the quick profile; ``make fuzz`` (``AUGKIT_FUZZ=long``) runs
the long one and prints the counts."""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hang_support import time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mixing_support import partnered

from augkit.core import modalities, registry
from augkit.core.batching import Padded, collate_items
from augkit.core.errors import AugkitError, InvalidParams
from augkit.core.files import MAX_DEPTH
from augkit.core.streams import stream
from augkit.datasets import ManifestDataset, ViewDataset
from augkit.views import config
from augkit.views.generator import ViewGenerator

LONG = os.environ.get("AUGKIT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 1000 if LONG else 20))
SECONDS = 60  # far above a normal case (milliseconds): a hang fails the case instead of the run
#: Messages quote data truncated: far shorter than this whatever the input.
SHORT = 2000
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


def _short_error(err: BaseException) -> None:
    assert isinstance(err, AugkitError) and isinstance(err, (ValueError, TypeError)), repr(err)[:SHORT]
    assert 0 < len(str(err)) < SHORT, str(err)[:SHORT]


# -- replayed records --------------------------------------------------------------------------------------

EXTREME = st.one_of(
    st.sampled_from([0, 1, -1, 2**31, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1, 10**30, -(10**30),
                     2_000_001, 0.0, -0.0, 1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308, math.inf,
                     -math.inf, math.nan, True, False, None, "1", [], {}]),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
RECORDING = [n for n in registry.names() if registry.get(n).modality and registry.get(n).drawn
             and n != "text.back_translation"]  # needs a translator: covered by its own tests


def _fired(name: str) -> tuple[Any, Any, dict[str, Any]]:
    aug = registry.get(name).example()
    x = modalities.get(aug.modality).example()
    record = next(r for s in range(200) if (r := aug.sample(x, stream(s, 0, 0, 0)))["applied"])
    return aug, x, record


@pytest.mark.parametrize("name", RECORDING)
def test_a_record_holding_any_value_replays_or_is_refused_by_key(name: str, fuzzed: Any) -> None:
    example = registry.get(name).example()
    with partnered(example, modalities.get(example.modality).example()):  # a mixing op's partners
        _replays_or_refuses(name, fuzzed)


def _replays_or_refuses(name: str, fuzzed: Any) -> None:
    aug, x, record = _fired(name)
    keys = sorted(type(aug).drawn)

    @FUZZ
    @given(key=st.sampled_from(keys), value=EXTREME)
    def check(key: str, value: Any) -> None:
        fuzzed["records"] += 1
        with time_limit(SECONDS), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a huge factor within its bounds overflows float maths
            try:
                aug.apply(x, {**record, key: value})
            except AugkitError as err:
                _short_error(err)
                if isinstance(err, InvalidParams):
                    assert key in str(err) or "box" in str(err), err

    check()


# -- specs -------------------------------------------------------------------------------------------------

OPS = ["image.horizontal_flip", "image.gaussian_blur", "image.to_gray", "identity"]


@st.composite
def nested_specs(draw: Any) -> dict[str, Any]:
    """A pipeline of composites nested up to three times the depth limit, with odd leaves."""
    depth = draw(st.sampled_from([0, 1, 5, MAX_DEPTH // 2 - 1, MAX_DEPTH // 2, MAX_DEPTH // 2 + 1, MAX_DEPTH,
                                  3 * MAX_DEPTH]))
    op: Any = {"type": draw(st.sampled_from(OPS))}
    if draw(st.booleans()):
        op["p"] = draw(EXTREME)
    for _ in range(depth):
        kind = draw(st.sampled_from(["compose", "one_of", "random_apply"]))
        op = {"type": kind, "op": op} if kind == "random_apply" else {"type": kind, "ops": [op]}
    leaf = draw(st.sampled_from(["none", "huge str", "huge list", "deep list", "huge int"]))
    extra = {"none": {}, "huge str": {"seed": "9" * 200_000}, "huge list": {"n_views": [1.5] * 50_000},
             "deep list": {"n_views": _deep(draw(st.sampled_from([MAX_DEPTH - 2, MAX_DEPTH + 1, 5000])))},
             "huge int": {"seed": 10**4000}}[leaf]
    return {"modality": "image", "pipeline": op, **extra}


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def _spec_text(draw: Any, suffix: str) -> str:
    """YAML with anchors and aliases (a bomb of some fan-out and depth, a node holding itself), or
    YAML or JSON with brackets or mappings nested around the depth limit and far past it."""
    kinds = ["bomb", "recursive", "brackets", "mappings", "plain"] if suffix == ".yaml" else ["brackets", "mappings"]
    kind = draw(st.sampled_from(kinds))
    if kind == "bomb":
        fan, levels = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        lines = ["args: {l0: &l0 [lol, lol],"]
        lines += [f" l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * fan)}]," for k in range(1, levels)]
        return "\n".join([*lines, "}", "preset: text.eda", f"seed: *l{levels - 1}"])
    if kind == "recursive":
        return "pipeline: &p {type: compose, ops: [*p]}\nmodality: image\n"
    if kind == "plain":
        return "preset: text.eda\nseed: 3\n"
    n = draw(st.sampled_from([MAX_DEPTH - 2, MAX_DEPTH, MAX_DEPTH + 1, 10_000]))
    inner = "[" * n + "]" * n if kind == "brackets" else '{"a": ' * n + "1" + "}" * n
    return f'{{"pipeline": {inner}}}' if suffix == ".json" else f"pipeline: {inner}\n"


@FUZZ
@given(spec=nested_specs())
def test_a_spec_nested_to_any_depth_gives_a_generator_or_one_short_error(spec: dict[str, Any],
                                                                         fuzzed: Any) -> None:
    fuzzed["specs"] += 1
    with time_limit(SECONDS):
        try:
            vg = config.load(spec)
        except AugkitError as err:
            _short_error(err)
            return
    assert isinstance(vg, ViewGenerator)


@FUZZ
@given(data=st.data(), suffix=st.sampled_from([".yaml", ".json"]))
def test_a_spec_file_with_aliases_or_deep_brackets_loads_or_gives_one_short_error(data: Any, suffix: str,
                                                                                   fuzzed: Any) -> None:
    fuzzed["specs"] += 1
    text = _spec_text(data.draw, suffix)
    with tempfile.TemporaryDirectory() as folder, time_limit(SECONDS):
        path = Path(folder) / f"spec{suffix}"
        path.write_text(text)
        try:
            config.load(path)
        except AugkitError as err:
            _short_error(err)
            assert str(path) in str(err) or not str(err).startswith("/"), err
            return
    assert "lol" in text or ("[" * (MAX_DEPTH + 1)) not in text, "a spec past the depth limit loaded"


# -- CSV manifests -----------------------------------------------------------------------------------------


@st.composite
def csv_manifests(draw: Any) -> bytes:
    width = draw(st.sampled_from([1, 2, 30, 2_000, 20_000]))
    header = ["text", *(f"c{k}" for k in range(width - 1))]
    if draw(st.integers(0, 5)) == 0:
        header.append(draw(st.sampled_from(header)))  # a duplicate name
    if draw(st.booleans()):
        header.append("label")
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(st.sampled_from(["a dog", "", " ", 'say "hi"', "x" * 10_000, "line\nbreak", "cr\rhere",
                                     "\u2028sep", "\x00nul"]))]
        row += ["1"] * (len(header) - 1 - ("label" in header))
        if "label" in header:
            digits = draw(st.sampled_from([1, 18, 19, 4300, 4301, 5000, 100_000]))
            row.append(draw(st.sampled_from(["-", "+", ""])) + "7" * digits)
        if draw(st.integers(0, 8)) == 0:
            row.append("extra")
        rows.append(row)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerow(header)
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if draw(st.booleans()) else data


@FUZZ
@given(data=csv_manifests())
def test_an_extreme_csv_manifest_gives_a_dataset_or_one_error_naming_the_file(data: bytes, fuzzed: Any) -> None:
    fuzzed["readers"] += 1
    with tempfile.TemporaryDirectory() as folder, time_limit(SECONDS):
        path = Path(folder) / "m.csv"
        path.write_bytes(data)
        try:
            ds = ManifestDataset(path)
        except AugkitError as err:
            _short_error(err)
            assert str(path) in str(err), err
            return
        assert len(ds) > 0 and all(isinstance(ds[i]["text"], str) for i in range(len(ds)) if "text" in ds.rows[i])


# -- padding and epochs ------------------------------------------------------------------------------------

DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int64, torch.float16, torch.bfloat16,
          torch.float32, torch.float64, torch.complex64]
PADS = st.one_of(st.sampled_from([0, 1, -1, 255, 256, -129, 65504.0, 65505.0, 65536, 1e38, 3.5e38, 1e308,
                                  2**63, 2**64, 10**400, math.inf, -math.inf, math.nan, 0.5, -0.0]),
                 st.floats(allow_nan=True), st.integers(-(2**80), 2**80))


@FUZZ
@given(first=st.sampled_from(DTYPES), second=st.sampled_from(DTYPES), pad=PADS,
       lengths=st.tuples(st.integers(1, 5), st.integers(1, 5)))
def test_padding_any_value_into_any_dtype_pair_pads_or_names_the_value(first: torch.dtype, second: torch.dtype,
                                                                       pad: Any, lengths: tuple[int, int],
                                                                       fuzzed: Any) -> None:
    fuzzed["collate"] += 1
    items = [torch.zeros(1, lengths[0], dtype=first), torch.ones(1, sum(lengths), dtype=second)]  # ragged
    try:
        padded = collate_items(items, pad_value=pad)
    except AugkitError as err:
        _short_error(err)
        assert "pad_value=" in str(err), err
        return
    assert isinstance(padded, Padded) and padded.values.shape[0] == 2 and padded.lengths.tolist() == [
        lengths[0], sum(lengths)]


_EPOCH_VG = ViewGenerator(registry.get("image.horizontal_flip")(p=0.5), n_views=2, seed=0)
_EPOCH_X = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)


@FUZZ
@given(epoch=st.one_of(st.integers(0, 2**64), st.integers(0, 2**20_000), st.sampled_from(
    [2**63 - 1, 2**63, 2**64, 2**70, 10**300, 2**14_049 - 1, 2**14_049, -1])))
def test_any_epoch_reaches_the_views_or_is_refused_by_name(epoch: int, fuzzed: Any) -> None:
    fuzzed["collate"] += 1
    ds = ViewDataset([_EPOCH_X], _EPOCH_VG)
    try:
        ds.set_epoch(epoch)
    except AugkitError as err:
        _short_error(err)
        assert "epoch=" in str(err), err
        return
    assert ds.epoch == epoch
    views, _ = ds[0]
    expected = _EPOCH_VG(_EPOCH_X, index=0, epoch=epoch)
    assert all(np.array_equal(a, b) for a, b in zip(views, expected, strict=True))
