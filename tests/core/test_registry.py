"""Third-party augmenters register through the `augkit.augmenters` entry-point group."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from augkit.core import AugkitError, Augmenter, Params, registry


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


@pytest.mark.parametrize("lookup, kind", [
    (registry.get, "augmenter"),
    (registry.get_preset, "preset"),
    (lambda name: __import__("augkit.core.modalities", fromlist=["get"]).get(name), "modality"),
    (lambda name: __import__("augkit.views.couplings", fromlist=["get"]).get(name), "coupling"),
])
def test_every_registry_fails_an_unknown_name_with_one_error_naming_the_known_ones(lookup: Any, kind: str) -> None:
    with pytest.raises(registry.UnknownName) as caught:
        lookup("nope")
    err = caught.value
    assert isinstance(err, ValueError) and isinstance(err, KeyError) and isinstance(err, AugkitError)
    assert str(err).startswith(f"no {kind} named 'nope'; known: ")
    known = str(err).split("known: ", 1)[1].split(", ")
    assert len(known) >= 2 and known == sorted(known)  # the registry's real names, not an empty list


def _installed(root: Path, module: str, code: str, group: str, entry: str) -> dict[str, str]:
    """A distribution ``module`` holding ``code`` and declaring ``entry`` in ``group``, installed
    under ``root`` the way pip lays one out; returns the environment that sees it."""
    (root / f"{module}.py").write_text(code)
    dist = root / f"{module}-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module.replace('_', '-')}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[{group}]\n{entry}\n")
    return dict(os.environ, PYTHONPATH=str(root))


def test_a_coupling_rule_installed_as_a_distribution_is_found(tmp_path: Path) -> None:
    rule = ("from augkit.views.couplings import Coupling\n"
            "class Shout(Coupling):\n"
            "    'Upper-case every text field after the views are made.'\n"
            "    name = 'shout'\n"
            "    def after(self, view, steps, fields):\n"
            "        for f in fields:\n"
            "            view[f] = view[f].upper()\n"
            "        return {}\n")
    env = _installed(tmp_path, "augkit_rule_demo", rule, "augkit.couplings", "shout = augkit_rule_demo:Shout")
    code = (
        "import augkit\n"
        "from augkit.text import RandomSwap\n"
        "vg = augkit.ViewGenerator({'caption': RandomSwap(p=0.0)}, n_views=1, couplings=['shout'], seed=0)\n"
        "print('shout' in augkit.couplings.names(), vg({'caption': 'a dog'}, index=0)[0]['caption'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["True", "A", "DOG"]


def test_an_entry_point_that_is_not_a_rule_is_named(tmp_path: Path) -> None:
    env = _installed(tmp_path, "augkit_not_a_rule", "NOT_A_RULE = 3\n", "augkit.couplings",
                     "bad = augkit_not_a_rule:NOT_A_RULE")
    run = subprocess.run([sys.executable, "-c", "import augkit; augkit.couplings.names()"], capture_output=True,
                         text=True, env=env)
    assert run.returncode != 0
    assert ("entry point 'bad' = 'augkit_not_a_rule:NOT_A_RULE' in group 'augkit.couplings' must name an augkit "
            "Coupling subclass") in run.stderr
