"""augkit: positive pairs (n views) for contrastive learning from images, text and audio.

Every augmenter draws its parameters from a ``numpy.random.Generator`` it is given and applies them
purely, so views are reproducible, recorded and replayable. ``import augkit`` is light: torch,
albumentations, cv2 and nltk are imported only when a name that needs them is first used.

Example:
    >>> import augkit
    >>> vg = augkit.image.simclr(size=224, seed=0)
    >>> view1, view2 = vg(photo, index=0, epoch=0)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from augkit._lazy import lazy_getattr

# albumentations calls the package index on import unless this is set; augkit never goes online.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

from augkit.core import Augmenter, Compose, Identity, OneOf, Params, RandomApply
from augkit.crossmodal import CrossModalViews
from augkit.errors import AugkitError
from augkit.modalities import builtin_packages
from augkit.views import ViewGenerator, Views, multi_crop

__version__ = "0.2.0"

# Public names served lazily (PEP 562): name -> module that defines it. Each built-in modality's
# package (augkit.image, ...) is served under the modality's name.
_LAZY: dict[str, str] = {
    **builtin_packages(),
    "registry": "augkit.registry",
    "streams": "augkit.streams",
    "modalities": "augkit.modalities",
    "config": "augkit.config",
    "couplings": "augkit.couplings",
    "losses": "augkit.losses",
    "datasets": "augkit.datasets",
    "preview": "augkit.preview",
    "ViewCollate": "augkit.collate",
    "ViewDataset": "augkit.datasets",
    "ManifestDataset": "augkit.datasets",
    "collate_views": "augkit.datasets",
    "NTXentLoss": "augkit.losses",
    "InfoNCELoss": "augkit.losses",
    "TripletLoss": "augkit.losses",
    "ContrastiveLoss": "augkit.losses",
}

__all__ = [
    "AugkitError",
    "Augmenter",
    "Compose",
    "ContrastiveLoss",
    "CrossModalViews",
    "Identity",
    "InfoNCELoss",
    "ManifestDataset",
    "NTXentLoss",
    "OneOf",
    "Params",
    "RandomApply",
    "TripletLoss",
    "ViewCollate",
    "ViewDataset",
    "ViewGenerator",
    "Views",
    "__version__",
    "audio",
    "collate_views",
    "config",
    "couplings",
    "datasets",
    "errors",
    "image",
    "losses",
    "modalities",
    "multi_crop",
    "preview",
    "registry",
    "streams",
    "text",
]

if TYPE_CHECKING:
    import augkit.audio as audio
    import augkit.config as config
    import augkit.couplings as couplings
    import augkit.datasets as datasets
    import augkit.errors as errors
    import augkit.image as image
    import augkit.losses as losses
    import augkit.modalities as modalities
    import augkit.preview as preview
    import augkit.registry as registry
    import augkit.streams as streams
    import augkit.text as text
    from augkit.collate import ViewCollate
    from augkit.datasets import ManifestDataset, ViewDataset, collate_views
    from augkit.losses import ContrastiveLoss, InfoNCELoss, NTXentLoss, TripletLoss


__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
