"""What a generate job keeps, rebuilds and touches: shards checked by name, index range and hash on a
rerun; only the job's own files; temporary files of every kind removed; a corrupt job file named and
repaired; every skipped input recorded; workers that end with the job; messages that count truly and
print file names escaped."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import augkit
from augkit.generate import JOB_FILE, MANIFEST, GenerateError, PairDataset, write_pairs

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def everything(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() and not p.is_symlink() else None
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.txt"
    path.write_text("".join(f"line {i} of a corpus about a quick brown fox\n" for i in range(30)))
    return path


def _write(corpus: Path, out: Path, **kwargs: object) -> augkit.generate.Summary:
    return write_pairs(corpus, out, augkit.text.eda(seed=0), shard_size=5, progress=False, **kwargs)  # type: ignore[arg-type]


# -- shards that cannot fool a rerun ---------------------------------------------------------------

def test_a_shard_copied_over_another_is_rebuilt(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _write(corpus, out)
    reference = everything(out)
    assert first.shards == 6
    for suffix in (".tar", ".json"):
        shutil.copy(out / f"pairs-000004{suffix}", out / f"pairs-000003{suffix}")
    again = _write(corpus, out)
    assert again.reused == 5 and again.written == 30
    assert everything(out) == reference
    manifest = json.loads((out / MANIFEST).read_text())
    assert [s["indices"] for s in manifest["shards"]] == [[i, i + 5] for i in range(0, 30, 5)]
    assert len(PairDataset(out)) == len(list(PairDataset(out, verify=True))) == 30


def test_a_shard_json_is_checked_field_by_field(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(corpus, out)
    reference = everything(out)
    meta = json.loads((out / "pairs-000002.json").read_text())
    edits = {"shard": "pairs-000009.tar", "indices": [10, 14], "epoch": 1, "count": 4, "job_sha256": "0" * 64,
             "failures": [{"index": 99}]}
    for key, value in edits.items():
        (out / "pairs-000002.json").write_text(json.dumps({**meta, key: value}))  # the sha256 still matches
        again = _write(corpus, out)
        assert again.reused == 5, key
        assert everything(out) == reference, key


# -- only our files --------------------------------------------------------------------------------

def test_the_users_files_are_never_touched(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(corpus, out)
    mine = {"pairs-notes.md": b"my notes", "pairs-000001.tar.bak": b"a backup", "pairs-1.tar": b"not ours",
            "epoch-notes.txt": b"x", "augkit-job.json.old": b"old", "manifest.json.tmp": b"no pid"}
    for name, data in mine.items():
        (out / name).write_bytes(data)
    (out / "notes").mkdir()
    (out / "notes" / "pairs-000000.tar").write_bytes(b"a file in a folder of mine")
    _write(corpus, out)  # resumed
    with pytest.raises(GenerateError, match="holds a different job"):
        _write(corpus, out, limit=20)
    _write(corpus, out, limit=20, overwrite=True)  # replaced: only augkit's files go
    _write(corpus, out, overwrite=True)
    for name, data in mine.items():
        assert (out / name).read_bytes() == data, name
    assert (out / "notes" / "pairs-000000.tar").read_bytes() == b"a file in a folder of mine"


def test_temporary_files_of_every_kind_are_removed(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(corpus, out, epochs=2)
    reference = everything(out)
    left = ["augkit-job.json.tmp12", "manifest.json.tmp3", "pairs-000000.tar.tmp4", "epoch-000/pairs-000001.tar.tmp5",
            "epoch-001/pairs-000002.json.tmp6"]
    for name in left:
        (out / name).write_bytes(b"left by a crash")
    _write(corpus, out, epochs=2)
    assert everything(out) == reference


def test_a_kill_while_the_job_file_is_written_does_not_block_reruns(corpus: Path, tmp_path: Path) -> None:
    _write(corpus, tmp_path / "reference")
    out = tmp_path / "out"
    out.mkdir()
    (out / "augkit-job.json.tmp4242").write_bytes(b'{"job": {"dataset_for')  # what the kill left
    summary = _write(corpus, out)
    assert summary.written == 30 and everything(out) == everything(tmp_path / "reference")


def test_damaged_jsons_and_odd_entries_in_place_of_shards_are_rebuilt(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(corpus, out)
    reference = everything(out)
    (out / "pairs-000000.json").write_text("[1, 2]")
    (out / "pairs-000001.json").write_text('"a string"')
    (out / "pairs-000002.json").write_text("[" * 100_000 + "]" * 100_000)
    (out / "pairs-000003.tar").unlink()
    (out / "pairs-000003.tar").mkdir()                     # a folder where the shard goes
    (out / "pairs-000004.tar").unlink()
    os.symlink("/dev/zero", out / "pairs-000004.tar")      # never read
    (out / "pairs-000005.json").unlink()
    os.mkfifo(out / "pairs-000005.json")                   # never opened for reading
    summary = _write(corpus, out)
    assert summary.reused == 0 and everything(out) == reference
    (out / "pairs-000001.tar").unlink()
    (out / "pairs-000001.tar").mkdir()
    (out / "pairs-000001.tar" / "keep.txt").write_text("something of mine")
    with pytest.raises(GenerateError, match=r"pairs-000001\.tar is a folder that holds files.*move it"):
        _write(corpus, out)
    assert (out / "pairs-000001.tar" / "keep.txt").is_file()


@pytest.mark.parametrize("damage", ["truncated", "not a dict", "edited", "a folder", "empty", "removed"])
def test_a_corrupt_job_file_is_named_and_repair_keeps_the_shards(corpus: Path, tmp_path: Path, damage: str) -> None:
    out = tmp_path / "out"
    _write(corpus, out)
    reference = everything(out)
    job = out / JOB_FILE
    content = job.read_bytes()
    job.unlink()
    if damage == "truncated":
        job.write_bytes(content[: len(content) // 2])
    elif damage == "not a dict":
        job.write_text("[1, 2]")
    elif damage == "edited":
        job.write_bytes(content.replace(b'"seed":0', b'"seed":1'))
    elif damage == "a folder":
        job.mkdir()
    elif damage == "empty":
        job.write_bytes(b"")
    words = "holds augkit shards but no augkit-job.json" if damage == "removed" else "augkit-job.json is corrupt"
    with pytest.raises(GenerateError, match=rf"{words}.*--repair.*--overwrite") as caught:
        _write(corpus, out)
    assert "differs in" not in str(caught.value)
    repaired = _write(corpus, out, repair=True)
    assert repaired.reused == 6 and everything(out) == reference


def test_repair_refuses_shards_of_another_job(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(corpus, out)
    (out / JOB_FILE).write_text("{")
    with pytest.raises(GenerateError, match=r"cannot repair .*6 shards were made by a different job.*--overwrite"):
        write_pairs(corpus, out, augkit.text.eda(seed=1), shard_size=5, progress=False, repair=True)
    assert len(list(out.glob("pairs-*.tar"))) == 6, "nothing removed"


def test_the_command_repairs(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from augkit.cli import main

    out = tmp_path / "out"
    argv = ["generate", str(corpus), "--out", str(out), "--preset", "eda", "--shard-size", "5", "--quiet"]
    assert main(argv) == 0
    (out / JOB_FILE).write_text("{")
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "is corrupt" in err and "--repair" in err and "\n" not in err.strip()
    assert main([*argv, "--repair"]) == 0
    assert "6 shards kept from an earlier run" in capsys.readouterr().out


def test_a_second_job_into_a_busy_folder_is_refused(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # what a running job holds
        with pytest.raises(GenerateError, match="another augkit generate job is writing to"):
            _write(corpus, out)
    finally:
        os.close(fd)
    assert _write(corpus, out).written == 30


# -- every skipped input recorded --------------------------------------------------------------------

@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail instead of hanging (opening a FIFO blocks; the alarm interrupts it)."""
    def alarm(*_: object) -> None:
        raise TimeoutError("the job hung on a special file")

    before = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, before)


def _odd_folder(tmp_path: Path) -> Path:
    from PIL import Image

    root = tmp_path / "photos"
    (root / "cats").mkdir(parents=True)
    (root / "elsewhere").mkdir()
    shutil.copy(DATA / "images" / "coffee.jpg", root / "cats" / "coffee.jpg")
    shutil.copy(DATA / "images" / "rocket.jpg", root / "cats" / "ro\x1b[2Jcket.jpg")  # an escape sequence in a name
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    frames[0].save(root / "cats" / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    os.symlink(root / "nowhere.jpg", root / "cats" / "dangling.jpg")
    os.symlink(root / "cats" / "loop.jpg", root / "cats" / "loop.jpg")
    os.mkfifo(root / "cats" / "fifo.jpg")
    os.symlink("/dev/zero", root / "cats" / "zero.jpg")
    os.symlink("/dev/null", root / "cats" / "devnull")
    os.symlink(root / "elsewhere", root / "cats" / "folder-link")
    shutil.copy(DATA / "images" / "chelsea.jpg", os.fsencode(root / "cats") + b"/caf\xe9.jpg")
    (root / "cats" / "README.txt").write_text("not an image, not a failure")
    (root / "cats" / "broken\x07.jpg").write_bytes(b"not an image")
    return root


def test_every_entry_that_cannot_be_a_sample_is_recorded(tmp_path: Path, no_hang: None) -> None:
    root = _odd_folder(tmp_path)
    summary = write_pairs(root, tmp_path / "out", augkit.image.simclr(32, seed=0), progress=False)
    reasons = {Path(f["source"]).name: f["reason"] for f in summary.failures}
    assert summary.written == 2 and summary.samples == 11 and summary.failed == 9
    expected = {
        "anim.gif": r"the image modality does not read \.gif files \(it reads \.jpg",
        "dangling.jpg": r"a link to .*nowhere\.jpg, which does not exist",
        "loop.jpg": r"a link that cannot be followed .*loop",
        "fifo.jpg": r"it is a FIFO, not a regular file",
        "zero.jpg": r"a link to a character device \(/dev/zero\)",
        "devnull": r"a link to a character device \(/dev/null\)",
        "folder-link": r"a link to the folder .*elsewhere; links to folders are not followed",
        "caf\\xe9.jpg": r"its name is not valid UTF-8 \(.*caf\\xe9\.jpg\).*rename it",
        "broken\x07.jpg": r"cannot decode image file",
    }
    assert set(reasons) == set(expected)
    for name, pattern in expected.items():
        assert re.search(pattern, reasons[name]), (name, reasons[name])
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["counts"]["failed"] == 9 and len(manifest["failures"]) == 9
    assert sum(1 for _ in PairDataset(tmp_path / "out")) == 2


def test_the_command_prints_names_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str], no_hang: None) -> None:
    from augkit.cli import main

    root = _odd_folder(tmp_path)
    out = tmp_path / "out\x1b]0;title\x07"
    assert main(["generate", str(root), "--out", str(out), "--preset", "simclr", "--quiet"]) == 0
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert "\x1b" not in text and "\x07" not in text
    assert "out\\x1b]0;title\\x07" in printed.out and "caf\\xe9.jpg" in printed.err
    assert main(["generate", str(root), "--out", str(out), "--preset", "simclr", "--quiet", "--seed", "3"]) == 2
    err = capsys.readouterr().err
    assert "holds a different job" in err and "\x1b" not in err and "\\x1b" in err


def test_a_source_that_is_not_a_regular_file_is_named(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ValueError, match=r"pipe\.txt: it is a FIFO, not a regular file"):
        write_pairs(tmp_path / "pipe.txt", tmp_path / "out", augkit.text.eda(seed=0), progress=False)
    os.symlink("/dev/zero", tmp_path / "zero.txt")
    with pytest.raises(ValueError, match=r"zero\.txt: it is a link to a character device"):
        write_pairs(tmp_path / "zero.txt", tmp_path / "out", augkit.text.eda(seed=0), progress=False)


# -- clean ends ------------------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_with_the_main_process(tmp_path: Path) -> None:
    images = tmp_path / "images"
    images.mkdir()
    for i in range(24):
        shutil.copy(DATA / "images" / "astronaut.jpg", images / f"{i:02d}.jpg")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "augkit", "generate", str(images), "--out", str(out), "--preset", "simclr",
           "--image-format", "png", "--shard-size", "4", "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 180
    while not list(out.glob("pairs-*.json")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _children(proc.pid)
    proc.kill()  # the main process only
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "killed mid-run, not finished"
    assert workers, "the job had workers"
    gone = time.monotonic() + 2
    while any(_alive(w) for w in workers) and time.monotonic() < gone:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "the workers went on after the main process was killed"
    files = everything(out)
    time.sleep(1)
    assert everything(out) == files, "nothing is written after the job is gone"


_DISK_FULL = r"""
import numpy as np
import augkit
from augkit.generate import write_pairs
rng = np.random.default_rng(0)
samples = [np.full((48, 48, 3), i, np.uint8) for i in range(24)]
samples[3] = rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)  # a PNG too big for the file-size limit
write_pairs(samples, {out!r}, augkit.ViewGenerator(augkit.image.HorizontalFlip(), seed=0), shard_size=1,
            workers=2, formats={{"image": "png"}}, progress=False)
"""


def test_a_full_disk_message_counts_the_shards_on_disk_with_two_workers(tmp_path: Path) -> None:
    out = tmp_path / "out"

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (15_000, 15_000))

    run = subprocess.run([sys.executable, "-c", _DISK_FULL.format(out=str(out))], preexec_fn=limit,
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    last = run.stderr.strip().splitlines()[-1]
    said = re.search(r"the (\d+) complete shards", last)
    assert said, last
    on_disk = [j for j in out.glob("pairs-*.json")
               if hashlib.sha256(j.with_suffix(".tar").read_bytes()).hexdigest() == json.loads(j.read_text())["sha256"]]
    assert int(said.group(1)) == len(on_disk) == len(list(out.glob("pairs-*.json"))), last
    assert "(of 24)" in last
    assert not list(out.glob("*.tmp*"))


def test_a_different_job_names_what_differs_a_read_option_left_out_included(tmp_path: Path) -> None:
    out, photos = tmp_path / "out", DATA / "images"
    write_pairs(photos, out, augkit.image.simclr(seed=0), limit=1, read_options={"color": "gray"}, progress=False)
    for options, named in (({}, "read_options.color"), ({"color": "keep"}, "read_options.color")):
        with pytest.raises(GenerateError, match=rf"it differs in {re.escape(named)}\); use another --out") as caught:
            write_pairs(photos, out, augkit.image.simclr(seed=0), limit=1, read_options=options, progress=False)
        assert caught.value.changed == [named]  # type: ignore[attr-defined]
    with pytest.raises(GenerateError, match=r"it differs in seed\)"):  # not "spec": the seed is its own key
        write_pairs(photos, out, augkit.image.simclr(seed=1), limit=1, read_options={"color": "gray"}, progress=False)
