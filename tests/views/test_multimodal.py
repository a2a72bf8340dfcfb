"""Dict samples, cross-modal positive pairs and their coupling rules."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import augkit
from augkit import CrossModalViews, ViewGenerator
from augkit.audio import AddNoise, Gain
from augkit.core import Compose, Identity
from augkit.core.streams import stream
from augkit.image import ops
from augkit.text import RandomDeletion, RandomSwap, SynonymReplacement
from augkit.text._words import WORD
from augkit.views import couplings

PHOTO = np.random.default_rng(0).integers(0, 256, (40, 56, 3), dtype=np.uint8)
CLIP = torch.from_numpy(np.random.default_rng(1).standard_normal((1, 8000)).astype(np.float32) * 0.1)
CAPTION = "Two red cups stand on the left of a white plate, right by the window."
SAMPLE = {"image": PHOTO, "text": CAPTION, "audio": CLIP, "label": 3, "id": "cup-1"}


def _image_pipe() -> Compose:
    return Compose([ops.RandomResizedCrop(size=24), ops.HorizontalFlip(p=0.5), ops.ColorJitter(0.4, 0.4, 0.4, 0.1)])


def _generator(**kw) -> ViewGenerator:
    return ViewGenerator({"image": _image_pipe(), "text": RandomDeletion(alpha=0.3), "audio": Gain()}, seed=7, **kw)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b)
    return a == b


# -- dict samples -------------------------------------------------------------------------------

def test_every_field_is_augmented_and_other_keys_pass_through():
    views = _generator().generate(SAMPLE, index=4)
    assert len(views) == 2
    for view in views:
        assert set(view) == set(SAMPLE)
        assert view["image"].shape == (24, 24, 3) and view["image"].dtype == np.uint8
        assert isinstance(view["text"], str) and view["text"] != CAPTION
        assert view["audio"].shape == CLIP.shape and not torch.equal(view["audio"], CLIP)
        assert view["label"] == 3 and view["id"] == "cup-1"
    assert views[0]["text"] != views[1]["text"] or not np.array_equal(views[0]["image"], views[1]["image"])


def test_each_field_draws_from_its_own_stream():
    vg = _generator()
    views = vg.generate(SAMPLE, index=4, epoch=2)
    for k in range(2):
        for f, pipe in vg.pipelines[k].items():
            y, p = pipe.augment(SAMPLE[f], stream(7, 2, 4, k, f))
            assert _same(views[k][f], y) and views.params[k]["fields"][f] == p
            y2, _ = pipe.augment(SAMPLE[f], vg.rng(4, epoch=2, view=k, field=f))
            assert _same(y, y2)


def test_a_field_s_views_do_not_depend_on_the_other_fields():
    full = _generator().generate(SAMPLE, index=9)
    text_only = ViewGenerator({"text": RandomDeletion(alpha=0.3)}, seed=7).generate({"text": CAPTION}, index=9)
    assert [v["text"] for v in full] == [v["text"] for v in text_only]


def test_params_hold_one_record_per_view_with_one_entry_per_field_and_replay_bit_for_bit():
    vg = _generator()
    views = vg.generate(SAMPLE, index=11, epoch=1)
    assert [sorted(p["fields"]) for p in views.params] == [["audio", "image", "text"]] * 2
    assert all(p["format"] == augkit.core.RECORD_FORMAT for p in views.params)
    params = json.loads(json.dumps(views.params))  # records are JSON-safe
    for got, want in zip(vg.replay(SAMPLE, params), views.items, strict=True):
        assert set(got) == set(want) and all(_same(got[f], want[f]) for f in want)


def test_views_are_deterministic_and_change_with_epoch_and_index():
    vg = _generator()
    a, b = vg(SAMPLE, index=3, epoch=0), vg(SAMPLE, index=3, epoch=0)
    assert all(_same(a[k]["image"], b[k]["image"]) and a[k]["text"] == b[k]["text"] for k in range(2))
    c = vg(SAMPLE, index=3, epoch=1)
    assert any(not _same(a[k]["image"], c[k]["image"]) for k in range(2))


def test_per_view_pipelines_per_field():
    vg = ViewGenerator({"image": [_image_pipe(), Identity()], "text": RandomSwap(alpha=0.3)}, seed=0)
    assert vg.n_views == 2
    v1, v2 = vg(SAMPLE, index=0)
    assert v1["image"].shape == (24, 24, 3) and np.array_equal(v2["image"], PHOTO)
    assert v1["text"] != CAPTION and v2["text"] != CAPTION


def test_field_lists_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different numbers of views"):
        ViewGenerator({"image": [_image_pipe(), Identity()], "text": [RandomSwap(), RandomSwap(), RandomSwap()]})
    with pytest.raises(ValueError, match="n_views=3"):
        ViewGenerator({"image": [_image_pipe(), Identity()]}, n_views=3)


def test_a_missing_field_names_the_field_and_the_index_unless_passed():
    sample = {"image": PHOTO, "label": 1}
    with pytest.raises(ValueError, match=r"sample 12 has no field 'text'"):
        _generator()(sample, index=12)
    views = _generator(missing="pass")(sample, index=12)
    assert all(set(v) == {"image", "label"} for v in views)
    with pytest.raises(ValueError, match="missing="):
        _generator(missing="skip")


def test_a_field_its_pipeline_cannot_handle_names_the_index_and_field():
    with pytest.raises(TypeError, match=r"sample 5, field 'text'"):
        _generator()({**SAMPLE, "text": 42}, index=5)
    with pytest.raises(ValueError, match=r"sample 6, field 'image'"):
        _generator()({**SAMPLE, "image": np.zeros((4, 4, 7), np.uint8)}, index=6)
    with pytest.raises(TypeError, match="dict samples"):
        _generator()(PHOTO, index=0)


def test_field_modalities_come_from_the_ops_the_name_or_the_argument():
    vg = ViewGenerator({"photo": _image_pipe(), "caption": RandomSwap(), "image": Identity(), "x": Identity()},
                       modality={"x": "audio"})
    assert vg.field_modalities == {"photo": "image", "caption": "text", "image": "image", "x": "audio"}
    with pytest.raises(ValueError, match="no modality named 'smell'"):
        ViewGenerator({"a": Identity()}, modality={"a": "smell"})
    with pytest.raises(ValueError, match="no pipeline"):
        ViewGenerator({"a": Identity()}, modality={"b": "text"})


def test_output_per_field():
    vg = ViewGenerator({"image": _image_pipe(), "text": RandomSwap()}, seed=0,
                       output={"image": lambda x: torch.from_numpy(x).permute(2, 0, 1).float() / 255})
    v = vg(SAMPLE, index=0)[0]
    assert isinstance(v["image"], torch.Tensor) and v["image"].shape == (3, 24, 24) and isinstance(v["text"], str)
    raw = vg.generate(SAMPLE, index=0, with_output=False)[0]
    assert raw["image"].dtype == np.uint8


def test_single_modality_generators_refuse_dict_only_arguments():
    with pytest.raises(TypeError, match="dict samples"):
        ViewGenerator(RandomSwap(), couplings=["protect_words"])


# -- cross-modal pairs ----------------------------------------------------------------------------

def _pairs(*rules, text=None) -> CrossModalViews:
    return CrossModalViews(image=_image_pipe(), text=text or RandomSwap(alpha=0.2), couplings=list(rules), seed=3)


def test_cross_modal_views_make_one_view_with_every_side():
    pairs = _pairs()
    assert isinstance(pairs, ViewGenerator) and pairs.n_views == 1
    (view,) = pairs({"image": PHOTO, "text": CAPTION}, index=0)
    assert view["image"].shape == (24, 24, 3) and isinstance(view["text"], str)
    with pytest.raises(ValueError, match="two or more"):
        CrossModalViews(image=_image_pipe())


def test_audio_caption_pairs():
    pairs = CrossModalViews(audio=AddNoise(snr_db=(10, 20)), text=RandomDeletion(0.2), seed=0)
    (view,) = pairs({"audio": CLIP, "text": "a dog barks twice"}, index=1)
    assert view["audio"].shape == CLIP.shape and view["text"] != "a dog barks twice"


def test_flip_swaps_left_right_when_flipped_and_only_then():
    pairs = CrossModalViews(image=ops.HorizontalFlip(p=0.5), text=Identity(), modality={"text": "text"},
                            couplings=["flip_swaps_left_right"], seed=0)
    caption = "The LEFT cup, the right-hand plate and the leftmost spoon."
    mirrored = "The RIGHT cup, the left-hand plate and the rightmost spoon."
    seen = set()
    for i in range(30):
        views = pairs.generate({"image": PHOTO, "text": caption}, index=i)
        view, record = views[0], views.params[0]
        flipped = not np.array_equal(view["image"], PHOTO)
        assert record["couplings"]["flip_swaps_left_right"]["flipped"] is flipped
        assert view["text"] == (mirrored if flipped else caption)
        if flipped:
            assert np.array_equal(view["image"], PHOTO[:, ::-1])
            assert record["couplings"]["flip_swaps_left_right"]["swaps"] == {"text": 3}
        assert pairs.replay({"image": PHOTO, "text": caption}, views.params)[0]["text"] == view["text"]
        seen.add(flipped)
    assert seen == {True, False}


def test_flip_swap_follows_the_text_ops_and_replays():
    pairs = _pairs("flip_swaps_left_right", text=RandomDeletion(alpha=0.2))
    sample = {"image": PHOTO, "text": CAPTION}
    for i in range(20):
        views = pairs.generate(sample, index=i)
        record = views.params[0]
        unswapped = RandomDeletion(alpha=0.2).apply(CAPTION, record["fields"]["text"])
        flipped = record["couplings"]["flip_swaps_left_right"]["flipped"]
        want = augkit.text.swap_left_right(unswapped)[0] if flipped else unswapped
        assert views[0]["text"] == want
        assert pairs.replay(sample, views.params)[0]["text"] == want


def test_flip_inside_albumentations_counts_too():
    import albumentations as A

    from augkit.image import Albumentations

    pairs = CrossModalViews(image=Albumentations(A.HorizontalFlip(p=0.5)), text=Identity(),
                            modality={"text": "text"}, couplings=["flip_swaps_left_right"], seed=0)
    results = {pairs.generate({"image": PHOTO, "text": "left"}, index=i)[0]["text"] for i in range(16)}
    assert results == {"left", "right"}


@pytest.mark.parametrize("text, want", [
    ("left", "right"), ("Left.", "Right."), ("LEFT!", "RIGHT!"),
    ("on the right-handed side", "on the left-handed side"),
    ("leftwards and rightmost", "rightwards and leftmost"), ("copyright bright lefty", "copyright bright lefty"),
    ("left,right;Left", "right,left;Right"), ("", ""), ("LEFt", "RIGht"),
])
def test_swap_left_right_keeps_case_and_punctuation(text, want):
    assert augkit.text.swap_left_right(text)[0] == want


_FORMS = ["left", "right", "Left", "RIGHT", "leftmost", "Right-hand", "rightwards", "bright", "lefty", "the",
          "copyright", "LEFT-HANDED", ",", ".", " ", "-", "\n", "leftright"]


@settings(deadline=None, max_examples=80)
@given(st.lists(st.sampled_from(_FORMS), max_size=20))
def test_swapping_twice_gives_the_text_back(pieces):
    text = "".join(pieces)
    once, n = augkit.text.swap_left_right(text)
    assert augkit.text.swap_left_right(once) == (text, n)
    assert len(WORD.findall(once)) == len(WORD.findall(text))


def test_protect_words_keeps_colours_numbers_and_given_words():
    pairs = _pairs("protect_words", text=Compose([RandomDeletion(alpha=0.5), SynonymReplacement(alpha=0.5)]))
    keep = ["two", "red", "white"]
    for i in range(25):
        views = pairs.generate({"image": PHOTO, "text": CAPTION}, index=i)
        words = [w.lower() for w in WORD.findall(views[0]["text"])]
        assert [w for w in words if w in keep] == keep
        assert views.params[0]["couplings"]["protect_words"] == {"protected": ["red", "two", "white"]}
    given_words = CrossModalViews(image=_image_pipe(), text=RandomDeletion(alpha=0.9), seed=0,
                                  couplings=[{"rule": "protect_words", "words": ["Cups", "window"]}])
    for i in range(10):
        text = given_words({"image": PHOTO, "text": CAPTION}, index=i)[0]["text"]
        assert "cups" in text and "window" in text


def test_without_protection_the_same_ops_lose_those_words():
    pairs = _pairs(text=Compose([RandomDeletion(alpha=0.5), SynonymReplacement(alpha=0.5)]))
    lost = 0
    for i in range(25):
        words = [w.lower() for w in WORD.findall(pairs({"image": PHOTO, "text": CAPTION}, index=i)[0]["text"])]
        lost += [w for w in words if w in ("two", "red", "white")] != ["two", "red", "white"]
    assert lost >= 10


def test_coupling_errors_name_the_rule():
    with pytest.raises(ValueError, match="no coupling named 'mirror'"):
        _pairs("mirror")
    with pytest.raises(ValueError, match="needs image and text"):
        CrossModalViews(audio=Gain(), text=RandomSwap(), couplings=["flip_swaps_left_right"])
    with pytest.raises(ValueError, match="given twice"):
        _pairs("protect_words", "protect_words")
    with pytest.raises(TypeError, match="list of rules"):
        _pairs.__wrapped__ if False else CrossModalViews(image=_image_pipe(), text=RandomSwap(),
                                                         couplings="protect_words")
    with pytest.raises(ValueError, match="protect_words"):
        couplings.get({"rule": "protect_words", "colors": True})
    with pytest.raises(TypeError, match="words"):
        couplings.get({"rule": "protect_words", "words": "red"})


def test_rules_are_registered_by_name():
    assert {"flip_swaps_left_right", "protect_words"} <= set(couplings.names())
    assert couplings.get("protect_words").spec() == "protect_words"
    spec = couplings.get({"rule": "protect_words", "words": ["Dog"], "numbers": False}).spec()
    assert spec == {"rule": "protect_words", "words": ["dog"], "colours": True, "numbers": False}
    assert couplings.get(spec).spec() == spec


def test_replay_refuses_a_record_of_another_shape():
    vg = _generator()
    params = vg.generate(SAMPLE, index=0).params
    with pytest.raises(ValueError, match="'fields'"):
        vg.replay(SAMPLE, [{"format": 2, "applied": True}] * 2)
    broken = [dict(p, fields={k: v for k, v in p["fields"].items() if k != "text"}) for p in params]
    with pytest.raises(ValueError, match="field 'text'"):
        vg.replay(SAMPLE, broken)


# -- config specs ---------------------------------------------------------------------------------

def test_dict_generators_round_trip_through_a_spec():
    from augkit.views import config

    made = [_generator(), _pairs("flip_swaps_left_right", {"rule": "protect_words", "words": ["plate"]}),
            ViewGenerator({"image": [_image_pipe(), Identity()], "text": RandomSwap()}, seed=2, missing="pass")]
    sample = {"image": PHOTO, "text": CAPTION, "audio": CLIP}
    for vg in made:
        spec = json.loads(json.dumps(config.dump(vg)))
        back = config.load(spec)
        assert type(back) is type(vg) and back.field_modalities == vg.field_modalities
        assert [c.spec() for c in back.couplings] == [c.spec() for c in vg.couplings]
        for i in range(3):
            a, b = vg.generate(sample, index=i), back.generate(sample, index=i)
            assert a.params == b.params
            assert all(_same(x[f], y[f]) for x, y in zip(a, b, strict=True) for f in x)


def test_dict_spec_errors_name_the_place():
    from augkit.views import config

    base = {"seed": 0, "fields": {"image": {"pipeline": {"type": "image.horizontal_flip"}},
                                  "text": {"pipeline": {"type": "text.random_swap"}}}}
    with pytest.raises(ValueError, match=r"fields\.text\.pipeline\.alpha"):
        config.load({**base, "fields": {**base["fields"], "text": {"pipeline": {"type": "text.random_swap",
                                                                                "alpha": 7}}}})
    with pytest.raises(ValueError, match=r"couplings: .*no coupling named 'mirror'"):
        config.load({**base, "couplings": ["mirror"]})
    with pytest.raises(ValueError, match=r"fields\.text\.pipe"):
        config.load({**base, "fields": {"text": {"pipe": {}}}})
    with pytest.raises(ValueError, match="couplings: only a spec with fields"):
        config.load({"seed": 0, "pipeline": {"type": "image.horizontal_flip"}, "couplings": []})


# -- previews -------------------------------------------------------------------------------------

def test_previews_show_every_field_and_what_the_couplings_did(tmp_path):
    from augkit.preview import write_grid, write_page

    pairs = _pairs("flip_swaps_left_right", "protect_words")
    samples = [{"image": PHOTO, "text": CAPTION, "id": f"s{i}"} for i in range(3)]
    page = write_page(tmp_path / "pairs.html", samples, pairs).read_text()
    assert page.count("data-field='image'") == 6 and page.count("data-field='text'") == 6  # originals + views
    assert "coupling: flip_swaps_left_right" in page and "coupling: protect_words" in page
    assert "text: text.random_swap" in page and "dict (image: image, text: text)" in page
    grid = write_grid(tmp_path / "pairs.png", samples, pairs)
    from PIL import Image

    assert Image.open(grid).size[1] >= 3 * 24
    html = pairs.generate(samples[0], index=0)._repr_html_()
    assert "data-field='text'" in html and "image: image.random_resized_crop" in html
