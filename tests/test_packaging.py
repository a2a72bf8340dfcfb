"""The wheel and the sdist a user installs: built for real from a copy of the tree, their contents checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree(tmp_path: Path) -> Path:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "augkit", copy / "augkit", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, copy / name)
    return copy


def test_the_wheel_and_sdist_carry_the_licences_and_the_data(tmp_path: Path) -> None:
    src = _tree(tmp_path)
    out = tmp_path / "dist"
    code = ("import sys; from setuptools import build_meta as b; out = sys.argv[1]; "  # build_meta rewrites sys.argv
            "print(b.build_wheel(out)); print(b.build_sdist(out))")
    subprocess.run([sys.executable, "-c", code, str(out)], cwd=src, check=True, capture_output=True, timeout=300)
    wheel = zipfile.ZipFile(next(out.glob("*.whl")))
    names = set(wheel.namelist())
    info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    assert f"{info}/licenses/LICENSE" in names
    assert "augkit/text/data/WORDNET_LICENSE" in names  # the lexicon's licence travels with it
    assert any(n.startswith("augkit/text/data/") and n.endswith(".gz") for n in names)
    assert "augkit/py.typed" in names
    metadata = wheel.read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata
    with tarfile.open(next(out.glob("*.tar.gz"))) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    assert {"LICENSE", "augkit/text/data/WORDNET_LICENSE", "pyproject.toml"} <= members
