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
