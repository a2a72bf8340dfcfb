"""Contrastive losses that are right for any number of views (NT-Xent, InfoNCE, triplet, contrastive),
a DDP gather with gradients, and SimCLR's projection head. Every loss checks its inputs at one gate
(:mod:`augkit.losses.gate`).

Example:
    >>> loss = NTXentLoss(temperature=0.5)([z1, z2, z3])      # three views of a batch
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

# Public names, served lazily (PEP 562): name -> the module that defines it.
_LAZY: dict[str, str] = {
    "ContrastiveLoss": "augkit.losses.metric",
    "InfoNCELoss": "augkit.losses.infonce",
    "MAX_MARGIN": "augkit.losses.gate",
    "MIN_TEMPERATURE": "augkit.losses.gate",
    "NTXentLoss": "augkit.losses.infonce",
    "ProjectionHead": "augkit.losses.heads",
    "TripletLoss": "augkit.losses.metric",
    "gather_with_grad": "augkit.losses.distributed",
}

__all__ = [
    "MAX_MARGIN",
    "MIN_TEMPERATURE",
    "ContrastiveLoss",
    "InfoNCELoss",
    "NTXentLoss",
    "ProjectionHead",
    "TripletLoss",
    "gather_with_grad",
]

if TYPE_CHECKING:
    from augkit.losses.distributed import gather_with_grad
    from augkit.losses.gate import MAX_MARGIN, MIN_TEMPERATURE
    from augkit.losses.heads import ProjectionHead
    from augkit.losses.infonce import InfoNCELoss, NTXentLoss
    from augkit.losses.metric import ContrastiveLoss, TripletLoss

__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
