"""One rank of a torch.distributed (gloo) run: the views this rank's DistributedSampler shard gets,
gathered on rank 0 and written as JSON. Run by tests/test_ddp.py, two processes at once."""

from __future__ import annotations

import hashlib
import json
import sys

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, DistributedSampler

import augkit
from augkit.datasets import ViewCollate, ViewDataset


def photos(n: int) -> list[tuple[np.ndarray, int]]:
    return [(np.random.default_rng(i).integers(0, 256, (24, 28, 3), dtype=np.uint8), i) for i in range(n)]


def digest(view: torch.Tensor) -> str:
    return hashlib.sha256(view.contiguous().numpy().tobytes()).hexdigest()[:16]


def main() -> None:
    rank, world, port, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    ds = ViewDataset(photos(n), augkit.image.simclr(size=16, seed=3, output="uint8"))
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=5)
    loader = DataLoader(ds, batch_size=3, sampler=sampler, num_workers=1, persistent_workers=True,
                        collate_fn=ViewCollate())
    seen: dict[str, list[list[str]]] = {}
    for epoch in (0, 1):
        sampler.set_epoch(epoch)
        ds.set_epoch(epoch)
        rows = []
        for views, labels in loader:
            for b, index in enumerate(labels.tolist()):
                rows.append([index, [digest(v[b]) for v in views]])
        gathered: list[object] = [None] * world
        dist.all_gather_object(gathered, rows)
        seen[str(epoch)] = [row for part in gathered for row in part]  # type: ignore[union-attr]
    if rank == 0:
        with open(out, "w") as f:
            json.dump(seen, f)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
