"""Readers on real files: audio folders at their declared rate, grayscale files laid out as grayscale
arrays, manifests (JSONL and CSV) of image/text/audio rows, and text files read line by line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from PIL import Image

import augkit
from augkit.audio.modality import EXTENSIONS as AUDIO_EXTENSIONS
from augkit.core import modalities
from augkit.datasets import FolderDataset, ManifestDataset, read_lines, read_sources

ROOT = Path(__file__).resolve().parents[2]


def _tone(rate: int, seconds: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _peak_hz(wav: torch.Tensor, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(wav[0].numpy()))
    return float(np.argmax(spectrum) * rate / wav.shape[-1])


# -- audio folders -------------------------------------------------------------------------------


@pytest.fixture
def clips(tmp_path: Path) -> Path:
    sf.write(tmp_path / "a_44k.wav", _tone(44100, 1.0), 44100)                   # 1 s at 44.1 kHz
    sf.write(tmp_path / "b_8k.flac", _tone(8000, 0.5), 8000, subtype="PCM_16")   # 0.5 s at 8 kHz
    return tmp_path


def test_audio_folder_is_resampled_to_16k_by_default(clips: Path) -> None:
    for ds in (FolderDataset(clips, modality="audio"), FolderDataset(clips, extensions=AUDIO_EXTENSIONS),
               FolderDataset(clips, extensions=AUDIO_EXTENSIONS, sample_rate=16000)):
        assert ds.sample_rate == 16000
        long, short = ds[0], ds[1]
        # a second is 16,000 samples whatever the file's rate, and the tone keeps its pitch
        assert long.shape == (1, 16000) and short.shape == (1, 8000)
        assert _peak_hz(long, 16000) == pytest.approx(440, abs=2)
        assert _peak_hz(short, 16000) == pytest.approx(440, abs=3)


def test_audio_folder_at_another_rate_or_the_files_own(clips: Path) -> None:
    ds = FolderDataset(clips, modality="audio", sample_rate=22050)
    assert ds.sample_rate == 22050 and ds[0].shape == (1, 22050) and ds[1].shape == (1, 11025)
    native = FolderDataset(clips, modality="audio", sample_rate=None)
    assert native.sample_rate is None  # each file's own rate, asked for explicitly
    assert native[0].shape == (1, 44100) and native[1].shape == (1, 4000)


def test_audio_folder_checks_the_rate_when_made(clips: Path) -> None:
    with pytest.raises(ValueError, match="sample_rate"):
        FolderDataset(clips, modality="audio", sample_rate=0)
    with pytest.raises(TypeError, match="sample_rate"):
        FolderDataset(clips, modality="audio", sample_rate="16k")


def test_a_one_second_crop_of_a_44k_file_holds_one_second_of_it(clips: Path) -> None:
    vg = augkit.ViewGenerator(augkit.audio.RandomCrop(seconds=0.25, sample_rate=16000), n_views=2, seed=0)
    wav = FolderDataset(clips, modality="audio")[0]
    for view in vg(wav, index=0):
        assert view.shape == (1, 4000)  # a quarter of the file's second, not 4000 / 44100 s
        assert _peak_hz(view, 16000) == pytest.approx(440, abs=8)


def test_other_folders_have_no_sample_rate(tmp_path: Path) -> None:
    Image.new("RGB", (4, 3), (1, 2, 3)).save(tmp_path / "a.png")
    assert FolderDataset(tmp_path).sample_rate is None
    assert FolderDataset(tmp_path, loader=lambda p: p.name).sample_rate is None


# -- grayscale -----------------------------------------------------------------------------------


def _gray_picture() -> np.ndarray:
    yy, xx = np.mgrid[0:48, 0:64]
    return ((xx * 4 + yy * 2) % 256).astype(np.uint8)


@pytest.mark.parametrize("mode", ["L", "LA", "I;16", "P"])
def test_grayscale_file_gives_the_layout_of_a_grayscale_array(tmp_path: Path, mode: str) -> None:
    gray = _gray_picture()
    if mode == "L":
        img = Image.fromarray(gray)
    elif mode == "LA":
        img = Image.fromarray(np.dstack([gray, np.full_like(gray, 200)]), mode="LA")
    elif mode == "I;16":
        img = Image.fromarray(gray.astype(np.uint16) * 257)
    else:
        img = Image.fromarray(gray).convert("P")  # a palette of greys only
    img.save(tmp_path / "gray.png")
    with Image.open(tmp_path / "gray.png") as check:
        assert check.mode == mode or (mode == "I;16" and check.mode.startswith("I"))
    loaded = modalities.get("image").load(tmp_path / "gray.png", color="keep")
    assert loaded.shape == gray.shape and loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded, gray)
    rgb = modalities.get("image").load(tmp_path / "gray.png")  # the readers' default, as ImageFolder reads
    np.testing.assert_array_equal(rgb, np.repeat(gray[..., None], 3, axis=2))


def test_grayscale_views_agree_for_an_array_a_folder_and_a_source(tmp_path: Path) -> None:
    gray = _gray_picture()
    Image.fromarray(gray).save(tmp_path / "gray.png")
    from_folder = FolderDataset(tmp_path, color="keep")[0]
    from_source = read_sources([tmp_path / "gray.png"], color="keep")[0][0]
    from_folder_source = read_sources([tmp_path], color="keep")[0][0]
    assert FolderDataset(tmp_path)[0].shape == (*gray.shape, 3)  # by default, RGB
    vg = augkit.image.simclr(size=32, seed=0)
    expected = vg(gray, index=3)
    assert expected[0].shape == (1, 32, 32)  # one channel, as the array has
    for x in (from_folder, from_source, from_folder_source):
        assert x.shape == gray.shape
        for got, want in zip(vg(x, index=3), expected, strict=True):
            assert torch.equal(got, want)


def test_colour_palette_and_rgba_files_stay_rgb(tmp_path: Path) -> None:
    rgb = np.zeros((6, 8, 3), np.uint8)
    rgb[:, :4] = (255, 0, 0)
    rgb[:, 4:] = (0, 0, 255)
    Image.fromarray(rgb).convert("P").save(tmp_path / "p.png")
    Image.fromarray(np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])).save(tmp_path / "rgba.png")
    for name in ("p.png", "rgba.png"):
        np.testing.assert_array_equal(modalities.get("image").load(tmp_path / name), rgb)


# -- folders where files are expected --------------------------------------------------------------


@pytest.mark.parametrize("modality", ["image", "audio", "text"])
def test_load_of_a_folder_names_it(tmp_path: Path, modality: str) -> None:
    folder = tmp_path / f"not_a_file{modalities.get(modality).extensions[0]}"
    folder.mkdir()
    with pytest.raises(ValueError, match=rf"{re.escape(str(folder))}.* is a folder"):
        modalities.get(modality).load(folder)


# -- read_lines ----------------------------------------------------------------------------------


def test_read_lines_splits_as_str_splitlines(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_bytes("\ufeffone\r\ntwo\rthree  \n\n  four\u2028five\n".encode())
    assert read_lines(path) == ["one", "two", "three  ", "  four", "five"]
    assert read_lines(path, skip_blank=False) == ["one", "two", "three  ", "", "  four", "five"]
    path.write_bytes(b"")
    assert read_lines(path) == []
    path.write_bytes(b"last line without a newline")
    assert read_lines(path) == ["last line without a newline"]


def test_read_lines_errors_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"missing\.txt"):
        read_lines(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match=rf"{re.escape(str(tmp_path))}.* is a folder"):
        read_lines(tmp_path)
    path = tmp_path / "latin.txt"
    path.write_bytes("fine\nna\xefve\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin.txt is not utf-8 text .*byte 7, line 2"):
        read_lines(path)
    assert read_lines(path, encoding="latin-1") == ["fine", "naïve"]
    with pytest.raises(ValueError, match="encoding='no-such-codec'"):
        read_lines(path, encoding="no-such-codec")


def test_text_load_and_read_agree_with_read_lines(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"\xef\xbb\xbffirst\r\nsecond\r\n\r\n")
    text = modalities.get("text")
    assert text.load(path) == "first\nsecond"
    assert text.read(path) == ["first", "second"]
    path.write_bytes(b"ok\n\xff")
    for call in (text.load, text.read):
        with pytest.raises(ValueError, match=r"notes.txt is not utf-8 text .*line 2"):
            call(path)


# -- manifests -----------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rgb = np.zeros((6, 8, 3), np.uint8)
    rgb[:, :4] = (255, 0, 0)
    Image.fromarray(rgb).save(tmp_path / "a.png")
    (tmp_path / "sub").mkdir()
    Image.fromarray(_gray_picture()).save(tmp_path / "sub" / "g.png")
    sf.write(tmp_path / "a.wav", _tone(44100, 0.5), 44100)
    return tmp_path


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_manifest_loads_each_field_through_its_modality(folder: Path) -> None:
    path = _jsonl(folder / "m.jsonl", [
        {"image": "a.png", "text": "a red square on the left", "audio": "a.wav", "label": 3, "id": "x1"},
        {"image": "sub/g.png", "text": "grey stripes", "label": 4, "meta": {"k": [1, 2]}},
    ])
    ds = ManifestDataset(path)
    assert len(ds) == 2 and ds.fields == {"image": "image", "text": "text", "audio": "audio"}
    assert ds.rows[0]["image"] == "a.png" and ds.lines == [1, 2] and ds.sample_rate == 16000
    first = ds[0]
    assert list(first) == ["image", "text", "audio", "label", "id"]
    assert first["image"].shape == (6, 8, 3) and first["image"][0, 0].tolist() == [255, 0, 0]
    assert first["text"] == "a red square on the left" and first["label"] == 3 and first["id"] == "x1"
    assert isinstance(first["audio"], torch.Tensor) and first["audio"].shape == (1, 8000)  # 0.5 s at 16 kHz
    second = ds[-1]
    assert "audio" not in second and second["image"].shape == (48, 64, 3)  # grayscale files read as RGB
    second["meta"]["k"].append(3)
    assert ds[1]["meta"] == {"k": [1, 2]}  # items never share the rows' objects
    assert ManifestDataset(path, sample_rate=None)[0]["audio"].shape == (1, 22050)
    with pytest.raises(IndexError):
        ds[2]


def test_csv_and_tsv_manifests_keep_strings_but_integer_labels(folder: Path) -> None:
    (folder / "m.csv").write_text('photo,caption,label,note\na.png,"left, then right",3,007\n'
                                  "sub/g.png,grey,4,\n", encoding="utf-8")
    ds = ManifestDataset(folder / "m.csv", fields={"photo": "image", "caption": "text"})
    assert ds.fields == {"photo": "image", "caption": "text"} and ds.lines == [2, 3]
    first, second = ds[0], ds[1]
    assert first["caption"] == "left, then right" and first["label"] == 3 and first["note"] == "007"
    assert first["photo"].shape == (6, 8, 3) and "note" not in second  # an empty cell: no value
    (folder / "t.tsv").write_text("image\tlabel\na.png\tcat\n", encoding="utf-8")
    assert ManifestDataset(folder / "t.tsv")[0]["label"] == "cat"  # not every label is an integer


def test_fields_can_pass_a_modality_named_key_through(folder: Path) -> None:
    path = _jsonl(folder / "m.jsonl", [{"image": "a.png", "text": "kept as written"}])
    ds = ManifestDataset(path, fields={"image": None})
    assert ds.fields == {"text": "text"} and ds[0]["image"] == "a.png"
    with pytest.raises(ValueError, match="no modality named 'smell'"):
        ManifestDataset(path, fields={"image": "smell"})
    with pytest.raises(ValueError, match=r"'photo', which no row .* has; its keys: image, text"):
        ManifestDataset(path, fields={"photo": "image"})
    with pytest.raises(TypeError, match="fields must map"):
        ManifestDataset(path, fields=["image"])  # type: ignore[arg-type]


def test_paths_must_stay_inside_the_manifests_folder(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    Image.new("RGB", (2, 2)).save(outside / "secret.png")
    (folder / "link.png").symlink_to(outside / "secret.png")
    (folder / "sub" / "inner.png").symlink_to(folder / "a.png")
    rel = Path("..") / outside.name / "secret.png"
    cases = {str(outside / "secret.png"): "is absolute", str(rel): "leaves the base folder",
             "sub/../../x.png": "leaves the base folder", "link.png": "leaves the base folder"}
    for value, message in cases.items():
        path = _jsonl(folder / "m.jsonl", [{"image": "a.png"}, {"image": value, "label": 1}])
        with pytest.raises(ValueError, match=rf"m.jsonl, line 2, field 'image': .*{message}") as err:
            ManifestDataset(path)
        assert value in str(err.value)
    ok = _jsonl(folder / "m.jsonl", [{"image": "sub/../sub/inner.png"}])  # a link that stays inside
    assert ManifestDataset(ok)[0]["image"].shape == (6, 8, 3)


def test_base_sets_the_folder_paths_are_relative_to(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("manifests")
    path = _jsonl(elsewhere / "m.jsonl", [{"image": "a.png"}])
    with pytest.raises(FileNotFoundError, match=r"line 1, field 'image'.*'a\.png' does not exist"):
        ManifestDataset(path)
    assert ManifestDataset(path, base=folder)[0]["image"].shape == (6, 8, 3)
    with pytest.raises(FileNotFoundError, match=r"base .* is not a folder"):
        ManifestDataset(path, base=folder / "nowhere")


@pytest.mark.parametrize(("content", "message"), [
    (b'{"image": "a.png"}\n{"image": "a.png",\n', r"line 2: not valid JSON"),
    (b'{"image": "a.png"}\n\n[1, 2]\n', r"line 3: a row must be a JSON object .* got list"),
    (b'"just a string"\n', r"line 1: a row must be a JSON object"),
    (b'{"image": "a.png"}\n{"text": "caf\xe9"}\n', r"is not utf-8 text .*line 2"),
    (b"", r"holds no rows"),
    (b"\n  \n", r"holds no rows"),
    (b"[" * 100_000 + b"\n", r"line 1: (the JSON is nested deeper than 100 levels|not valid JSON)"),
    (b'{"image": 3}\n', r"line 1, field 'image': expected the path of a file of the image modality, .* got int"),
    (b'{"text": 3}\n', r"line 1, field 'text': expected the path .* text modality, or a sample of it, got int"),
    (b'{"image": ""}\n', r"line 1, field 'image': the path is empty"),
    (b'{"image": "a.wav"}\n', r"line 1, field 'image': 'a.wav' is not a file of the image modality, which reads \.jpg"),
    (b'{"image": "sub"}\n', r"line 1, field 'image': 'sub' is not a file of the image modality"),
    (b'{"image": "a\\u0000.png"}\n', r"line 1, field 'image': the path .* cannot be resolved"),
    (b'{"text": "\\ud800 lone"}\n', r"line 1, field 'text': .*lone surrogate"),
])
def test_bad_jsonl_manifests_name_the_line(folder: Path, content: bytes, message: str) -> None:
    (folder / "m.jsonl").write_bytes(content)
    with pytest.raises((ValueError, TypeError), match=message) as err:
        ManifestDataset(folder / "m.jsonl")
    assert str(folder / "m.jsonl") in str(err.value)


def test_a_folder_named_as_a_file_is_refused(folder: Path) -> None:
    (folder / "pics.png").mkdir()
    path = _jsonl(folder / "m.jsonl", [{"image": "pics.png"}])
    with pytest.raises(ValueError, match=r"line 1, field 'image': 'pics.png' is a folder"):
        ManifestDataset(path)
    (folder / "dir.jsonl").mkdir()
    with pytest.raises(ValueError, match=r"dir.jsonl is a folder, not a file"):
        ManifestDataset(folder / "dir.jsonl")


def test_missing_manifests_and_files_and_unknown_suffixes(folder: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"manifest .*nope\.jsonl does not exist"):
        ManifestDataset(folder / "nope.jsonl")
    (folder / "m.json").write_text('[{"image": "a.png"}]')
    with pytest.raises(ValueError, match=r"suffix \.json; name it \.jsonl"):
        ManifestDataset(folder / "m.json")
    path = _jsonl(folder / "m.jsonl", [{"image": "a.png"}, {"audio": "gone.wav"}])
    with pytest.raises(FileNotFoundError, match=r"line 2, field 'audio': the audio file 'gone.wav' does not exist"):
        ManifestDataset(path)


@pytest.mark.parametrize(("content", "message"), [
    ("image,label\na.png,1,extra\n", r"line 2: the row has 3 cells, more than the header's columns \('image', 'lab"),
    ("image,image\na.png,a.png\n", r"line 1: the header names column 'image' twice"),
    ("image,\na.png,1\n", r"line 1: column 2 of the header has no name"),
    ("image,label\n", r"holds no rows"),
    ('image,text\na.png,"open quote\n', r"not valid CSV|holds no rows|line 2"),
])
def test_bad_csv_manifests_name_the_line(folder: Path, content: str, message: str) -> None:
    (folder / "m.csv").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        ManifestDataset(folder / "m.csv")


def test_a_corrupt_file_fails_when_its_item_is_loaded_naming_index_field_and_path(folder: Path) -> None:
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "broken.flac").write_bytes(b"fLaC and then nothing")
    path = _jsonl(folder / "m.jsonl", [{"image": "a.png"}, {"image": "broken.png"}, {"audio": "broken.flac"}])
    ds = ManifestDataset(path)  # files are decoded lazily: making the dataset works
    assert ds[0]["image"].shape == (6, 8, 3)
    with pytest.raises(ValueError, match=r"item 1 \(.*m.jsonl, line 2\), field 'image', .*broken.png"):
        ds[1]
    with pytest.raises(ValueError, match=r"item 2 \(.*m.jsonl, line 3\), field 'audio', .*broken.flac"):
        ds[2]
    (folder / "a.png").unlink()
    with pytest.raises(FileNotFoundError, match=r"item 0 .*field 'image'"):
        ds[0]


def test_manifest_items_feed_a_view_generator_and_a_dataloader(folder: Path) -> None:
    path = _jsonl(folder / "m.jsonl", [{"image": "a.png", "label": 0}, {"image": "sub/g.png", "label": 1}])
    ds = ManifestDataset(path)
    vg = augkit.image.simclr(size=16, seed=0)
    views = vg(ds[0]["image"], index=0)
    assert len(views) == 2 and views[0].shape == (3, 16, 16)
    loader = torch.utils.data.DataLoader(ds, batch_size=None, num_workers=0)
    assert [item["label"] for item in loader] == [0, 1]


def test_the_bundled_captions_manifest_loads() -> None:
    ds = augkit.ManifestDataset(ROOT / "data" / "captions.jsonl")
    assert 8 <= len(ds) <= 12 and ds.fields == {"image": "image", "text": "text", "audio": "audio"}
    images = [row for row in ds.rows if "image" in row]
    audio = [row for row in ds.rows if "audio" in row]
    assert len(images) >= 8 and len(audio) >= 3
    assert {Path(row["image"]).name for row in images} == {p.name for p in (ROOT / "data" / "images").iterdir()}
    assert sum(" left" in row["text"] or " right" in row["text"] for row in images) >= 3
    assert all(isinstance(row["label"], int) and row["text"] for row in ds.rows)
    for i in range(len(ds)):
        item = ds[i]
        if "image" in item:
            assert item["image"].ndim == 3 and item["image"].dtype == np.uint8
        else:
            assert item["audio"].dtype == torch.float32 and item["audio"].shape[0] == 1


def test_manifest_items_are_dict_samples_for_a_view_generator() -> None:
    ds = augkit.ManifestDataset(ROOT / "data" / "captions.jsonl")
    vg = augkit.ViewGenerator({"image": augkit.image.RandomResizedCrop(size=24)}, n_views=2, seed=0, missing="pass")
    item = ds[0]
    views = vg(item, index=0)
    assert len(views) == 2
    for view in views:
        assert view["image"].shape[:2] == (24, 24)
        assert view["text"] == item["text"] and view["label"] == item["label"]  # other keys pass through


def test_a_corrupt_file_in_a_folder_names_the_item_and_the_path(tmp_path: Path) -> None:
    from augkit.datasets import FolderDataset

    good = (Path(__file__).resolve().parents[2] / "data" / "images" / "coffee.jpg").read_bytes()
    (tmp_path / "a.jpg").write_bytes(good)
    (tmp_path / "b.jpg").write_bytes(good[:300])
    ds = FolderDataset(tmp_path, modality="image")
    assert ds[0].shape[-1] == 3
    with pytest.raises(ValueError, match=r"FolderDataset item 1: cannot decode image file .*b\.jpg"):
        ds[1]


def test_read_sources_names_each_sample_by_its_file(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    (photos / "cats").mkdir(parents=True)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(photos / "cats" / "a.png")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(photos / "b.png")
    (photos / "c_broken.png").write_bytes(b"not a png")
    names: list[str] = []
    skipped: list[tuple[str, str]] = []
    samples, _ = augkit.datasets.read_sources(photos, "image", names=names, skipped=skipped)
    assert names == ["b.png", "cats/a.png"] and len(samples) == 2 and len(skipped) == 1  # the broken file unnamed
    text = tmp_path / "lines.txt"
    text.write_text("one\ntwo\nthree\n")
    names = []
    augkit.datasets.read_sources([text], names=names, limit=2)
    assert names == ["lines.txt #1", "lines.txt #2"]
