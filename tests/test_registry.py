"""Third-party augmenters register through the `augkit.augmenters` entry-point group."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from augkit.core import Augmenter, Params, registry


def test_a_plugin_installed_as_a_distribution_is_found(tmp_path: Path) -> None:
    package = tmp_path / "augkit_plugin_demo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ops.py").write_text(
        "from augkit.core import Augmenter\n"
        "class Reverse(Augmenter):\n"
        "    '''Reverse a text.'''\n"
        "    name = 'plugin.reverse'\n"
        "    def sample(self, x, rng):\n"
        "        return {}\n"
        "    def apply(self, x, params):\n"
        "        return x[::-1]\n"
    )
    dist = tmp_path / "augkit_plugin_demo-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: augkit-plugin-demo\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[augkit.augmenters]\nreverse = augkit_plugin_demo.ops:Reverse\n")
    code = (
        "from augkit import registry; "
        "print('plugin.reverse' in registry.names(), registry.create('plugin.reverse')('abc'))"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["True", "cba"]


def test_register_rejects_a_taken_name_and_a_missing_one() -> None:
    class Nameless(Augmenter[str]):
        def sample(self, x: str, rng: object) -> Params:  # type: ignore[override]
            return {}

        def apply(self, x: str, params: Params) -> str:
            return x

    with pytest.raises(ValueError, match="needs a non-empty `name`"):
        registry.register(Nameless)

    class Impostor(Nameless):
        name = "image.horizontal_flip"

    assert "image.horizontal_flip" in registry.names()
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Impostor)
