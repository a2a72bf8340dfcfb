"""A JSONL/CSV manifest is read the same way by ``preview``, ``stats`` and ``generate``: with a
generator of one modality, each row's field of that modality is the sample and its ``label`` the
label; a row without the field is named (a note in preview and stats, a recorded failure in
generate); with a generator of dict samples, a row without one of its fields is named by its line,
with the spec's fix. An edited manifest is another job."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import augkit
from augkit.cli import main
from augkit.generate import PairDataset

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """Three photo rows labelled "space", "cat", "space", and on line 3 a caption without a photo."""
    folder = tmp_path / "rows"
    (folder / "photos").mkdir(parents=True)
    for name in ("astronaut.jpg", "chelsea.jpg"):
        shutil.copy(DATA / "images" / name, folder / "photos" / name)
    rows = [{"image": "photos/astronaut.jpg", "text": "an astronaut", "label": "space"},
            {"image": "photos/chelsea.jpg", "text": "a cat", "label": "cat"},
            {"text": "a caption without its photo", "label": "cat"},
            {"image": "photos/astronaut.jpg", "label": "space"}]
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_generate_reads_a_manifest_as_preview_does(manifest: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    assert main(["preview", str(manifest), "--preset", "simclr", "--out", str(page)]) == 0
    assert page.read_text().count("data-index=") == 3
    assert f"skipped 1 row of {manifest} that have no image field (line 3)" in capsys.readouterr().err
    out = tmp_path / "out"
    command = ["generate", str(manifest), "--preset", "simclr", "--out", str(out), "--image-format", "png",
               "--quiet"]
    assert main(command) == 0
    captured = capsys.readouterr()
    assert "wrote 3 of 4 samples" in captured.out and "(1 failed" in captured.out
    assert (f"failed: sample 2 ({manifest}, line 3): InvalidInput: the row has no 'image' field (its keys: text, "
            "label)") in captured.err
    stored = json.loads((out / "manifest.json").read_text())
    assert stored["classes"] == ["cat", "space"] and stored["modality"] == "image"
    assert [f["source"] for f in stored["failures"]] == [{"path": str(manifest), "line": 3}]
    items = list(PairDataset(out, with_params=True))
    assert [label for _, label, _ in items] == [1, 0, 1]  # "space", "cat", "space" as class numbers
    rows = augkit.datasets.ManifestDataset(manifest)
    simclr = augkit.image.simclr(seed=0)
    for (views, _, params), index in zip(items, (0, 1, 3), strict=True):
        live = simclr.generate(rows[index]["image"], index=index)  # each row keeps its index
        assert params == live.params
        assert np.array_equal(np.asarray(views[0]), np.asarray(live[0]))  # PNG is lossless


def test_generate_resumes_a_manifest_and_refuses_an_edited_one(manifest: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    command = ["generate", str(manifest), "--preset", "simclr", "--out", str(out), "--quiet"]
    assert main(command) == 0
    assert main(command) == 0
    assert "1 shards kept from an earlier run" in capsys.readouterr().out
    edited = manifest.read_text().replace('"label": "cat"}', '"label": "dog"}', 1)  # the same rows, one relabelled
    manifest.write_text(edited)
    assert main(command) == 2
    assert capsys.readouterr().err == (f"augkit generate: {out} holds a different job (it differs in the samples "
                                       "read from SOURCE); use another --out, or --overwrite to replace it\n")


def test_a_csv_manifest_of_captions_keeps_numeric_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "captions.csv"
    path.write_text("text,label\na dog runs on the grass near a tree,3\na red kite flies over the beach,7\n")
    out = tmp_path / "out"
    assert main(["generate", str(path), "--preset", "eda", "--out", str(out), "--quiet"]) == 0
    items = list(PairDataset(out))
    assert [label for _, label in items] == [3, 7]
    assert json.loads((out / "manifest.json").read_text())["classes"] == []
    assert main(["stats", str(path), "--preset", "eda"]) == 0
    assert "2 samples x 2 views" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["preview", "stats", "generate"])
def test_an_encoding_for_a_manifest_is_refused(command: str, manifest: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = {"preview": ["--out", str(tmp_path / "p.html")], "generate": ["--out", str(tmp_path / "out")]}
    assert main([command, str(manifest), "--preset", "eda", "--encoding", "latin-1", *out.get(command, [])]) == 2
    assert capsys.readouterr().err == (f"augkit {command}: --encoding: {manifest} is a manifest, which is read as "
                                       "UTF-8; --encoding decodes text files\n")


SPEC = """fields:
  image: {{pipeline: {{type: image.horizontal_flip, p: 0.5}}}}
  text: {{pipeline: {{type: text.random_swap, alpha: 0.2}}}}
{missing}"""


@pytest.mark.parametrize("command", ["preview", "stats"])
def test_a_row_without_a_field_of_a_spec_is_named_with_the_spec_s_fix(command: str, manifest: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "fields.yaml"
    spec.write_text(SPEC.format(missing=""))
    out = ["--out", str(tmp_path / "p.html")] if command == "preview" else []
    assert main([command, str(manifest), "--config", str(spec), *out]) == 2
    assert capsys.readouterr().err == (f"augkit {command}: sample 2 ({manifest}, line 3) has no field 'image' (its "
                                       "keys: text, label); set `missing: pass` in the --config spec to let such rows "
                                       "through without it\n")
    spec.write_text(SPEC.format(missing="missing: pass\n"))  # what the message says to do
    assert main([command, str(manifest), "--config", str(spec), *out]) == 0


def test_generate_names_a_row_without_a_spec_s_field_with_the_spec_s_fix(
        manifest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "fields.yaml"
    spec.write_text(SPEC.format(missing=""))
    assert main(["generate", str(manifest), "--config", str(spec), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert f"failed: sample 2 ({manifest}, line 3): InvalidInput: sample 2 has no field 'image'" in err
    assert "set `missing: pass` in the --config spec" in err and "missing='pass'" not in err
