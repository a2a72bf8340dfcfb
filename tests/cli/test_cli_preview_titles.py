"""``augkit preview`` titles each row with its sample's file (and a manifest row's label), and its
PNG grid with its columns."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from augkit.cli import main
from augkit.preview import LABEL_HEIGHT

DATA = Path(__file__).resolve().parents[2] / "data"
HOSTILE = "a <img src=x onerror=alert(1)> & co.jpg"


def _titles(page: Path) -> list[str]:
    """Each row's title, as the reader sees it (tags removed, entities decoded)."""
    found = re.findall(r"<div class='row' data-index='\d+'>(?:<p class='row-title'>(.*?)</p>)?", page.read_text())
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", title)).split()) for title in found]


def test_rows_are_titled_with_their_files_and_a_broken_one_is_skipped_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "photos"
    (folder / "cats").mkdir(parents=True)
    shutil.copy(DATA / "images" / "astronaut.jpg", folder / HOSTILE)
    (folder / "b_broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    shutil.copy(DATA / "images" / "chelsea.jpg", folder / "cats" / "chelsea.jpg")
    shutil.copy(DATA / "images" / "coffee.jpg", folder / "coffee.jpg")
    page, grid = tmp_path / "p.html", tmp_path / "g.png"
    assert main(["preview", str(folder), "--preset", "simclr", "--views", "2", "--out", str(page),
                 "--png", str(grid)]) == 0
    err = capsys.readouterr().err
    assert err.count("augkit preview: skipped") == 1 and "b_broken.jpg" in err, err
    # sorted as the folder is read, the broken file left out, a sub-folder's file by its path in the folder
    assert _titles(page) == [HOSTILE, "cats/chelsea.jpg", "coffee.jpg"]
    assert "<img src=x" not in page.read_text(), "a file name is text, not markup"
    # the grid has a title strip above its three columns (the photos' views are square)
    assert Image.open(grid).size == (3 * 160 + 4 * 4, LABEL_HEIGHT + 3 * 160 + 4 * 4)


def test_a_manifest_s_rows_show_their_file_and_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "p.html"
    assert main(["preview", str(DATA / "captions.jsonl"), "--preset", "simclr", "--samples", "3",
                 "--out", str(page)]) == 0
    rows = [json.loads(line) for line in (DATA / "captions.jsonl").read_text().splitlines()[:3]]
    assert _titles(page) == [f"{Path(r['image']).name} label {r['label']}" for r in rows]


def test_lines_of_a_text_file_are_numbered_and_clips_named(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "t.html"
    assert main(["preview", str(DATA / "sentences.txt"), "--preset", "eda", "--samples", "3", "--out", str(page)]) == 0
    assert _titles(page) == ["sentences.txt #1", "sentences.txt #2", "sentences.txt #3"]
    clips = [str(DATA / "audio" / "speech_digits.flac"), str(DATA / "audio")]
    grid = tmp_path / "a.png"
    assert main(["preview", *clips, "--preset", "audio_pairs", "--samples", "3", "--out", str(page),
                 "--png", str(grid)]) == 0
    assert _titles(page) == ["speech_digits.flac", "a_minor_chord.flac", "pink_noise.flac"]
    pixels = np.asarray(Image.open(grid))
    assert pixels.shape == (LABEL_HEIGHT + 3 * 80 + 4 * 4, 3 * 160 + 4 * 4, 3), "rows as high as the clips' pictures"


def test_every_source_is_checked_even_when_the_first_fills_the_samples(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.jpg"
    assert main(["preview", str(DATA / "images" / "coffee.jpg"), str(missing), "--preset", "simclr", "--samples", "1",
                 "--out", str(tmp_path / "p.html")]) == 2
    assert capsys.readouterr().err.strip() == f"augkit preview: source {missing} does not exist"
    assert main(["preview", str(DATA / "images"), str(DATA / "sentences.txt"), "--preset", "simclr", "--samples", "1",
                 "--out", str(tmp_path / "p.html")]) == 2
    assert "holds text, but preset image.simclr takes image" in capsys.readouterr().err
