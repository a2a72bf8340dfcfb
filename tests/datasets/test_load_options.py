"""Reader options: FolderDataset, ManifestDataset and read_sources refuse an option the modality's
``load`` does not take (naming it and those it takes), and the ones it takes keep working, on real files."""

from __future__ import annotations

import json
import keyword
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from augkit.core.errors import AugkitError, WrongArgumentType
from augkit.datasets import FolderDataset, ManifestDataset, read_sources


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(folder / "a_colour.png")
    Image.fromarray(rng.integers(0, 256, (20, 30), dtype=np.uint8), "L").save(folder / "b_gray.png")
    return folder


@pytest.fixture
def clips(tmp_path: Path) -> Path:
    folder = tmp_path / "clips"
    folder.mkdir()
    rng = np.random.default_rng(1)
    sf.write(folder / "mono.wav", (0.1 * rng.standard_normal(8000)).astype(np.float32), 8000)
    sf.write(folder / "stereo.flac", (0.1 * rng.standard_normal((4000, 2))).astype(np.float32), 8000)
    return folder


@pytest.mark.parametrize("option", [{"bogus": 1}, {"mode": "RGB"}, {"sample_rate": 16000}, {"colour": "gray"}])
def test_a_photo_folder_refuses_an_option_its_loader_does_not_take(photos: Path, option: dict) -> None:
    (name, value), = option.items()
    with pytest.raises(WrongArgumentType, match=rf"FolderDataset\('.*photos'\): image files take no option "
                                                rf"{name}={value!r}; the options they take \(defaults shown\): "
                                                r"color='rgb'; remove it or correct its name"):
        FolderDataset(photos, **option)
    with pytest.raises(TypeError, match=name):  # a TypeError, as for any unexpected keyword
        FolderDataset(photos, modality="image", **option)


def test_an_audio_folder_names_the_options_it_takes(clips: Path) -> None:
    with pytest.raises(WrongArgumentType, match=r"audio files take no option color='gray'.*sample_rate=16000, "
                                                r"channels=1, mono=None"):
        FolderDataset(clips, color="gray")


def test_the_options_a_loader_takes_keep_working(photos: Path, clips: Path, tmp_path: Path) -> None:
    assert [x.shape for x in FolderDataset(photos)] == [(20, 30, 3), (20, 30, 3)]  # color="rgb", the default
    assert [x.shape for x in FolderDataset(photos, color="gray")] == [(20, 30), (20, 30)]
    assert [x.shape for x in FolderDataset(photos, color="keep")] == [(20, 30, 3), (20, 30)]
    stereo = FolderDataset(clips, channels=2, sample_rate=8000)
    assert [tuple(x.shape) for x in stereo] == [(2, 8000), (2, 4000)] and stereo.sample_rate == 8000
    assert [x.shape[0] for x in FolderDataset(clips, channels="keep")] == [1, 2]
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_bytes("café".encode("latin-1"))
    assert list(FolderDataset(tmp_path / "texts", encoding="latin-1")) == ["café"]
    with pytest.raises(TypeError, match="custom loader takes the path only"):
        FolderDataset(photos, loader=lambda p: p, color="gray")


def test_read_sources_checks_the_options_a_folder_takes_and_lets_a_generator_context_by(photos: Path) -> None:
    with pytest.raises(WrongArgumentType, match="image files take no option channels=1"):
        read_sources(photos, "image", channels=1)
    samples, kind = read_sources(photos, color="gray", mean=(0.5,), std=(0.25,))  # mean/std: an output's context
    assert kind == "image" and [s.shape for s in samples] == [(20, 30), (20, 30)]
    (photos.parent / "docs").mkdir()
    (photos.parent / "docs" / "a.txt").write_text("one.\n\ntwo.\n", encoding="utf-8")
    assert read_sources(photos.parent / "docs", paragraphs=True)[0] == ["one.\n\ntwo."]  # a text preset's context


def test_a_manifest_refuses_an_option_none_of_its_fields_take(photos: Path, clips: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "rows.jsonl"
    manifest.write_text(json.dumps({"audio": "clips/mono.wav", "text": "a dog barks"}) + "\n", encoding="utf-8")
    with pytest.raises(WrongArgumentType, match=r"ManifestDataset\('.*rows.jsonl'\): audio and text files take no "
                                                r"option color='gray'"):
        ManifestDataset(manifest, color="gray")
    assert ManifestDataset(manifest, channels=2)[0]["audio"].shape == (2, 16000)
    pictured = tmp_path / "pictured.jsonl"
    pictured.write_text(json.dumps({"image": "photos/b_gray.png", "text": "noise"}) + "\n", encoding="utf-8")
    assert ManifestDataset(pictured, color="keep", mean=(0.5,))[0]["image"].shape == (20, 30)


NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True).filter(lambda s: not keyword.iskeyword(s))


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, value=st.one_of(st.integers(), st.text(max_size=8), st.none()))
def test_any_other_option_is_refused_naming_it(photos: Path, name: str, value: object) -> None:
    """A user's option is either one the image ``load`` takes (checked by it) or refused by name."""
    try:
        FolderDataset(photos, **{name: value})
    except WrongArgumentType as err:
        assert name != "color" and f"no option {name}=" in str(err) and "color='rgb'" in str(err)
    except AugkitError as err:  # color= with a value the loader refuses: its own error, when an item loads
        raise AssertionError(f"made no dataset for {name}={value!r}: {err}") from err
    else:
        assert name == "color"
