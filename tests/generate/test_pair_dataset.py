"""PairDataset: the epoch reaching persistent workers, shards checked as they are read (member counts,
index ranges, hashes), only regular files inside the folder opened, and damaged data named."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
import torch

import augkit
from augkit.core.errors import AugkitError
from augkit.generate import MANIFEST, PairDataset, write_pairs
from augkit.generate.pairs import ShardError

ROOT = Path(__file__).resolve().parents[2]


def _keep(batch: list[Any]) -> list[Any]:
    return [views for views, _ in batch]


@pytest.fixture(scope="module")
def three_epochs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 lines, 3 stored epochs, 4 shards of 3 per epoch."""
    tmp = tmp_path_factory.mktemp("pairs")
    corpus = tmp / "corpus.txt"
    corpus.write_text("".join(f"line {i} of a corpus with a few more words in it\n" for i in range(12)))
    write_pairs(corpus, tmp / "out", augkit.text.eda(seed=0), epochs=3, shard_size=3, progress=False)
    return tmp / "out"


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_set_epoch_reaches_persistent_workers(three_epochs: Path, context: str) -> None:
    ds = PairDataset(three_epochs)
    loader = torch.utils.data.DataLoader(ds, batch_size=2, num_workers=2, persistent_workers=True,
                                         multiprocessing_context=context, collate_fn=_keep)
    seen = []
    for epoch in (0, 1, 2):
        ds.set_epoch(epoch)
        batches = list(loader)
        fresh = torch.utils.data.DataLoader(PairDataset(three_epochs, epoch=epoch), batch_size=2, num_workers=2,
                                            collate_fn=_keep)
        assert batches == list(fresh), f"epoch {epoch} reads its own shard set in persistent workers"
        assert sorted(map(json.dumps, (v for b in batches for v in b))) == \
            sorted(json.dumps(v) for v, _ in PairDataset(three_epochs, epoch=epoch))
        seen.append(batches)
    assert seen[0] != seen[1] != seen[2] != seen[0]


def test_the_epoch_is_checked(three_epochs: Path) -> None:
    ds = PairDataset(three_epochs)
    for bad in (-1, 1.5, True, 2**70):
        with pytest.raises(ValueError, match="epoch="):
            ds.set_epoch(bad)  # type: ignore[arg-type]
    ds.set_epoch(2**62)
    assert ds.epoch == 2**62 and len(ds) == 12


def _job(tmp_path: Path, n: int = 9, shard_size: int = 3) -> Path:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(f"text number {i} with words\n" for i in range(n)))
    write_pairs(corpus, tmp_path / "out", augkit.text.eda(seed=0), shard_size=shard_size, progress=False)
    return tmp_path / "out"


def _cut_after_samples(shard: Path, keep: int) -> None:
    """Truncate ``shard`` at a member boundary, after ``keep`` whole samples (no end-of-archive blocks)."""
    with tarfile.open(shard) as tar:
        infos = tar.getmembers()
    ends = [i.offset_data + -(-i.size // 512) * 512 for i in infos if i.name.endswith(".json")]
    shard.write_bytes(shard.read_bytes()[: ends[keep - 1]])


def test_a_short_shard_is_an_error_naming_it_without_verify(tmp_path: Path) -> None:
    out = _job(tmp_path)
    _cut_after_samples(out / "pairs-000001.tar", 2)
    ds = PairDataset(out)
    assert len(ds) == 9
    with pytest.raises(ShardError, match=r"pairs-000001\.tar.* 2 samples.* manifest lists 3.*augkit generate"):
        list(ds)


def test_a_foreign_shard_is_an_error_naming_it(tmp_path: Path) -> None:
    out = _job(tmp_path)
    shutil.copy(out / "pairs-000002.tar", out / "pairs-000000.tar")  # same count, other samples
    with pytest.raises(ShardError, match=r"pairs-000000\.tar.*index 6.*outside its range \[0, 3\)"):
        list(PairDataset(out))
    with pytest.raises(ShardError, match=r"pairs-000000\.tar does not match its sha256"):
        list(PairDataset(out, verify=True))


def test_verify_passes_intact_data_and_names_a_changed_byte(tmp_path: Path) -> None:
    out = _job(tmp_path)
    assert len(list(PairDataset(out, verify=True))) == 9
    data = bytearray((out / "pairs-000001.tar").read_bytes())
    data[600] ^= 1
    (out / "pairs-000001.tar").write_bytes(bytes(data))
    with pytest.raises(ShardError, match=r"pairs-000001\.tar does not match its sha256"):
        list(PairDataset(out, verify=True))


_HOSTILE = r"""
import os, sys, time
from augkit.generate import PairDataset
from augkit.core.errors import AugkitError
ds = PairDataset(sys.argv[1])
start = time.monotonic()
try:
    list(ds)
    print("READ", round(time.monotonic() - start, 1))
except AugkitError as err:
    print("REFUSED", type(err).__name__, err)
"""


def _read_in_subprocess(root: Path) -> str:
    """List a PairDataset in a child with a memory cap and a timeout: a regression reads /dev/zero or hangs."""
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_DATA, (3 << 30, 3 << 30))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        run = subprocess.run([sys.executable, "-c", _HOSTILE, str(root)], capture_output=True, text=True,
                             timeout=60, preexec_fn=cap, env=env)
    except subprocess.TimeoutExpired:
        return "HUNG"
    return (run.stdout.strip() or run.stderr.strip().splitlines()[-1]).splitlines()[-1]


def test_only_regular_files_inside_the_folder_are_opened(tmp_path: Path) -> None:
    out = _job(tmp_path)
    outside = tmp_path / "elsewhere.tar"
    shutil.copy(out / "pairs-000001.tar", outside)
    cases = {
        "zero": lambda shard: os.symlink("/dev/zero", shard),
        "fifo": lambda shard: os.mkfifo(shard),
        "outside": lambda shard: os.symlink(outside, shard),  # the right bytes, but outside the folder
        "inside": lambda shard: os.symlink(out / "pairs-000002.tar", shard),
    }
    for name, make in cases.items():
        root = tmp_path / name
        shutil.copytree(out, root)
        (root / "pairs-000001.tar").unlink()
        make(root / "pairs-000001.tar")
        line = _read_in_subprocess(root)
        assert line.startswith("REFUSED ShardError") and "pairs-000001.tar" in line, (name, line)
        assert "not a regular file" in line, (name, line)
    epoch_link = tmp_path / "epoch_link"
    corpus = tmp_path / "corpus.txt"
    write_pairs(corpus, epoch_link, augkit.text.eda(seed=0), epochs=2, shard_size=3, progress=False)
    shutil.move(epoch_link / "epoch-001", tmp_path / "moved")
    os.symlink(tmp_path / "moved", epoch_link / "epoch-001")
    ds = PairDataset(epoch_link, epoch=1)
    with pytest.raises(ShardError, match=r"epoch-001.*not a folder inside"):
        list(ds)
    manifest = tmp_path / "zero_manifest"
    shutil.copytree(out, manifest)
    (manifest / MANIFEST).unlink()
    os.symlink("/dev/zero", manifest / MANIFEST)
    with pytest.raises(ShardError, match=r"manifest\.json.*not a regular file"):
        PairDataset(manifest)


def _damaged(tmp_path: Path, out: Path, name: str, change: Any) -> Path:
    root = tmp_path / name
    shutil.copytree(out, root)
    change(root)
    return root


def _set_manifest(value: Any) -> Any:
    def change(root: Path) -> None:
        manifest = json.loads((root / MANIFEST).read_text())
        (root / MANIFEST).write_text(value(manifest) if callable(value) else value)
    return change


def _rewrite_shard(edit: Any) -> Any:
    """Rewrite pairs-000001.tar with ``edit(name, data) -> (name, data) | None`` applied to each member."""
    def change(root: Path) -> None:
        shard = root / "pairs-000001.tar"
        with tarfile.open(shard) as tar:
            members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
        with tarfile.open(shard, "w", format=tarfile.USTAR_FORMAT) as tar:
            import io

            for name, data in members:
                changed = edit(name, data)
                if changed is not None:
                    info = tarfile.TarInfo(changed[0])
                    info.size = len(changed[1])
                    tar.addfile(info, io.BytesIO(changed[1]))
    return change


def test_damaged_data_is_one_clear_error_naming_the_shard(tmp_path: Path) -> None:
    out = _job(tmp_path)
    deep = "[" * 100_000 + "]" * 100_000
    at_open = {
        "a list": _set_manifest("[1, 2]"),
        "no shards": _set_manifest(lambda m: json.dumps({k: v for k, v in m.items() if k != "shards"})),
        "zero epochs": _set_manifest(lambda m: json.dumps({**m, "epochs": 0})),
        "nested": _set_manifest(lambda m: json.dumps({**m, "classes": "X"}).replace('"X"', deep)),
        "shard not a dict": _set_manifest(lambda m: json.dumps({**m, "shards": [1]})),
        "count a string": _set_manifest(lambda m: json.dumps({**m, "shards": [{**m["shards"][0], "count": "3"}]})),
        "not json": _set_manifest("{"),
    }
    for name, change in at_open.items():
        with pytest.raises(ShardError, match=r"manifest\.json") as caught:
            PairDataset(_damaged(tmp_path, out, name, change))
        assert "\n" not in str(caught.value) and len(str(caught.value)) < 400, name
    on_read = {
        "missing": lambda root: (root / "pairs-000001.tar").unlink(),
        "a folder": lambda root: ((root / "pairs-000001.tar").unlink(), (root / "pairs-000001.tar").mkdir()),
        "no record": _rewrite_shard(lambda n, d: None if n == "00000004.json" else (n, d)),
        "record not json": _rewrite_shard(lambda n, d: (n, b"{") if n == "00000004.json" else (n, d)),
        "record a list": _rewrite_shard(lambda n, d: (n, b"[1]") if n == "00000004.json" else (n, d)),
        "nested record": _rewrite_shard(lambda n, d: (n, deep.encode()) if n == "00000004.json" else (n, d)),
        "no index": _rewrite_shard(lambda n, d: (n, json.dumps({k: v for k, v in json.loads(d).items()
                                                                if k != "index"}).encode())
                                   if n == "00000004.json" else (n, d)),
        "name without a dot": _rewrite_shard(lambda n, d: ("00000004", d) if n == "00000004.view0.txt" else (n, d)),
        "a missing view": _rewrite_shard(lambda n, d: None if n == "00000004.view1.txt" else (n, d)),
        "not utf-8": _rewrite_shard(lambda n, d: (n, b"\xff\xfe") if n == "00000004.view1.txt" else (n, d)),
        "not a tar": lambda root: (root / "pairs-000001.tar").write_bytes(b"garbage" * 200),
    }
    for name, change in on_read.items():
        with pytest.raises(AugkitError, match=r"pairs-000001\.tar") as caught:
            list(PairDataset(_damaged(tmp_path, out, name, change)))
        assert isinstance(caught.value, ShardError), (name, caught.value)
        assert "augkit generate" in str(caught.value), name
