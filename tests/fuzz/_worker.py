"""A persistent worker process for crash-prone fuzz cases: a case that kills it with a signal, or
hangs past the deadline, fails alone and the next case gets a fresh worker.

A worker script reads one case per line and prints one reply per line, each a base64 pickle
(tuples, numpy values and bytes survive); :data:`PROTOCOL` holds the helpers such a script starts
with: ``read_cases()``, ``send(obj)`` and ``hwm()`` (the peak resident memory, ``VmHWM``, in MB;
``RLIMIT_AS`` would break the CUDA build of torch).
"""

from __future__ import annotations

import base64
import pickle
import select
import subprocess
import sys
from typing import Any

PROTOCOL = r'''
import base64, pickle, sys

def hwm():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024

def read_cases():
    for line in sys.stdin:
        yield pickle.loads(base64.b64decode(line))

def send(obj):
    print(base64.b64encode(pickle.dumps(obj)).decode(), flush=True)
'''


class Worker:
    """One long-lived process running ``script`` (which starts from :data:`PROTOCOL`)."""

    def __init__(self, script: str, deadline_s: float = 120.0) -> None:
        self.script, self.deadline_s = PROTOCOL + script, deadline_s
        self.proc: subprocess.Popen[str] | None = None

    def run(self, case: Any) -> dict[str, Any]:
        """The reply to ``case``; ``{"crashed": returncode}`` or ``{"hung": True}`` when it did not come."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, "-c", self.script], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(base64.b64encode(pickle.dumps(case)).decode() + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], self.deadline_s)
        if not ready:
            self.close()
            return {"hung": True}
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            self.proc = None
            return {"crashed": code}
        answer: dict[str, Any] = pickle.loads(base64.b64decode(line))
        return answer

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
