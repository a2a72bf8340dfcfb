"""``augkit preview PRESET INPUT... [--out views.html|views.png] [--views N] [--seed S] [--limit K]``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from augkit.errors import AugkitError

__all__ = ["add_parser", "run"]


PRESETS = {
    "simclr": ("image", "simclr"), "simclr_cifar": ("image", "simclr_cifar"), "moco_v2": ("image", "moco_v2"),
    "byol": ("image", "byol"), "swav": ("image", "swav"), "dino": ("image", "dino"), "eda": ("text", "eda"),
}


def run(args: argparse.Namespace) -> int:
    """Write the page or grid; 0 on success, 2 (with one line on stderr) for a user error."""
    import importlib
    from pathlib import Path

    from augkit import preview

    modality, factory_name = PRESETS[args.preset]
    samples: list[object] = []
    factory = getattr(importlib.import_module(f"augkit.{modality}"), factory_name)
    if modality == "image":
        from augkit.datasets import IMAGE_EXTENSIONS, FolderDataset

        for item in args.inputs:
            path = Path(item)
            if path.is_dir():
                folder = FolderDataset(path)
                samples.extend(folder[i] for i in range(len(folder)))
            elif path.suffix.lower() in IMAGE_EXTENSIONS and path.is_file():
                from PIL import Image

                with Image.open(path) as img:
                    samples.append(img.convert("RGB"))
            else:
                print(f"augkit preview: {item} is neither an image file nor a folder of images", file=sys.stderr)
                return 2
        kwargs: dict[str, object] = {"seed": args.seed, "output": "numpy"}
    else:
        from augkit.datasets import read_lines

        samples.extend(line for item in args.inputs for line in read_lines(item))
        kwargs = {"seed": args.seed}
    if args.views is not None:
        kwargs["n_views"] = args.views  # every preset takes n_views; a fixed count refuses others by name
    try:
        views = factory(**kwargs)
    except AugkitError as err:
        print(f"augkit preview: {err}", file=sys.stderr)
        return 2
    samples = samples[: args.limit]
    out = Path(args.out)
    if out.suffix.lower() == ".png":
        if modality != "image":
            print("augkit preview: PNG grids are for images; use an .html output for text", file=sys.stderr)
            return 2
        written = preview.write_grid(out, samples, views)
    else:
        written = preview.write_html(out, samples, views)
    print(written)
    return 0


def add_parser(sub: Any) -> None:
    """Add the ``preview`` subcommand to the ``augkit`` parser."""
    p = sub.add_parser("preview", help="write an HTML page or PNG grid of a preset's views")
    p.add_argument("preset", choices=sorted(PRESETS))
    p.add_argument("inputs", nargs="+", help="image files or folders; text files (one sample a line) for eda")
    p.add_argument("--out", default="augkit-preview.html", help="an .html or .png path")
    p.add_argument("--views", type=int, default=None, help="views per sample (default: the preset's own count)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=8, help="samples shown")
    p.set_defaults(func=run)
