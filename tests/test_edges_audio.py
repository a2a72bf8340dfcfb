"""Audio edges that used to fail: arrays with negative strides, non-contiguous batches."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

import augkit
from augkit import registry
from augkit.streams import stream

AUDIO_OPS = [n for n in registry.names() if n.startswith("audio.")]


def _reversed_inputs() -> dict[str, np.ndarray]:
    """Arrays with a negative stride: numpy calls the 1-frame ones contiguous and keeps that stride."""
    tone = np.sin(np.arange(16000, dtype=np.float32) * 0.05).astype(np.float32)
    stereo = np.stack([tone, -tone])
    return {
        "one frame [time]": np.full(1, 0.25, np.float32)[::-1],
        "one frame int16": np.full(1, 1000, np.int16)[::-1],
        "one frame [1, 1]": np.full((1, 1), 0.25, np.float32)[::-1, ::-1],
        "[time] reversed": tone[::-1],
        "[channels, time] reversed time": stereo[:, ::-1],
        "[channels, time] reversed channels": stereo[::-1],
        "[1, channels, time] reversed batch": np.stack([stereo])[::-1],
        "float64 reversed": tone.astype(np.float64)[::-1],
    }


def test_the_inputs_have_negative_strides() -> None:
    for name, x in _reversed_inputs().items():
        assert any(s < 0 for s in x.strides), name


@pytest.mark.parametrize("name", AUDIO_OPS)
@pytest.mark.parametrize("case", list(_reversed_inputs()))
def test_every_audio_op_takes_reversed_arrays_and_matches_their_copy(name: str, case: str) -> None:
    x = _reversed_inputs()[case]
    op = registry.get(name).example()
    got, params = op.augment(x, stream(3, 0, 0, 0))
    want = op.apply(np.array(x), params)  # a fresh C-ordered copy: the same values
    assert isinstance(got, np.ndarray) and got.dtype == np.float32 and got.ndim == x.ndim
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("case", ["one frame [time]", "one frame [1, 1]", "[channels, time] reversed channels"])
def test_save_writes_reversed_arrays(tmp_path: Path, case: str) -> None:
    x = _reversed_inputs()[case]
    path = augkit.audio.save(tmp_path / "clip.wav", x, 16000, subtype="FLOAT")
    wav, rate = augkit.audio.load(path)
    assert rate == 16000
    np.testing.assert_array_equal(wav.numpy(), np.atleast_2d(np.array(x)))


@pytest.mark.parametrize(("orig", "new"), [(16000, 8000), (44100, 16000), (44099, 44100)])
def test_resample_of_a_non_contiguous_batch_equals_its_contiguous_copy(orig: int, new: int) -> None:
    rng = np.random.default_rng(0)
    batch = torch.from_numpy(rng.uniform(-1, 1, (3, 4410, 2)).astype(np.float32)).transpose(1, 2)  # [3, 2, T]
    assert not batch.is_contiguous()
    got = augkit.audio.resample(batch, orig, new)
    want = augkit.audio.resample(batch.contiguous(), orig, new)
    assert got.shape == (3, 2, math.ceil(4410 * new / orig))
    assert torch.equal(got, want)


def test_resample_of_every_other_sample_and_of_a_channel_slice() -> None:
    x = torch.randn(2, 3, 3200, generator=torch.Generator().manual_seed(0))
    for view in (x[..., ::2], x[:, 1:], x[:, :, 100:-100], x.transpose(0, 1)):
        assert torch.equal(augkit.audio.resample(view, 16000, 8000), augkit.audio.resample(view.clone(), 16000, 8000))
