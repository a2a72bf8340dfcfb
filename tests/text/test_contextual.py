"""ContextualSubstitution and ContextualInsertion on a tiny random BERT built here (no download):
one forward pass per batch with the same draws as one text at a time, sampling that follows the
logits (a rigged output bias), no special token ever in a view, protection, replay without a model."""

from __future__ import annotations

import json
import os
import pickle
import string
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from augkit.core.streams import stream
from augkit.text import ContextualInsertion, ContextualSubstitution, HFMaskedLM
from augkit.text.masked_lm import Vocabulary, sample_word
from augkit.text.protect import protecting

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

WORDS = ("the a cat dog sat on mat river bank quick brown fox jumps over lazy green house small "
         "bright calm old new table red two apples wooden near").split()
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random BertForMaskedLM (hidden 32, 2 layers) and a WordLevel tokenizer, saved by path."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    vocab = {t: i for i, t in enumerate([*SPECIALS, *WORDS, ",", ".", "##s", "##ing"])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]", model_max_length=64)
    fast.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertForMaskedLM(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def lm(tiny_bert: Path) -> HFMaskedLM:
    return HFMaskedLM(tiny_bert, batch_size=16)


def sentences(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(3, 15)))) for _ in range(n)]


def test_candidates_are_whole_words_only(lm: HFMaskedLM) -> None:
    chosen = {w for w in lm.vocabulary if w}
    assert chosen == set(WORDS)


@pytest.mark.parametrize("kind", [ContextualSubstitution, ContextualInsertion])
def test_a_batch_draws_what_one_text_at_a_time_draws(lm: HFMaskedLM, kind: type) -> None:
    op = kind(lm, rate=0.3, top_k=5)
    texts = sentences(40)
    batch = op.draw_batch(texts, [stream(0, 0, i, 0, keep=True) for i in range(len(texts))])
    single = [op.draw(x, stream(0, 0, i, 0)) for i, x in enumerate(texts)]
    assert batch == single
    assert sum(r is not None for r in batch) > 30


def test_one_forward_pass_per_batch(lm: HFMaskedLM, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = lm.model.forward

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(lm.model, "forward", counted)
    op = ContextualSubstitution(lm)
    op.draw_batch(sentences(16), [stream(1, 0, i, 0, keep=True) for i in range(16)])
    assert len(calls) == 1


def test_sampling_follows_the_logits(tiny_bert: Path) -> None:
    """With the output bias rigged so that "river" has 3× the probability of "house" (and every
    other word ~0), substitution picks them 3 : 1."""
    import torch

    lm = HFMaskedLM(tiny_bert)
    vocab = lm.tokenizer.get_vocab()
    with torch.no_grad():
        bias = lm.model.get_output_embeddings().bias
        bias[vocab["river"]] += 40.0 + float(np.log(3.0))
        bias[vocab["house"]] += 40.0
    op = ContextualSubstitution(lm, rate=0.01, top_k=0)
    counts: Counter[str] = Counter()
    for i, x in enumerate(sentences(2000, seed=1)):
        r = op.sample(x, stream(2, 0, i, 0))
        counts.update(e["new"] for e in r["edits"])
    total = counts["river"] + counts["house"]
    assert total >= 0.95 * sum(counts.values())
    share = counts["river"] / total
    assert abs(share - 0.75) < 5 * np.sqrt(0.75 * 0.25 / total), counts


def test_top_k_and_ties_by_token_id() -> None:
    vocabulary = Vocabulary(["", "b", "a", "c"])
    logits = np.array([9.0, 1.00001, 1.00002, 0.0])  # b and a tie after rounding; token 0 is no word
    picks = Counter(sample_word(logits, vocabulary, np.random.default_rng(i), 1, 1.0, 1.0) for i in range(50))
    assert picks == Counter({"b": 50})  # the lower id wins the tie for the single slot
    assert sample_word(logits, vocabulary, np.random.default_rng(0), 0, 1.0, 1.0, exclude="B") in ("a", "c")


def test_no_special_token_ever_reaches_a_view(lm: HFMaskedLM) -> None:
    rng = np.random.default_rng(3)
    alphabet = string.ascii_letters + "äöüßéèçñ日本語中文 ,.!?-'"
    texts = []
    for i in range(1000):
        if i % 3 == 0:
            texts.append(" ".join(rng.choice(WORDS, size=int(rng.integers(1, 12)))))
        elif i % 3 == 1:
            texts.append("".join(rng.choice(list(alphabet), size=int(rng.integers(1, 80)))))
        else:
            texts.append(" ".join(rng.choice(WORDS, size=int(rng.integers(60, 400)))))  # past the 64-token limit
    for kind in (ContextualSubstitution, ContextualInsertion):
        op = kind(lm, rate=0.3, top_k=0)
        records = op.draw_batch(texts, [stream(4, 0, i, 0, keep=True) for i in range(len(texts))])
        for x, r in zip(texts, records, strict=True):
            view = x if r is None else op.apply(x, {"applied": True, **r})
            assert not any(s in view for s in SPECIALS), view


def test_protected_words_are_never_masked(lm: HFMaskedLM) -> None:
    op = ContextualSubstitution(lm, rate=1.0)
    with protecting({"two", "red"}):
        for i in range(100):
            r = op.sample("two red apples on the wooden table", stream(5, 0, i, 0))
            assert all(e["old"] not in ("two", "red") for e in r.get("edits", []))
            assert r["applied"]


def test_records_replay_without_the_model_and_the_adapter_pickles(lm: HFMaskedLM) -> None:
    op = ContextualSubstitution(lm, rate=0.3)
    x = "the quick brown fox jumps over the lazy dog"
    y, r = op.augment(x, stream(6, 0, 0, 0))
    assert y != x and op.apply(x, json.loads(json.dumps(r))) == y
    clone = pickle.loads(pickle.dumps(op))
    assert clone.sample(x, stream(6, 0, 0, 0)) == r
