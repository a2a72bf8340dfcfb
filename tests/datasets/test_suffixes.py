"""Choosing the files of a folder by suffix (``extensions=``) on real files: WAV and Ogg Vorbis clips
beside FLAC clips and notes, suffixes matched ignoring case, and every mistake named before any file
is read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from augkit.core import modalities
from augkit.core.errors import InvalidArgument, WrongArgumentType
from augkit.datasets import FolderDataset, read_sources
from augkit.datasets.suffixes import NoFiles, check_extensions, is_suffix

needs_ogg = pytest.mark.skipif("OGG" not in sf.available_formats(), reason="this libsndfile writes no Ogg")


@pytest.fixture
def sounds(tmp_path: Path) -> Path:
    """a.wav (mono, 16 kHz), sub/b.OGA (Ogg Vorbis, stereo, 16 kHz), c.flac, notes.txt."""
    folder = tmp_path / "sounds"
    (folder / "sub").mkdir(parents=True)
    t = np.arange(16000) / 16000
    sf.write(folder / "a.wav", 0.5 * np.sin(2 * np.pi * 440 * t), 16000)
    if "OGG" in sf.available_formats():
        sf.write(folder / "sub" / "b.OGA", np.stack([0.3 * np.sin(2 * np.pi * 220 * t)] * 2, axis=1), 16000,
                 format="OGG", subtype="VORBIS")
    sf.write(folder / "c.flac", np.zeros(800), 16000)
    (folder / "notes.txt").write_text("not a clip")
    return folder


def test_check_extensions_lowers_and_keeps_the_order_without_repeats() -> None:
    assert check_extensions([".WAV", ".oga", ".wav"], "audio") == (".wav", ".oga")
    assert check_extensions((".xyz",), readable=False) == (".xyz",)  # a custom loader reads them


@pytest.mark.parametrize("extensions, error, needle", [
    (".wav", WrongArgumentType, r"a sequence of suffixes, e.g. \('.wav',\), not one string"),
    ([], InvalidArgument, "give at least one suffix"),
    ([".wav", 3], WrongArgumentType, "every suffix must be a str, got int"),
    (["wav"], InvalidArgument, r"'wav' is not a file suffix; write one suffix with its dot"),
    ([""], InvalidArgument, "'' is not a file suffix"),
    (["."], InvalidArgument, "'.' is not a file suffix"),
    ([".tar.gz"], InvalidArgument, "'.tar.gz' is not a file suffix"),
    ([".mp4", ".wav"], InvalidArgument, r"the audio modality does not read \.mp4 files; it reads \.wav, \.flac"),
])
def test_check_extensions_names_what_is_wrong(extensions: object, error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        check_extensions(extensions, "audio")  # type: ignore[arg-type]


def test_an_extension_no_modality_reads_is_named_with_the_known_ones() -> None:
    with pytest.raises(InvalidArgument, match=r"no modality reads \.xyz files; known extensions: .*\.png.*\.wav"):
        check_extensions([".png", ".xyz"])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcXYZ019_-.", min_size=0, max_size=8))
def test_is_suffix_agrees_with_what_path_suffix_gives(text: str) -> None:
    # a suffix is exactly what Path.suffix gives of some file name ending in it
    assert is_suffix(text) == (text != "" and Path("name" + text).suffix == text and text != ".")


@needs_ogg
def test_a_folder_gives_only_the_files_with_the_extensions_any_case(sounds: Path) -> None:
    clips = FolderDataset(sounds, modality="audio", extensions=(".wav", ".oga"))
    assert [p.relative_to(sounds).as_posix() for p in clips.paths] == ["a.wav", "sub/b.OGA"]
    wav, oga = clips[0], clips[1]
    assert isinstance(wav, torch.Tensor) and wav.shape == (1, 16000)
    np.testing.assert_allclose(wav[0].numpy(), sf.read(sounds / "a.wav", dtype="float32")[0], atol=1e-6)
    assert oga.shape[0] == 1 and abs(oga.shape[1] - 16000) < 100  # stereo mixed down to mono, as by default
    samples, kind = read_sources(sounds, "audio", extensions=[".OGA"])
    assert kind == "audio" and len(samples) == 1
    assert len(read_sources(sounds, "audio")[0]) == 3  # no extensions: every suffix the modality reads


def test_a_file_named_as_a_source_is_read_whatever_the_extensions(sounds: Path) -> None:
    samples, _ = read_sources([sounds, sounds / "c.flac"], "audio", extensions=[".wav"])
    assert [s.shape[-1] for s in samples] == [16000, 800]


def test_extensions_are_checked_before_any_file_is_looked_at(sounds: Path) -> None:
    with pytest.raises(InvalidArgument, match=r"the image modality does not read \.wav files; it reads \.jpg"):
        read_sources(sounds / "missing", "image", extensions=[".wav"])
    with pytest.raises(InvalidArgument, match=r"the audio modality does not read \.txt files"):
        FolderDataset(sounds, modality="audio", extensions=(".txt",))


def test_no_file_with_the_extensions_names_them(sounds: Path) -> None:
    with pytest.raises(NoFiles, match=r"no files with extensions \['.mp3', '.au'\] \(audio files\) under") as info:
        read_sources(sounds, "audio", extensions=[".MP3", ".au"])
    assert info.value.chosen and info.value.extensions == (".mp3", ".au") and info.value.modality == "audio"
    assert info.value.folder == str(sounds)
    empty = sounds / "empty"
    empty.mkdir()
    with pytest.raises(NoFiles, match=r"no files with extensions \['.wav', '.flac'.*\(audio files\)") as info:
        FolderDataset(empty, modality="audio")
    assert not info.value.chosen and info.value.extensions == modalities.get("audio").extensions


def test_images_by_extension_and_a_loader_for_any_suffix(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    Image.fromarray(rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)).save(tmp_path / "a.PNG")
    Image.fromarray(rng.integers(0, 256, (6, 7), dtype=np.uint8)).save(tmp_path / "b.jpg")
    Image.fromarray(rng.integers(0, 256, (6, 7, 3), dtype=np.uint8)).save(tmp_path / "c.bmp")
    (tmp_path / "d.raw").write_bytes(b"\x00" * 42)
    photos, kind = read_sources(tmp_path, extensions=[".png", ".jpg"])
    assert kind == "image" and [p.shape for p in photos] == [(6, 7, 3), (6, 7, 3)]  # read as RGB by default
    raw = FolderDataset(tmp_path, extensions=(".RAW",), loader=lambda p: p.stat().st_size)
    assert list(raw) == [42]
