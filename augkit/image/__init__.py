"""Image views: augmenters on Albumentations' kernels, paper-exact presets, output conversion.

Names are served lazily, so ``import augkit.image`` does not import albumentations, cv2 or torch.

Example:
    >>> from augkit import image
    >>> vg = image.simclr(224, seed=0); v1, v2 = vg(photo, index=0, epoch=0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

_LAZY = {
    "IMAGENET_MEAN": "augkit.image._convert",
    "IMAGENET_STD": "augkit.image._convert",
    "as_image": "augkit.image._convert",
    "normalize_batch": "augkit.image.normalize",
    "make_output": "augkit.image._convert",
    "RandomResizedCrop": "augkit.image.ops",
    "HorizontalFlip": "augkit.image.ops",
    "ColorJitter": "augkit.image.ops",
    "ToGray": "augkit.image.ops",
    "GaussianBlur": "augkit.image.ops",
    "Solarize": "augkit.image.ops",
    "Resize": "augkit.image.ops",
    "CenterCrop": "augkit.image.ops",
    "MixUp": "augkit.image.mixing",
    "CutMix": "augkit.image.mixing",
    "VerticalFlip": "augkit.image.geometric",
    "Rotate": "augkit.image.geometric",
    "Affine": "augkit.image.geometric",
    "Equalize": "augkit.image.tone",
    "AutoContrast": "augkit.image.tone",
    "Posterize": "augkit.image.tone",
    "Sharpness": "augkit.image.tone",
    "RandomErasing": "augkit.image.erasing",
    "JpegCompression": "augkit.image.jpeg",
    "RandAugment": "augkit.image.auto_augment",
    "TrivialAugment": "augkit.image.auto_augment",
    "BlipRandomAugment": "augkit.image.auto_augment",
    "blip": "augkit.image.presets_blip",
    "Pipeline": "augkit.core",
    "BatchViews": "augkit.image.batch",
    "generate_batch": "augkit.image.batch",
    "Albumentations": "augkit.image.albumentations_wrapper",
    "simclr": "augkit.image.presets",
    "simclr_cifar": "augkit.image.presets",
    "moco_v2": "augkit.image.presets",
    "byol": "augkit.image.presets",
    "swav": "augkit.image.presets",
    "dino": "augkit.image.presets",
    "eval_transform": "augkit.image.presets",
    "dinov2": "augkit.image.presets_ssl",
    "ibot": "augkit.image.presets_ssl",
    "msn": "augkit.image.presets_ssl",
    "vicreg": "augkit.image.presets_ssl",
    "barlow_twins": "augkit.image.presets_ssl",
    "mae": "augkit.image.presets_ssl",
    "clip": "augkit.image.presets_ssl",
    "OPENAI_MEAN": "augkit.image.presets_ssl",
    "OPENAI_STD": "augkit.image.presets_ssl",
    "PatchMask": "augkit.image.masks",
    "EvalTransform": "augkit.image.presets",
}

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "OPENAI_MEAN",
    "OPENAI_STD",
    "Affine",
    "Albumentations",
    "AutoContrast",
    "BatchViews",
    "BlipRandomAugment",
    "CenterCrop",
    "ColorJitter",
    "CutMix",
    "Equalize",
    "EvalTransform",
    "GaussianBlur",
    "HorizontalFlip",
    "JpegCompression",
    "MixUp",
    "PatchMask",
    "Pipeline",
    "Posterize",
    "RandAugment",
    "RandomErasing",
    "RandomResizedCrop",
    "Resize",
    "Rotate",
    "Sharpness",
    "Solarize",
    "ToGray",
    "TrivialAugment",
    "VerticalFlip",
    "as_image",
    "barlow_twins",
    "blip",
    "byol",
    "clip",
    "dino",
    "dinov2",
    "eval_transform",
    "generate_batch",
    "ibot",
    "mae",
    "make_output",
    "moco_v2",
    "msn",
    "normalize_batch",
    "simclr",
    "simclr_cifar",
    "swav",
    "vicreg",
]


if TYPE_CHECKING:
    from augkit.core import Compose as Pipeline
    from augkit.image._convert import IMAGENET_MEAN, IMAGENET_STD, as_image, make_output
    from augkit.image.albumentations_wrapper import Albumentations
    from augkit.image.auto_augment import BlipRandomAugment, RandAugment, TrivialAugment
    from augkit.image.batch import BatchViews, generate_batch
    from augkit.image.erasing import RandomErasing
    from augkit.image.geometric import Affine, Rotate, VerticalFlip
    from augkit.image.jpeg import JpegCompression
    from augkit.image.masks import PatchMask
    from augkit.image.mixing import CutMix, MixUp
    from augkit.image.normalize import normalize_batch
    from augkit.image.ops import (
        CenterCrop,
        ColorJitter,
        GaussianBlur,
        HorizontalFlip,
        RandomResizedCrop,
        Resize,
        Solarize,
        ToGray,
    )
    from augkit.image.presets import EvalTransform, byol, dino, eval_transform, moco_v2, simclr, simclr_cifar, swav
    from augkit.image.presets_blip import blip
    from augkit.image.presets_ssl import OPENAI_MEAN, OPENAI_STD, barlow_twins, clip, dinov2, ibot, mae, msn, vicreg
    from augkit.image.tone import AutoContrast, Equalize, Posterize, Sharpness


__getattr__ = lazy_getattr(__name__, _LAZY)
