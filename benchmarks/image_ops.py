"""The issue-28 image ops: augkit vs albumentations per image, vs kornia over a batch of 64, and
RandAugment vs torchvision v2 on uint8 tensors.

Run: python benchmarks/image_ops.py [--quick]

Every figure is measured in this run, one thread each (torch and OpenCV pinned to one), contenders
interleaved, best of several rounds, so the ratios compare like with like on a noisy machine.
Inputs: bundled photos (scikit-image, scikit-learn) centre-cropped and resized to 224×224 RGB.
Per image: ``op.augment(image, stream)`` against the albumentations transform called on the
same image (``p=1``), and RandAugment(2, 9) against torchvision v2's ``RandAugment(2, 9)`` on a
uint8 ``[3, 224, 224]`` tensor. Batch: ``ViewGenerator(op, n_views=1).generate_batch`` on 64
images (host stacks, ``device=None``; torch kernels, ``device="cpu"``) against the kornia
augmentation on a float32 ``[64, 3, 224, 224]`` tensor already in [0, 1] (kornia's favourable case:
augkit's time includes stacking the 64 numpy images).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

import cv2
import numpy as np
import torch

from augkit import ViewGenerator
from augkit.core.streams import stream
from augkit.image import (
    Affine,
    AutoContrast,
    Equalize,
    JpegCompression,
    Posterize,
    RandAugment,
    RandomErasing,
    Rotate,
    Sharpness,
    TrivialAugment,
    VerticalFlip,
)


def photos_224(n: int) -> list[np.ndarray]:
    from skimage import data
    from sklearn.datasets import load_sample_images

    base = [*list(load_sample_images().images), data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    out = []
    for k in range(n):
        img = base[k % len(base)]
        h, w = img.shape[:2]
        side = min(h, w) - 8 * (k // len(base))
        top, left = (h - side) // 2, (w - side) // 2
        out.append(np.ascontiguousarray(cv2.resize(img[top : top + side, left : left + side], (224, 224))))
    return out


def pairs() -> list[tuple[str, Any, Any, Any]]:
    """(name, augkit op, albumentations transform, kornia augmentation) with matching settings."""
    import albumentations as A
    import kornia.augmentation as K
    from kornia.augmentation.auto import RandAugment as KRandAugment
    from kornia.augmentation.auto import TrivialAugment as KTrivialAugment

    return [
        ("VerticalFlip", VerticalFlip(p=1.0), A.VerticalFlip(p=1.0), K.RandomVerticalFlip(p=1.0)),
        ("Rotate", Rotate((-30, 30)),
         A.Rotate(limit=30, interpolation=cv2.INTER_NEAREST, border_mode=cv2.BORDER_CONSTANT, p=1.0),
         K.RandomRotation(30.0, resample="nearest", p=1.0)),
        ("Affine", Affine(interpolation="linear"),
         A.Affine(rotate=(-10, 10), translate_percent=(-0.1, 0.1), scale=(0.9, 1.1), p=1.0),
         K.RandomAffine(10.0, translate=(0.1, 0.1), scale=(0.9, 1.1), p=1.0)),
        ("Equalize", Equalize(p=1.0), A.Equalize(mode="pil", p=1.0), K.RandomEqualize(p=1.0)),
        ("AutoContrast", AutoContrast(p=1.0), A.AutoContrast(p=1.0), K.RandomAutoContrast(p=1.0)),
        ("Posterize", Posterize(4, p=1.0), A.Posterize(num_bits=4, p=1.0), K.RandomPosterize(bits=4, p=1.0)),
        ("Sharpness", Sharpness(2.0, p=1.0), A.Sharpen(p=1.0), K.RandomSharpness(sharpness=1.0, p=1.0)),
        ("RandomErasing", RandomErasing(p=1.0), A.Erasing(p=1.0), K.RandomErasing(p=1.0)),
        ("JpegCompression", JpegCompression((50, 95), p=1.0), A.ImageCompression(quality_range=(50, 95), p=1.0),
         K.RandomJPEG(jpeg_quality=(50.0, 95.0), p=1.0)),
        ("RandAugment", RandAugment(2, 9), None, KRandAugment(n=2, m=9)),
        ("TrivialAugment", TrivialAugment(), None, KTrivialAugment()),
    ]


def best(fn: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    rounds = 2 if args.quick else 5
    images = photos_224(64)
    tensors = [torch.from_numpy(x).permute(2, 0, 1).contiguous() for x in images]
    floats = torch.stack(tensors).float() / 255
    print(f"images: 64 × 224×224 RGB; torch {torch.__version__}, OpenCV {cv2.__version__}; one thread; "
          f"best of {rounds}")

    from torchvision.transforms import v2 as T

    tv = T.RandAugment(2, 9)
    ra = RandAugment(2, 9)
    t_tv = best(lambda: [tv(t) for t in tensors], rounds)
    t_ra = best(lambda: [ra.augment(x, stream(0, 0, i, 0)) for i, x in enumerate(images)], rounds)
    t_ra_batch = best(lambda: ViewGenerator(ra, n_views=1, seed=0).generate_batch(images, range(64)), rounds)
    print("\nRandAugment(2, 9), 64 images, ms per image:")
    print(f"  torchvision v2 on uint8 tensors  {1e3 * t_tv / 64:7.3f}")
    print(f"  augkit per image                 {1e3 * t_ra / 64:7.3f}   ({t_tv / t_ra:.2f}×)")
    print(f"  augkit generate_batch (host)     {1e3 * t_ra_batch / 64:7.3f}   ({t_tv / t_ra_batch:.2f}×)")

    print("\nms per image (ratio: the peer's time / augkit's)")
    print(f"{'op':16} {'augkit':>8} {'album.':>8} {'ratio':>6} | {'gen_batch':>9} {'torch cpu':>9} {'kornia':>8} "
          f"{'ratio':>6} {'ratio t':>7}")
    for name, op, album, kornia_op in pairs():
        t_op = best(lambda op=op: [op.augment(x, stream(0, 0, i, 0)) for i, x in enumerate(images)], rounds)
        t_album = best(lambda album=album: [album(image=x) for x in images], rounds) if album else float("nan")
        vg = ViewGenerator(op, n_views=1, seed=0)
        t_batch = best(lambda vg=vg: vg.generate_batch(images, range(64)), rounds)
        t_torch = best(lambda vg=vg: vg.generate_batch(images, range(64), device="cpu"), rounds)
        t_kornia = best(lambda k=kornia_op: k(floats), rounds)
        print(f"{name:16} {1e3 * t_op / 64:8.3f} {1e3 * t_album / 64:8.3f} {t_album / t_op:6.2f} | "
              f"{1e3 * t_batch / 64:9.3f} {1e3 * t_torch / 64:9.3f} {1e3 * t_kornia / 64:8.3f} "
              f"{t_kornia / t_batch:6.2f} {t_kornia / t_torch:7.2f}")


if __name__ == "__main__":
    main()
