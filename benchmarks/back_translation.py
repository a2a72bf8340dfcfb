"""Back-translation: augkit's BackTranslation + HFTranslator vs nlpaug's BackTranslationAug, one run.

Run: python benchmarks/back_translation.py [--quick]

No translation model can be downloaded here, so both libraries load the same local MarianMT model
that this script builds with random weights and Opus-MT-like proportions (d_model 256, 3 + 3
layers, a sentencepiece vocabulary trained on the inputs). Its outputs are gibberish, but the work
per token (encoder, decoder steps, padding) is what a real model does at a quarter of the width.
Inputs: real English sentences from data/sentences.txt (WordNet 3.0 usage examples). One thread.
Timed with sampling (top-k 50, top-p 0.95) in both libraries: nlpaug through the model's generation
config (global RNG), augkit seeded per text. Greedy decoding is only checked for identical outputs,
because a random model decoded greedily collapses to a few pivot texts, which augkit translates
back once (that would flatter augkit).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from augkit.text.back_translation import BackTranslation, HFTranslator  # noqa: E402

MAX_NEW_TOKENS = 24
TOP_K, TOP_P = 50, 0.95
T = TypeVar("T")


def build_model(folder: Path, sentences: list[str], do_sample: bool) -> None:
    import sentencepiece as spm
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=proto, vocab_size=1000, model_type="unigram",
        character_coverage=1.0, hard_vocab_limit=False, pad_id=-1, bos_id=-1, eos_id=-1, unk_id=0,
        unk_piece="<unk>", minloglevel=2,
    )
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(proto.getvalue())
    pieces = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(pieces.get_piece_size()):
        vocab.setdefault(pieces.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = MarianTokenizer(source_spm=str(folder / "source.spm"), target_spm=str(folder / "target.spm"),
                                vocab=str(folder / "vocab.json"))
    config = MarianConfig(
        vocab_size=len(vocab), d_model=256, encoder_layers=3, decoder_layers=3, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=1024, decoder_ffn_dim=1024, max_position_embeddings=256,
        pad_token_id=vocab["<pad>"], eos_token_id=0, decoder_start_token_id=vocab["<pad>"], forced_eos_token_id=0,
    )
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = MarianMTModel(config).eval()
    model.generation_config.num_beams = 1
    if do_sample:  # nlpaug decodes with the model's generation config
        model.generation_config.update(do_sample=True, top_k=TOP_K, top_p=TOP_P)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def timed(fn: Callable[[], T], repeats: int = 3) -> tuple[float, T]:
    """The fastest of ``repeats`` runs (the machines are shared and noisy) and the last output."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="64 sentences instead of 256")
    args = parser.parse_args()
    torch.set_num_threads(1)
    lines = [s.strip() for s in (ROOT / "data" / "sentences.txt").read_text().splitlines() if s.strip()]
    n = 64 if args.quick else 256
    sentences = lines[:n]
    tmp = Path(tempfile.mkdtemp(prefix="augkit-bt-bench-"))
    greedy_model, sampling_model = tmp / "greedy", tmp / "sampling"
    for folder, do_sample in ((greedy_model, False), (sampling_model, True)):
        folder.mkdir()
        build_model(folder, lines, do_sample)

    import nlpaug.augmenter.word as naw

    def peer(model: Path) -> Any:
        return naw.BackTranslationAug(from_model_name=str(model), to_model_name=str(model), device="cpu",
                                      batch_size=32, max_length=MAX_NEW_TOKENS + 1, force_reload=True)

    # Same model, greedy decoding: the two libraries must agree (a correctness check, not timed).
    check = sentences[:32]
    greedy = HFTranslator(greedy_model, greedy_model, batch_size=32, num_beams=1, max_new_tokens=MAX_NEW_TOKENS)
    agree = np.mean([o.output == p for o, p in zip(BackTranslation(greedy).back_translate(check),
                                                    peer(greedy_model).augment(check), strict=True)])

    # Timed: sampling (top-k 50, top-p 0.95) in both, so every input has its own pivot text. A random
    # model decoded greedily collapses to a handful of pivot texts, which augkit translates back once.
    nlpaug_bt = peer(sampling_model)
    nlpaug_bt.augment(sentences[:4])  # warm up
    t_peer, _ = timed(lambda: nlpaug_bt.augment(sentences))

    sampler = HFTranslator(sampling_model, sampling_model, batch_size=32, do_sample=True, top_k=TOP_K, top_p=TOP_P,
                           max_new_tokens=MAX_NEW_TOKENS)
    no_cache = BackTranslation(sampler)
    no_cache.back_translate(sentences[:4], seed=0)  # warm up
    t_cold, ours = timed(lambda: no_cache.back_translate(sentences, seed=1))
    bt = BackTranslation(sampler, cache=tmp / "bt.sqlite")
    bt.back_translate(sentences, seed=1)
    t_warm, again = timed(lambda: bt.back_translate(sentences, seed=1))
    assert again == ours

    k = min(32, n)
    one_at_a_time = BackTranslation(sampler)
    rng = np.random.default_rng(0)
    t_views, _ = timed(lambda: [one_at_a_time.augment(s, rng) for s in sentences[:k]], repeats=1)
    t_views *= n / k

    rows = [
        ("nlpaug BackTranslationAug (batch 32)", t_peer),
        ("augkit back_translate (batch 32)", t_cold),
        ("augkit one view at a time (augment)", t_views),
        ("augkit second pass, sqlite cache", t_warm),
    ]
    print(f"{n} sentences, random-weight MarianMT (d_model 256, 3+3 layers), sampling top-k {TOP_K} top-p {TOP_P}, "
          f"<= {MAX_NEW_TOKENS} new tokens, 1 thread, best of 3")
    for label, seconds in rows:
        print(f"{label:40s} {n / seconds:10.1f} sentences/s {t_peer / seconds:8.2f}x nlpaug")
    print(f"distinct pivot texts (augkit): {len({o.pivot_text for o in ours})} of {n}; "
          f"greedy outputs identical to nlpaug's on {len(check)} sentences: {agree:.0%}")

if __name__ == "__main__":
    main()
