"""The left/right coupling experiment (examples/coupling_left_right.py): its data says what its
captions say, a swapped caption is an ordinary caption of the mirrored scene, the three arms make the
pairs they claim, and a shortened run prints its table and JSON. The headline numbers come from the
full run (README, "Results"), not from this test."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from augkit.core import fired

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "coupling_left_right.py"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coupling_left_right", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def _scene_of(example: ModuleType, caption: str) -> tuple[str, str]:
    """The (left, right) objects a caption describes, read back through the templates."""
    for template in example.TEMPLATES:
        for left in (f"{c} {s}" for c in example.COLOURS for s in example.SHAPES):
            for right in (f"{c} {s}" for c in example.COLOURS for s in example.SHAPES):
                if template.format(L=left, R=right) == caption:
                    return left, right
    raise AssertionError(f"no template gives {caption!r}")


def test_a_swapped_caption_describes_the_mirrored_scene_in_another_phrasing(example: ModuleType) -> None:
    for row in example.draw_dataset(60, seed=3):
        assert _scene_of(example, row["text"]) == row["scene"]
        swapped, count = example.swap_left_right(row["text"])
        assert count >= 1 and _scene_of(example, swapped) == row["scene"][::-1]


def test_each_shape_sits_on_its_side_in_its_colour(example: ModuleType) -> None:
    rows = example.draw_dataset(40, seed=4)
    half = example.SIZE // 2
    for row in rows:
        colours = [name.split()[0] for name in row["scene"]]
        for colour, side in zip(colours, (slice(0, half), slice(half, None)), strict=True):
            found = np.all(row["image"][:, side] == example.COLOURS[colour], axis=-1)
            assert found.sum() >= 12, (row["text"], colour)
    assert len({row["scene"] for row in rows}) >= 25  # scenes vary (132 possible)


@pytest.mark.parametrize("arm", ["coupled", "uncoupled", "no_flip"])
def test_each_arm_makes_the_pairs_it_claims(example: ModuleType, arm: str) -> None:
    pairs = example.views_for(arm, seed=0)
    row = example.draw_dataset(1, seed=5)[0]
    sample = {"image": row["image"], "text": row["text"]}
    flips = 0
    for index in range(40):
        view = pairs.generate(sample, index=index)
        steps = fired(view.params[0]["fields"]["image"], pairs.pipelines[0]["image"].name)
        flipped = "image.horizontal_flip" in [name for name, _ in steps]
        flips += flipped
        expected = example.swap_left_right(row["text"])[0] if flipped and arm == "coupled" else row["text"]
        assert view[0]["text"] == expected
    assert (flips == 0) if arm == "no_flip" else (5 <= flips <= 35)


def test_a_shortened_run_prints_every_arm_and_its_json() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--train", "100", "--test", "50", "--epochs", "1",
                           "--seeds", "0", "1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert sum(line.startswith(("| coupled |", "| uncoupled |", "| no_flip |")) for line in lines) == 3
    report = json.loads(lines[-1])
    assert set(report["results"]) == {"coupled", "uncoupled", "no_flip"}
    for runs in report["results"].values():
        assert len(runs) == 2
        for run in runs:
            assert 0.0 <= run["left_right"] <= 1.0 and 0.0 <= run["retrieval"] <= 1.0
            assert np.isfinite(run["loss"])
