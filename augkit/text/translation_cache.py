"""The on-disk cache of back-translation: translations keyed by text, languages, model and seed."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from augkit.text.translate_util import digest

__all__ = ["TranslationCache"]


class TranslationCache:
    """sqlite3 cache of translations, usable from several threads and processes.

    One connection per thread and process: a connection must not cross a fork (DataLoader workers),
    so a process that finds its parent's connection opens its own.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        db = self._connect()
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, output TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=60)
            # WAL lets readers in other processes go on while one process writes.
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db, self._local.pid = db, os.getpid()
        return db

    @staticmethod
    def key(text: str, src: str, tgt: str, model_id: str, seed: int | None) -> str:
        return digest(text, src, tgt, model_id, "" if seed is None else str(seed))

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        db = self._connect()
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):  # sqlite caps the number of bound variables
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            out.update(db.execute(f"SELECT key, output FROM translations WHERE key IN ({marks})", chunk))
        return out

    def put_many(self, items: dict[str, str]) -> None:
        db = self._connect()
        with db:
            db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?)", list(items.items()))

    def __len__(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._local = threading.local()

