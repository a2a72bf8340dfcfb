"""NT-Xent (SimCLR's loss, for any number of views) and InfoNCE (a query, its key, and negatives
from the batch or a queue)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from augkit.core.errors import InvalidArgument, InvalidInput
from augkit.losses.distributed import gather_with_grad
from augkit.losses.gate import Loss, Role, check_temperature, checked_forward, stack_views

__all__ = ["InfoNCELoss", "NTXentLoss"]


class NTXentLoss(Loss):
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

    Call with a list of ``n`` float tensors ``[B, D]``, or one ``[n·B, D]`` tensor in view-major
    order (``torch.cat(views)``) and ``n_views`` (an int). Embeddings are L2-normalized inside. The
    loss is float64 for float64 embeddings, float32 otherwise (see the module's docstring).

    Raises:
        WrongInputType: a view is not a float tensor (a list, an integer tensor: pass ``z.float()``).
        InvalidInput: views of different shapes, fewer than 2 views, an empty batch.
        WrongArgumentType: ``n_views`` is not an int; ``temperature`` is not a number.
        InvalidArgument: ``n_views`` does not match the views; ``temperature`` below ``MIN_TEMPERATURE``.

    Example:
        >>> NTXentLoss(0.5)([z1, z2])
    """

    def __init__(self, temperature: float = 0.5, gather_distributed: bool = False) -> None:
        super().__init__()
        self.temperature = check_temperature(temperature)
        self.gather_distributed = gather_distributed

    def _roles(self) -> dict[str, tuple[str, Role]]:
        return {"views": ("views", "views")}

    def _unit_gradient(self) -> float:
        # per anchor, the gradient with respect to its own unit row is at most 2/t, and the other
        # anchors add at most 1/t between them (their softmax weights on it sum to at most the
        # number of anchors, averaged away); gathered, every rank's anchors add theirs
        import torch.distributed as dist

        gathered = self.gather_distributed and dist.is_available() and dist.is_initialized()
        return 3 / self.temperature * (dist.get_world_size() if gathered else 1)

    @checked_forward
    def forward(self, views: torch.Tensor | Sequence[torch.Tensor], n_views: int | None = None) -> torch.Tensor:
        z, n = stack_views(views, n_views)
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


class InfoNCELoss(Loss):
    """InfoNCE (van den Oord et al. 2018) between queries and keys, with optional MoCo queue and a
    symmetric, CLIP-style mode.

    ``query[i]`` and ``key[i]`` are a positive pair. Negatives are the other keys in the batch
    (``in_batch_negatives=True``) and/or the rows of ``queue`` (MoCo, He et al. 2020: pass the
    queue and ``in_batch_negatives=False`` for MoCo's exact logits ``[l_pos, l_neg]``).
    ``symmetric=True`` averages the query→key and key→query losses, as CLIP does for
    image-to-text and text-to-image (Radford et al. 2021). Inputs are float tensors, L2-normalized
    inside; the loss is float64 for float64 inputs, float32 otherwise (see the module's docstring).

    Raises:
        WrongInputType: ``query``, ``key`` or ``queue`` is not a float tensor (pass ``z.float()``).
        InvalidInput: shapes that do not match, an empty batch, an empty ``queue`` (pass ``None``).
        InvalidArgument: ``in_batch_negatives=False`` without a queue; ``temperature`` out of range.

    Example:
        >>> InfoNCELoss(0.07)(q, k, queue=bank)
    """

    def __init__(self, temperature: float = 0.07, symmetric: bool = False, in_batch_negatives: bool = True) -> None:
        super().__init__()
        self.temperature = check_temperature(temperature)
        self.symmetric = symmetric
        self.in_batch_negatives = in_batch_negatives

    def _roles(self) -> dict[str, tuple[str, Role]]:
        return {"query": ("query", "embeddings"), "key": ("key", "embeddings"), "queue": ("queue", "queue")}

    def _unit_gradient(self) -> float:
        # the cross entropy over logits u·v / t, averaged over the batch, has a gradient of at most
        # 2/t with respect to one unit row (a key: its query's pull and every query's softmax weight
        # on it); the symmetric mode averages two such losses
        return 3 / self.temperature

    @checked_forward
    def forward(self, query: torch.Tensor, key: torch.Tensor, queue: torch.Tensor | None = None) -> torch.Tensor:
        if query.shape != key.shape:
            raise InvalidInput(f"InfoNCELoss: query and key must both be [B, D], got {tuple(query.shape)} and "
                               f"{tuple(key.shape)}")
        if queue is not None and queue.shape[1] != query.shape[1]:
            raise InvalidInput(f"InfoNCELoss: queue must be [K, {query.shape[1]}], got {tuple(queue.shape)}")
        if not self.in_batch_negatives and queue is None:
            raise InvalidArgument("InfoNCELoss: in_batch_negatives=False needs a queue of negatives (pass queue=)")
        q, k = query, key
        bank = None if queue is None else queue.detach()
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
