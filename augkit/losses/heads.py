"""The projection head SimCLR puts between the encoder and the loss."""

from __future__ import annotations

from torch import nn

__all__ = ["ProjectionHead"]


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
