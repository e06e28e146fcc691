"""Issue 15, item 10: a bulk add is written in batched transactions, not one per article.

Speed is measured in bench/bulk_ingest.py; this test counts write transactions instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from sqlite3 import Connection

import pytest

from articleqa import store as store_module
from articleqa.config import Settings
from articleqa.models import Article
from articleqa.service import BATCH_SIZE, ingest
from articleqa.store import ArticleStore, UpsertStatus

COUNT = BATCH_SIZE * 2 + 7


def _records(count: int) -> list[dict[str, str]]:
    return [
        {"title": f"Report {n}", "text": f"The harbour council met for the {n}th time today."}
        for n in range(count)
    ]


def test_a_json_file_of_many_articles_takes_a_few_transactions(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps(_records(COUNT)))
    store = ArticleStore(settings.home)
    transactions = 0
    real = store_module.ArticleStore._transaction

    def counted(self: ArticleStore) -> AbstractContextManager[Connection]:
        nonlocal transactions
        transactions += 1
        return real(self)

    monkeypatch.setattr(store_module.ArticleStore, "_transaction", counted)

    outcomes = ingest([str(path)], store, settings)

    assert [o.status for o in outcomes] == ["created"] * COUNT
    assert transactions == 3  # 500 + 500 + 7
    assert store.count() == COUNT
    assert store.generation() == 3  # bumped once per committed batch


def test_files_are_stored_in_their_own_transactions(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # So a crash keeps every file written before the one being stored (test_crash_ingest.py).
    for n in range(3):
        (tmp_path / f"a{n}.txt").write_text(f"Title {n}\n\nBody of article number {n}.\n")
    store = ArticleStore(settings.home)
    batches: list[int] = []
    real = store_module.ArticleStore.upsert_many

    def recorded(
        self: ArticleStore, articles: Sequence[Article]
    ) -> list[tuple[UpsertStatus, str | None]]:
        batches.append(len(articles))
        return real(self, articles)

    monkeypatch.setattr(store_module.ArticleStore, "upsert_many", recorded)
    outcomes = ingest([str(tmp_path)], store, settings)
    assert [o.status for o in outcomes] == ["created"] * 3
    assert batches == [1, 1, 1]
