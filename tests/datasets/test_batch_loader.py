"""The batch path in a DataLoader: whole batches of views made in the workers, or on the training
device from shipped sources; both give every sample the views of (seed, epoch, index)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

import augkit
from augkit.datasets import (
    BatchCollate,
    SourceBatch,
    SourceDataset,
    ViewCollate,
    ViewDataset,
    collate_sources,
)


@pytest.fixture(scope="module")
def images(photos: list[np.ndarray]) -> list[tuple[np.ndarray, int]]:
    from PIL import Image

    return [(np.asarray(Image.fromarray(photos[i % len(photos)]).resize((40 + i, 36))), i % 3) for i in range(20)]


def _single(vg, images, epoch):
    loader = DataLoader(ViewDataset(images, vg, epoch=epoch), batch_size=20, collate_fn=ViewCollate())
    return next(iter(loader))


@pytest.mark.parametrize("persistent", [False, True])
def test_batches_made_in_the_workers_are_the_per_sample_views(images, persistent):
    vg = augkit.image.simclr_cifar(32, seed=5, output="uint8")
    collate = BatchCollate(vg)
    loader = DataLoader(SourceDataset(images), batch_size=6, num_workers=2, persistent_workers=persistent,
                        collate_fn=collate)
    for epoch in (0, 1):
        collate.set_epoch(epoch)
        batches = list(loader)
        got = [torch.cat([b[0][k] for b in batches]) for k in range(2)]
        labels = torch.cat([b[1] for b in batches])
        want, want_labels = _single(vg, images, epoch)
        assert torch.equal(labels, want_labels)
        for k in range(2):
            assert torch.equal(got[k], want[k]), (epoch, k)


def test_sources_shipped_to_the_training_process_make_the_same_views(images):
    vg = augkit.image.simclr_cifar(32, seed=5, output="uint8")
    loader = DataLoader(SourceDataset(images), batch_size=7, num_workers=2, collate_fn=collate_sources)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    seen = []
    for batch in loader:
        assert isinstance(batch, SourceBatch) and all(isinstance(x, np.ndarray) for x in batch.samples)
        made = batch.views(vg, epoch=1, device=device)
        assert made.items[0].device.type == device
        for i, index in enumerate(batch.indices):
            assert made.params[i] == vg.generate(images[index][0], index=index, epoch=1).params
        seen += batch.indices
    assert seen == list(range(20))
    want, _ = _single(vg, images, 1)
    made = SourceBatch(list(range(20)), [x for x, _ in images], None).views(vg, epoch=1)
    assert torch.equal(made.items[0], want[0])  # the default engine is the per-sample one, bit for bit


def test_bad_uses_are_named(images):
    vg = augkit.image.simclr_cifar(32, seed=0)
    with pytest.raises(ValueError, match="collate_sources"):
        BatchCollate(vg, device="cuda")
    with pytest.raises(TypeError, match="ViewGenerator"):
        BatchCollate(object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="triples"):
        collate_sources([images[0]])
    assert SourceDataset(images)[3][0] == 3 and SourceDataset(images)[3][2] == 0
