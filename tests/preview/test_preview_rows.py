"""Each row of a page names its sample (its file, its label), escaped; pages stay reproducible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from augkit import image, text
from augkit.preview import page, write_page, write_sections

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">.jpg"


def _rows(html_text: str) -> list[str]:
    return html_text.split("<div class='row'")[1:]


def test_rows_show_each_sample_s_name_and_label_escaped(photos: list[np.ndarray], tmp_path: Path) -> None:
    vg = image.simclr(48, n_views=2, seed=0)
    written = write_page(tmp_path / "p.html", photos[:3], vg, names=[HOSTILE, "chelsea.jpg", None],
                         labels=[None, "cat & <dog>", 7]).read_text()
    first, second, third = _rows(written)
    assert first.startswith(" data-index='0'><p class='row-title'><span class='name'>&lt;img src=x onerror=")
    assert "class='label'" not in first and "<img src=x" not in written, "names are text, never markup"
    assert "<span class='name'>chelsea.jpg</span><span class='label'>label cat &amp; &lt;dog&gt;</span>" in second
    assert "<p class='row-title'><span class='label'>label 7</span></p>" in third  # a label without a name
    # the views are those of the same page without titles, and a seeded page is the same every time
    plain = page(photos[:3], vg)
    assert "<p class='row-title'>" not in plain
    assert page(photos[:3], vg, names=[HOSTILE, "chelsea.jpg", None], labels=[None, "cat & <dog>", 7]) == written
    strip = [r.split("<div class='cell'", 1)[1] for r in _rows(written)]
    assert strip == [r.split("<div class='cell'", 1)[1] for r in _rows(plain)]


def test_names_and_labels_are_one_per_sample(photos: list[np.ndarray], tmp_path: Path) -> None:
    vg = image.simclr(32, seed=0)
    with pytest.raises(ValueError, match="names has 1 entries for 2 samples; give one per sample"):
        write_page(tmp_path / "p.html", photos[:2], vg, names=["a.jpg"])
    with pytest.raises(ValueError, match="labels has 3 entries for 2 samples"):
        page(photos[:2], vg, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="names has 1 entries for 2 samples"):
        write_sections(tmp_path / "s.html", [("photos", photos[:2], vg, ["a.jpg"])])


def test_a_section_names_its_rows_with_a_fourth_item(photos: list[np.ndarray], tmp_path: Path) -> None:
    sentences = ["The cat sat on the mat by the door.", "A dog ran across the wide green park."]
    written = write_sections(tmp_path / "all.html", [
        ("photos", photos[:2], image.simclr(32, seed=0), ["astronaut.jpg", "<chelsea>.jpg"]),
        ("sentences", sentences, text.eda(seed=0)),
    ]).read_text()
    photos_part, sentences_part = written.split("<section")[1:]
    assert "<span class='name'>astronaut.jpg</span>" in photos_part
    assert "<span class='name'>&lt;chelsea&gt;.jpg</span>" in photos_part
    assert "<p class='row-title'>" not in sentences_part
