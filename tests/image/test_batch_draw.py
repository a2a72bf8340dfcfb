"""The batch engine's draws: many streams computed at once give the records generate() draws one by one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit import Compose, ViewGenerator, image
from augkit.core import RECORD_FORMAT, modalities
from augkit.core.engine import Batch, Keys
from augkit.core.streams import digest, digests, stream, uniform_blocks, uniforms
from augkit.image import generate_batch
from augkit.image.ops import (
    CROP_TRIES,
    ColorJitter,
    GaussianBlur,
    HorizontalFlip,
    RandomResizedCrop,
    Solarize,
    ToGray,
)


def draw_views(pipelines: list[Compose], images: list[np.ndarray], seed: int, epoch: int,
               indices: list[int]) -> list[list[dict]]:
    """The records the batch engine draws, per image and view (the views themselves need not stack)."""
    form = modalities.get("image")
    per_view = [p.augment_batch(Batch(form, images), Keys((seed, epoch), indices, (k,)))
                for k, p in enumerate(pipelines)]
    return [[{"format": RECORD_FORMAT, **per_view[k][i]} for k in range(len(pipelines))] for i in range(len(images))]

keys = st.tuples(st.integers(0, 2**63), st.integers(0, 1000))


@settings(max_examples=40, deadline=None)
@given(prefix=keys, middle=st.lists(st.integers(0, 2**40), min_size=1, max_size=20),
       suffixes=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=1, max_size=4),
       n=st.integers(1, 45))
def test_uniforms_are_the_streams_doubles(prefix: tuple[int, int], middle: list[int],
                                          suffixes: list[tuple[int, int]], n: int) -> None:
    words = digests(prefix, middle, suffixes)
    expected_keys = [(*prefix, i, *s) for s in suffixes for i in middle]
    assert words.shape == (len(expected_keys), 2)
    for row, key in zip(words, expected_keys, strict=True):
        assert (row == digest(key)).all()
    got = uniforms(words, n)
    assert got.shape == (len(expected_keys), n)
    for row, key in zip(got, expected_keys, strict=True):
        assert row.tolist() == stream(*key).random(n).tolist()  # every bit: the same doubles
    # streams of different lengths in one pass, one after another
    blocks = np.arange(len(expected_keys)) % 3 + 1
    flat, start = uniform_blocks(words, blocks), 0
    for count, key in zip(blocks.tolist(), expected_keys, strict=True):
        assert flat[start : start + 4 * count].tolist() == stream(*key).random(4 * count).tolist()
        start += 4 * count
    assert start == len(flat)


def _pipelines(draw: st.DrawFn) -> list[Compose]:
    """Pipelines of the batchable ops with probabilities of 0, 1 and in between, and fixed ranges."""
    prob = st.sampled_from([0.0, 0.3, 0.8, 1.0])
    out = []
    for _ in range(draw(st.integers(1, 3))):
        ops: list = [RandomResizedCrop(draw(st.integers(4, 24)), scale=draw(st.sampled_from([(0.08, 1.0), (0.9, 1.0),
                                                                                            (0.5, 0.5)])),
                                       ratio=draw(st.sampled_from([(3 / 4, 4 / 3), (0.2, 5.0), (1.0, 1.0)])),
                                       p=draw(prob))]
        if draw(st.booleans()):
            ops.append(HorizontalFlip(p=draw(prob)))
        if draw(st.booleans()):
            ops.append(ColorJitter(0.8, (1.2, 1.2), 0.4, draw(st.sampled_from([0.1, (0.0, 0.0)])), p=draw(prob)))
        if draw(st.booleans()):
            ops.append(ToGray(p=draw(prob)))
        if draw(st.booleans()):
            ops.append(GaussianBlur(draw(st.sampled_from([(0.1, 2.0), (1.5, 1.5)])),
                                    kernel_size=draw(st.sampled_from([None, 3])), p=draw(prob)))
        if draw(st.booleans()):
            ops.append(Solarize(p=draw(prob)))
        out.append(Compose(ops))
    return out


@settings(max_examples=60, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**32), epoch=st.integers(0, 50),
       sides=st.lists(st.tuples(st.integers(1, 40), st.integers(1, 40)), min_size=1, max_size=12))
def test_batched_draws_equal_generate_records(data: st.DataObject, seed: int, epoch: int,
                                              sides: list[tuple[int, int]]) -> None:
    pipelines = _pipelines(data.draw)
    rng = np.random.default_rng(seed)
    images = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in sides]
    indices = data.draw(st.lists(st.integers(0, 10**6), min_size=len(images), max_size=len(images)))
    vg = ViewGenerator(pipelines, seed=seed)
    got = draw_views(pipelines, images, seed, epoch, indices)
    for x, index, records in zip(images, indices, got, strict=True):
        # repr, not ==: 1 == 1.0 == np.float64(1), but a record holds plain JSON values
        assert repr(records) == repr(vg.generate(x, index=index, epoch=epoch).params)


def test_crops_beyond_the_batched_tries_come_from_the_op_itself() -> None:
    # narrow images: most tries fail, so many crops are drawn by the op (the centred fallback too)
    images = [np.zeros((30, 3, 3), np.uint8) + i for i in range(20)]
    vg = image.simclr_cifar(8, seed=5, output="uint8")
    crop = vg.pipelines[0].ops[0]
    drawn = crop.draw_uniforms(images, uniforms(digests((5, 0), list(range(20)), [(0, 0)]), 4 * CROP_TRIES))
    assert 0 < drawn.count(None) < 20  # some crops fit within the batched tries, the others are the op's
    batch = generate_batch(vg, images, list(range(20)))
    for i, x in enumerate(images):
        assert batch.params[i] == vg.generate(x, index=i).params
