"""Audio views in a DataLoader: two 1-second views of each bundled clip, at 16 kHz.

``FolderDataset`` reads every clip at 16 kHz (whatever its file's rate), ``audio_pairs`` crops,
shifts, gains, adds noise and stretches/pitches each view, and ``ViewCollate`` stacks view k into
``[B, channels, samples]``; clips of different lengths come as a ``Padded`` with their lengths and
a mask.

Usage: python examples/dataloader_audio.py [--seconds 1.0] [--batch 2] [--workers 2]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from torch.utils.data import DataLoader

import augkit
from augkit.datasets import FolderDataset, Padded, ViewCollate, ViewDataset

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    clips = FolderDataset(ROOT / "data" / "audio", modality="audio", sample_rate=16000)
    views = augkit.audio.audio_pairs(16000, seconds=args.seconds, seed=0)
    dataset = ViewDataset(clips, views)
    loader = DataLoader(dataset, batch_size=args.batch, num_workers=args.workers, collate_fn=ViewCollate())
    for epoch in range(2):
        dataset.set_epoch(epoch)
        for views_k, _ in loader:
            first = views_k[0]
            shape = tuple(first.values.shape) if isinstance(first, Padded) else tuple(first.shape)
            print(f"epoch {epoch}: {len(views_k)} views of shape {shape} "
                  f"({shape[-1] / 16000:.2f} s at 16 kHz each)")


if __name__ == "__main__":
    main()
