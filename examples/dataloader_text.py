"""Text views in a DataLoader: EDA views of the bundled sentences, tokenized in the workers.

``ViewCollate(tokenizer=tok)`` runs a Hugging Face tokenizer over view k of every sentence, so
``views[k]`` holds padded ``input_ids`` and an ``attention_mask``. The tokenizer here is built
offline from the sentences' own words (a word-level vocabulary); any ``AutoTokenizer`` works the
same way.

Usage: python examples/dataloader_text.py [--batch 8] [--workers 2] [--limit 64]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from torch.utils.data import DataLoader

import augkit
from augkit.datasets import ViewCollate, ViewDataset, read_lines

ROOT = Path(__file__).resolve().parent.parent


def word_tokenizer(texts: list[str]) -> Any:
    """A word-level Hugging Face tokenizer over the words of ``texts`` (lower case, punctuation apart)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    split = pre_tokenizers.Whitespace()
    words = Counter(w for t in texts for w, _ in split.pre_tokenize_str(t.lower()))
    vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, (w, _) in enumerate(words.most_common())}}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.normalizer, tok.pre_tokenizer = normalizers.Lowercase(), split
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=64, help="sentences to use")
    args = parser.parse_args()

    sentences = read_lines(ROOT / "data" / "sentences.txt")[: args.limit]
    tokenizer = word_tokenizer(sentences)
    dataset = ViewDataset(sentences, augkit.text.eda(alpha=0.1, seed=0))
    loader = DataLoader(dataset, batch_size=args.batch, num_workers=args.workers,
                        collate_fn=ViewCollate(tokenizer=tokenizer))
    for step, (views, _) in enumerate(loader):
        ids = views[0]["input_ids"]
        print(f"batch {step}: {len(views)} views, input_ids {tuple(ids.shape)}, "
              f"attention_mask {tuple(views[0]['attention_mask'].shape)}")
        if step == 0:  # the views themselves (inserted synonyms may lie outside the tokenizer's vocabulary)
            first = dataset.views(sentences[0], index=0, epoch=0)
            print("  sentence 0:       ", sentences[0])
            print("  view 0 of it:     ", first[0])
            print("  view 1 of it:     ", first[1])
            print("  view 0 as tokens: ", tokenizer.decode(ids[0], skip_special_tokens=True))
        if step == 3:
            break


if __name__ == "__main__":
    main()
