"""The ``augkit`` command: thin glue over the library.

    augkit list [--modality image|text|audio]
    augkit preview PRESET INPUT... [--out views.html|views.png] [--views N] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _cmd_list(args: argparse.Namespace) -> int:
    from augkit import registry

    names = [n for n in registry.names() if args.modality is None or n.startswith(args.modality + ".")]
    if not names:
        print(f"no augmenters registered for modality {args.modality!r}", file=sys.stderr)
        return 1
    width = max(len(n) for n in names)
    for name in names:
        cls = registry.get(name)
        summary = (cls.__doc__ or "").strip().splitlines()
        print(f"{name:<{width}}  {summary[0] if summary else ''}")
    return 0


PRESETS = {
    "simclr": ("image", "simclr"), "simclr_cifar": ("image", "simclr_cifar"), "moco_v2": ("image", "moco_v2"),
    "byol": ("image", "byol"), "swav": ("image", "swav"), "dino": ("image", "dino"), "eda": ("text", "eda"),
}


def _cmd_preview(args: argparse.Namespace) -> int:
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
        kwargs = {"seed": args.seed, "output": "numpy"}
        if args.views is not None and args.preset in ("simclr", "simclr_cifar", "moco_v2"):
            kwargs["n_views"] = args.views
        views = factory(**kwargs)
    else:
        from augkit.datasets import read_lines

        samples.extend(line for item in args.inputs for line in read_lines(item))
        views = factory(n_views=args.views or 2, seed=args.seed)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="augkit", description="Positive pairs (n views) for contrastive learning.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="list the registered augmenters")
    p_list.add_argument("--modality", choices=["image", "text", "audio"], default=None)
    p_list.set_defaults(func=_cmd_list)
    p_prev = sub.add_parser("preview", help="write an HTML page or PNG grid of a preset's views")
    p_prev.add_argument("preset", choices=sorted(PRESETS))
    p_prev.add_argument("inputs", nargs="+", help="image files or folders; text files (one sample a line) for eda")
    p_prev.add_argument("--out", default="augkit-preview.html", help="an .html or .png path")
    p_prev.add_argument("--views", type=int, default=None, help="views per sample, where the preset allows it")
    p_prev.add_argument("--seed", type=int, default=0)
    p_prev.add_argument("--limit", type=int, default=8, help="samples shown")
    p_prev.set_defaults(func=_cmd_preview)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``augkit`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
