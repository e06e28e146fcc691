"""The PostgreSQL backend against a real PostgreSQL 18 + pgvector server started by the tests:
migrations, the same answers as the embedded backend, incremental builds through the shared
embedding cache, pruning, the build lock, a rebuild killed with SIGKILL, two API processes on
one database, and a database that goes away and comes back."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.engine import ArticleQA
from articleqa.errors import RebuildInProgress
from articleqa.indexer import BuildReport
from articleqa.ingest.prepare import prepare_article
from articleqa.models import RawArticle
from articleqa.postgres.database import BUILD_LOCK, MIGRATIONS, Database
from tests.api.conftest import WRITE_TOKEN, assert_error, make_settings, serve, wait_until
from tests.conftest import SAMPLE_ARTICLES

QUESTIONS = [
    "Who won the regional science fair?",
    "How high did the Millrace river rise during Storm Bronagh?",
    "What was the unemployment rate in the Lakeshore region?",
    "Who scored the winning header for Lakeshore Rovers?",
    "How long do patients wait for a heart assessment?",
    "When does the new tram line open?",
]
LIGHTHOUSE = RawArticle(
    title="Lighthouse keeper retires",
    text=(
        "After forty-one years, Morwenna Treloar switched off the lamp of the Godrevy "
        "lighthouse for the last time on Friday. She kept a logbook of every storm since 1983."
    ),
)


def _settings(home: Path, url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"home": home, "embedding_backend": "fake", "database_url": url}
    values.update(overrides)
    return Settings(**values, _env_file=None)  # type: ignore[call-arg]


def _filled(settings: Settings) -> ArticleQA:
    engine = ArticleQA(settings, embedder=FakeEmbedder())
    assert not any(o.failed for o in engine.add([str(SAMPLE_ARTICLES)]))
    return engine


def _build(settings: Settings) -> BuildReport:
    return ArticleQA(settings, embedder=FakeEmbedder()).build()


def _schemas(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'articleqa_v_%' ORDER BY 1"
        ).fetchall()
    return [r[0] for r in rows]


def _current(url: str) -> str | None:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version FROM index_current").fetchone()
    return str(row[0]) if row else None


def test_migrations_run_once_and_record_their_version(database_url: str) -> None:
    first, second = Database(database_url), Database(database_url)
    try:
        with first.connection() as conn:
            conn.execute("SELECT 1")
        with second.connection() as conn:
            rows = conn.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    finally:
        first.close()
        second.close()
    assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))


def test_both_backends_give_the_same_answers(tmp_path: Path, database_url: str) -> None:
    """The same fusion, re-rank, highlight and abstention on candidates from either engine."""
    answers = {}
    for name, url in (("embedded", None), ("postgres", database_url)):
        settings = _settings(tmp_path / name, url)
        engine = _filled(settings)
        engine.build()
        searcher, _reason = engine.load_best()
        answers[name] = [searcher.ask(q, k=3) for q in QUESTIONS]
    for embedded, postgres in zip(answers["embedded"], answers["postgres"], strict=True):
        assert postgres.answered == embedded.answered
        assert [(q.article.id, q.start, q.end) for q in postgres.quotes] == [
            (q.article.id, q.start, q.end) for q in embedded.quotes
        ], embedded.question
        assert [q.highlight for q in postgres.quotes] == [q.highlight for q in embedded.quotes]
        for mine, theirs in zip(postgres.quotes, embedded.quotes, strict=True):
            assert mine.score == pytest.approx(theirs.score, abs=2e-3)


def test_rebuilds_reuse_embeddings_from_the_database(tmp_path: Path, database_url: str) -> None:
    settings = _settings(tmp_path / "a", database_url)
    engine = _filled(settings)
    first = _build(settings)
    assert first.embedded == first.passages > 0

    # Another host (another data directory) finds every vector in the shared cache.
    again = _build(_settings(tmp_path / "b", database_url))
    assert again.embedded == 0 and again.passages == first.passages

    engine.store.upsert_many([prepare_article(LIGHTHOUSE)])
    third = _build(settings)
    assert third.passages == first.passages + 1
    assert third.embedded == 1
    answer = ArticleQA(settings, embedder=FakeEmbedder()).ask("Who kept a logbook?")
    assert answer.index_version == third.version
    assert "logbook" in answer.quotes[0].text


def test_old_versions_are_pruned_with_their_schemas(tmp_path: Path, database_url: str) -> None:
    settings = _settings(tmp_path, database_url, keep_snapshots=2)
    _filled(settings)
    versions = [_build(settings).version for _ in range(4)]

    with psycopg.connect(database_url) as conn:
        kept = [r[0] for r in conn.execute("SELECT version FROM index_versions ORDER BY 1")]
    assert kept == versions[-2:]
    assert len(_schemas(database_url)) == 2
    assert _current(database_url) == versions[-1]


def test_a_second_builder_is_refused_while_the_lock_is_held(
    tmp_path: Path, database_url: str
) -> None:
    settings = _settings(tmp_path, database_url)
    _filled(settings)
    with psycopg.connect(database_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK,))
        with pytest.raises(RebuildInProgress):
            _build(settings)
        with pytest.raises(RebuildInProgress):
            ArticleQA(settings).probe_build_lock()
    assert _build(settings).passages > 0


def _env(home: Path, url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_DATABASE_URL": url,
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "ARTICLEQA_API_TOKEN": WRITE_TOKEN,
        "ARTICLEQA_RELOAD_INTERVAL_S": "0.2",
        **extra,
    }


def _waiting_on_the_current_row(url: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            " AND query LIKE 'INSERT INTO index_current%'"
        ).fetchone()
    return bool(row and row[0])


def test_a_rebuild_killed_mid_publish_leaves_the_old_version_served(
    tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path / "api", database_url=database_url)
    engine = _filled(settings)
    old = _build(settings).version
    engine.store.upsert_many([prepare_article(LIGHTHOUSE)])
    question = "Who kept a logbook of every storm?"

    with serve(settings) as live, live.client() as client:
        assert client.get("/ask", params={"q": question}).json()["index_version"] == old
        # Hold the row the publish must update, so the builder stops inside its transaction,
        # with the new version's schema and rows written but not committed.
        with psycopg.connect(database_url) as blocker:
            blocker.execute("SELECT * FROM index_current FOR UPDATE")
            builder = subprocess.Popen(
                [sys.executable, "-m", "articleqa", "index", "--quiet"],
                env=_env(tmp_path / "builder", database_url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                assert wait_until(lambda: _waiting_on_the_current_row(database_url), 120), (
                    "the builder never reached the publish"
                )
                os.kill(builder.pid, signal.SIGKILL)
                builder.communicate(timeout=60)
            finally:
                if builder.poll() is None:
                    builder.kill()
                    builder.communicate()
            assert builder.returncode == -signal.SIGKILL
            answer = client.get("/ask", params={"q": question}).json()
            assert answer["index_version"] == old
        # The killed builder's transaction is rolled back, its lock freed: nothing of it stays.
        assert wait_until(lambda: not _waiting_on_the_current_row(database_url), 60)
        assert _current(database_url) == old
        assert wait_until(lambda: len(_schemas(database_url)) == 1, 60)
        assert client.get("/ask", params={"q": question}).json()["index_version"] == old

        # And the next build takes the lock and publishes; the server swaps to it by itself.
        new = _build(settings.model_copy(update={"lock_timeout_s": 60.0})).version
        assert wait_until(
            lambda: client.get("/ask", params={"q": question}).json()["index_version"] == new
        )
        assert "logbook" in client.get("/ask", params={"q": question}).json()["quotes"][0]["text"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _api_process(home: Path, url: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "articleqa", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(home, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            return True
        try:
            return httpx.get(f"{base}/health", timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(up, 120) and process.poll() is None, process.stderr
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_two_api_processes_share_one_database(tmp_path: Path, database_url: str) -> None:
    """An article added through one API process is answered by the other after a rebuild,
    with no restart and no shared files (each has its own data directory)."""
    settings = _settings(tmp_path / "seed", database_url)
    _filled(settings)
    first_version = _build(settings).version
    headers = {"Authorization": f"Bearer {WRITE_TOKEN}"}
    question = "Who kept a logbook of every storm?"

    with (
        _api_process(tmp_path / "one", database_url) as one,
        _api_process(tmp_path / "two", database_url) as two,
        httpx.Client(base_url=one, headers=headers, timeout=60) as writer,
        httpx.Client(base_url=two, timeout=60) as reader,
    ):
        assert reader.get("/ask", params={"q": question}).json()["index_version"] == first_version
        added = writer.post("/articles", json={"title": LIGHTHOUSE.title, "text": LIGHTHOUSE.text})
        assert added.status_code in (200, 201), added.text
        job = writer.post("/index/rebuild")
        assert job.status_code == 202, job.text
        job_id = job.json()["job_id"]
        assert wait_until(
            lambda: writer.get(f"/index/rebuild/{job_id}").json()["status"] != "running"
        )
        done = writer.get(f"/index/rebuild/{job_id}").json()
        assert done["status"] == "succeeded", done
        assert wait_until(
            lambda: (
                reader.get("/ask", params={"q": question}).json()["index_version"]
                == done["version"]
            )
        )
        answer = reader.get("/ask", params={"q": question}).json()
        assert "Morwenna Treloar" in answer["quotes"][0]["text"]
        listed = reader.get("/articles", params={"limit": 100}).json()
        assert LIGHTHOUSE.title in str(listed)


def test_the_api_answers_503_while_the_database_is_away_and_recovers(
    tmp_path: Path, database_url: str, postgres_cluster: Any
) -> None:
    settings = make_settings(tmp_path, database_url=database_url, database_timeout_s=2.0)
    _filled(settings)
    _build(settings)
    question = QUESTIONS[0]
    with serve(settings) as live, live.client() as client:
        assert client.get("/ask", params={"q": question}).status_code == 200
        postgres_cluster.stop()
        try:
            away = client.get("/ask", params={"q": question})
            assert_error(away, 503, "database_unavailable")
            assert_error(client.get("/articles"), 503, "database_unavailable")
            assert client.get("/health").status_code == 200  # the process itself is fine
        finally:
            postgres_cluster.start()
        assert wait_until(lambda: client.get("/ask", params={"q": question}).status_code == 200)
        assert client.get("/articles").status_code == 200


def test_concurrent_first_connections_migrate_once(database_url: str) -> None:
    errors: list[BaseException] = []

    def open_one() -> None:
        database = Database(database_url)
        try:
            with database.connection() as conn:
                conn.execute("SELECT count(*) FROM articles")
        except BaseException as exc:
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def test_each_collection_has_its_own_index_versions(tmp_path: Path, database_url: str) -> None:
    engine = _filled(_settings(tmp_path, database_url))
    default_version = engine.build().version
    club = engine.for_collection("club")
    outcome = club.add_raw("lighthouse", LIGHTHOUSE)
    assert outcome.article_id is not None
    assert [a.id for a in club.articles()] == [outcome.article_id]
    assert outcome.article_id not in {a.id for a in engine.articles(0, 100)}
    assert engine.get(outcome.article_id).collection == "club"
    # Adding to club leaves default current; club's build publishes club's version alone.
    assert engine.status().up_to_date and not club.status().up_to_date
    report = club.build()
    assert report.articles == 1
    assert engine.current_version() == default_version
    assert club.current_version() == report.version != default_version
    assert engine.collections() == ["club", "default"]
    answer = club.ask("Who kept a logbook of every storm?")
    assert answer.answered and {q.article.id for q in answer.quotes} == {outcome.article_id}
    assert outcome.article_id not in {
        q.article.id for q in engine.ask("Who kept a logbook of every storm?").quotes
    }
    # Rebuilding club again keeps default's version and prunes only club's.
    for _ in range(4):
        club.build()
    assert engine.current_version() == default_version
    assert engine.manifest(default_version) is not None
    # Each collection builds under its own lock: a default build does not block club's.
    with psycopg.connect(database_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK,))
        with pytest.raises(RebuildInProgress):
            engine.probe_build_lock()
        club.probe_build_lock()
