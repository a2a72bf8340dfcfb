"""Two-view datasets of dict samples: each field stored by its modality, read back as the live views."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import augkit
from augkit import CrossModalViews, ViewGenerator
from augkit.generate import PairDataset, write_pairs
from augkit.image import ops
from augkit.text import RandomDeletion, RandomSwap

ROOT = Path(__file__).resolve().parents[2]


def _pairs() -> CrossModalViews:
    return CrossModalViews(image=augkit.Compose([ops.RandomResizedCrop(32), ops.HorizontalFlip(p=0.5)]),
                           text=RandomSwap(alpha=0.2), couplings=["flip_swaps_left_right", "protect_words"], seed=4)


@pytest.fixture()
def manifest(tmp_path: Path) -> Path:
    """Image–caption rows of the bundled manifest, with the photos beside it."""
    (tmp_path / "images").mkdir()
    rows = []
    for line in (ROOT / "data" / "captions.jsonl").read_text().splitlines():
        row = json.loads(line)
        if "image" in row:
            shutil.copy(ROOT / "data" / row["image"], tmp_path / row["image"])
            rows.append(json.dumps(row))
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_manifest_of_pairs_round_trips(manifest: Path, tmp_path: Path) -> None:
    pairs = _pairs()
    summary = write_pairs(manifest, tmp_path / "out", pairs, shard_size=3, formats={"image": "png"}, progress=False)
    assert summary.failed == 0 and summary.samples == 8
    stored = list(PairDataset(tmp_path / "out", with_params=True))
    rows = augkit.datasets.ManifestDataset(manifest)
    assert len(stored) == 8
    for i, (views, label, params) in enumerate(stored):
        live = pairs.generate(rows[i], index=i)
        assert label is None and params == live.params
        (view,) = views
        assert view["label"] == rows[i]["label"] and view["text"] == live[0]["text"]
        assert np.array_equal(view["image"], live[0]["image"])  # PNG is lossless
    manifest_json = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest_json["fields"] == {"image": "image", "text": "text"}
    assert manifest_json["format"] == {"image": "png", "text": "txt"}


def test_samples_in_memory_and_a_field_left_out(tmp_path: Path, photos: list[np.ndarray]) -> None:
    vg = ViewGenerator({"image": ops.RandomResizedCrop(24), "text": RandomDeletion(alpha=0.3)}, seed=1, missing="pass")
    samples = [{"image": photos[0], "text": "a tabby cat looks left", "id": "a"}, {"image": photos[1], "id": "b"}]
    write_pairs(samples, tmp_path / "mem", vg, progress=False)
    (a, _), (b, _) = list(PairDataset(tmp_path / "mem"))
    assert [v["id"] for v in a] == ["a", "a"] and set(b[0]) == {"image", "id"}  # b had no text
    assert a[1]["text"] == vg(samples[0], index=0)[1]["text"]
    assert a[0]["image"].shape == (24, 24, 3)


def test_a_pass_through_value_a_record_cannot_hold_is_a_recorded_failure(tmp_path: Path, photos) -> None:
    vg = ViewGenerator({"image": ops.RandomResizedCrop(24)}, seed=0)
    summary = write_pairs([{"image": photos[0], "mask": np.zeros(3)}], tmp_path / "bad", vg, progress=False)
    assert summary.failed == 1 and "pass-through key 'mask'" in summary.failures[0]["reason"]


def test_a_dict_generator_refuses_a_folder_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="reads a manifest"):
        write_pairs(ROOT / "data" / "images", tmp_path / "x", _pairs(), progress=False)


def test_a_dict_generator_refuses_extensions_before_writing(manifest: Path, tmp_path: Path) -> None:
    with pytest.raises(augkit.AugkitError, match=r"extensions=\['.png'\]: a manifest of dict samples names its files"):
        write_pairs(manifest, tmp_path / "x", _pairs(), extensions=[".png"], progress=False)
    assert not (tmp_path / "x").exists()


def test_the_cli_writes_pairs_from_a_manifest_and_a_spec(manifest: Path, tmp_path: Path) -> None:
    spec = tmp_path / "pairs.json"
    spec.write_text(json.dumps(augkit.views.config.dump(_pairs())))
    done = subprocess.run([sys.executable, "-m", "augkit", "generate", str(manifest), "--config", str(spec),
                           "--out", str(tmp_path / "cli"), "--quiet"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(list(PairDataset(tmp_path / "cli"))) == 8


def test_a_generator_of_one_modality_reads_a_manifest_s_field_and_labels(manifest: Path, tmp_path: Path) -> None:
    eda = augkit.text.eda(seed=0)
    summary = write_pairs(manifest, tmp_path / "text", eda, progress=False)
    rows = augkit.datasets.ManifestDataset(manifest)
    assert summary.samples == summary.written == 8
    stored = list(PairDataset(tmp_path / "text"))
    assert [label for _, label in stored] == [row["label"] for row in rows.rows]  # integer labels as written
    assert stored[5][0][1] == eda(rows[5]["text"], index=5)[1]
    with pytest.raises(augkit.AugkitError, match=r"encoding='latin-1': .*pairs.jsonl is a manifest"):
        write_pairs(manifest, tmp_path / "x", eda, encoding="latin-1", progress=False)
    with pytest.raises(augkit.AugkitError, match="reads one audio field of each row, and the manifest's modality "
                                                 r"fields are image \(image\), text \(text\)"):
        write_pairs(manifest, tmp_path / "x", augkit.audio.audio_pairs(seed=0), progress=False)
    assert not (tmp_path / "x").exists()


def test_an_edited_manifest_row_is_another_job(manifest: Path, tmp_path: Path) -> None:
    write_pairs(manifest, tmp_path / "out", _pairs(), progress=False)
    assert write_pairs(manifest, tmp_path / "out", _pairs(), progress=False).reused == 1
    lines = manifest.read_text().splitlines(keepends=True)
    row = json.loads(lines[2])
    manifest.write_text("".join([*lines[:2], json.dumps({**row, "text": row["text"] + " again"}) + "\n", *lines[3:]]))
    with pytest.raises(augkit.generate.GenerateError, match=r"it differs in sources_sha256\)"):
        write_pairs(manifest, tmp_path / "out", _pairs(), progress=False)
