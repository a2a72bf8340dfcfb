"""ViewGenerator seeding: per (seed, epoch, index, view) streams, DataLoader workers, replay."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from augkit import Compose, RandomApply, ViewGenerator, multi_crop
from augkit.core import RECORD_FORMAT, Augmenter, Params
from augkit.core.errors import InvalidParams
from augkit.core.streams import stream
from augkit.datasets import ViewDataset, collate_views


class Jitter(Augmenter[np.ndarray]):
    """Adds a noise buffer drawn from a seed kept in params (the bulky-randomness pattern)."""

    name = "test.jitter"

    def sample(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        return {"seed": int(rng.integers(2**63)), "scale": float(rng.uniform(0.5, 2.0))}

    def apply(self, x: np.ndarray, params: Params) -> np.ndarray:
        noise = np.random.default_rng(params["seed"]).standard_normal(x.shape).astype(np.float32)
        return (x + params["scale"] * noise).astype(np.float32)


PIPE = Compose([Jitter(), RandomApply(Jitter(), p=0.5)])
X = np.zeros(8, dtype=np.float32)


def test_views_of_a_sample_differ_and_are_deterministic_per_index() -> None:
    vg = ViewGenerator(PIPE, n_views=3, seed=11)
    a = vg(X, index=4, epoch=2)
    b = vg(X, index=4, epoch=2)
    assert len(a) == 3
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[1], a[2])
    assert not np.array_equal(a[0], vg(X, index=4, epoch=3)[0])
    assert not np.array_equal(a[0], vg(X, index=5, epoch=2)[0])
    assert not np.array_equal(a[0], ViewGenerator(PIPE, n_views=3, seed=12)(X, index=4, epoch=2)[0])


def test_view_k_uses_the_documented_stream() -> None:
    vg = ViewGenerator(PIPE, seed=3)
    views = vg.generate(X, index=9, epoch=1)
    expected = PIPE.augment(X, stream(3, 1, 9, 1))
    np.testing.assert_array_equal(views.items[1], expected[0])
    assert views.params[1] == {"format": RECORD_FORMAT, **expected[1]}
    assert vg.rng(9, epoch=1, view=1).random() == stream(3, 1, 9, 1).random()


def test_replay_refuses_records_it_cannot_read() -> None:
    vg = ViewGenerator(PIPE, seed=3)
    params = vg.generate(X, index=0).params
    with pytest.raises(InvalidParams, match="record formats 1 to"):
        vg.replay(X, [{**p, "format": RECORD_FORMAT + 1} for p in params])
    with pytest.raises(InvalidParams, match="params for 1 views; this generator makes 2"):
        vg.replay(X, params[:1])
    with pytest.raises(InvalidParams, match="one record per view"):
        vg.replay(X, params[0])


def test_replay_is_bit_identical_after_json_round_trip() -> None:
    vg = ViewGenerator(PIPE, seed=0, output=torch.from_numpy)
    views = vg.generate(X)
    params = json.loads(json.dumps(views.params))
    for u, v in zip(views.items, vg.replay(X, params), strict=True):
        assert torch.equal(u, v)


def test_ad_hoc_calls_give_fresh_views() -> None:
    vg = ViewGenerator(PIPE, seed=0)
    assert not np.array_equal(vg(X)[0], vg(X)[0])


def test_seed_none_is_drawn_and_exposed() -> None:
    a, b = ViewGenerator(PIPE), ViewGenerator(PIPE)
    assert isinstance(a.seed, int) and a.seed >= 0 and a.seed != b.seed


def test_per_view_pipelines_and_mismatch() -> None:
    vg = ViewGenerator([PIPE, Jitter()])
    assert vg.n_views == 2
    with pytest.raises(ValueError, match="n_views=3 does not match the 2 pipelines"):
        ViewGenerator([PIPE, Jitter()], n_views=3)
    with pytest.raises(ValueError, match="n_views=0"):
        ViewGenerator(PIPE, n_views=0)
    with pytest.raises(TypeError, match="pipeline"):
        ViewGenerator("simclr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="index=-1"):
        ViewGenerator(PIPE, seed=0)(X, index=-1)


def test_multi_crop_expands_globals_then_locals() -> None:
    g, local = Jitter(), Compose([Jitter()])
    vg = ViewGenerator(multi_crop(g, local, n_global=2, n_local=4), seed=0)
    assert vg.n_views == 6
    assert vg.pipelines[:2] == [g, g] and vg.pipelines[2:] == [local] * 4


class Zeros(Dataset[np.ndarray]):
    def __len__(self) -> int:
        return 12

    def __getitem__(self, i: int) -> np.ndarray:
        return np.full(16, float(i), dtype=np.float32)


def _epoch(ds: ViewDataset, workers: int, epoch: int) -> list[torch.Tensor]:
    ds.set_epoch(epoch)
    loader = DataLoader(ds, batch_size=4, num_workers=workers, collate_fn=collate_views)
    batches = [views for views, _ in loader]
    return [torch.cat([b[k] for b in batches]) for k in range(2)]


def test_dataloader_views_do_not_depend_on_worker_count() -> None:
    vg = ViewGenerator(PIPE, seed=123, output=torch.from_numpy)
    ds = ViewDataset(Zeros(), vg)
    single = _epoch(ds, 0, epoch=0)
    double = _epoch(ds, 2, epoch=0)
    for k in range(2):
        assert torch.equal(single[k], double[k])
    later = _epoch(ds, 2, epoch=1)
    assert not torch.equal(single[0], later[0])
    # every sample's two views differ
    assert all(not torch.equal(single[0][i], single[1][i]) for i in range(len(ds)))


class AdHoc(Dataset[torch.Tensor]):
    """Uses the generator as a plain transform, without an index."""

    def __init__(self, vg: ViewGenerator) -> None:
        self.vg = vg

    def __len__(self) -> int:
        return 16

    def __getitem__(self, i: int) -> torch.Tensor:
        return torch.stack(self.vg(np.zeros(16, dtype=np.float32)))


def test_ad_hoc_transform_never_repeats_across_workers() -> None:
    vg = ViewGenerator(PIPE, seed=7, output=torch.from_numpy)
    loader = DataLoader(AdHoc(vg), batch_size=1, num_workers=2)
    seen = [tuple(batch[0, 0, :4].tolist()) for batch in loader]
    # identical inputs, so any repeat would mean two workers replayed one stream
    assert len(set(seen)) == len(seen) == 16
