"""Back-translation through a real (tiny, locally built) MarianMT model: batching, the sqlite
cache, seeded sampling and both failure policies."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

from augkit.text.back_translation import BackTranslation, HFTranslator, TranslationError

os.environ.setdefault("HF_HUB_OFFLINE", "1")

CORPUS = [
    "the quick brown fox jumps over the lazy dog",
    "a picture is worth a thousand words",
    "data augmentation creates two views of every sample",
    "contrastive learning pulls positive pairs together",
    "she sells sea shells by the sea shore",
    "the cat sat on the mat and looked at the dog",
]


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight MarianMT model with a sentencepiece vocabulary trained on CORPUS (≈ 1 s)."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out = tmp_path_factory.mktemp("tiny-marian")
    model_bytes = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 20), model_writer=model_bytes, vocab_size=120, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, pad_id=-1, bos_id=-1, eos_id=-1, unk_id=0,
        unk_piece="<unk>", normalization_rule_name="identity", minloglevel=2,
    )
    for name in ("source.spm", "target.spm"):
        (out / name).write_bytes(model_bytes.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=model_bytes.getvalue())
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(sp.get_piece_size()):
        vocab.setdefault(sp.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = MarianTokenizer(source_spm=str(out / "source.spm"), target_spm=str(out / "target.spm"),
                                vocab=str(out / "vocab.json"), source_lang="en", target_lang="de")
    torch.manual_seed(0)
    config = MarianConfig(
        vocab_size=len(vocab), d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=64,
        pad_token_id=vocab["<pad>"], eos_token_id=0, decoder_start_token_id=vocab["<pad>"], forced_eos_token_id=0,
    )
    MarianMTModel(config).eval().save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


class Counting:
    """Wraps a real translator and counts the texts it is asked to translate."""

    def __init__(self, inner: HFTranslator) -> None:
        self.inner, self.calls, self.texts = inner, 0, 0
        self.model_id = inner.model_id

    def __call__(self, texts: list[str], src: str, tgt: str, seed: int | None = None) -> list[str]:
        self.calls += 1
        self.texts += len(texts)
        return self.inner(texts, src, tgt, seed=seed)


def test_back_translation_through_the_tiny_model_batched_and_cached(tiny_marian: Path, tmp_path: Path) -> None:
    translator = Counting(HFTranslator(tiny_marian, tiny_marian, batch_size=4, max_new_tokens=12))
    bt = BackTranslation(translator, pivot="de", cache=tmp_path / "bt.sqlite")
    first = bt.back_translate(CORPUS)
    # one batch each way; identical pivot texts are translated back once
    assert translator.calls == 2
    assert translator.texts == len(CORPUS) + len({pivot for pivot, _, _ in first})
    assert all(isinstance(out, str) and out for _, out, fallback in first if not fallback)
    assert not any(fallback for _, _, fallback in first)
    # a second run, even in a new augmenter over the same cache file, makes no model call
    again = BackTranslation(translator, pivot="de", cache=tmp_path / "bt.sqlite").back_translate(CORPUS)
    assert again == first and translator.calls == 2


def test_seeded_sampling_replays_and_differs_between_seeds(tiny_marian: Path) -> None:
    sampler = HFTranslator(tiny_marian, tiny_marian, do_sample=True, top_k=50, max_new_tokens=12)
    bt = BackTranslation(sampler, pivot="de")
    assert bt.sample_seed
    a = bt.augment(CORPUS[0], np.random.default_rng(1))
    b = bt.augment(CORPUS[0], np.random.default_rng(1))
    assert a == b and a[1]["seed"] is not None
    outputs = {bt.augment(CORPUS[0], np.random.default_rng(s))[0] for s in range(6)}
    assert len(outputs) > 1
    # replay from JSON params needs no model call
    assert bt.apply(CORPUS[0], json.loads(json.dumps(a[1]))) == a[0]
    import torch

    state = torch.random.get_rng_state()
    bt.back_translate(["a new sentence about dogs"], seed=5)
    assert torch.equal(state, torch.random.get_rng_state()), "torch's global RNG state is left as it was"


def raising(texts: list[str], src: str, tgt: str) -> list[str]:
    raise RuntimeError("model server down")


def too_few(texts: list[str], src: str, tgt: str) -> list[str]:
    return texts[:-1]


def empties(texts: list[str], src: str, tgt: str) -> list[str]:
    return ["" for _ in texts]


@pytest.mark.parametrize(("translate", "message"), [
    (raising, "model server down"), (too_few, "returned 1 outputs for 2 inputs"), (empties, "empty output"),
])
def test_failure_policies(translate, message: str) -> None:  # type: ignore[no-untyped-def]
    texts = ["first text here", "second text here"]
    with pytest.raises(TranslationError, match=message):
        BackTranslation(translate).back_translate(texts)
    lenient = BackTranslation(translate, on_error="fallback")
    out = lenient.back_translate(texts)
    assert [o for _, o, _ in out] == texts and all(f for _, _, f in out)
    assert lenient.failures == 2
    y, params = lenient.augment("third text", np.random.default_rng(0))
    assert y == "third text" and params["fallback"] is True and lenient.failures == 3


def test_empty_text_skips_the_model_and_non_str_is_rejected() -> None:
    bt = BackTranslation(raising)
    assert bt("   ", np.random.default_rng(0)) == "   "
    with pytest.raises(TypeError, match="takes a str"):
        bt(3, np.random.default_rng(0))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="on_error='ignore'"):
        BackTranslation(raising, on_error="ignore")
