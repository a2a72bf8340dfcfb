"""The output folder of a generate job: its file names, the job file, atomic writes, the shard plan,
and resuming (which files are ours, which shards are complete)."""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from augkit.core.errors import AugkitError, InvalidArgument
from augkit.generate.sources import Item

__all__ = ["DATASET_FORMAT", "JOB_FILE", "KEY_DIGITS", "MANIFEST", "PREFIX", "GenerateError", "canonical_json",
           "clear_folder", "owned_files", "plan_shards", "prepare_folder", "resume_shards", "versions", "whole_number",
           "write_atomic"]

JOB_FILE = "augkit-job.json"


MANIFEST = "manifest.json"


PREFIX = "pairs"


KEY_DIGITS = 8


DATASET_FORMAT = 1


class GenerateError(AugkitError, RuntimeError):
    """The job cannot go on (an unwritable folder, a full disk, a different job in the folder,
    an input that failed under ``strict``); the message says what to do. Complete shards stay."""

GenerateError.__module__ = "augkit.generate"  # its public home, in messages and tracebacks


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    from augkit.core.version import __version__

    found = {"augkit": __version__}
    for name in ("numpy", "torch", "albumentations"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
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


def prepare_folder(root: Path, job: dict[str, Any], job_sha: str, overwrite: bool) -> None:
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
            clear_folder(root)
    elif any(root.iterdir()):
        if not overwrite:
            raise GenerateError(f"{root} is not empty and holds no augkit job; use an empty --out, or --overwrite "
                                "to write into it")
        clear_folder(root)
    try:
        write_atomic(marker, canonical_json({"job_sha256": job_sha, "job": job}))
    except OSError as exc:
        raise GenerateError(f"cannot write to {root}: {exc}") from None


def owned_files(root: Path) -> list[Path]:
    found = [p for p in root.glob(f"{PREFIX}-*") if p.is_file()]
    for sub in root.glob("epoch-*"):
        if sub.is_dir():
            found += [p for p in sub.glob(f"{PREFIX}-*") if p.is_file()]
    return found + [p for p in (root / MANIFEST, root / JOB_FILE) if p.is_file()]


def clear_folder(root: Path) -> None:
    for p in owned_files(root):
        p.unlink()
    for sub in root.glob("epoch-*"):
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()


def plan_shards(items: list[Item], epochs: int, shard_size: int) -> list[tuple[str, int, int, list[Item]]]:
    plan = []
    n_shards = math.ceil(len(items) / shard_size)
    for e in range(epochs):
        folder = "" if epochs == 1 else f"epoch-{e:03d}/"
        for s in range(n_shards):
            plan.append((f"{folder}{PREFIX}-{s:06d}.tar", e, s, items[s * shard_size : (s + 1) * shard_size]))
    return plan


def resume_shards(root: Path, plan: list[tuple[str, int, int, list[Item]]],
            job_sha: str) -> tuple[dict[str, dict[str, Any]], list[tuple[str, int, int, list[Item]]]]:
    """The planned shards already complete (hash verified) and the ones to make; leftovers removed."""
    wanted = {rel for rel, *_ in plan} | {rel[:-4] + ".json" for rel, *_ in plan}
    for p in owned_files(root):
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


def whole_number(value: Any, name: str, low: int = 1) -> int:
    """``value`` as an int, or an error naming ``name`` when it is not an integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidArgument(f"{name}={value!r} must be an integer >= {low}")
    return int(value)
