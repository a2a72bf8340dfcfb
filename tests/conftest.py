"""Shared fixtures: real sample data bundled in data/."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def photos() -> list[np.ndarray]:
    """The bundled photos as RGB uint8 arrays."""
    from PIL import Image

    paths = sorted((DATA / "images").glob("*.jpg"))
    assert paths, "data/images holds the sample photos"
    return [np.array(Image.open(p).convert("RGB")) for p in paths]


@pytest.fixture(scope="session")
def photo(photos: list[np.ndarray]) -> np.ndarray:
    return photos[0]
