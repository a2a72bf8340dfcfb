"""Back-translation through a real (tiny, locally built) MarianMT model: batching, the sqlite
cache, seeded sampling, pickling and both failure policies."""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augkit.text.back_translation import (
    BackTranslation,
    HFTranslator,
    TranslationError,
    reverse_words_translator,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# MarianTokenizer suggests sacremoses for punctuation normalisation; the tiny model does not need it.
pytestmark = pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "a picture is worth a thousand words",
    "data augmentation creates two views of every sample",
    "contrastive learning pulls positive pairs together",
    "she sells sea shells by the sea shore",
    "the cat sat on the mat and looked at the dog",
]


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """The tiny model runs fastest on one thread; spinning thread pools stall on a busy machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight MarianMT model saved in tmp, with a sentencepiece vocabulary trained on CORPUS."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder = tmp_path_factory.mktemp("tiny-marian")
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 20), model_writer=proto, vocab_size=120, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, pad_id=-1, bos_id=-1, eos_id=-1, unk_id=0,
        unk_piece="<unk>", normalization_rule_name="identity", minloglevel=2,
    )
    (folder / "source.spm").write_bytes(proto.getvalue())
    (folder / "target.spm").write_bytes(proto.getvalue())
    pieces = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    # Opus-MT vocabulary layout: </s> first, <unk> second, <pad> last.
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(pieces.get_piece_size()):
        vocab.setdefault(pieces.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = MarianTokenizer(source_spm=str(folder / "source.spm"), target_spm=str(folder / "target.spm"),
                                vocab=str(folder / "vocab.json"), source_lang="en", target_lang="de")
    config = MarianConfig(
        vocab_size=len(vocab), d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=64,
        pad_token_id=vocab["<pad>"], eos_token_id=0, decoder_start_token_id=vocab["<pad>"], forced_eos_token_id=0,
    )
    with torch.random.fork_rng():  # fixed weights without touching the suite's global RNG state
        torch.manual_seed(0)
        model = MarianMTModel(config).eval()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def beam(tiny_marian: Path) -> HFTranslator:
    return HFTranslator(tiny_marian, tiny_marian, batch_size=4, num_beams=2, max_new_tokens=12)


@pytest.fixture(scope="module")
def sampler(tiny_marian: Path) -> HFTranslator:
    return HFTranslator(tiny_marian, tiny_marian, batch_size=4, do_sample=True, top_k=50, max_new_tokens=12)


class Counting:
    """A real wrapper around a real translator: counts the calls and texts it passes on."""

    def __init__(self, inner: HFTranslator) -> None:
        self.inner, self.calls, self.texts = inner, 0, 0
        self.model_id = inner.model_id
        self.samples = inner.samples

    def __call__(self, texts: list[str], src: str, tgt: str, seed: int | None = None) -> list[str]:
        self.calls += 1
        self.texts += len(texts)
        return self.inner(texts, src, tgt, seed=seed)


def test_batched_back_translation_is_cached_on_disk(beam: HFTranslator, tmp_path: Path) -> None:
    translator = Counting(beam)
    bt = BackTranslation(translator, pivot="de", cache=tmp_path / "bt.sqlite")
    assert not bt.sample_seed, "beam search does not depend on a seed, so views share cached outputs"
    first = bt.back_translate([*CORPUS, CORPUS[0]])
    # one call each way for the whole corpus; a repeated text is translated once
    assert translator.calls == 2
    assert translator.texts == len(CORPUS) + len({r.pivot_text for r in first})
    assert first[-1] == first[0]
    assert all(r.output.strip() and r.pivot_text.strip() and not r.fallback for r in first)
    # the batched result equals translating each text alone (the cache key holds no batch context)
    assert [r.output for r in first[:2]] == [beam([beam([t], "en", "de")[0]], "de", "en")[0] for t in CORPUS[:2]]
    # a second run, in a new augmenter over the same file, makes no model call; so do views
    again = BackTranslation(translator, pivot="de", cache=tmp_path / "bt.sqlite")
    assert again.back_translate(CORPUS) == first[:-1]
    view, params = again.augment(CORPUS[2], np.random.default_rng(0))
    assert view == first[2].output and params["seed"] is None
    assert translator.calls == 2 and again.model_calls == 0
    # another model id misses the cache
    other = BackTranslation(translator, pivot="de", model_id="another-model", cache=tmp_path / "bt.sqlite")
    other.back_translate(CORPUS[:1])
    assert translator.calls == 4


def test_seeded_sampling_replays_and_ignores_the_rest_of_the_batch(sampler: HFTranslator) -> None:
    import torch

    bt = BackTranslation(sampler, pivot="de")
    assert bt.sample_seed
    state = torch.random.get_rng_state()
    a = bt.augment(CORPUS[0], np.random.default_rng(1))
    b = bt.augment(CORPUS[0], np.random.default_rng(1))
    assert a == b and isinstance(a[1]["seed"], int)
    assert torch.equal(state, torch.random.get_rng_state()), "torch's global RNG is neither used nor changed"
    views = {bt.augment(CORPUS[0], np.random.default_rng(s))[0] for s in range(8)}
    assert len(views) >= 4, views
    # a text's paraphrase depends on (text, seed) only, whatever else is in the batch
    alone = [bt.back_translate([t], seed=7)[0] for t in CORPUS]
    assert bt.back_translate(CORPUS, seed=7) == alone
    assert bt.back_translate(CORPUS, seed=[7] * len(CORPUS)) == alone
    # replay from JSON params needs no model call
    calls = bt.model_calls
    assert bt.apply(CORPUS[0], json.loads(json.dumps(a[1]))) == a[0] and bt.model_calls == calls
    # params drawn for another text are not replayed blindly: apply translates this text with the seed
    assert bt.apply(CORPUS[1], a[1]) == bt.back_translate([CORPUS[1]], seed=a[1]["seed"])[0].output


def test_a_pool_of_seeds_is_pre_translated_in_batches(sampler: HFTranslator, tmp_path: Path) -> None:
    translator = Counting(sampler)
    bt = BackTranslation(translator, num_seeds=3, cache=tmp_path / "pool.sqlite")
    for s in range(3):
        bt.back_translate(CORPUS, seed=s)
    assert translator.calls == 6
    seeds = [bt.sample(CORPUS[i % 6], np.random.default_rng(i))["seed"] for i in range(30)]
    assert set(seeds) == {0, 1, 2}
    assert translator.calls == 6, "every view comes from the pre-translated pool"


def test_translator_pickles_as_its_recipe(sampler: HFTranslator, tmp_path: Path) -> None:
    bt = BackTranslation(sampler, cache=tmp_path / "bt.sqlite")
    clone = pickle.loads(pickle.dumps(bt))
    assert len(pickle.dumps(sampler)) < 2000, "the weights are reloaded from local files, not pickled"
    fresh = BackTranslation(pickle.loads(pickle.dumps(sampler)))
    assert fresh.back_translate(CORPUS[:3], seed=4) == bt.back_translate(CORPUS[:3], seed=4)
    assert clone.back_translate(CORPUS[:3], seed=4) == bt.back_translate(CORPUS[:3], seed=4)
    assert clone.model_calls == 0, "the clone reads the same cache file"


def test_long_text_is_truncated_at_the_model_limit_and_counted(
    beam: HFTranslator, caplog: pytest.LogCaptureFixture
) -> None:
    long_text = " ".join(CORPUS * 2000)  # 100k words; the tiny model takes 64 positions
    before = beam.truncated
    with caplog.at_level("WARNING", logger="augkit.text.back_translation"):
        result = BackTranslation(beam).back_translate([long_text, CORPUS[0]])
    assert all(r.output.strip() and not r.fallback for r in result)
    assert beam.truncated == before + 1, "only the long text is cut (forward; its pivot text is short)"
    assert "64-token input limit" in caplog.text


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
       | st.sampled_from(["", " ", "\t\n", "🙂 🙃", "שלום עולם", "مرحبا بالعالم", "a  b\u200bc"]))
def test_any_str_gives_a_str(text: str) -> None:
    bt = BackTranslation(reverse_words_translator)
    out = bt(text, np.random.default_rng(0))
    # the stand-in translates there and back to the input exactly; blank texts skip the translator
    assert isinstance(out, str) and out == text
    assert bt.model_calls == (2 if text.strip() else 0)


@pytest.mark.parametrize(("top_k", "top_p", "temperature", "expected"), [
    (0, 1.0, 1.0, [0.5, 0.3, 0.15, 0.05]),
    (3, 1.0, 1.0, [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0.0]),
    (0, 0.7, 1.0, [0.5 / 0.8, 0.3 / 0.8, 0.0, 0.0]),  # 0.5 < 0.7 so token 1 stays; 0.8 >= 0.7 ends it
    (0, 1.0, 2.0, list(np.sqrt([0.5, 0.3, 0.15, 0.05]) / np.sqrt([0.5, 0.3, 0.15, 0.05]).sum())),
])
def test_per_text_sampler_draws_from_the_filtered_distribution(
    top_k: int, top_p: float, temperature: float, expected: list[float]
) -> None:
    import torch

    from augkit.text.hf_translator import _RowSampler

    n = 4000
    scores = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]])).repeat(n, 1)
    processed = _RowSampler(list(range(n)), top_k, top_p, temperature)(None, scores)
    assert torch.all(torch.isfinite(processed).sum(dim=-1) == 1), "each row keeps exactly its drawn token"
    counts = np.bincount(processed.argmax(dim=-1).numpy(), minlength=4)
    p = np.asarray(expected)
    # binomial standard error per token; 4.5 sigma keeps a false alarm below 1e-5 per token
    assert np.all(np.abs(counts / n - p) <= 4.5 * np.sqrt(p * (1 - p) / n) + 1e-12), counts
    again = _RowSampler(list(range(n)), top_k, top_p, temperature)(None, scores)
    assert torch.equal(processed, again), "the same seeds draw the same tokens"


class _Texts:
    def __init__(self, bt: BackTranslation, texts: list[str]) -> None:
        self.bt, self.texts = bt, texts

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i: int) -> str:
        return self.bt.back_translate([self.texts[i]])[0].output


def test_cache_is_shared_by_forked_dataloader_workers(tmp_path: Path) -> None:
    from torch.utils.data import DataLoader

    texts = [f"sentence number {i} of the corpus" for i in range(24)]
    bt = BackTranslation(reverse_words_translator, model_id="reverse-words", cache=tmp_path / "shared.sqlite")
    bt.back_translate(texts[:4])  # the parent holds an open connection when the workers fork
    loader = DataLoader(_Texts(bt, texts), batch_size=None, num_workers=2, multiprocessing_context="fork")
    assert list(loader) == texts
    assert len(bt._cache or []) == 2 * len(texts), "the workers wrote their translations to the shared file"


def raising(texts: list[str], src: str, tgt: str) -> list[str]:
    raise RuntimeError("model server down")


def too_few(texts: list[str], src: str, tgt: str) -> list[str]:
    return reverse_words_translator(texts, src, tgt)[:-1]


def empties(texts: list[str], src: str, tgt: str) -> list[str]:
    return ["" for _ in texts]


@pytest.mark.parametrize(("translate", "reason", "message"), [
    (raising, "exception", "model server down"),
    (too_few, "wrong_count", "returned 1 outputs for 2 text"),
    (empties, "empty_output", "empty or non-str output"),
])
def test_failure_policies(translate: Callable[..., list[str]], reason: str, message: str, tmp_path: Path) -> None:
    texts = ["first text here", "second text here"]
    with pytest.raises(TranslationError, match=message):
        BackTranslation(translate).back_translate(texts)
    lenient = BackTranslation(translate, on_error="fallback", model_id=reason, cache=tmp_path / "c.sqlite")
    assert lenient.back_translate(texts) == [("", t, True) for t in texts]
    assert lenient.failures == 2 and lenient.failure_reasons == {reason: 2}
    y, params = lenient.augment("third text", np.random.default_rng(0))
    assert y == "third text" and params["fallback"] is True and lenient.failures == 3
    assert len(lenient._cache or []) == 0, "failures are never cached"


def test_only_the_failed_texts_fall_back(beam: HFTranslator) -> None:
    def drops_dogs(texts: list[str], src: str, tgt: str) -> list[str]:
        return ["" if "dog" in t else out for t, out in zip(texts, beam(texts, src, tgt), strict=True)]

    bt = BackTranslation(drops_dogs, on_error="fallback")
    out = bt.back_translate(CORPUS)
    assert [r.fallback for r in out] == ["dog" in t for t in CORPUS]
    assert [r.output for r in out if r.fallback] == [t for t in CORPUS if "dog" in t]
    assert bt.failures == 2
    with pytest.raises(TranslationError, match="on_error='fallback'"):
        BackTranslation(drops_dogs).back_translate(CORPUS)


def test_empty_text_skips_the_model_and_bad_input_is_rejected() -> None:
    bt = BackTranslation(raising)
    assert bt("   ", np.random.default_rng(0)) == "   "
    assert bt.back_translate(["", " \n"]) == [("", "", False), ("", " \n", False)]
    assert bt.model_calls == 0
    with pytest.raises(TypeError, match="takes a str"):
        bt(3, np.random.default_rng(0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes a str"):
        bt.back_translate(["ok", b"bytes"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="2 values for 1 texts"):
        BackTranslation(reverse_words_translator, sample_seed=False).back_translate(["a b"], seed=[1, 2])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"on_error": "ignore"}, "on_error='ignore'"),
    ({"pivot": ""}, "pivot=''"),
    ({"pivot": "en"}, "must differ"),
    ({"num_seeds": 0}, "num_seeds=0"),
    ({"sample_seed": True}, "takes no seed"),
    ({"cache": "x.sqlite"}, "needs model_id"),
])
def test_bad_arguments_name_themselves(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BackTranslation(reverse_words_translator, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be callable"):
        BackTranslation("opus-mt-en-de")  # type: ignore[arg-type]


def test_hf_translator_arguments_and_missing_extra(tiny_marian: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for kwargs, message in (({"batch_size": 0}, "batch_size=0"), ({"top_p": 0.0}, "top_p=0.0"),
                            ({"temperature": 0}, "temperature=0")):
        with pytest.raises(ValueError, match=message):
            HFTranslator(tiny_marian, tiny_marian, **kwargs)  # type: ignore[arg-type]
    translator = HFTranslator(tiny_marian, tiny_marian, languages=("en", "fr"), max_new_tokens=4)
    with pytest.raises(ValueError, match="en<->fr, not en->de"):
        translator(["hello"], "en", "de")
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if the extra were not installed
    with pytest.raises(ImportError, match=r"pip install 'augkit\[translate\]'"):
        HFTranslator(tiny_marian, tiny_marian)


def test_p_on_back_translation_skips_the_translator() -> None:
    calls: list[int] = []

    def counting(texts: list[str], src: str, tgt: str) -> list[str]:
        calls.append(len(texts))
        return reverse_words_translator(texts, src, tgt)

    never = BackTranslation(counting, p=0.0)
    assert never.augment("a b c", np.random.default_rng(0)) == ("a b c", {"applied": False})
    assert calls == []
    y, record = BackTranslation(counting).augment("a b c", np.random.default_rng(0))
    assert record["applied"] is True and record["output"] == y and calls
