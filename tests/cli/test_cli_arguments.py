"""A mistake in the arguments themselves (a missing flag, a bad value, an unknown command) is one
line on stderr and exit 2, as every other user error is; ``--help`` still prints the whole usage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from augkit.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    return captured.err.rstrip("\n")


@pytest.mark.parametrize("argv, expected", [
    (["generate", "data/images", "--preset", "simclr"],
     "augkit generate: error: the following arguments are required: --out (see augkit generate --help)"),
    (["stats", "data/images", "--preset", "simclr", "--samples", "many"],
     "augkit stats: error: argument --samples: invalid int value: 'many' (see augkit stats --help)"),
    (["preview", "data/images", "--preset", "simclr", "--config", "v.yaml", "--out", "p.html"],
     "augkit preview: error: argument --config: not allowed with argument --preset (see augkit preview --help)"),
    (["stats", "data/images", "--preset", "audio_pairs", "--extensions", "wav"],
     "augkit stats: error: argument --extensions: write extensions with their dot, comma-separated: --extensions "
     ".wav,.oga ('wav' needs its dot: '.wav') (see augkit stats --help)"),
    (["list", "--modalty", "text"],
     "augkit list: error: unrecognized arguments: --modalty (see augkit list --help)"),
    (["stats", "data/images", "--preset", "simclr", "--zzz"],
     "augkit stats: error: unrecognized arguments: --zzz (see augkit stats --help)"),
    ([], "augkit: error: the following arguments are required: command (see augkit --help)"),
])
def test_an_argument_mistake_is_one_line(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _refused(argv, capsys) == expected


def test_an_unknown_command_names_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    err = _refused(["frobnicate"], capsys)
    assert err.startswith("augkit: error: argument command: invalid choice: 'frobnicate'") and "'generate'" in err


def test_in_a_real_process_too(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "augkit", "generate", str(ROOT / "data" / "images"), "--preset",
                           "simclr", "--channels", "3", "--out", str(tmp_path / "out")], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                       "NO_ALBUMENTATIONS_UPDATE": "1"})
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("augkit generate: error: argument --channels: invalid choice: '3' (choose from '1', '2', "
                           "'keep') (see augkit generate --help)\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["list", "preview", "generate", "stats"])
def test_help_still_prints_the_usage(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: augkit {command}") and "\noptions:\n  -h, --help" in out
    assert len(out.splitlines()) > 5
