"""The augkit command, run in-process like a user would call it."""

from __future__ import annotations

from pathlib import Path

import pytest

from augkit import registry
from augkit.cli import main


def _listed(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.startswith("  ")]


def test_list_prints_every_op_and_preset_grouped_by_modality(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert sorted(_listed(out)) == sorted(registry.names() + registry.presets())
    assert {"image:", "text:", "audio:"} <= {line for line in out.splitlines() if not line.startswith(" ")}
    line = next(x for x in out.splitlines() if x.split()[:1] == ["image.color_jitter"])
    assert "ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8)" in line
    assert "``" not in out and ":class:" not in out
    assert all(not x.rstrip().endswith(",") for x in out.splitlines())  # no summary cut mid-sentence
    simclr = next(x for x in out.splitlines() if x.split()[:1] == ["image.simclr"])
    assert "n_views=2" in simclr and "seed=None" in simclr


def test_list_filters_by_modality(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--modality", "audio"]) == 0
    listed = _listed(capsys.readouterr().out)
    assert "audio.audio_pairs" in listed and all(name.startswith("audio.") for name in listed)
    assert main(["list", "--modality", "smell"]) == 2
    assert "no modality 'smell'" in capsys.readouterr().err


def test_list_name_shows_the_whole_docstring_as_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "audio.gain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("audio.gain (op)\nGain(gain_db=(-6.0, 6.0), p=1.0)")
    assert "Example:" in out and "``" not in out
    assert main(["list", "image.nope"]) == 2


def test_python_dash_m_augkit_runs() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "augkit", "list", "--modality", "text"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "text.eda" in done.stdout


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


def test_preview_refuses_a_view_count_the_preset_cannot_make(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    photos = Path(__file__).resolve().parent.parent / "data" / "images"
    assert main(["preview", "byol", str(photos), "--out", str(tmp_path / "x.png"), "--views", "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "n_views=3" in err and "exactly 2 views" in err
