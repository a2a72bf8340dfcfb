"""Ctrl-C and SIGTERM during ``augkit generate``: real signals on a real run with workers. One line, exit
130 or 143, no traceback, no worker left behind, and the same command resumes to the full dataset."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def _photos(folder: Path, n: int = 48) -> Path:
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (700, 700, 3), dtype=np.uint8)).save(folder / f"p{i:03d}.png")
    return folder


def _descendants(pid: int) -> list[int]:
    """Processes whose parent chain leads to ``pid`` (Linux /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        here = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == here]
        found += kids
        frontier += kids
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_generate_quietly_and_the_same_command_resumes(tmp_path: Path, signum: int, code: int) -> None:
    source, out = _photos(tmp_path / "photos"), tmp_path / "out"
    command = [sys.executable, "-m", "augkit", "generate", str(source), "--out", str(out), "--preset", "simclr",
               "--workers", "2", "--shard-size", "2", "--quiet", "--seed", "0"]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("pairs-*.json")) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert run.poll() is None, "the job ended before it could be interrupted"
    workers = _descendants(run.pid)
    if signum == signal.SIGINT:
        os.killpg(run.pid, signum)  # what Ctrl-C does: the whole foreground group
    else:
        run.send_signal(signum)  # what a scheduler does: the main process
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == code, stderr
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("interrupted") and "run the same command again" in lines[0]
    time.sleep(0.5)
    assert not [p for p in workers if Path(f"/proc/{p}").exists() and
                "Z" not in (Path(f"/proc/{p}") / "stat").read_text().rsplit(")", 1)[1].split()[0]]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["written"] == 48
