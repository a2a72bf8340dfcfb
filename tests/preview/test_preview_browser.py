"""The preview page in a real headless Chromium: it loads, holds every picture and player, is not
blank, and text from the data never runs as markup."""

from __future__ import annotations

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
from augkit.preview import write_sections

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs the chromium package (.ci/run installs it)")

HOSTILE = "<script>document.title='pwned'</script> and <img src=x onerror=\"document.title='pwned'\"> too"
HOSTILE_NAME = "<img src=y onerror=\"document.title='pwned'\">.jpg"


def chromium(page: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    """Chromium headless on a local file, offline, with the flags of ../shared/tools/chromium_screenshot.sh."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}", *mode,
             page.as_uri()],
            capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    photos = read_sources([DATA / "images"])[0][:2]
    sentences = [HOSTILE, *read_sources([DATA / "sentences.txt"], limit=2)[0]]
    clips = read_sources([DATA / "audio"], sample_rate=16000)[0][:2]
    return write_sections(tmp_path_factory.mktemp("page") / "preview.html", [
        ("images", photos, augkit.image.simclr(96, n_views=3, seed=0), [HOSTILE_NAME, "chelsea.jpg"]),
        ("text", sentences, augkit.text.eda(alpha=0.3, seed=0)),
        ("audio", clips, augkit.audio.audio_pairs(16000, seed=0)),
    ])


def test_the_page_has_no_network_references(page: Path) -> None:
    text = page.read_text()
    assert not re.search(r"(src|href)=['\"]?(https?:|//)", text)
    assert "<script" not in text and "<link" not in text


def test_the_dom_holds_every_picture_and_player_and_the_escaped_text(page: Path) -> None:
    run = chromium(page, "--dump-dom")
    dom = run.stdout
    assert "<title>augkit preview</title>" in dom, "the escaped script did not change the title"
    sections = dom.split("<section")[1:]
    assert len(sections) == 3
    images, texts, audio = sections
    assert images.count("<img") == 2 * (1 + 3)
    assert texts.count("<img") == 0 and texts.count("<p class=\"view text\"") == 3 * (1 + 2)
    assert audio.count("<audio") == 2 * (1 + 2)
    assert audio.count("class=\"waveform\"") == audio.count("class=\"spectrogram\"") == 2 * (1 + 2)
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in texts, "the sample shows as text"
    assert '<img src="x"' not in dom, "the hostile img stayed text, not an element"
    # the image rows are titled with their names, shown as text
    assert images.count('<p class="row-title">') == 2 and '<span class="name">chelsea.jpg</span>' in images
    assert '<img src="y"' not in dom and "&lt;img src=y onerror=" in images
    assert texts.count('<p class="row-title">') == 0


def test_a_screenshot_is_not_blank(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    chromium(page, "--window-size=1200,1600", f"--screenshot={shot}")
    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert pixels.shape[:2] == (1600, 1200)
    assert (pixels.std(axis=(0, 1)) > 20).all(), "pictures, text and tables, not a blank page"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 1000, "the photos and spectrograms are drawn"
