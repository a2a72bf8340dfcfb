"""The presets of the self-supervised image methods after 2020, with the values their reference code uses.

Each preset cites the repository and file it follows, and gives every value. Where the released
code differs from the paper, the preset follows the code and says so (DINOv2's blur,
``as_trained=``). Crops are resized with OpenCV's bicubic (``"cubic"``) where the reference
resizes bicubically with PIL; PIL's bicubic antialiases when it shrinks, and
``RandomResizedCrop(interpolation="cubic_antialias")`` reproduces it bit for bit at about twice the
cost (see :func:`augkit.image.functional.resize`). Blurs written as PIL's
``GaussianBlur(radius=σ)`` are the 3σ kernel (``GaussianBlur(kernel_size=None)``), within one grey level.

Every preset carries its normalization (``mean``/``std``, OpenAI's for CLIP, ImageNet's for the
others): the ``"normalized"`` output uses it, and ``normalize_batch(batch, vg)`` reads it from the
generator for ``"uint8"`` views.
"""

from __future__ import annotations

from typing import Any

from augkit.core import Augmenter, Compose
from augkit.core.args import Flag, Integer
from augkit.image.masks import PatchMask
from augkit.image.ops import HorizontalFlip, RandomResizedCrop
from augkit.image.presets import SIDE, checked, image_options, image_preset, simclr_pipeline
from augkit.views.presets import multi_crop

__all__ = ["OPENAI_MEAN", "OPENAI_STD", "barlow_twins", "clip", "dinov2", "ibot", "mae", "msn", "vicreg"]

#: The normalization statistics of OpenAI's CLIP (``open_clip/constants.py``: ``OPENAI_DATASET_MEAN``/``STD``).
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)

_JITTER = (0.4, 0.4, 0.2, 0.1)  # brightness, contrast, saturation, hue: BYOL's, DINO's and their successors'
_PATCH = Integer(1, 4096)
_CUBIC: dict[str, Any] = {"interpolation": "cubic", "kernel": None}  # bicubic crops, PIL's radius blur


def _masks(recipe: str, masks: Any, patch_size: Any, rule: str) -> list[Augmenter[Any]]:
    """The global views' PatchMask (none without ``masks``)."""
    patch = checked(recipe, "patch_size", _PATCH, patch_size)  # checked with or without masks
    if not checked(recipe, "masks", Flag(), masks):
        return []
    return [PatchMask(patch_size=patch, ratio=(0.1, 0.5), mask_p=0.5, rule=rule)]


@image_preset("image.dinov2", views=10, min_views=2)
def dinov2(size: int = 224, local_size: int = 96, *, patch_size: int = 16, masks: bool = False,
           as_trained: bool = False, n_views: int = 10) -> list[Augmenter[Any]]:
    """DINOv2 multi-crop (Oquab et al. 2023; ``facebookresearch/dinov2``, ``dinov2/data/augmentations.py``
    ``DataAugmentationDINO`` with ``dinov2/configs/ssl_default_config.yaml``).

    2 global crops at ``size`` (224), area 0.32–1, and ``n_views - 2`` (8) local crops at
    ``local_size`` (96), area 0.05–0.32; aspect 3/4–4/3, bicubic; flip p 0.5; colour jitter
    (0.4, 0.4, 0.2, 0.1) p 0.8; grayscale p 0.2; Gaussian blur σ 0.1–2 with a 9-tap kernel
    (``dinov2/data/transforms.py``: ``transforms.GaussianBlur(kernel_size=9)``); solarize at 128.
    The released ViT-/14 models train with ``local_size=98, patch_size=14``.

    Blur as published (the default): global 1 blur p 1.0; global 2 blur p 0.1 and solarize p 0.2;
    locals blur p 0.5. The released code wraps its blur in ``RandomApply(p=1 - p)`` (dinov2 PR #411),
    so the model was trained with the inverse: ``as_trained=True`` gives global 1 blur p 0.0, global 2
    blur p 0.9 (solarize p 0.2), locals p 0.5.

    ``masks=True``: each global view is ``{"image": view, "mask": bool [size / patch_size]²}``, a
    block mask by ``dinov2/data/masking.py``'s rule, masked with probability 0.5 and a ratio uniform
    in [0.1, 0.5] (``ibot.mask_sample_probability``, ``mask_ratio_min_max``). The reference masks
    exactly half the crops of a batch with ratios spread over [0.1, 0.5]; a view's own stream cannot
    see the batch, so here each view draws both (see :mod:`augkit.image.masks`).

    Example:
        >>> views = dinov2(seed=0, masks=True)(photo, index=0)   # views[0]["mask"].shape == (14, 14)
    """
    size, local_size = checked("dinov2", "size", SIDE, size), checked("dinov2", "local_size", SIDE, local_size)
    trained = checked("dinov2", "as_trained", Flag(), as_trained)
    mask = _masks("dinov2", masks, patch_size, "dinov2")
    blur1, blur2 = (0.0, 0.9) if trained else (1.0, 0.1)
    rules: dict[str, Any] = {"interpolation": "cubic", "kernel": lambda side: 9}
    global1 = simclr_pipeline(size, (0.32, 1.0), _JITTER, blur_p=blur1, extra=mask, **rules)
    global2 = simclr_pipeline(size, (0.32, 1.0), _JITTER, blur_p=blur2, solarize_p=0.2, extra=mask, **rules)
    local = simclr_pipeline(local_size, (0.05, 0.32), _JITTER, blur_p=0.5, **rules)
    return [global1, global2, *[local] * (n_views - 2)]


@image_preset("image.ibot", views=12, min_views=2)
def ibot(size: int = 224, local_size: int = 96, *, patch_size: int = 16, masks: bool = False,
         n_views: int = 12) -> list[Augmenter[Any]]:
    """iBOT multi-crop (Zhou et al. 2022; ``bytedance/ibot``, ``main_ibot.py`` ``DataAugmentationiBOT``,
    with the arguments of the published ViT-S/16 run in its README).

    DINO's recipe: 2 global crops at 224, area 0.25–1 (``--global_crops_scale 0.25 1``), and
    ``n_views - 2`` (10, ``--local_crops_number 10``) local crops at 96, area 0.05–0.25; bicubic;
    flip p 0.5; jitter (0.4, 0.4, 0.2, 0.1) p 0.8; grayscale p 0.2; global 1 blur p 1.0; global 2
    blur p 0.1 and solarize p 0.2; locals blur p 0.5; blur PIL's radius σ 0.1–2 (``utils.GaussianBlur``).

    ``masks=True``: each global view is ``{"image": view, "mask": bool [size / patch_size]²}``, a
    block-wise mask as ``loader.py`` ``ImageFolderMask`` draws it (``pred_shape='block'``, aspect
    ratio 0.3–1/0.3, blocks of at least ``(min(H, W) // 3)²`` patches): ``--pred_ratio 0 0.3
    --pred_ratio_var 0 0.2`` is a ratio of 0 or uniform in [0.1, 0.5], each with probability 0.5.

    Example:
        >>> views = ibot(seed=0, masks=True)(photo, index=0)   # 2 + 10 views
    """
    size, local_size = checked("ibot", "size", SIDE, size), checked("ibot", "local_size", SIDE, local_size)
    mask = _masks("ibot", masks, patch_size, "ibot")
    global1 = simclr_pipeline(size, (0.25, 1.0), _JITTER, blur_p=1.0, extra=mask, **_CUBIC)
    global2 = simclr_pipeline(size, (0.25, 1.0), _JITTER, blur_p=0.1, solarize_p=0.2, extra=mask, **_CUBIC)
    local = simclr_pipeline(local_size, (0.05, 0.25), _JITTER, blur_p=0.5, **_CUBIC)
    return [global1, global2, *[local] * (n_views - 2)]


@image_preset("image.msn", views=11, min_views=1)
def msn(size: int = 224, local_size: int = 96, *, n_views: int = 11) -> list[Augmenter[Any]]:
    """MSN views (Assran et al. 2022; ``facebookresearch/msn``, ``src/data_manager.py``
    ``make_transforms`` and ``_make_multicrop_imgnt_transforms``, ``configs/pretrain/msn_vits16.yaml``).

    1 random view at ``size`` (224), area 0.3–1, then ``n_views - 1`` (10) focal views at
    ``local_size`` (96), area 0.05–0.3; each: flip p 0.5, colour distortion of strength 0.5 (jitter
    0.4, 0.4, 0.4, 0.1, p 0.8), grayscale p 0.2, Gaussian blur p 0.5 (PIL's radius σ 0.1–2);
    torchvision's default bilinear resize.

    Example:
        >>> views = msn(seed=0)(photo, index=0)   # 1 + 10 views
    """
    size, local_size = checked("msn", "size", SIDE, size), checked("msn", "local_size", SIDE, local_size)
    jitter = (0.4, 0.4, 0.4, 0.1)
    rand = simclr_pipeline(size, (0.3, 1.0), jitter, blur_p=0.5, kernel=None)
    focal = simclr_pipeline(local_size, (0.05, 0.3), jitter, blur_p=0.5, kernel=None)
    return multi_crop(rand, focal, 1, n_views - 1)


def _byol_like(recipe: str, size: int) -> list[Augmenter[Any]]:
    size = checked(recipe, "size", SIDE, size)
    view1 = simclr_pipeline(size, (0.08, 1.0), _JITTER, blur_p=1.0, **_CUBIC)
    view2 = simclr_pipeline(size, (0.08, 1.0), _JITTER, blur_p=0.1, solarize_p=0.2, **_CUBIC)
    return [view1, view2]


@image_preset("image.vicreg", fixed_views=True)
def vicreg(size: int = 224) -> list[Augmenter[Any]]:
    """VICReg's two views (Bardes et al. 2022; ``facebookresearch/vicreg``, ``augmentations.py``
    ``TrainTransform``): BYOL's asymmetric recipe resized bicubically. Crop area 0.08–1, flip p 0.5,
    jitter (0.4, 0.4, 0.2, 0.1) p 0.8, grayscale p 0.2, PIL blur σ 0.1–2; view 1 blur p 1.0,
    solarize p 0; view 2 blur p 0.1, solarize p 0.2.

    Example:
        >>> x1, x2 = vicreg(seed=0)(photo, index=0)
    """
    return _byol_like("vicreg", size)


@image_preset("image.barlow_twins", fixed_views=True)
def barlow_twins(size: int = 224) -> list[Augmenter[Any]]:
    """Barlow Twins' two views (Zbontar et al. 2021; ``facebookresearch/barlowtwins``, ``main.py``
    ``Transform``): the same values as VICReg's, bicubic crop area 0.08–1, flip, jitter
    (0.4, 0.4, 0.2, 0.1) p 0.8, grayscale p 0.2; view 1 blur p 1.0; view 2 blur p 0.1 and solarize p 0.2.

    Example:
        >>> y1, y2 = barlow_twins(seed=0)(photo, index=0)
    """
    return _byol_like("barlow_twins", size)


@image_preset("image.mae", views=1)
def mae(size: int = 224) -> Augmenter[Any]:
    """MAE's view (He et al. 2022; ``facebookresearch/mae``, ``main_pretrain.py``): a crop of area
    0.2–1 (aspect 3/4–4/3) resized bicubically (``interpolation=3``) and a flip with p 0.5. The
    patch masking happens in the model (``random_masking``), not in the data.

    Example:
        >>> (view,) = mae(seed=0)(photo, index=0)
    """
    size = checked("mae", "size", SIDE, size)
    return Compose([RandomResizedCrop(size, scale=(0.2, 1.0), interpolation="cubic"), HorizontalFlip(p=0.5)])


@image_preset("image.clip", views=1, options=image_options(OPENAI_MEAN, OPENAI_STD))
def clip(size: int = 224) -> Augmenter[Any]:
    """CLIP's training view (``mlfoundations/open_clip``, ``src/open_clip/transform.py``
    ``image_transform(is_train=True)``): a crop of area 0.9–1 (``AugmentationCfg.scale``), aspect
    3/4–4/3, resized bicubically, no flip, normalized with OpenAI's mean and std
    (:data:`OPENAI_MEAN`, :data:`OPENAI_STD`), which this preset carries.

    Example:
        >>> (view,) = clip(seed=0)(photo, index=0)
    """
    size = checked("clip", "size", SIDE, size)
    return Compose([RandomResizedCrop(size, scale=(0.9, 1.0), interpolation="cubic")])
