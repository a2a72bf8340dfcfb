"""Writing n-view datasets: the shard format, determinism across workers and engines, resume after
crashes, failures recorded and never dropped, and reading the shards back."""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit
from augkit.core import modalities
from augkit.core.errors import InvalidInput
from augkit.datasets import collate_views
from augkit.generate import MANIFEST, GenerateError, PairDataset, write_pairs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def tars(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.tar"))}


def members(path: Path) -> list[str]:
    with tarfile.open(path) as tar:
        return tar.getnames()


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    """A class-folder dataset of the bundled photos: people/ (2) and things/ (2)."""
    root = tmp_path / "photos"
    for cls, names in (("people", ["astronaut", "chelsea"]), ("things", ["coffee", "rocket"])):
        (root / cls).mkdir(parents=True)
        for name in names:
            shutil.copy(DATA / "images" / f"{name}.jpg", root / cls / f"{name}.jpg")
    (root / "README.txt").write_text("not a sample of an image dataset\n")
    return root


def test_image_shards_hold_keyed_views_and_records(classes: Path, tmp_path: Path) -> None:
    vg = augkit.image.simclr(48, seed=3)
    summary = write_pairs(classes, tmp_path / "out", vg, shard_size=3, progress=False)
    assert (summary.samples, summary.written, summary.failed, summary.shards) == (4, 4, 0, 2)
    out = tmp_path / "out"
    assert members(out / "pairs-000000.tar") == [
        f"0000000{i}.{m}" for i in range(3) for m in ("view0.jpg", "view1.jpg", "json")]
    with tarfile.open(out / "pairs-000000.tar") as tar:
        infos = tar.getmembers()
        record = json.loads(tar.extractfile("00000002.json").read())  # type: ignore[union-attr]
    assert {(i.mtime, i.uid, i.gid, i.uname, i.gname, i.mode) for i in infos} == {(0, 0, 0, "", "", 0o644)}
    assert record["index"] == 2 and record["source"].endswith("things/coffee.jpg")
    assert (record["label"], record["label_name"]) == (1, "things")
    x = modalities.get("image").load(classes / "things" / "coffee.jpg")
    assert record["params"] == vg.generate(x, index=2).params, "the records are the live generator's"
    shard = json.loads((out / "pairs-000000.json").read_text())
    assert shard["sha256"] == hashlib.sha256((out / "pairs-000000.tar").read_bytes()).hexdigest()
    assert (shard["count"], shard["indices"], shard["seed"]) == (3, [0, 3], 3)
    assert set(shard["versions"]) == {"augkit", "numpy", "torch", "albumentations"}
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["spec"] == augkit.views.config.dump(vg) and manifest["classes"] == ["people", "things"]
    assert [s["shard"] for s in manifest["shards"]] == ["pairs-000000.tar", "pairs-000001.tar"]
    assert manifest["counts"] == {"samples": 4, "epochs": 1, "written": 4, "failed": 0}


def test_stored_views_read_back_as_the_live_ones(classes: Path, tmp_path: Path) -> None:
    vg = augkit.image.simclr(48, seed=1)  # normalized tensors: the output step runs on reading
    write_pairs(classes, tmp_path / "png", vg, formats={"image": "png"}, progress=False)
    write_pairs(classes, tmp_path / "jpg", vg, progress=False)
    paths = sorted(classes.rglob("*.jpg"))
    for (views, label), (jviews, _), path, index in zip(PairDataset(tmp_path / "png"), PairDataset(tmp_path / "jpg"),
                                                         paths, range(4), strict=True):
        live = vg(modalities.get("image").load(path), index=index)
        assert all(torch.equal(a, b) for a, b in zip(views, live, strict=True)), "PNG is exact"
        assert label == (0 if "people" in str(path) else 1)
        err = max(float((a - b).abs().mean()) * 0.226 * 255 for a, b in zip(jviews, live, strict=True))
        assert 0 < err < 3, f"JPEG q95 is within a few grey levels on average, got {err:.2f}"


def test_audio_is_float_wav_so_gain_above_full_scale_survives(tmp_path: Path) -> None:
    vg = augkit.ViewGenerator(augkit.Compose([augkit.audio.RandomCrop(0.5, 16000), augkit.audio.Gain((12, 12))]),
                              seed=0)
    write_pairs(DATA / "audio", tmp_path / "wav", vg, progress=False)
    write_pairs(DATA / "audio", tmp_path / "flac", vg, formats={"audio": "flac"}, progress=False)
    assert members(tmp_path / "wav" / "pairs-000000.tar")[0] == "00000000.view0.wav"
    paths = sorted((DATA / "audio").glob("*.flac"))
    peaks = []
    for (views, _), (flac, _), path, index in zip(PairDataset(tmp_path / "wav"), PairDataset(tmp_path / "flac"),
                                                  paths, range(4), strict=True):
        live = vg(modalities.get("audio").load(path, sample_rate=16000), index=index)
        assert all(torch.equal(a, b) for a, b in zip(views, live, strict=True)), "float WAV is exact"
        assert all(float(f.abs().max()) <= 1.0 for f in flac), "FLAC clips to full scale"
        peaks.append(float(views[0].abs().max()))
    assert max(peaks) > 1.0, "+12 dB pushes some clip above 1.0 and WAV keeps it"


def test_text_epochs_are_separate_shard_sets(tmp_path: Path) -> None:
    lines = [f"sentence number {i} about a quick brown fox" for i in range(10)]
    src = tmp_path / "lines.txt"
    src.write_text("\n".join(lines) + "\n")
    vg = augkit.text.eda(seed=2)
    summary = write_pairs(src, tmp_path / "out", vg, epochs=2, shard_size=4, progress=False)
    assert summary.shards == 6 and summary.written == 10
    # the versions recorded are those of the libraries the text modality names, not the image ones
    shard = json.loads((tmp_path / "out" / "epoch-000" / "pairs-000000.json").read_text())
    assert set(shard["versions"]) == {"augkit", "numpy", "torch", "nltk"}
    assert set(json.loads((tmp_path / "out" / MANIFEST).read_text())["versions"]) == set(shard["versions"])
    assert sorted(tars(tmp_path / "out")) == [f"epoch-00{e}/pairs-00000{s}.tar" for e in (0, 1) for s in range(3)]
    ds = PairDataset(tmp_path / "out")
    assert len(ds) == 10
    first = [views for views, _ in ds]
    ds.set_epoch(1)
    second = [views for views, _ in ds]
    assert first == [vg(x, index=i, epoch=0) for i, x in enumerate(lines)]
    assert second == [vg(x, index=i, epoch=1) for i, x in enumerate(lines)]
    ds.set_epoch(2)
    assert [views for views, _ in ds] == first, "epoch e reads the stored set e % epochs"
    record = json.loads(tarfile.open(tmp_path / "out" / "epoch-000" / "pairs-000000.tar")
                        .extractfile("00000001.json").read())  # type: ignore[union-attr]
    assert record["source"] == {"path": str(src), "item": 1}


def test_workers_and_ray_write_the_same_bytes(tmp_path: Path) -> None:
    vg = augkit.image.simclr(40, seed=5)
    write_pairs(DATA / "images", tmp_path / "one", vg, shard_size=1, progress=False)
    write_pairs(DATA / "images", tmp_path / "two", vg, shard_size=1, workers=2, progress=False)
    pytest.importorskip("ray")
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    write_pairs(DATA / "images", tmp_path / "ray", vg, shard_size=1, workers=2, engine="ray", progress=False)
    one = tars(tmp_path / "one")
    assert len(one) == 4
    assert tars(tmp_path / "two") == one
    assert tars(tmp_path / "ray") == one
    # resume works the same under Ray: a damaged shard is rebuilt, the others are kept
    (tmp_path / "ray" / "pairs-000002.tar").write_bytes(b"truncated")
    again = write_pairs(DATA / "images", tmp_path / "ray", vg, shard_size=1, workers=2, engine="ray", progress=False)
    assert again.reused == 3 and tars(tmp_path / "ray") == one


def test_rerun_verifies_rebuilds_and_cleans(tmp_path: Path) -> None:
    vg = augkit.text.eda(seed=0)
    out = tmp_path / "out"
    first = write_pairs(DATA / "sentences.txt", out, vg, shard_size=400, progress=False)
    reference = tars(out)
    assert first.shards == 4 and first.reused == 0
    again = write_pairs(DATA / "sentences.txt", out, vg, shard_size=400, progress=False)
    assert again.reused == 4 and tars(out) == reference
    (out / "pairs-000001.tar").write_bytes(reference["pairs-000001.tar"][:5000])  # a partial shard
    (out / "pairs-000002.json").unlink()                                           # a shard without its marker
    (out / "pairs-000003.tar.tmp999").write_bytes(b"left by a crash")
    (out / "pairs-000009.tar").write_bytes(b"of another plan")
    (out / MANIFEST).unlink()
    resumed = write_pairs(DATA / "sentences.txt", out, vg, shard_size=400, progress=False)
    assert resumed.reused == 2 and tars(out) == reference
    assert not list(out.glob("*.tmp*")) and not (out / "pairs-000009.tar").exists()
    assert (out / MANIFEST).is_file()


def test_a_different_job_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_pairs(DATA / "sentences.txt", out, augkit.text.eda(seed=0), limit=20, progress=False)
    for change, words in (({"seed": 1}, "seed"), ({"n_views": 3}, "n_views")):
        with pytest.raises(GenerateError, match=rf"holds a different job \(it differs in .*{words}.*--overwrite"):
            write_pairs(DATA / "sentences.txt", out, augkit.text.eda(**change), limit=20, progress=False)
    with pytest.raises(GenerateError, match="shard_size"):
        write_pairs(DATA / "sentences.txt", out, augkit.text.eda(seed=0), limit=20, shard_size=7, progress=False)
    with pytest.raises(GenerateError, match="limit"):
        write_pairs(DATA / "sentences.txt", out, augkit.text.eda(seed=0), limit=21, progress=False)
    done = write_pairs(DATA / "sentences.txt", out, augkit.text.eda(seed=1), limit=20, overwrite=True,
                       progress=False)
    assert done.reused == 0 and PairDataset(out).views.seed == 1
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.md").write_text("mine")
    with pytest.raises(GenerateError, match="not empty and holds no augkit job"):
        write_pairs(DATA / "sentences.txt", tmp_path / "busy", augkit.text.eda(seed=0), progress=False)


def test_bad_inputs_are_recorded_not_dropped(classes: Path, tmp_path: Path) -> None:
    (classes / "things" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    vg = augkit.image.simclr(32, seed=0)
    summary = write_pairs(classes, tmp_path / "out", vg, progress=False)
    assert (summary.samples, summary.written, summary.failed) == (5, 4, 1)
    failure = summary.failures[0]
    assert failure["source"].endswith("broken.jpg") and "broken.jpg" in failure["reason"]
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["failures"] == summary.failures and manifest["counts"]["failed"] == 1
    assert len(PairDataset(tmp_path / "out")) == 4
    with pytest.raises(GenerateError, match=r"sample 2 \(.*broken\.jpg\) failed: .*without strict"):
        write_pairs(classes, tmp_path / "strict", vg, strict=True, progress=False)


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    vg = augkit.text.eda(seed=0)
    for kwargs, message in (({"shard_size": 0}, "shard_size=0"), ({"epochs": -1}, "epochs=-1"),
                            ({"workers": 0}, "workers=0"), ({"engine": "spark"}, "engine='spark'"),
                            ({"formats": {"image": "gif"}}, "format='gif'")):
        with pytest.raises(ValueError, match=message):
            write_pairs(DATA / "sentences.txt", tmp_path / "x", vg, progress=False, **kwargs)
    with pytest.raises(InvalidInput, match=r"sentences\.txt holds text, but the generator takes image"):
        write_pairs(DATA / "sentences.txt", tmp_path / "x", augkit.image.simclr(32, seed=0), progress=False)
    with pytest.raises(FileNotFoundError, match="nope"):
        write_pairs(tmp_path / "nope", tmp_path / "x", vg, progress=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match="holds no text files"):
        write_pairs(tmp_path / "empty", tmp_path / "x", vg, progress=False)
    with pytest.raises(augkit.views.config.InvalidSpec, match="output: "):
        write_pairs(DATA / "sentences.txt", tmp_path / "x", augkit.ViewGenerator(augkit.text.RandomSwap(),
                                                                                output=str.upper), progress=False)
    blocked = tmp_path / "file"
    blocked.write_text("a file where the output folder should go")
    with pytest.raises(GenerateError, match="cannot create the output folder"):
        write_pairs(DATA / "sentences.txt", blocked / "out", vg, progress=False)


def test_a_full_disk_stops_the_job_and_leaves_only_complete_shards(tmp_path: Path) -> None:
    """The file-size limit makes writes fail mid-job (EFBIG), as a full disk does (ENOSPC)."""
    out = tmp_path / "out"
    script = (f"import augkit; from augkit.generate import write_pairs\n"
              f"write_pairs({str(DATA / 'images')!r}, {str(out)!r}, augkit.image.simclr(64, seed=0), "
              f"shard_size=1, formats={{'image': 'png'}}, progress=False)\n")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    run = subprocess.run([sys.executable, "-c", script], preexec_fn=limit, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("augkit.generate.GenerateError: cannot write to")
    assert "run the same command again" in last
    for shard in out.glob("pairs-*.json"):  # whatever is marked done verifies
        meta = json.loads(shard.read_text())
        assert hashlib.sha256(shard.with_suffix(".tar").read_bytes()).hexdigest() == meta["sha256"]
    assert not list(out.glob("*.tmp*")), "no temporary file is left behind"
    done = write_pairs(DATA / "images", out, augkit.image.simclr(64, seed=0), shard_size=1,
                       formats={"image": "png"}, progress=False)
    assert done.written == 4


def _cli(out: Path) -> list[str]:
    return [sys.executable, "-m", "augkit", "generate", str(DATA / "sentences.txt"), "--out", str(out),
            "--preset", "eda", "--shard-size", "10", "--epochs", "3", "--quiet"]


def test_killed_twice_then_resumed_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    assert subprocess.run(_cli(reference), capture_output=True, timeout=300).returncode == 0
    expected = tars(reference)
    assert len(expected) == 450
    out = tmp_path / "out"
    for moment in (40, 200):  # kill once few shards are done, then again much later
        proc = subprocess.Popen(_cli(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while len(list(out.rglob("pairs-*.json"))) < moment and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "killed mid-run, not finished"
        assert not (out / MANIFEST).exists()
    resumed = subprocess.run(_cli(out), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "shards kept from an earlier run" in resumed.stdout
    assert tars(out) == expected, "byte for byte the uninterrupted run"
    assert not list(out.rglob("*.tmp*"))


def test_pair_dataset_splits_shards_over_workers_and_batches(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(f"line {i} of a corpus with some words\n" for i in range(40)))
    write_pairs(corpus, tmp_path / "out", augkit.text.eda(seed=0), shard_size=5, progress=False)
    ds = PairDataset(tmp_path / "out", with_params=True)
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=2)
    seen = sorted(json.dumps(item[0]) for item in loader)
    assert seen == sorted(json.dumps(views) for views, *_ in ds) and len(seen) == 40
    plain = PairDataset(tmp_path / "out")
    views, labels = collate_views(list(plain)[:8])
    assert len(views) == 2 and len(views[0]) == 8 and labels is None


def test_pair_dataset_refuses_unsafe_or_damaged_shards(tmp_path: Path) -> None:
    corpus = tmp_path / "six.txt"
    corpus.write_text("".join(f"text {i}\n" for i in range(6)))
    write_pairs(corpus, tmp_path / "out", augkit.text.eda(seed=0), shard_size=3, progress=False)
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    for bad in ("../elsewhere.tar", "/etc/passwd"):
        evil = tmp_path / bad.strip("./").replace("/", "_")
        shutil.copytree(tmp_path / "out", evil)
        (evil / MANIFEST).write_text(json.dumps({**manifest, "shards": [{**manifest["shards"][0], "shard": bad}]}))
        with pytest.raises(InvalidInput, match="outside"):
            PairDataset(evil)
    shard = tmp_path / "out" / "pairs-000001.tar"
    data = bytearray(shard.read_bytes())
    data[600] ^= 1
    shard.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match="does not match its sha256"):
        list(PairDataset(tmp_path / "out", verify=True))
    with pytest.raises(FileNotFoundError, match="not a finished augkit dataset"):
        PairDataset(tmp_path)


def test_shards_read_with_the_webdataset_library(tmp_path: Path) -> None:
    wds = pytest.importorskip("webdataset")
    write_pairs(DATA / "images", tmp_path / "out", augkit.image.simclr(32, seed=0), shard_size=2, progress=False)
    urls = [str(p) for p in sorted((tmp_path / "out").glob("pairs-*.tar"))]
    samples = list(wds.WebDataset(urls, shardshuffle=False).decode("rgb8"))
    assert [s["__key__"] for s in samples] == [f"0000000{i}" for i in range(4)]
    for s in samples:
        assert s["view0.jpg"].shape == (32, 32, 3) and s["view1.jpg"].dtype == np.uint8
        assert s["json"]["index"] == int(s["__key__"])


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 12), shard_size=st.integers(1, 5), limit=st.none() | st.integers(1, 15))
def test_every_sample_is_written_once_in_index_order(n: int, shard_size: int, limit: int | None) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        vectors = [np.full((4, 5, 3), i, np.uint8) for i in range(n)]  # samples held in memory
        summary = write_pairs(vectors, Path(tmp) / "out", augkit.ViewGenerator(augkit.image.HorizontalFlip(), seed=0),
                              shard_size=shard_size, limit=limit, formats={"image": "png"}, progress=False)
        expected = min(n, limit or n)
        assert summary.written == expected and summary.shards == -(-expected // shard_size)
        keys = [json.loads(io.BytesIO(tarfile.open(p).extractfile(m).read()).read())["index"]  # type: ignore[union-attr]
                for p in sorted((Path(tmp) / "out").glob("*.tar")) for m in tarfile.open(p).getnames()
                if m.endswith(".json")]
        assert keys == list(range(expected))


def test_the_command_writes_reports_and_exits_by_outcome(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from augkit.cli import main

    out = tmp_path / "out"
    assert main(["generate", str(DATA / "images"), "--out", str(out), "--preset", "simclr", "--views", "3",
                 "--image-format", "png", "--quiet", "--seed", "4"]) == 0
    printed = capsys.readouterr().out
    assert "wrote 4 of 4 samples x 3 views in 1 shards" in printed and str(out / MANIFEST) in printed
    assert members(out / "pairs-000000.tar")[:4] == ["00000000.view0.png", "00000000.view1.png",
                                                     "00000000.view2.png", "00000000.json"]
    assert PairDataset(out).views.seed == 4
    broken = tmp_path / "broken"
    broken.mkdir()
    for i in range(2):
        (broken / f"{i}.jpg").write_bytes(b"not an image")
    assert main(["generate", str(broken), "--out", str(tmp_path / "b"), "--preset", "simclr", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "failed: sample 0" in err and "0.jpg" in err
    for argv, words in (
        ([str(DATA / "sentences.txt"), "--preset", "simclr"], "holds text, but the generator takes image"),
        ([str(DATA / "images"), "--preset", "nope"], "no preset named 'nope'"),
        ([str(DATA / "images"), "--preset", "byol", "--views", "3"], "exactly 2 views"),
        ([str(DATA / "images"), "--preset", "simclr", "--shard-size", "0"], "shard_size=0"),
        ([str(tmp_path / "missing")], "does not exist"),
        ([str(DATA / "images"), "--preset", "simclr", "--seed", "9"], "holds a different job"),
    ):
        if argv == [str(tmp_path / "missing")]:
            argv += ["--preset", "simclr"]
        assert main(["generate", *argv, "--out", str(out), "--quiet"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("augkit generate: ") and words in err and "\n" not in err and "Traceback" not in err


_DDP = r"""
import json, os, sys
import torch.distributed as dist
from augkit.generate import PairDataset
rank = int(sys.argv[1])
dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{sys.argv[2]}", rank=rank, world_size=2)
keys = [json.dumps(views) for views, _ in PairDataset(sys.argv[3])]
print(json.dumps(keys))
dist.destroy_process_group()
"""


def test_ddp_ranks_read_disjoint_shards_that_cover_the_dataset(tmp_path: Path) -> None:
    import socket

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(f"line {i} of the corpus\n" for i in range(24)))
    write_pairs(corpus, tmp_path / "out", augkit.text.eda(seed=0), shard_size=3, progress=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    procs = [subprocess.Popen([sys.executable, "-c", _DDP, str(r), str(port), str(tmp_path / "out")],
                              stdout=subprocess.PIPE, text=True) for r in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    ranks = [json.loads(o.strip().splitlines()[-1]) for o in outputs]
    assert len(ranks[0]) == len(ranks[1]) == 12 and not set(ranks[0]) & set(ranks[1])
    assert sorted(ranks[0] + ranks[1]) == sorted(json.dumps(v) for v, _ in PairDataset(tmp_path / "out"))
