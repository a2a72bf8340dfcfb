"""Mixing between samples: the partner drawn from the stream, recorded by index, replayable, and the
same records and views through generate, generate_batch, ViewDataset (0 and 2 workers) and write_pairs."""

from __future__ import annotations

import io
import json
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image

from augkit import Compose, OneOf, ViewGenerator
from augkit.core.errors import InvalidArgument, InvalidParams
from augkit.core.mixing import Pool, partner_index, partners
from augkit.datasets import ViewDataset
from augkit.generate import write_pairs
from augkit.image import CutMix, HorizontalFlip, MixUp, RandomResizedCrop

N = 9


@pytest.fixture(scope="module")
def images() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.integers(0, 256, (30 + 3 * i, 40 - i, 3), dtype=np.uint8) for i in range(N)]


def _generator(images: list[np.ndarray] | None = None, seed: int = 4) -> ViewGenerator:
    return ViewGenerator([Compose([RandomResizedCrop(16), HorizontalFlip(), MixUp(alpha=0.4)]),
                          Compose([RandomResizedCrop(16), CutMix(alpha=1.0, p=0.7)])], seed=seed, source=images)


def _mixed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["ops"][-1]["params"] for r in records]


def test_generate_batch_dataset_and_write_pairs_give_generate_s_records_and_views(images, tmp_path: Path) -> None:
    vg = _generator(images)
    single = [vg.generate(x, index=i, epoch=1) for i, x in enumerate(images)]
    assert any(r["applied"] and r["partner"] != i for i, v in enumerate(single) for r in _mixed(v.params))
    batch = vg.generate_batch(images, list(range(N)), epoch=1)
    for i, view in enumerate(single):
        assert batch.params[i] == view.params
        for k in range(2):
            assert np.array_equal(batch.items[k][i], view.items[k])
    for workers in (0, 2):
        ds = ViewDataset(images, ViewGenerator(vg.pipelines, seed=4), epoch=1)  # its own dataset as the source
        loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=workers)
        for i, (views, _) in enumerate(loader):
            assert views.params == single[i].params
            assert all(np.array_equal(np.asarray(a), b) for a, b in zip(views, single[i].items, strict=True))
    write_pairs(images, tmp_path / "out", vg, epochs=2, shard_size=4, formats={"image": "png"}, progress=False)
    seen = 0
    for shard in sorted((tmp_path / "out" / "epoch-001").glob("*.tar")):
        with tarfile.open(shard) as tar:
            members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
        for name, data in members.items():
            if name.endswith(".json"):
                record = json.loads(data)
                i = record["index"]
                assert record["params"] == single[i].params
                for k in range(2):
                    stored = np.asarray(Image.open(io.BytesIO(members[f"{name[:-5]}.view{k}.png"])))
                    assert np.array_equal(stored, single[i].items[k])
                seen += 1
    assert seen == N


def test_replay_rebuilds_a_mixed_view_from_its_partner_and_names_a_missing_one(images) -> None:
    vg = _generator(images)
    view = vg.generate(images[3], index=3, epoch=0)
    needed = {r["partner"] for r in _mixed(view.params) if r["applied"]}
    assert needed and 3 not in needed  # never the sample itself
    bare = _generator(None)  # no source: the partners must be handed in
    replayed = bare.replay(images[3], view.params, partners={j: images[j] for j in needed})
    assert all(np.array_equal(a, b) for a, b in zip(replayed, view.items, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(bare.replay(images[3], view.params, source=images), view.items,
                                                    strict=True))
    with pytest.raises(InvalidParams, match=f"sample {min(needed)}"):
        bare.replay(images[3], view.params, partners={})
    with pytest.raises(InvalidArgument, match="source="):
        bare.generate(images[3], index=3)


def test_the_partner_is_the_sample_through_the_pipeline_up_to_the_op_with_its_own_streams(images) -> None:
    crop = RandomResizedCrop(16)
    vg = ViewGenerator(Compose([crop, MixUp(alpha=0.4)]), n_views=1, seed=2, source=images)
    record = _mixed(vg.generate(images[0], index=0, epoch=3).params)[0]
    j = record["partner"]
    # the partner's stage: sample j's own view-0 crop, as generate draws it for sample j
    plain = ViewGenerator(Compose([crop]), n_views=1, seed=2)
    assert record["stage"] == [plain.generate(images[j], index=j, epoch=3).params[0]["ops"][0]["params"]]


def test_a_partner_never_mixes_again(images) -> None:
    vg = ViewGenerator(Compose([RandomResizedCrop(16), MixUp(alpha=0.4), CutMix(alpha=1.0)]), n_views=1, seed=0,
                       source=images)
    last = vg.generate(images[1], index=1).params[0]["ops"][2]["params"]
    assert last["stage"][1] == {"applied": False}  # the partner's own MixUp does not fire for it


def test_partners_are_uniform_over_the_other_samples(images) -> None:
    vg = ViewGenerator(Compose([RandomResizedCrop(8), MixUp()]), n_views=1, seed=1, source=images)
    counts = Counter(_mixed(vg.generate(images[4], index=4, epoch=e).params)[0]["partner"] for e in range(1600))
    assert 4 not in counts and set(counts) == set(range(N)) - {4}
    expected = 1600 / (N - 1)
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < 24.3  # chi-square, 7 degrees of freedom, p = 0.001
    assert partner_index(0.0, 1, 0) == 0  # a source of one: the sample itself


def test_misplaced_and_unusable_mixing_is_refused(images) -> None:
    with pytest.raises(InvalidArgument, match="MixUp"):
        ViewGenerator(Compose([RandomResizedCrop(8), OneOf([MixUp(), HorizontalFlip()])]), seed=0)
    with pytest.raises(TypeError, match="random access"):
        ViewGenerator(MixUp(), seed=0, source=iter(images))
    with pytest.raises(TypeError, match="iterable"):
        ViewDataset(iter([(x, 0) for x in images]), ViewGenerator(MixUp(), seed=0))
    with pytest.raises(InvalidArgument, match="ViewGenerator"):
        MixUp()(images[0])
    with partners(Pool([images[0]])):
        assert MixUp(alpha=0.5)(images[0]).shape == images[0].shape  # on its own, with a pool of partners


def test_the_preview_shows_the_partner_and_lambda(images, tmp_path: Path) -> None:
    from augkit.preview import write_page

    vg = ViewGenerator(Compose([RandomResizedCrop(16), MixUp(alpha=0.4)]), n_views=2, seed=0)  # no source
    page = write_page(tmp_path / "mix.html", images[:4], vg).read_text()
    record = _mixed(vg.generate(images[0], index=0, source=images[:4]).params)[0]
    assert f"partner {record['partner']}" in page and "lam 0." in page
