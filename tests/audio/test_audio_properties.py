"""Property test of the basic audio ops over layouts, dtypes, containers and lengths."""

from __future__ import annotations

import json

import numpy as np
import torch
from audio_support import SR
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit import audio

OPS = [
    audio.Gain(),
    audio.AddNoise(color="white"),
    audio.AddNoise(snr_db=(0, 30), color="brown"),
    audio.TimeShift(),
    audio.TimeShift(fraction=(-1, 1), rollover=False),
    audio.RandomCrop(0.05, SR),
    audio.AddBackgroundNoise([torch.linspace(-0.2, 0.3, 700)]),
    audio.Gain(p=0.5),  # batches that mix fired and passed-through examples
    audio.AddNoise(color="pink", p=0.5),
    audio.TimeShift(rollover=False, p=0.5),
]


@settings(max_examples=60, deadline=None)
@given(
    shape=st.sampled_from(["time", "channels_time", "batch"]),
    channels=st.integers(1, 3),
    batch=st.integers(1, 3),
    length=st.integers(1, 3000),
    dtype=st.sampled_from(["float32", "float64", "int16"]),
    container=st.sampled_from(["numpy", "torch"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_ops_keep_layout_replay_and_match_per_example(
    shape: str, channels: int, batch: int, length: int, dtype: str, container: str, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    dims = {"time": (length,), "channels_time": (channels, length), "batch": (batch, channels, length)}[shape]
    x = rng.standard_normal(dims) * 0.3
    x = np.clip(x * 32768, -32768, 32767).astype(np.int16) if dtype == "int16" else x.astype(dtype)
    data = x if container == "numpy" else torch.from_numpy(x)
    for op in OPS:
        y, params = op.augment(data, np.random.default_rng(seed))
        expected_length = op.length if isinstance(op, audio.RandomCrop) else length
        assert y.shape == (*dims[:-1], expected_length), op
        if container == "numpy":
            assert isinstance(y, np.ndarray) and y.dtype == np.float32
        else:
            assert isinstance(y, torch.Tensor) and y.dtype == torch.float32
        assert bool(np.all(np.isfinite(np.asarray(y))))
        assert json.loads(json.dumps(params)) == params
        replay = op.apply(data, json.loads(json.dumps(params)))
        np.testing.assert_array_equal(np.asarray(replay), np.asarray(y))
        if shape == "batch":
            for i in range(batch):
                alone = op.apply(data[i], params["batch"][i])
                np.testing.assert_allclose(np.asarray(alone), np.asarray(y[i]), atol=1e-5, rtol=0)
