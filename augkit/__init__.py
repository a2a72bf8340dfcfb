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

from augkit.core.lazy import lazy_getattr

# albumentations calls the package index on import unless this is set; augkit never goes online.
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")

from augkit.core import Augmenter, Compose, Identity, OneOf, Params, RandomApply
from augkit.core.errors import AugkitError
from augkit.core.modalities import builtin_packages
from augkit.core.version import __version__
from augkit.views.crossmodal import CrossModalViews
from augkit.views.generator import ViewGenerator, Views
from augkit.views.presets import multi_crop

# Public names served lazily (PEP 562): name -> module that defines it. Each built-in modality's
# package (augkit.image, ...) is served under the modality's name.
_LAZY: dict[str, str] = {
    **builtin_packages(),
    "core": "augkit.core",
    "views": "augkit.views",
    "errors": "augkit.core.errors",
    "registry": "augkit.core.registry",
    "streams": "augkit.core.streams",
    "modalities": "augkit.core.modalities",
    "config": "augkit.views.config",
    "couplings": "augkit.views.couplings",
    "losses": "augkit.losses",
    "datasets": "augkit.datasets",
    "generate": "augkit.generate",
    "preview": "augkit.preview",
    "PairDataset": "augkit.generate.pairs",
    "write_pairs": "augkit.generate.job",
    "ViewCollate": "augkit.datasets.collate",
    "ViewDataset": "augkit.datasets.view_dataset",
    "ManifestDataset": "augkit.datasets.manifest",
    "collate_views": "augkit.datasets.collate",
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
    "PairDataset",
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
    "generate",
    "image",
    "losses",
    "modalities",
    "multi_crop",
    "preview",
    "registry",
    "spectrogram",
    "streams",
    "text",
    "views",
    "write_pairs",
]

if TYPE_CHECKING:
    import augkit.audio as audio
    import augkit.core.errors as errors
    import augkit.core.modalities as modalities
    import augkit.core.registry as registry
    import augkit.core.streams as streams
    import augkit.datasets as datasets
    import augkit.generate as generate
    import augkit.image as image
    import augkit.losses as losses
    import augkit.preview as preview
    import augkit.spectrogram as spectrogram
    import augkit.text as text
    import augkit.views.config as config
    import augkit.views.couplings as couplings
    from augkit.datasets.collate import ViewCollate, collate_views
    from augkit.datasets.manifest import ManifestDataset
    from augkit.datasets.view_dataset import ViewDataset
    from augkit.generate.job import write_pairs
    from augkit.generate.pairs import PairDataset
    from augkit.losses import ContrastiveLoss, InfoNCELoss, NTXentLoss, TripletLoss


__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
