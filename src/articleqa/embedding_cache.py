"""Embeddings cached by the hash of the exact text embedded, per embedder: a rebuild embeds
only passages it has not seen."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from articleqa.errors import StorageError
from articleqa.sqlite_files import connect


def cache_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class EmbeddingCache:
    def __init__(self, folder: Path, embedder_name: str, dimension: int) -> None:
        # connect() creates the folder, its failures (a full disk) as StorageError.
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder_name)
        self.path = folder / f"{safe}.sqlite"
        self.dimension = dimension
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return dict(self.iter_many(keys))

    def iter_many(self, keys: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
        """The cached ``(key, vector)`` pairs among ``keys``, read 500 at a time."""
        db = self._connect()
        try:
            for chunk_start in range(0, len(keys), 500):
                chunk = list(keys[chunk_start : chunk_start + 500])
                marks = ",".join("?" * len(chunk))
                for key, blob in db.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                ).fetchall():
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape[0] == self.dimension:
                        yield key, vector
        finally:
            db.close()

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        db = self._connect()
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    ((key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items),
                )
        except sqlite3.Error as exc:  # a full disk, above all: a clean error, not a traceback
            raise StorageError(f"cannot write the embedding cache at {self.path}: {exc}") from exc
        finally:
            db.close()
