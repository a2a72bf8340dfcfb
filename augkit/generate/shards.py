"""One shard of a generate job: its samples' views written as a WebDataset-compatible tar, fsynced
and renamed, then its json done-marker, which names the shard file, its epoch and index range, the
job that made it, its count and failures (together: every sample of the range) and the tar's sha256,
all checked before a rerun keeps it (:mod:`augkit.generate.resume`)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from augkit.core import modalities
from augkit.core.errors import InvalidInput
from augkit.generate.fields import encode_views
from augkit.generate.layout import KEY_DIGITS, GenerateError, canonical_json, versions, write_atomic
from augkit.generate.sources import Item, file_kind, printable
from augkit.views.generator import ViewGenerator
from augkit.views.records import split_fields

__all__ = ["JobPartners", "ShardJob", "SingleThreaded", "add_member", "make_shard", "source_name"]


@dataclass
class ShardJob:
    out: str
    rel: str
    epoch: int
    shard: int
    items: list[Item]
    views: ViewGenerator
    modality: str
    format: str
    context: dict[str, Any]
    job_sha256: str
    spec_sha256: str
    strict: bool
    #: for dict samples: what the workers index (a manifest loads its files there), and each field's
    #: storage format and encoding context
    dataset: Any = None
    field_formats: dict[str, str] | None = None
    field_context: dict[str, dict[str, Any]] | None = None
    #: for generators that mix: every sample of the job by index (:class:`JobPartners`)
    partners: Any = None


class JobPartners:
    """A job's samples by index, loaded the way its shards load them: where mixing ops draw their
    partners. A shard's bytes then depend on samples outside its own index range; they are still a
    pure function of the inputs, the spec and the seed."""

    def __init__(self, items: list[Item], modality: str, context: dict[str, Any], dataset: Any = None) -> None:
        self.items, self.modality, self.context, self.dataset = items, modality, context, dataset

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, j: int) -> Any:
        item = self.items[j]
        if item.problem is not None:
            raise InvalidInput(f"mixing partner {j}: {item.problem}")
        if self.dataset is not None:
            return self.dataset[item.index]
        if item.path is not None:
            return modalities.get(self.modality).load(item.path, **self.context)
        return item.value


def add_member(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


class SingleThreaded:
    """torch, and the libraries of each modality of the job (its descriptor's ``single_threaded``:
    OpenCV for images), on one thread while shards are made: bytes must not depend on threads."""

    def __init__(self, descriptors: Sequence[Any]) -> None:
        self.descriptors = descriptors

    def __enter__(self) -> SingleThreaded:
        self.torch = torch.get_num_threads()
        torch.set_num_threads(1)
        self.scope = contextlib.ExitStack()
        for descriptor in self.descriptors:
            limit = getattr(descriptor, "single_threaded", None)
            if limit is not None:
                self.scope.enter_context(limit())
        return self

    def __exit__(self, *exc: Any) -> None:
        self.scope.close()
        torch.set_num_threads(self.torch)


def make_shard(job: ShardJob) -> dict[str, Any]:
    """Write one shard and its json; returns the json's content."""
    form = modalities.get(job.modality) if job.field_formats is None else modalities.ANY
    used = [form] if job.field_formats is None else \
        [modalities.get(m) for m in dict.fromkeys(job.views.field_modalities.values()) if m]
    buf = io.BytesIO()
    failures: list[dict[str, Any]] = []
    count = 0
    with SingleThreaded(used), tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for item in job.items:
            key = f"{item.index:0{KEY_DIGITS}d}"
            try:
                if item.problem is not None:  # an entry that cannot be a sample (a FIFO, a dangling link): never opened
                    raise InvalidInput(item.problem)
                passed: dict[str, Any] | None = None
                if job.field_formats is not None:  # dict samples: a member per field of each view
                    x = item.value if job.dataset is None else job.dataset[item.index]
                    made = job.views.generate(x, item.index, job.epoch, with_output=False, source=job.partners)
                    encoded, passed = encode_views(job.views, made.items, job.field_formats, job.field_context or {})
                    members = [(f"{key}.{name}", data) for name, data in encoded]
                else:
                    if item.path is not None:
                        _still_a_regular_file(item.path)
                    x = item.value if item.path is None else form.load(item.path, **job.context)
                    made = job.views.generate(x, item.index, job.epoch, with_output=False, source=job.partners)
                    members = []
                    for k, made_view in enumerate(made.items):
                        view, extra = split_fields(job.views, made_view)  # a patch mask beside its view: .npy
                        data, ext = form.encode(view, job.format, **job.context)
                        members.append((f"{key}.view{k}.{ext}", data))
                        members += [(f"{key}.view{k}.{name}.npy", modalities.ANY.encode(value, "npy")[0])
                                    for name, value in extra.items()]
                record: dict[str, Any] = {"key": key, "index": item.index, "epoch": job.epoch,
                                          "source": item.source, "params": made.params}
                if item.label is not None:
                    record.update(label=item.label, label_name=item.label_name)
                if passed is not None:
                    record["passed"] = passed
                encoded_record = canonical_json(record)  # text that cannot be stored fails here, recorded
            except Exception as exc:  # every input failure is recorded, none is dropped
                # as JSON-safe text: a message may quote undecodable bytes
                reason = f"{type(exc).__name__}: {exc}".encode("utf-8", "backslashreplace").decode("utf-8")
                if job.strict:
                    raise GenerateError(f"sample {item.index} ({printable(source_name(item.source))}) failed: "
                                        f"{printable(reason)}; without strict (--strict) it is recorded and "
                                        "skipped") from None
                failures.append({"index": item.index, "source": item.source, "reason": reason})
                continue
            for name, data in members:
                add_member(tar, name, data)
            add_member(tar, f"{key}.json", encoded_record)
            count += 1
    data = buf.getvalue()
    start = job.items[0].index if job.items else 0
    meta = {"shard": job.rel, "epoch": job.epoch, "sha256": hashlib.sha256(data).hexdigest(), "count": count,
            "indices": [start, start + len(job.items)], "seed": job.views.seed, "spec_sha256": job.spec_sha256,
            "job_sha256": job.job_sha256,
            "failures": failures, "versions": versions(used)}
    path = Path(job.out) / job.rel
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    write_atomic(path.with_suffix(".json"), canonical_json(meta))
    return meta


def _still_a_regular_file(path: str) -> None:
    """Refuse a file that became a FIFO, a device or a link to one after the source was listed
    (loading it would hang or never end)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # the loader names a missing file
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"{path} is now a {file_kind(mode)}, not a regular file")


def source_name(source: Any) -> str:
    """Where a sample came from, in words: ``a.jpg``, ``notes.txt, item 3``, ``rows.jsonl, line 2``, ``item 5``."""
    if isinstance(source, Mapping):
        parts = [str(source["path"])] if "path" in source else []
        return ", ".join(parts + [f"{k} {v}" for k, v in source.items() if k != "path"])
    return str(source)
