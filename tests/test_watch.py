"""The folder watcher: a real watchfiles watcher in a thread (or the real CLI in a subprocess),
checked through what it publishes: the current snapshot, searched with the real Searcher."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from articleqa.cli.main import main
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.indexer import BuildReport
from articleqa.search import Searcher
from articleqa.snapshot import build_lock, current_version, load_best
from articleqa.store import ArticleStore
from articleqa.watch import Watcher, file_of_source

WAIT_S = 90.0

HERON = """Student robot wins the river science prize

Priya Raman built a floating robot called Heron that skims plastic bottle caps from the canal.
The judges praised the solar panels and the conveyor belt taken from an old treadmill.
Heron collected nine kilograms of plastic during a two week trial on the canal.
"""

GLACIER = """Glacier observatory records the fastest retreat in a century

Scientists at the Vatnajokull observatory measured the glacier tongue retreating ninety metres.
The survey team used drones and ground radar to map the ice thickness across the valley.
Meltwater lakes at the glacier front doubled in size since the previous autumn survey.
"""

GLACIER_EDITED = """Glacier observatory records the fastest retreat in a century

Scientists at the Vatnajokull observatory counted seventeen new meltwater caves this winter.
Cave explorers mapped turquoise tunnels beneath the ice with laser scanners and lanterns.
The caves collapse each spring, so the observatory publishes the maps before the thaw.
"""

LIGHTHOUSE = """Lighthouse keeper museum opens on the harbour wall

The old lighthouse keeper cottage opened as a museum with brass lamps and foghorn recordings.
Visitors climb the spiral staircase to see the rotating Fresnel lens polished every morning.
The harbour trust restored the cottage roof with slate from the original quarry.
"""


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    """Poll until ``predicate`` holds; the bound only keeps a broken run from hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def indexed_texts(home: Path) -> list[str]:
    if current_version(home) is None:
        return []
    return [a.text for a in load_best(home).snapshot.articles.values()]


def indexed(home: Path, phrase: str) -> bool:
    return any(phrase in text for text in indexed_texts(home))


def best_quote_title(settings: Settings, question: str) -> str | None:
    snapshot = load_best(settings.home).snapshot
    answer = Searcher(snapshot, FakeEmbedder(), settings).ask(question, k=1)
    return answer.quotes[0].article.title if answer.quotes else None


@pytest.fixture
def watch_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"watch_debounce_ms": 300, "watch_retry_s": 0.2})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "articles"
    path.mkdir()
    return path


@contextmanager
def running_watcher(watcher: Watcher) -> Iterator[threading.Thread]:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            watcher.run()
        except BaseException as exc:  # surfaced by the test below, not swallowed
            errors.append(exc)
            raise

    thread = threading.Thread(target=target, name="watcher", daemon=True)
    thread.start()
    try:
        wait_for(lambda: watcher.ready.is_set() or not thread.is_alive(), "the watcher to start")
        assert thread.is_alive(), f"watcher died at start: {errors}"
        yield thread
    finally:
        watcher.stop()
        thread.join(timeout=WAIT_S)
    assert not thread.is_alive(), "watcher did not stop"
    assert not errors, errors


def test_added_edited_deleted_and_broken_files(
    watch_settings: Settings, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="articleqa")
    (folder / "heron.txt").write_text(HERON)
    watcher = Watcher(watch_settings, folder, embedder=FakeEmbedder(), tick_s=0.2)
    home = watch_settings.home
    with running_watcher(watcher) as thread:
        # The file present at start is indexed by the startup reconcile.
        assert indexed(home, "floating robot called Heron")
        assert best_quote_title(watch_settings, "robot Heron plastic canal") == (
            "Student robot wins the river science prize"
        )

        (folder / "glacier.md").write_text(f"---\ntitle: Glacier retreat\n---\n\n{GLACIER}")
        wait_for(lambda: indexed(home, "glacier tongue retreating"), "the dropped file")
        assert (
            best_quote_title(watch_settings, "glacier tongue retreat metres") == "Glacier retreat"
        )

        (folder / "glacier.md").write_text(f"---\ntitle: Glacier caves\n---\n\n{GLACIER_EDITED}")
        wait_for(lambda: indexed(home, "seventeen new meltwater caves"), "the edited text")
        assert not indexed(home, "glacier tongue retreating"), "the old text is still indexed"
        assert best_quote_title(watch_settings, "meltwater caves laser scanners") == "Glacier caves"
        assert len(ArticleStore(home).ids_by_source(str((folder / "glacier.md").resolve()))) == 1

        (folder / "glacier.md").unlink()
        wait_for(lambda: not indexed(home, "meltwater caves"), "the deleted file to leave")
        assert ArticleStore(home).ids_by_source(str((folder / "glacier.md").resolve())) == []

        (folder / "broken.txt").write_bytes(b"\x00\x01\x02\xff\xfe binary \x00" * 50)
        (folder / "empty.md").write_text("")
        (folder / "lighthouse.txt").write_text(LIGHTHOUSE)
        wait_for(lambda: indexed(home, "rotating Fresnel lens"), "the good file after broken ones")
        assert thread.is_alive()
        assert indexed(home, "floating robot called Heron")
    logged = caplog.text
    assert "broken.txt" in logged and "not ingested" in logged
    assert "empty.md" in logged


def test_startup_reconciles_changes_made_while_stopped(
    watch_settings: Settings, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="articleqa.watch")
    home = watch_settings.home
    (folder / "heron.txt").write_text(HERON)
    (folder / "glacier.txt").write_text(GLACIER)
    (folder / "sub").mkdir()
    (folder / "sub" / "lighthouse.txt").write_text(LIGHTHOUSE)
    with running_watcher(Watcher(watch_settings, folder, embedder=FakeEmbedder(), tick_s=0.2)):
        assert indexed(home, "glacier tongue retreating")
    first = current_version(home)

    # While no watcher runs: one file deleted, one edited, one added.
    (folder / "sub" / "lighthouse.txt").unlink()
    (folder / "glacier.txt").write_text(GLACIER_EDITED)
    (folder / "new.txt").write_text(HERON.replace("Heron", "Egret").replace("Student", "Pupil"))
    caplog.clear()
    with running_watcher(Watcher(watch_settings, folder, embedder=FakeEmbedder(), tick_s=0.2)):
        assert current_version(home) != first
        texts = indexed_texts(home)
        assert not any("Fresnel" in t for t in texts)
        assert any("seventeen new meltwater caves" in t for t in texts)
        assert not any("glacier tongue retreating" in t for t in texts)
        assert any("robot called Egret" in t for t in texts)
        assert any("robot called Heron" in t for t in texts)
        assert ArticleStore(home).count() == 3
    # heron.txt was unchanged, so only the edited and the added file were read again.
    assert "3 files, 2 read" in caplog.text


def test_burst_of_files_is_one_rebuild(
    watch_settings: Settings, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[Settings] = []

    def counting_load_embedder(settings: Settings) -> FakeEmbedder:
        loads.append(settings)
        return FakeEmbedder()

    monkeypatch.setattr("articleqa.embedding.load_embedder", counting_load_embedder)
    watcher = Watcher(watch_settings, folder)
    watcher.reconcile()
    reports: list[BuildReport] = []
    watcher.on_rebuild = reports.append
    # An empty folder: nothing to build yet, and that is not a failure (issue 15, item 9).
    assert watcher.rebuild_if_needed() is None
    assert reports == []
    paths = []
    for number, text in enumerate([HERON, GLACIER, LIGHTHOUSE, GLACIER_EDITED]):
        path = folder / f"article-{number}.txt"
        path.write_text(text)
        paths.append(str(path))
    watcher.apply_changes(paths)
    assert watcher.rebuild_if_needed() is not None
    assert watcher.rebuild_if_needed() is None, "nothing changed, yet it rebuilt again"
    assert [r.articles for r in reports] == [4]
    assert reports[0].embedded > 0
    (folder / "article-0.txt").unlink()
    watcher.apply_changes([str(folder / "article-0.txt")])
    assert watcher.rebuild_if_needed() is not None
    assert reports[1].articles == 3 and reports[1].embedded == 0
    assert len(loads) == 1, "the embedder was loaded more than once"


def test_folder_moved_in_and_deleted_whole(
    watch_settings: Settings, folder: Path, tmp_path: Path
) -> None:
    home = watch_settings.home
    outside = tmp_path / "incoming"
    outside.mkdir()
    (outside / "heron.txt").write_text(HERON)
    records_text = "".join(
        json.dumps({"title": title, "text": text}) + "\n"
        for title, text in (("Glacier", GLACIER), ("Lighthouse", LIGHTHOUSE))
    )
    (outside / "records.jsonl").write_text(records_text)
    with running_watcher(Watcher(watch_settings, folder, embedder=FakeEmbedder(), tick_s=0.2)):
        os.rename(outside, folder / "incoming")
        wait_for(lambda: indexed(home, "rotating Fresnel lens"), "the moved-in folder")
        assert indexed(home, "robot called Heron") and indexed(home, "glacier tongue")
        sources = {m.source for m in ArticleStore(home).list(0, 10)}
        records = str((folder / "incoming" / "records.jsonl").resolve())
        assert {file_of_source(s) for s in sources if s} == {
            records,
            str((folder / "incoming" / "heron.txt").resolve()),
        }
        for child in (folder / "incoming").iterdir():
            child.unlink()
        (folder / "incoming").rmdir()
        wait_for(lambda: indexed_texts(home) == [], "every article of the deleted folder to leave")
        assert ArticleStore(home).count() == 0


def test_rebuild_refused_while_another_runs_is_retried(
    watch_settings: Settings, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="articleqa.watch")
    home = watch_settings.home
    watcher = Watcher(watch_settings, folder, embedder=FakeEmbedder(), tick_s=0.2)
    with running_watcher(watcher) as thread:
        version = current_version(home)
        with build_lock(home):
            (folder / "heron.txt").write_text(HERON)
            wait_for(lambda: ArticleStore(home).count() == 1, "the file to be stored")
            # Several retry periods pass while the lock is held; the watcher keeps going.
            wait_for(lambda: caplog.text.count("another index rebuild is running") >= 3, "retries")
            assert thread.is_alive()
            assert current_version(home) == version
        wait_for(lambda: indexed(home, "robot called Heron"), "the retried rebuild")


def test_watch_command_stops_cleanly_on_sigterm(folder: Path, home: Path) -> None:
    (folder / "heron.txt").write_text(HERON)
    env = {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "ARTICLEQA_WATCH_DEBOUNCE_MS": "300",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "articleqa", "watch", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: indexed(home, "robot called Heron") or process.poll() is not None, "start")
        assert process.poll() is None, process.communicate()
        (folder / "glacier.txt").write_text(GLACIER)
        wait_for(lambda: indexed(home, "glacier tongue retreating"), "the dropped file")
        process.send_signal(signal.SIGTERM)
        _stdout, stderr = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert "received SIGTERM" in stderr
    assert "watcher stopped" in stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def articleqa_process(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "articleqa", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.communicate(timeout=WAIT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def test_running_server_answers_what_the_watcher_publishes(folder: Path, home: Path) -> None:
    """`articleqa serve` and `articleqa watch` as separate processes sharing one home."""
    port = _free_port()
    env = {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "ARTICLEQA_WATCH_DEBOUNCE_MS": "300",
        "ARTICLEQA_RELOAD_INTERVAL_S": "0.2",
    }
    (folder / "heron.txt").write_text(HERON)
    base = f"http://127.0.0.1:{port}"
    with (
        articleqa_process(["serve", "--host", "127.0.0.1", "--port", str(port)], env) as server,
        articleqa_process(["watch", str(folder)], env) as watcher,
        httpx.Client(base_url=base, timeout=30) as client,
    ):

        def healthy() -> bool:
            assert server.poll() is None, server.communicate()[1]
            assert watcher.poll() is None, watcher.communicate()[1]
            try:
                return client.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        def serving_latest() -> bool:
            version = current_version(home)
            return version is not None and client.get("/index").json()["version"] == version

        def quotes(question: str) -> list[dict[str, Any]]:
            wait_for(serving_latest, "the server to load the latest snapshot")
            response = client.get("/ask", params={"q": question, "k": 3})
            assert response.status_code == 200, response.text
            found: list[dict[str, Any]] = response.json()["quotes"]
            return found

        wait_for(healthy, "the server to become healthy")
        assert "robot called Heron" in quotes("robot Heron plastic canal")[0]["text"]

        (folder / "glacier.txt").write_text(GLACIER)
        wait_for(lambda: indexed(home, "glacier tongue"), "the dropped file to be published")
        top = quotes("glacier tongue retreating metres")[0]
        assert "glacier tongue retreating" in top["text"]
        glacier_id = top["article"]["id"]

        (folder / "glacier.txt").write_text(GLACIER_EDITED)
        wait_for(lambda: indexed(home, "meltwater caves"), "the edit to be published")
        texts = [q["text"] for q in quotes("glacier meltwater caves laser scanners")]
        assert "seventeen new meltwater caves" in texts[0]
        assert not any("glacier tongue retreating" in t for t in texts)
        assert client.get(f"/articles/{glacier_id}").status_code == 404

        (folder / "glacier.txt").unlink()
        wait_for(lambda: not indexed(home, "meltwater caves"), "the deletion to be published")
        # Either no answer or quotes from another article: never the deleted one.
        remaining = quotes("glacier meltwater caves laser scanners")
        assert not any("meltwater" in q["text"] for q in remaining)
        listed = client.get("/articles").json()
        assert [a["title"] for a in listed["items"]] == [
            "Student robot wins the river science prize"
        ]

        (folder / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
        (folder / "lighthouse.txt").write_text(LIGHTHOUSE)
        wait_for(lambda: indexed(home, "Fresnel lens"), "a good file after a broken one")
        assert watcher.poll() is None, "the watcher died on a broken file"
        assert "Fresnel lens" in quotes("rotating Fresnel lens lighthouse")[0]["text"]


def test_watch_command_needs_something_to_watch(folder: Path, home: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--home", str(home), "watch"])
    assert result.exit_code == 2 and "give a FOLDER to watch, --feeds, or both" in result.output
    result = runner.invoke(main, ["--home", str(home), "watch", str(folder), "--interval", "5"])
    assert result.exit_code == 2 and "add --feeds" in result.output
    result = runner.invoke(main, ["--home", str(home), "watch", str(folder / "missing")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_watcher_of_one_collection_builds_that_collection_only(
    watch_settings: Settings, folder: Path, tmp_path: Path
) -> None:
    """Two watchers, each a folder for its own collection: a file dropped in one is indexed in
    its collection, and the other collection's published version stays as it was."""
    from articleqa import ArticleQA
    from articleqa.paths import HomePaths

    other = tmp_path / "club"
    other.mkdir()
    (folder / "heron.txt").write_text(HERON)
    (other / "lighthouse.txt").write_text(LIGHTHOUSE)
    engine = ArticleQA(watch_settings, embedder=FakeEmbedder())
    news, club = engine.for_collection("news"), engine.for_collection("club")
    paths = HomePaths(watch_settings.home)
    news_root, club_root = paths.index_root("news"), paths.index_root("club")
    with (
        running_watcher(Watcher(watch_settings, folder, tick_s=0.2, engine=news)),
        running_watcher(Watcher(watch_settings, other, tick_s=0.2, engine=club)),
    ):
        assert indexed(news_root, "floating robot called Heron")
        assert indexed(club_root, "rotating Fresnel lens")
        club_version = current_version(club_root)
        (folder / "glacier.txt").write_text(GLACIER)
        wait_for(lambda: indexed(news_root, "glacier tongue retreating"), "the news file")
        assert current_version(club_root) == club_version
        assert not indexed(club_root, "glacier tongue retreating")
        assert not indexed(news_root, "rotating Fresnel lens")
    assert current_version(watch_settings.home) is None  # default was never built
