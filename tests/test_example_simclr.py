"""Smoke test: the Fashion-MNIST SimCLR example runs end to end on a small subset."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path("/usr/share/datasets/fashion-mnist")


@pytest.mark.skipif(not DATA.is_dir(), reason="needs Debian's dataset-fashion-mnist (installed by .ci/run)")
@pytest.mark.parametrize("views", ["full", "crop"])
def test_example_pretrains_and_prints_three_probe_accuracies(views: str) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "simclr_fashion_mnist.py"), "--images", "512", "--epochs", "1",
         "--batch-size", "128", "--probe-train", "400", "--probe-test", "200", "--probe-iters", "50",
         "--workers", "0", "--views", views],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    assert "epoch 1/1  loss" in out and f"views: {views}" in out
    accuracies = {
        name: float(value)
        for name, value in re.findall(r"accuracy (pretrained encoder|random-init encoder|raw pixels):\s+([0-9.]+)", out)
    }
    assert set(accuracies) == {"pretrained encoder", "random-init encoder", "raw pixels"}
    # ten classes: every probe must beat chance clearly, or the pipeline is broken
    assert all(0.3 < acc <= 1.0 for acc in accuracies.values()), accuracies


def test_example_explains_how_to_install_missing_data(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "simclr_fashion_mnist.py"), "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "apt-get install dataset-fashion-mnist" in result.stderr
