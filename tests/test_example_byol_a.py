"""The BYOL-A example (examples/byol_a_speech.py), shortened: it synthesizes its speech, trains on
augkit's BYOL-A views and prints its table. The headline numbers come from the full run (README,
"Spectrograms"), not from this test."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "byol_a_speech.py"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="the example synthesizes speech with espeak-ng")
def test_a_short_run_trains_and_probes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("byol_a_speech", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "WORDS", module.WORDS[:4])
    monkeypatch.setattr(module, "VOICES", ("en-us", "en-gb", *module.TEST_VOICES))
    monkeypatch.setattr(module, "SPEEDS", module.SPEEDS[:1])
    summary = module.main(["--quick", "--seeds", "0", "--epochs", "1"])
    assert summary["clips"] == 16 and summary["batch_size"] == 8
    run = summary["runs"][0]
    assert 0.0 <= run["random_init"] <= 1.0 and 0.0 <= run["byol_a"] <= 1.0
    assert "| BYOL-A views, trained |" in capsys.readouterr().out
