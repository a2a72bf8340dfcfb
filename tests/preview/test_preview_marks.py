"""Where each view came from, marked on the original in the view's colour: crop boxes on photos,
cropped segments on a clip's waveform, and the page's legend and view titles in the same colours."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from augkit import audio
from augkit.audio.render import LANE, crop_spans, waveform_picture
from augkit.audio.render import marked_views as audio_marked
from augkit.core import Augmenter, Compose, Params, modalities, registry
from augkit.core.args import Arg, Number
from augkit.core.modalities import BaseModality
from augkit.image.render import draw_boxes, view_boxes
from augkit.image.render import marked_views as image_marked
from augkit.preview import write_page
from augkit.views.display import VIEW_COLOURS, view_colour
from augkit.views.generator import ViewGenerator


def _crop_record(top: int, left: int, height: int, width: int) -> dict[str, Any]:
    return {"format": 2, "applied": True, "ops": [
        {"op": "image.random_resized_crop", "params": {"applied": True, "top": top, "left": left, "height": height,
                                                       "width": width, "interpolation": "cubic"}},
        {"op": "image.horizontal_flip", "params": {"applied": False}}]}


def test_each_crop_box_has_its_view_s_colour_even_when_a_view_has_none() -> None:
    flipped_only = {"format": 2, "applied": True, "ops": [{"op": "image.horizontal_flip", "params": {"applied": True}}]}
    records = [_crop_record(2, 2, 20, 20), flipped_only, _crop_record(30, 30, 20, 20)]
    boxes = view_boxes(records)
    assert boxes == [(2, 2, 20, 20), None, (30, 30, 20, 20)] and image_marked(records) == [0, 2]
    drawn = draw_boxes(np.full((64, 64, 3), 128, np.uint8), boxes)
    assert tuple(drawn[2, 10]) == view_colour(0)  # the top edge of view 1's box
    assert tuple(drawn[30, 40]) == view_colour(2), "view 3's box keeps view 3's colour, not the second one"
    assert not (drawn == view_colour(1)).all(axis=-1).any(), "view 2 has no box"


def _audio_record(offset: int, *later: dict[str, Any]) -> dict[str, Any]:
    ops = [{"op": "audio.random_crop", "params": {"applied": True, "offset": offset}}]
    return {"format": 2, "applied": True, "ops": ops + [{"op": "audio.time_stretch", "params": p} for p in later]}


def test_a_clip_s_cropped_segments_are_marked_in_their_views_colours() -> None:
    n = 32000
    wave = np.sin(np.arange(n) / 40.0) * np.linspace(0.1, 1.0, n)
    records = [_audio_record(0), {"format": 2, "applied": True, "ops": []}, _audio_record(16000),
               _audio_record(8000, {"applied": True, "rate": 1.1})]
    views = [np.zeros((1, 8000)), np.zeros((1, n)), np.zeros((1, 8000)), np.zeros((1, 7273))]
    spans = crop_spans(records, views, n)
    # the segment a crop took is the view's length from its offset; after a stretch only its start is known
    assert spans == [(0, 8000), None, (16000, 24000), (8000, 8000)] and audio_marked(records) == [0, 2, 3]
    pic = waveform_picture(wave, spans=spans)
    assert pic.shape == (64 + 2 + 3 * LANE, 256, 3)
    lanes = pic[64 + 2 :]
    for lane, (k, (left, right)) in enumerate([(0, (0, 64)), (2, (128, 192)), (3, (64, 66))]):
        bar = lanes[lane * LANE]
        coloured = np.flatnonzero((bar == view_colour(k)).all(axis=-1))
        assert (coloured.min(), coloured.max() + 1) == (left, right), k
    # the segment's columns are tinted with the view's colour behind the waveform; others stay white
    assert tuple(pic[0, 10]) != (255, 255, 255) and tuple(pic[0, 100]) == (255, 255, 255)
    assert np.array_equal(waveform_picture(wave), waveform_picture(wave, spans=[None, None])), "no crop: no marks"


def test_the_crop_length_places_a_stretched_view_s_segment() -> None:
    # the generator's context knows each view's crop length: a stretch after the crop keeps its span
    records = [_audio_record(8000, {"applied": True, "rate": 1.1}), _audio_record(100)]
    views = [np.zeros((1, 7273)), np.zeros((1, 16000))]
    assert crop_spans(records, views, 32000, [16000, 16000]) == [(8000, 24000), (100, 16100)]
    vg = ViewGenerator([Compose([audio.RandomCrop(1.0, 16000), audio.TimeStretch((0.8, 1.25), p=1.0)]),
                        Compose([audio.Gain((-6, 6))])], seed=0)
    assert modalities.get("audio").context(vg)["crop_lengths"] == [16000, None]


# -- the page's legend, through any modality whose descriptor marks views ------------------------------


class StripModality(BaseModality):
    """1-D float strips; marks on the original the views whose record says ``marked``."""

    name = "strip"
    seen: dict[str, Any] = {}

    def check(self, x: Any, **options: Any) -> np.ndarray:
        return np.asarray(x, dtype=np.float32)

    def render(self, view: Any, params: Any = None, source: Any = None, **context: Any) -> str:
        if "view_params" in context:
            StripModality.seen = context
        return f"<pre>{np.round(view, 2).tolist()}</pre>"

    def marked_views(self, view_params: Any, **context: Any) -> list[int]:
        return [k for k, p in enumerate(view_params) if p.get("marked")]


class StripShift(Augmenter[np.ndarray]):
    """Shift a strip by a drawn amount; marked when the amount is positive."""

    name = "strip.shift"
    modality = "strip"
    args = (Arg("size", Number(0, 10), 1.0, "largest shift"),)
    drawn = {"shift": float, "marked": bool}
    size: float

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> Params:
        shift = float(rng.uniform(-self.size, self.size))
        return {"shift": shift, "marked": shift > 0}

    def transform(self, x: np.ndarray, params: Params) -> np.ndarray:
        return x + np.float32(params["shift"])


@pytest.fixture
def strip() -> Iterator[None]:
    modalities.names(), registry.names()
    modalities.register(StripModality())
    registry.register(StripShift)
    yield
    modalities.MODALITIES.unregister("strip")
    registry.OPS.unregister("strip.shift")


def test_the_legend_and_the_view_titles_show_the_colours_of_the_marked_views(strip: None, tmp_path: Any) -> None:
    vg = ViewGenerator(StripShift(), n_views=8, seed=3)
    samples = [np.arange(4.0), np.ones(3)]
    written = write_page(tmp_path / "p.html", samples, vg).read_text()
    for i, row in enumerate(written.split("<div class='row'")[1:]):
        made = vg.generate(samples[i], index=i, with_output=False)
        marked = [k for k, p in enumerate(made.params) if p["marked"]]
        assert 0 < len(marked) < 8, "the seed marks some views and not others"
        legend = row.split("<p class='legend'", 1)[1].split("</p>")[0]
        assert legend.count("class='swatch'") == len(marked)
        for k in range(8):
            r, g, b = VIEW_COLOURS[k % len(VIEW_COLOURS)]
            swatch = f"<span class='swatch' style='background:#{r:02x}{g:02x}{b:02x}'></span>"
            assert (f"{swatch}view {k + 1}</span>" in legend) == (k in marked)
            assert (f"{swatch}<b>view {k + 1}</b>" in row) == (k in marked), "the view's title carries its colour"
        # the original's render saw every view's record and the views themselves
        assert StripModality.seen["view_params"] is not None
    assert len(StripModality.seen["view_items"]) == 8
    assert np.allclose(StripModality.seen["view_items"][0], samples[1] + made.params[0]["shift"])
