"""Fault injection at every write point of a generate job: the job is killed (SIGKILL, the job's main
process and its workers at once) before and after each fsync, before and after each rename, in the
middle of each write (shard, shard json, job file, manifest) and between shards; the same command is
run again, and the output folder must then hold exactly the bytes of an uninterrupted run, with 1
and 2 workers.

The write points are :func:`augkit.generate.layout.write_point`; a driver script replaces it with one
that kills at the point named in ``AUGKIT_TEST_KILL_AT``. The driver is a file run by a fresh
interpreter, so that spawned workers import it too (as ``__mp_main__``) and get the same hook; each
run is a forked child in its own process group, which the hook kills whole (main and workers).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from augkit.generate.layout import JOB_FILE, MANIFEST, WRITE_POINTS

ROOT = Path(__file__).resolve().parents[2]

_DRIVER = r'''
import json, os, signal, sys, traceback
from pathlib import Path

import augkit
from augkit.generate import engines, layout, write_pairs


def kill_here(point, path):
    target = os.environ.get("AUGKIT_TEST_KILL_AT", "")
    if target and target.split(" ")[0] == point and str(path).endswith("/" + target.split(" ")[1]):
        os.killpg(os.getpgid(0), signal.SIGKILL)


layout.write_point = kill_here  # also in the spawned workers, which import this file as __mp_main__


def run(out, workers, kill_at="", start="spawn"):
    """Run the job in a forked child of its own process group; its wait status."""
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.environ["AUGKIT_TEST_KILL_AT"] = kill_at
        engines.START_METHOD = start
        code = 0
        try:
            write_pairs(sys.argv[1], out, augkit.text.eda(seed=0), epochs=2, shard_size=4, workers=workers,
                        progress=False)
        except BaseException:
            traceback.print_exc()
            code = 3
        os._exit(code)
    return os.waitpid(pid, 0)[1]


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))}


if __name__ == "__main__":
    tmp, workers, cases = Path(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
    assert run(tmp / "reference", 1) == 0
    reference = snapshot(tmp / "reference")
    results = []
    for k, (case, start) in enumerate(cases):
        out = tmp / f"case-{k}"
        status = run(out, workers, case, start)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        rerun = run(out, workers, start=start)
        got = snapshot(out)
        diff = sorted(name for name in set(got) | set(reference) if got.get(name, b"?") != reference.get(name, b"?"))
        results.append({"case": case, "start": start, "killed": killed, "rerun": rerun, "diff": diff})
    print(json.dumps(results))
'''


def _cases(workers: int) -> list[tuple[str, str]]:
    """``(kill point, worker start method)``: every write point of the second shard of epoch 0 (its tar
    and its json), of the job file and the manifest (written by the main process: once, with 1
    worker), and between shards. With 2 workers, the workers are forked (from a parent that never
    ran OpenCV, so it is safe) to keep the test short, since a spawned worker imports torch afresh:
    the start method changes nothing on disk; one case spawns them, as the library does."""
    shard = "epoch-000/pairs-000001"
    files = [f"{shard}.tar", f"{shard}.json"] + ([JOB_FILE, MANIFEST] if workers == 1 else [])
    points = [p for p in WRITE_POINTS if p != "between-shards"]
    cases = [(f"{point} {name}", "fork") for name in files for point in points]
    cases.append((f"between-shards {shard}.tar", "fork"))
    return [*cases, (f"before-rename {shard}.tar", "spawn")] if workers > 1 else cases


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_killed_at_every_write_point_then_rerun_equals_an_uninterrupted_run(tmp_path: Path, workers: int) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(f"sentence {i} of a small corpus about quick brown foxes\n" for i in range(10)))
    driver = tmp_path / "driver.py"
    driver.write_text(_DRIVER)
    cases = _cases(workers)
    run = subprocess.run([sys.executable, str(driver), str(corpus), str(tmp_path), str(workers), json.dumps(cases)],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert [[r["case"], r["start"]] for r in results] == [list(c) for c in cases]
    never = [r["case"] for r in results if not r["killed"]]
    assert not never, f"these write points were never reached: {never}"
    failed = [r for r in results if r["rerun"] != 0 or r["diff"]]
    assert not failed, f"reruns that differ from an uninterrupted run: {failed}\n{run.stderr[-3000:]}"
