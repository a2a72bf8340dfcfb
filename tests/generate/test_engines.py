"""The local engine's shutdown after a signal: the thread that hands file descriptors to workers
(``multiprocessing.resource_sharer``) stays quiet when a killed worker resets its connection."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest

from augkit.generate import engines


def _raised_in(filename: str, error: BaseException) -> tuple[type[BaseException], BaseException, Any]:
    try:
        exec(compile("raise error", filename, "exec"), {"error": error})
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__
    raise AssertionError("not raised")


def test_only_the_fd_servers_connection_errors_are_silenced(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, tb: seen.append(kind))
    engines.quiet_fd_server()
    engines.quiet_fd_server()  # twice: one hook
    server = os.path.join(os.sep, "py", "multiprocessing", "resource_sharer.py")
    sys.excepthook(*_raised_in(server, ConnectionResetError(104, "Connection reset by peer")))
    sys.excepthook(*_raised_in(server, EOFError()))
    assert seen == []
    sys.excepthook(*_raised_in(server, ValueError("a bug")))  # not a connection error: printed
    sys.excepthook(*_raised_in(os.path.join(os.sep, "app", "mine.py"), ConnectionResetError(104, "reset")))
    assert seen == [ValueError, ConnectionResetError]


def test_local_workers_hand_each_shard_over_as_soon_as_it_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    # the progress bar and the between-shards bookkeeping see each shard when it ends, not at the end
    import concurrent.futures
    import threading

    release = threading.Event()

    class Threads(concurrent.futures.ThreadPoolExecutor):
        def __init__(self, max_workers: int, mp_context: Any = None, **kwargs: Any) -> None:
            super().__init__(max_workers=max_workers)

    def make_shard(job: str) -> str:
        if job == "slow":
            assert release.wait(10), "the fast shard was not handed over while the slow one ran"
        return job

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Threads)
    monkeypatch.setattr(engines, "make_shard", make_shard)
    shards = engines.run_shards(["slow", "fast"], 2, "local", None)
    assert next(shards) == "fast"
    release.set()
    assert list(shards) == ["slow"]
