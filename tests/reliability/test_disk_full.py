"""A full disk while a snapshot is written: a clean StorageError, the previous state kept.

The writes are sent to /dev/full, so the errors are the real ones a full disk raises (FAISS's
included), not hand-made exceptions. tests/test_indexer.py already covers a failing bm25
save and a failing publish.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import faiss
import pytest

from articleqa import records as records_module
from articleqa import snapshot as snapshot_module
from articleqa.embedding_cache import EmbeddingCache
from articleqa.errors import StorageError
from articleqa.snapshot import ARTICLES, MANIFEST, PASSAGES, current_version, list_versions
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
    wait_until,
)
from tests.reliability.helpers import (
    CRASHPOINT,
    assert_every_visible_snapshot_is_complete,
    cli_env,
    generated_articles,
    staging_folders,
)

FULL_DISK = "/dev/full"


def _faiss_to_full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    write_index = faiss.write_index
    monkeypatch.setattr(faiss, "write_index", lambda index, path: write_index(index, FULL_DISK))


def _files_to_full_disk(monkeypatch: pytest.MonkeyPatch, names: set[str]) -> None:
    """Writes of snapshot files called ``names`` (text, via open or write_text) hit /dev/full."""
    real_open = open

    def redirected_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        if "w" in mode and Path(file).name in names:
            file = FULL_DISK
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(snapshot_module, "open", redirected_open, raising=False)
    monkeypatch.setattr(records_module, "open", redirected_open, raising=False)
    real_write_text = Path.write_text

    def redirected_write_text(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        target = Path(FULL_DISK) if self.name in names else self
        return real_write_text(target, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", redirected_write_text)


@pytest.mark.parametrize(
    "target", ["vectors", PASSAGES, ARTICLES, records_module.COMPRESSED, MANIFEST]
)
def test_full_disk_while_writing_is_a_storage_error_and_keeps_the_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, SAMPLE_ARTICLES)
    before = build_index(settings)
    add_articles(settings, generated_articles(2))
    if target == "vectors":
        _faiss_to_full_disk(monkeypatch)
    else:
        _files_to_full_disk(monkeypatch, {target})

    with pytest.raises(StorageError) as caught:
        build_index(settings)

    assert caught.value.message.startswith("no space left on device while writing snapshot")
    assert "\n" not in caught.value.message
    assert current_version(settings.home) == before.version
    assert list_versions(settings.home) == [before.version]
    assert staging_folders(settings.home) == []
    monkeypatch.undo()
    after = build_index(settings)  # space again: the next build goes through
    assert after.articles == before.articles + 2
    assert_every_visible_snapshot_is_complete(settings.home)


def test_full_disk_during_an_api_rebuild_fails_the_job_and_keeps_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, SAMPLE_ARTICLES)
    before = build_index(settings).version
    add_articles(settings, generated_articles(1))  # something to build
    with serve(settings) as live, live.client(WRITE_TOKEN) as client:
        _faiss_to_full_disk(monkeypatch)
        job_id = client.post("/index/rebuild").json()["job_id"]
        assert wait_until(
            lambda: client.get(f"/index/rebuild/{job_id}").json()["status"] != "running"
        )
        job = client.get(f"/index/rebuild/{job_id}").json()
        assert job["status"] == "failed"
        assert job["error"].startswith("no space left on device"), job
        status = client.get("/index").json()
        assert status["version"] == before and status["rebuilding"] is False
        assert "no space left on device" in status["last_error"]
        assert client.get("/health").status_code == 200
        assert client.post("/ask", json={"question": "tram"}).status_code == 200
        assert staging_folders(settings.home) == []
        monkeypatch.undo()
        retry = client.post("/index/rebuild").json()["job_id"]
        assert wait_until(
            lambda: client.get(f"/index/rebuild/{retry}").json()["status"] != "running"
        )
        assert client.get(f"/index/rebuild/{retry}").json()["status"] == "succeeded"


def test_full_disk_under_the_cli_is_one_error_line(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, SAMPLE_ARTICLES)
    before = build_index(settings).version
    add_articles(settings, generated_articles(1))  # something to build
    result = subprocess.run(
        [sys.executable, str(CRASHPOINT), "index", "--quiet"],
        env=cli_env(settings.home, ARTICLEQA_CRASHPOINT="disk-full"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: no space left on device while writing snapshot")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert current_version(settings.home) == before
    assert staging_folders(settings.home) == []
    assert build_index(settings).version != before


def _sqlite_full(monkeypatch: pytest.MonkeyPatch, owner: type, attribute: str = "_connect") -> None:
    """Connections of ``owner`` can no longer grow their database: SQLite's own SQLITE_FULL."""
    connect = getattr(owner, attribute)

    def full(self: object) -> sqlite3.Connection:
        db: sqlite3.Connection = connect(self)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {max(int(pages), 1)}")
        return db

    monkeypatch.setattr(owner, attribute, full)


def test_full_disk_in_the_embedding_cache_is_a_storage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, SAMPLE_ARTICLES)
    before = build_index(settings)
    add_articles(settings, generated_articles(3))
    _sqlite_full(monkeypatch, EmbeddingCache)

    with pytest.raises(StorageError, match="database or disk is full"):
        build_index(settings)

    assert current_version(settings.home) == before.version
    assert staging_folders(settings.home) == []
    monkeypatch.undo()
    assert build_index(settings).articles == before.articles + 3


def test_full_disk_in_the_article_store_is_507_and_the_service_keeps_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, SAMPLE_ARTICLES)
    build_index(settings)
    article = {"title": "Full disk", "text": "The quay was repaved over the winter. " * 200}
    with serve(settings) as live, live.client(WRITE_TOKEN) as client:
        _sqlite_full(monkeypatch, ArticleStore)
        response = client.post("/articles", json=article)
        error = assert_error(response, 507, "storage_error")
        assert "database or disk is full" in error["message"]
        assert client.get("/articles").json()["total"] == len(SAMPLE_ARTICLES)
        assert client.post("/ask", json={"question": "tram"}).status_code == 200
        monkeypatch.undo()
        assert client.post("/articles", json=article).status_code == 201
