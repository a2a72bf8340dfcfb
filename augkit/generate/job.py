"""Write n-view datasets to disk and read them back.

:func:`write_pairs` stores ``n_views`` views of every sample of a source (a folder of images or
audio files, a text file, or samples in memory) as WebDataset-compatible tar shards, for one or
more epochs, and :class:`PairDataset` reads them back for training.

The layout of an output folder::

    augkit-job.json            what the job is (spec, seed, views, epochs, shard size, versions)
    pairs-000000.tar           KEY.view0.jpg, KEY.view1.jpg, ..., KEY.json per sample (KEY: 00000000)
    pairs-000000.json          the shard's sha256, count and index range: its done-marker
    ...
    manifest.json              every shard, every failed input with its reason, the counts

(with ``epochs > 1`` each epoch's shards lie in ``epoch-000/``, ``epoch-001/``, ...).

The guarantees:

- **deterministic**: a shard's bytes are a function of (inputs, spec, seed, index range) only,
  the same with any number of workers or on Ray (tar mtimes, owners and member order are fixed;
  torch and OpenCV run single-threaded while a shard is made);
- **crash-safe**: a shard is written to a temporary name, fsynced and renamed, then its json;
- **resumable**: running the same job again keeps the complete shards whose hashes verify,
  rebuilds partial or corrupt ones and removes leftovers; a different job into the same folder is
  refused unless ``overwrite=True``;
- **nothing dropped silently**: an input that cannot be read or augmented is listed with its
  reason under the manifest's ``failures`` (``strict=True`` stops the job instead).

Example:
    >>> summary = write_pairs("data/images", "out/pairs", views=augkit.image.simclr(96, seed=0))
    >>> ds = PairDataset("out/pairs")           # (views, label) items, output step applied
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import tarfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from augkit.core import RECORD_FORMAT, modalities
from augkit.core.errors import AugkitError, InvalidArgument, InvalidInput, MissingFile, WrongArgumentType
from augkit.generate.fields import decode_views, encode_views, field_formats, field_source
from augkit.views import config
from augkit.views.fields import field_context
from augkit.views.generator import ViewGenerator

__all__ = ["JOB_FILE", "MANIFEST", "GenerateError", "PairDataset", "Summary", "write_pairs"]

JOB_FILE = "augkit-job.json"
MANIFEST = "manifest.json"
PREFIX = "pairs"
KEY_DIGITS = 8
DATASET_FORMAT = 1
ENGINES = ("local", "ray")


class GenerateError(AugkitError, RuntimeError):
    """The job cannot go on (an unwritable folder, a full disk, a different job in the folder,
    an input that failed under ``strict``); the message says what to do. Complete shards stay."""


# -- what to write -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One sample of the source: a file to load, or a value; where it came from; its label."""

    index: int
    source: Any  # JSON-safe: a path, or {"path": ..., "item": k}, or {"item": k}
    path: str | None = None
    value: Any = None
    label: int | None = None
    label_name: str | None = None


def _list_source(source: Any, modality: str) -> tuple[list[_Item], str, list[str]]:
    """The samples of ``source`` in a fixed order, their modality and the class names."""
    if isinstance(source, (str, Path)):
        paths = [Path(source)]
    elif isinstance(source, Sequence) and source and all(isinstance(s, (str, Path)) for s in source):
        paths = [Path(s) for s in source]
    elif hasattr(source, "__len__") and hasattr(source, "__getitem__") and not isinstance(source, (bytes, str)):
        if not modality:
            raise InvalidArgument("samples in memory need a generator of one modality (or modality=...)")
        return [_Item(i, {"item": i}, value=source[i]) for i in range(len(source))], modality, []
    else:
        raise WrongArgumentType(f"source must be a path, a list of paths or a list of samples, got "
                                f"{type(source).__name__}")
    found: list[tuple[Any, str | None, Any, str | None]] = []  # (source, path, value, class)
    kinds: dict[str, int] = {}
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            before = len(found)
            for f in files:
                m = modalities.for_path(f)
                if m is None or (modality and m.name != modality):
                    continue  # not a sample of this dataset (a README, a file of another modality)
                kinds[m.name] = kinds.get(m.name, 0) + 1
                rel = f.relative_to(path)
                found.append((str(f), str(f), None, rel.parts[0] if len(rel.parts) > 1 else None))
            if len(found) == before:
                known = ", ".join(sorted({e for n in modalities.names() for e in modalities.get(n).extensions}))
                raise InvalidInput(f"{path} holds no {modality or 'sample'} files ({known})")
        elif path.is_file():
            m = modalities.for_path(path)
            if m is None:
                known = ", ".join(sorted({e for n in modalities.names() for e in modalities.get(n).extensions}))
                raise InvalidInput(f"{path}: no modality reads {path.suffix or 'files without a suffix'}; "
                                   f"known: {known}")
            if modality and m.name != modality:
                raise InvalidInput(f"{path} holds {m.name}, but the generator takes {modality}")
            kinds[m.name] = kinds.get(m.name, 0) + 1
            if isinstance(m, modalities.BaseModality) and type(m).read is modalities.BaseModality.read:
                found.append((str(path), str(path), None, None))  # one sample: loaded by the worker
            else:
                found += [({"path": str(path), "item": k}, None, v, None) for k, v in enumerate(m.read(path))]
        else:
            raise MissingFile(f"source {path} does not exist (a list of str is read as paths: write texts "
                                    "held in memory to a file, one per line)")
    if len(kinds) > 1:
        counts = ", ".join(f"{n} {name}" for name, n in sorted(kinds.items()))
        raise InvalidInput(f"the source mixes modalities ({counts}); give a generator of one modality or "
                           "pass modality=")
    chosen = modality or next(iter(kinds), "")
    classes = sorted({c for *_, c in found if c is not None})
    items = [_Item(i, src, path=p, value=v, label=None if c is None else classes.index(c), label_name=c)
             for i, (src, p, v, c) in enumerate(found)]
    return items, chosen, classes


# -- one shard ---------------------------------------------------------------------------------


@dataclass
class _ShardJob:
    out: str
    rel: str
    epoch: int
    shard: int
    items: list[_Item]
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


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    from augkit.core.version import __version__

    found = {"augkit": __version__}
    for name in ("numpy", "torch", "albumentations"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` under a temporary name, fsync it, rename it to ``path``, fsync the folder."""
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Threads:
    """torch and OpenCV single-threaded while shards are made (bytes must not depend on threads)."""

    def __enter__(self) -> _Threads:
        import cv2

        self.torch, self.cv2 = torch.get_num_threads(), cv2.getNumThreads()
        torch.set_num_threads(1)
        cv2.setNumThreads(1)
        return self

    def __exit__(self, *exc: Any) -> None:
        import cv2

        torch.set_num_threads(self.torch)
        cv2.setNumThreads(self.cv2)


def _make_shard(job: _ShardJob) -> dict[str, Any]:
    """Write one shard and its json; returns the json's content."""
    form = modalities.get(job.modality) if job.field_formats is None else modalities.ANY
    buf = io.BytesIO()
    failures: list[dict[str, Any]] = []
    count = 0
    with _Threads(), tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for item in job.items:
            key = f"{item.index:0{KEY_DIGITS}d}"
            try:
                passed: dict[str, Any] | None = None
                if job.field_formats is not None:  # dict samples: a member per field of each view
                    x = item.value if job.dataset is None else job.dataset[item.index]
                    made = job.views.generate(x, index=item.index, epoch=job.epoch, with_output=False)
                    encoded, passed = encode_views(job.views, made.items, job.field_formats, job.field_context or {})
                    members = [(f"{key}.{name}", data) for name, data in encoded]
                else:
                    x = item.value if item.path is None else form.load(item.path, **job.context)
                    made = job.views.generate(x, index=item.index, epoch=job.epoch, with_output=False)
                    members = []
                    for k, view in enumerate(made.items):
                        data, ext = form.encode(view, job.format, **job.context)
                        members.append((f"{key}.view{k}.{ext}", data))
            except Exception as exc:  # every input failure is recorded, none is dropped
                reason = f"{type(exc).__name__}: {exc}"
                if job.strict:
                    raise GenerateError(f"sample {item.index} ({_where(item.source)}) failed: {reason}; "
                                        "without strict (--strict) it is recorded and skipped") from None
                failures.append({"index": item.index, "source": item.source, "reason": reason})
                continue
            record: dict[str, Any] = {"key": key, "index": item.index, "epoch": job.epoch, "source": item.source,
                                      "params": made.params}
            if item.label is not None:
                record.update(label=item.label, label_name=item.label_name)
            if passed is not None:
                record["passed"] = passed
            for name, data in members:
                _add(tar, name, data)
            _add(tar, f"{key}.json", _dumps(record))
            count += 1
    data = buf.getvalue()
    start = job.items[0].index if job.items else 0
    meta = {"shard": job.rel, "epoch": job.epoch, "sha256": hashlib.sha256(data).hexdigest(), "count": count,
            "indices": [start, start + len(job.items)], "seed": job.views.seed, "spec_sha256": job.spec_sha256,
            "job_sha256": job.job_sha256,
            "failures": failures, "versions": _versions()}
    path = Path(job.out) / job.rel
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, data)
    _write_atomic(path.with_suffix(".json"), _dumps(meta))
    return meta


def _where(source: Any) -> str:
    if isinstance(source, Mapping):
        return ", ".join(f"{k} {v}" for k, v in source.items())
    return str(source)


# -- the job -----------------------------------------------------------------------------------


@dataclass
class Summary:
    """What :func:`write_pairs` did."""

    out: Path
    samples: int
    written: int
    failed: int
    epochs: int
    n_views: int
    shards: int
    reused: int
    seconds: float
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def manifest(self) -> Path:
        return self.out / MANIFEST

    def __str__(self) -> str:
        epochs = f" x {self.epochs} epochs" if self.epochs > 1 else ""
        return (f"wrote {self.written} of {self.samples} samples{epochs} x {self.n_views} views in {self.shards} "
                f"shards to {self.out} ({self.failed} failed, {self.reused} shards kept from an earlier run) "
                f"in {self.seconds:.1f} s")


def _positive(value: Any, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidArgument(f"{name}={value!r} must be an integer >= {low}")
    return int(value)


def write_pairs(
    source: Any,
    out: str | Path,
    views: ViewGenerator,
    *,
    epochs: int = 1,
    shard_size: int = 1000,
    workers: int = 1,
    engine: str = "local",
    ray_address: str | None = None,
    limit: int | None = None,
    formats: Mapping[str, str] | None = None,
    modality: str | None = None,
    strict: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> Summary:
    """Write ``views.n_views`` views of every sample of ``source`` to tar shards under ``out``.

    Args:
        source: a folder (its files of the generator's modality, sorted; class sub-folders give
            labels), a file (a text file: one sample per line; an image or audio file: one
            sample), a list of those, or samples in memory (a list or map-style dataset of arrays
            or tensors; a list of ``str`` is read as paths).
        out: the output folder (created). Running the same job into it again resumes.
        views: the generator; it must be one a config spec can name (:func:`augkit.views.config.dump`).
        epochs: epochs of views to write, each in its own shard set (epoch e: ``epoch-00e/``).
        shard_size: samples per shard.
        workers: processes making shards (1: this process).
        engine: ``"local"`` (processes on this machine) or ``"ray"`` (Ray tasks; ``augkit[ray]``).
        ray_address: the Ray cluster to join (None: start or use a local one).
        limit: only the first ``limit`` samples.
        formats: storage format per modality (``{"image": "png"}``); by default each modality's
            first (JPEG q95, UTF-8 text, float32 WAV).
        modality: the modality of the source, when the generator's ops take any.
        strict: stop at the first input that fails instead of recording it.
        overwrite: replace a different job's output in ``out``.
        progress: show a progress bar (items/s, ETA) on stderr.

    Returns:
        A :class:`Summary`; ``summary.failures`` lists every input that failed, with its reason.

    Raises:
        InvalidArgument / WrongArgumentType: for a bad argument, naming it.
        InvalidSpec: when the generator holds something a spec cannot name.
        InvalidInput: for a source with no samples, mixed modalities, or another modality than
            the generator's.
        FileNotFoundError: for a source that does not exist.
        GenerateError: when ``out`` holds a different job, cannot be written (a full disk), or an
            input fails under ``strict``; complete shards are kept.
    """
    started = time.perf_counter()
    if not isinstance(views, ViewGenerator):
        raise WrongArgumentType(f"views must be an augkit.ViewGenerator, got {type(views).__name__}")
    epochs, shard_size = _positive(epochs, "epochs"), _positive(shard_size, "shard_size")
    workers = _positive(workers, "workers")
    if limit is not None:
        limit = _positive(limit, "limit")
    if engine not in ENGINES:
        raise InvalidArgument(f"engine={engine!r} must be one of {', '.join(ENGINES)}")
    spec = config.dump(views, expand=False)
    chosen = views.modality or (modality or "")
    if modality and views.modality and modality != views.modality:
        raise InvalidArgument(f"modality={modality!r} does not match the generator's ops, which take {views.modality}")
    fmts = dict(formats or {})
    dataset, field_fmts, field_ctx = None, None, None
    if views.fields is not None:  # dict samples: a manifest or a list of dicts, stored field by field
        data, sources, dataset = field_source(source)
        # a manifest's rows are loaded in the workers; samples in memory travel with their items
        items = [_Item(i, src, value=None if dataset is not None else data[i]) for i, src in enumerate(sources)]
        classes: list[str] = []
        field_fmts, field_ctx = field_formats(views.field_modalities, fmts), field_context(views)
        fmt: Any = field_fmts
        context: dict[str, Any] = {}
    else:
        items, chosen, classes = _list_source(source, chosen)
        form = modalities.get(chosen)
        for name, value in fmts.items():
            modalities.get(name).check_format(value)  # an unknown modality or format is named
        fmt = form.check_format(fmts.get(chosen))
        context = dict(form.context(views))
    if limit is not None:
        items = items[:limit]
    if not items:
        raise InvalidInput(f"source {source!s} holds no samples")
    spec_sha = hashlib.sha256(_dumps(spec)).hexdigest()
    job = {"dataset_format": DATASET_FORMAT, "augkit": _versions()["augkit"], "record_format": RECORD_FORMAT,
           "spec": spec, "spec_sha256": spec_sha, "seed": views.seed, "n_views": views.n_views, "epochs": epochs,
           "shard_size": shard_size,
           "limit": limit, "modality": chosen, "format": fmt, "samples": len(items),
           **({"fields": views.field_modalities} if views.fields is not None else {}),
           "sources_sha256": hashlib.sha256(_dumps([i.source for i in items])).hexdigest()}
    job_sha = hashlib.sha256(_dumps(job)).hexdigest()
    root = Path(out)
    _prepare(root, job, job_sha, overwrite)
    plan = _plan(items, epochs, shard_size)
    done, pending = _resume(root, plan, job_sha)
    jobs = [_ShardJob(str(root), rel, e, s, chunk, views, chosen, fmt, context, job_sha, spec_sha, strict,
                      dataset, field_fmts, field_ctx)
            for rel, e, s, chunk in pending]
    total = sum(len(j.items) for j in jobs)
    metas = dict(done)
    bar = _bar(total, progress, desc=f"augkit generate {root}")
    try:
        for meta in _run(jobs, workers, engine, ray_address):
            metas[meta["shard"]] = meta
            bar(meta["indices"][1] - meta["indices"][0])
    except OSError as exc:
        raise GenerateError(f"cannot write to {root}: {exc}; the {len(metas)} complete shards are kept: fix it "
                            "(free space, permissions) and run the same command again to resume") from None
    finally:
        bar(None)
    shards = [metas[rel] for rel, *_ in plan]
    failures = [f for m in shards for f in m["failures"]]
    manifest = {**job, "job_sha256": job_sha, "source": _describe(source), "classes": classes,
                "versions": _versions(),
                "counts": {"samples": len(items), "epochs": epochs, "written": sum(m["count"] for m in shards),
                           "failed": len(failures)},
                "shards": [{k: m[k] for k in ("shard", "epoch", "sha256", "count", "indices")} for m in shards],
                "failures": failures}
    try:
        _write_atomic(root / MANIFEST, _dumps(manifest))
    except OSError as exc:
        raise GenerateError(f"cannot write {root / MANIFEST}: {exc}; run the same command again") from None
    return Summary(root.resolve(), len(items), sum(m["count"] for m in shards if m["epoch"] == 0),
                   len({f["index"] for f in failures}), epochs, views.n_views, len(shards), len(done),
                   time.perf_counter() - started, failures)


def _describe(source: Any) -> Any:
    if isinstance(source, (str, Path)):
        return str(source)
    if isinstance(source, Sequence) and all(isinstance(s, (str, Path)) for s in source):
        return [str(s) for s in source]
    return f"{len(source)} samples in memory"


def _prepare(root: Path, job: dict[str, Any], job_sha: str, overwrite: bool) -> None:
    """Create ``root``, refuse a different job's output in it (unless ``overwrite``), record the job."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GenerateError(f"cannot create the output folder {root}: {exc}") from None
    if not os.access(root, os.W_OK):
        raise GenerateError(f"the output folder {root} is not writable; choose another --out")
    marker = root / JOB_FILE
    if marker.is_file():
        try:
            before = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            before = {}
        if before.get("job_sha256") != job_sha and not overwrite:
            changed = [k for k in job if before.get("job", {}).get(k) != job[k]] or ["the job file"]
            raise GenerateError(f"{root} holds a different job (it differs in {', '.join(changed)}); use another "
                                "--out, or --overwrite to replace it")
        if before.get("job_sha256") != job_sha:
            _clear(root)
    elif any(root.iterdir()):
        if not overwrite:
            raise GenerateError(f"{root} is not empty and holds no augkit job; use an empty --out, or --overwrite "
                                "to write into it")
        _clear(root)
    try:
        _write_atomic(marker, _dumps({"job_sha256": job_sha, "job": job}))
    except OSError as exc:
        raise GenerateError(f"cannot write to {root}: {exc}") from None


def _ours(root: Path) -> list[Path]:
    found = [p for p in root.glob(f"{PREFIX}-*") if p.is_file()]
    for sub in root.glob("epoch-*"):
        if sub.is_dir():
            found += [p for p in sub.glob(f"{PREFIX}-*") if p.is_file()]
    return found + [p for p in (root / MANIFEST, root / JOB_FILE) if p.is_file()]


def _clear(root: Path) -> None:
    for p in _ours(root):
        p.unlink()
    for sub in root.glob("epoch-*"):
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()


def _plan(items: list[_Item], epochs: int, shard_size: int) -> list[tuple[str, int, int, list[_Item]]]:
    plan = []
    n_shards = math.ceil(len(items) / shard_size)
    for e in range(epochs):
        folder = "" if epochs == 1 else f"epoch-{e:03d}/"
        for s in range(n_shards):
            plan.append((f"{folder}{PREFIX}-{s:06d}.tar", e, s, items[s * shard_size : (s + 1) * shard_size]))
    return plan


def _resume(root: Path, plan: list[tuple[str, int, int, list[_Item]]],
            job_sha: str) -> tuple[dict[str, dict[str, Any]], list[tuple[str, int, int, list[_Item]]]]:
    """The planned shards already complete (hash verified) and the ones to make; leftovers removed."""
    wanted = {rel for rel, *_ in plan} | {rel[:-4] + ".json" for rel, *_ in plan}
    for p in _ours(root):
        rel = p.relative_to(root).as_posix()
        if p.name not in (MANIFEST, JOB_FILE) and rel not in wanted:
            p.unlink()  # a temporary file of an interrupted run, or a shard of another plan
    (root / MANIFEST).unlink(missing_ok=True)  # rewritten at the end
    done, pending = {}, []
    for rel, e, s, chunk in plan:
        tar, meta_path = root / rel, root / (rel[:-4] + ".json")
        meta = None
        if tar.is_file() and meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                digest = hashlib.sha256(tar.read_bytes()).hexdigest()
                if meta.get("sha256") != digest or meta.get("job_sha256") != job_sha:
                    meta = None
            except (OSError, ValueError):
                meta = None
        if meta is None:
            tar.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            pending.append((rel, e, s, chunk))
        else:
            done[rel] = meta
    return done, pending


def _bar(total: int, enabled: bool, desc: str) -> Callable[[int | None], None]:
    if not enabled or total == 0:
        return lambda n: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="item", desc=desc, dynamic_ncols=True)

    def update(n: int | None) -> None:
        if n is None:
            bar.close()
        else:
            bar.update(n)

    return update


def _run(jobs: list[_ShardJob], workers: int, engine: str, address: str | None) -> Iterator[dict[str, Any]]:
    if not jobs:
        return
    if engine == "ray":
        yield from _run_ray(jobs, workers, address)
    elif workers == 1:
        for job in jobs:
            yield _make_shard(job)
    else:
        import multiprocessing
        from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

        # spawn: a forked worker that sets OpenCV's threads after the parent used them deadlocks
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_make_shard, job) for job in jobs]
            try:
                pending = set(futures)
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
                    for f in finished:
                        yield f.result()
            finally:
                for f in futures:
                    f.cancel()


def _run_ray(jobs: list[_ShardJob], workers: int, address: str | None) -> Iterator[dict[str, Any]]:
    try:
        import ray
    except ImportError:
        raise GenerateError("--engine ray needs Ray: pip install 'augkit[ray]'") from None
    started = False
    if not ray.is_initialized():
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        started = True
    try:
        task = ray.remote(num_cpus=1)(_make_shard)
        refs = [task.remote(job) for job in jobs]
        while refs:
            ready, refs = ray.wait(refs, num_returns=1)
            try:
                yield ray.get(ready[0])
            except ray.exceptions.RayTaskError as exc:
                cause = exc.as_instanceof_cause()
                raise cause from None
    finally:
        if started:
            ray.shutdown()


# -- reading back ------------------------------------------------------------------------------


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
        self.epoch = _positive(epoch, "epoch", 0)

    def shards(self) -> list[dict[str, Any]]:
        """The manifest entries of the current epoch's shards."""
        stored = self.epoch % self.epochs
        return [s for s in self.manifest["shards"] if s["epoch"] == stored]

    def __len__(self) -> int:
        return sum(s["count"] for s in self.shards())

    def __iter__(self) -> Iterator[Any]:
        shards = self.shards()
        rank, world = _rank()
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
            for record, members in _samples(data):
                if fields:
                    views = [self.views.output_view(v)
                             for v in decode_views(self.views, members, record.get("passed", {}))]
                else:
                    views = [form.decode(members[f"view{k}.{ext}"], ext)
                             for k, ext in enumerate(_extensions(members, self.views.n_views))]
                    if output is not None:
                        views = [output(v) for v in views]
                label = record.get("label")
                yield (views, label, record["params"]) if self.with_params else (views, label)


def _rank() -> tuple[int, int]:
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _extensions(members: Mapping[str, bytes], n_views: int) -> list[str]:
    exts = []
    for k in range(n_views):
        names = [m for m in members if m.startswith(f"view{k}.")]
        if len(names) != 1:
            raise InvalidInput(f"a stored sample holds {len(names)} members for view {k}; the shard is damaged")
        exts.append(names[0].split(".", 1)[1])
    return exts


def _samples(data: bytes) -> Iterator[tuple[dict[str, Any], dict[str, bytes]]]:
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
