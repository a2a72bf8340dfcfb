"""Contrastive losses that are right for any number of views.

All losses compute in float32 (or float64 when given float64) with ``logsumexp``, so they are
numerically stable and safe under ``torch.autocast``.

Example:
    >>> loss = NTXentLoss(temperature=0.5)([z1, z2, z3])      # three views of a batch
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "ContrastiveLoss",
    "InfoNCELoss",
    "NTXentLoss",
    "ProjectionHead",
    "TripletLoss",
    "gather_with_grad",
]


def _float(z: torch.Tensor) -> torch.Tensor:
    # Under autocast a half-precision embedding would overflow exp(sim / 0.07); compute in float32.
    return z if z.dtype == torch.float64 else z.float()


def _tensors(value: Any) -> Any:
    """numpy embeddings (or lists of them) as tensors; anything else as given."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return torch.from_numpy(value)
    if isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value):
        return type(value)(torch.from_numpy(v) if isinstance(v, np.ndarray) else v for v in value)
    return value


#: Rows shorter than this are scaled by 1/UNIT_EPS instead of normalized: the gradient of
#: x / max(|x|, eps) is at most 1/eps, so an all-zero embedding row cannot blow up training (or
#: overflow float16 gradients, whose maximum is 65504).
UNIT_EPS = 1e-4


def _unit(x: torch.Tensor) -> torch.Tensor:
    return F.normalize(x, dim=1, eps=UNIT_EPS)


def _wide(x: torch.Tensor) -> torch.Tensor:
    """float64 for embeddings whose squared distances would overflow float32 (inf − inf = NaN)."""
    if x.dtype == torch.float32 and x.numel() and float(x.detach().abs().max()) > 1e18:
        return x.double()
    return x


def _cast(value: Any, dtype: torch.dtype) -> Any:
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, dtype) for v in value)
    return value


def _full_precision(fn: Any) -> Any:
    """Run a loss's forward with autocast off, so its matmuls stay in float32."""

    def forward(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
        args = tuple(_tensors(a) for a in args)
        kwargs = {k: _tensors(v) for k, v in kwargs.items()}
        found = [a for a in (*args, *kwargs.values()) for a in (a if isinstance(a, (list, tuple)) else [a])
                 if isinstance(a, torch.Tensor)]
        floats = [t for t in found if t.is_floating_point()]
        if any(t.ndim >= 1 and t.shape[0] == 0 for t in floats):
            raise ValueError(f"{type(self).__name__}: the embeddings hold an empty batch (B = 0); a loss needs at "
                             "least one sample")
        if len({t.dtype for t in floats}) > 1:  # float32 with float64 (or half): compute in the widest
            wide = torch.float64 if any(t.dtype == torch.float64 for t in floats) else torch.float32
            args = tuple(_cast(a, wide) for a in args)
            kwargs = {k: _cast(v, wide) for k, v in kwargs.items()}
        device = found[0].device.type if found else "cpu"
        with torch.autocast(device_type=device, enabled=False):
            return fn(self, *args, **kwargs)

    forward.__doc__ = fn.__doc__
    return forward


#: The smallest temperature accepted: 1/t must stay far inside float32 (similarities / t are exponentiated).
MIN_TEMPERATURE = 1e-4


def _check_temperature(t: float) -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not MIN_TEMPERATURE <= t < math.inf:
        raise ValueError(f"temperature={t!r} must be a finite number >= {MIN_TEMPERATURE} (0.07-0.5 are usual)")
    return float(t)


def _check_margin(margin: Any, low_open: bool) -> float:
    ok = not isinstance(margin, bool) and isinstance(margin, (int, float)) and math.isfinite(margin)
    if not ok or margin < 0 or (low_open and margin == 0):
        kind = "positive" if low_open else "non-negative"
        raise ValueError(f"margin={margin!r} must be a finite {kind} number")
    return float(margin)


def _stack_views(views: torch.Tensor | Sequence[torch.Tensor], n_views: int | None) -> tuple[torch.Tensor, int]:
    """Return the view-major ``[n·B, D]`` matrix and ``n``."""
    if isinstance(views, torch.Tensor):
        if views.ndim != 2:
            raise ValueError(f"embeddings must be [n*B, D], got shape {tuple(views.shape)}")
        if n_views is None or n_views < 2:
            raise ValueError(
                "a single [n*B, D] tensor needs n_views >= 2 (view-major: all of view 0, then view 1, ...)"
            )
        if views.shape[0] % n_views:
            raise ValueError(f"{views.shape[0]} rows do not split into n_views={n_views} equal views")
        return views, n_views
    views = list(views)
    if len(views) < 2:
        raise ValueError(f"need at least 2 views, got {len(views)}")
    shapes = {tuple(v.shape) for v in views}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise ValueError(f"every view must be one [B, D] tensor of the same shape, got shapes {sorted(shapes)}")
    if n_views is not None and n_views != len(views):
        raise ValueError(f"n_views={n_views} but {len(views)} views were given")
    if next(iter(shapes))[0] == 0:
        raise ValueError("the views hold an empty batch (B = 0): a loss needs at least one sample")
    dtypes = {v.dtype for v in views}
    if len(dtypes) > 1:  # float32 and float64 views: compute in the widest
        wide = torch.float64 if torch.float64 in dtypes else torch.float32
        views = [v.to(wide) for v in views]
    return torch.cat(views), len(views)


class _GatherWithGrad(torch.autograd.Function):
    """all_gather whose backward sums the gradients from every rank and returns this rank's part."""

    @staticmethod
    def forward(ctx: Any, z: torch.Tensor) -> tuple[torch.Tensor, ...]:
        import torch.distributed as dist

        out = [torch.zeros_like(z) for _ in range(dist.get_world_size())]
        dist.all_gather(out, z.contiguous())
        return tuple(out)

    @staticmethod
    def backward(ctx: Any, *grads: torch.Tensor) -> torch.Tensor:
        import torch.distributed as dist

        stacked = torch.stack(grads)
        dist.all_reduce(stacked)
        return stacked[dist.get_rank()]


def gather_with_grad(z: torch.Tensor) -> torch.Tensor:
    """Concatenate ``z`` from every DDP rank (rank order), with gradients flowing back to each
    rank's own part. Without an initialized process group it returns ``z``.

    The backward pass all-reduces the gradients, so that after DDP averages the parameter
    gradients they equal the full-batch gradient of the mean loss.
    """
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return z
    return torch.cat(_GatherWithGrad.apply(z))


class NTXentLoss(nn.Module):
    """NT-Xent (normalized temperature-scaled cross entropy) for ``n ≥ 2`` views.

    Every other view of the same sample is a positive, the anchor itself (the diagonal) is never
    in the softmax, and every other embedding in the batch is in its denominator. For ``n > 2``
    this is SupCon's L_out (Khosla et al. 2020, eq. 2) with the sample identity as the label: each
    anchor averages the log-probability of its ``n - 1`` positives. At ``n = 2`` it is exactly
    SimCLR's NT-Xent (Chen et al. 2020, eq. 1), averaged over the ``2B`` anchors.

    Args:
        temperature: τ, the softmax temperature (SimCLR uses 0.5 at batch 256, 0.1 at 4096).
        gather_distributed: under DDP, use the embeddings of every rank as negatives (positives
            stay on the anchor's rank); gradients flow back to each rank's own embeddings.

    Call with a list of ``n`` tensors ``[B, D]``, or one ``[n·B, D]`` tensor in view-major order
    (``torch.cat(views)``) and ``n_views``. Embeddings are L2-normalized inside.

    Example:
        >>> NTXentLoss(0.5)([z1, z2])
    """

    def __init__(self, temperature: float = 0.5, gather_distributed: bool = False) -> None:
        super().__init__()
        self.temperature = _check_temperature(temperature)
        self.gather_distributed = gather_distributed

    @_full_precision
    def forward(self, views: torch.Tensor | Sequence[torch.Tensor], n_views: int | None = None) -> torch.Tensor:
        z, n = _stack_views(views, n_views)
        z = _unit(_float(z))
        batch = z.shape[0] // n
        local = z.shape[0]
        offset = 0
        candidates = z
        if self.gather_distributed:
            import torch.distributed as dist

            candidates = gather_with_grad(z)
            if candidates is not z:
                offset = dist.get_rank() * local
        sim = z @ candidates.T / self.temperature  # [local, all]
        rows = torch.arange(local, device=z.device)
        self_mask = torch.zeros_like(sim, dtype=torch.bool)
        self_mask[rows, rows + offset] = True
        # positives: the same sample (row mod B) in the other views, on this rank
        sample = rows % batch
        cols = torch.arange(candidates.shape[0], device=z.device)
        local_cols = (cols >= offset) & (cols < offset + local)
        pos_mask = local_cols[None, :] & (((cols - offset) % batch)[None, :] == sample[:, None]) & ~self_mask
        log_prob = sim - torch.logsumexp(sim.masked_fill(self_mask, float("-inf")), dim=1, keepdim=True)
        loss = -(log_prob * pos_mask).sum(dim=1) / (n - 1)
        return loss.mean()


class InfoNCELoss(nn.Module):
    """InfoNCE (van den Oord et al. 2018) between queries and keys, with optional MoCo queue and a
    symmetric, CLIP-style mode.

    ``query[i]`` and ``key[i]`` are a positive pair. Negatives are the other keys in the batch
    (``in_batch_negatives=True``) and/or the rows of ``queue`` (MoCo, He et al. 2020: pass the
    queue and ``in_batch_negatives=False`` for MoCo's exact logits ``[l_pos, l_neg]``).
    ``symmetric=True`` averages the query→key and key→query losses, as CLIP does for
    image-to-text and text-to-image (Radford et al. 2021). Inputs are L2-normalized inside.

    Example:
        >>> InfoNCELoss(0.07)(q, k, queue=bank)
    """

    def __init__(self, temperature: float = 0.07, symmetric: bool = False, in_batch_negatives: bool = True) -> None:
        super().__init__()
        self.temperature = _check_temperature(temperature)
        self.symmetric = symmetric
        self.in_batch_negatives = in_batch_negatives

    @_full_precision
    def forward(self, query: torch.Tensor, key: torch.Tensor, queue: torch.Tensor | None = None) -> torch.Tensor:
        if query.ndim != 2 or query.shape != key.shape:
            raise ValueError(f"query and key must both be [B, D], got {tuple(query.shape)} and {tuple(key.shape)}")
        if queue is not None and (queue.ndim != 2 or queue.shape[1] != query.shape[1]):
            raise ValueError(f"queue must be [K, {query.shape[1]}], got {tuple(queue.shape)}")
        if not self.in_batch_negatives and queue is None:
            raise ValueError("in_batch_negatives=False needs a queue of negatives")
        q = _unit(_float(query))
        k = _unit(_float(key))
        bank = None if queue is None else _unit(_float(queue)).detach()
        loss = self._direction(q, k, bank)
        if self.symmetric:
            loss = (loss + self._direction(k, q, None if self.in_batch_negatives else bank)) / 2
        return loss

    def _direction(self, q: torch.Tensor, k: torch.Tensor, bank: torch.Tensor | None) -> torch.Tensor:
        if self.in_batch_negatives:
            logits = q @ k.T
            target = torch.arange(q.shape[0], device=q.device)
        else:
            logits = (q * k).sum(dim=1, keepdim=True)
            target = torch.zeros(q.shape[0], dtype=torch.long, device=q.device)
        if bank is not None:
            logits = torch.cat([logits, q @ bank.T], dim=1)
        return F.cross_entropy(logits / self.temperature, target)


def _pairwise_distance(x: torch.Tensor) -> torch.Tensor:
    sq = (x * x).sum(dim=1)
    d2 = (sq[:, None] + sq[None, :] - 2 * x @ x.T).clamp_min(0)
    # sqrt has an infinite gradient at 0: keep the exact zeros out of it
    zero = d2 == 0
    return torch.sqrt(d2.masked_fill(zero, 1.0)).masked_fill(zero, 0.0)


class TripletLoss(nn.Module):
    """Triplet margin loss ``max(0, d(a, p) - d(a, n) + margin)`` on Euclidean distances.

    Args:
        margin: the margin (FaceNet uses 0.2 on L2-normalized embeddings).
        mining: ``None`` — call with explicit ``(anchor, positive, negative)`` batches;
            ``"hard"`` — batch-hard mining (Hermans et al. 2017): call with ``(embeddings, labels)``;
            each anchor takes its farthest positive and nearest negative;
            ``"semi-hard"`` — FaceNet's semi-hard mining (Schroff et al. 2015): for every
            anchor-positive pair, the nearest negative farther than the positive, or, if none is,
            the farthest negative.
        normalize: L2-normalize embeddings first.

    For views, labels are the sample ids: ``labels = torch.arange(B).repeat(n)`` with
    ``torch.cat(views)``.

    Example:
        >>> TripletLoss(0.2, mining="semi-hard")(torch.cat([z1, z2]), torch.arange(B).repeat(2))
    """

    def __init__(self, margin: float = 0.2, mining: str | None = None, normalize: bool = False) -> None:
        super().__init__()
        margin = _check_margin(margin, low_open=False)
        if mining not in (None, "hard", "semi-hard"):
            raise ValueError(f"mining={mining!r} must be None, 'hard' or 'semi-hard'")
        self.margin, self.mining, self.normalize = float(margin), mining, normalize

    @_full_precision
    def forward(
        self, anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``(anchor, positive, negative)`` without mining; ``(embeddings, labels)`` with mining."""
        if self.mining is None:
            if negative is None or not (anchor.shape == positive.shape == negative.shape) or anchor.ndim != 2:
                raise ValueError("without mining, call with anchor, positive and negative, each [B, D]")
            a, p, n = (self._prep(t) for t in (anchor, positive, negative))
            return F.relu((a - p).norm(dim=1) - (a - n).norm(dim=1) + self.margin).mean()
        embeddings, labels = anchor, positive
        if embeddings.ndim != 2 or labels.ndim != 1 or labels.shape[0] != embeddings.shape[0]:
            raise ValueError(
                f"with mining, call with embeddings [N, D] and labels [N]; got {tuple(embeddings.shape)} "
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
        x = _wide(_float(x))
        return _unit(x) if self.normalize else x


class ContrastiveLoss(nn.Module):
    """Hadsell, Chopra & LeCun (2006) pairwise contrastive loss.

    ``L = ½·[y·d² + (1 − y)·max(0, margin − d)²]`` averaged over pairs, with ``d`` the Euclidean
    distance between ``x1[i]`` and ``x2[i]`` and ``y = 1`` for similar pairs.

    Example:
        >>> ContrastiveLoss(1.0)(z1, z2, same=torch.tensor([1, 0, 1]))
    """

    def __init__(self, margin: float = 1.0) -> None:
        super().__init__()
        self.margin = _check_margin(margin, low_open=True)

    @_full_precision
    def forward(self, x1: torch.Tensor, x2: torch.Tensor, same: torch.Tensor) -> torch.Tensor:
        if x1.shape != x2.shape or x1.ndim != 2 or same.shape != x1.shape[:1]:
            raise ValueError(
                f"x1, x2 must be [B, D] and same [B]; got {tuple(x1.shape)}, {tuple(x2.shape)}, {tuple(same.shape)}"
            )
        a, b = _wide(_float(x1)), _wide(_float(x2))
        d = (a - b).norm(dim=1)
        # where, not y·d² + (1 − y)·…: 0 · inf would give NaN for a far dissimilar pair
        return 0.5 * torch.where(same.bool(), d.pow(2), F.relu(self.margin - d).pow(2)).mean()


class ProjectionHead(nn.Sequential):
    """SimCLR's projection MLP: Linear → BatchNorm → ReLU → Linear (Chen et al. 2020, §2.1;
    batch norm as in SimCLR v2 and its released code).

    Example:
        >>> head = ProjectionHead(512, 2048, 128)
    """

    def __init__(self, in_dim: int, hidden_dim: int = 2048, out_dim: int = 128, batch_norm: bool = True) -> None:
        layers: list[nn.Module] = [nn.Linear(in_dim, hidden_dim, bias=not batch_norm)]
        if batch_norm:
            layers.append(nn.BatchNorm1d(hidden_dim))
        layers += [nn.ReLU(inplace=True), nn.Linear(hidden_dim, out_dim)]
        super().__init__(*layers)
