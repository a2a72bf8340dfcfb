"""Small helpers the modality descriptors share to render views as self-contained HTML."""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import numpy as np

__all__ = ["data_uri", "number", "png_uri"]


def data_uri(data: bytes, mime: str) -> str:
    """``data`` embedded as an HTML-attribute-safe ``data:`` URI."""
    return html.escape(f"data:{mime};base64," + base64.b64encode(data).decode("ascii"))


def png_uri(img: np.ndarray, cell: int | None = None) -> str:
    """An RGB (or grayscale) uint8 array as a PNG data URI, shrunk to fit ``cell``×``cell`` when given."""
    from PIL import Image

    pic = Image.fromarray(np.ascontiguousarray(img))
    if cell is not None:
        pic.thumbnail((cell, cell))
    buf = io.BytesIO()
    pic.save(buf, format="PNG")
    return data_uri(buf.getvalue(), "image/png")


def number(value: Any) -> str:
    """A recorded value for a caption: floats to 3 significant digits, lists of numbers joined."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return "(" + ", ".join(number(v) for v in value) + ")"
    return str(value)
