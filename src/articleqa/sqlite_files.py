"""Connections to articleqa's SQLite files: the article store, the embedding and split caches,
the feed registry and the watcher's state. One place decides how they are opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

BUSY_TIMEOUT_S = 30


def connect(path: Path, *, autocommit: bool = False, rows: bool = False) -> sqlite3.Connection:
    """Open ``path`` in WAL mode with synchronous=NORMAL and a 30 s wait for a busy lock.

    WAL lets readers (the API, `articleqa ask`) read while a writer (`add`, `index`, the
    watcher) writes, and a writer killed mid-transaction leaves the file as it was. With WAL,
    synchronous=NORMAL keeps every committed transaction across a crash of the process; only a
    power cut can lose the last ones, never the file's consistency.

    ``autocommit``: no implicit transactions; the caller issues BEGIN itself.
    ``rows``: rows come back as :class:`sqlite3.Row` (columns by name).
    """
    db = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None if autocommit else "DEFERRED"
    )
    if rows:
        db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db
