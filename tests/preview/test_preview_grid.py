"""PNG grids lay pictures out at their own aspect ratio (no empty bands around wide clips) under
column titles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from augkit import audio
from augkit.preview import LABEL_HEIGHT, image_grid, write_grid

ROOT = Path(__file__).resolve().parents[2]


def test_columns_are_as_wide_and_rows_as_high_as_their_largest_picture() -> None:
    wide = np.zeros((50, 100, 3), np.uint8)  # 1:2, as a spectrogram
    tall = np.full((100, 40, 3), 90, np.uint8)
    tiny = np.array([[0, 255], [255, 0]], np.uint8)
    grid = image_grid([[wide, wide], [tall, tiny]], cell=80, gap=4)
    # column 0: the wide picture 80 wide (40 high) and the tall one 32 wide; column 1: 80 wide
    # row 0: 40 high (both wide), row 1: 80 high (the tall picture, the tiny one enlarged to 80×80)
    assert grid.shape == (4 + 40 + 4 + 80 + 4, 4 + 80 + 4 + 80 + 4, 3)
    assert (grid[4 : 4 + 40, 4 : 4 + 80] == 0).all() and (grid[4 : 4 + 40, 88 : 88 + 80] == 0).all()
    left = 4 + (80 - 32) // 2
    assert (grid[48 : 48 + 80, left : left + 32] == 90).all(), "the tall picture is centred in its column"
    enlarged = grid[48 : 48 + 80, 88 : 88 + 80, 0]
    assert (enlarged[:40, :40] == 0).all() and (enlarged[:40, 40:] == 255).all(), "pixels enlarged, not blurred"


def test_an_audio_grid_has_rows_as_high_as_its_spectrograms_and_titled_columns(tmp_path: Path) -> None:
    clips = [audio.load(ROOT / "data" / "audio" / name, sample_rate=16000)[0]
             for name in ("speech_digits.flac", "a_minor_chord.flac", "pink_noise.flac")]
    vg = audio.audio_pairs(16000, seed=0)
    grid = np.asarray(Image.open(write_grid(tmp_path / "a.png", clips, vg, cell=160, labels=True)))
    assert grid.shape == (LABEL_HEIGHT + 3 * 80 + 4 * 4, 3 * 160 + 4 * 4, 3)
    body = grid[LABEL_HEIGHT:]
    for i in range(3):  # every place is filled by its spectrogram: no white band above or below it
        for j in range(3):
            top, left = 4 + i * 84, 4 + j * 164
            place = body[top : top + 80, left : left + 160]
            assert (place != 255).any(axis=-1).mean() > 0.99, (i, j)
    for j in range(3):  # a dark title over each column, centred on it
        strip = grid[:LABEL_HEIGHT, 4 + j * 164 : 4 + (j + 1) * 164].astype(int).sum(axis=-1) < 300
        columns = np.flatnonzero(strip.any(axis=0))
        assert columns.size > 10 and abs((columns.min() + columns.max()) / 2 - 80) <= 3, j
    assert not (grid[:LABEL_HEIGHT, :4] != 255).any(), "titles stay over their columns"
    again = np.asarray(Image.open(write_grid(tmp_path / "b.png", clips, vg, cell=160, labels=True)))
    np.testing.assert_array_equal(again, grid)


def test_a_dict_sample_s_cell_stacks_every_field_with_a_picture(tmp_path: Path) -> None:
    import torch

    from augkit import ViewGenerator, image, text
    from augkit.views.display import describer

    photo = np.random.default_rng(0).integers(0, 256, (40, 80, 3), dtype=np.uint8)
    clip = torch.from_numpy(np.sin(np.arange(16000) / 9.0).astype(np.float32))[None]
    vg = ViewGenerator({"audio": audio.Gain((-3.0, 3.0), p=1.0), "image": image.HorizontalFlip(p=1.0),
                        "text": text.RandomSwap(alpha=0.5)}, seed=0, missing="pass")
    shown = describer(vg)
    context = shown.context(vg)
    both = shown.picture({"audio": clip, "image": photo, "text": "a b c"}, **context)
    only_image = shown.picture({"image": photo, "text": "a b c"}, **context)
    assert only_image.shape == photo.shape  # the text field has no picture: the photo alone
    # the clip's spectrogram (128×256) stacked with the photo scaled to its width, not one instead of the other
    assert both.shape == (128 + 4 + 128, 256, 3)
    assert np.array_equal(both[:128], shown.fields["audio"].picture(clip, **context["fields"]["audio"]))
    grid = write_grid(tmp_path / "fields.png", [{"audio": clip, "image": photo, "text": "a b c"}], vg, labels=True)
    assert Image.open(grid).size[1] > LABEL_HEIGHT + 160 // 2
