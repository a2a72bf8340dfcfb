"""The augkit command, run in-process like a user would call it."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit
from augkit.cli import main
from augkit.core import registry
from augkit.preview import LABEL_HEIGHT


def _listed(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines() if line.startswith("  ")]


def test_list_prints_every_op_and_preset_grouped_by_modality(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert sorted(_listed(out)) == sorted(registry.names() + registry.presets())
    assert {"image:", "text:", "audio:"} <= {line for line in out.splitlines() if not line.startswith(" ")}
    line = next(x for x in out.splitlines() if x.split()[:1] == ["image.color_jitter"])
    signature = "ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1, p=0.8, *, semantics='torchvision')"
    assert signature in line
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


DATA = Path(__file__).resolve().parents[2] / "data"


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run ``augkit preview ...``, check it failed as a user error, and return its one stderr line."""
    assert main(["preview", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("augkit preview: ") and captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    return captured.err


def test_preview_writes_a_page_and_a_png_grid_of_the_bundled_photos(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    page, grid = tmp_path / "views.html", tmp_path / "grid.png"
    argv = ["preview", str(DATA / "images"), "--preset", "image.simclr", "--views", "2", "--samples", "2",
            "--out", str(page), "--png", str(grid)]
    assert main(argv) == 0
    assert capsys.readouterr().out.split() == [str(page), str(grid)]
    assert Image.open(grid).size == (3 * 160 + 4 * 4, LABEL_HEIGHT + 2 * 160 + 3 * 4)  # titled columns
    text = page.read_text()
    assert text.count("data-index=") == 2 and text.count("data:image/png;base64,") == 2 * 3
    assert "preset <code>image.simclr</code>" in text and "seed 0, epoch 0, 2 views per sample" in text


def test_preview_defaults_and_short_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "swav.html"
    assert main(["preview", str(DATA / "images" / "coffee.jpg"), "--preset", "swav", "--out", str(page)]) == 0
    assert capsys.readouterr().out.strip() == str(page)
    text = page.read_text()
    # the preset's own view count (8), seed 0, and the one sample the file holds
    assert "preset <code>image.swav</code>" in text and "seed 0, epoch 0, 8 views per sample" in text
    assert text.count("data-index=") == 1
    assert main(["preview", str(DATA / "images"), "--preset", "dino", "--views", "3", "--seed", "7",
                 "--out", str(page)]) == 0
    text = page.read_text()
    assert "seed 7, epoch 0, 3 views per sample" in text and text.count("data-index=") == 4  # --samples 4


def test_preview_of_text_is_an_html_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "text.html"
    assert main(["preview", str(DATA / "sentences.txt"), "--preset", "eda", "--out", str(out), "--samples", "3"]) == 0
    page = out.read_text()
    assert page.count("data-index=") == 3 and page.count("<p class='view text'>") == 3 * 3
    first = (DATA / "sentences.txt").read_text(encoding="utf-8").splitlines()[0]
    assert html.escape(first) in page
    assert any(op in page for op in ("text.synonym_replacement", "text.random_insertion", "text.random_swap",
                                     "text.random_deletion"))


def test_preview_of_audio_plays_the_clips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    page, grid = tmp_path / "audio.html", tmp_path / "audio.png"
    clips = [str(DATA / "audio" / "speech_digits.flac"), str(DATA / "audio" / "a_minor_chord.flac")]
    assert main(["preview", *clips, "--preset", "audio_pairs", "--out", str(page), "--png", str(grid)]) == 0
    text = page.read_text()
    assert text.count("<audio ") == 2 * 3 and "audio.random_crop" in text
    assert Image.open(grid).size[1] == LABEL_HEIGHT + 2 * 80 + 3 * 4  # spectrograms: rows half a cell high


def test_preview_from_a_config_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = pytest.importorskip("augkit.views.config")
    import json

    from augkit import text

    spec = tmp_path / "eda.json"
    spec.write_text(json.dumps(config.dump(text.eda(seed=4))))
    page = tmp_path / "spec.html"
    assert main(["preview", str(DATA / "sentences.txt"), "--config", str(spec), "--views", "3", "--samples", "2",
                 "--out", str(page)]) == 0
    assert "seed 4, epoch 0, 3 views per sample" in page.read_text()
    assert capsys.readouterr().out.strip() == str(page)
    err = _refused(capsys, [str(DATA / "images"), "--config", str(spec), "--out", str(page)])
    assert f"holds image, but the generator of {spec} takes text" in err
    assert "does not exist" in _refused(capsys, [str(DATA / "images"), "--config", str(tmp_path / "no.yaml"),
                                                 "--out", str(page)])


def test_preview_needs_exactly_one_generator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for extra in ([], ["--preset", "simclr", "--config", "x.yaml"]):
        with pytest.raises(SystemExit) as exc:
            main(["preview", str(DATA / "images"), *extra, "--out", str(tmp_path / "x.html")])
        assert exc.value.code == 2
        assert "--preset" in capsys.readouterr().err


def test_preview_names_a_source_of_the_wrong_modality(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sentences = DATA / "sentences.txt"
    err = _refused(capsys, [str(sentences), "--preset", "image.simclr", "--out", str(tmp_path / "x.html")])
    assert err.strip() == f"augkit preview: {sentences} holds text, but preset image.simclr takes image"
    err = _refused(capsys, [str(DATA / "audio"), "--preset", "eda", "--out", str(tmp_path / "x.html")])
    assert "audio holds audio, but preset text.eda takes text" in err
    assert not (tmp_path / "x.html").exists()


def test_preview_rejects_an_unknown_preset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _refused(capsys, [str(DATA / "images"), "--preset", "simclear", "--out", str(tmp_path / "x.html")])
    assert "no preset named 'simclear'; known: " in err and all(name in err for name in registry.presets())


@pytest.mark.parametrize("make, needle", [
    (lambda root: root / "nope.jpg", "nope.jpg does not exist"),
    (lambda root: (root / "empty").mkdir() or root / "empty", "no files with extensions"),
    (lambda root: (root / "bad.jpg").write_bytes(b"not a jpeg") and root / "bad.jpg", "cannot decode image file"),
    (lambda root: (root / "notes.md").write_text("# notes") and root / "notes.md", "no modality reads .md files"),
])
def test_preview_refuses_bad_sources_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 make: Any, needle: str) -> None:
    source = make(tmp_path)
    assert needle in _refused(capsys, [str(source), "--preset", "simclr", "--out", str(tmp_path / "x.html")])


@pytest.mark.parametrize("options, needle", [
    (["--preset", "byol", "--views", "3"], "byol(n_views=3) is not possible: image.byol makes exactly 2 views"),
    (["--preset", "simclr", "--views", "0"], "n_views"),
    (["--preset", "simclr", "--samples", "0"], "--samples 0"),
    (["--preset", "eda", "--png", str(Path("x.png"))], "text views have no picture"),
])
def test_preview_refuses_impossible_requests_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         options: list[str], needle: str) -> None:
    source = DATA / ("sentences.txt" if "eda" in options else "images")
    options = [str(tmp_path / o) if o.endswith(".png") else o for o in options]
    assert needle in _refused(capsys, [str(source), *options, "--out", str(tmp_path / "x.html")])
    assert not (tmp_path / "x.html").exists()


@settings(max_examples=30, deadline=None)
@given(name=st.text(alphabet="abcxyz.-_HTMLPNG", min_size=1, max_size=12))
def test_preview_output_names_must_end_in_html_and_png(name: str) -> None:
    import contextlib
    import io

    photos = str(DATA / "images")
    for option, suffix, argv in (("--out", ".html", [f"--out={name}"]),
                                 ("--png", ".png", ["--out=ok.html", f"--png={name}"])):
        if Path(name).suffix.lower() == suffix:
            continue
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert main(["preview", photos, "--preset", "simclr", *argv]) == 2
        assert err.getvalue() == f"augkit preview: {option} {name}: the file name must end in {suffix}\n"


def test_python_dash_m_augkit_preview(tmp_path: Path) -> None:
    import subprocess
    import sys

    page = tmp_path / "p.html"
    done = subprocess.run([sys.executable, "-m", "augkit", "preview", str(DATA / "sentences.txt"), "--preset",
                           "text.eda", "--samples", "2", "--out", str(page)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(page) and page.read_text().count("data-index=") == 2
    done = subprocess.run([sys.executable, "-m", "augkit", "preview", str(tmp_path / "missing.txt"), "--preset",
                           "eda", "--out", str(page)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"augkit preview: source {tmp_path / 'missing.txt'} does not exist"


def test_preview_skips_a_corrupt_file_among_good_ones_with_a_note(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    folder = tmp_path / "photos"
    shutil.copytree(DATA / "images", folder)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not a jpeg")
    out = tmp_path / "p.html"
    assert main(["preview", str(folder), "--preset", "simclr", "--out", str(out), "--samples", "5"]) == 0
    captured = capsys.readouterr()
    assert "augkit preview: skipped" in captured.err and "broken.jpg" in captured.err
    assert out.read_text().count("data-index=") == 4


def test_stats_prints_the_distances_and_firing_rates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(DATA / "sentences.txt"), "--preset", "eda", "--samples", "50"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("preset text.eda, seed 0: 50 samples x 2 views")
    row = next(line for line in out.splitlines() if line.startswith("words_changed"))
    median, low, high, views = (float(v) for v in row.split()[1:])
    assert 0 <= low <= median <= high <= 1 and views == 100
    rates = [float(line.split()[-1].rstrip("%")) for line in out.splitlines() if line.startswith("text.random")]
    assert len(rates) == 3 and all(10 <= r <= 45 for r in rates), "EDA picks one of four ops per view"
    assert main(["stats", str(DATA / "images"), "--preset", "simclr", "--samples", "2"]) == 0
    assert "crop_area" in capsys.readouterr().out


def test_stats_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(DATA / "sentences.txt"), "--preset", "simclr"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("augkit stats: ") and "holds text, but preset image.simclr takes image" in err
    assert main(["stats", str(DATA / "images"), "--preset", "simclr", "--samples", "0"]) == 2
    assert "--samples 0" in capsys.readouterr().err


def test_version_prints_the_installed_version() -> None:
    done = subprocess.run([sys.executable, "-m", "augkit", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"augkit {augkit.__version__}"
