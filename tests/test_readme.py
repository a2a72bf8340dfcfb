"""The README's Python blocks run, in order, as a user would paste them.

The names a reader brings along (``photos``, ``model``, ``corpus``, ``num_epochs``) are given
small real values. A block preceded by ``<!-- not run: why -->`` is skipped (it needs something a
test machine does not have, such as downloaded translation models).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- not run: [^>]*-->\s*)?```python\n(.*?)```", re.S)


def blocks() -> list[tuple[int, str, bool]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(text[: m.start()].count("\n") + 1, m.group(2), m.group(1) is not None) for m in BLOCK.finditer(text)]


def test_the_readme_has_python_blocks_and_few_are_skipped() -> None:
    found = blocks()
    assert len(found) >= 4
    assert sum(skip for _, _, skip in found) <= 1


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").symlink_to(ROOT / "data")
    monkeypatch.chdir(tmp_path)
    torch.manual_seed(0)
    namespace: dict[str, object] = {
        "photos": [np.asarray(Image.open(p).convert("RGB")) for p in sorted((ROOT / "data" / "images").glob("*.jpg"))],
        "model": torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(4), torch.nn.Flatten(), torch.nn.Linear(48, 8)),
        "corpus": ["The quick brown fox jumps over the lazy dog."],
        "num_epochs": 1,
    }
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    for line, code, skip in blocks():
        if skip:
            continue
        try:
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
        except Exception as exc:  # report which block broke, with the original traceback chained
            raise AssertionError(f"README block at line {line} failed: {exc!r}") from exc
