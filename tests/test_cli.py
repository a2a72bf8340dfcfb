"""The augkit command, run in-process like a user would call it."""

from __future__ import annotations

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
