"""What a generate job lists from a folder when the caller chooses the suffixes (``extensions``): only
entries with them, in any case, class sub-folders kept; an entry with one that cannot be read still
becomes a recorded problem; the suffixes are checked before anything is listed."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from augkit.core.errors import InvalidArgument
from augkit.datasets.suffixes import NoFiles
from augkit.generate.sources import list_source


@pytest.fixture
def sounds(tmp_path: Path) -> Path:
    """dog/a.wav, cat/b.WAV, c.flac, notes.txt, and FIFOs named pipe.wav and pipe.flac."""
    folder = tmp_path / "sounds"
    for sub in ("dog", "cat"):
        (folder / sub).mkdir(parents=True)
    clip = 0.1 * np.random.default_rng(4).standard_normal(1600)
    sf.write(folder / "dog" / "a.wav", clip, 16000)
    sf.write(folder / "cat" / "b.WAV", clip, 16000)
    sf.write(folder / "c.flac", clip, 16000)
    (folder / "notes.txt").write_text("not a clip")
    os.mkfifo(folder / "pipe.wav")
    os.mkfifo(folder / "pipe.flac")
    return folder


def test_only_the_entries_with_the_extensions_are_listed(sounds: Path) -> None:
    items, kind, classes = list_source(sounds, "audio", extensions=(".WAV",))
    assert kind == "audio" and classes == ["cat", "dog"]
    listed = [(Path(str(i.source)).relative_to(sounds).as_posix(), i.label_name, i.problem is None) for i in items]
    assert listed == [("cat/b.WAV", "cat", True), ("dog/a.wav", "dog", True), ("pipe.wav", None, False)]
    assert "FIFO" in str(items[2].problem)  # a FIFO named like a clip is recorded, never opened
    everything, _, _ = list_source(sounds, "audio")
    assert {Path(i.source).name for i in everything} == {"a.wav", "b.WAV", "c.flac", "pipe.wav", "pipe.flac"}


def test_without_a_modality_the_extensions_choose_it(sounds: Path) -> None:
    items, kind, _ = list_source(sounds, "", extensions=[".flac"])
    assert kind == "audio" and [Path(i.source).name for i in items] == ["c.flac", "pipe.flac"]


def test_a_folder_without_such_files_names_the_extensions(sounds: Path) -> None:
    with pytest.raises(NoFiles, match=r"sounds holds no audio files with extensions \.mp3, \.oga$") as info:
        list_source(sounds, "audio", extensions=[".mp3", ".OGA"])
    assert info.value.chosen and info.value.extensions == (".mp3", ".oga") and info.value.folder == str(sounds)
    empty = sounds / "empty"
    empty.mkdir()
    with pytest.raises(NoFiles, match=r"empty holds no audio files \(\.wav, \.flac") as info:
        list_source(empty, "audio")
    assert not info.value.chosen


def test_extensions_are_checked_before_anything_is_listed(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match=r"the audio modality does not read \.png files; it reads \.wav"):
        list_source(tmp_path / "missing", "audio", extensions=[".wav", ".png"])
    with pytest.raises(InvalidArgument, match="'wav' is not a file suffix"):
        list_source(tmp_path, "audio", extensions=["wav"])
