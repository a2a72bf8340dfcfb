"""Data plumbing: view datasets, collate for every modality, readers of folders and files, manifests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from augkit.core.lazy import lazy_getattr

# Public names, served lazily (PEP 562): name -> the module that defines it.
_LAZY: dict[str, str] = {
    "AUDIO_EXTENSIONS": "augkit.datasets.readers",
    "BatchCollate": "augkit.datasets.view_dataset",
    "FolderDataset": "augkit.datasets.readers",
    "IMAGE_EXTENSIONS": "augkit.datasets.readers",
    "IterableViewDataset": "augkit.datasets.view_dataset",
    "MANIFEST_SUFFIXES": "augkit.datasets.manifest",
    "ManifestDataset": "augkit.datasets.manifest",
    "ModalityMismatch": "augkit.datasets.readers",
    "Padded": "augkit.datasets.collate",
    "SourceBatch": "augkit.datasets.view_dataset",
    "SourceDataset": "augkit.datasets.view_dataset",
    "TOKENIZER_DEFAULTS": "augkit.datasets.collate",
    "ViewCollate": "augkit.datasets.collate",
    "ViewDataset": "augkit.datasets.view_dataset",
    "ViewList": "augkit.datasets.view_dataset",
    "collate_items": "augkit.datasets.collate",
    "collate_labels": "augkit.datasets.collate",
    "collate_sources": "augkit.datasets.view_dataset",
    "collate_views": "augkit.datasets.collate",
    "make_collate": "augkit.datasets.collate",
    "read_lines": "augkit.datasets.readers",
    "read_sources": "augkit.datasets.readers",
}

__all__ = [
    "AUDIO_EXTENSIONS",
    "IMAGE_EXTENSIONS",
    "MANIFEST_SUFFIXES",
    "TOKENIZER_DEFAULTS",
    "BatchCollate",
    "FolderDataset",
    "IterableViewDataset",
    "ManifestDataset",
    "ModalityMismatch",
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
]

if TYPE_CHECKING:
    from augkit.datasets.collate import (
        TOKENIZER_DEFAULTS,
        Padded,
        ViewCollate,
        collate_items,
        collate_labels,
        collate_views,
        make_collate,
    )
    from augkit.datasets.manifest import MANIFEST_SUFFIXES, ManifestDataset
    from augkit.datasets.readers import (
        AUDIO_EXTENSIONS,
        IMAGE_EXTENSIONS,
        FolderDataset,
        ModalityMismatch,
        read_lines,
        read_sources,
    )
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
