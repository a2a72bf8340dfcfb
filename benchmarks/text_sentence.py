"""Sentence-embedding text ops, character noise and masked-LM substitution: augkit vs nlpaug, one run, one core.

Run: python benchmarks/text_sentence.py [--quick]

Inputs: the real English sentences in data/sentences.txt. Every figure is sentences per second
of this process's CPU time, peers measured in the same run; the ratio is what to read (the
machine is shared and noisy). Masked-LM substitution runs both libraries on the SAME local model:
a tiny random BERT (hidden 32, 2 layers) and a WordLevel tokenizer built here, since no
pretrained model can be downloaded; a real BERT makes the forward pass dominate both.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from augkit import text  # noqa: E402
from augkit.datasets import read_lines  # noqa: E402


def rate(fn: Callable[[], object], items: int, seconds: float) -> float:
    """Items per second of CPU time: ``fn`` handles ``items`` per call."""
    fn()
    n, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        fn()
        n += items
    return n / (time.process_time() - start)


def each(op: Callable[[str, np.random.Generator], object], sentences: list[str]) -> Callable[[], object]:
    rng = np.random.default_rng(0)
    return lambda: [op(s, rng) for s in sentences]


def tiny_bert(folder: Path, sentences: list[str]) -> None:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    words = sorted({w.lower() for s in sentences for w in s.split() if w.isalpha()})[:3000]
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]",
                                                       special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]",
                            sep_token="[SEP]", mask_token="[MASK]", model_max_length=128).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128)
    BertForMaskedLM(config).save_pretrained(folder)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short timings")
    args = parser.parse_args()
    seconds = 0.5 if args.quick else 3.0
    import torch

    torch.set_num_threads(1)
    sentences = read_lines(ROOT / "data" / "sentences.txt")[:200]
    rows: list[tuple[str, str, float, float]] = []

    import nlpaug.augmenter.char as nac
    import nlpaug.augmenter.word as naw

    def pair(name: str, peer_name: str, ours: Callable[[], object], theirs: Callable[[], object], n: int) -> None:
        a, b = rate(ours, n, seconds), rate(theirs, n, seconds)
        rows.append((name, peer_name, a, b))
        print(f"{name:32s} {a:10.0f}/s   {peer_name:40s} {b:10.0f}/s   ×{a / b:.1f}", flush=True)

    n = len(sentences)
    keyboard, ocr = nac.KeyboardAug(), nac.OcrAug()
    pair("KeyboardTypo", "nac.KeyboardAug", each(text.KeyboardTypo(), sentences),
         lambda: [keyboard.augment(s) for s in sentences], n)
    pair("OCRNoise", "nac.OcrAug", each(text.OCRNoise(), sentences), lambda: [ocr.augment(s) for s in sentences], n)
    for action, op in (("substitute", text.CharSubstitute()), ("insert", text.CharInsert()),
                       ("swap", text.CharSwap()), ("delete", text.CharDelete())):
        peer = nac.RandomCharAug(action=action)
        pair(type(op).__name__, f"nac.RandomCharAug({action})", each(op, sentences),
             lambda peer=peer: [peer.augment(s) for s in sentences], n)
    swap = naw.RandomWordAug(action="swap")
    for op in (text.WordRepetition(), text.TokenShuffle(), text.SpanDeletion(0.2)):
        pair(type(op).__name__, "naw.RandomWordAug(swap)", each(op.augment, sentences),
             lambda: [swap.augment(s) for s in sentences], n)

    with tempfile.TemporaryDirectory() as folder:
        tiny_bert(Path(folder), sentences)
        batch = sentences[:64]
        ours = text.ContextualSubstitution(text.HFMaskedLM(folder, batch_size=64), rate=0.15, top_k=100)
        rngs = [np.random.default_rng(i) for i in range(64)]
        try:
            theirs = naw.ContextualWordEmbsAug(model_path=folder, model_type="bert", action="substitute",
                                               aug_p=0.15, top_k=100, device="cpu", batch_size=64)
            peer: Callable[[], object] = lambda: theirs.augment(batch)  # noqa: E731
            pair("ContextualSubstitution (batch 64)", "naw.ContextualWordEmbsAug (batch 64)",
                 lambda: ours.draw_batch(batch, rngs), peer, len(batch))
        except Exception as err:  # a peer that cannot load the local model is reported, not fatal
            print(f"nlpaug ContextualWordEmbsAug could not run on the local model: {type(err).__name__}: {err}")
            a = rate(lambda: ours.draw_batch(batch, rngs), len(batch), seconds)
            rows.append(("ContextualSubstitution (batch 64)", "(nlpaug failed)", a, float("nan")))
            print(f"ContextualSubstitution (batch 64) {a:10.0f}/s")


if __name__ == "__main__":
    main()
