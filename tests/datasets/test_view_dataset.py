"""ViewDataset: item forms, iterable data with keys, and the epoch reaching persistent workers."""

from __future__ import annotations

import numpy as np
import pytest
from torch.utils.data import DataLoader, IterableDataset

from augkit import ViewGenerator
from augkit.core import Identity
from augkit.datasets import IterableViewDataset, ViewDataset, ViewList
from augkit.image import ops
from augkit.text import RandomDeletion, RandomSwap

PHOTOS = [np.random.default_rng(i).integers(0, 256, (20, 24, 3), dtype=np.uint8) for i in range(8)]
TEXTS = [f"sample number {i} has a few words in it" for i in range(8)]


def _texts() -> ViewGenerator:
    return ViewGenerator(RandomSwap(alpha=0.3), n_views=2, seed=4)


def test_items_follow_the_torchvision_tuple_rule():
    vg = _texts()
    views, label = ViewDataset([(t, i) for i, t in enumerate(TEXTS)], vg)[3]
    assert label == 3 and views == vg(TEXTS[3], index=3)
    views, label = ViewDataset(TEXTS, vg)[2]
    assert label is None and views == vg(TEXTS[2], index=2)
    whole = ViewDataset([("a", "b")], ViewGenerator(Identity(), n_views=1, seed=0), labelled=False)
    views, label = whole[0]
    assert label is None and views == [("a", "b")]
    with pytest.raises(ValueError, match=r"data\[0\] must be a \(sample, label\) pair"):
        ViewDataset(TEXTS, vg, labelled=True)[0]


def test_dicts_are_never_taken_apart():
    vg = ViewGenerator({"image": ops.HorizontalFlip(p=1.0), "text": RandomDeletion(alpha=0.3)}, seed=0)
    data = [{"image": p, "text": t, "label": i} for i, (p, t) in enumerate(zip(PHOTOS, TEXTS, strict=True))]
    views, label = ViewDataset(data, vg)[5]
    assert label is None and len(views) == 2
    assert views[0]["label"] == 5 and np.array_equal(views[0]["image"], PHOTOS[5][:, ::-1])
    two_keys = [{"image": p, "text": t} for p, t in zip(PHOTOS, TEXTS, strict=True)]  # a dict of 2 is not a pair
    views, label = ViewDataset(two_keys, vg)[1]
    assert label is None and set(views[0]) == {"image", "text"}
    with pytest.raises(ValueError, match="dict"):
        ViewDataset(data, vg, labelled=True)[0]


def test_views_carry_their_records():
    vg = _texts()
    views, _ = ViewDataset(TEXTS, vg)[1]
    assert isinstance(views, ViewList) and views.params == vg.generate(TEXTS[1], index=1).params
    assert vg.replay(TEXTS[1], views.params) == list(views)


def test_bad_arguments():
    with pytest.raises(TypeError, match="ViewGenerator"):
        ViewDataset(TEXTS, Identity())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="indexing, or iteration"):
        ViewDataset(42, _texts())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="labelled"):
        ViewDataset(TEXTS, _texts(), labelled="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="key= is for iterable"):
        ViewDataset(TEXTS, _texts(), key="id")
    with pytest.raises(ValueError, match="epoch"):
        ViewDataset(TEXTS, _texts()).set_epoch(-1)


class Stream(IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)


def test_iterable_data_with_string_keys():
    vg = _texts()
    items = [{"__key__": f"shard-0/{i:04d}", "text": t} for i, t in enumerate(TEXTS)]
    ds = ViewDataset(Stream(items), ViewGenerator({"text": RandomSwap(alpha=0.3)}, seed=4))
    assert isinstance(ds, IterableViewDataset)
    got = list(ds)
    assert len(got) == 8
    again = list(ViewDataset(Stream(items[::-1]), ViewGenerator({"text": RandomSwap(alpha=0.3)}, seed=4)))
    assert [v[0]["text"] for v, _ in got] == [v[0]["text"] for v, _ in again[::-1]]  # order does not matter
    assert len({v[0]["text"] for v, _ in got}) == 8
    # a string key is its own stream: not the view of any integer index
    assert [v[0] for v in vg.generate(TEXTS[0], index="shard-0/0000")] != vg(TEXTS[0], index=0)


def test_iterable_data_with_int_keys_matches_the_map_style_views():
    vg = _texts()
    stream = ((t, i) for i, t in enumerate(TEXTS))
    ds = ViewDataset(stream, vg, key=lambda item: item[1])
    got = [(list(v), label) for v, label in ds]
    want = [(list(ViewDataset([(t, i) for i, t in enumerate(TEXTS)], vg)[i][0]), i) for i in range(8)]
    assert got == want


def test_iterable_items_without_a_key_are_named():
    ds = ViewDataset(Stream([{"text": "a b c"}]), ViewGenerator({"text": RandomSwap()}, seed=0))
    with pytest.raises(ValueError, match="item 0 of the stream has no key '__key__'"):
        list(ds)
    bad = ViewDataset(Stream([{"__key__": 1.5, "text": "a b"}]), ViewGenerator({"text": RandomSwap()}, seed=0))
    with pytest.raises(TypeError, match="non-negative int or a non-empty str"):
        list(bad)


@pytest.mark.parametrize("persistent", [True, False])
def test_set_epoch_reaches_the_workers(persistent):
    vg = _texts()
    ds = ViewDataset(TEXTS, vg)
    loader = DataLoader(ds, batch_size=4, num_workers=2, persistent_workers=persistent, collate_fn=_first_views)
    for epoch in (0, 1, 2):
        ds.set_epoch(epoch)
        got = [t for batch in loader for t in batch]
        assert got == [vg(t, index=i, epoch=epoch)[0] for i, t in enumerate(TEXTS)], epoch


def _first_views(batch):
    return [views[0] for views, _ in batch]


def test_set_epoch_reaches_persistent_spawned_workers():
    vg = _texts()
    ds = ViewDataset(TEXTS[:4], vg)
    loader = DataLoader(ds, batch_size=2, num_workers=1, persistent_workers=True, multiprocessing_context="spawn",
                        collate_fn=_first_views)
    for epoch in (0, 3):
        ds.set_epoch(epoch)
        want = [vg(t, index=i, epoch=epoch)[0] for i, t in enumerate(TEXTS[:4])]
        assert [t for batch in loader for t in batch] == want
        assert [t for batch in loader for t in batch] == want
