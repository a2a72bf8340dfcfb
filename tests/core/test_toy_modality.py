"""A fourth modality from outside the library: 1-D float vectors and one noise op, registered here
alone, work in ViewGenerator, collate, DataLoader, ``augkit list`` and config specs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from augkit.cli import main
from augkit.core import Augmenter, Params, modalities, registry
from augkit.core.args import Arg, Number, Probability
from augkit.core.errors import InvalidInput, WrongInputType
from augkit.core.modalities import BaseModality
from augkit.core.streams import stream
from augkit.datasets import ViewDataset, collate_views
from augkit.views import config
from augkit.views.generator import ViewGenerator


class VectorModality(BaseModality):
    """1-D float vectors; files are ``.vec`` text, one number a line."""

    name = "vector"
    extensions = (".vec",)

    def check(self, x: Any, **options: Any) -> np.ndarray:
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
            raise WrongInputType(f"a vector is a 1-D sequence of numbers, got {type(x).__name__}")
        arr = np.asarray(x, dtype=np.float32)
        if arr.ndim != 1 or arr.size == 0:
            raise InvalidInput(f"a vector is 1-D and non-empty, got shape {arr.shape}")
        return arr

    def load(self, path: str | Path, **options: Any) -> np.ndarray:
        return self.check(np.loadtxt(path, dtype=np.float32, ndmin=1))

    def example(self) -> np.ndarray:
        return np.linspace(-1.0, 1.0, 16, dtype=np.float32)


class VectorNoise(Augmenter[np.ndarray]):
    """Add Gaussian noise of standard deviation ``sigma`` to every entry."""

    name = "vector.noise"
    modality = "vector"
    args = (Arg("sigma", Number(0, 10), 0.1, "standard deviation"), Arg("p", Probability(), 1.0, "probability"))
    drawn = {"seed": int}
    sigma: float

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        return {"seed": int(rng.integers(2**31))}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        noise = np.random.default_rng(params["seed"]).normal(0.0, self.sigma, x.shape)
        return (x + noise).astype(np.float32)


@pytest.fixture(scope="module", autouse=True)
def vector() -> Iterator[None]:
    """Register the toy modality and its op the way a plugin would, and remove them afterwards."""
    modalities.names(), registry.names()  # the built-ins are loaded first, as in a plugin's process
    modalities.register(VectorModality())
    registry.register(VectorNoise)
    yield
    modalities.MODALITIES.unregister("vector")  # later tests see the built-in registries
    registry.OPS.unregister("vector.noise")


def test_the_generator_checks_each_sample_with_the_descriptor() -> None:
    vg = ViewGenerator(VectorNoise(sigma=0.5), n_views=3, seed=0)
    assert vg.modality == "vector"
    a = vg([0.0, 1.0, 2.0], index=4)  # a list is turned into the canonical float32 array
    b = vg(np.array([0.0, 1.0, 2.0]), index=4)
    assert len(a) == 3 and all(v.dtype == np.float32 and v.shape == (3,) for v in a)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], a[1]), "views differ"
    with pytest.raises(InvalidInput, match=r"sample 7: .*1-D and non-empty, got shape \(2, 2\)"):
        vg(np.zeros((2, 2)), index=7)
    with pytest.raises(WrongInputType, match="got str"):
        vg("abc", index=0)
    assert vg.replay(np.array([0.0, 1.0, 2.0]), vg.generate(np.array([0.0, 1.0, 2.0]), index=4).params)[0].shape == (3,)


def test_views_batch_through_a_dataloader() -> None:
    data = [np.arange(5, dtype=np.float32) + i for i in range(6)]
    ds = ViewDataset(data, ViewGenerator(VectorNoise(), seed=1))
    loader = torch.utils.data.DataLoader(ds, batch_size=3, collate_fn=collate_views)
    batches = list(loader)
    assert len(batches) == 2
    views, labels = batches[0]
    assert labels is None and len(views) == 2 and views[0].shape == (3, 5)
    collated = modalities.get("vector").collate([v[0] for v in (ds[0][0], ds[1][0])])
    assert tuple(collated.shape) == (2, 5)


def test_augkit_list_shows_the_modality_and_its_op(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "\nvector:\n" in out
    line = next(line for line in out.splitlines() if "vector.noise" in line)
    assert "VectorNoise(sigma=0.1, p=1.0)" in line and "Add Gaussian noise" in line
    assert main(["list", "--modality", "vector"]) == 0
    assert "vector.noise" in capsys.readouterr().out
    assert main(["list", "vector.noise"]) == 0
    assert "standard deviation sigma to every entry" in capsys.readouterr().out


def test_config_specs_name_the_op_and_round_trip(tmp_path: Path) -> None:
    vg = ViewGenerator(VectorNoise(sigma=0.3, p=0.9), n_views=2, seed=5)
    spec = config.dump(vg)
    assert spec["modality"] == "vector"
    assert spec["pipeline"] == {"type": "vector.noise", "sigma": 0.3, "p": 0.9}
    path = tmp_path / "vector.json"
    path.write_text(json.dumps(spec))
    again = config.load(path)
    x = modalities.get("vector").example()
    for index in range(4):
        assert all(np.array_equal(u, v) for u, v in zip(vg(x, index=index), again(x, index=index), strict=True))
    with pytest.raises(ValueError, match=r"^pipeline\.sigma: "):
        config.load({**spec, "pipeline": {"type": "vector.noise", "sigma": 99}})


def test_files_of_the_modality_are_found_by_their_extension(tmp_path: Path) -> None:
    path = tmp_path / "a.vec"
    path.write_text("1\n2\n3\n")
    found = modalities.for_path(path)
    assert found is not None and found.name == "vector"
    assert np.array_equal(found.load(path), np.array([1, 2, 3], np.float32))


def test_the_op_honours_the_contract() -> None:
    op = VectorNoise(sigma=0.2)
    x = modalities.get("vector").example()
    y, params = op.augment(x, stream(0, 0, 0, 0))
    assert np.array_equal(y, op.apply(x, json.loads(json.dumps(params))))
