"""The output folder of a generate job: its file names (the exact patterns of the files a job owns),
atomic writes and the points inside them where a crash can land, opening a file inside the folder
without following links, and the shard plan. Resuming lives in :mod:`augkit.generate.resume`."""

from __future__ import annotations

import errno
import json
import math
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from augkit.core.errors import AugkitError, InvalidArgument
from augkit.generate.sources import Item, file_kind

__all__ = ["DATASET_FORMAT", "EPOCH_NAME", "JOB_FILE", "KEY_DIGITS", "MANIFEST", "PREFIX", "SHARD_NAME",
           "TEMPORARY_NAME", "WRITE_POINTS", "GenerateError", "NotRegularFile", "canonical_json", "open_inside",
           "plan_shards", "read_inside", "versions", "whole_number", "write_atomic", "write_point"]

JOB_FILE = "augkit-job.json"


MANIFEST = "manifest.json"


PREFIX = "pairs"


KEY_DIGITS = 8


DATASET_FORMAT = 1

#: The names a job owns, matched whole; nothing else in the folder is ever touched. A shard and its
#: json (``pairs-000012.tar``, ``pairs-000012.json``), in the folder or in an epoch folder
#: (``epoch-003/``), and the temporary names of every file written atomically (``NAME.tmp<pid>``).
SHARD_NAME = re.compile(rf"{PREFIX}-\d{{6,}}\.(?:tar|json)")
EPOCH_NAME = re.compile(r"epoch-\d{3,}")
TEMPORARY_NAME = re.compile(rf"(?:{PREFIX}-\d{{6,}}\.(?:tar|json)|{re.escape(JOB_FILE)}|{re.escape(MANIFEST)})"
                            r"\.tmp\d+")

#: Where :func:`write_point` is called: in :func:`write_atomic`, for every file (shard, shard json,
#: job file, manifest), and in the job between shards.
WRITE_POINTS = ("write", "before-fsync", "after-fsync", "before-rename", "after-rename", "after-folder-fsync",
                "between-shards")


class GenerateError(AugkitError, RuntimeError):
    """The job cannot go on (an unwritable folder, a full disk, a different job or a corrupt job file
    in the folder, an input that failed under ``strict``); the message says what to do. Complete
    shards stay."""

GenerateError.__module__ = "augkit.generate"  # its public home, in messages and tracebacks


class Interrupted(KeyboardInterrupt):
    """``write_pairs`` was stopped (Ctrl-C, SIGTERM) with ``complete`` of ``total`` shards on disk; the
    workers are gone and the same call resumes. ``signum``: the signal that stopped it."""

    def __init__(self, complete: int, total: int, signum: int = 2) -> None:
        super().__init__(f"interrupted: {complete} of {total} shards complete; run the same command again to resume")
        self.complete, self.total, self.signum = complete, total, signum


Interrupted.__module__ = "augkit.generate"


class NotRegularFile(OSError):
    """A path inside the output folder is not a regular file inside it (a link, a FIFO, a device, a
    folder, or a path through a link); the message says what it is."""


def write_point(point: str, path: Path) -> None:
    """Called at each point of a write where a crash leaves a different state on disk (see
    :data:`WRITE_POINTS`): ``point`` is its name and ``path`` the file being written (for
    ``"between-shards"``: the shard just finished). It does nothing; the fault-injection tests
    replace it with one that kills the job there, so that every such state is resumed in a test."""


def versions(descriptors: Sequence[Any] = ()) -> dict[str, str]:
    """The versions of augkit, numpy, torch and the libraries each modality of the job names in its
    descriptor's ``libraries`` (images: albumentations): what a shard's bytes depend on."""
    from importlib.metadata import PackageNotFoundError, version

    from augkit.core.version import __version__

    found = {"augkit": __version__}
    names = ["numpy", "torch", *(n for d in descriptors for n in getattr(d, "libraries", ()))]
    for name in dict.fromkeys(names):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` under a temporary name (``NAME.tmp<pid>``), fsync it, rename it to ``path``,
    fsync the folder. A crash at any point leaves either the old ``path`` or the new one, and perhaps
    the temporary file, which the next run removes. The temporary file is opened without following
    a link."""
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o666)
        with open(fd, "wb") as fh:
            half = len(data) // 2
            fh.write(data[:half])
            fh.flush()
            write_point("write", path)
            fh.write(data[half:])
            fh.flush()
            write_point("before-fsync", path)
            os.fsync(fh.fileno())
            write_point("after-fsync", path)
        write_point("before-rename", path)
        os.replace(tmp, path)
        write_point("after-rename", path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    write_point("after-folder-fsync", path)


_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")


def open_inside(root: Path, rel: str) -> int:
    """A read-only file descriptor of the regular file ``root/rel``, found without following a link
    anywhere below ``root`` and never blocking (a FIFO or a device is refused before it is read).
    The check is made on the open file, so a file swapped after a listing cannot slip through.

    Raises:
        FileNotFoundError: when nothing is there.
        NotRegularFile: when ``rel`` leaves the folder (absolute, ``..``), passes through a link,
            or is not a regular file; the message says what is there.
    """
    pure = PurePosixPath(rel)
    if pure.is_absolute() or not pure.parts or any(p in ("..", ".") for p in pure.parts):
        raise NotRegularFile(errno.EINVAL, f"{rel!r} is not a path inside the folder")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    if not _DIR_FD:  # no openat: check each part, then the open file
        path = root
        for part in pure.parts:
            path = path / part
            if path.is_symlink():
                raise NotRegularFile(errno.ELOOP, f"{path} is a symbolic link, not a regular file")
        fd = os.open(path, flags)
        return _regular(fd, str(path))
    parent = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in pure.parts[:-1]:
            try:
                found = os.stat(part, dir_fd=parent, follow_symlinks=False)
            except FileNotFoundError:
                raise FileNotFoundError(errno.ENOENT, f"{part} does not exist", str(root / rel)) from None
            if not stat.S_ISDIR(found.st_mode):
                raise NotRegularFile(errno.ENOTDIR, f"{part} is a {file_kind(found.st_mode)}, not a folder inside "
                                                    f"{root}")
            child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
            os.close(parent)
            parent = child
        last = pure.parts[-1]
        found = os.stat(last, dir_fd=parent, follow_symlinks=False)  # FileNotFoundError when absent
        if not stat.S_ISREG(found.st_mode):
            raise NotRegularFile(errno.EINVAL, f"{rel} is a {file_kind(found.st_mode)}, not a regular file")
        try:
            fd = os.open(last, flags | os.O_NOFOLLOW, dir_fd=parent)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise NotRegularFile(errno.ELOOP, f"{rel} is a symbolic link, not a regular file") from None
            raise
        return _regular(fd, rel)
    finally:
        os.close(parent)


def _regular(fd: int, name: str) -> int:
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegularFile(errno.EINVAL, f"{name} is a {file_kind(mode)}, not a regular file")
    return fd


def read_inside(root: Path, rel: str) -> bytes:
    """The bytes of the regular file ``root/rel`` (see :func:`open_inside`)."""
    with open(open_inside(root, rel), "rb") as fh:
        return fh.read()


def plan_shards(items: list[Item], epochs: int, shard_size: int) -> list[tuple[str, int, int, list[Item]]]:
    plan = []
    n_shards = math.ceil(len(items) / shard_size)
    for e in range(epochs):
        folder = "" if epochs == 1 else f"epoch-{e:03d}/"
        for s in range(n_shards):
            plan.append((f"{folder}{PREFIX}-{s:06d}.tar", e, s, items[s * shard_size : (s + 1) * shard_size]))
    return plan


def whole_number(value: Any, name: str, low: int = 1) -> int:
    """``value`` as an int, or an error naming ``name`` when it is not an integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidArgument(f"{name}={value!r} must be an integer >= {low}")
    return int(value)
