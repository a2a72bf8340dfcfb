"""Image views in a DataLoader: SimCLR views of the bundled photos, two workers, one batch per step.

Every view is a normalized ``[3, size, size]`` tensor, and ``ViewCollate`` stacks view k of every
photo into ``views[k]`` (``[B, 3, size, size]``). The same photo gets the same views in every run,
whatever the number of workers, because view k of photo i in epoch e draws from its own stream.

Usage: python examples/dataloader_image.py [--size 96] [--batch 4] [--workers 2] [--epochs 2]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from torch.utils.data import DataLoader

import augkit
from augkit.core.composites import fired as fired_ops
from augkit.datasets import FolderDataset, ViewCollate, ViewDataset

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    photos = FolderDataset(ROOT / "data" / "images", modality="image")
    dataset = ViewDataset(photos, augkit.image.simclr(args.size, seed=0))
    loader = DataLoader(dataset, batch_size=args.batch, num_workers=args.workers, persistent_workers=args.workers > 0,
                        collate_fn=ViewCollate(return_params=True))
    for epoch in range(args.epochs):
        dataset.set_epoch(epoch)  # before iterating: the workers read it from shared memory
        for views, labels, params in loader:
            fired = [[step for step, _ in fired_ops(record)] for record in params[0]]
            print(f"epoch {epoch}: {len(views)} views of shape {tuple(views[0].shape)} ({views[0].dtype}), "
                  f"labels {labels}; ops that fired on the first photo's views: {fired}")


if __name__ == "__main__":
    main()
