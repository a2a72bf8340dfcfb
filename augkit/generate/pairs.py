"""Reading generated shards back for training: :class:`PairDataset`."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import torch

from augkit.core import modalities
from augkit.core.errors import InvalidInput, MissingFile
from augkit.generate.fields import decode_views
from augkit.generate.layout import MANIFEST, whole_number
from augkit.views import config

__all__ = ["PairDataset", "read_samples", "view_extensions", "worker_rank"]


class PairDataset(torch.utils.data.IterableDataset[Any]):
    """The views :func:`write_pairs` stored, as ``(views, label)`` items ready for ``collate_views``.

    Views are decoded and the generator's output step is applied, so a stored view equals the
    live one up to its encoding (exact for text, WAV, PNG and npy; within JPEG's error for
    JPEG). Shards are split over DataLoader workers and DDP ranks (each reads whole shards: give a
    dataset at least ``workers × ranks`` shards so that none idles).

    Args:
        root: the output folder of a finished job (it holds ``manifest.json``).
        epoch: the epoch whose views are read; epoch ``e`` reads the shard set ``e % epochs``.
        verify: check each shard's sha256 before reading it.
        with_params: yield ``(views, label, params)``.

    Raises:
        FileNotFoundError: when ``root`` holds no manifest (the job did not finish: run it again).
        InvalidInput: for a manifest naming a shard outside ``root`` (absolute or with ``..``), or,
            with ``verify``, a shard whose hash does not match.
    """

    def __init__(self, root: str | Path, epoch: int = 0, verify: bool = False, with_params: bool = False) -> None:
        self.root = Path(root)
        path = self.root / MANIFEST
        if not path.is_file():
            raise MissingFile(f"{self.root} holds no {MANIFEST}: it is not a finished augkit dataset "
                                    "(run the same augkit generate command again to finish it)")
        self.manifest = json.loads(path.read_text(encoding="utf-8"))
        for entry in self.manifest["shards"]:
            rel = Path(entry["shard"])
            if rel.is_absolute() or ".." in rel.parts:
                raise InvalidInput(f"{path} names the shard {entry['shard']!r} outside {self.root}; refusing it")
        self.views = config.load(self.manifest["spec"])
        self.modality = self.manifest["modality"]
        self.epochs = int(self.manifest["epochs"])
        self.classes: list[str] = list(self.manifest.get("classes", []))
        self.verify, self.with_params = verify, with_params
        self.epoch = 0
        self.set_epoch(epoch)

    def set_epoch(self, epoch: int) -> None:
        """Read ``epoch``'s views next (shard set ``epoch % epochs``)."""
        self.epoch = whole_number(epoch, "epoch", 0)

    def shards(self) -> list[dict[str, Any]]:
        """The manifest entries of the current epoch's shards."""
        stored = self.epoch % self.epochs
        return [s for s in self.manifest["shards"] if s["epoch"] == stored]

    def __len__(self) -> int:
        return sum(s["count"] for s in self.shards())

    def __iter__(self) -> Iterator[Any]:
        shards = self.shards()
        rank, world = worker_rank()
        info = torch.utils.data.get_worker_info()
        wid, nw = (0, 1) if info is None else (info.id, info.num_workers)
        fields = "fields" in self.manifest
        form = modalities.get(self.modality) if not fields else modalities.ANY
        output = self.views.output
        for entry in shards[rank * nw + wid :: world * nw]:
            data = (self.root / entry["shard"]).read_bytes()
            if self.verify and hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise InvalidInput(f"{self.root / entry['shard']} does not match its sha256 in the manifest; "
                                   "run augkit generate again to rebuild it")
            for record, members in read_samples(data):
                if fields:
                    views = [self.views.output_view(v)
                             for v in decode_views(self.views, members, record.get("passed", {}))]
                else:
                    views = [form.decode(members[f"view{k}.{ext}"], ext)
                             for k, ext in enumerate(view_extensions(members, self.views.n_views))]
                    if output is not None:
                        views = [output(v) for v in views]
                label = record.get("label")
                yield (views, label, record["params"]) if self.with_params else (views, label)


def worker_rank() -> tuple[int, int]:
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def view_extensions(members: Mapping[str, bytes], n_views: int) -> list[str]:
    exts = []
    for k in range(n_views):
        names = [m for m in members if m.startswith(f"view{k}.")]
        if len(names) != 1:
            raise InvalidInput(f"a stored sample holds {len(names)} members for view {k}; the shard is damaged")
        exts.append(names[0].split(".", 1)[1])
    return exts


def read_samples(data: bytes) -> Iterator[tuple[dict[str, Any], dict[str, bytes]]]:
    """``(record, {suffix: bytes})`` per sample of a shard, in order (members grouped by key)."""
    key, members = None, {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        for info in tar:
            fh = tar.extractfile(info)
            if fh is None:
                continue
            k, suffix = info.name.split(".", 1)
            if key is not None and k != key:
                yield json.loads(members.pop("json")), members
                members = {}
            key = k
            members[suffix] = fh.read()
    if key is not None:
        yield json.loads(members.pop("json")), members
