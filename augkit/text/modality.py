"""The text modality: a ``str``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from augkit.errors import WrongInputType
from augkit.modalities import register

__all__ = ["TextModality"]


class TextModality:
    """Ops see a ``str``; anything else raises :class:`augkit.errors.WrongInputType`."""

    name = "text"

    def enter(self, x: Any, where: str) -> tuple[Any, bool, Any]:
        if not isinstance(x, str):
            raise WrongInputType(f"{where} takes a str, got {type(x).__name__}")
        return x, False, None

    def leave(self, y: Any, ctx: Any) -> Any:
        return y

    def stack(self, items: Sequence[Any], where: str) -> Any:
        return list(items)


register(TextModality())
