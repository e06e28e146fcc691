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


def _version(path: Path) -> int:
    with sqlite_files.connect(path, autocommit=True) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_migrate_runs_each_missing_step_once(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite"
    steps = ["CREATE TABLE t (a TEXT)", "ALTER TABLE t ADD COLUMN b TEXT"]
    with sqlite_files.connect(path, autocommit=True) as db:
        assert sqlite_files.migrate(db, steps[:1], "test") == 1
        db.execute("INSERT INTO t (a) VALUES ('kept')")
    # Newer code, one more step: only that one runs, and the row survives it.
    with sqlite_files.connect(path, autocommit=True) as db:
        assert sqlite_files.migrate(db, steps, "test") == 2
        assert sqlite_files.migrate(db, steps, "test") == 2
        assert db.execute("SELECT a, b FROM t").fetchall() == [("kept", None)]
    assert _version(path) == 2


def test_a_failing_step_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "data.sqlite"
    with sqlite_files.connect(path, autocommit=True) as db:
        sqlite_files.migrate(db, ["CREATE TABLE t (a TEXT)"], "test")
        with pytest.raises(StorageError, match="syntax error"):
            sqlite_files.migrate(
                db, ["CREATE TABLE t (a TEXT)", "CREATE TABLE u (x)", "NOT SQL"], "test"
            )
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"t"}
    assert _version(path) == 1
