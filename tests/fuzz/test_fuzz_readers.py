"""Manifests and text files under generated odd inputs: random bytes, invalid UTF-8, odd JSON and
CSV, huge lines, deep nesting, and paths that try to leave the manifest's folder (``..``, absolute
paths, symlinks out, symlink loops, NUL bytes, overlong names).

The property: a reader either gives a valid dataset whose items load (or fail one by one, naming
the item, the field and the file), or raises one ValueError / TypeError / FileNotFoundError that
names the file it was given; and no path it loads lies outside the manifest's folder."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from hang_support import time_limit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from augkit.datasets import ManifestDataset, read_lines
from augkit.datasets.manifest import _File

LONG = os.environ.get("AUGKIT_FUZZ") == "long"
EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 1000 if LONG else 20))
SECONDS_PER_CASE = 30  # far above a normal case (milliseconds): a hang fails the case instead of the run
EXPECTED = (ValueError, TypeError, FileNotFoundError)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def tree() -> Iterator[tuple[Path, Path]]:
    """A manifest folder with good, corrupt, linked and odd entries, and a folder outside it."""
    with tempfile.TemporaryDirectory() as top:
        root, outside = Path(top) / "set", Path(top) / "outside"
        (root / "sub").mkdir(parents=True)
        outside.mkdir()
        Image.fromarray(np.full((5, 7, 3), 200, np.uint8)).save(root / "a.png")
        Image.fromarray(np.arange(35, dtype=np.uint8).reshape(5, 7)).save(root / "sub" / "g.png")
        sf.write(root / "c.wav", np.zeros(400, np.float32), 8000)
        (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
        (root / "broken.flac").write_bytes(b"fLaC\x00\x00\x00")
        (root / "dir.png").mkdir()
        Image.fromarray(np.zeros((2, 2, 3), np.uint8)).save(outside / "secret.png")
        (root / "out.png").symlink_to(outside / "secret.png")
        (root / "sub" / "in.png").symlink_to(root / "a.png")
        (root / "loop.png").symlink_to(root / "loop.png")
        yield root, outside


PATHS = [
    "a.png", "sub/g.png", "sub/../a.png", "./a.png", "sub/in.png", "c.wav", "broken.png", "broken.flac", "dir.png",
    "out.png", "loop.png", "missing.png", "../outside/secret.png", "sub/../../outside/secret.png", "..", "", " ",
    "/etc/passwd", "/", "a.png\x00", "x" * 300 + ".png", "sub", "a.PNG", "c.wav/", "~/a.png", "C:\\a.png",
]
KEYS = ["image", "audio", "text", "label", "id", "meta"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from(PATHS))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5),
                                                                                          inner, max_size=3),
                      max_leaves=6)
rows = st.lists(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), values, max_size=5), max_size=6)


def _jsonl(rows: list[Any], draw_bytes: bytes, mode: str) -> bytes:
    lines = [json.dumps(r, ensure_ascii=mode != "unicode").encode("utf-8", "surrogatepass") for r in rows]
    if mode == "not objects":
        lines += [b"[1, 2]", b'"text"', b"3", b"null"]
    elif mode == "bytes":
        lines.insert(len(lines) // 2, draw_bytes)
    elif mode == "truncated" and lines:
        lines[-1] = lines[-1][: len(lines[-1]) // 2]
    elif mode == "deep":
        lines.append(b"[" * 50_000 + b"]" * 50_000)
    elif mode == "huge":
        lines.append(json.dumps({"image": "a.png", "text": "w " * 200_000}).encode())
    elif mode == "blank":
        lines = [b"", b"   ", *lines, b"\r"]
    return b"\n".join(lines) + b"\n"


def _csv(rows: list[Any]) -> bytes:
    header = list(dict.fromkeys(k for r in rows for k in r)) or ["image"]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(k, "") if isinstance(r.get(k, ""), str) else json.dumps(r.get(k)) for k in header])
    return buf.getvalue().encode("utf-8", "surrogatepass")


manifests = st.fixed_dictionaries({
    "rows": rows,
    "format": st.sampled_from(["jsonl", "csv"]),
    "mode": st.sampled_from(["plain", "unicode", "not objects", "bytes", "truncated", "deep", "huge", "blank",
                             "random", "latin-1", "empty"]),
    "noise": st.binary(max_size=64),
    # mostly readable suffixes: an unknown one is refused before anything else is looked at
    "suffix": st.sampled_from([".jsonl"] * 6 + [".csv"] * 3 + [".ndjson", ".tsv", ".JSONL", ".json", ""]),
})


def _write(root: Path, case: dict[str, Any]) -> Path:
    if case["mode"] == "random":
        data = case["noise"]
    elif case["mode"] == "empty":
        data = b""
    elif case["format"] == "csv":
        data = _csv(case["rows"])
    else:
        data = _jsonl(case["rows"], case["noise"], case["mode"])
    if case["mode"] == "latin-1":
        data = data + "\ncafé\n".encode("latin-1")
    path = root / f"manifest{case['suffix']}"
    path.write_bytes(data)
    return path


@FUZZ
@given(case=manifests)
def test_a_manifest_gives_a_dataset_or_one_error_naming_it(tree: tuple[Path, Path], case: dict[str, Any],
                                                           fuzzed: Any) -> None:
    fuzzed["readers"] += 1
    root, _ = tree
    path = _write(root, case)
    try:
        with time_limit(SECONDS_PER_CASE):
            try:
                ds = ManifestDataset(path)
            except EXPECTED as err:
                assert str(path) in str(err), f"{type(err).__name__} does not name the manifest: {err}"
                return
            assert len(ds) == len(ds.rows) == len(ds.lines) > 0
            inside = root.resolve()
            for i in range(len(ds)):
                for source in ds._sources[i].values():
                    if isinstance(source, _File):
                        assert source.path.is_relative_to(inside) and source.path.is_file(), source.path
                try:
                    item = ds[i]
                except (ValueError, FileNotFoundError) as err:
                    assert f"item {i} " in str(err) and "field " in str(err) and "broken" in str(err), err
                    continue
                assert set(item) <= set(ds.rows[i])
                for key, modality in ds.fields.items():
                    if key in item and modality == "text":
                        assert isinstance(item[key], str)
    finally:
        path.unlink()


texts = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30), max_size=20)
    .map(lambda ls: "\n".join(ls).encode()),
    st.sampled_from([b"", b"\n\n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbfone\r\ntwo", b"a\rb\r\n\r\nc",
                     b"x" * 300_000 + b"\n" + b"y", "naïve\n".encode("latin-1"), b"\x00\x00\n\x00"]),
)


@FUZZ
@given(data=texts, skip_blank=st.booleans(), kind=st.sampled_from(["file", "folder", "link to folder",
                                                                      "missing"]))
def test_a_text_file_gives_its_lines_or_one_error_naming_it(data: bytes, skip_blank: bool, kind: str,
                                                            fuzzed: Any) -> None:
    from augkit.core import modalities

    fuzzed["readers"] += 1
    with tempfile.TemporaryDirectory() as folder, time_limit(SECONDS_PER_CASE):
        path = Path(folder) / "lines.txt"
        if kind == "file":
            path.write_bytes(data)
        elif kind == "folder":
            path.mkdir()
        elif kind == "link to folder":
            path.symlink_to(folder)
        for read in (lambda: read_lines(path, skip_blank=skip_blank), lambda: modalities.get("text").load(path)):
            try:
                got = read()
            except EXPECTED as err:
                assert str(path) in str(err), f"{type(err).__name__} does not name the file: {err}"
                valid = kind == "file" and _is_utf8(data)
                assert not valid, f"valid UTF-8 refused: {err}"
                continue
            assert kind == "file" and _is_utf8(data)
            text = data.decode("utf-8").removeprefix("\ufeff")
            if isinstance(got, list):
                assert got == [ln for ln in text.splitlines() if ln.strip() or not skip_blank]
            else:
                assert got == text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
