"""The DataLoader examples run end to end on data/ and print what their docstrings promise."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "examples" / script), *args], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_image_dataloader_example():
    out = _run("dataloader_image.py", "--size", "32", "--epochs", "2")
    assert out.count("2 views of shape (4, 3, 32, 32) (torch.float32)") == 2
    assert "image.random_resized_crop" in out


def test_text_dataloader_example():
    out = _run("dataloader_text.py", "--limit", "32")
    shapes = re.findall(r"input_ids \((\d+), (\d+)\), attention_mask \((\d+), (\d+)\)", out)
    assert len(shapes) == 4 and all(a == c == "8" and b == d for a, b, c, d in shapes)
    assert "view 0 of it:" in out and "view 1 of it:" in out


def test_audio_dataloader_example():
    out = _run("dataloader_audio.py", "--seconds", "0.5")
    assert out.count("2 views of shape (2, 1, 8000) (0.50 s at 16 kHz each)") == 4


def test_clip_example_trains_on_coupled_pairs():
    out = _run("clip_pairs.py", "--steps", "6", "--size", "32", "--workers", "0")
    assert "image batch (8, 3, 32, 32), text input_ids (8, " in out
    assert "flipped=" in out and "protected=" in out
    losses = json.loads(out.strip().splitlines()[-1])
    assert math.isfinite(losses["first"]) and math.isfinite(losses["last"])
