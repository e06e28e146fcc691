"""Issue 15, items 1-2: hostile files are one failed line each, and never take the others down."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import pytest

from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.service import ingest
from articleqa.store import ArticleStore
from articleqa.watch import Watcher
from tests.reliability.helpers import run_cli

GOOD_TEXT = "A good article\n\nThe council approved the new library on Tuesday evening.\n"


def _hostile_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    deep = folder / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    digits = folder / "digits.json"
    digits.write_text('{"title": "t", "text": "x", "n": ' + "9" * 5001 + "}")
    record = {"title": "Fine record", "text": "This record is fine on its own."}
    lines = folder / "partial.jsonl"
    lines.write_text(
        json.dumps(record) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + json.dumps(record)
    )
    return [deep, digits, lines]


def test_hostile_json_is_one_failure_per_file_and_the_good_file_is_added(
    tmp_path: Path,
) -> None:
    bad = _hostile_files(tmp_path / "bad")
    good = tmp_path / "good.txt"
    good.write_text(GOOD_TEXT)
    home = tmp_path / "home"

    result = run_cli(home, "add", *map(str, bad), str(good))

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert len(failed) == 3, result.stderr
    assert "nested too deeply" in failed[0]
    assert "4300" in failed[1] or "digits" in failed[1]
    assert "line 2" in failed[2] and "nothing from this file was added" in failed[2]
    # Only the good file: nothing of the JSON Lines file around its bad line.
    assert [a.title for a in ArticleStore(home).list()] == ["A good article"]


def test_a_jsonl_file_with_a_bad_line_adds_nothing_and_names_the_line(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "feed.jsonl"
    record = {"title": "T", "text": "Body text of a record."}
    path.write_text("\n".join([json.dumps(record), "{oops", json.dumps({"title": "x"})]) + "\n")
    store = ArticleStore(settings.home)

    [outcome] = ingest([str(path)], store, settings)

    assert outcome.failed
    assert outcome.error is not None
    assert outcome.error.startswith("line 2: invalid JSON")
    assert "1 more bad line(s): 3" in outcome.error
    assert store.count() == 0


def test_watcher_starts_over_a_folder_holding_hostile_files(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "watched"
    _hostile_files(folder)
    (folder / "good.txt").write_text(GOOD_TEXT)
    stop = threading.Event()
    watcher = Watcher(settings, folder, embedder=FakeEmbedder(), stop_event=stop, tick_s=0.05)
    caplog.set_level(logging.ERROR)

    # The start-up scan (reconcile) and its first build, as `articleqa watch` runs them.
    watcher._startup()

    assert watcher.ready.is_set()
    assert [a.title for a in watcher.engine.articles()] == ["A good article"]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 3, errors


def test_watcher_start_survives_a_reader_that_raises_anything(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TEXT)
    (folder / "bad.md").write_text("# Title\n\nBody.\n")
    watcher = Watcher(settings, folder, embedder=FakeEmbedder(), tick_s=0.05)
    real = watcher.engine.add

    def ingest_failing_on_md(sources: list[str], *args: object, **kwargs: object) -> object:
        if sources[0].endswith(".md"):
            raise RuntimeError("simulated defect below the readers")
        return real(sources, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watcher.engine, "add", ingest_failing_on_md)

    watcher.reconcile()

    assert [a.title for a in watcher.engine.articles()] == ["A good article"]
