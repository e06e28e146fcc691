"""``kill -9`` of a real ``articleqa index`` process at each stage of a rebuild, under a server.

The previous snapshot stays current and served (except once CURRENT was replaced, when the new,
complete one is), no visible snapshot folder is incomplete, the rebuild lock died with the
process, and the next ``articleqa index`` succeeds and clears any staging folder left behind.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

import httpx
import pytest
from bench.load import start_server

from articleqa.snapshot import current_version, list_versions, load_snapshot
from tests.api.conftest import (
    ARTICLES,
    WRITE_TOKEN,
    add_articles,
    build_index,
    make_settings,
    serve,
    wait_until,
)
from tests.reliability.helpers import (
    CRASHPOINT,
    REPO,
    assert_every_visible_snapshot_is_complete,
    generated_articles,
    run_cli,
    staging_folders,
    start_held,
)

QUESTION = "Who won the regional science fair?"


@pytest.mark.parametrize("stage", ["embedding", "before-write", "staged", "renamed", "published"])
def test_kill_9_during_a_rebuild_keeps_a_complete_snapshot_served(
    stage: str, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    first = build_index(settings)
    add_articles(settings, generated_articles(6))
    expected_articles = len(ARTICLES) + 6

    with serve(settings) as live, live.client() as client:
        held = start_held(settings.home, tmp_path / "crash", stage, "index", "--quiet")
        held.wait_at_stage()
        # While the build is stopped there, questions are still answered from the old one.
        assert client.post("/ask", json={"question": QUESTION}).status_code == 200
        held.kill_9()

        after_kill = current_version(settings.home)
        caches = list((settings.home / "embeddings").glob("*.sqlite"))
        assert caches
        for cache in caches:
            with sqlite3.connect(cache) as db:
                assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        visible = assert_every_visible_snapshot_is_complete(settings.home)
        if stage == "published":
            assert after_kill != first.version
            assert load_snapshot(settings.home).manifest.article_count == (expected_articles)
        else:
            assert after_kill == first.version
        # Hidden staging is left only by a kill between writing it and renaming it; a folder
        # renamed but never published is complete (and loads), it is just not current. The
        # new sentence rows are written into it once they are all embedded, before the rest
        # of the snapshot: a kill just before ``write_snapshot`` leaves it too.
        assert bool(staging_folders(settings.home)) == (stage in ("before-write", "staged"))
        assert len(visible) == (2 if stage in ("renamed", "published") else 1)
        assert wait_until(lambda: client.get("/index").json()["version"] == after_kill)
        answer = client.post("/ask", json={"question": QUESTION})
        assert answer.status_code == 200
        assert answer.json()["index_version"] == after_kill

        # The lock died with the process: the next build runs, and cleans up staging.
        result = run_cli(settings.home, "index", "--quiet")
        assert result.returncode == 0, result.stderr
        if stage == "published":
            # The killed build had published: nothing changed since, nothing is built again.
            assert result.stdout.startswith(f"unchanged: {after_kill} is current"), result.stdout
            assert current_version(settings.home) == after_kill
            return
        published = re.search(r"published (\S+): (\d+) articles", result.stdout)
        assert published is not None, result.stdout
        version = published.group(1)
        assert int(published.group(2)) == expected_articles
        assert current_version(settings.home) == version
        assert staging_folders(settings.home) == []
        assert_every_visible_snapshot_is_complete(settings.home)
        if stage != "embedding":
            # Every embedding was cached before the kill: nothing is paid twice.
            assert re.search(r"\(0 embedded, \d+ reused\)", result.stdout), result.stdout
        if stage == "embedding":
            # The chunks embedded before the kill were kept.
            reused = re.search(r"\((\d+) embedded, (\d+) reused\)", result.stdout)
            assert reused is not None and int(reused.group(2)) > first.passages
        assert wait_until(lambda: client.get("/index").json()["version"] == version)
        assert client.post("/ask", json={"question": QUESTION}).json()["index_version"] == version
    assert version in list_versions(settings.home)


@pytest.mark.parametrize("stage", ["staged", "renamed"])
def test_kill_9_of_the_server_during_an_api_rebuild(stage: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    first = build_index(settings).version
    add_articles(settings, generated_articles(2))
    folder = tmp_path / "crash"
    folder.mkdir()
    env = {
        "ARTICLEQA_API_TOKEN": WRITE_TOKEN,
        "ARTICLEQA_CRASHPOINT": stage,
        "ARTICLEQA_CRASHPOINT_DIR": str(folder),
        "PYTHONPATH": str(REPO),
    }
    server = start_server(settings.home, "fake", env, launcher=[sys.executable, str(CRASHPOINT)])
    try:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            headers = {"Authorization": f"Bearer {WRITE_TOKEN}"}
            assert client.post("/index/rebuild", headers=headers).status_code == 202
            assert wait_until(lambda: (folder / f"{stage}.reached").exists())
            assert client.post("/ask", json={"question": QUESTION}).status_code == 200
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(60)
    finally:
        server.stop()

    assert current_version(settings.home) == first
    assert_every_visible_snapshot_is_complete(settings.home)
    # Restarted without the crash point: the previous snapshot is served, a rebuild succeeds.
    restarted = start_server(settings.home, "fake", {"ARTICLEQA_API_TOKEN": WRITE_TOKEN})
    try:
        headers = {"Authorization": f"Bearer {WRITE_TOKEN}"}
        with httpx.Client(base_url=restarted.base_url, headers=headers, timeout=60) as client:
            assert client.get("/index").json()["version"] == first
            job_id = client.post("/index/rebuild").json()["job_id"]
            assert wait_until(
                lambda: client.get(f"/index/rebuild/{job_id}").json()["status"] != "running"
            )
            job = client.get(f"/index/rebuild/{job_id}").json()
            assert job["status"] == "succeeded", job
            assert job["embedded"] == 0, "the killed build's embeddings were cached"
            assert client.get("/index").json()["version"] == job["version"]
    finally:
        restarted.stop()
    assert staging_folders(settings.home) == []
