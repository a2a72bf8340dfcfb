"""Two real torch.distributed (gloo) ranks under DistributedSampler make exactly the views one
process makes for the same indices: none missing, none duplicated beyond the sampler's padding."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch

import augkit

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "ddp_views.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(n: int, tmp_path: Path) -> dict[str, list]:
    out = tmp_path / f"views-{n}.json"
    port = _free_port()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [subprocess.Popen([sys.executable, str(SCRIPT), str(r), "2", str(port), str(n), str(out)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for r in range(2)]
    for p in procs:
        output, _ = p.communicate(timeout=240)
        assert p.returncode == 0, output.decode(errors="replace")[-3000:]
    return json.loads(out.read_text())


def _single_process(n: int, epoch: int) -> dict[int, list[str]]:
    vg = augkit.image.simclr(size=16, seed=3, output="uint8")
    want = {}
    for i in range(n):
        photo = np.random.default_rng(i).integers(0, 256, (24, 28, 3), dtype=np.uint8)
        views = [torch.as_tensor(v) for v in vg(photo, index=i, epoch=epoch)]
        want[i] = [hashlib.sha256(v.contiguous().numpy().tobytes()).hexdigest()[:16] for v in views]
    return want


@pytest.mark.parametrize("n", [10, 11])
def test_two_ranks_make_the_views_of_one_process(n, tmp_path):
    seen = _run(n, tmp_path)
    for epoch in (0, 1):
        rows = seen[str(epoch)]
        want = _single_process(n, epoch)
        counts = Counter(index for index, _ in rows)
        assert set(counts) == set(range(n))  # nothing missing
        padded = -n % 2  # DistributedSampler repeats this many indices to even the ranks out
        assert sum(counts.values()) == n + padded and sum(c - 1 for c in counts.values()) == padded
        for index, digests in rows:
            assert digests == want[index], (epoch, index)
