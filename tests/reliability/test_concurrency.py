"""Rebuilds started at once are serialized or refused, never interleaved; asks never fail.

tests/indexer and tests/api/test_index.py cover two builds in one process, an API rebuild
while the lock is held in-process, and asks during an API rebuild. Here the contenders are
real ``articleqa index`` processes, the API, and askers while other processes publish.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import threading
from pathlib import Path

from articleqa.snapshot import current_version, list_versions, load_snapshot
from tests.api.conftest import (
    ARTICLES,
    WRITE_TOKEN,
    add_articles,
    assert_error,
    build_index,
    make_settings,
    serve,
    wait_until,
)
from tests.reliability.helpers import (
    assert_every_visible_snapshot_is_complete,
    cli_env,
    generated_articles,
    run_cli,
    staging_folders,
    start_held,
)

QUESTION = "Who won the regional science fair?"
BUSY = "another index rebuild is running"


def _published(stdout: str) -> str:
    found = re.search(r"published (\S+):", stdout)
    assert found is not None, stdout
    return found.group(1)


def test_a_rebuild_started_while_another_runs_is_refused_or_waits(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", keep_snapshots=5)
    add_articles(settings, ARTICLES)
    first = build_index(settings).version
    add_articles(settings, generated_articles(3))
    with serve(settings) as live, live.client(WRITE_TOKEN) as client:
        holder = start_held(settings.home, tmp_path / "crash", "before-write", "index", "-q")
        holder.wait_at_stage()

        refused = run_cli(settings.home, "index", "--quiet")
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"error: {BUSY}")
        assert_error(client.post("/index/rebuild"), 409, "rebuild_in_progress")
        waiting = subprocess.Popen(
            [sys.executable, "-m", "articleqa", "index", "--quiet", "--wait", "120"],
            env=cli_env(settings.home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Still no snapshot from either while the first holds the lock.
        assert current_version(settings.home) == first

        code, out, err = holder.release()
        assert code == 0, err
        held_version = _published(out)
        out, err = waiting.communicate(timeout=300)
        assert waiting.returncode == 0, err
        # Serialized: the waiting build ran after the first one published, and found what it
        # was to build already built (nothing changed since), so it published nothing.
        assert out.startswith(f"unchanged: {held_version} is current"), out
        assert current_version(settings.home) == held_version
        assert wait_until(lambda: client.get("/index").json()["version"] == held_version)
        assert client.post("/ask", json={"question": QUESTION}).status_code == 200

    versions = assert_every_visible_snapshot_is_complete(settings.home)
    assert versions == [first, held_version]
    assert staging_folders(settings.home) == []


def test_two_rebuild_processes_started_together_never_interleave(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", keep_snapshots=10)
    add_articles(settings, ARTICLES + generated_articles(6))
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "articleqa", "index", "--quiet"],
            env=cli_env(settings.home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(p.wait(300), *p.communicate()) for p in processes]
    succeeded = [out for code, out, _ in outcomes if code == 0]
    refused = [err for code, _, err in outcomes if code != 0]
    assert succeeded, outcomes
    for err in refused:
        assert err.startswith(f"error: {BUSY}"), err
    # A process that took the lock only once the other had published finds nothing changed
    # and publishes nothing: serialized too ("unchanged: <the other's version> is current").
    published = sorted(_published(out) for out in succeeded if not out.startswith("unchanged:"))
    for out in succeeded:
        if out.startswith("unchanged:"):
            assert out.startswith(f"unchanged: {published[-1]} is current"), out
    assert list_versions(settings.home) == published
    assert current_version(settings.home) == published[-1]
    for version in published:
        snapshot = load_snapshot(settings.home, version)
        assert len(snapshot.articles) == len(ARTICLES) + 6
    assert staging_folders(settings.home) == []


def test_asks_while_other_processes_rebuild_and_swap_never_fail(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    build_index(settings)
    statuses: list[int] = []
    versions: set[str] = set()
    stop = threading.Event()
    lock = threading.Lock()

    with serve(settings) as live:

        def asker() -> None:
            with live.client() as client:
                while not stop.is_set():
                    response = client.post("/ask", json={"question": QUESTION})
                    with lock:
                        statuses.append(response.status_code)
                        if response.status_code == 200:
                            versions.add(response.json()["index_version"])

        threads = [threading.Thread(target=asker) for _ in range(6)]
        for thread in threads:
            thread.start()
        try:
            published = []
            for round_ in range(3):
                add_articles(settings, generated_articles(1, start=round_))
                result = run_cli(settings.home, "index", "--quiet")
                assert result.returncode == 0, result.stderr
                published.append(_published(result.stdout))
                assert wait_until(functools.partial(versions.__contains__, published[-1]))
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
    assert statuses and set(statuses) == {200}
    assert set(published) <= versions
