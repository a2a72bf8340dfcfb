"""Running a job into a folder again: the folder lock, the job file (absent, corrupt, this job's or
another's; ``repair`` rebuilds it), which files are ours (by exact name, nothing else is touched),
and which planned shards are complete.

A shard is complete when its json names it (file, epoch, index range), was made by this job, accounts
for every sample of its range (written or failed), and holds the sha256 of the tar's bytes. Anything
less is rebuilt, so a shard copied over another, truncated or edited is never kept."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from augkit.generate.layout import (
    EPOCH_NAME,
    JOB_FILE,
    MANIFEST,
    SHARD_NAME,
    TEMPORARY_NAME,
    GenerateError,
    canonical_json,
    open_inside,
    read_inside,
    write_atomic,
)
from augkit.generate.sources import Item, printable

__all__ = ["DifferentJob", "check_shard", "clear_folder", "complete_shards", "file_sha256", "folder_lock",
           "job_changes", "owned_files", "prepare_folder", "read_job_file", "remove_entry", "resume_shards"]

Plan = list[tuple[str, int, int, list[Item]]]


class DifferentJob(GenerateError):
    """The output folder holds another job's output. ``where``: the folder, as printed; ``changed``:
    what differs (:func:`job_changes`), so that a caller can name it in its own words (the ``augkit``
    command names its flags)."""

    def __init__(self, where: str, changed: list[str]) -> None:
        super().__init__(f"{where} holds a different job (it differs in {', '.join(changed)}); use another --out, "
                         "or --overwrite to replace it")
        self.where, self.changed = where, changed


#: Keys of a spec that the job also holds on their own: a spec differing only in them is not named.
_OWN_KEYS = ("seed", "n_views")


def job_changes(before: Mapping[str, Any], job: Mapping[str, Any]) -> list[str]:
    """What differs between two jobs, as the job's keys in its order (a key one of them lacks
    included): each read option that differs as ``read_options.NAME``; ``spec`` only when the
    specs differ beyond the seed and view count (keys of their own), and never ``spec_sha256``,
    which follows it. ``["the job file"]`` when nothing shows (the same keys, another hash)."""
    changed: list[str] = []
    for key in dict.fromkeys([*job, *before]):
        old, new = before.get(key), job.get(key)
        if old == new or key == "spec_sha256":
            continue
        if key == "spec" and isinstance(old, Mapping) and isinstance(new, Mapping) and \
                {k: v for k, v in old.items() if k not in _OWN_KEYS} == \
                {k: v for k, v in new.items() if k not in _OWN_KEYS}:
            continue
        if key == "read_options" and isinstance(old or {}, Mapping) and isinstance(new or {}, Mapping):
            old, new = old or {}, new or {}
            changed += [f"read_options.{name}" for name in dict.fromkeys([*new, *old])
                        if old.get(name) != new.get(name)]
            continue
        changed.append(key)
    return changed or ["the job file"]


@contextlib.contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """Create ``root`` and hold an exclusive lock on it while the job runs: a second job into the same
    folder is refused at once instead of racing the first (the lock goes with the process, even
    when it is killed)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GenerateError(f"cannot create the output folder {printable(str(root))}: {exc}") from None
    if not os.access(root, os.W_OK):
        raise GenerateError(f"the output folder {printable(str(root))} is not writable; choose another --out")
    try:
        import fcntl
    except ImportError:  # no flock (Windows): no lock
        yield
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GenerateError(f"another augkit generate job is writing to {printable(str(root))}; wait for it to "
                                "end, or choose another --out") from None
        except OSError:  # a file system without locks: go on without one
            pass
        yield
    finally:
        os.close(fd)


def prepare_folder(root: Path, job: dict[str, Any], job_sha: str, overwrite: bool, repair: bool = False) -> None:
    """Refuse a different job's output in ``root`` (unless ``overwrite``), a corrupt or missing job
    file beside shards (unless ``repair``: rebuild it when the shards' jsons agree with ``job``),
    remove temporary files, and record the job."""
    where = printable(str(root))
    state, before = read_job_file(root)
    if state == "valid" and before["job_sha256"] == job_sha:
        clean_temporaries(root)
        return
    if state == "valid":
        if not overwrite:
            raise DifferentJob(where, job_changes(before["job"], job))
        clear_folder(root)
    elif overwrite:
        clear_folder(root)
    elif state == "corrupt":
        if not repair:
            raise GenerateError(f"{where}/{JOB_FILE} is corrupt ({before}); run the same command with --repair "
                                "(repair=True) to rebuild it from the shards' records and keep every shard this job "
                                "made, or with --overwrite to start over")
        _check_shards_agree(root, job_sha)
    else:
        ours = [p for p in owned_files(root) if not TEMPORARY_NAME.fullmatch(p.name)]
        theirs = _foreign(root)
        if ours:
            if not repair:
                raise GenerateError(f"{where} holds augkit shards but no {JOB_FILE}; run the same command with "
                                    "--repair (repair=True) to rebuild it and keep every shard this job made, or "
                                    "with --overwrite to start over")
            _check_shards_agree(root, job_sha)
        elif theirs:
            raise GenerateError(f"{where} is not empty and holds no augkit job; use an empty --out, or --overwrite "
                                "to write into it")
    clean_temporaries(root)
    remove_entry(root / JOB_FILE)  # a folder or a link in its place
    try:
        write_atomic(root / JOB_FILE, canonical_json({"job_sha256": job_sha, "job": job}))
    except OSError as exc:
        raise GenerateError(f"cannot write to {where}: {exc}") from None


def read_job_file(root: Path) -> tuple[str, Any]:
    """``("absent", None)``, ``("corrupt", why)`` or ``("valid", content)``: valid means a JSON object
    whose ``job`` hashes to its ``job_sha256``."""
    try:
        data = read_inside(root, JOB_FILE)
    except FileNotFoundError:
        return "absent", None
    except OSError as exc:
        return "corrupt", exc.strerror or str(exc)
    try:
        content = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return "corrupt", "it is not valid JSON"
    if not isinstance(content, dict) or not isinstance(content.get("job"), dict) \
            or not isinstance(content.get("job_sha256"), str):
        return "corrupt", "it does not hold a job and its job_sha256"
    try:
        digest = hashlib.sha256(canonical_json(content["job"])).hexdigest()
    except (ValueError, TypeError):
        digest = ""
    if digest != content["job_sha256"]:
        return "corrupt", "its job does not match its job_sha256"
    return "valid", content


def _check_shards_agree(root: Path, job_sha: str) -> None:
    """Refuse to repair when a shard json in ``root`` was made by another job."""
    others = []
    for path in owned_files(root):
        if not path.name.endswith(".json") or not SHARD_NAME.fullmatch(path.name):
            continue
        try:
            meta = json.loads(read_inside(root, path.relative_to(root).as_posix()).decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            continue  # damaged: it is rebuilt
        if isinstance(meta, dict) and meta.get("job_sha256") != job_sha:
            others.append(path.relative_to(root).as_posix())
    if others:
        raise GenerateError(f"cannot repair {printable(str(root))}: {len(others)} shards were made by a different job "
                            f"(e.g. {printable(others[0])}); use another --out, or --overwrite to replace them")


def _foreign(root: Path) -> list[str]:
    """The names in ``root`` that are not a job's (an epoch folder holding only a job's files is one)."""
    found = []
    for name in sorted(os.listdir(root)):
        if name in (JOB_FILE, MANIFEST) or SHARD_NAME.fullmatch(name) or TEMPORARY_NAME.fullmatch(name):
            continue
        sub = root / name
        if EPOCH_NAME.fullmatch(name) and (sub.is_symlink() or not sub.is_dir() or all(
                SHARD_NAME.fullmatch(n) or TEMPORARY_NAME.fullmatch(n) for n in os.listdir(sub))):
            continue
        found.append(name)
    return found


def owned_files(root: Path) -> list[Path]:
    """Every entry of ``root`` a job owns, by exact name: the job file, the manifest, shards and
    their jsons, temporary files, in ``root`` and in its ``epoch-NNN`` folders (and such a name
    that is not a real folder). Folders are not listed; anything else in ``root`` is the user's."""
    found = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        name = entry.name
        if name in (JOB_FILE, MANIFEST) or SHARD_NAME.fullmatch(name) or TEMPORARY_NAME.fullmatch(name):
            found.append(root / name)
        elif EPOCH_NAME.fullmatch(name):
            if entry.is_dir(follow_symlinks=False):
                found += [root / name / e.name for e in sorted(os.scandir(entry.path), key=lambda e: e.name)
                          if SHARD_NAME.fullmatch(e.name) or TEMPORARY_NAME.fullmatch(e.name)]
            else:
                found.append(root / name)
    return found


def remove_entry(path: Path) -> None:
    """Remove what is at ``path`` (a file, a link, a FIFO; an empty folder); a folder holding
    something is left and named."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        try:
            path.rmdir()
        except OSError:
            raise GenerateError(f"{printable(str(path))} is a folder that holds files, where augkit writes one of its "
                                "own; move it elsewhere and run the same command again") from None
    else:
        path.unlink(missing_ok=True)


def clean_temporaries(root: Path) -> None:
    for path in owned_files(root):
        if TEMPORARY_NAME.fullmatch(path.name):
            remove_entry(path)


def clear_folder(root: Path) -> None:
    """Remove every file a job owns in ``root`` (and its emptied epoch folders); nothing else."""
    for path in owned_files(root):
        remove_entry(path)
    _remove_empty_epochs(root, keep=set())


def _remove_empty_epochs(root: Path, keep: set[str]) -> None:
    for name in os.listdir(root):
        sub = root / name
        if EPOCH_NAME.fullmatch(name) and name not in keep and sub.is_dir() and not sub.is_symlink() \
                and not os.listdir(sub):
            sub.rmdir()


def check_shard(root: Path, rel: str, epoch: int, indices: tuple[int, int], job_sha: str) -> dict[str, Any] | None:
    """The json of the planned shard ``rel`` when the shard is complete, else None."""
    try:
        meta = json.loads(read_inside(root, rel[:-4] + ".json").decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(meta, dict) or meta.get("shard") != rel or meta.get("epoch") != epoch \
            or meta.get("indices") != list(indices) or meta.get("job_sha256") != job_sha:
        return None
    count, failures = meta.get("count"), meta.get("failures")
    if isinstance(count, bool) or not isinstance(count, int) or not isinstance(failures, list) \
            or count + len(failures) != indices[1] - indices[0] \
            or not all(isinstance(f, dict) and f.get("index") in range(*indices) for f in failures):
        return None
    try:
        digest = file_sha256(open_inside(root, rel))
    except OSError:
        return None
    return meta if meta.get("sha256") == digest else None


def file_sha256(fd: int) -> str:
    """The sha256 of an open file, read in blocks (the file is closed)."""
    digest = hashlib.sha256()
    with open(fd, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _indices(chunk: list[Item]) -> tuple[int, int]:
    start = chunk[0].index if chunk else 0
    return start, start + len(chunk)


def complete_shards(root: Path, plan: Plan, job_sha: str) -> dict[str, dict[str, Any]]:
    """The planned shards on disk that are complete (see :func:`check_shard`), by name."""
    found = {}
    for rel, e, _, chunk in plan:
        meta = check_shard(root, rel, e, _indices(chunk), job_sha)
        if meta is not None:
            found[rel] = meta
    return found


def resume_shards(root: Path, plan: Plan, job_sha: str) -> tuple[dict[str, dict[str, Any]], Plan]:
    """The planned shards already complete and the ones to make; the manifest, incomplete shards,
    temporary files and shards of another plan removed (only files a job owns, by name)."""
    wanted = {rel for rel, *_ in plan} | {rel[:-4] + ".json" for rel, *_ in plan}
    for path in owned_files(root):
        rel = path.relative_to(root).as_posix()
        if rel not in wanted and rel != JOB_FILE:
            remove_entry(path)  # the manifest (rewritten at the end), a temporary file, a shard of another plan
    _remove_empty_epochs(root, keep={rel.split("/")[0] for rel in wanted if "/" in rel})
    done, pending = {}, []
    for rel, e, s, chunk in plan:
        meta = check_shard(root, rel, e, _indices(chunk), job_sha)
        if meta is None:
            remove_entry(root / rel)
            remove_entry(root / (rel[:-4] + ".json"))
            pending.append((rel, e, s, chunk))
        else:
            done[rel] = meta
    return done, pending
