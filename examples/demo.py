"""What `make demo` runs: SimCLR views of the bundled photos, written as a PNG grid and an HTML page.

The generator is the one you would train with (ImageNet-normalized tensors): the previews undo its
normalization, so the views show their true colours. The same page from the command line:
``augkit preview data/images --preset simclr --out out/demo/simclr_views.html``.

Usage: python examples/demo.py [--data DIR] [--out DIR] [--views N] [--seed S]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import augkit
from augkit.datasets import read_sources
from augkit.preview import write_grid, write_html

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
    page = write_html(args.out / "simclr_views.html", photos, views)
    print(f"{len(photos)} photos x {args.views} SimCLR views (seed {args.seed})")
    print(f"PNG grid:     {grid}")
    print(f"HTML preview: {page}")


if __name__ == "__main__":
    main()
