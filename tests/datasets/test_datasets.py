"""Dataset wrapper, collation for every modality, readers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from augkit import Identity, ViewGenerator
from augkit.datasets import (
    FolderDataset,
    ModalityMismatch,
    Padded,
    ViewDataset,
    collate_items,
    collate_views,
    make_collate,
    read_lines,
    read_sources,
)


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
    ds = FolderDataset(tmp_path, labels_from_folders=True)
    assert ds.classes == ["cat", "dog"] and len(ds) == 2 and ds.modality == "image"
    img, label = ds[1]
    assert img.shape == (4, 5, 3) and img.dtype == np.uint8 and label == 1 and img[0, 0].tolist() == [0, 0, 255]
    with pytest.raises(ValueError, match="no files with extensions"):
        FolderDataset(tmp_path / "cat", extensions=(".wav",))
    with pytest.raises(FileNotFoundError, match="not a folder"):
        FolderDataset(tmp_path / "missing")


def test_folder_dataset_of_mixed_modalities_needs_a_modality(tmp_path: Path) -> None:
    for name in ("a.png", "b.png"):
        Image.new("RGB", (5, 4), (9, 9, 9)).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("a note, not a photo")
    with pytest.raises(ValueError, match=r"several modalities \(2 image files, 1 text file\).*modality='image'"):
        FolderDataset(tmp_path)
    photos = FolderDataset(tmp_path, modality="image")
    assert len(photos) == 2 and photos.modality == "image" and photos[0].shape == (4, 5, 3)
    notes = FolderDataset(tmp_path, modality="text")
    assert list(notes) == ["a note, not a photo"]  # a folder of texts: one sample per file
    with pytest.raises(ValueError, match="no modality named 'smell'"):
        FolderDataset(tmp_path, modality="smell")


def test_folder_dataset_loads_audio_files_as_waveforms(tmp_path: Path) -> None:
    from augkit import audio

    audio.save(tmp_path / "a.flac", torch.zeros(1, 800) + 0.25, 16000)
    ds = FolderDataset(tmp_path, extensions=(".flac",))
    wav = ds[0]
    assert isinstance(wav, torch.Tensor) and wav.shape == (1, 800)
    assert audio.Gain(0.0)(wav).shape == (1, 800)  # ready for the audio ops as it is


def test_folder_dataset_passes_load_options_to_the_modality(tmp_path: Path) -> None:
    from augkit import audio

    audio.save(tmp_path / "a.flac", torch.zeros(1, 800) + 0.25, 8000)
    ds = FolderDataset(tmp_path, modality="audio", sample_rate=16000)
    assert ds.modality == "audio" and ds[0].shape == (1, 1600)  # resampled to 16 kHz on load
    with pytest.raises(TypeError, match="custom loader takes the path only"):
        FolderDataset(tmp_path, loader=lambda p: p, sample_rate=16000)
    assert FolderDataset(tmp_path, extensions=(".flac",), loader=lambda p: p.name)[0] == "a.flac"


def test_folder_dataset_with_extensions_loads_each_file_by_its_own_modality(tmp_path: Path) -> None:
    from augkit import audio

    audio.save(tmp_path / "a.flac", torch.zeros(1, 80), 8000)
    Image.new("RGB", (3, 2), (1, 2, 3)).save(tmp_path / "b.png")
    (tmp_path / "c.xyz").write_text("?")
    ds = FolderDataset(tmp_path, extensions=(".flac", ".png"))
    assert ds.modality == ""  # the kept files span two modalities
    assert isinstance(ds[0], torch.Tensor) and ds[0].shape == (1, 160)  # 80 samples at 8 kHz, read at 16 kHz
    assert isinstance(ds[1], np.ndarray) and ds[1][0, 0].tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match=r"no modality reads \.xyz files"):
        FolderDataset(tmp_path, extensions=(".xyz",))


def _photos_and_texts(root: Path) -> tuple[Path, Path]:
    folder = root / "photos"
    folder.mkdir()
    for i, name in enumerate(("b.png", "a.png")):
        Image.new("RGB", (4, 4), (i, i, i)).save(folder / name)
    text = root / "s.txt"
    text.write_text("first line\n\nsecond line\nthird\n", encoding="utf-8")
    return folder, text


def test_read_sources_reads_folders_and_files(tmp_path: Path) -> None:
    folder, text = _photos_and_texts(tmp_path)
    photos, kind = read_sources([folder, folder / "b.png"])
    assert kind == "image" and len(photos) == 3
    assert [int(p[0, 0, 0]) for p in photos] == [1, 0, 0]  # a.png, b.png sorted, then b.png named alone
    lines, kind = read_sources(str(text))
    assert (lines, kind) == (["first line", "second line", "third"], "text")
    assert read_sources([text, text], limit=4)[0] == ["first line", "second line", "third", "first line"]
    assert read_sources([text], modality="text") == (lines, "text")


def test_read_sources_names_what_is_wrong(tmp_path: Path) -> None:
    folder, text = _photos_and_texts(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"nope\.jpg"):
        read_sources([folder, tmp_path / "nope.jpg"])
    odd = tmp_path / "notes.md"
    odd.write_text("# hi")
    with pytest.raises(ValueError, match=r"notes\.md: no modality reads \.md files; known extensions: .*\.jpg"):
        read_sources([odd])
    with pytest.raises(ValueError, match=r"mix modalities: image \(.*photos\), text \(.*s\.txt\)"):
        read_sources([folder, text])
    with pytest.raises(ModalityMismatch, match=r"s\.txt holds text, not image") as err:
        read_sources([text], modality="image")
    assert (err.value.found, err.value.wanted) == ("text", "image")
    with pytest.raises(ModalityMismatch, match=r"photos holds image, not audio"):
        read_sources([folder], modality="audio")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n")
    with pytest.raises(ValueError, match="hold no samples"):
        read_sources([blank])
    with pytest.raises(ValueError, match="limit=0"):
        read_sources([text], limit=0)


@settings(max_examples=40, deadline=None)
@given(lines=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12), max_size=12),
       limit=st.integers(1, 15))
def test_read_sources_of_a_text_file_is_its_non_blank_lines(lines: list[str], limit: int) -> None:
    import tempfile

    text = "\n".join(lines)
    expected = [line for line in text.splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lines.txt"
        path.write_text(text, encoding="utf-8")
        if not expected:
            with pytest.raises(ValueError, match="hold no samples"):
                read_sources([path], limit=limit)
            return
        assert read_sources([path], limit=limit) == (expected[:limit], "text")


def test_collate_views_by_modality() -> None:
    clips = [([torch.ones(1, 5), torch.ones(1, 4)], 0), ([torch.ones(1, 3), torch.ones(1, 4)], 1)]
    views, labels = collate_views(clips, pad_value=-1.0, modality="audio")
    assert isinstance(views[0], Padded) and views[0].values[1].tolist() == [[1.0, 1.0, 1.0, -1.0, -1.0]]
    assert views[1].shape == (2, 1, 4) and labels.tolist() == [0, 1]

    def tokenizer(texts: list[str], upper: bool = False) -> list[str]:
        return [t.upper() if upper else t for t in texts]

    texts = [(["a b", "c"], None), (["d", "e f"], None)]
    assert collate_views(texts, modality="text")[0] == [["a b", "d"], ["c", "e f"]]
    assert collate_views(texts, modality="text", tokenizer=tokenizer, upper=True)[0] == [["A B", "D"], ["C", "E F"]]
    with pytest.raises(ValueError, match=r"text views are not padded \(pad_value=-1.0\)"):
        collate_views(texts, pad_value=-1.0, modality="text")
    with pytest.raises(TypeError, match="pass modality="):
        collate_views(texts, tokenizer=tokenizer)
    photos = [([np.zeros((2, 3, 3), np.uint8)], None)] * 2
    assert collate_views(photos, modality="image")[0][0].shape == (2, 2, 3, 3)


def test_make_collate_is_a_picklable_collate_fn() -> None:
    import pickle

    collate = pickle.loads(pickle.dumps(make_collate("audio", pad_value=0.5)))
    views, _ = collate([([torch.ones(1, 2)], None), ([torch.ones(1, 1)], None)])
    assert views[0].values.tolist() == [[[1.0, 1.0]], [[1.0, 0.5]]]
    with pytest.raises(ValueError, match="no modality named 'smell'"):
        make_collate("smell")
