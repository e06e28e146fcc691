"""Connections to articleqa's SQLite files: the article store, the embedding and split caches,
the feed registry and the watcher's state. One place decides how they are opened, and how
their failures reach the edges."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from articleqa.errors import StorageError

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30


def _storage_error(path: str, exc: Exception) -> StorageError:
    detail = str(exc)
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")) or isinstance(exc, OSError):
        # A full disk shows up as SQLITE_IOERR_SHMSIZE / _WRITE just as often as SQLITE_FULL.
        detail += f" ({name + '; ' if name else ''}is the disk full?)"
    error = StorageError(f"cannot use the database {path}: {detail}")
    error.__cause__ = exc
    return error


class _GuardedConnection(sqlite3.Connection):
    """A connection whose failures are StorageError (a 507, one CLI line), never sqlite3.Error.

    Every SQLite file goes through here, so a full disk, a read-only mount or a lock held past
    the busy timeout is translated once, whichever module was writing (issue 15, item 3).
    """

    path = ""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        try:
            return super().executescript(sql_script)
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc

    def commit(self) -> None:
        try:
            super().commit()
        except sqlite3.Error as exc:
            raise _storage_error(self.path, exc) from exc

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> Literal[False]:
        try:
            # ``with db:`` commits (or rolls back) in C, past the overrides above.
            return super().__exit__(exc_type, exc, tb)
        except sqlite3.Error as error:
            raise _storage_error(self.path, error) from error


def connect(path: Path, *, autocommit: bool = False, rows: bool = False) -> sqlite3.Connection:
    """Open ``path`` in WAL mode with synchronous=NORMAL and a 30 s wait for a busy lock.

    WAL lets readers (the API, `articleqa ask`) read while a writer (`add`, `index`, the
    watcher) writes, and a writer killed mid-transaction leaves the file as it was. With WAL,
    synchronous=NORMAL keeps every committed transaction across a crash of the process; only a
    power cut can lose the last ones, never the file's consistency.

    ``autocommit``: no implicit transactions; the caller issues BEGIN itself.
    ``rows``: rows come back as :class:`sqlite3.Row` (columns by name).

    Raises StorageError when the file cannot be opened or used (and from every later
    ``execute`` / ``commit`` of the connection).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None if autocommit else "DEFERRED",
            factory=_GuardedConnection,
        )
    except (OSError, sqlite3.Error) as exc:
        raise _storage_error(str(path), exc) from exc
    assert isinstance(db, _GuardedConnection)
    db.path = str(path)
    if rows:
        db.row_factory = sqlite3.Row
    try:
        # Switching to WAL writes the header and creates -wal/-shm: it fails on a full disk.
        _switch_to_wal(db)
        db.execute("PRAGMA synchronous=NORMAL")
    except StorageError:
        db.close()
        raise
    return db


def _switch_to_wal(db: _GuardedConnection) -> None:
    """``PRAGMA journal_mode=WAL``, waiting out another process doing the same.

    Two processes opening a new file together (two `articleqa index` started at once) race to
    convert it, and SQLite answers the loser "database is locked" at once, without its busy
    wait (waiting could deadlock). So the wait happens here, up to the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except StorageError as exc:
            busy = getattr(exc.__cause__, "sqlite_errorname", "").startswith("SQLITE_BUSY")
            if not busy or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def migrate(db: sqlite3.Connection, steps: Sequence[str], name: str) -> int:
    """Run the numbered schema ``steps`` that ``db`` has not had yet, in one transaction.

    ``PRAGMA user_version`` records how many steps ran after the file's base schema, so a file
    made by older code upgrades in place when it is opened. Returns the version now.
    """
    if db.execute("PRAGMA user_version").fetchone()[0] >= len(steps):
        return len(steps)
    # Read again under the write lock: another process may have upgraded it meanwhile.
    db.execute("BEGIN IMMEDIATE")
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        for step in steps[version:]:
            db.execute(step)
        db.execute(f"PRAGMA user_version = {len(steps)}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    if version < len(steps):
        logger.info("%s upgraded to schema version %d", name, len(steps))
    return len(steps)
