"""Two-view datasets on disk: the generate job (crash-safe, resumable shards; local or Ray workers)
and PairDataset, which reads them back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

# Public names, served lazily (PEP 562): name -> the module that defines it.
_LAZY: dict[str, str] = {
    "GenerateError": "augkit.generate.layout",
    "Interrupted": "augkit.generate.layout",
    "JOB_FILE": "augkit.generate.layout",
    "MANIFEST": "augkit.generate.layout",
    "PairDataset": "augkit.generate.pairs",
    "ShardError": "augkit.generate.pairs",
    "Summary": "augkit.generate.job",
    "write_pairs": "augkit.generate.job",
}

__all__ = [
    "JOB_FILE",
    "MANIFEST",
    "GenerateError",
    "Interrupted",
    "PairDataset",
    "ShardError",
    "Summary",
    "write_pairs",
]

if TYPE_CHECKING:
    from augkit.generate.job import Summary, write_pairs
    from augkit.generate.layout import JOB_FILE, MANIFEST, GenerateError, Interrupted
    from augkit.generate.pairs import PairDataset, ShardError

__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
