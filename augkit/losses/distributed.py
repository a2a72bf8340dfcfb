"""Gathering embeddings across DDP ranks with gradients flowing back to each rank's part."""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["gather_with_grad"]


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
