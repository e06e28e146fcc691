"""``kill -9`` of a real ``articleqa add`` of many files, inside a write transaction.

The store stays consistent (SQLite integrity check, every row whole, the uncommitted article
absent) and running the same ``add`` again finishes the job.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from articleqa.ingest.prepare import content_hash
from articleqa.paths import STORE_FILE
from articleqa.store import ArticleStore
from tests.reliability.helpers import generated_articles, run_cli, start_held

FILES = 20
KILLED_IN = 8  # the 8th article's transaction: 7 committed before it


def _write_files(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for n, article in enumerate(generated_articles(FILES)):
        path = folder / f"article-{n:02d}.txt"
        path.write_text(f"{article.title}\n\n{article.text}\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_kill_9_mid_ingest_leaves_a_consistent_store_and_rerun_finishes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = tmp_path / "incoming"
    _write_files(folder)

    held = start_held(home, tmp_path / "crash", f"upsert-{KILLED_IN}", "add", str(folder))
    held.wait_at_stage()
    held.kill_9()

    with sqlite3.connect(home / STORE_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        generation = int(db.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0])
    assert rows == KILLED_IN - 1, "the killed transaction must not be visible"
    assert generation == rows, "the generation counter moved with the committed rows only"
    store = ArticleStore(home)
    for article in store.iter_articles():  # every row validates as a whole article
        assert article.text.strip()
        assert article.chars == len(article.text)
        published = dt.date.fromisoformat(str(article.published)) if article.published else None
        expected = content_hash(article.title, article.text, article.url, article.author, published)
        assert article.content_hash == expected

    rerun = run_cli(home, "add", "--json", str(folder))
    assert rerun.returncode == 0, rerun.stderr
    statuses = [json.loads(line)["status"] for line in rerun.stdout.splitlines()]
    assert statuses.count("unchanged") == KILLED_IN - 1
    assert statuses.count("created") == FILES - (KILLED_IN - 1)
    assert ArticleStore(home).count() == FILES
