"""What `make demo` runs: SimCLR views of the bundled photos, written as a PNG grid and an HTML page,
then a two-view dataset (tar shards) of each modality in `data/`, and a page of image–caption pairs
(`data/captions.jsonl`) whose captions follow their flipped photos.

The generator is the one you would train with (ImageNet-normalized tensors): the previews undo its
normalization, so the views show their true colours. The same page from the command line:
``augkit preview data/images --preset simclr --out out/demo/simclr_views.html``.

The datasets from the command line: ``augkit generate data/images --out out/demo/pairs/image --preset
simclr`` (and ``data/sentences.txt --preset eda``, ``data/audio --preset audio_pairs``).

Usage: python examples/demo.py [--data DIR] [--out DIR] [--views N] [--seed S]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import augkit
from augkit import Compose, CrossModalViews
from augkit.datasets import FolderDataset, ManifestDataset, read_sources
from augkit.generate import PairDataset, write_pairs
from augkit.image import ops
from augkit.preview import write_grid, write_page, write_sections
from augkit.text import RandomSwap

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "images", help="folder of photos")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "demo", help="where to write the previews")
    parser.add_argument("--views", type=int, default=4, help="views per photo")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    photos, _ = read_sources([args.data], modality="image")  # every image under the folder, sorted
    views = augkit.image.simclr(224, n_views=args.views, seed=args.seed)
    grid = write_grid(args.out / "simclr_views.png", photos, views, labels=True)
    page = write_page(args.out / "simclr_views.html", photos, views)
    sentences = read_sources([ROOT / "data" / "sentences.txt"], limit=3)[0]
    clips = FolderDataset(ROOT / "data" / "audio", modality="audio", sample_rate=16000)
    every = write_sections(args.out / "preview.html", [  # a fourth item names the rows
        ("images: SimCLR", photos[:2], augkit.image.simclr(160, n_views=2, seed=args.seed),
         [p.name for p in FolderDataset(args.data, modality="image").paths[:2]]),
        ("text: EDA", sentences, augkit.text.eda(alpha=0.2, seed=args.seed)),
        ("audio: COLA-style pairs", [clips[0], clips[1]], augkit.audio.audio_pairs(16000, seed=args.seed),
         [p.name for p in clips.paths[:2]]),
    ])
    print(f"{len(photos)} photos x {args.views} SimCLR views (seed {args.seed})")
    print(f"PNG grid:     {grid}")
    print(f"HTML preview: {page}")
    print(f"image, text and audio on one page: {every}")

    # two-view datasets on disk, one per modality; running the demo again resumes (nothing to redo)
    jobs = [("image", ROOT / "data" / "images", augkit.image.simclr(96, seed=args.seed)),
            ("text", ROOT / "data" / "sentences.txt", augkit.text.eda(seed=args.seed)),
            ("audio", ROOT / "data" / "audio", augkit.audio.audio_pairs(16000, seed=args.seed))]
    for name, source, generator in jobs:
        summary = write_pairs(source, args.out / "pairs" / name, generator, progress=False, overwrite=True)
        views, _ = next(iter(PairDataset(summary.out)))
        shown = type(views[0]).__name__ + (f" {tuple(views[0].shape)}" if hasattr(views[0], "shape") else "")
        print(f"{name:<5} pairs:  {summary.written} samples x 2 views in {summary.out} (a view reads back as {shown})")

    # cross-modal pairs: each photo of data/captions.jsonl with its caption, kept consistent
    rows = ManifestDataset(ROOT / "data" / "captions.jsonl")
    pictured = [rows[i] for i, row in enumerate(rows.rows) if "image" in row]
    pairs = CrossModalViews(image=Compose([ops.RandomResizedCrop(160, scale=(0.4, 1.0)), ops.HorizontalFlip(p=0.5)]),
                            text=RandomSwap(alpha=0.1), couplings=["flip_swaps_left_right", "protect_words"],
                            seed=args.seed)
    cross = write_page(args.out / "image_caption_pairs.html", pictured, pairs)
    flipped = sum(pairs.generate(x, index=i).params[0]["couplings"]["flip_swaps_left_right"]["flipped"]
                  for i, x in enumerate(pictured))
    print(f"image-caption pairs: {cross} ({len(pictured)} pairs, {flipped} flipped with left/right swapped)")


if __name__ == "__main__":
    main()
