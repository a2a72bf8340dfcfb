"""Metric-learning losses on pairs and triplets: TripletLoss (with batch-hard or semi-hard mining)
and ContrastiveLoss."""

from __future__ import annotations

from typing import cast

import torch
import torch.nn.functional as F

from augkit.core.errors import InvalidArgument, InvalidInput
from augkit.losses.gate import Loss, Role, check_margin, checked_forward, shown, widened

__all__ = ["ContrastiveLoss", "TripletLoss"]


def _pairwise_distance(x: torch.Tensor) -> torch.Tensor:
    sq = (x * x).sum(dim=1)
    d2 = (sq[:, None] + sq[None, :] - 2 * x @ x.T).clamp_min(0)
    # sqrt has an infinite gradient at 0: keep the exact zeros out of it
    zero = d2 == 0
    return torch.sqrt(d2.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)


class TripletLoss(Loss):
    """Triplet margin loss ``max(0, d(a, p) - d(a, n) + margin)`` on Euclidean distances.

    Args:
        margin: the margin (FaceNet uses 0.2 on L2-normalized embeddings), at most ``MAX_MARGIN``.
        mining: ``None`` — call with explicit ``(anchor, positive, negative)`` batches;
            ``"hard"`` — batch-hard mining (Hermans et al. 2017): call with ``(embeddings, labels)``;
            each anchor takes its farthest positive and nearest negative;
            ``"semi-hard"`` — FaceNet's semi-hard mining (Schroff et al. 2015): for every
            anchor-positive pair, the nearest negative farther than the positive, or, if none is,
            the farthest negative.
        normalize: L2-normalize embeddings first.

    For views, labels are the sample ids: ``labels = torch.arange(B).repeat(n)`` with
    ``torch.cat(views)``. Embeddings are float tensors; the loss is float64 for float64 embeddings,
    float32 otherwise (see the module's docstring).

    Raises:
        WrongArgumentType: ``margin`` is not a number.
        InvalidArgument: ``margin`` negative, not finite or above ``MAX_MARGIN``; an unknown ``mining``.
        WrongInputType: an embedding is not a float tensor (pass ``z.float()``); labels not a tensor.
        InvalidInput: shapes that do not match, an empty batch, a float32 loss past float32's range.

    Example:
        >>> TripletLoss(0.2, mining="semi-hard")(torch.cat([z1, z2]), torch.arange(B).repeat(2))
    """

    def __init__(self, margin: float = 0.2, mining: str | None = None, normalize: bool = False) -> None:
        super().__init__()
        margin = check_margin(margin, positive=False)
        if mining not in (None, "hard", "semi-hard"):
            raise InvalidArgument(f"mining={shown(mining)} must be None, 'hard' or 'semi-hard'")
        self.margin, self.mining, self.normalize = float(margin), mining, normalize

    def _roles(self) -> dict[str, tuple[str, Role]]:
        if self.mining is None:
            return {"anchor": ("anchor", "embeddings"), "positive": ("positive", "embeddings"),
                    "negative": ("negative", "embeddings")}
        # with mining, forward(embeddings, labels): the messages name the parameters a keyword call uses
        return {"anchor": ("anchor", "embeddings"), "positive": ("positive", "labels")}

    def _unit_gradient(self) -> float | None:
        # each term d(a, p) - d(a, n) moves one unit row by at most 2 (distances have unit gradients)
        return 2.0 if self.normalize else None

    @checked_forward
    def forward(
        self, anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``(anchor, positive, negative)`` without mining; ``(embeddings, labels)`` with mining."""
        if self.mining is None:
            negative = cast(torch.Tensor, negative)  # checked as an embedding: never None here
            if not anchor.shape == positive.shape == negative.shape:
                raise InvalidInput(
                    "TripletLoss: without mining, call with anchor, positive and negative of one shape [B, D], got "
                    f"{tuple(anchor.shape)}, {tuple(positive.shape)} and {tuple(negative.shape)}"
                )
            a, p, n = (self._prep(t) for t in (anchor, positive, negative))
            return F.relu((a - p).norm(dim=1) - (a - n).norm(dim=1) + self.margin).mean()
        embeddings, labels = anchor, positive
        if labels.shape[0] != embeddings.shape[0]:
            raise InvalidInput(
                f"TripletLoss: with mining, call with embeddings [N, D] and labels [N]; got {tuple(embeddings.shape)} "
                f"and {tuple(labels.shape)}"
            )
        d = _pairwise_distance(self._prep(embeddings))
        same = labels[:, None] == labels[None, :]
        eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
        pos, neg = same & ~eye, ~same
        if self.mining == "hard":
            valid = pos.any(1) & neg.any(1)
            hardest_pos = d.masked_fill(~pos, float("-inf")).amax(1)
            hardest_neg = d.masked_fill(~neg, float("inf")).amin(1)
            losses = F.relu(hardest_pos - hardest_neg + self.margin)[valid]
            return losses.mean() if losses.numel() else d.sum() * 0
        # semi-hard: one term per anchor-positive pair
        a_idx, p_idx = pos.nonzero(as_tuple=True)
        if a_idx.numel() == 0 or not neg.any():
            return d.sum() * 0
        d_ap = d[a_idx, p_idx][:, None]
        d_an = d[a_idx]
        neg_rows = neg[a_idx]
        farther = neg_rows & (d_an > d_ap)
        nearest_farther = d_an.masked_fill(~farther, float("inf")).amin(1)
        farthest = d_an.masked_fill(~neg_rows, float("-inf")).amax(1)
        chosen = torch.where(farther.any(1), nearest_farther, farthest)
        keep = neg_rows.any(1)
        return F.relu(d_ap[:, 0] - chosen + self.margin)[keep].mean()

    def _prep(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.normalize else widened(x)  # normalized ones are unit rows already


class ContrastiveLoss(Loss):
    """Hadsell, Chopra & LeCun (2006) pairwise contrastive loss.

    ``L = ½·[y·d² + (1 − y)·max(0, margin − d)²]`` averaged over pairs, with ``d`` the Euclidean
    distance between ``x1[i]`` and ``x2[i]`` and ``y = 1`` for similar pairs. ``margin`` is positive
    and at most ``MAX_MARGIN``; ``x1`` and ``x2`` are float tensors ``[B, D]``, ``same`` a tensor
    ``[B]``. The loss is float64 for float64 embeddings, float32 otherwise; a float32 loss past
    float32's range raises ``InvalidInput`` (see the module's docstring).

    Example:
        >>> ContrastiveLoss(1.0)(z1, z2, same=torch.tensor([1, 0, 1]))
    """

    def __init__(self, margin: float = 1.0) -> None:
        super().__init__()
        self.margin = check_margin(margin, positive=True)

    def _roles(self) -> dict[str, tuple[str, Role]]:
        return {"x1": ("x1", "embeddings"), "x2": ("x2", "embeddings"), "same": ("same", "labels")}

    @checked_forward
    def forward(self, x1: torch.Tensor, x2: torch.Tensor, same: torch.Tensor) -> torch.Tensor:
        if x1.shape != x2.shape or same.shape != x1.shape[:1]:
            raise InvalidInput(
                f"ContrastiveLoss: x1, x2 must be [B, D] and same [B]; got {tuple(x1.shape)}, {tuple(x2.shape)}, "
                f"{tuple(same.shape)}"
            )
        a, b = widened(x1), widened(x2)
        d = (a - b).norm(dim=1)
        # where, not y·d² + (1 − y)·…: 0 · inf would give NaN for a far dissimilar pair
        return 0.5 * torch.where(same.bool(), d.pow(2), F.relu(self.margin - d).pow(2)).mean()
