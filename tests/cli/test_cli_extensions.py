"""``--extensions .wav,.oga`` from the command line, on real folders: only those files are read by
preview, stats and generate (any case); a mistake in the flag, a suffix the modality does not read,
a manifest, or a folder without such files is one line and exit 2, before any work."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from augkit.cli import main
from augkit.cli._views import EXTENSIONS_HINT, parse_extensions
from augkit.core import modalities
from augkit.generate import PairDataset

needs_ogg = pytest.mark.skipif("OGG" not in sf.available_formats(), reason="this libsndfile writes no Ogg")
DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def sounds(tmp_path: Path) -> Path:
    """a.wav (mono), birds/b.OGA (Ogg Vorbis, stereo, 22.05 kHz), c.flac, notes.txt."""
    folder = tmp_path / "sounds"
    (folder / "birds").mkdir(parents=True)
    rng = np.random.default_rng(5)
    sf.write(folder / "a.wav", 0.1 * rng.standard_normal(16000), 16000)
    if "OGG" in sf.available_formats():
        sf.write(folder / "birds" / "b.OGA", 0.1 * rng.standard_normal((22050, 2)), 22050, format="OGG",
                 subtype="VORBIS")
    sf.write(folder / "c.flac", 0.1 * rng.standard_normal(8000), 16000)
    (folder / "notes.txt").write_text("a note beside the clips")
    return folder


def _argv(command: str, source: Path, tmp_path: Path, *options: str) -> list[str]:
    """``command source --preset audio_pairs options``, with ``--out`` where the command needs one."""
    out = {"preview": ["--out", str(tmp_path / "page.html")], "generate": ["--out", str(tmp_path / "out"), "--quiet"]}
    return [command, str(source), "--preset", "audio_pairs", *options, *out.get(command, [])]


def _nothing_written(tmp_path: Path) -> bool:
    return not (tmp_path / "out").exists() and not (tmp_path / "page.html").exists()


def _stats(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["stats", *argv, "--preset", "audio_pairs"]) == 0
    return capsys.readouterr().out.splitlines()[0]


@needs_ogg
def test_stats_and_preview_read_only_the_files_with_the_extensions(sounds: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert "3 samples" in _stats(capsys, str(sounds))
    assert "2 samples" in _stats(capsys, str(sounds), "--extensions", ".wav,.oga")
    assert "1 samples" in _stats(capsys, str(sounds), "--extensions=.OGA")
    page = tmp_path / "page.html"
    assert main(["preview", str(sounds), "--preset", "audio_pairs", "--extensions", " .flac , .WAV ",
                 "--out", str(page)]) == 0
    assert page.read_text().count("data-index=") == 2  # a.wav and c.flac, not the Ogg clip


def test_images_by_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(6)
    Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(tmp_path / "a.PNG")
    Image.fromarray(rng.integers(0, 256, (40, 50), dtype=np.uint8)).save(tmp_path / "b.jpg")
    Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(tmp_path / "c.webp")
    assert main(["stats", str(tmp_path), "--preset", "simclr", "--extensions", ".png,.jpeg,.jpg"]) == 0
    assert "2 samples" in capsys.readouterr().out


@needs_ogg
def test_generate_writes_only_those_files_and_records_the_extensions(sounds: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pairs"
    command = ["generate", str(sounds), "--out", str(out), "--preset", "audio_pairs", "--quiet"]
    assert main([*command, "--extensions", ".oga,.WAV"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["extensions"] == [".oga", ".wav"] and manifest["classes"] == ["birds"]
    assert manifest["counts"]["samples"] == 2 and manifest["failures"] == []
    items = list(PairDataset(out))
    assert len(items) == 2 and all(views[0].shape[0] == 1 for views, _ in items)  # the stereo Ogg clip: mono
    capsys.readouterr()
    # the same suffixes in another order and case are the same job: it resumes, keeping the shard
    assert main([*command, "--extensions", ".wav,.oga"]) == 0
    assert "1 shards kept from an earlier run" in capsys.readouterr().out
    # other suffixes are another job, named as such
    assert main([*command, "--extensions", ".wav"]) == 2
    err = capsys.readouterr().err
    assert "holds a different job (it differs in the samples read from SOURCE, --extensions)" in err
    assert "--overwrite" in err


@pytest.mark.parametrize("command", ["preview", "stats", "generate"])
@pytest.mark.parametrize("value, problem", [
    ("wav", "('wav' needs its dot: '.wav')"),
    (".wav,,.oga", "(an item of '.wav,,.oga' is empty)"),
    (".wav,", "(an item of '.wav,' is empty)"),
    ("", "(an item of '' is empty)"),
    (".tar.gz", "('.tar.gz' is not one suffix)"),
    (".", "('.' is not one suffix)"),
])
def test_a_mistake_in_the_flag_says_how_to_write_it(command: str, value: str, problem: str, sounds: Path,
                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(_argv(command, sounds, tmp_path, f"--extensions={value}"))
    assert exit_.value.code == 2
    assert capsys.readouterr().err == (f"augkit {command}: error: argument --extensions: write extensions with their "
                                       f"dot, comma-separated: --extensions .wav,.oga {problem} (see augkit {command} "
                                       "--help)\n")  # one line: no usage block before it
    assert _nothing_written(tmp_path)


def test_a_mistake_in_the_flag_in_a_real_process_has_no_traceback(sounds: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "augkit", "stats", str(sounds), "--preset", "audio_pairs",
                           "--extensions", "wav,oga"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert EXTENSIONS_HINT in done.stderr.splitlines()[-1]


@pytest.mark.parametrize("command", ["preview", "stats", "generate"])
def test_a_suffix_the_modality_does_not_read_is_one_line_before_any_work(command: str, sounds: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_argv(command, sounds, tmp_path, "--extensions", ".wav,.png,.MP4")) == 2
    reads = ", ".join(modalities.get("audio").extensions)
    assert capsys.readouterr().err == (f"augkit {command}: --extensions .wav,.png,.mp4: the audio modality does not "
                                       f"read .png, .mp4 files; it reads {reads}\n")
    assert _nothing_written(tmp_path)


@pytest.mark.parametrize("command", ["preview", "stats", "generate"])
def test_a_folder_without_such_files_names_the_flag_and_the_extensions(command: str, sounds: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_argv(command, sounds, tmp_path, "--extensions", ".mp3,.aiff")) == 2
    assert capsys.readouterr().err == (f"augkit {command}: no files with --extensions .mp3,.aiff (audio files) under "
                                       f"{sounds}\n")
    assert not (tmp_path / "page.html").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["stats", str(empty), "--preset", "audio_pairs"]) == 2  # without the flag: the modality's own
    assert "no files with extensions ['.wav', '.flac'" in capsys.readouterr().err


def test_a_manifest_with_the_flag_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = DATA / "captions.jsonl"
    for argv in (["stats", str(manifest), "--preset", "eda"],
                 ["generate", str(manifest), "--preset", "eda", "--out", str(tmp_path / "out")]):
        assert main([*argv, "--extensions", ".txt"]) == 2
        assert f"--extensions: {manifest} is a manifest, which names its files itself" in capsys.readouterr().err


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="abcWAVOG019_-", min_size=1, max_size=6), min_size=1, max_size=5),
       st.lists(st.sampled_from(["", " "]), min_size=2, max_size=2))
def test_parse_extensions_reads_what_a_user_writes(words: list[str], blanks: list[str]) -> None:
    text = ",".join(f"{blanks[0]}.{w}{blanks[1]}" for w in words)
    assert parse_extensions(text) == tuple(dict.fromkeys(f".{w.lower()}" for w in words))
    for broken in (",".join(words), text + ",", "," + text, text + ",," + text):
        with pytest.raises(argparse.ArgumentTypeError, match=EXTENSIONS_HINT):
            parse_extensions(broken)
