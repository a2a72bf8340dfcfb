"""Records written by augkit 0.1 still replay, bit for bit: records hold values, not streams.

``tests/data/records_v0_1.json`` was written by augkit 0.1.0: per case, the records of
``ViewGenerator.generate(x, index=i)`` and a sha256 of each view it made (before any output step).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from augkit import Compose, ViewGenerator
from augkit.core import RECORD_FORMAT

FIXTURE = json.loads((Path(__file__).resolve().parents[1] / "data" / "records_v0_1.json").read_text())
SENTENCES = [
    "The quick brown foxes were jumping over the lazy dogs, and nobody saw them.",
    "A small red boat sails across the quiet lake at dawn.",
    "Seven cats sleep on the warm windowsill.",
]


def photo() -> np.ndarray:
    yy, xx = np.mgrid[0:80, 0:96]
    return np.stack([(xx * 2.5) % 256, (yy * 3) % 256, (xx + 2 * yy) % 256], axis=-1).astype(np.uint8)


def clip() -> torch.Tensor:
    t = torch.arange(16000, dtype=torch.float32) / 16000
    return (0.3 * torch.sin(2 * torch.pi * 220 * t) + 0.1 * torch.sin(2 * torch.pi * 330 * t))[None]


def digest(v: Any) -> str:
    if isinstance(v, str):
        return hashlib.sha256(v.encode()).hexdigest()
    if isinstance(v, torch.Tensor):
        v = v.contiguous().numpy()
    v = np.ascontiguousarray(v)
    return hashlib.sha256(str(v.dtype).encode() + str(v.shape).encode() + v.tobytes()).hexdigest()


def generator(case: str) -> ViewGenerator:
    """The generators the fixture was written with (their 0.1 arguments, in today's spelling)."""
    from augkit import audio, image, text

    if case == "image.simclr":
        return image.simclr(64, seed=0, output="numpy")
    if case == "image.byol":
        return image.byol(48, seed=1, output="numpy")
    if case == "image.dino":
        return image.dino(64, 32, n_views=4, seed=2, output="numpy")  # 0.1: n_local=2
    if case == "image.albumentations":
        return ViewGenerator(image.Albumentations.example(), seed=3)
    if case == "text.eda":
        return text.eda(alpha=0.2, seed=0)
    if case == "audio.audio_pairs":
        return audio.audio_pairs(16000, seconds=0.5, seed=0, stretch_pitch_p=1.0)
    if case == "audio.ops":
        return ViewGenerator(Compose([
            audio.TimeShift((-0.2, 0.2)), audio.Gain((-6, 6)), audio.PitchShift((-3, 3), 16000),
            audio.TimeStretch((0.8, 1.25)), audio.AddNoise((5, 20), "brown"), audio.RandomCrop(0.25, 16000),
        ]), seed=4)
    raise AssertionError(case)


def sample_input(case: str, index: int) -> Any:
    modality = case.split(".", 1)[0]
    return {"image": photo, "audio": clip}.get(modality, lambda: SENTENCES[index % 3])()


CASES = [(case, row) for case, rows in FIXTURE["cases"].items() for row in rows]


def test_the_fixture_is_from_0_1_and_covers_every_modality() -> None:
    assert FIXTURE["augkit_version"] == "0.1.0"
    assert {c.split(".", 1)[0] for c in FIXTURE["cases"]} == {"image", "text", "audio"}
    assert all("format" not in p for _, row in CASES for p in row["params"])


@pytest.mark.parametrize(("case", "row"), CASES, ids=[f"{c}-{r['index']}" for c, r in CASES])
def test_a_0_1_record_replays_bit_for_bit(case: str, row: dict[str, Any]) -> None:
    vg = generator(case)
    x = sample_input(case, row["index"])
    views = vg.replay(x, row["params"])
    # a float kernel (FFT, resampling, OpenCV's blur) may round its last bits per CPU: 0.1 itself made these
    # other hashes from the same records on such CPUs
    made_by_0_1 = [row["sha256"], *row.get("sha256_other_cpus", [])]
    assert [digest(v) for v in views] in made_by_0_1, (
        f"{case} index {row['index']}: the replayed views match none of the hashes augkit 0.1 made; on a CPU "
        "not in the fixture, replay these records with augkit 0.1.0 there and add its hashes to sha256_other_cpus")


def test_todays_records_carry_the_format_and_replay() -> None:
    vg = generator("image.simclr")
    x = photo()
    made = vg.generate(x, index=0)
    assert all(p["format"] == RECORD_FORMAT for p in made.params)
    again = vg.replay(x, json.loads(json.dumps(made.params)))
    assert [digest(v) for v in again] == [digest(v) for v in made.items]
