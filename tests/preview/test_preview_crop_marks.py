"""A page marks on each original where its views were cropped from, in the views' colours, with a
legend: crop boxes on photos, cropped segments on a clip's waveform; checked in headless Chromium."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import augkit
from augkit.datasets import read_sources
from augkit.preview import write_page, write_sections
from augkit.views.display import view_colour

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _swatch(k: int) -> str:
    r, g, b = view_colour(k)
    return f"<span class='swatch' style='background:#{r:02x}{g:02x}{b:02x}'></span>"


def _pictures(cell: str) -> list[np.ndarray]:
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(uri))).convert("RGB"))
            for uri in re.findall(r"src='data:image/png;base64,([^']+)'", cell)]


def _has(picture: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool((picture == colour).all(axis=-1).any())


def test_each_crop_box_and_its_view_share_a_colour_named_in_the_legend(photos: list[np.ndarray],
                                                                      tmp_path: Path) -> None:
    vg = augkit.image.simclr(64, n_views=3, seed=0)
    text = write_page(tmp_path / "p.html", photos[:2], vg, cell=600).read_text()  # not shrunk
    for row in text.split("<div class='row'")[1:]:
        original = row.split("<div class='cell'")[1]
        assert original.count("class='swatch'") == 3, "the legend names the 3 views"
        for k in range(3):
            assert f"{_swatch(k)}view {k + 1}</span>" in original and f"{_swatch(k)}<b>view {k + 1}</b>" in row
            assert _has(_pictures(original)[0], view_colour(k)), f"view {k + 1}'s box is drawn in its colour"
    plain = write_page(tmp_path / "q.html", photos[:1], vg, crop_boxes=False).read_text()
    assert "class='legend'" not in plain and "<span class='swatch'" not in plain


def test_a_clip_s_waveform_marks_each_view_s_segment_in_its_colour(tmp_path: Path) -> None:
    clips = read_sources([ROOT / "data" / "audio"], sample_rate=16000, limit=2)[0]
    vg = augkit.audio.audio_pairs(16000, seed=0)
    text = write_page(tmp_path / "a.html", clips, vg).read_text()
    for row in text.split("<div class='row'")[1:]:
        original = row.split("<div class='cell'")[1]
        waveform = _pictures(original)[0]
        assert waveform.shape[0] > 64, "lanes under the waveform"
        for k in range(2):
            assert _has(waveform, view_colour(k)) and f"{_swatch(k)}<b>view {k + 1}</b>" in row
        for view in row.split("<div class='cell'")[2:]:
            assert _pictures(view)[0].shape[0] == 64, "a view's waveform has no marks"


@pytest.mark.skipif(CHROMIUM is None, reason="needs the chromium package (.ci/run installs it)")
def test_the_marks_and_the_legend_show_in_a_real_browser(photos: list[np.ndarray], tmp_path: Path) -> None:
    clips = read_sources([ROOT / "data" / "audio"], sample_rate=16000, limit=1)[0]
    page = write_sections(tmp_path / "p.html", [
        ("images", photos[:1], augkit.image.simclr(96, n_views=3, seed=0), ["astronaut.jpg"]),
        ("audio", clips, augkit.audio.audio_pairs(16000, seed=0), ["a_minor_chord.flac"]),
    ])
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}",
                        "--force-device-scale-factor=1", "--window-size=1000,1400", f"--screenshot={shot}",
                        page.as_uri()], capture_output=True, timeout=120, check=True)
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    for k in range(3):  # the swatches (10 px squares) are drawn in the views' colours
        close = (np.abs(pixels - np.asarray(view_colour(k))).sum(axis=-1) <= 6)
        assert close.sum() >= 2 * 50, f"view {k + 1}'s colour shows in the legend and beside its title"
    dom = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          f"--user-data-dir={tmp_path / 'profile'}", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert dom.count('class="legend"') == 2 and dom.count('class="row-title"') == 2
