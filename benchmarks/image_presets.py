"""DINOv2's 10 views: augkit vs the same recipe in torchvision v2 on PIL images (as its reference code
runs it) and in albumentations; generate_batch on 64 images vs kornia's AugmentationSequential.

Run: python benchmarks/image_presets.py [--quick]

Every figure is measured in this run, one core (torch and OpenCV pinned to one thread), contenders
interleaved, best of several rounds, so the ratios compare like with like on a shared machine.
Inputs: real photos (sklearn's and scikit-image's bundled ones) cropped to 375×500. Outputs are
normalized float32 tensors everywhere (the reference's ``ToTensor`` + ``Normalize``).
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

import augkit
from augkit.image import IMAGENET_MEAN, IMAGENET_STD

JITTER = {"brightness": 0.4, "contrast": 0.4, "saturation": 0.2, "hue": 0.1}


def photos() -> list[np.ndarray]:
    from skimage import data
    from sklearn.datasets import load_sample_images

    out = []
    for img in [*list(load_sample_images().images), data.astronaut(), data.coffee(), data.chelsea()]:
        h, w = img.shape[:2]
        grow = max(375 / h, 500 / w, 1.0)
        img = cv2.resize(img, (round(w * grow), round(h * grow))) if grow > 1 else img
        h, w = img.shape[:2]
        top, left = (h - 375) // 2, (w - 500) // 2
        out.append(np.ascontiguousarray(img[top : top + 375, left : left + 500]))
    return out


def torchvision_dinov2() -> Callable[[Any], list[Any]]:
    """``dinov2/data/augmentations.py`` with torchvision v2 on PIL images (blur as published)."""
    from torchvision.transforms import InterpolationMode, v2

    bicubic = InterpolationMode.BICUBIC

    def blur(p: float) -> Any:
        return v2.RandomApply([v2.GaussianBlur(9, sigma=(0.1, 2.0))], p=p)

    colour = [v2.RandomApply([v2.ColorJitter(**JITTER)], p=0.8), v2.RandomGrayscale(p=0.2)]
    finish = [v2.PILToTensor(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(IMAGENET_MEAN, IMAGENET_STD)]
    geo_g = [v2.RandomResizedCrop(224, scale=(0.32, 1.0), interpolation=bicubic), v2.RandomHorizontalFlip()]
    geo_l = [v2.RandomResizedCrop(96, scale=(0.05, 0.32), interpolation=bicubic), v2.RandomHorizontalFlip()]
    g1 = v2.Compose([*geo_g, *colour, blur(1.0), *finish])
    g2 = v2.Compose([*geo_g, *colour, blur(0.1), v2.RandomSolarize(128, p=0.2), *finish])
    local = v2.Compose([*geo_l, *colour, blur(0.5), *finish])
    return lambda img: [g1(img), g2(img), *[local(img) for _ in range(8)]]


def albumentations_dinov2() -> Callable[[np.ndarray], list[Any]]:
    import albumentations as A
    from albumentations.pytorch import ToTensorV2

    def pipe(size: int, scale: tuple[float, float], blur_p: float, sol_p: float = 0.0) -> Any:
        ops = [A.RandomResizedCrop((size, size), scale=scale, interpolation=cv2.INTER_CUBIC), A.HorizontalFlip(),
               A.ColorJitter(**JITTER, p=0.8), A.ToGray(p=0.2), A.GaussianBlur(blur_limit=(9, 9),
                                                                                sigma_limit=(0.1, 2.0), p=blur_p)]
        if sol_p:
            ops.append(A.Solarize(threshold_range=(0.5, 0.5), p=sol_p))
        return A.Compose([*ops, A.Normalize(IMAGENET_MEAN, IMAGENET_STD), ToTensorV2()])

    g1, g2, local = pipe(224, (0.32, 1.0), 1.0), pipe(224, (0.32, 1.0), 0.1, 0.2), pipe(96, (0.05, 0.32), 0.5)
    return lambda img: [g1(image=img)["image"], g2(image=img)["image"], *[local(image=img)["image"] for _ in range(8)]]


def kornia_dinov2() -> Callable[[torch.Tensor], list[torch.Tensor]]:
    import kornia.augmentation as K

    def seq(size: int, scale: tuple[float, float], blur_p: float, sol_p: float = 0.0) -> Any:
        ops = [K.RandomResizedCrop((size, size), scale=scale, resample="BICUBIC"), K.RandomHorizontalFlip(),
               K.ColorJitter(**JITTER, p=0.8), K.RandomGrayscale(p=0.2),
               K.RandomGaussianBlur((9, 9), (0.1, 2.0), p=blur_p)]
        if sol_p:
            ops.append(K.RandomSolarize(0.0, 0.0, p=sol_p))
        return K.AugmentationSequential(*ops, K.Normalize(torch.tensor(IMAGENET_MEAN), torch.tensor(IMAGENET_STD)))

    g1, g2, local = seq(224, (0.32, 1.0), 1.0), seq(224, (0.32, 1.0), 0.1, 0.2), seq(96, (0.05, 0.32), 0.5)
    return lambda batch: [g1(batch), g2(batch), *[local(batch) for _ in range(8)]]


def best(fn: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    from PIL import Image

    images = photos()
    pils = [Image.fromarray(x) for x in images]
    n, rounds = (len(images), 2) if args.quick else (3 * len(images), 5)
    vg = augkit.image.dinov2(seed=0)
    tv, alb = torchvision_dinov2(), albumentations_dinov2()
    per_sample = {
        "augkit dinov2": lambda: [vg(images[i % len(images)], index=i) for i in range(n)],
        "torchvision v2 on PIL": lambda: [tv(pils[i % len(pils)]) for i in range(n)],
        "albumentations": lambda: [alb(images[i % len(images)]) for i in range(n)],
    }
    with augkit.core.modalities.get("image").single_threaded():
        rates = {name: n / best(fn, rounds) for name, fn in per_sample.items()}
        print("dinov2, 10 views per sample, samples per CPU second (one core)")
        for name, rate in rates.items():
            print(f"  {name:28s} {rate:8.1f}   augkit ×{rates['augkit dinov2'] / rate:5.2f}")

        batch_images = [images[i % len(images)] for i in range(64)]
        uint8 = augkit.image.dinov2(seed=0, output="uint8")
        kornia = kornia_dinov2()
        stacked = torch.from_numpy(np.stack(batch_images)).permute(0, 3, 1, 2).float().div(255)
        per_batch = {
            "augkit generate_batch": lambda: vg.generate_batch(batch_images, list(range(64))),
            "augkit generate_batch uint8": lambda: uint8.generate_batch(batch_images, list(range(64))),
            "kornia AugmentationSequential": lambda: kornia(stacked),
        }
        rates = {name: 64 / best(fn, max(2, rounds - 2)) for name, fn in per_batch.items()}
        print("dinov2 on a batch of 64 (375×500), samples per CPU second (one core, CPU)")
        for name, rate in rates.items():
            print(f"  {name:32s} {rate:8.1f}   augkit ×{rates['augkit generate_batch'] / rate:5.2f}")


if __name__ == "__main__":
    main()
