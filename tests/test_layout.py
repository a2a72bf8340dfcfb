"""The package's shape, as tests: what the import contract (``lint-imports``, in ``make test``) cannot
say. Files stay small, generic layers never name a modality or one of its ops, and every package
folder has its tests in a folder of the same name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "augkit"
#: The modality folders: everything specific to a modality lives in one of these.
MODALITY_FOLDERS = ("image", "audio", "text", "spectrogram")
#: The layers that know no modality: they reach one only through the registry.
GENERIC = ("core", "views", "datasets", "losses", "generate", "preview", "cli")
MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_passes_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by idea"


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """The string constants of code, docstrings left out (prose may name a modality)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


_NAMED = re.compile(r"^(" + "|".join(MODALITY_FOLDERS) + r")(\.[a-z_]+)?$")


@pytest.mark.parametrize("layer", GENERIC)
def test_generic_layers_name_no_modality_and_no_modality_op(layer: str) -> None:
    allowed = {PACKAGE / "core" / "modalities.py"}  # the registry's list of built-in modalities
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        if path in allowed:
            continue
        for line, value in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if _NAMED.match(value) or re.search(r"\baugkit\.(" + "|".join(MODALITY_FOLDERS) + r")\b", value):
                found.append(f"{path.relative_to(ROOT)}:{line}: {value!r}")
    assert not found, "a generic layer names a modality (ask its descriptor or an op instead):\n" + "\n".join(found)


def test_the_check_above_sees_a_modality_name() -> None:
    code = 'x = "image.horizontal_flip"\nif modality == "audio": pass\n"""the image modality"""\n'
    values = [v for _, v in _strings(ast.parse(code))]
    assert [v for v in values if _NAMED.match(v)] == ["image.horizontal_flip", "audio"]


def test_every_package_folder_has_a_test_folder() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    missing = [f for f in folders if not any((ROOT / "tests" / f).glob("test_*.py"))]
    assert not missing, f"tests/ mirrors augkit/: add tests/<folder>/ for {missing}"
