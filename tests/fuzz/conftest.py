"""Counts of the generated inputs each fuzz test ran, printed at the end of the run per kind
(a modality, or losses, collate, readers, presets), so ``make fuzz`` shows it reached its numbers."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="session")
def fuzzed() -> Counter[str]:
    """Add one to ``fuzzed[kind]`` per generated input a test runs."""
    return COUNTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COUNTS:
        return
    terminalreporter.write_sep("-", "fuzzed inputs")
    for kind, n in sorted(COUNTS.items()):
        terminalreporter.write_line(f"{kind:<16} {n:>8,}")
    terminalreporter.write_line(f"{'all':<16} {sum(COUNTS.values()):>8,}")
