"""Mixed folders from the command line: grayscale and colour photos, mono and stereo clips, read as one
kind by default (--color rgb, --channels 1), or as asked; an option the modality does not take is named."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch
from PIL import Image

from augkit.cli import main
from augkit.datasets import collate_views
from augkit.generate import PairDataset


def _stored_shapes(out: Path) -> list[tuple[int, ...]]:
    shapes = []
    for shard in sorted(out.glob("pairs-*.tar")):
        with tarfile.open(shard) as tar:
            for member in tar.getmembers():
                if member.name.endswith(".png"):
                    shapes.append(np.asarray(Image.open(io.BytesIO(tar.extractfile(member).read()))).shape)  # type: ignore[union-attr]
    return shapes


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 256, (60, 70), dtype=np.uint8)).save(folder / "gray.png")
    Image.fromarray(rng.integers(0, 256, (60, 70, 3), dtype=np.uint8)).save(folder / "colour.png")
    return folder


def test_a_mixed_photo_folder_gives_views_that_batch(photos: Path, tmp_path: Path) -> None:
    out = tmp_path / "rgb"
    assert main(["generate", str(photos), "--out", str(out), "--preset", "simclr", "--image-format", "png",
                 "--quiet"]) == 0
    assert {s[-1] for s in _stored_shapes(out)} == {3}
    views, _ = collate_views(list(PairDataset(out)))
    assert views[0].shape[:2] == (2, 3)
    gray = tmp_path / "gray"
    assert main(["generate", str(photos), "--out", str(gray), "--preset", "simclr", "--image-format", "png",
                 "--color", "gray", "--quiet"]) == 0
    assert all(len(s) == 2 for s in _stored_shapes(gray))
    assert json.loads((gray / "manifest.json").read_text())["read_options"] == {"color": "gray"}


def test_a_mixed_sound_folder_is_read_mono_and_a_wrong_option_is_named(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sounds"
    folder.mkdir()
    rng = np.random.default_rng(2)
    soundfile.write(folder / "mono.wav", 0.1 * rng.standard_normal(16000), 16000)
    soundfile.write(folder / "stereo.wav", 0.1 * rng.standard_normal((16000, 2)), 16000)
    out = tmp_path / "out"
    assert main(["generate", str(folder), "--out", str(out), "--preset", "audio_pairs", "--quiet"]) == 0
    views, _ = collate_views(list(PairDataset(out)))
    assert isinstance(views[0], torch.Tensor) and views[0].shape[:2] == (2, 1)
    assert main(["stats", str(folder), "--preset", "audio_pairs", "--color", "gray"]) == 2
    assert "--color: audio sources take no color option" in capsys.readouterr().err


def test_preview_and_stats_read_a_manifest_as_generate_does(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = Path(__file__).resolve().parents[2] / "data"
    page = tmp_path / "page.html"
    assert main(["preview", str(data / "captions.jsonl"), "--preset", "simclr", "--out", str(page)]) == 0
    assert page.read_text().count("<img") >= 6  # the manifest's photos, each with its views
    assert main(["stats", str(data / "captions.jsonl"), "--preset", "eda", "--samples", "4"]) == 0
    assert "text.random_swap" in capsys.readouterr().out


def test_another_read_option_is_refused_naming_its_flag(photos: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gs"
    command = ["generate", str(photos), "--out", str(out), "--preset", "simclr", "--quiet"]
    assert main([*command, "--color", "gray"]) == 0
    capsys.readouterr()
    for change, named in ((["--color", "keep"], "--color"), ([], "--color"),
                          (["--color", "gray", "--seed", "5", "--views", "3"], "--seed, --views"),
                          (["--color", "gray", "--shard-size", "1", "--image-format", "png"],
                           "--shard-size, --image-format")):
        assert main([*command, *change]) == 2
        assert capsys.readouterr().err == (f"augkit generate: {out} holds a different job (it differs in {named}); "
                                           "use another --out, or --overwrite to replace it\n")
    assert main([*command, "--color", "gray"]) == 0  # the same job again: it resumes
    assert "1 shards kept from an earlier run" in capsys.readouterr().out


def test_another_channel_count_is_refused_naming_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "sounds"
    folder.mkdir()
    soundfile.write(folder / "stereo.wav", 0.1 * np.random.default_rng(3).standard_normal((8000, 2)), 16000)
    command = ["generate", str(folder), "--out", str(tmp_path / "out"), "--preset", "audio_pairs", "--quiet"]
    assert main(command) == 0
    assert main([*command, "--channels", "2"]) == 2
    assert "holds a different job (it differs in --channels); use another --out" in capsys.readouterr().err
