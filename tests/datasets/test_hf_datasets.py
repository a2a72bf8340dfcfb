"""ViewDataset over a real Hugging Face ``datasets.Dataset`` made in memory: image, audio and text columns,
the augmented column decoded by augkit (audio from its bytes, without TorchCodec), the others passing through."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile
import torch
from PIL import Image

import augkit
from augkit import ViewGenerator
from augkit.core.errors import InvalidArgument
from augkit.datasets import ViewDataset

datasets = pytest.importorskip("datasets")


def _png(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _wav(seed: int, rate: int = 22050) -> bytes:
    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    soundfile.write(buf, (0.1 * rng.standard_normal(rate // 2)).astype(np.float32), rate, format="WAV")
    return buf.getvalue()


@pytest.fixture(scope="module")
def table() -> object:
    """Rows as a dataset loaded from files stores them: encoded bytes under Image and Audio features
    (built from an Arrow table: writing audio through ``datasets`` itself needs TorchCodec)."""
    import pyarrow as pa

    cell = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    arrow = pa.table({
        "image": pa.array([{"bytes": _png(i), "path": f"photo{i}.png"} for i in range(4)], type=cell),
        "audio": pa.array([{"bytes": _wav(i), "path": f"clip{i}.wav"} for i in range(4)], type=cell),
        "caption": [f"a photo number {i} of a red kite" for i in range(4)], "label": [0, 1, 0, 1]})
    features = datasets.Features({"image": datasets.Image(), "audio": datasets.Audio(),
                                  "caption": datasets.Value("string"), "label": datasets.Value("int64")})
    return datasets.Dataset(arrow).cast(features)


def test_an_image_generator_augments_the_image_column_and_passes_the_rest(table) -> None:
    ds = ViewDataset(table, augkit.image.simclr(32, seed=0, output="uint8"), column="image")
    views, rest = ds[2]
    assert views[0].shape == (3, 32, 32) and views[0].dtype == torch.uint8
    assert rest == {"audio": table.cast_column("audio", datasets.Audio(decode=False))[2]["audio"],
                    "caption": "a photo number 2 of a red kite", "label": 0}
    again, _ = ds[2]
    assert all(torch.equal(a, b) for a, b in zip(views, again, strict=True))  # reproducible by row index
    ds.set_epoch(1)
    later, _ = ds[2]
    assert not torch.equal(later[0], views[0])


def test_audio_is_decoded_from_its_bytes_at_the_generator_s_rate(table) -> None:
    vg = augkit.audio.audio_pairs(16000, seconds=0.25, seed=0)
    ds = ViewDataset(table, vg, column="audio")
    views, _ = ds[0]
    assert views[0].shape == (1, 4000)  # 0.5 s at 22.05 kHz read at 16 kHz, then cropped to 0.25 s


def test_dict_generators_take_their_fields_by_column_name(table) -> None:
    vg = ViewGenerator({"image": augkit.image.ops.RandomResizedCrop(24), "caption": augkit.text.RandomSwap(0.2)},
                       modality={"caption": "text"}, seed=1)
    views, rest = ViewDataset(table, vg)[1]
    assert rest is None and views[0]["image"].shape == (24, 24, 3) and isinstance(views[0]["caption"], str)
    assert views[0]["label"] == 1


def test_an_ambiguous_or_unknown_column_is_named(table) -> None:
    with pytest.raises(InvalidArgument, match="column="):
        ViewDataset(table.remove_columns(["audio"]).add_column("thumb", [{"bytes": _png(9), "path": "t.png"}] * 4,
                                                               feature=datasets.Image()),
                    augkit.image.simclr(32, seed=0))
    with pytest.raises(InvalidArgument, match="'photo'"):
        ViewDataset(table, augkit.image.simclr(32, seed=0), column="photo")
    text = ViewDataset(table, ViewGenerator(augkit.text.RandomSwap(0.2), seed=0))  # the one string column
    assert isinstance(text[0][0][0], str) and text[0][1]["label"] == 0
