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
- **resumable**: running the same job again keeps the complete shards (each json names its shard
  file, epoch and index range, this job's hash and the tar's sha256, and all of it is checked),
  rebuilds partial, corrupt or misplaced ones and removes leftovers, temporary files included; a
  different job into the same folder is refused unless ``overwrite=True``, a corrupt job file is
  named as such (``repair=True`` rebuilds it and keeps the shards); one job at a time holds the
  folder (a lock);
- **only its own files**: a job touches only the names it writes, matched whole (the job file, the
  manifest, ``pairs-NNNNNN.{tar,json}``, ``epoch-NNN/`` and their ``.tmp<pid>`` temporaries);
  anything else in the folder is left alone;
- **nothing dropped silently**: an input that cannot be read or augmented is listed with its
  reason under the manifest's ``failures`` (``strict=True`` stops the job instead), and so is every
  entry of a source folder that cannot be a sample: a link that dangles or loops, a FIFO, a device,
  a name that is not UTF-8, a file of the modality in a format it does not read (a GIF); see
  :mod:`augkit.generate.sources`.

Example:
    >>> summary = write_pairs("data/images", "out/pairs", views=augkit.image.simclr(96, seed=0))
    >>> ds = PairDataset("out/pairs")           # (views, label) items, output step applied
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from augkit.core import RECORD_FORMAT, modalities
from augkit.core.errors import InvalidArgument, InvalidInput, WrongArgumentType
from augkit.generate import layout
from augkit.generate.engines import ENGINES, progress_bar, run_shards
from augkit.generate.fields import field_formats, field_source
from augkit.generate.layout import (
    DATASET_FORMAT,
    MANIFEST,
    GenerateError,
    Interrupted,
    canonical_json,
    plan_shards,
    versions,
    whole_number,
    write_atomic,
)
from augkit.generate.resume import complete_shards, folder_lock, prepare_folder, resume_shards
from augkit.generate.shards import JobPartners, ShardJob
from augkit.generate.sources import Item, list_source, path_text, printable, row_digest
from augkit.views import config
from augkit.views.fields import field_context
from augkit.views.generator import ViewGenerator

__all__ = ["Summary", "write_pairs"]


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
                f"shards to {printable(str(self.out))} ({self.failed} failed, {self.reused} shards kept from an "
                f"earlier run) in {self.seconds:.1f} s")


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
    repair: bool = False,
    progress: bool = True,
    encoding: str | None = None,
    read_options: Mapping[str, Any] | None = None,
    extensions: Sequence[str] | None = None,
) -> Summary:
    """Write ``views.n_views`` views of every sample of ``source`` to tar shards under ``out``.

    Args:
        source: a folder (its files of the generator's modality, sorted; class sub-folders give
            labels), a file (a text file: one sample per line; an image or audio file: one
            sample), a list of those, JSONL/CSV manifests (each row's field of the generator's
            modality is a sample and its ``label`` the label; a generator of dict samples takes
            whole rows), or samples in memory (a list or map-style dataset of arrays or tensors;
            a list of ``str`` is read as paths). An edited manifest row is another job.
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
        overwrite: replace a different job's output in ``out`` (only the files a job owns are
            removed: the job file, the manifest, ``pairs-NNNNNN.{tar,json}``, ``epoch-NNN/``).
        repair: when ``out`` holds shards but its job file is corrupt or missing, rebuild the job
            file and keep every shard whose json says this job made it (refused when a shard
            json names another job).
        progress: show a progress bar (items/s, ETA) on stderr.
        encoding: how text source files are decoded (a codec Python knows; default UTF-8); a
            different encoding is a different job.
        read_options: keywords of the modality's ``load`` (``color="gray"`` for images,
            ``channels=2`` for audio); other options are another job.
        extensions: the suffixes of the files to take from source folders (``(".wav", ".oga")``,
            matched ignoring case) instead of every suffix the modality reads; each must be one the
            modality reads. Other extensions are another job.

    Returns:
        A :class:`Summary`; ``summary.failures`` lists every input that failed, with its reason.

    Raises:
        InvalidArgument / WrongArgumentType: for a bad argument, naming it (``extensions`` the
            modality does not read, or given with a generator of dict samples).
        InvalidSpec: when the generator holds something a spec cannot name.
        InvalidInput: for a source with no samples, mixed modalities, or another modality than
            the generator's.
        FileNotFoundError: for a source that does not exist.
        GenerateError: when ``out`` holds a different job or a corrupt job file (see ``repair``),
            another job is writing to it, it cannot be written (a full disk), or an input fails
            under ``strict``; complete shards are kept.
    """
    started = time.perf_counter()
    if not isinstance(views, ViewGenerator):
        raise WrongArgumentType(f"views must be an augkit.ViewGenerator, got {type(views).__name__}")
    epochs, shard_size = whole_number(epochs, "epochs"), whole_number(shard_size, "shard_size")
    workers = whole_number(workers, "workers")
    if limit is not None:
        limit = whole_number(limit, "limit")
    if engine not in ENGINES:
        raise InvalidArgument(f"engine={engine!r} must be one of {', '.join(ENGINES)}")
    spec = config.dump(views, expand=False)
    chosen = views.modality or (modality or "")
    if modality and views.modality and modality != views.modality:
        raise InvalidArgument(f"modality={modality!r} does not match the generator's ops, which take {views.modality}")
    fmts = dict(formats or {})
    dataset, field_fmts, field_ctx = None, None, None
    if views.fields is not None:  # dict samples: a manifest or a list of dicts, stored field by field
        if encoding is not None:
            raise InvalidArgument(f"encoding={encoding!r}: a manifest of dict samples is read as UTF-8 JSON or CSV; "
                                  "give an encoding for text sources of one modality only")
        if extensions is not None:
            raise InvalidArgument(f"extensions={list(extensions)!r}: a manifest of dict samples names its files; "
                                  "extensions choose the files of source folders")
        data, sources, dataset = field_source(source)
        # a manifest's rows are loaded in the workers; samples in memory travel with their items
        rows = getattr(dataset, "rows", None)  # a manifest's rows as written: an edited row is another job
        items = [Item(i, src, value=None if dataset is not None else data[i],
                      row_sha256=None if rows is None else row_digest(rows[i])) for i, src in enumerate(sources)]
        classes: list[str] = []
        field_fmts, field_ctx = field_formats(views.field_modalities, fmts), field_context(views)
        fmt: Any = field_fmts
        context: dict[str, Any] = {}
    else:
        items, chosen, classes = list_source(source, chosen, encoding, extensions)
        form = modalities.get(chosen)
        for name, value in fmts.items():
            modalities.get(name).check_format(value)  # an unknown modality or format is named
        fmt = form.check_format(fmts.get(chosen))
        context = {**form.context(views), **(read_options or {})}
        if encoding is not None:  # list_source checked that the modality reads text; the workers load with it
            context["encoding"] = encoding
    if limit is not None:
        items = items[:limit]
    if not items:
        raise InvalidInput(f"source {source!s} holds no samples")
    spec_sha = hashlib.sha256(canonical_json(spec)).hexdigest()
    job = {"dataset_format": DATASET_FORMAT, "augkit": versions()["augkit"], "record_format": RECORD_FORMAT,
           "spec": spec, "spec_sha256": spec_sha, "seed": views.seed, "n_views": views.n_views, "epochs": epochs,
           "shard_size": shard_size,
           "limit": limit, "modality": chosen, "format": fmt, "samples": len(items),
           **({"encoding": encoding} if encoding is not None else {}),
           **({"read_options": dict(read_options)} if read_options else {}),
           **({"extensions": sorted({e.lower() for e in extensions})} if extensions is not None else {}),
           **({"fields": views.field_modalities} if views.fields is not None else {}),
           "sources_sha256": hashlib.sha256(canonical_json([i.source if i.row_sha256 is None else
                                                            {**i.source, "row_sha256": i.row_sha256}
                                                            for i in items])).hexdigest()}
    job_sha = hashlib.sha256(canonical_json(job)).hexdigest()
    root = Path(out)
    with folder_lock(root):
        prepare_folder(root, job, job_sha, overwrite, repair)
        plan = plan_shards(items, epochs, shard_size)
        done, pending = resume_shards(root, plan, job_sha)
        partners = JobPartners(items, chosen, context, dataset) if views.mixes else None
        jobs = [ShardJob(str(root), rel, e, s, chunk, views, chosen, fmt, context, job_sha, spec_sha, strict,
                         dataset, field_fmts, field_ctx, partners)
                for rel, e, s, chunk in pending]
        total = sum(len(j.items) for j in jobs)
        metas = dict(done)
        bar = progress_bar(total, progress, desc=f"augkit generate {printable(str(root))}")
        try:
            for meta in run_shards(jobs, workers, engine, ray_address):
                metas[meta["shard"]] = meta
                bar(meta["indices"][1] - meta["indices"][0])
                layout.write_point("between-shards", root / meta["shard"])
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM under the command: the workers are stopped
            kept = len(complete_shards(root, plan, job_sha))
            raise Interrupted(kept, len(plan), getattr(stop, "signum", 2)) from None
        except OSError as exc:
            kept = len(complete_shards(root, plan, job_sha))  # all workers have stopped: what is on disk
            raise GenerateError(f"cannot write to {printable(str(root))}: {printable(str(exc))}; the {kept} complete "
                                f"shards (of {len(plan)}) are kept: fix it (free space, permissions) and run the same "
                                "command again to resume") from None
        finally:
            bar(None)
        shards = [metas[rel] for rel, *_ in plan]
        failures = [f for m in shards for f in m["failures"]]
        manifest = {**job, "job_sha256": job_sha, "source": _describe(source), "classes": classes,
                    "versions": versions([modalities.get(m) for m in dict.fromkeys(
                        views.field_modalities.values() if views.fields is not None else [chosen]) if m]),
                    "counts": {"samples": len(items), "epochs": epochs, "written": sum(m["count"] for m in shards),
                               "failed": len(failures)},
                    "shards": [{k: m[k] for k in ("shard", "epoch", "sha256", "count", "indices")} for m in shards],
                    "failures": failures}
        try:
            write_atomic(root / MANIFEST, canonical_json(manifest))
        except OSError as exc:
            raise GenerateError(f"cannot write {printable(str(root / MANIFEST))}: {printable(str(exc))}; run the "
                                "same command again") from None
    return Summary(root.resolve(), len(items), sum(m["count"] for m in shards if m["epoch"] == 0),
                   len({f["index"] for f in failures}), epochs, views.n_views, len(shards), len(done),
                   time.perf_counter() - started, failures)


def _describe(source: Any) -> Any:
    if isinstance(source, (str, Path)):
        return path_text(source)
    if isinstance(source, Sequence) and all(isinstance(s, (str, Path)) for s in source):
        return [path_text(s) for s in source]
    return f"{len(source)} samples in memory"
