"""Nothing unbounded from data: recorded params checked against the declared bounds on replay;
manifests (nesting, CSV width and labels, paths swapped after the check); text read as a stream;
spec files (aliases, size, nesting) and the values their errors quote; collate and epochs at the
edges of their dtypes.

Each test reproduces a failure the hardening issue lists (a replayed blur kernel of 2,000,001, a CSV
header of 100,000 columns read in quadratic time, a 337-byte YAML alias bomb that used 4.5 GB, a
RecursionError traceback from 400 nested composes, ...)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hang_support import time_limit
from mixing_support import partnered
from PIL import Image

import augkit
from augkit.core import modalities, registry
from augkit.core.errors import InvalidArgument, InvalidInput, InvalidParams
from augkit.core.files import MAX_DEPTH, read_lines
from augkit.core.streams import stream
from augkit.datasets import ManifestDataset, ViewDataset, collate_views
from augkit.views import config
from augkit.views.config import MAX_SPEC_BYTES, InvalidSpec
from augkit.views.generator import ViewGenerator

ROOT = Path(__file__).resolve().parent.parent
#: Far more than any message needs, far less than a quoted value from data could make it.
SHORT = 1000


# -- recorded params: every op's bounds on replay ----------------------------------------------------------


def _fired(name: str) -> tuple[Any, Any, dict[str, Any]]:
    aug = registry.get(name).example()
    x = modalities.get(aug.modality).example()
    for seed in range(200):
        record = aug.sample(x, stream(seed, 0, 0, 0))
        if record["applied"]:
            return aug, x, record
    raise AssertionError(f"{name} never fired")


def _far_values(cls: Any, key: str, value: Any) -> list[Any]:
    """Values of ``key`` outside what its declared argument (or any 64-bit field) allows."""
    far: list[Any] = [10**30, -(10**30)] if isinstance(value, int) else [math.inf, -math.inf, math.nan]
    declared = {a.name: a.check for a in cls._declared}
    bounds = declared[key].bounds() if key in declared else None
    if bounds is not None:
        low, high = bounds[0], bounds[1]
        if high is not None:
            far += [high + 1, high * 1000 + 10**6] if isinstance(value, int) else [high + 1.0, 1e300]
        if low is not None:
            far += [low - 1, low * 1000 - 10**6] if isinstance(value, int) else [low - 1.0, -1e300]
    return far


RECORDING_OPS = [n for n in registry.names() if registry.get(n).modality and registry.get(n).drawn]


@pytest.mark.parametrize("name", RECORDING_OPS)
def test_every_op_refuses_a_replayed_value_outside_its_declared_range_naming_the_key(name: str) -> None:
    example = registry.get(name).example()
    with partnered(example, modalities.get(example.modality).example()):
        _refuses_far_values(name)


def _refuses_far_values(name: str) -> None:
    aug, x, record = _fired(name)
    checked = 0
    for key in type(aug).drawn:
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue  # lists (edits, order) are checked against the input by the op
        for far in _far_values(type(aug), key, value):
            with pytest.raises(InvalidParams, match=rf"\[{key!r}\]"):
                aug.apply(x, {**record, key: far})
            checked += 1
    numbers = [k for k, kind in type(aug).drawn.items() if kind is not list]
    assert checked or numbers in ([], ["seed"])  # EDA records lists; back-translation's seed is None here


def test_a_replayed_blur_kernel_of_two_million_is_refused() -> None:
    blur = augkit.image.GaussianBlur(sigma=(0.1, 2.0), p=1.0)
    x = modalities.get("image").example()
    with time_limit(20), pytest.raises(InvalidParams, match=r"\['kernel_size'\]=2000001 must lie in \[1, 601\]"):
        blur.apply(x, {"applied": True, "sigma": 1.0, "kernel_size": 2_000_001})
    # the largest kernel a drawn sigma can ask for still replays
    big = augkit.image.GaussianBlur(sigma=100.0, p=1.0)
    record = big.sample(x, np.random.default_rng(0))
    assert record["kernel_size"] == 601
    assert big.apply(x, record).shape == x.shape


def test_the_generator_replay_refuses_an_out_of_range_record_by_key() -> None:
    vg = augkit.image.simclr(32, seed=0)
    x = modalities.get("image").example()
    views = vg.generate(x, index=0)
    records = json.loads(json.dumps(views.params))

    def blur_records(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "kernel_size" in node:
                yield node
            for v in node.values():
                yield from blur_records(v)
        elif isinstance(node, list):
            for v in node:
                yield from blur_records(v)

    found = list(blur_records(records))
    assert found
    for r in found:
        r.update({"applied": True, "sigma": 1.0, "kernel_size": 2_000_001})
    with time_limit(20), pytest.raises(InvalidParams, match="kernel_size"):
        vg.replay(x, records)


# -- manifests: nesting depth ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 900, 50_000])
def test_a_manifest_row_nested_too_deeply_names_the_line_and_the_limit(tmp_path: Path, depth: int) -> None:
    manifest = tmp_path / "rows.jsonl"
    deep = "[" * depth + "]" * depth
    manifest.write_text('{"text": "a dog", "label": 1}\n' + f'{{"text": "a cat", "meta": {deep}}}\n')
    with pytest.raises(InvalidInput, match=rf"line 2: .*nested deeper than {MAX_DEPTH} levels") as caught:
        ManifestDataset(manifest)
    assert str(manifest) in str(caught.value)


def test_a_manifest_row_within_the_depth_limit_loads(tmp_path: Path) -> None:
    manifest = tmp_path / "rows.jsonl"
    deep = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    manifest.write_text(f'{{"text": "a cat", "meta": {deep}}}\n')
    assert ManifestDataset(manifest)[0]["text"] == "a cat"


# -- CSV manifests ---------------------------------------------------------------------------------------


def test_a_csv_header_of_100000_columns_is_read_in_linear_time(tmp_path: Path) -> None:
    manifest = tmp_path / "wide.csv"
    columns = [f"c{k}" for k in range(100_000)]
    manifest.write_text(",".join(["text", *columns]) + "\n" + ",".join(["a dog", *["1"] * 100_000]) + "\n")
    with time_limit(30):  # 94 s when each name was compared with every earlier one
        ds = ManifestDataset(manifest)
    assert ds[0]["text"] == "a dog" and ds[0]["c99999"] == "1"
    manifest.write_text(",".join(["text", *columns, "c5"]) + "\n")
    with time_limit(30), pytest.raises(InvalidInput, match=r"line 1: the header names column 'c5' twice"):
        ManifestDataset(manifest)


def test_a_label_of_5000_digits_names_the_file_and_the_line(tmp_path: Path) -> None:
    manifest = tmp_path / "labels.csv"
    manifest.write_text("text,label\na dog,3\na cat," + "7" * 5000 + "\n")
    with pytest.raises(InvalidInput, match=r"labels\.csv, line 3: the label '7777.*… has 5000 digits") as caught:
        ManifestDataset(manifest)
    assert len(str(caught.value)) < SHORT


# -- text read as a stream -------------------------------------------------------------------------------


def _peak(fn: Any) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _size(lines: list[str]) -> int:
    return sys.getsizeof(lines) + sum(sys.getsizeof(line) for line in lines)


def test_read_lines_holds_its_lines_and_one_chunk_not_the_whole_file_twice(tmp_path: Path) -> None:
    path = tmp_path / "many.txt"
    path.write_bytes(b"".join(b"sentence %07d of a modest file\n" % k for k in range(200_000)))  # 6.6 MB
    lines, peak = _peak(lambda: read_lines(path))
    assert len(lines) == 200_000 and lines[7] == "sentence 0000007 of a modest file"
    # the lines themselves, plus at most 3 MB (a chunk being decoded and split); the whole file
    # decoded at once and then split held 8 MB more
    assert peak < _size(lines) + 3 * 2**20, (peak, _size(lines))


def test_a_one_line_file_is_read_in_bounded_chunks(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_bytes(b"word " * 2_000_000)  # 10 MB, one line
    lines, peak = _peak(lambda: read_lines(path))
    assert len(lines) == 1 and len(lines[0]) == 10_000_000
    assert peak < 2 * _size(lines) + 4 * 2**20, (peak, _size(lines))


def test_a_jsonl_manifest_is_parsed_line_by_line(tmp_path: Path) -> None:
    manifest = tmp_path / "many.jsonl"
    manifest.write_bytes(b"".join(b'{"text": "caption %07d of a modest manifest", "label": %d}\n' % (k, k)
                                  for k in range(50_000)))
    ds, peak = _peak(lambda: ManifestDataset(manifest))
    assert len(ds) == 50_000 and ds[49_999]["label"] == 49_999
    # the rows, plus far less than the file decoded whole (3 MB of text, held 2-3 times before)
    rows = sum(sys.getsizeof(r) + sum(sys.getsizeof(v) for v in r.values()) for r in ds.rows)
    assert peak < 2 * rows + 8 * 2**20, (peak, rows)


def test_a_bad_byte_deep_in_a_streamed_file_names_its_line_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "late.txt"
    head = b"line\n" * 600_000  # 3 MB: past the first chunk
    path.write_bytes(head + b"caf\xe9\n")
    with pytest.raises(InvalidInput, match=rf"byte {len(head) + 3}, line 600001"):
        read_lines(path)


# -- manifest paths checked when opened ------------------------------------------------------------------


def test_a_manifest_file_swapped_for_a_link_after_the_check_is_not_read(tmp_path: Path) -> None:
    root, outside = tmp_path / "set", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    Image.fromarray(np.full((4, 4, 3), 10, np.uint8)).save(root / "a.png")
    Image.fromarray(np.full((4, 4, 3), 250, np.uint8)).save(outside / "secret.png")
    (root / "rows.jsonl").write_text('{"image": "a.png"}\n')
    ds = ManifestDataset(root / "rows.jsonl")
    assert int(ds[0]["image"][0, 0, 0]) == 10
    (root / "a.png").unlink()
    (root / "a.png").symlink_to(outside / "secret.png")
    with pytest.raises(InvalidInput, match=r"item 0 .*leaves the base folder"):
        ds[0]


def test_a_manifest_file_swapped_for_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text('{"image": "a.png"}\n')
    Image.fromarray(np.full((4, 4, 3), 10, np.uint8)).save(tmp_path / "a.png")
    ds = ManifestDataset(tmp_path / "rows.jsonl")
    (tmp_path / "a.png").unlink()
    os.mkfifo(tmp_path / "a.png")
    with time_limit(20), pytest.raises(InvalidInput, match=r"item 0 .*not a regular file"):
        ds[0]


def test_a_link_inside_the_folder_is_still_read_when_opened(tmp_path: Path) -> None:
    Image.fromarray(np.full((4, 4, 3), 10, np.uint8)).save(tmp_path / "a.png")
    (tmp_path / "b.png").symlink_to(tmp_path / "a.png")
    (tmp_path / "rows.jsonl").write_text('{"image": "b.png"}\n')
    assert int(ManifestDataset(tmp_path / "rows.jsonl")[0]["image"][0, 0, 0]) == 10


# -- YAML specs: aliases, size, quoted values --------------------------------------------------------


def _bomb(levels: int) -> str:
    """The "billion laughs": each level an anchored list of nine aliases of the level below."""
    lines = ['args: {a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"],']
    names = "abcdefghijklmnop"
    for k in range(1, levels):
        lines.append(f" {names[k]}: &{names[k]} [{','.join(['*' + names[k - 1]] * 9)}],")
    lines.append("}")
    lines.append(f"preset: text.eda\nseed: *{names[levels - 1]}\n")
    return "\n".join(lines)


def test_a_yaml_alias_bomb_is_refused_at_once_in_a_short_message(tmp_path: Path) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(_bomb(9))  # 9**9 strings once expanded: 4.5 GB and a 351 MB message before
    assert len(spec.read_bytes()) < 400
    script = ("import resource, sys\nfrom augkit.views import config\n"
              "try:\n    config.load(sys.argv[1])\nexcept config.InvalidSpec as err:\n    print(err)\n"
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    before = subprocess.run([sys.executable, "-c", "import resource\nfrom augkit.views import config\n"
                             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                            capture_output=True, text=True, timeout=120, check=True, env=_env())
    done = subprocess.run([sys.executable, "-c", script, str(spec)], capture_output=True, text=True, timeout=120,
                          env=_env())
    assert done.returncode == 0, done.stderr[-2000:]
    message, peak_kb = done.stdout.splitlines()[0], int(done.stdout.splitlines()[-1])
    assert "alias" in message and str(spec) in message and len(message) < SHORT, message[:SHORT]
    # ru_maxrss is in KiB: loading the spec adds at most 100 MiB to what importing augkit takes
    assert peak_kb - int(before.stdout) < 100 * 1024


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "NO_ALBUMENTATIONS_UPDATE": "1", "HF_HUB_OFFLINE": "1"}


def test_a_few_aliases_still_load(tmp_path: Path) -> None:
    spec = tmp_path / "shared.yaml"
    spec.write_text("modality: image\nseed: 3\nn_views: 2\npipeline:\n  type: compose\n  ops:\n"
                    "    - &blur {type: image.gaussian_blur, sigma: [0.5, 1.0], p: 0.5}\n    - *blur\n")
    vg = config.load(spec)
    assert vg.seed == 3 and len(vg.pipelines[0].ops) == 2


def test_a_spec_file_past_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    spec = tmp_path / "huge.yaml"
    spec.write_text("# padding\n" * (MAX_SPEC_BYTES // 10 + 1) + "preset: text.eda\n")
    with pytest.raises(InvalidSpec, match=rf"{MAX_SPEC_BYTES:,} bytes") as caught:
        config.load(spec)
    assert str(spec) in str(caught.value)


@pytest.mark.parametrize("spec", [
    {"seed": "9" * 1_000_000},
    {"spec_format": ["x" * 1000] * 1000},
    {"preset": "x" * 1_000_000},
    {"preset": "text.eda", "args": {"alpha": "y" * 1_000_000}},
    {"modality": "image", "pipeline": {"type": "image.gaussian_blur", "sigma": [1.0] * 10_000}},
    {"modality": "image", "pipeline": {"type": "image.gaussian_blur", "z" * 1_000_000: 1}},
    {"fields": {"f" * 1_000_000: 5}},
    {"fields": {"text": {"pipeline": {"type": "text.random_swap"}, "modality": ["m" * 1000] * 1000}}},
    {"fields": {"text": {"pipeline": {"type": "identity"}}}, "cross_modal": "c" * 1_000_000},
    {"w" * 1_000_000: 1},
])
def test_spec_errors_quote_values_from_the_spec_truncated(spec: dict[str, Any]) -> None:
    with pytest.raises(InvalidSpec) as caught:
        config.load(spec)
    message = str(caught.value)
    assert len(message) < SHORT and ("…" in message or ", ...]" in message), message[:SHORT]


# -- spec nesting depth -----------------------------------------------------------------------------------


def _nested_compose(levels: int) -> dict[str, Any]:
    op: dict[str, Any] = {"type": "image.horizontal_flip"}
    for _ in range(levels):
        op = {"type": "compose", "ops": [op]}
    return {"modality": "image", "seed": 0, "pipeline": op}


def test_a_pipeline_of_400_nested_composes_names_the_depth_limit() -> None:
    with pytest.raises(InvalidSpec, match=rf"nested deeper than {MAX_DEPTH} levels"):
        config.load(_nested_compose(400))


def test_composes_nested_a_few_levels_still_load_and_make_views() -> None:
    vg = config.load(_nested_compose(10))
    x = modalities.get("image").example()
    assert len(vg(x, index=0)) == 2


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_ten_thousand_nested_brackets_in_a_spec_file_name_the_depth_limit(tmp_path: Path, suffix: str) -> None:
    spec = tmp_path / f"deep{suffix}"
    text = "[" * 10_000 + "]" * 10_000
    spec.write_text(f"pipeline: {text}\n" if suffix == ".yaml" else f'{{"pipeline": {text}}}')
    with pytest.raises(InvalidSpec, match=rf"nested deeper than {MAX_DEPTH} levels") as caught:
        config.load(spec)
    assert str(spec) in str(caught.value)


def test_a_cyclic_spec_dict_is_refused_not_recursed_into() -> None:
    pipeline: dict[str, Any] = {"type": "compose", "ops": []}
    pipeline["ops"].append(pipeline)
    with pytest.raises(InvalidSpec, match="nested deeper"):
        config.load({"modality": "image", "pipeline": pipeline})


# -- collate and epochs ----------------------------------------------------------------------------------


def test_padding_that_overflows_float16_after_promotion_is_named() -> None:
    batch = [([torch.zeros(1, 5, dtype=torch.float16)], 0), ([torch.zeros(1, 3, dtype=torch.uint8)], 1)]
    with pytest.raises(InvalidInput, match=r"pad_value=100000.0 does not fit .*float16"):
        collate_views(batch, pad_value=100_000.0)
    with pytest.raises(InvalidInput, match=r"pad_value=10+… does not fit"):
        collate_views(batch, pad_value=10**400)
    views, _ = collate_views(batch, pad_value=-65504.0)
    assert views[0].values.dtype == torch.float16 and float(views[0].values[1, 0, 4]) == -65504.0
    views, _ = collate_views(batch, pad_value=-math.inf)
    assert float(views[0].values[1, 0, 4]) == -math.inf


def test_view_dataset_takes_every_epoch_the_view_generator_takes() -> None:
    vg = ViewGenerator(augkit.image.simclr(16, seed=0).pipelines[0], n_views=2, seed=0)
    x = modalities.get("image").example()
    ds = ViewDataset([x], vg)
    for epoch in (0, 2**63 - 1, 2**63, 2**70, 10**300):
        ds.set_epoch(epoch)
        assert ds.epoch == epoch
        views, _ = ds[0]
        expected = vg(x, index=0, epoch=epoch)
        assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(views, expected, strict=True))
    assert ViewDataset([x], vg, epoch=2**70).epoch == 2**70
    for bad in (-1, 1.5, True):
        with pytest.raises((InvalidArgument, TypeError)):
            ds.set_epoch(bad)


def test_view_dataset_epoch_past_the_shared_capacity_is_refused_by_name() -> None:
    vg = ViewGenerator(augkit.image.simclr(16, seed=0).pipelines[0], n_views=2, seed=0)
    ds = ViewDataset([modalities.get("image").example()], vg)
    with pytest.raises(InvalidArgument, match=r"epoch=<an int of 100001 bits> has 100001 bits, more than the \d+"):
        ds.set_epoch(2**100_000)
