"""The one way articleqa opens its SQLite files."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from articleqa import sqlite_files
from articleqa.errors import StorageError


def test_a_new_file_opened_by_many_processes_at_once_is_opened_by_all(tmp_path: Path) -> None:
    # Real connections racing to switch one new file to WAL; none may fail for the race.
    path = tmp_path / "cache.sqlite"
    start = threading.Barrier(8)
    errors: list[Exception] = []

    def open_it() -> None:
        start.wait()
        try:
            sqlite_files.connect(path).close()
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


class _LockedTwice(sqlite3.Connection):
    """Answers the first two journal-mode switches as SQLite does the loser of the race."""

    attempts = 0

    def execute(self, sql: str, parameters: object = (), /) -> sqlite3.Cursor:
        if "journal_mode" in sql and _LockedTwice.attempts < 2:
            _LockedTwice.attempts += 1
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorname = "SQLITE_BUSY"
            raise error
        return super().execute(sql, parameters)  # type: ignore[arg-type]


def test_switching_to_wal_waits_out_a_busy_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Guarded(sqlite_files._GuardedConnection, _LockedTwice):
        pass

    original = sqlite3.connect
    monkeypatch.setattr(
        sqlite_files.sqlite3,
        "connect",
        lambda *args, **kwargs: original(*args, **{**kwargs, "factory": Guarded}),
    )

    db = sqlite_files.connect(tmp_path / "busy.sqlite")

    assert _LockedTwice.attempts == 2
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_lasting_failure_is_a_storage_error(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.sqlite"
    folder.mkdir()

    with pytest.raises(StorageError, match="cannot use the database"):
        sqlite_files.connect(folder)
