"""The audio ops' batch kernels: called once per batch by generate_batch, equal to the per-clip transform."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from augkit import ViewGenerator
from augkit.audio import AddNoise, Gain, PitchShift, RandomCrop, TimeShift, TimeStretch
from augkit.audio.crop import crop_gather
from augkit.audio.shift import shift_gather

OPS = [
    Gain(gain_db=(-6, 6)),
    AddNoise(snr_db=(5, 20)),
    TimeShift(fraction=(-0.5, 0.5), rollover=True),
    TimeShift(fraction=(-0.5, 0.5), rollover=False),
    RandomCrop(seconds=0.1, sample_rate=16000),
    TimeStretch(rate=(0.8, 1.25), keep_length=True),
    TimeStretch(rate=1.25),
    PitchShift(semitones=(-4, -1)),
]


@pytest.mark.parametrize("op", OPS, ids=lambda op: repr(op))
def test_each_kernel_runs_once_per_view_not_once_per_clip(op: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    clips = [torch.randn(2, 4000, generator=torch.Generator().manual_seed(i)) * 0.1 for i in range(8)]
    vg = ViewGenerator(op, n_views=2, seed=4)
    calls = {"batch": 0, "single": 0}
    cls = type(op)
    kernel, single = cls.transform_batch, cls.transform

    def counted_batch(self: Any, batch: Any, records: Any) -> Any:
        calls["batch"] += 1
        return kernel(self, batch, records)

    def counted_single(self: Any, x: Any, params: Any) -> Any:
        calls["single"] += 1
        return single(self, x, params)

    monkeypatch.setattr(cls, "transform_batch", counted_batch)
    monkeypatch.setattr(cls, "transform", counted_single)
    made = vg.generate_batch(clips, list(range(8)))
    assert calls == {"batch": 2, "single": 0}
    monkeypatch.undo()
    for i, clip in enumerate(clips):
        view = vg.generate(clip, index=i)
        assert made.params[i] == view.params
        for k in range(2):
            assert torch.allclose(made.items[k][i], view.items[k], atol=1e-4, rtol=0)


@pytest.mark.parametrize("rollover", [True, False])
def test_the_device_gather_of_shifts_equals_the_per_clip_shift(rollover: bool) -> None:
    batch = torch.randn(5, 2, 50)
    shifts = [0, 7, -13, 50, -50] if not rollover else [0, 7, 37, 49, 1]
    op = TimeShift(rollover=rollover)
    want = torch.stack([op.transform(batch[i], {"applied": True, "shift": s}) for i, s in enumerate(shifts)])
    assert torch.equal(shift_gather(batch, shifts, rollover), want)


def test_the_device_gather_of_crops_equals_the_per_clip_crop() -> None:
    batch = torch.randn(4, 1, 300)
    op = RandomCrop(seconds=0.01, sample_rate=16000)  # 160 samples
    offsets = [0, 100, 140, 299]  # the last two run past the clip's end: zeros there
    want = torch.stack([op.transform(batch[i], {"applied": True, "offset": o}) for i, o in enumerate(offsets)])
    assert torch.equal(crop_gather(batch, offsets, op.length), want)
