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
from augkit.core.errors import InvalidArgument, InvalidInput, MissingFile
from augkit.generate.fields import decode_views
from augkit.generate.layout import KEY_DIGITS, MANIFEST, read_inside, whole_number
from augkit.generate.sources import printable
from augkit.views import config

__all__ = ["PairDataset", "ShardError", "read_samples", "view_extensions", "worker_rank"]

# what damaged bytes raise in the tar reader, json, the decoders and the output step
_DAMAGE = (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, ZeroDivisionError, OSError,
           EOFError, tarfile.TarError)
_AGAIN = "run the same augkit generate command again: it verifies every shard and rebuilds the bad ones"


class ShardError(InvalidInput):
    """A :class:`PairDataset` folder's manifest or one of its shards is missing, damaged, short,
    foreign (another shard's samples), or not a regular file inside the folder; the message names
    it and says what to do."""

ShardError.__module__ = "augkit.generate"  # its public home, in messages and tracebacks


class _SharedEpoch:
    """An epoch number every DataLoader worker reads live, persistent workers included: it lives in
    shared memory, which forked and spawned workers alike map rather than copy."""

    def __init__(self, epoch: int) -> None:
        self.value = torch.zeros(1, dtype=torch.int64).share_memory_()
        self.set(epoch)

    def get(self) -> int:
        return int(self.value[0])

    def set(self, epoch: int) -> None:
        epoch = whole_number(epoch, "epoch", 0)
        if epoch >= 2**63:
            raise InvalidArgument(f"epoch={epoch} must be below 2**63")
        self.value[0] = epoch


class PairDataset(torch.utils.data.IterableDataset[Any]):
    """The views :func:`write_pairs` stored, as ``(views, label)`` items ready for ``collate_views``.

    Views are decoded and the generator's output step is applied, so a stored view equals the
    live one up to its encoding (exact for text, WAV, PNG and npy; within JPEG's error for
    JPEG). Shards are split over DataLoader workers and DDP ranks (each reads whole shards: give a
    dataset at least ``workers × ranks`` shards so that none idles).

    Call :meth:`set_epoch` before each epoch (before ``iter(loader)``): the epoch lives in shared
    memory, so it reaches every DataLoader worker, ``persistent_workers=True`` included.

    What is checked, always (it costs nothing): the manifest's form; that each shard is a regular
    file inside ``root`` (opened without following a link, never blocking on a FIFO or a device,
    checked on the open file); that its samples are those of its index range, in order, each with
    its record and views; and that it holds as many samples as the manifest lists (a shard cut
    short is an error, not a shorter epoch). With ``verify``, each shard's sha256 too.

    Args:
        root: the output folder of a finished job (it holds ``manifest.json``).
        epoch: the epoch whose views are read; epoch ``e`` reads the shard set ``e % epochs``.
        verify: check each shard's sha256 before reading it.
        with_params: yield ``(views, label, params)``.

    Raises:
        FileNotFoundError: when ``root`` holds no manifest (the job did not finish: run it again).
        ShardError: (an :class:`~augkit.core.errors.InvalidInput`) for a damaged manifest, one
            naming a shard outside ``root``, and, while reading, a shard that is missing, not a
            regular file inside ``root``, damaged, short or foreign, or (with ``verify``) whose
            hash does not match; the message names the shard.

    Example:
        >>> ds = PairDataset("out/pairs")
        >>> loader = DataLoader(ds, batch_size=256, num_workers=8, persistent_workers=True, collate_fn=collate_views)
        >>> for epoch in range(100):
        ...     ds.set_epoch(epoch)
        ...     for views, labels in loader: ...
    """

    def __init__(self, root: str | Path, epoch: int = 0, verify: bool = False, with_params: bool = False) -> None:
        self.root = Path(root)
        self.manifest = _read_manifest(self.root)
        where = printable(str(self.root / MANIFEST))
        try:
            self.views = config.load(self.manifest["spec"])
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            raise ShardError(f"{where} holds a spec that cannot be loaded ({printable(str(exc))[:200]}); {_AGAIN}") \
                from None
        self.modality: str = self.manifest["modality"]
        self.epochs = int(self.manifest["epochs"])
        self.classes: list[str] = list(self.manifest.get("classes", []))
        self.verify, self.with_params = verify, with_params
        self._epoch = _SharedEpoch(epoch)

    @property
    def epoch(self) -> int:
        """The epoch whose views come next."""
        return self._epoch.get()

    def set_epoch(self, epoch: int) -> None:
        """Read ``epoch``'s views next (shard set ``epoch % epochs``), in this process and in every
        DataLoader worker.

        Raises:
            InvalidArgument: for an epoch that is not an integer in ``[0, 2**63)``.
        """
        self._epoch.set(epoch)

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
        for entry in shards[rank * nw + wid :: world * nw]:
            yield from self._read_shard(entry)

    def _read_shard(self, entry: dict[str, Any]) -> Iterator[Any]:
        name = printable(str(self.root / entry["shard"]))
        try:
            data = read_inside(self.root, entry["shard"])
        except FileNotFoundError:
            raise ShardError(f"{name} is missing; {_AGAIN}") from None
        except OSError as exc:
            raise ShardError(f"{name} cannot be read: {printable(exc.strerror or str(exc))}; PairDataset reads only "
                             f"regular files inside {printable(str(self.root))} (no links); {_AGAIN}") from None
        if self.verify and hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ShardError(f"{name} does not match its sha256 in the manifest; {_AGAIN}")
        start, stop = entry["indices"]
        samples = read_samples(data)
        count, last = 0, start - 1
        while True:
            try:
                found = next(samples, None)
                if found is None:
                    break
                key, record, members = found
                index = record["index"] if isinstance(record, dict) else None
                if isinstance(index, bool) or not isinstance(index, int) or not start <= index < stop or index <= last:
                    raise ShardError(f"{name} holds the sample with index {printable(repr(index))[:40]}, outside its "
                                     f"range [{start}, {stop}) or out of order: it is not this shard (a copy of "
                                     f"another?); {_AGAIN}")
                if key != f"{index:0{KEY_DIGITS}d}" or record.get("epoch", entry["epoch"]) != entry["epoch"]:
                    raise ShardError(f"{name}: the sample keyed {printable(key)[:40]} is not sample {index} of epoch "
                                     f"{entry['epoch']}; {_AGAIN}")
                item = self._decode(record, members)
            except ShardError:
                raise
            except _DAMAGE as exc:
                raise ShardError(f"{name} is damaged ({type(exc).__name__}: {printable(str(exc))[:200]}); "
                                 f"{_AGAIN}") from None
            count, last = count + 1, index
            yield item
        if count != entry["count"]:
            raise ShardError(f"{name} holds {count} samples where the manifest lists {entry['count']}: it was cut "
                             f"short or replaced; {_AGAIN}")

    def _decode(self, record: dict[str, Any], members: dict[str, bytes]) -> Any:
        if "fields" in self.manifest:
            views = [self.views.output_view(v) for v in decode_views(self.views, members, record.get("passed", {}))]
        else:
            form = modalities.get(self.modality)
            views = [form.decode(members[f"view{k}.{ext}"], ext)
                     for k, ext in enumerate(view_extensions(members, self.views.n_views))]
            if self.views.output is not None:
                views = [self.views.output(v) for v in views]
            views = [_with_stored_fields(self.modality, k, v, members) for k, v in enumerate(views)]
        label = record.get("label")
        return (views, label, record["params"]) if self.with_params else (views, label)


def _read_manifest(root: Path) -> dict[str, Any]:
    """The manifest of ``root``, its form checked (a damaged one is a :class:`ShardError`)."""
    where = printable(str(root / MANIFEST))
    try:
        data = read_inside(root, MANIFEST)
    except FileNotFoundError:
        raise MissingFile(f"{printable(str(root))} holds no {MANIFEST}: it is not a finished augkit dataset (run the "
                          "same augkit generate command again to finish it)") from None
    except OSError as exc:
        raise ShardError(f"{where} cannot be read: {printable(exc.strerror or str(exc))}; {_AGAIN}") from None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise ShardError(f"{where} is not valid JSON ({type(exc).__name__}); {_AGAIN}") from None

    def need(ok: bool, what: str) -> None:
        if not ok:
            raise ShardError(f"{where} is damaged: {what}; {_AGAIN}")

    need(isinstance(manifest, dict), "it is not a JSON object")
    epochs = manifest.get("epochs")
    need(_whole(epochs, 1), "its epochs is not an integer >= 1")
    need(isinstance(manifest.get("modality"), str), "its modality is not a name")
    need(isinstance(manifest.get("spec"), dict), "it holds no spec")
    need(isinstance(manifest.get("classes", []), list), "its classes is not a list")
    shards = manifest.get("shards")
    need(isinstance(shards, list), "it holds no list of shards")
    for k, entry in enumerate(shards):
        need(isinstance(entry, dict) and isinstance(entry.get("shard"), str) and isinstance(entry.get("sha256"), str)
             and _whole(entry.get("epoch"), 0) and entry["epoch"] < epochs and _whole(entry.get("count"), 0)
             and isinstance(entry.get("indices"), list) and len(entry["indices"]) == 2
             and all(_whole(i, 0) for i in entry["indices"]) and entry["indices"][0] <= entry["indices"][1]
             and entry["count"] <= entry["indices"][1] - entry["indices"][0],
             f"shard entry {k} is not a shard, epoch, count, index range and sha256")
        rel = Path(entry["shard"])
        if rel.is_absolute() or ".." in rel.parts:
            raise ShardError(f"{where} names the shard {printable(repr(entry['shard']))[:200]} outside "
                             f"{printable(str(root))}; refusing it")
    return manifest


def _whole(value: Any, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def worker_rank() -> tuple[int, int]:
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _with_stored_fields(modality: str, k: int, view: Any, members: Mapping[str, bytes]) -> Any:
    """View ``k``, with the extra fields stored beside it (``view{k}.{field}.npy``, a patch mask) as
    the generator gave it: ``{modality: view, field: value}``."""
    fields = {m.split(".")[1]: m for m in members if m.startswith(f"view{k}.") and m.count(".") == 2}
    if not fields:
        return view
    return {modality: view, **{f: modalities.ANY.decode(members[m], "npy") for f, m in fields.items()}}


def view_extensions(members: Mapping[str, bytes], n_views: int) -> list[str]:
    exts = []
    for k in range(n_views):
        names = [m for m in members if m.startswith(f"view{k}.") and "." not in m[len(f"view{k}."):]]
        if len(names) != 1:
            raise InvalidInput(f"a stored sample holds {len(names)} members for view {k}; the shard is damaged")
        exts.append(names[0].split(".", 1)[1])
    return exts


def read_samples(data: bytes) -> Iterator[tuple[str, Any, dict[str, bytes]]]:
    """``(key, record, {suffix: bytes})`` per sample of a shard, in order (members grouped by key).

    Raises:
        InvalidInput: for a member that is not a regular file or has no ``KEY.suffix`` name, or a
            sample without its record; tarfile's and json's errors for damaged bytes.
    """
    key: str | None = None
    members: dict[str, bytes] = {}

    def record() -> Any:
        if "json" not in members:
            raise InvalidInput(f"the sample keyed {printable(str(key))[:40]} has no record (KEY.json)")
        return json.loads(members.pop("json"))

    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        for info in tar:
            if not info.isreg():
                raise InvalidInput(f"the member {printable(info.name)[:80]} is not a regular file")
            k, dot, suffix = info.name.partition(".")
            if not dot:
                raise InvalidInput(f"the member {printable(info.name)[:80]} has no KEY.suffix name")
            if key is not None and k != key:
                yield key, record(), members
                members = {}
            key = k
            fh = tar.extractfile(info)
            members[suffix] = fh.read() if fh is not None else b""
    if key is not None:
        yield key, record(), members
