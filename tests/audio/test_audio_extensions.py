"""Audio files are found by the containers soundfile reads (Ogg audio as .oga too), and an empty folder
names the chosen modality's extensions only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from augkit.core import modalities
from augkit.core.errors import InvalidInput
from augkit.datasets import FolderDataset
from augkit.generate.sources import list_source


def test_an_oga_file_is_read_as_audio(tmp_path: Path) -> None:
    tone = (0.3 * np.sin(np.linspace(0, 400 * np.pi, 16000))).astype(np.float32)
    soundfile.write(tmp_path / "tone.oga", tone, 16000, format="OGG", subtype="VORBIS")
    assert ".oga" in modalities.get("audio").extensions
    ds = FolderDataset(tmp_path)
    assert ds.modality == "audio" and len(ds) == 1
    clip = ds[0]
    assert clip.shape == (1, 16000) and float(clip.abs().max()) > 0.1


def test_an_empty_folder_names_the_chosen_modality_s_extensions(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not audio\n")
    with pytest.raises(InvalidInput) as err:
        list_source(tmp_path, "audio")
    assert ".oga" in str(err.value) and ".png" not in str(err.value) and ".txt" not in str(err.value)
