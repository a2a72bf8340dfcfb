"""Image views through a real torch DataLoader, and the albumentations wrapper.

Plain albumentations 2.0.8 with ``Compose(seed=...)`` gives every DataLoader worker the same
stream, so workers repeat each other's views; augkit must not.
"""

from __future__ import annotations

import json

import albumentations as A
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset

from augkit import ViewGenerator, image
from augkit.datasets import ViewDataset, collate_views


class SmallPhotos(Dataset[np.ndarray]):
    def __init__(self, photos: list[np.ndarray], n: int = 8) -> None:
        self.items = [np.ascontiguousarray(photos[i % len(photos)][::4, ::4]) for i in range(n)]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> np.ndarray:
        return self.items[i]


def run_epoch(ds: ViewDataset, workers: int, epoch: int) -> list[torch.Tensor]:
    ds.set_epoch(epoch)
    batches = [views for views, _ in DataLoader(ds, batch_size=4, num_workers=workers, collate_fn=collate_views)]
    return [torch.cat([b[k] for b in batches]) for k in range(2)]


def test_same_views_per_index_whatever_the_worker_count(photos: list[np.ndarray]) -> None:
    ds = ViewDataset(SmallPhotos(photos), image.simclr(48, seed=5, output="uint8"))
    zero, two = run_epoch(ds, 0, 0), run_epoch(ds, 2, 0)
    assert all(torch.equal(a, b) for a, b in zip(zero, two, strict=True))
    next_epoch = run_epoch(ds, 2, 1)
    assert not torch.equal(zero[0], next_epoch[0])
    assert all(not torch.equal(zero[0][i], zero[1][i]) for i in range(len(ds)))


class SameImage(Dataset[torch.Tensor]):
    """Every item is the same photo passed through ``transform`` with no index (torchvision style)."""

    def __init__(self, photo: np.ndarray, transform: object) -> None:
        self.photo, self.transform = np.ascontiguousarray(photo[::4, ::4]), transform

    def __len__(self) -> int:
        return 8

    def __getitem__(self, i: int) -> torch.Tensor:
        if isinstance(self.transform, ViewGenerator):
            return self.transform(self.photo)[0]
        return torch.from_numpy(self.transform(image=self.photo)["image"])  # type: ignore[operator]


def per_worker_views(dataset: SameImage) -> list[torch.Tensor]:
    # batch_size=4 with 2 workers: worker 0 makes items 0-3, worker 1 items 4-7
    return [b for b in DataLoader(dataset, batch_size=4, num_workers=2)]


def test_plain_albumentations_repeats_views_across_workers_augkit_does_not(photo: np.ndarray) -> None:
    plain = A.Compose([A.RandomResizedCrop((32, 32)), A.HorizontalFlip(), A.ColorJitter(p=0.8)], seed=0)
    w0, w1 = per_worker_views(SameImage(photo, plain))
    assert torch.equal(w0, w1), "albumentations' seeded Compose repeats the same views in each worker"

    ours = image.simclr(32, seed=0, output="uint8")
    w0, w1 = per_worker_views(SameImage(photo, ours))
    views = torch.cat([w0, w1])
    assert len({bytes(v.numpy()) for v in views}) == 8, "augkit gives every item its own views"


def test_albumentations_wrapper_records_what_fired_and_replays(photo: np.ndarray) -> None:
    user = A.Compose([A.RandomResizedCrop((40, 40)), A.HorizontalFlip(p=0.5), A.ToGray(p=0.5)])
    aug = image.Albumentations(user)
    x = np.ascontiguousarray(photo[::2, ::2])
    outputs, flips = [], 0
    for seed in range(20):
        y, params = aug.augment(x, np.random.default_rng(seed))
        params = json.loads(json.dumps(params))
        assert params["applied"] is True
        names = [rec["transform"] for rec in params["transforms"]]
        assert "RandomResizedCrop" in names
        crop = params["transforms"][names.index("RandomResizedCrop")]["params"]
        assert "crop_coords" in crop
        flips += "HorizontalFlip" in names
        np.testing.assert_array_equal(aug.apply(x, params), y)
        outputs.append(y.tobytes())
    assert 3 <= flips <= 17 and len(set(outputs)) == 20


def test_wrapper_gives_identical_children_their_own_streams(photo: np.ndarray) -> None:
    def twins(**kwargs: object) -> A.Compose:
        jitter = A.RandomBrightnessContrast(brightness_limit=0.4, contrast_limit=0.4, p=1.0)
        return A.Compose([jitter, A.RandomBrightnessContrast(brightness_limit=0.4, contrast_limit=0.4, p=1.0)],
                         save_applied_params=True, **kwargs)

    # albumentations hands one seed to every child: identical-looking transforms draw identical values
    applied = twins(seed=3)(image=photo)["applied_transforms"]
    assert applied[0][1]["alpha"] == applied[1][1]["alpha"]
    # the wrapper gives each child its own stream
    _, params = image.Albumentations(twins()).augment(photo, np.random.default_rng(3))
    first, second = (rec["params"]["alpha"] for rec in params["transforms"])
    assert first != second


def test_wrapper_upgrades_a_0_1_record_and_checks_its_argument(photo: np.ndarray) -> None:
    import pickle

    from augkit.core.errors import InvalidParams, WrongArgumentType

    aug = image.Albumentations.example()
    x = np.ascontiguousarray(photo[::4, ::4])
    y, params = aug.augment(x, np.random.default_rng(0))
    assert set(params) == {"applied", "seed", "transforms"} and params["applied"] is True
    old = {"seed": params["seed"], "applied": params["transforms"]}  # augkit 0.1's layout
    assert aug.upgrade(old, 1) == params
    np.testing.assert_array_equal(aug.apply(x, aug.upgrade(old, 1)), y)
    vg = ViewGenerator(aug, n_views=1, seed=0)
    np.testing.assert_array_equal(vg.replay(x, [old])[0], y)  # a record without "format" is 0.1's
    with pytest.raises(InvalidParams, match="'seed'"):
        aug.apply(x, {"applied": True})
    with pytest.raises(WrongArgumentType, match=r"transform=\.\.\.\) takes an albumentations transform"):
        image.Albumentations(lambda image: image)
    never = image.Albumentations(A.HorizontalFlip(p=1.0), p=0.0)
    assert never.sample(x, np.random.default_rng(0)) == {"applied": False}
    clone = pickle.loads(pickle.dumps(aug))
    np.testing.assert_array_equal(clone.apply(x, params), y)
