"""The augkit command, run in-process like a user would call it."""

from __future__ import annotations

from pathlib import Path

import pytest

from augkit import registry
from augkit.cli import main


def test_list_prints_every_registered_augmenter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == registry.names()


def test_list_filters_by_modality(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--modality", "audio"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed and all(name.startswith("audio.") for name in listed)


def test_unknown_command_exits_with_usage() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_preview_writes_a_png_grid_of_the_bundled_photos(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    photos = Path(__file__).resolve().parent.parent / "data" / "images"
    out = tmp_path / "grid.png"
    assert main(["preview", "simclr", str(photos), "--out", str(out), "--views", "2", "--limit", "2"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert Image.open(out).size == (3 * 160 + 4 * 4, 2 * 160 + 3 * 4)


def test_preview_of_text_is_an_html_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sentences = Path(__file__).resolve().parent.parent / "data" / "sentences.txt"
    out = tmp_path / "text.html"
    assert main(["preview", "eda", str(sentences), "--out", str(out), "--limit", "3"]) == 0
    page = out.read_text()
    assert page.count("data-index=") == 3
    assert any(op in page for op in ("text.synonym_replacement", "text.random_insertion", "text.random_swap",
                                     "text.random_deletion"))


def test_preview_rejects_a_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "simclr", str(tmp_path / "nope.jpg"), "--out", str(tmp_path / "x.png")]) == 2
    assert "neither an image file nor a folder" in capsys.readouterr().err
