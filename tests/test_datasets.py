"""Dataset wrapper, collation for every modality, readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from augkit import Identity, ViewGenerator
from augkit.datasets import FolderDataset, Padded, ViewDataset, collate_items, collate_views, read_lines


def test_collate_stacks_equal_shapes_and_pads_ragged_ones() -> None:
    same = collate_items([torch.ones(3, 4), torch.zeros(3, 4)])
    assert isinstance(same, torch.Tensor) and same.shape == (2, 3, 4)
    ragged = collate_items([torch.ones(1, 5), torch.full((1, 3), 2.0)], pad_value=-1.0)
    assert isinstance(ragged, Padded)
    assert ragged.lengths.tolist() == [5, 3]
    assert ragged.values[1].tolist() == [[2.0, 2.0, 2.0, -1.0, -1.0]]
    assert collate_items(["a b", "c"]) == ["a b", "c"]
    with pytest.raises(ValueError, match="only the last axis may differ"):
        collate_items([torch.ones(3, 4), torch.ones(2, 4)])


def test_view_dataset_yields_views_and_labels() -> None:
    data = [(np.full(3, i, dtype=np.float32), i % 2) for i in range(4)]
    ds = ViewDataset(data, ViewGenerator(Identity(), n_views=2, seed=0, output=torch.from_numpy))
    views, labels = collate_views([ds[i] for i in range(4)])
    assert len(views) == 2 and views[0].shape == (4, 3)
    assert labels.tolist() == [0, 1, 0, 1]
    unlabelled = ViewDataset(["one", "two words"], ViewGenerator(Identity(), n_views=3, seed=0))
    views, labels = collate_views([unlabelled[0], unlabelled[1]])
    assert labels is None and views[2] == ["one", "two words"]
    with pytest.raises(ValueError, match="epoch=-1"):
        ds.set_epoch(-1)
    with pytest.raises(TypeError, match="ViewGenerator"):
        ViewDataset(data, Identity())  # type: ignore[arg-type]


def test_collate_views_rejects_mixed_view_counts() -> None:
    with pytest.raises(ValueError, match="different numbers of views"):
        collate_views([([1, 2], None), ([1], None)])


def test_read_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text("first line\n\n  \nsecond, with ü\n", encoding="utf-8")
    assert read_lines(path) == ["first line", "second, with ü"]
    path.write_bytes(b"\xff\xfe bad")
    with pytest.raises(ValueError, match="not utf-8 text"):
        read_lines(path)


def test_folder_dataset_reads_images_with_folder_labels(tmp_path: Path) -> None:
    for cls, colour in (("cat", (255, 0, 0)), ("dog", (0, 0, 255))):
        (tmp_path / cls).mkdir()
        Image.new("RGB", (5, 4), colour).save(tmp_path / cls / "a.png")
    (tmp_path / "notes.txt").write_text("ignored")
    ds = FolderDataset(tmp_path, labels_from_folders=True)
    assert ds.classes == ["cat", "dog"] and len(ds) == 2
    img, label = ds[1]
    assert img.shape == (4, 5, 3) and img.dtype == np.uint8 and label == 1 and img[0, 0].tolist() == [0, 0, 255]
    with pytest.raises(ValueError, match="no files with extensions"):
        FolderDataset(tmp_path / "cat", extensions=(".wav",))
    with pytest.raises(FileNotFoundError, match="not a folder"):
        FolderDataset(tmp_path / "missing")


def test_folder_dataset_loads_audio_files_as_waveforms(tmp_path: Path) -> None:
    from augkit import audio

    audio.save(tmp_path / "a.flac", torch.zeros(1, 800) + 0.25, 16000)
    ds = FolderDataset(tmp_path, extensions=(".flac",))
    wav = ds[0]
    assert isinstance(wav, torch.Tensor) and wav.shape == (1, 800)
    assert audio.Gain(0.0)(wav).shape == (1, 800)  # ready for the audio ops as it is
