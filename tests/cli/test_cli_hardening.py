"""The augkit command under hostile inputs: a PNG declaring 100000×100000 pixels (a decompression
bomb), text in another encoding (``--encoding``), and file names holding escape sequences or bytes
that are not UTF-8. Each is one line on stderr and exit status 2, or a result, never a traceback;
nothing printed holds a raw control character."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from augkit.cli import main
from augkit.cli._escape import escaped
from augkit.datasets import FolderDataset, read_sources

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
ESC = "\x1b[2J\x1b[31m"


def _bomb_png(path: Path, side: int = 100_000) -> Path:
    """A PNG of a few dozen bytes whose header declares ``side``×``side`` RGB pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + \
        chunk(b"IEND", b"")
    path.write_bytes(data)
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "NO_ALBUMENTATIONS_UPDATE": "1", "HF_HUB_OFFLINE": "1",
            "PYTHONIOENCODING": "utf-8"}


def _one_line(err: str, command: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"augkit {command}: ") and "Traceback" not in err, err
    return lines[0]


# -- a decompression bomb ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["preview", "stats"])
def test_a_decompression_bomb_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      command: str) -> None:
    bomb = _bomb_png(tmp_path / "bomb.png")
    extra = ["--out", str(tmp_path / "p.html")] if command == "preview" else []
    assert main([command, str(bomb), "--preset", "simclr", "--samples", "1", *extra]) == 2
    line = _one_line(capsys.readouterr().err, command)
    assert str(bomb) in line and "DecompressionBomb" in line
    assert not (tmp_path / "p.html").exists()


def test_a_decompression_bomb_among_good_photos_is_skipped_with_a_note(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(folder / "a.png")
    _bomb_png(folder / "b.png")
    assert main(["stats", str(folder), "--preset", "simclr", "--samples", "2"]) == 0
    captured = capsys.readouterr()
    assert "augkit stats: skipped" in captured.err and "b.png" in captured.err
    assert captured.out.startswith("preset image.simclr, seed 0: 1 samples")


def test_readers_name_the_file_a_decoder_refuses(tmp_path: Path) -> None:
    bomb = _bomb_png(tmp_path / "bomb.png")
    with pytest.raises(ValueError, match=r"cannot read .*bomb\.png: DecompressionBombError"):
        read_sources([bomb])
    with pytest.raises(ValueError, match=r"item 0: cannot read .*bomb\.png: DecompressionBombError"):
        FolderDataset(tmp_path)[0]


# -- --encoding ---------------------------------------------------------------------------------------


def test_utf16_text_needs_and_takes_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "lines.txt"
    text.write_bytes("a dog runs on the grass\na cat sleeps on the mat\n".encode("utf-16"))
    assert main(["stats", str(text), "--preset", "eda", "--samples", "2"]) == 2
    line = _one_line(capsys.readouterr().err, "stats")
    assert "is not utf-8 text" in line and "--encoding" in line
    assert main(["stats", str(text), "--preset", "eda", "--samples", "2", "--encoding", "utf-16"]) == 0
    assert capsys.readouterr().out.startswith("preset text.eda, seed 0: 2 samples")
    out = tmp_path / "p.html"
    assert main(["preview", str(text), "--preset", "eda", "--encoding", "utf-16", "--out", str(out)]) == 0
    assert "a cat sleeps on the mat" in out.read_text(encoding="utf-8")


def test_encoding_is_refused_for_sources_that_are_not_text(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(DATA / "images"), "--preset", "simclr", "--encoding", "utf-16"]) == 2
    assert "--encoding: image sources are not text" in _one_line(capsys.readouterr().err, "stats")
    assert main(["stats", str(DATA / "sentences.txt"), "--preset", "eda", "--encoding", "no-such-codec"]) == 2
    assert "encoding='no-such-codec' is not a codec" in _one_line(capsys.readouterr().err, "stats")


def test_generate_takes_encoding_for_text_and_refuses_it_for_images(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from augkit.generate import PairDataset

    text = tmp_path / "lines.txt"
    text.write_bytes("a dog runs on the grass\na cat sleeps on the mat\n".encode("utf-16"))
    out = tmp_path / "pairs"
    assert main(["generate", str(text), "--out", str(out), "--preset", "eda", "--quiet"]) == 2
    assert "is not utf-8 text" in _one_line(capsys.readouterr().err, "generate")
    assert main(["generate", str(text), "--out", str(out), "--preset", "eda", "--quiet", "--encoding", "utf-16"]) == 0
    capsys.readouterr()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failures"] == [] and len(list(PairDataset(out))) == 2  # both lines, decoded, became samples
    assert main(["generate", str(DATA / "images"), "--out", str(tmp_path / "img"), "--preset", "simclr", "--quiet",
                 "--encoding", "utf-16"]) == 2
    assert "image sources are not text" in _one_line(capsys.readouterr().err, "generate")



# -- escapes ---------------------------------------------------------------------------------------------


def test_escaped_writes_controls_and_undecodable_bytes_as_escapes() -> None:
    assert escaped("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert escaped("right\u202eleft") == "right\\u202eleft"
    assert escaped(os.fsdecode(b"caf\xe9.png")) == "caf\\xe9.png"
    assert escaped("two\nlines\tand tab", keep="\n\t") == "two\nlines\tand tab"
    assert escaped("two\nlines") == "two\\x0alines"
    assert escaped("plain naïve 東京 ✓") == "plain naïve 東京 ✓"


def test_a_file_name_with_an_escape_sequence_is_printed_escaped(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(np.full((40, 50, 3), 90, np.uint8)).save(folder / "a.png")
    (folder / f"evil{ESC}.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    assert main(["preview", str(folder), "--preset", "simclr", "--out", str(tmp_path / "p.html")]) == 0
    captured = capsys.readouterr()
    assert "\x1b" not in captured.err + captured.out and "evil\\x1b[2J\\x1b[31m.png" in captured.err
    missing = tmp_path / f"gone{ESC}.txt"
    assert main(["stats", str(missing), "--preset", "eda"]) == 2
    line = _one_line(capsys.readouterr().err, "stats")
    assert "\x1b" not in line and "gone\\x1b[2J\\x1b[31m.txt" in line
    with pytest.raises(SystemExit) as stop:
        main(["list", f"--bogus{ESC}"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "--bogus\\x1b[2J" in err


def test_a_name_that_is_not_utf8_is_printed_as_its_byte_in_a_real_process(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9\x1b[2J.txt"
    done = subprocess.run([sys.executable, "-m", "augkit", "stats", os.fsdecode(name), "--preset", "eda"],
                          capture_output=True, timeout=120, env=_env())
    assert done.returncode == 2 and b"Traceback" not in done.stderr, done.stderr[-2000:]
    err = done.stderr.decode("utf-8")
    assert "\x1b" not in err and "caf\\xe9\\x1b[2J.txt does not exist" in _one_line(err, "stats")
