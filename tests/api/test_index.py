"""Rebuilds and hot swaps: API rebuilds, `articleqa index` in another process, corrupt snapshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from articleqa.api.state import Rebuilder
from articleqa.config import Settings
from articleqa.errors import StorageError
from articleqa.indexer import BuildReport
from articleqa.snapshot import PASSAGES, build_lock, publish, snapshots_dir
from tests.api.conftest import WRITE_TOKEN, LiveServer, add_articles, assert_error, wait_until
from tests.api.test_articles import NEW_ARTICLE, QUESTION, rebuild


def test_index_built_by_another_process_is_picked_up(live: LiveServer) -> None:
    from articleqa.models import RawArticle

    with live.client() as client:
        before = client.get("/index").json()
        add_articles(
            live.settings,
            [RawArticle(title=str(NEW_ARTICLE["title"]), text=str(NEW_ARTICLE["text"]))],
        )
        env = {
            **os.environ,
            "ARTICLEQA_HOME": str(live.settings.home),
            "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        }
        result = subprocess.run(
            [sys.executable, "-m", "articleqa", "index", "--quiet"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert wait_until(lambda: client.get("/index").json()["version"] != before["version"])
        answer = client.post("/ask", json={"question": QUESTION}).json()
    assert answer["index_version"] != before["version"]
    assert "logbook" in answer["quotes"][0]["text"]


def test_second_rebuild_while_one_runs_is_409(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_build = Rebuilder._build

    def slow_build(self: Rebuilder, collection: str) -> BuildReport:
        release.wait(60)
        return real_build(self, collection)

    monkeypatch.setattr(Rebuilder, "_build", slow_build)
    with live.client(WRITE_TOKEN) as client:
        first = client.post("/index/rebuild")
        assert first.status_code == 202
        assert client.get("/index").json()["rebuilding"] is True
        error = assert_error(client.post("/index/rebuild"), 409, "rebuild_in_progress")
        assert first.json()["job_id"] in error["message"]
        release.set()
        job_id = first.json()["job_id"]
        assert wait_until(
            lambda: client.get(f"/index/rebuild/{job_id}").json()["status"] != "running"
        )
        assert client.get(f"/index/rebuild/{job_id}").json()["status"] == "succeeded"
        assert client.post("/index/rebuild").status_code == 202  # free again


def test_rebuild_refused_while_another_process_holds_the_lock(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        with build_lock(live.settings.home):
            assert_error(client.post("/index/rebuild"), 409, "rebuild_in_progress")
            assert client.get("/index").json()["rebuilding"] is False
        assert client.post("/index/rebuild").status_code == 202


def test_accepted_rebuild_waits_for_a_build_that_took_the_lock_after_the_probe(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Failure injection: the lock is free at the probe and taken before the job's build.
    monkeypatch.setattr(Rebuilder, "_probe_lock", lambda self, engine: None)
    building = threading.Event()
    original_build = Rebuilder._build

    def announced_build(self: Rebuilder, collection: str) -> BuildReport:
        building.set()
        return original_build(self, collection)

    monkeypatch.setattr(Rebuilder, "_build", announced_build)
    with live.client(WRITE_TOKEN) as client:
        with build_lock(live.settings.home):
            started = client.post("/index/rebuild")
            assert started.status_code == 202
            job_id = started.json()["job_id"]
            assert building.wait(30)

            def finished() -> bool:
                return client.get(f"/index/rebuild/{job_id}").json()["status"] != "running"

            # The job reached its build while the lock is held: it waits instead of failing.
            assert not wait_until(finished, timeout_s=2)
        assert wait_until(finished)
        job = client.get(f"/index/rebuild/{job_id}").json()
        assert job["status"] == "succeeded", job
        assert client.get("/index").json()["last_error"] is None


def test_asks_during_a_rebuild_all_succeed(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_build = Rebuilder._build

    def held_build(self: Rebuilder, collection: str) -> BuildReport:
        release.wait(60)  # keep the rebuild running while the askers are at work
        return real_build(self, collection)

    monkeypatch.setattr(Rebuilder, "_build", held_build)
    statuses: list[int] = []
    versions: set[str] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def asker() -> None:
        with live.client() as client:
            while not stop.is_set():
                response = client.post("/ask", json={"question": QUESTION})
                with lock:
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        versions.add(response.json()["index_version"])

    with live.client(WRITE_TOKEN) as client:
        old_version = client.get("/index").json()["version"]
        assert client.post("/articles", json=NEW_ARTICLE).status_code == 201
        threads = [threading.Thread(target=asker) for _ in range(6)]
        for thread in threads:
            thread.start()
        job_id = client.post("/index/rebuild").json()["job_id"]
        assert wait_until(lambda: len(statuses) >= 20)
        release.set()
        assert wait_until(
            lambda: client.get(f"/index/rebuild/{job_id}").json()["status"] != "running"
        )
        new_version = client.get(f"/index/rebuild/{job_id}").json()["version"]
        # Keep asking until answers come from the new snapshot.
        assert wait_until(lambda: new_version in versions)
        stop.set()
        for thread in threads:
            thread.join(60)
    assert statuses and set(statuses) == {200}
    assert versions == {old_version, new_version}


def _corrupt_copy(home: Path, version: str) -> str:
    """Publish a copy of ``version`` whose passages file no longer matches its manifest."""
    copy = "99991231T235959999Z-corrupt"
    shutil.copytree(snapshots_dir(home) / version, snapshots_dir(home) / copy)
    with open(snapshots_dir(home) / copy / PASSAGES, "a", encoding="utf-8") as handle:
        handle.write("garbage\n")
    publish(home, copy)
    return copy


def test_corrupt_snapshot_keeps_the_old_one_served(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        good = client.get("/index").json()["version"]
        corrupt = _corrupt_copy(live.settings.home, good)
        assert wait_until(lambda: client.get("/index").json()["fallback_reason"] is not None)
        status = client.get("/index").json()
        assert status["version"] == good
        assert corrupt in status["fallback_reason"]
        assert "does not match its hash" in status["last_error"]
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["version"] == good
        assert health.json()["fallback_reason"]
        answer = client.post("/ask", json={"question": "Who won the regional science fair?"})
        assert answer.status_code == 200
        assert answer.json()["index_version"] == good
        metrics = client.get("/metrics").text
        assert "articleqa_index_load_failures_total 1.0" in metrics

        # A fresh rebuild publishes a good snapshot and clears the fallback.
        job = rebuild(client)
        assert job["status"] == "succeeded"
        status = client.get("/index").json()
    assert status["version"] == job["version"]
    assert status["fallback_reason"] is None
    assert status["last_error"] is None


def test_failed_rebuild_is_reported(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_build(self: Rebuilder, collection: str) -> BuildReport:
        raise StorageError("no space left on device while writing snapshot")

    monkeypatch.setattr(Rebuilder, "_build", broken_build)
    with live.client(WRITE_TOKEN) as client:
        before = client.get("/index").json()["version"]
        job = rebuild(client)
        assert job["status"] == "failed"
        assert "no space left" in str(job["error"])
        assert job["finished_at"] is not None
        status = client.get("/index").json()
        assert status["version"] == before
        assert "no space left" in status["last_error"]
        assert client.post("/ask", json={"question": QUESTION}).status_code == 200
        metrics = client.get("/metrics").text
    assert "articleqa_rebuild_failures_total 1.0" in metrics


def test_unknown_job_is_404(live: LiveServer) -> None:
    with live.client() as client:
        assert_error(client.get("/index/rebuild/nope"), 404, "job_not_found")


def test_index_status_describes_the_served_snapshot(live: LiveServer) -> None:
    with httpx.Client(base_url=live.base_url) as client:
        status = client.get("/index").json()
    assert status["articles"] == 3
    assert status["passages"] >= 3
    assert status["model"] == "fake-hash-384"
    assert status["index_type"] == "flat"
    assert status["built_at"] is not None
    assert status["rebuilding"] is False
    assert status["last_error"] is None and status["fallback_reason"] is None


def test_request_in_flight_during_a_swap_finishes_on_its_snapshot(api_settings: Settings) -> None:
    from tests.api.conftest import ARTICLES, EXTRA_ARTICLE, build_index, serve
    from tests.api.test_batcher import GatedEmbedder

    add_articles(api_settings, ARTICLES)
    old_version = build_index(api_settings).version
    add_articles(api_settings, [EXTRA_ARTICLE])  # something for the rebuild to build
    embedder = GatedEmbedder()  # holds the first question inside the model call
    with serve(api_settings, embedder=embedder) as live, live.client(WRITE_TOKEN) as client:
        in_flight: dict[str, httpx.Response] = {}

        def ask() -> None:
            with live.client() as own:
                in_flight["response"] = own.post("/ask", json={"question": "tram extension"})

        asker = threading.Thread(target=ask)
        asker.start()
        assert embedder.entered.wait(60)
        job = rebuild(client)  # builds, publishes and swaps while the question is held
        assert job["status"] == "succeeded"
        assert client.get("/index").json()["version"] == job["version"] != old_version
        embedder.release.set()
        asker.join(60)
        response = in_flight["response"]
        assert response.status_code == 200
        assert response.json()["index_version"] == old_version
        after = client.post("/ask", json={"question": "tram extension"}).json()
    assert after["index_version"] == job["version"]


def test_startup_with_a_corrupt_current_snapshot_serves_the_previous_one(
    api_settings: Settings,
) -> None:
    from tests.api.conftest import ARTICLES, build_index, serve

    add_articles(api_settings, ARTICLES)
    good = build_index(api_settings).version
    corrupt = _corrupt_copy(api_settings.home, good)
    with serve(api_settings) as live, live.client() as client:
        status = client.get("/index").json()
        assert status["version"] == good
        assert corrupt in status["fallback_reason"]
        assert client.get("/health").json()["fallback_reason"]
        assert client.post("/ask", json={"question": QUESTION}).status_code == 200


def test_startup_with_no_usable_snapshot_still_serves_and_explains(
    api_settings: Settings,
) -> None:
    from tests.api.conftest import ARTICLES, build_index, serve

    add_articles(api_settings, ARTICLES)
    version = build_index(api_settings).version
    (snapshots_dir(api_settings.home) / version / PASSAGES).write_text("garbage\n")
    with serve(api_settings) as live, live.client(WRITE_TOKEN) as client:
        error = assert_error(client.get("/health"), 503, "index_not_built")
        assert "does not match its hash" in error["message"]
        assert "does not match its hash" in client.get("/index").json()["last_error"]
        assert client.get("/articles").json()["total"] == len(ARTICLES)
        assert rebuild(client)["status"] == "succeeded"  # the way out
        assert client.get("/health").status_code == 200


def test_changes_list_the_articles_a_version_added(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        before = client.get("/index").json()["version"]
        added = client.post("/articles", json=NEW_ARTICLE).json()["article"]
        after = rebuild(client)["version"]
        changes = client.get("/index/changes", params={"since": before}).json()
        assert changes["collection"] == "default" and changes["version"] == after
        assert changes["since_known"] is True
        assert [(a["id"], a["title"]) for a in changes["added"]] == [
            (added["id"], NEW_ARTICLE["title"])
        ]
        assert changes["added"][0]["published"] == NEW_ARTICLE["published"]
        unchanged = client.get("/index/changes", params={"since": after}).json()
        assert unchanged["added"] == [] and unchanged["since_known"] is True
        forgotten = client.get("/index/changes", params={"since": "20200101T000000000Z-abcdef"})
        assert forgotten.json()["since_known"] is False and forgotten.json()["added"] == []
        for bad in ("../../etc", "latest", ""):
            assert_error(client.get("/index/changes", params={"since": bad}), 422)
