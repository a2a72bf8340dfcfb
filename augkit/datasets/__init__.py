"""Data plumbing: view datasets, collate for every modality, readers of folders and files, manifests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

# Public names, served lazily (PEP 562): name -> the module that defines it.
_LAZY: dict[str, str] = {
    "BatchCollate": "augkit.datasets.view_dataset",
    "FolderDataset": "augkit.datasets.readers",
    "IterableViewDataset": "augkit.datasets.view_dataset",
    "MANIFEST_SUFFIXES": "augkit.datasets.manifest",
    "ManifestDataset": "augkit.datasets.manifest",
    "ModalityMismatch": "augkit.datasets.readers",
    "NoFiles": "augkit.datasets.suffixes",
    "Padded": "augkit.core.batching",
    "SourceBatch": "augkit.datasets.view_dataset",
    "SourceDataset": "augkit.datasets.view_dataset",
    "TOKENIZER_DEFAULTS": "augkit.datasets.collate",
    "ViewCollate": "augkit.datasets.collate",
    "ViewDataset": "augkit.datasets.view_dataset",
    "ViewList": "augkit.datasets.view_dataset",
    "collate_items": "augkit.core.batching",
    "collate_labels": "augkit.core.batching",
    "collate_sources": "augkit.datasets.view_dataset",
    "collate_views": "augkit.datasets.collate",
    "make_collate": "augkit.datasets.collate",
    "read_lines": "augkit.core.files",
    "read_sources": "augkit.datasets.readers",
    "stack": "augkit.core.batching",
}

__all__ = [
    "MANIFEST_SUFFIXES",
    "TOKENIZER_DEFAULTS",
    "BatchCollate",
    "FolderDataset",
    "IterableViewDataset",
    "ManifestDataset",
    "ModalityMismatch",
    "NoFiles",
    "Padded",
    "SourceBatch",
    "SourceDataset",
    "ViewCollate",
    "ViewDataset",
    "ViewList",
    "collate_items",
    "collate_labels",
    "collate_sources",
    "collate_views",
    "make_collate",
    "read_lines",
    "read_sources",
    "stack",
]

if TYPE_CHECKING:
    from augkit.core.batching import Padded, collate_items, collate_labels, stack
    from augkit.core.files import read_lines
    from augkit.datasets.collate import TOKENIZER_DEFAULTS, ViewCollate, collate_views, make_collate
    from augkit.datasets.manifest import MANIFEST_SUFFIXES, ManifestDataset
    from augkit.datasets.readers import FolderDataset, ModalityMismatch, read_sources
    from augkit.datasets.suffixes import NoFiles
    from augkit.datasets.view_dataset import (
        BatchCollate,
        IterableViewDataset,
        SourceBatch,
        SourceDataset,
        ViewDataset,
        ViewList,
        collate_sources,
    )

__getattr__ = lazy_getattr(__name__, _LAZY)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
