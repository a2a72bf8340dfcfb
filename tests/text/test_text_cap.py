"""A text longer than the cap is refused before any op copies it, in memory and in a generate job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import augkit
from augkit.text import modality


def test_a_text_over_the_cap_is_refused_naming_its_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modality, "MAX_CHARS", 50)
    vg = augkit.text.eda(alpha=0.1, seed=0)
    assert len(vg("a dog runs on the grass", index=0)) == 2
    with pytest.raises(augkit.AugkitError, match=r"sample 0: text input holds 51 characters, more than "
                                                 r"augkit\.text\.modality\.MAX_CHARS \(50\)"):
        vg("x" * 51, index=0)


def test_generate_records_an_over_long_line_and_keeps_the_others(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(modality, "MAX_CHARS", 50)
    lines = tmp_path / "lines.txt"
    lines.write_text("a dog runs on the grass\n" + "word " * 40 + "\na cat sleeps on the mat\n")
    summary = augkit.write_pairs(lines, tmp_path / "out", views=augkit.text.eda(alpha=0.1, seed=0), progress=False)
    assert summary.written == 2
    failures = json.loads((tmp_path / "out" / "manifest.json").read_text())["failures"]
    assert [f["index"] for f in failures] == [1] and "MAX_CHARS" in failures[0]["reason"]


def test_the_default_cap_takes_a_long_paragraph() -> None:
    assert modality.MAX_CHARS >= 100_000
