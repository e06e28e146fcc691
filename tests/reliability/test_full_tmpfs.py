"""Issue 15, item 3: a real full disk (a small tmpfs filled to the last byte) under the API and
the CLI. Every write fails as 507 `storage_error` or one CLI line; reads never 500; nothing
half-written; everything works again once there is room."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from articleqa.paths import STORE_FILE
from articleqa.snapshot import current_version
from articleqa.store import ArticleStore
from tests.api.conftest import (
    ARTICLES as SAMPLE_ARTICLES,
)
from tests.api.conftest import (
    WRITE_TOKEN,
    add_articles,
    assert_error,
    build_index,
    make_settings,
    serve,
)
from tests.reliability.helpers import generated_articles, run_cli, staging_folders

TMPFS_SIZE = "16m"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        reason = mounted.stderr.strip() or f"exit {mounted.returncode}"
        pytest.skip(f"full-disk run skipped: cannot mount a tmpfs here ({reason}); needs root")
    try:
        yield mount_point
    finally:
        # Lazy: a connection the server thread still holds must not keep the mount busy.
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(folder: Path) -> Path:
    """Take every free byte of the file system ``folder`` is on; returns the filler."""
    filler = folder / "filler"
    # Appends, so it tops the disk up again: a failed write may free a page (a journal or
    # shared-memory file SQLite removes), which the next request could otherwise use.
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        chunk = 1 << 20
        while chunk:
            try:
                os.write(fd, b"\0" * chunk)
            except OSError:
                chunk //= 2
    finally:
        os.close(fd)
    return filler


def _integrity(home: Path) -> str:
    with contextlib.closing(sqlite3.connect(home / STORE_FILE)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_full_tmpfs_gives_507s_and_one_cli_line_and_recovers(
    tmpfs: Path, record_property: Callable[[str, object], None]
) -> None:
    home = tmpfs / "home"
    settings = make_settings(home)
    ids = add_articles(settings, SAMPLE_ARTICLES)
    before = build_index(settings).version
    add_articles(settings, generated_articles(3))  # so the next build has work to write
    new_article = {"title": "Full disk", "text": "The quay was repaved over the winter. " * 200}
    text_file = tmpfs / "extra.txt"
    text_file.write_text("Extra article\n\nThe ferry timetable changes in spring.\n")
    with serve(settings) as live, live.client(WRITE_TOKEN) as client:
        filler = _fill(tmpfs)
        seen: dict[str, int] = {}

        for name, response in (
            ("GET /articles", client.get("/articles")),
            ("GET /articles/{id}", client.get(f"/articles/{ids[0]}")),
        ):
            seen[name] = response.status_code
            if response.status_code != 200:  # a read may still find its pages in memory
                assert_error(response, 507, "storage_error")
        _fill(tmpfs)
        response = client.post("/articles", json=new_article)
        seen["POST /articles"] = response.status_code
        assert_error(response, 507, "storage_error")
        _fill(tmpfs)
        response = client.delete(f"/articles/{ids[1]}")
        seen["DELETE /articles/{id}"] = response.status_code
        assert response.status_code in (204, 507), response.text
        if response.status_code == 507:
            assert_error(response, 507, "storage_error")
        feedback_body = {"helpful": True, "question": "tram?", "passage_ids": ["p1"]}
        _fill(tmpfs)
        response = client.post("/feedback", json=feedback_body)
        seen["POST /feedback"] = response.status_code
        assert_error(response, 507, "storage_error")
        assert client.post("/ask", json={"question": "tram"}).status_code == 200
        assert client.get("/health").status_code == 200

        _fill(tmpfs)
        index = run_cli(home, "index", "--quiet")
        _fill(tmpfs)
        add = run_cli(home, "add", str(text_file))
        for result in (index, add):
            assert result.returncode == 1, result
            assert "Traceback" not in result.stderr
            [line] = result.stderr.splitlines()
            assert line.startswith("error: "), line
            assert "disk is full" in line or "disk full" in line or "no space" in line, line
        record_property("statuses", seen)
        record_property("cli", [index.stderr.strip(), add.stderr.strip()])

        assert current_version(home) == before
        assert staging_folders(home) == []
        feedback = home / "feedback.jsonl"
        kept = feedback.read_bytes() if feedback.exists() else b""
        assert kept == b"" or kept.endswith(b"\n")  # no half-written record

        filler.unlink()
        # Checked once there is room: even a read needs a little (SQLite's shared-memory file).
        assert _integrity(home) == "ok"
        assert client.post("/articles", json=new_article).status_code == 201
        assert client.post("/feedback", json=feedback_body).status_code == 202
    assert run_cli(home, "index", "--quiet").returncode == 0
    assert current_version(home) != before
    assert ArticleStore(home).count() >= len(SAMPLE_ARTICLES) + 3
