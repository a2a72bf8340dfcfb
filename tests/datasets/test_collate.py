"""ViewCollate: images, text through a real Hugging Face tokenizer, padded audio with masks, dict
views field by field, records, named errors, pickling into DataLoader workers."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image as PILImage

import augkit
from augkit import Identity, ViewGenerator, Views, multi_crop
from augkit.datasets import FolderDataset, Padded, ViewCollate, ViewDataset, collate_views, make_collate
from augkit.image import RandomResizedCrop, make_output

EXAMPLES = int(os.environ.get("AUGKIT_FUZZ_EXAMPLES", 2500 if os.environ.get("AUGKIT_FUZZ") == "long" else 40))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
VOCAB = {"[PAD]": 0, "[UNK]": 1, "a": 2, "dog": 3, "cat": 4, "runs": 5, "on": 6, "the": 7, "grass": 8}


def make_tokenizer() -> Any:
    """A real transformers tokenizer built offline: WordLevel vocabulary, whitespace pre-tokenizer."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(vocab=VOCAB, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]")


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    return make_tokenizer()


def ids(text: str) -> list[int]:
    return [VOCAB.get(word, VOCAB["[UNK]"]) for word in text.split()]


def test_exported_from_collate_datasets_and_augkit() -> None:
    assert augkit.ViewCollate is ViewCollate is augkit.datasets.ViewCollate
    assert "ViewCollate" in augkit.__all__ and "ViewCollate" in augkit.datasets.__all__


def test_padded_mask_marks_real_samples_and_still_unpacks_in_two() -> None:
    padded = collate_views([([torch.ones(2, 5)], None), ([torch.full((2, 3), 2.0)], None)],
                           pad_value=-1.0, modality="audio")[0][0]
    values, lengths = padded
    assert values.shape == (2, 2, 5) and lengths.tolist() == [5, 3] and len(padded) == 2
    assert padded.mask.dtype == torch.bool and padded.mask.tolist() == [[True] * 5, [True] * 3 + [False] * 2]
    assert values[1, :, 3:].eq(-1.0).all() and values[1][padded.mask[1].expand(2, -1)].eq(2.0).all()
    assert pickle.loads(pickle.dumps(padded)).mask.tolist() == padded.mask.tolist()


def test_images_stack_per_position_and_multi_crop_sizes_stay_apart(photos: list[np.ndarray]) -> None:
    crops = multi_crop(RandomResizedCrop(32), RandomResizedCrop(16), n_global=2, n_local=3)
    ds = ViewDataset([(p, i) for i, p in enumerate(photos)], ViewGenerator(crops, seed=0,
                                                                            output=make_output("normalized")))
    batch = [ds[i] for i in range(len(photos))]
    views, labels = ViewCollate(modality="image")(batch)
    n = len(photos)
    assert [tuple(v.shape) for v in views] == [(n, 3, 32, 32)] * 2 + [(n, 3, 16, 16)] * 3
    assert all(v.dtype == torch.float32 for v in views) and labels.tolist() == list(range(n))
    for k in range(5):
        for b in range(n):
            assert torch.equal(views[k][b], batch[b][0][k])
    # without an output step the views are uint8 H×W×C arrays: the descriptor keeps [B, H, W, C]
    raw = ViewDataset(photos, ViewGenerator(RandomResizedCrop(8), n_views=2, seed=1))
    arrays = ViewCollate(modality="image")([raw[0], raw[1]])[0]
    assert arrays[0].shape == (2, 8, 8, 3) and arrays[0].dtype == torch.uint8
    assert np.array_equal(arrays[1][1].numpy(), raw[1][0][1])
    with pytest.raises(ValueError, match=r"view 0: image views .* \(item 0: \(32, 32, 3\); item 1: \(16, 16, 3\)"):
        ViewCollate(modality="image")([([np.zeros((32, 32, 3), np.uint8)], 0), ([np.zeros((16, 16, 3), np.uint8)], 1)])


def test_text_through_a_real_tokenizer_with_the_default_options(tokenizer: Any) -> None:
    batch = [(["a dog runs", "the cat"], 0), (["a cat on the grass", "dog"], 1)]
    views, labels = ViewCollate(tokenizer=tokenizer)(batch)
    first = views[0]
    assert first["input_ids"].tolist() == [[*ids("a dog runs"), 0, 0], ids("a cat on the grass")]
    assert first["attention_mask"].tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]
    assert views[1]["input_ids"].tolist() == [ids("the cat"), [*ids("dog"), 0]] and labels.tolist() == [0, 1]
    short = ViewCollate(tokenizer=tokenizer, max_length=2, truncation=True, padding="max_length",
                        return_tensors="pt")(batch)[0]
    assert short[0]["input_ids"].tolist() == [ids("a dog"), ids("a cat")]
    assert ViewCollate(modality="text")(batch)[0] == [["a dog runs", "a cat on the grass"], ["the cat", "dog"]]
    # the old call keeps passing only the options it is given
    assert collate_views(batch, modality="text", tokenizer=tokenizer)[0][1]["input_ids"] == [ids("the cat"), ids("dog")]
    with pytest.raises(TypeError, match=r"view 1: item 1: text input must be a str, got int"):
        ViewCollate(modality="text")([(["a", "b"], 0), (["c", 7], 1)])


def test_audio_stacks_one_length_pads_ragged_clips_and_names_mixed_channel_counts() -> None:
    clips = [torch.full((2, 4), float(i)) for i in range(3)]
    views, _ = ViewCollate(modality="audio")([([c], None) for c in clips])
    assert views[0].shape == (3, 2, 4) and views[0][:, 0, 0].tolist() == [0.0, 1.0, 2.0]
    ragged = [torch.ones(1, 6), torch.ones(1, 2) * 3, torch.ones(1, 4) * 5]
    padded = ViewCollate(modality="audio", pad_value=0.5)([([c], None) for c in ragged])[0][0]
    assert isinstance(padded, Padded) and padded.lengths.tolist() == [6, 2, 4]
    assert padded.mask.sum(1).tolist() == [6, 2, 4] and padded.values[1, 0].tolist() == [3, 3, .5, .5, .5, .5]
    mixed = [([torch.zeros(1, 8)], 0), ([torch.zeros(2, 8)], 1), ([torch.zeros(1, 8)], 2)]
    with pytest.raises(ValueError, match=r"view 0: audio clips .* channel counts \(items \[0, 2\]: 1 channel; "
                                         r"item 1: 2 channels\)"):
        ViewCollate(modality="audio")(mixed)
    # views that carry no modality: the generic collate names the shapes and the readers' options
    with pytest.raises(ValueError, match=r"view 0: cannot collate tensors of shapes \[\(1, 8\), \(2, 8\)\]: only the "
                                         r"last axis may differ \(items \[0, 2\]: shape \(1, 8\); item 1: shape "
                                         r"\(2, 8\)\).*crop or resize them to one size.*color= and channels= options"):
        ViewCollate()(mixed)


def test_ragged_and_stacked_tensors_of_two_dtypes_keep_float_values() -> None:
    token_ids = torch.tensor([[1, 2, 3]])
    scores = torch.tensor([[0.25, 0.5, 0.75, 1.5]])
    padded = ViewCollate(pad_value=-1)([([token_ids], None), ([scores], None)])[0][0]
    assert padded.values.dtype == torch.float32
    assert padded.values.tolist() == [[[1.0, 2.0, 3.0, -1.0]], [[0.25, 0.5, 0.75, 1.5]]]
    stacked = ViewCollate()([([np.array([1, 2], np.int64)], None), ([torch.tensor([0.5, 2.5])], None)])[0][0]
    assert stacked.dtype == torch.float32 and stacked.tolist() == [[1.0, 2.0], [0.5, 2.5]]
    photos = ViewCollate(modality="image")([([np.full((2, 2, 3), 7, np.uint8)], 0),
                                            ([np.full((2, 2, 3), 0.5, np.float32)], 1)])[0][0]
    assert photos.dtype == torch.float32 and photos[0].eq(7).all() and photos[1].eq(0.5).all()
    with pytest.raises(ValueError, match=r"pad_value=-1 does not fit the batch's dtype torch.uint8"):
        ViewCollate(pad_value=-1)([([torch.zeros(2, dtype=torch.uint8)], 0), ([torch.zeros(3, dtype=torch.uint8)], 1)])


def dict_view(i: int, text: str) -> dict[str, Any]:
    return {"image": torch.full((3, 4, 4), float(i)), "text": text, "caption": f"a dog {i}",
            "audio": torch.ones(1, 3 + i), "label": i, "id": f"x{i}"}


def test_dict_views_collate_field_by_field(tokenizer: Any) -> None:
    batch = [(Views([dict_view(0, "a dog"), dict_view(10, "dog")], [{"op": 0}, {"op": 1}]), 0),
             (Views([dict_view(1, "the cat runs"), dict_view(11, "cat")], [{"op": 2}, {"op": 3}]), 1)]
    views, labels = ViewCollate()(batch)
    first = views[0]
    assert list(first) == ["image", "text", "caption", "audio", "label", "id"]
    assert first["image"].shape == (2, 3, 4, 4) and first["image"][:, 0, 0, 0].tolist() == [0.0, 1.0]
    assert first["text"] == ["a dog", "the cat runs"] and first["caption"] == ["a dog 0", "a dog 1"]
    assert isinstance(first["audio"], Padded) and first["audio"].lengths.tolist() == [3, 4]
    assert torch.equal(first["label"], torch.tensor([0, 1])) and first["id"] == ["x0", "x1"]
    assert views[1]["label"].tolist() == [10, 11] and labels.tolist() == [0, 1]

    tokens = ViewCollate(tokenizer=tokenizer, fields={"caption": "text", "id": None})(batch)[0]
    assert tokens[0]["text"]["input_ids"].tolist() == [[*ids("a dog"), 0], ids("the cat runs")]
    assert tokens[0]["caption"]["input_ids"].tolist() == [ids("a dog 0"), ids("a dog 1")]
    assert tokens[1]["text"]["attention_mask"].tolist() == [[1], [1]] and tokens[0]["id"] == ["x0", "x1"]
    assert torch.equal(tokens[0]["image"], first["image"])
    # a string field nobody named is text, so a tokenizer reaches it too
    guessed = ViewCollate(tokenizer=tokenizer)(batch)[0][0]["id"]["input_ids"]
    assert guessed.tolist() == [[VOCAB["[UNK]"]]] * 2
    with pytest.raises(ValueError, match=r"view 0, field 'caption': audio clips"):
        ViewCollate(fields={"caption": "audio"})([([{"caption": torch.zeros(1, 2)}], 0),
                                                 ([{"caption": torch.zeros(2, 2)}], 1)])


def test_return_params_gives_each_views_records_as_plain_data() -> None:
    vg = ViewGenerator(RandomResizedCrop(8), n_views=2, seed=3, output=make_output("uint8"))
    photos = [np.full((20, 30, 3), i * 40, np.uint8) for i in range(3)]
    batch: list[Any] = [(vg.generate(p, index=i), None) for i, p in enumerate(photos)]
    batch.append(([torch.zeros(3, 8, 8, dtype=torch.uint8)] * 2, None))
    views, labels, params = ViewCollate(return_params=True)(batch)
    assert views[0].shape == (4, 3, 8, 8) and labels is None and len(params) == 4 and params[3] is None
    for b in range(3):
        assert params[b] == [dict(r) for r in batch[b][0].params] and len(params[b]) == 2
        assert params[b] is not batch[b][0].params
    json.dumps(params)
    assert torch.equal(views[1][2], vg.replay(photos[2], params[2])[1])
    assert len(ViewCollate()(batch)) == 2


def test_bad_batches_name_the_items_positions_and_fields() -> None:
    good = ([torch.zeros(2)], 0)
    with pytest.raises(ValueError, match=r"batch items \[1, 3\] are None among 4"):
        ViewCollate()([good, None, good, None])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"view 1: item 1 of the batch hold None"):
        ViewCollate()([([torch.zeros(2), torch.zeros(2)], 0), ([torch.zeros(2), None], 1)])
    with pytest.raises(ValueError, match=r"different numbers of views: \[1, 2\] \(item 0: 1 views; item 1: 2 views"):
        ViewCollate()([good, ([torch.zeros(2), torch.zeros(2)], 1)])
    with pytest.raises(ValueError, match=r"view 0: item 1 lacks field 'text' that item 0 has"):
        ViewCollate()([([{"image": torch.zeros(2), "text": "a"}], 0), ([{"image": torch.zeros(2)}], 1)])
    with pytest.raises(ValueError, match=r"view 0: item 0 lacks field 'id' that item 2 has"):
        ViewCollate()([([{"text": "a"}], 0), ([{"text": "b"}], 1), ([{"text": "c", "id": 3}], 2)])
    with pytest.raises(TypeError, match=r"view 0: item 0 is a dict of fields but item 1 is not \(str\)"):
        ViewCollate()([([{"text": "a"}], 0), (["b"], 1)])
    with pytest.raises(ValueError, match=r"view 0, field 'image': item 0 of the batch hold None for a image field"):
        ViewCollate()([([{"image": None}], 0), ([{"image": torch.zeros(2)}], 1)])
    with pytest.raises(TypeError, match=r"batch item 1 is a Tensor, not a \(views, label\) pair"):
        ViewCollate()([good, torch.zeros(2)])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"view 0: a batch mixes strings with other types \(item 1: int\)"):
        ViewCollate()([(["a"], 0), ([3], 1)])
    with pytest.raises(ValueError, match="empty batch"):
        ViewCollate()([])


def test_constructor_checks_name_the_argument(tokenizer: Any) -> None:
    with pytest.raises(TypeError, match=r"tokenizer=\.\.\.\) must be callable"):
        ViewCollate(tokenizer="bert")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"options \['padding'\] go to the tokenizer"):
        ViewCollate(padding=True)
    with pytest.raises(TypeError, match="pad_value='0' must be a number"):
        ViewCollate(pad_value="0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="return_params=1 must be True or False"):
        ViewCollate(return_params=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no modality named 'smell'"):
        ViewCollate(modality="smell")
    with pytest.raises(ValueError, match=r"fields\['caption'\]='txt'"):
        ViewCollate(fields={"caption": "txt"})
    with pytest.raises(TypeError, match="fields must be a dict"):
        ViewCollate(fields=["caption"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"modality='image'\) takes no tokenizer"):
        ViewCollate(tokenizer=tokenizer, modality="image")
    with pytest.raises(ValueError, match=r"text views are not padded \(pad_value=-1\)"):
        ViewCollate(pad_value=-1, modality="text")
    assert repr(ViewCollate(modality="audio", pad_value=0.5)) == "ViewCollate(pad_value=0.5, modality='audio')"


def test_collate_views_and_make_collate_are_view_collates() -> None:
    batch = [([torch.ones(1, 3), "a"], 1), ([torch.ones(1, 5), "b c"], 2)]
    bound = make_collate("audio", pad_value=0.25)
    assert isinstance(bound, ViewCollate)
    default = collate_views(batch)
    assert default[0][0].lengths.tolist() == [3, 5] and default[0][1] == ["a", "b c"]
    again = ViewCollate()(batch)
    assert torch.equal(again[0][0].values, default[0][0].values) and torch.equal(again[1], default[1])
    clips = pickle.loads(pickle.dumps(bound))([([torch.ones(1, 1)], 0), ([torch.ones(1, 2)], 1)])[0][0]
    assert clips.values.tolist() == [[[1.0, 0.25]], [[1.0, 1.0]]]


def test_a_dataloader_with_two_workers_pickles_the_tokenizer(tokenizer: Any) -> None:
    texts = ["a dog runs", "the cat", "a cat on the grass", "dog", "the dog runs on the grass", "cat"]
    ds = ViewDataset([(t, i) for i, t in enumerate(texts)], ViewGenerator(Identity(), n_views=2, seed=0))
    collate = ViewCollate(tokenizer=tokenizer, return_params=True)
    loader = torch.utils.data.DataLoader(ds, batch_size=3, num_workers=2, collate_fn=collate)
    batches = list(loader)
    assert len(batches) == 2
    for start, (views, labels, params) in zip((0, 3), batches, strict=True):
        assert labels.tolist() == [start, start + 1, start + 2] and len(params) == 3
        expected = tokenizer(texts[start:start + 3], padding=True, truncation=True, return_tensors="pt")
        for k in range(2):
            assert torch.equal(views[k]["input_ids"], expected["input_ids"])
            assert torch.equal(views[k]["attention_mask"], expected["attention_mask"])
        views_of_first = ds[start][0]  # a ViewList: the views, with their records in .params
        assert params[0] == [dict(r) for r in views_of_first.params]
        assert params[2] == [dict(r) for r in ds.views.generate(texts[start + 2], index=start + 2).params]


DTYPES = ["float32", "float64", "int64", "int16", "uint8"]


@st.composite
def clip_batches(draw: Any) -> list[Any]:
    size = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    out = []
    for _ in range(size):
        shape = (draw(st.sampled_from([1, 1, 2])), draw(st.integers(1, 6)))
        arr = (rng.random(shape) * 100).astype(draw(st.sampled_from(DTYPES)))
        out.append(torch.from_numpy(arr) if draw(st.booleans()) else arr)
    return out


@SETTINGS
@given(clips=clip_batches(), pad=st.sampled_from([0.0, -1.0, 0.5]), modality=st.sampled_from([None, "audio"]))
def test_clip_batches_collate_with_their_values_or_raise_one_named_error(
    clips: list[Any], pad: float, modality: str | None
) -> None:
    collate = ViewCollate(pad_value=pad, modality=modality)
    tensors = [torch.as_tensor(c) for c in clips]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    channels = {t.shape[0] for t in tensors}
    lengths = [t.shape[1] for t in tensors]
    unfit = not dtype.is_floating_point and (pad != int(pad) or not
                                             torch.iinfo(dtype).min <= pad <= torch.iinfo(dtype).max)
    refused = len(channels) > 1 or (len(set(lengths)) > 1 and unfit)
    try:
        views, labels = collate([([c], i) for i, c in enumerate(clips)])
    except (ValueError, TypeError) as err:
        assert refused and str(err).startswith("view 0: ")
        # the audio descriptor names channel counts; generic collate names shapes and points to modality=
        what = ("channel counts" if modality else "only the last axis may differ") if len(channels) > 1 \
            else "does not fit the batch's dtype"
        assert what in str(err)
        return
    assert not refused
    assert labels.tolist() == list(range(len(clips)))
    out = views[0]
    if len(set(lengths)) == 1:
        assert isinstance(out, torch.Tensor) and out.dtype == dtype
        assert torch.equal(out, torch.stack([t.to(dtype) for t in tensors]))
        return
    assert isinstance(out, Padded) and out.values.dtype == dtype and out.lengths.tolist() == lengths
    assert out.values.shape == (len(clips), channels.pop(), max(lengths))
    assert out.mask.sum(1).tolist() == lengths
    for b, t in enumerate(tensors):
        assert torch.equal(out.values[b, :, : lengths[b]], t.to(dtype))
        assert out.values[b, :, lengths[b]:].eq(pad).all()


@SETTINGS
@given(fields=st.lists(st.sets(st.sampled_from(["image", "text", "label", "id"]), min_size=1), min_size=1,
                       max_size=4))
def test_dict_views_with_any_fields_collate_or_name_the_missing_field(fields: list[set[str]]) -> None:
    values = {"image": torch.zeros(3, 2, 2), "text": "a dog", "label": 3, "id": "x"}
    batch = [([{f: values[f] for f in sorted(keys)}], i) for i, keys in enumerate(fields)]
    try:
        views, _ = ViewCollate()(batch)
    except ValueError as err:
        assert any(keys != fields[0] for keys in fields)
        missing = str(err).split("lacks field ")[1].split(" ")[0].strip("'")
        assert missing in set().union(*fields) - set.intersection(*fields)
        return
    assert all(keys == fields[0] for keys in fields) and set(views[0]) == fields[0]
    if "label" in fields[0]:
        assert views[0]["label"].tolist() == [3] * len(fields)
    if "image" in fields[0]:
        assert views[0]["image"].shape == (len(fields), 3, 2, 2)


# -- the first error names the real fix: collate_views over a ViewDataset asks the views' modality ----------


def _mixed_photos(folder: Path, sizes: list[tuple[int, ...]]) -> Path:
    folder.mkdir()
    rng = np.random.default_rng(3)
    for i, shape in enumerate(sizes):
        PILImage.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(folder / f"{i}.png")
    return folder


def test_a_folder_of_grayscale_and_rgb_photos_kept_as_they_are_is_told_to_read_rgb(tmp_path: Path) -> None:
    folder = _mixed_photos(tmp_path / "photos", [(40, 40, 3), (40, 40), (40, 40, 3)])
    kept = ViewDataset(FolderDataset(folder, color="keep"), augkit.image.simclr_cifar(32, seed=0))
    loader = torch.utils.data.DataLoader(kept, batch_size=3, collate_fn=collate_views)  # README's training loop
    with pytest.raises(ValueError, match=r"^view 0: image views of one position have different shapes "
                                         r"\[\(1, 32, 32\), \(3, 32, 32\)\] .*: read every file as RGB "
                                         r"\(color='rgb', the readers' default"):
        next(iter(loader))
    with pytest.raises(ValueError, match="color='rgb'"):  # through a worker process too (the views pickle)
        next(iter(torch.utils.data.DataLoader(kept, batch_size=3, collate_fn=collate_views, num_workers=1)))
    views, labels = next(iter(torch.utils.data.DataLoader(
        ViewDataset(FolderDataset(folder), augkit.image.simclr_cifar(32, seed=0)), batch_size=3,
        collate_fn=collate_views)))
    assert views[0].shape == (3, 3, 32, 32) and labels is None  # the fix the error named


def test_photos_of_different_sizes_without_a_crop_are_told_to_crop_or_resize(tmp_path: Path) -> None:
    folder = _mixed_photos(tmp_path / "photos", [(40, 40, 3), (30, 50, 3)])
    ds = ViewDataset(FolderDataset(folder), ViewGenerator(augkit.image.HorizontalFlip(p=0.5), seed=0))
    with pytest.raises(ValueError, match=r"^view 0: image views .* different shapes .*: resize or crop them to one "
                                         r"size \(RandomResizedCrop\(size\)"):
        collate_views([ds[0], ds[1]])


def test_mono_and_stereo_clips_kept_as_they_are_are_told_to_read_one_channel(tmp_path: Path) -> None:
    import soundfile

    (tmp_path / "clips").mkdir()
    rng = np.random.default_rng(4)
    soundfile.write(tmp_path / "clips" / "a.wav", (0.1 * rng.standard_normal(16000)).astype(np.float32), 16000)
    soundfile.write(tmp_path / "clips" / "b.wav", (0.1 * rng.standard_normal((16000, 2))).astype(np.float32), 16000)
    vg = augkit.audio.audio_pairs(16000, seconds=0.5, seed=0)
    kept = ViewDataset(FolderDataset(tmp_path / "clips", channels="keep"), vg)
    with pytest.raises(ValueError, match=r"^view 0: audio clips of one batch have different channel counts "
                                         r"\(item 0: 1 channel; item 1: 2 channels\).*read files with channels=1"):
        collate_views([kept[0], kept[1]])
    views, _ = collate_views([ViewDataset(FolderDataset(tmp_path / "clips"), vg)[i] for i in (0, 1)])
    assert views[0].shape == (2, 1, 8000)
