"""ViewDataset over a real Hugging Face ``datasets.Dataset`` made in memory: image, audio and text columns,
the augmented column decoded by augkit (audio from its bytes, without TorchCodec), the others passing through."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import soundfile
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


# -- columns of file paths: cells {"bytes": None, "path": ...}, loaded from the file -------------------------


@pytest.fixture
def photo_files(tmp_path) -> list[str]:
    """Real PNG and JPEG files on disk, one of them grayscale (a folder a user builds a dataset from)."""
    rng = np.random.default_rng(5)
    paths = []
    for i, (mode, suffix) in enumerate([("RGB", "png"), ("L", "png"), ("RGB", "jpg"), ("RGB", "png")]):
        shape = (36 + i, 44, 3) if mode == "RGB" else (36 + i, 44)
        path = tmp_path / f"{i}_photo.{suffix}"
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(path)
        paths.append(str(path))
    return paths


def _same(a: object, b: object) -> bool:
    return all(torch.equal(torch.as_tensor(x), torch.as_tensor(y)) for x, y in zip(a, b, strict=True))


def test_an_image_column_of_paths_gives_the_views_of_the_folder_read_by_row_index(photo_files) -> None:
    from augkit.datasets import FolderDataset

    hf = datasets.Dataset.from_dict({"img": photo_files, "label": [0, 1, 0, 1]}).cast_column("img", datasets.Image())
    vg = augkit.image.simclr_cifar(32, seed=0)
    ds = ViewDataset(hf, vg, column="img")
    folder = ViewDataset(FolderDataset(str(Path(photo_files[0]).parent)), vg)
    for i in range(4):
        views, label = ds[i]
        assert views[0].shape == (3, 32, 32) and label == i % 2  # the grayscale file read as RGB, as the readers do
        assert _same(views, folder[i][0])  # the same file, the same row index: the same views
    first = ds[1][0]
    assert _same(first, ds[1][0])
    ds.set_epoch(3)
    later = ds[1][0]
    assert not torch.equal(later[0], first[0]) and _same(later, ds[1][0])
    folder.set_epoch(3)
    assert _same(later, folder[1][0])


def test_path_cells_and_embedded_bytes_give_the_same_views(photo_files) -> None:
    paths = datasets.Dataset.from_dict({"img": photo_files}).cast_column("img", datasets.Image())
    embedded = datasets.Dataset.from_dict({"img": [{"bytes": Path(p).read_bytes(), "path": p} for p in photo_files]})
    embedded = embedded.cast_column("img", datasets.Image())
    vg = augkit.image.simclr(24, seed=4, output="uint8")
    a, b = ViewDataset(paths, vg, column="img"), ViewDataset(embedded, vg, column="img")
    assert all(_same(a[i][0], b[i][0]) for i in range(4))


@pytest.mark.parametrize("decode", [True, False])
def test_an_audio_column_of_paths_is_read_with_soundfile_at_the_generator_s_rate(tmp_path, decode: bool) -> None:
    from augkit.datasets import FolderDataset

    rng = np.random.default_rng(2)
    files = []
    for i, (rate, channels) in enumerate([(22050, 1), (8000, 2), (16000, 1)]):
        path = tmp_path / f"{i}.{'flac' if i == 1 else 'wav'}"
        soundfile.write(path, (0.1 * rng.standard_normal((rate, channels))).astype(np.float32), rate)
        files.append(str(path))
    hf = datasets.Dataset.from_dict({"clip": files}).cast_column("clip", datasets.Audio(decode=decode))
    vg = augkit.audio.audio_pairs(16000, seconds=0.25, seed=0)
    ds, folder = ViewDataset(hf, vg), ViewDataset(FolderDataset(tmp_path, modality="audio"), vg)
    for i in range(3):
        views, rest = ds[i]
        assert views[0].shape == (1, 4000) and rest is None  # mono at 16 kHz, whatever the file's rate and channels
        assert _same(views, folder[i][0])


def test_dict_generators_load_their_path_columns(photo_files) -> None:
    hf = datasets.Dataset.from_dict({"image": photo_files, "caption": [f"photo {i}" for i in range(4)]})
    hf = hf.cast_column("image", datasets.Image())
    vg = ViewGenerator({"image": augkit.image.ops.RandomResizedCrop(24), "caption": augkit.text.RandomSwap(0.2)},
                       modality={"caption": "text"}, seed=1)
    views, _ = ViewDataset(hf, vg)[1]
    assert views[0]["image"].shape == (24, 24, 3) and sorted(views[0]["caption"].split()) == ["1", "photo"]


def test_a_cell_without_bytes_or_a_readable_file_names_the_row_the_column_and_the_path(photo_files, tmp_path) -> None:
    from augkit.core.errors import AugkitError, InvalidInput, MissingFile

    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"not a png at all")
    cells = [photo_files[0], str(tmp_path / "gone.png"), None, str(garbage)]
    hf = datasets.Dataset.from_dict({"img": cells}).cast_column("img", datasets.Image())
    ds = ViewDataset(hf, augkit.image.simclr_cifar(32, seed=0), column="img")
    assert ds[0][0][0].shape == (3, 32, 32)
    with pytest.raises(MissingFile, match=r"row 1, column 'img'.*gone\.png.*names no file"):
        ds[1]
    with pytest.raises(InvalidInput, match=r"row 2, column 'img': the cell holds neither bytes nor a path"):
        ds[2]
    with pytest.raises(InvalidInput, match=r"row 3, column 'img'.*garbage\.png"):
        ds[3]
    assert issubclass(MissingFile, FileNotFoundError) and issubclass(InvalidInput, (AugkitError, ValueError))


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(["png", "gray", "garbage", "empty", "missing", "none"]), min_size=1, max_size=4),
       data=st.binary(max_size=64))
def test_any_column_of_paths_gives_views_or_an_error_naming_the_row_and_column(tmp_path, kinds, data) -> None:
    """Whatever a user's path column holds (good files, garbage, empty files, missing files, None),
    each row gives views equal to the file's or one augkit error naming that row and the column."""
    from augkit.core.errors import AugkitError

    cells = []
    for i, kind in enumerate(kinds):
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}_{i}.png"
        if kind in ("png", "gray"):
            Image.fromarray(np.full((20, 30), 40 * i, np.uint8)).convert("L" if kind == "gray" else "RGB").save(path)
        elif kind in ("garbage", "empty"):
            path.write_bytes(data if kind == "garbage" else b"")
        cells.append(None if kind == "none" else str(path))
    hf = datasets.Dataset.from_dict({"photo": cells}).cast_column("photo", datasets.Image())
    ds = ViewDataset(hf, augkit.image.simclr(16, seed=0, output="uint8"), column="photo")
    for i, kind in enumerate(kinds):
        try:
            views, _ = ds[i]
        except (ValueError, TypeError, FileNotFoundError) as err:
            assert isinstance(err, AugkitError) and kind not in ("png", "gray")
            assert str(err).startswith(f"row {i}, column 'photo'")
            continue
        assert kind in ("png", "gray") and views[0].shape == (3, 16, 16)
