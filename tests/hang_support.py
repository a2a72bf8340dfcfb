"""Hang detection for tests that feed code hostile input: fail rather than wait forever."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (rather than hang) when the body runs longer than ``seconds``: hang detection, not timing."""
    def fail(signum: int, frame: Any) -> None:
        raise TimeoutError(f"ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
