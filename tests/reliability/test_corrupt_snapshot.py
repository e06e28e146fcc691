"""Corrupted or missing snapshot files: the service serves the last good snapshot and says so.

tests/api/test_index.py already publishes a snapshot with lines appended to passages.jsonl;
here the damage is flipped bytes in vectors.faiss and a deleted passages.jsonl, found both by a
running server (a newly published version) and by a server starting over a damaged CURRENT.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from articleqa import indexer as indexer_module
from articleqa.snapshot import (
    PASSAGES,
    VECTORS,
    current_version,
    publish,
    rollback,
    snapshots_dir,
)
from tests.api.conftest import (
    ARTICLES,
    add_articles,
    assert_error,
    build_index,
    make_settings,
    serve,
    wait_until,
)
from tests.reliability.helpers import generated_articles

QUESTION = "Who won the regional science fair?"


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(len(data) // 2, len(data) // 2 + 16):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def delete(path: Path) -> None:
    path.unlink()


DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    (VECTORS, flip_bytes, "does not match its hash"),
    (PASSAGES, delete, f"is missing {PASSAGES}"),
]


@pytest.mark.parametrize(("name", "damage", "reported"), DAMAGE, ids=["flipped", "deleted"])
def test_a_damaged_new_snapshot_is_refused_and_the_served_one_kept(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    damage: Callable[[Path], None],
    reported: str,
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    good = build_index(settings).version
    with serve(settings) as live, live.client() as client:
        add_articles(settings, generated_articles(2))
        # Built but not yet published, so it can be damaged before the server sees it.
        with monkeypatch.context() as patch:
            patch.setattr(indexer_module, "publish", lambda home, version: None)
            # Pruning would remove it now: a folder never published is an orphan.
            patch.setattr(indexer_module, "prune", lambda home, keep: [])
            damaged = build_index(settings).version
        damage(snapshots_dir(settings.home) / damaged / name)
        publish(settings.home, damaged)

        assert wait_until(lambda: client.get("/index").json()["fallback_reason"] is not None)
        status = client.get("/index").json()
        assert status["version"] == good
        assert damaged in status["fallback_reason"] and reported in status["fallback_reason"]
        assert reported in status["last_error"]
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json() == {
            **health.json(),
            "version": good,
            "fallback_reason": status["fallback_reason"],
        }
        answer = client.post("/ask", json={"question": QUESTION})
        assert answer.status_code == 200 and answer.json()["index_version"] == good


def test_server_starting_over_damaged_snapshots_serves_the_newest_good_one(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    oldest = build_index(settings).version
    add_articles(settings, generated_articles(1))
    middle = build_index(settings).version
    add_articles(settings, generated_articles(1, start=1))
    newest = build_index(settings).version
    assert current_version(settings.home) == newest

    with serve(settings) as live, live.client() as client:
        # Damage on disk under a running server: it keeps answering from memory.
        flip_bytes(snapshots_dir(settings.home) / newest / VECTORS)
        publish(settings.home, newest)  # re-published under the same name
        answer = client.post("/ask", json={"question": QUESTION})
        assert answer.status_code == 200 and answer.json()["index_version"] == newest

    # Restarted (a deploy, a crash): CURRENT is unusable, the previous snapshot is served.
    with serve(settings) as live, live.client() as client:
        status = client.get("/index").json()
        assert status["version"] == middle
        assert newest in status["fallback_reason"] and "does not match" in status["last_error"]
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["fallback_reason"]
        assert client.post("/ask", json={"question": QUESTION}).json()["index_version"] == middle

    (snapshots_dir(settings.home) / middle / PASSAGES).unlink()
    with serve(settings) as live, live.client() as client:
        status = client.get("/index").json()
        assert status["version"] == oldest
        assert newest in status["fallback_reason"]

    flip_bytes(snapshots_dir(settings.home) / oldest / VECTORS)
    with serve(settings) as live, live.client() as client:
        # Nothing usable: the service is up, says why, and refuses questions with 503.
        error = assert_error(client.get("/health"), 503, "index_not_built")
        assert "no earlier snapshot could be loaded" in error["message"]
        assert_error(client.post("/ask", json={"question": QUESTION}), 503)
        assert client.get("/index").json()["version"] is None

        # A fresh build repairs it without a restart.
        repaired = build_index(settings).version
        assert wait_until(lambda: client.get("/health").status_code == 200)
        status = client.get("/index").json()
    assert status["version"] == repaired
    assert status["fallback_reason"] is None and status["last_error"] is None


def test_fallback_never_serves_a_snapshot_that_was_rolled_back_from(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    oldest = build_index(settings).version
    add_articles(settings, generated_articles(1))
    middle = build_index(settings).version
    add_articles(settings, generated_articles(1, start=1))
    bad_release = build_index(settings).version
    assert rollback(settings.home) == middle  # an operator backed out of the newest one
    flip_bytes(snapshots_dir(settings.home) / middle / VECTORS)

    with serve(settings) as live, live.client() as client:
        status = client.get("/index").json()
    assert status["version"] == oldest != bad_release
    assert middle in status["fallback_reason"]
