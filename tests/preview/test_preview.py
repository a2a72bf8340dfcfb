"""Previews: the PNG grid, the self-contained HTML page, and `make demo`'s script."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from augkit import image
from augkit.preview import LABEL_HEIGHT, image_grid, to_display, write_grid, write_html

ROOT = Path(__file__).resolve().parents[2]


def test_grid_layout_and_pixels(photos: list[np.ndarray], tmp_path: Path) -> None:
    vg = image.simclr(64, n_views=3, seed=0, output="numpy")
    path = write_grid(tmp_path / "g.png", photos[:2], vg, cell=64)
    grid = np.asarray(Image.open(path))
    assert grid.shape == (2 * 64 + 3 * 4, 4 * 64 + 5 * 4, 3)
    # the cell of view 0 of sample 1 holds that view (square, so it fills the cell exactly)
    view = vg(photos[1], index=1)[0]
    top, left = 4 + 64 + 4, 4 + 64 + 4
    cell = grid[top : top + 64, left : left + 64].astype(int)
    np.testing.assert_array_equal(cell, view.astype(int))
    assert (cell != 255).any(), "the cell holds the view, not the blank canvas"


def test_to_display_handles_tensors() -> None:
    t = torch.zeros(1, 5, 6, dtype=torch.uint8)
    assert to_display(t).shape == (5, 6, 3)
    f = torch.linspace(-2, 2, 30).reshape(1, 5, 6).expand(3, 5, 6)
    shown = to_display(f)
    assert shown.min() == 0 and shown.max() == 255
    assert image_grid([[np.zeros((3, 3), np.uint8)]], cell=10).shape == (18, 18, 3)


def test_html_is_self_contained_and_lists_params(photos: list[np.ndarray], tmp_path: Path) -> None:
    page = write_html(tmp_path / "p.html", photos[:2], image.simclr(48, seed=0, output="numpy"))
    text = page.read_text()
    assert text.count("data:image/png;base64,") == 2 * 3
    assert "image.random_resized_crop" in text
    assert not re.search(r"(src|href)=['\"]https?://", text), "nothing is fetched from the network"


def test_demo_writes_the_grid_and_prints_its_path(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--out", str(tmp_path), "--views", "2"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    png = tmp_path / "simclr_views.png"
    assert str(png) in out
    n_photos = len(list((ROOT / "data" / "images").glob("*.jpg")))
    assert Image.open(png).size == (3 * 160 + 4 * 4, LABEL_HEIGHT + n_photos * 160 + (n_photos + 1) * 4)
    pairs = tmp_path / "image_caption_pairs.html"
    assert f"image-caption pairs: {pairs} (8 pairs," in out
    assert pairs.read_text().count("data-field='text'") == 16  # 8 captions and their views


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=900,700",
]


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="needs Debian's chromium (installed by .ci/run)")
def test_html_preview_renders_in_a_real_browser(photos: list[np.ndarray], tmp_path: Path) -> None:
    page = write_html(tmp_path / "p.html", photos[:2], image.simclr(96, seed=0, output="numpy"), cell=120)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    # the embedded pictures were decoded and drawn: the page is far from a blank white sheet
    coloured = (np.abs(pixels - 255).sum(axis=-1) > 60).mean()
    assert coloured > 0.05, coloured


def test_grid_labels_add_a_titled_strip_above_the_cells(photos: list[np.ndarray], tmp_path: Path) -> None:
    vg = image.simclr(64, n_views=2, seed=0, output="numpy")
    plain = np.asarray(Image.open(write_grid(tmp_path / "a.png", photos[:2], vg, cell=64)))
    titled = np.asarray(Image.open(write_grid(tmp_path / "b.png", photos[:2], vg, cell=64, labels=True)))
    assert titled.shape == (plain.shape[0] + LABEL_HEIGHT, plain.shape[1], 3)
    # the cells are the same pictures, moved down by the strip
    np.testing.assert_array_equal(titled[LABEL_HEIGHT:], plain)
    # every column has a title: dark text pixels in the strip above each of the 3 columns
    for j in range(3):
        left = 4 + j * (64 + 4)
        strip = titled[:LABEL_HEIGHT, left : left + 64].astype(int)
        assert (strip.sum(axis=-1) < 200).sum() > 10, f"column {j} has no title"


def test_grid_rejects_bad_layout_arguments() -> None:
    tile = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="cell must be >= 8"):
        image_grid([[tile]], cell=0)
    with pytest.raises(ValueError, match="gap must be >= 0"):
        image_grid([[tile]], gap=-1)
    with pytest.raises(ValueError, match="2 titles for 1 columns"):
        image_grid([[tile]], labels=["original", "view 1"])
    with pytest.raises(ValueError, match="non-empty row"):
        image_grid([[]])
    with pytest.raises(TypeError, match="cannot display a view of type str"):
        image_grid([["a sentence"]])


def test_html_embeds_audio_views_exactly(tmp_path: Path) -> None:
    import base64
    import io

    import soundfile as sf

    from augkit import audio

    wav, sr = audio.load(ROOT / "data" / "audio" / "speech_digits.flac", sample_rate=16000)
    vg = audio.audio_pairs(sr, seconds=0.5, seed=0)
    page = write_html(tmp_path / "a.html", [wav], vg, sample_rate=sr)
    uris = re.findall(r"src='data:audio/wav;base64,([^']+)'", page.read_text())
    assert len(uris) == 3  # the clip and its 2 views
    expected = vg(wav, index=0)
    for uri, view in zip(uris[1:], expected, strict=True):
        decoded, rate = sf.read(io.BytesIO(base64.b64decode(uri)), dtype="float32", always_2d=True)
        assert rate == sr
        np.testing.assert_array_equal(decoded.T, view.numpy())  # float WAV: lossless, loud peaks not clipped
    assert "audio.random_crop" in page.read_text()
    with pytest.raises(ValueError, match="sample_rate=0 must be a positive integer"):
        write_html(tmp_path / "b.html", [wav], vg, sample_rate=0)
    with pytest.raises(ValueError, match=r"a page of audio views takes no crop_boxes; it takes sample_rate"):
        write_html(tmp_path / "c.html", [wav], vg, crop_boxes=False)


def test_audio_page_plays_at_the_rate_the_ops_declare(tmp_path: Path) -> None:
    from augkit import audio

    wav, _ = audio.load(ROOT / "data" / "audio" / "speech_contrastive.flac", sample_rate=8000)
    vg = audio.audio_pairs(8000, seconds=0.25, seed=1)
    text = write_html(tmp_path / "a.html", [wav, wav[:, :4000]], vg).read_text()  # no sample_rate given
    assert text.count("<audio ") == 2 * 3 and text.count("data-index=") == 2
    import base64
    import io

    import soundfile as sf

    uri = re.findall(r"src='data:audio/wav;base64,([^']+)'", text)[0]
    assert sf.info(io.BytesIO(base64.b64decode(uri))).samplerate == 8000  # the rate RandomCrop was built for
    grid = np.asarray(Image.open(write_grid(tmp_path / "a.png", [wav], vg, cell=64)))
    # audio grids draw the spectrograms, twice as wide as high: rows half a cell high, no empty bands
    assert grid.shape == (32 + 2 * 4, 3 * 64 + 4 * 4, 3)
    assert (grid[4 : 4 + 32, 4 : 4 + 64] != 255).any(axis=-1).all(), "the spectrogram fills its place"


def test_grid_of_normalized_views_shows_their_true_colours(photos: list[np.ndarray], tmp_path: Path) -> None:
    normalized = image.simclr(64, n_views=2, seed=3)  # the default output: ImageNet-normalized float tensors
    as_uint8 = image.simclr(64, n_views=2, seed=3, output="numpy")
    grid = np.asarray(Image.open(write_grid(tmp_path / "n.png", photos[:1], normalized, cell=64))).astype(int)
    for k, view in enumerate(as_uint8(photos[0], index=0)):
        left = 4 + (k + 1) * (64 + 4)
        np.testing.assert_allclose(grid[4 : 4 + 64, left : left + 64], view.astype(int), atol=2)
    # the original column is the raw photo, not un-normalized a second time
    first = write_html(tmp_path / "n.html", photos[:1], normalized).read_text()
    plain = write_html(tmp_path / "u.html", photos[:1], as_uint8).read_text()
    uris = [re.findall(r"src='(data:image/png;base64,[^']+)'", t) for t in (first, plain)]
    assert uris[0][0] == uris[1][0]


def test_html_header_names_the_generator(photos: list[np.ndarray], tmp_path: Path) -> None:
    text = write_html(tmp_path / "p.html", photos[:1], image.byol(48, seed=5), epoch=2).read_text()
    assert "preset <code>image.byol</code>" in text and "&quot;size&quot;: 48" in text
    assert "seed 5, epoch 2, 2 views per sample" in text


def test_text_page_escapes_html(tmp_path: Path) -> None:
    from augkit import text as text_views

    sample = "<script>alert('boom')</script> & <b>bold</b> words go here in this sentence"
    page = write_html(tmp_path / "t.html", [sample], text_views.eda(seed=0, n_views=3)).read_text()
    assert "<script>" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#x27;boom&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert page.count("<p class='view text'>") == 4
    with pytest.raises(ValueError, match="text views have no picture"):
        write_grid(tmp_path / "t.png", [sample], text_views.eda(seed=0))


def test_page_captions_only_the_ops_that_fired_and_sums_up_the_distances(photos: list[np.ndarray],
                                                                          tmp_path: Path) -> None:
    from augkit.core.composites import fired

    vg = image.simclr(64, n_views=4, seed=1)
    text = write_html(tmp_path / "p.html", photos[:2], vg).read_text()
    cells = text.split("<b>view ")[1:]
    assert len(cells) == 8
    for cell, i_k in zip(cells, [(i, k) for i in range(2) for k in range(4)], strict=True):
        params = vg.generate(photos[i_k[0]], index=i_k[0]).params[i_k[1]]
        names = [name for name, _ in fired(params)]
        caption = cell.split("<ul class='caption'>")[1].split("</ul>")[0]
        for op in ("image.horizontal_flip", "image.to_gray", "image.gaussian_blur", "image.color_jitter"):
            assert (op in caption) == (op in names), (op, caption)
    summary = text.split("<table class='summary'>")[1]
    assert "<td>ssim</td>" in summary and "<td>crop_area</td>" in summary
    assert text.count("alt='original with crop boxes'") == 2


def test_views_show_themselves_in_a_notebook(photos: list[np.ndarray]) -> None:
    from augkit import text as text_views

    made = image.simclr(48, n_views=3, seed=0).generate(photos[0], index=0)
    shown = made._repr_html_()
    assert shown.count("<img") == 3 and "image.random_resized_crop" in shown and "<body" not in shown
    texts = text_views.eda(alpha=0.3, seed=0).generate("The quick brown fox jumps over the lazy dog", index=2)
    assert texts._repr_html_().count("class='view text'") == 2


def test_sections_need_samples(tmp_path: Path) -> None:
    from augkit.preview import write_sections

    with pytest.raises(ValueError, match="at least one"):
        write_sections(tmp_path / "x.html", [])
    with pytest.raises(ValueError, match="at least one sample"):
        write_sections(tmp_path / "x.html", [("none", [], image.simclr(32, seed=0))])


def test_image_page_options_reach_the_image_descriptor_and_unknown_ones_are_named(tmp_path: Path) -> None:
    import augkit

    photo = np.asarray(Image.open(ROOT / "data" / "images" / "coffee.jpg").convert("RGB"))
    vg = augkit.image.simclr(64, seed=0)
    boxed = write_html(tmp_path / "boxed.html", [photo], vg).read_text()
    plain = write_html(tmp_path / "plain.html", [photo], vg, crop_boxes=False).read_text()
    assert boxed.count("alt='original with crop boxes'") == 1
    assert "original with crop boxes" not in plain and plain.count("alt='view'") == 1 + vg.n_views
    with pytest.raises(ValueError, match=r"a page of image views takes no sample_rate; it takes crop_boxes"):
        write_html(tmp_path / "x.html", [photo], vg, sample_rate=16000)


@pytest.mark.parametrize("shape", [(4, 5, 2), (4, 5, 5), (2, 4, 5)])
def test_to_display_refuses_arrays_that_are_not_pictures(shape: tuple[int, ...]) -> None:
    x = np.zeros(shape, np.uint8) if shape[-1] != 5 or shape[0] != 2 else torch.zeros(shape)
    with pytest.raises(ValueError, match=r"channels; give H×W, H×W×1, H×W×3 or H×W×4"):
        to_display(x)
