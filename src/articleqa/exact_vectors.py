"""Where the last re-ranking of an IVF shortlist reads the passages' vectors themselves.

A snapshot does not hold its passages' vectors at full precision: the embedding cache already
holds every one in float32, by the cache key of the text embedded (``embedding_cache``). The
snapshot keeps each passage's key (16 bytes, ``KEYS_FILE``), and a search reads the vectors of
the few dozen best of its shortlist from the cache. The half-precision copy the snapshot held
before was a second copy of the same vectors: 0.8 GB at a million passages, more than half of
the snapshot and of the server's memory (BENCHMARKS.md, "Scale, fourteenth pass").

Beside the keys the snapshot keeps each key's row number in the cache (``ROWIDS_FILE``): a row
is then read by its number, one look-up, where its key took two (the key's own index, then the
row), and the key read back with it says whether the row is still that passage's (a cache
written again since gives other numbers: those rows are then read by key). The same vectors
either way (BENCHMARKS.md, "Scale, sixteenth pass").

A vector the cache lacks (the cache removed by hand, or a build that could not write it) is
reported as missing; the search then keeps the codes' score for it (and says so once).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import urllib.parse
from pathlib import Path
from typing import Protocol

import numpy as np

from articleqa.arrays import load_array
from articleqa.errors import StorageError
from articleqa.vector_file import VectorFile

logger = logging.getLogger(__name__)

KEYS_FILE = "vectors.keys.npy"
ROWIDS_FILE = "vectors.rowids.npy"  # each key's rowid in the cache when the snapshot was built
KEY_BYTES = 16  # a cache key's bytes (``cache_key`` is their hex)
NO_ROW = -1  # a rowid not known (the key was not in the cache)
_ASKED_AT_ONCE = 500  # keys a build looks up per statement


class ExactRows(Protocol):
    def rows(self, ordinals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, found): float32 rows of the passages ``ordinals``, and which were found
        (a row not found is zeros)."""
        ...


class ArrayRows:
    """The rows of a build's vectors (in memory, or its vector file)."""

    def __init__(self, vectors: np.ndarray | VectorFile) -> None:
        self.vectors = vectors

    def rows(self, ordinals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ordinals = np.asarray(ordinals, dtype=np.int64)
        found = np.ones(len(ordinals), dtype=bool)
        if not isinstance(self.vectors, VectorFile):
            return np.asarray(self.vectors[ordinals], dtype=np.float32), found
        order = np.argsort(ordinals, kind="stable")
        taken = self.vectors.take(ordinals[order])
        vectors = np.empty_like(taken)
        vectors[order] = taken
        return vectors, found


class CachedRows:
    """The rows of a snapshot's passages read from the embedding cache by their keys (by their
    rowids where the snapshot knows them, each checked by its key)."""

    def __init__(
        self, cache: Path, keys: np.ndarray, dimension: int, rowids: np.ndarray | None = None
    ) -> None:
        self.cache = cache
        self.keys = keys
        self.dimension = dimension
        self.rowids = rowids
        self._local = threading.local()
        self._warned = False

    @classmethod
    def of_snapshot(cls, folder: Path, cache: Path, dimension: int) -> CachedRows:
        keys = np.asarray(load_array(folder / KEYS_FILE, mapped=True))
        rowids = None
        if (folder / ROWIDS_FILE).is_file():  # snapshots from before them have none
            rowids = np.asarray(load_array(folder / ROWIDS_FILE, mapped=True))
            if rowids.shape != (len(keys),):
                logger.warning("%s does not match the snapshot's keys: not used", ROWIDS_FILE)
                rowids = None
        return cls(cache, keys, dimension, rowids)

    def _db(self) -> sqlite3.Connection | None:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            if not self.cache.is_file():
                return None
            # Read only, one connection a thread (a search runs on the server's threads); the
            # builder writes the cache meanwhile (WAL: readers see the last commit).
            uri = f"file:{urllib.parse.quote(str(self.cache))}?mode=ro"
            db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.db = db
        return db

    def rows(self, ordinals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ordinals = np.asarray(ordinals, dtype=np.int64)
        vectors = np.zeros((len(ordinals), self.dimension), dtype=np.float32)
        found = np.zeros(len(ordinals), dtype=bool)
        if not len(ordinals):
            return vectors, found
        keys = _hex_keys(self.keys[ordinals])
        try:
            db = self._db()
            got = {} if db is None else self._read(db, keys, ordinals)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read the embedding cache at {self.cache}: {exc}") from exc
        for at, key in enumerate(keys):
            blob = got.get(key)
            if blob is not None and len(blob) == self.dimension * 4:
                vectors[at] = np.frombuffer(blob, dtype=np.float32)
                found[at] = True
        if not found.all() and not self._warned:
            self._warned = True
            logger.warning(
                "the embedding cache %s lacks %d of %d passage vectors asked for: their codes' "
                "scores are used (recall is lower); `articleqa index --full` writes them again",
                self.cache,
                int(np.count_nonzero(~found)),
                len(found),
            )
        return vectors, found

    def _read(
        self, db: sqlite3.Connection, keys: list[str], ordinals: np.ndarray
    ) -> dict[str, bytes]:
        """The cache's vectors of ``keys`` by key: read by rowid where known, and by key
        where not, or where the row of that number holds another key now."""
        got: dict[str, bytes] = {}
        if self.rowids is not None:
            numbers = np.asarray(self.rowids[ordinals]).tolist()
            known = [number for number in numbers if number != NO_ROW]
            if known:
                marks = ",".join("?" * len(known))
                query = f"SELECT key, vector FROM vectors WHERE rowid IN ({marks})"
                wanted = set(keys)
                # A row read is its key's vector, whatever the number it was read by; a row
                # holding another key now (the cache written again) is not one asked for.
                got = {k: v for k, v in db.execute(query, known).fetchall() if k in wanted}
        rest = [key for key in keys if key not in got]
        if rest:
            marks = ",".join("?" * len(rest))
            query = f"SELECT key, vector FROM vectors WHERE key IN ({marks})"
            got.update(db.execute(query, rest).fetchall())
        return got


def _hex_keys(keys: np.ndarray) -> list[str]:
    """Each ``KEY_BYTES``-byte key of ``keys`` as the cache writes it (``cache_key``'s hex),
    made in one pass over their bytes."""
    joined = np.ascontiguousarray(keys).tobytes().hex()
    width = KEY_BYTES * 2
    return [joined[at : at + width] for at in range(0, len(joined), width)]


def save_keys(folder: Path, keys: np.ndarray) -> None:
    """Save each passage's cache key (``(passages, KEY_BYTES)`` uint8, or ``S16`` digests)."""
    rows = np.ascontiguousarray(keys)
    if rows.dtype.kind == "S":
        # As raw bytes: an ``S16`` value loses its trailing zero bytes when read as one.
        rows = rows.view(np.uint8).reshape(len(keys), KEY_BYTES)
    try:
        np.save(folder / KEYS_FILE, rows.astype(np.uint8, copy=False))
    except OSError as exc:
        raise StorageError(f"cannot write {folder}: {exc.strerror or exc}") from exc


def save_rowids(folder: Path, rowids: np.ndarray) -> None:
    """Save each passage's rowid in the embedding cache (``NO_ROW`` where it has none)."""
    try:
        np.save(folder / ROWIDS_FILE, np.asarray(rowids, dtype=np.int64))
    except OSError as exc:
        raise StorageError(f"cannot write {folder}: {exc.strerror or exc}") from exc


def cache_rowids(cache: Path, keys: np.ndarray) -> np.ndarray:
    """The rowid in the embedding cache ``cache`` of each key of ``keys`` (``(n, KEY_BYTES)``
    uint8), ``NO_ROW`` for a key it lacks. Read from the keys' own index, not the rows."""
    rowids = np.full(len(keys), NO_ROW, dtype=np.int64)
    if not len(keys) or not cache.is_file():
        return rowids
    hex_keys = _hex_keys(keys)
    uri = f"file:{urllib.parse.quote(str(cache))}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True)
        try:
            for first in range(0, len(keys), _ASKED_AT_ONCE):
                end = min(first + _ASKED_AT_ONCE, len(keys))
                chunk = hex_keys[first:end]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, rowid FROM vectors WHERE key IN ({marks})"
                numbers = dict(db.execute(query, chunk).fetchall())
                rowids[first:end] = [numbers.get(key, NO_ROW) for key in chunk]
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise StorageError(f"cannot read the embedding cache at {cache}: {exc}") from exc
    return rowids
