"""Patch masks as a view field: the references' block rules, drawn from the view's stream, held in
the record, replayed, stacked by generate_batch and collate, stored as .npy, drawn by the preview."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
import torch
from scipy import stats

import augkit
from augkit.core.streams import stream
from augkit.image.masks import PatchMask, block_mask

PHOTO = (np.random.default_rng(0).random((120, 160, 3)) * 255).astype(np.uint8)
N = 2000


def _ibot_reference(h: int, w: int, high: float, rnd: random.Random) -> np.ndarray:
    """``bytedance/ibot`` ``loader.py`` ImageFolderMask, pred_shape='block', with its own random calls."""
    log_aspect = (math.log(0.3), math.log(1 / 0.3))
    mask = np.zeros((h, w), dtype=bool)
    count = 0
    while count < high:
        budget, delta = high - count, 0
        for _ in range(10):
            low = (min(h, w) // 3) ** 2
            target = rnd.uniform(low, budget)
            aspect = math.exp(rnd.uniform(*log_aspect))
            bh, bw = round(math.sqrt(target * aspect)), round(math.sqrt(target / aspect))
            if bw < w and bh < h:
                top, left = rnd.randint(0, h - bh), rnd.randint(0, w - bw)
                num = mask[top : top + bh, left : left + bw].sum()
                if 0 < bh * bw - num <= budget:
                    for i in range(top, top + bh):
                        for j in range(left, left + bw):
                            if not mask[i, j]:
                                mask[i, j] = True
                                delta += 1
            if delta > 0:
                break
        if delta == 0:
            break
        count += delta
    return mask


def _dinov2_reference(h: int, w: int, num: int, rnd: random.Random) -> np.ndarray:
    """``dinov2/data/masking.py`` MaskingGenerator(min_num_patches=4, max_num_patches=N/2, min_aspect=0.3)."""
    log_aspect = (math.log(0.3), math.log(1 / 0.3))
    mask = np.zeros((h, w), dtype=bool)
    count, cap = 0, 0.5 * h * w
    while count < num:
        budget, delta = min(num - count, cap), 0
        for _ in range(10):
            target = rnd.uniform(4, budget)
            aspect = math.exp(rnd.uniform(*log_aspect))
            bh, bw = round(math.sqrt(target * aspect)), round(math.sqrt(target / aspect))
            if bw < w and bh < h:
                top, left = rnd.randint(0, h - bh), rnd.randint(0, w - bw)
                num_masked = mask[top : top + bh, left : left + bw].sum()
                if 0 < bh * bw - num_masked <= budget:
                    for i in range(top, top + bh):
                        for j in range(left, left + bw):
                            if not mask[i, j]:
                                mask[i, j] = True
                                delta += 1
            if delta > 0:
                break
        if delta == 0:
            break
        count += delta
    return mask


def _features(mask: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(mask.sum()), int(rows.size and rows[-1] - rows[0] + 1) * int(cols.size and cols[-1] - cols[0] + 1)


@pytest.mark.parametrize("rule", ["ibot", "dinov2"])
def test_masks_follow_the_reference_rule(rule: str) -> None:
    """The masked counts and the bounding areas of masks at fixed ratios, KS against the reference code."""
    rnd = random.Random(0)
    ours, theirs = [], []
    for i in range(N):
        ratio = 0.1 + 0.4 * (i % 5) / 4
        rng = stream(0, i)
        if rule == "ibot":
            ours.append(_features(block_mask(14, 14, ratio * 196, rng, "ibot")))
            theirs.append(_features(_ibot_reference(14, 14, ratio * 196, rnd)))
        else:
            ours.append(_features(block_mask(14, 14, int(196 * ratio), rng, "dinov2")))
            theirs.append(_features(_dinov2_reference(14, 14, int(196 * ratio), rnd)))
    for column in range(2):
        a, b = [f[column] for f in ours], [f[column] for f in theirs]
        assert stats.ks_2samp(a, b).pvalue > 1e-3, (rule, column)


@pytest.mark.parametrize("name, rule", [("ibot", "ibot"), ("dinov2", "dinov2")])
def test_preset_masks_half_the_global_views_with_ratios_in_0_1_to_0_5(name: str, rule: str) -> None:
    vg = getattr(augkit.image, name)(n_views=2, masks=True, seed=0, output="numpy")
    masks, ratios = [], []
    for i in range(N // 2):
        views = vg.generate(PHOTO, index=i)
        for view, record in zip(views.items, views.params, strict=True):
            assert view["mask"].shape == (14, 14) and view["mask"].dtype == bool
            masks.append(view["mask"])
            ratios.append(record["ops"][-1]["params"]["ratio"])
    masked = np.array([m.any() for m in masks])
    assert abs(masked.mean() - 0.5) <= 4.5 * math.sqrt(0.25 / N)
    drawn = np.array(ratios)[masked]
    assert stats.kstest(drawn, stats.uniform(0.1, 0.4).cdf).pvalue > 1e-3
    shares = np.array([m.mean() for m in masks])[masked]
    assert np.all(shares <= 0.5 + 1e-9) and np.all(shares > 0.0)
    assert not any(r for r, m in zip(ratios, masked, strict=True) if not m)  # unmasked views record 0.0


def test_patch_size_sets_the_grid() -> None:
    vg = augkit.image.dinov2(local_size=98, patch_size=14, masks=True, seed=0, output="numpy")
    views = vg(PHOTO, index=0)
    assert views[0]["mask"].shape == (16, 16) and views[1]["mask"].shape == (16, 16)
    assert isinstance(views[2], np.ndarray) and views[2].shape == (98, 98, 3)  # local views hold no mask


def test_masks_replay_from_json_records_and_batch_and_collate() -> None:
    vg = augkit.image.ibot(n_views=4, masks=True, seed=3, output="uint8")
    made = [vg.generate(PHOTO, index=i) for i in range(6)]
    for views in made:
        again = vg.replay(PHOTO, json.loads(json.dumps(views.params)))
        for a, b in zip(again[:2], views.items[:2], strict=True):
            assert torch.equal(a["image"], b["image"]) and np.array_equal(a["mask"], b["mask"])
    batch = vg.generate_batch([PHOTO] * 6, list(range(6)))
    for i, views in enumerate(made):
        assert np.array_equal(batch.items[0]["mask"][i], views.items[0]["mask"])
        assert torch.equal(batch.items[1]["image"][i], views.items[1]["image"])
    from augkit.datasets.collate import ViewCollate

    views, _ = ViewCollate()([(v, 0) for v in made])
    assert views[0]["mask"].dtype == torch.bool and views[0]["mask"].shape == (6, 14, 14)
    assert views[0]["image"].shape == (6, 3, 224, 224) and views[2].shape == (6, 3, 96, 96)


def test_a_malformed_mask_record_is_refused() -> None:
    op = PatchMask()
    with pytest.raises(ValueError, match="mask"):
        op.apply(PHOTO, {"applied": True, "ratio": 0.2, "mask": ["012"]})
    with pytest.raises(ValueError, match="grid"):
        op.apply(PHOTO, {"applied": True, "ratio": 0.2, "mask": ["0" * 3] * 3})


def test_the_preview_shades_masked_patches() -> None:
    from augkit.core import modalities

    vg = augkit.image.dinov2(n_views=2, masks=True, seed=0, output="numpy")
    view = next(v for i in range(20) for v in vg(PHOTO, index=i) if v["mask"].any())
    form = modalities.get("image")
    shaded = form.picture(view)
    assert shaded.shape == (224, 224, 3) and not np.array_equal(shaded, view["image"])
    assert "<img" in form.render(view, None, PHOTO)


def test_generate_stores_masks_as_npy(tmp_path: object) -> None:
    from pathlib import Path

    from augkit.generate import PairDataset, write_pairs

    out = Path(str(tmp_path)) / "out"
    vg = augkit.image.dinov2(size=32, local_size=16, patch_size=8, n_views=3, masks=True, seed=0, output="numpy")
    write_pairs([PHOTO, PHOTO[:100]], out, vg, formats={"image": "png"}, progress=False)
    names = sorted(p.name for p in out.rglob("*.tar"))
    assert names
    import tarfile

    with tarfile.open(next(out.rglob("*.tar"))) as tar:
        members = tar.getnames()
    assert any(m.endswith(".view0.mask.npy") for m in members) and not any(".view2.mask" in m for m in members)
    stored = list(PairDataset(out))
    first = vg(PHOTO, index=0)
    assert np.array_equal(stored[0][0][0]["mask"], first[0]["mask"])
    assert np.array_equal(stored[0][0][0]["image"], first[0]["image"])


@pytest.mark.parametrize("name", ["dinov2", "ibot"])
def test_an_expanded_spec_keeps_the_mask_field(name: str) -> None:
    vg = getattr(augkit.image, name)(64, local_size=32, n_views=3, masks=True, seed=4, output="uint8")
    spec = json.loads(json.dumps(augkit.config.dump(vg, expand=True)))
    assert spec["extra_fields"] == {"mask": "image.patch_mask"}
    again = augkit.config.load(spec)
    photo = np.random.default_rng(1).integers(0, 256, (80, 90, 3), dtype=np.uint8)
    masked = 0
    for i in range(8):
        for a, b in zip(vg(photo, index=i), again(photo, index=i), strict=True):
            assert type(a) is type(b)
            if isinstance(a, dict):
                masked += 1
                assert torch.equal(a["image"], b["image"]) and np.array_equal(np.asarray(a["mask"]), b["mask"])
            else:
                assert torch.equal(a, b)
    assert masked > 0


def test_a_spec_field_needs_an_op_whose_record_holds_it() -> None:
    spec = augkit.config.dump(augkit.image.ibot(64, local_size=32, n_views=3, masks=True, seed=0), expand=True)
    with pytest.raises(augkit.config.InvalidSpec, match=r"extra_fields\.mask: 'image\.horizontal_flip' holds no field"):
        augkit.config.load({**spec, "extra_fields": {"mask": "image.horizontal_flip"}})
    with pytest.raises(augkit.config.InvalidSpec, match=r"extra_fields\.mask: no augmenter named"):
        augkit.config.load({**spec, "extra_fields": {"mask": "image.no_such_op"}})
    own = augkit.ViewGenerator(augkit.image.HorizontalFlip(), seed=0, extra_fields={"m": lambda record: None})
    with pytest.raises(augkit.config.InvalidSpec, match="reader of your own"):
        augkit.config.dump(own)
