"""BLIP's image views: the preset ``image.blip`` (its own module: presets.py holds the SSL recipes)."""

from __future__ import annotations

from typing import Any

from augkit.core import Augmenter, Compose
from augkit.core.args import Number
from augkit.image.auto_augment import BlipRandomAugment
from augkit.image.ops import HorizontalFlip, RandomResizedCrop
from augkit.image.presets import SIDE, checked, image_options, image_preset
from augkit.image.presets_ssl import OPENAI_MEAN, OPENAI_STD

__all__ = ["blip"]


# BLIP normalizes with OpenAI CLIP's statistics (``data/__init__.py``: ``transforms.Normalize``)
@image_preset("image.blip", options=image_options(OPENAI_MEAN, OPENAI_STD))
def blip(size: int = 224, *, min_scale: float = 0.5) -> Augmenter[Any]:
    """BLIP's training views (Li et al. 2022, ``salesforce/BLIP`` ``data/__init__.py``, ``transform_train``).

    Per view: random resized crop of area ``min_scale``–1 (BLIP's configs: 0.5) and aspect 3/4–4/3
    to ``size``, horizontal flip (p 0.5), BLIP's ``RandomAugment(2, 5)`` with its 10 ops
    (:class:`augkit.image.BlipRandomAugment`: each of 2 drawn ops fires with p 0.5, grey fill 128),
    then normalization with OpenAI CLIP's mean and std (:data:`OPENAI_MEAN`, :data:`OPENAI_STD`:
    the defaults of ``mean`` and ``std`` here). The crop is resized bicubically, as BLIP's
    ``transform/randaugment.py`` pipeline does (OpenCV's ``"cubic"`` here).

    Args:
        size: output side in pixels (BLIP: 224 for pre-training, 384 for fine-tuning).
        min_scale: the smallest crop area fraction, in (0, 1].
        n_views: number of views per sample.
        seed: the generator's seed.
        output: ``"normalized"``, ``"uint8"`` or ``"numpy"``.
        mean, std: normalization statistics for ``"normalized"`` (OpenAI CLIP's by default).

    Example:
        >>> v1, v2 = blip(224, seed=0)(photo, index=0)
    """
    size = checked("blip", "size", SIDE, size)
    low = checked("blip", "min_scale", Number(0.0, 1.0, low_open=True), min_scale)
    return Compose([
        # BLIP's transform/randaugment.py pipeline: RandomResizedCrop(..., interpolation=BICUBIC)
        RandomResizedCrop(size, scale=(low, 1.0), ratio=(3 / 4, 4 / 3), interpolation="cubic"),
        HorizontalFlip(p=0.5),
        BlipRandomAugment(2, 5),
    ])
