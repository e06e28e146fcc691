"""The article store: created/unchanged/updated, replacement by source, remove, list.

Tests taking ``store`` run on both backends (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from articleqa.config import Settings
from articleqa.engine import ArticleQA
from articleqa.errors import ArticleNotFound, StorageError
from articleqa.ingest.prepare import article_id, normalize_url, prepare_article
from articleqa.models import Article, RawArticle
from articleqa.paths import STORE_FILE
from articleqa.service import ingest
from articleqa.store import ArticleStore, UpsertStatus

T0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _article(
    text: str = "The council voted 23 to 14 to extend the tram.",
    *,
    title: str = "Tram vote",
    url: str | None = None,
    source: str | None = "/articles/tram.txt",
    now: dt.datetime = T0,
    author: str | None = None,
) -> Article:
    raw = RawArticle(title=title, text=text, url=url, author=author, source=source)
    return prepare_article(raw, now=now)


@pytest.fixture
def store(backend_settings: Settings) -> ArticleStore:
    """The store of each backend: SQLite in the data directory, and PostgreSQL."""
    return ArticleQA(backend_settings).store  # type: ignore[return-value]


def test_created_then_unchanged(store: ArticleStore) -> None:
    article = _article()

    assert store.upsert(article) == (UpsertStatus.CREATED, None)
    assert store.upsert(_article(now=T1)) == (UpsertStatus.UNCHANGED, None)
    stored = store.get(article.id)
    assert stored == article
    assert stored.added_at == T0


def test_unchanged_does_not_bump_the_generation(store: ArticleStore) -> None:
    assert store.generation() == 0
    store.upsert(_article())
    after_create = store.generation()
    store.upsert(_article(now=T1))

    assert after_create == 1
    assert store.generation() == after_create


def test_same_url_with_new_content_is_updated_in_place(store: ArticleStore) -> None:
    url = "https://ledger.example/news/tram?utm_source=feed#comments"
    first = _article(url=url)
    second = _article("The council voted 24 to 13 after a recount.", url=url, now=T1)

    store.upsert(first)
    status, replaced = store.upsert(second)

    assert first.id == second.id, "the id comes from the URL, not the text"
    assert (status, replaced) == (UpsertStatus.UPDATED, None)
    stored = store.get(first.id)
    assert stored.text == "The council voted 24 to 13 after a recount."
    assert stored.added_at == T0
    assert stored.updated_at == T1
    assert store.count() == 1


def test_metadata_change_alone_is_an_update(store: ArticleStore) -> None:
    store.upsert(_article(url="https://ledger.example/a"))

    status, _ = store.upsert(_article(url="https://ledger.example/a", author="Daniel Osei"))

    assert status == UpsertStatus.UPDATED
    assert store.get(article_id("https://ledger.example/a", "")).author == "Daniel Osei"


def test_changed_file_without_url_replaces_the_article_from_the_same_source(
    store: ArticleStore,
) -> None:
    old = _article("First draft of the story.")
    new = _article("Second draft of the story.", now=T1)
    other = _article("A different file.", source="/articles/other.txt")
    store.upsert(old)
    store.upsert(other)

    status, replaced = store.upsert(new)

    assert new.id != old.id, "without a URL the id follows the text"
    assert (status, replaced) == (UpsertStatus.UPDATED, old.id)
    with pytest.raises(ArticleNotFound):
        store.get(old.id)
    assert store.get(new.id).added_at == T0
    assert {a.id for a in store.list()} == {new.id, other.id}


def test_same_text_from_two_sources_is_one_article(store: ArticleStore) -> None:
    store.upsert(_article(source="/a.txt"))

    status, _ = store.upsert(_article(source="/copy-of-a.txt"))

    assert status == UpsertStatus.UNCHANGED
    assert store.count() == 1


def test_text_id_ignores_case_and_whitespace() -> None:
    assert article_id(None, "The  Council\nvoted.") == article_id(None, "the council voted.")
    assert article_id(None, "The council voted.") != article_id(None, "The council did not vote.")


def test_url_id_ignores_tracking_fragment_case_and_trailing_slash() -> None:
    assert normalize_url("HTTPS://Ledger.Example/News/Tram/?utm_source=x&id=3#top") == (
        "https://ledger.example/News/Tram?id=3"
    )
    assert article_id("https://ledger.example/a/", "x") == article_id(
        "https://LEDGER.example/a?fbclid=1", "y"
    )


def test_remove(store: ArticleStore) -> None:
    article = _article()
    store.upsert(article)
    generation = store.generation()

    store.remove(article.id)

    assert store.count() == 0
    assert store.generation() == generation + 1
    with pytest.raises(ArticleNotFound):
        store.get(article.id)
    with pytest.raises(ArticleNotFound, match=article.id):
        store.remove(article.id)


def test_remove_by_source(store: ArticleStore) -> None:
    kept = _article("Kept.", source="/keep.txt")
    store.upsert(_article("Gone.", source="/gone.jsonl:1"))
    store.upsert(kept)

    assert len(store.remove_by_source("/gone.jsonl:1")) == 1
    assert store.remove_by_source("/gone.jsonl:1") == []
    assert [a.id for a in store.list()] == [kept.id]


def test_list_is_ordered_by_time_added_and_pages(store: ArticleStore) -> None:
    articles = [
        _article(
            f"Story number {n}.",
            title=f"Story {n}",
            source=f"/s{n}.txt",
            now=T0 + dt.timedelta(minutes=n),
        )
        for n in range(5)
    ]
    for article in reversed(articles):
        store.upsert(article)

    listed = store.list()

    assert [a.title for a in listed] == [f"Story {n}" for n in range(5)]
    assert [a.title for a in store.list(offset=1, limit=2)] == ["Story 1", "Story 2"]
    assert store.list(offset=10) == []
    assert store.count() == 5
    assert not hasattr(listed[0], "text"), "listing carries metadata, not whole texts"
    assert sorted(a.id for a in store.iter_articles()) == sorted(a.id for a in articles)


def test_store_uses_wal_and_survives_reopening(home: Path) -> None:
    article = _article()
    ArticleStore(home).upsert(article)

    reopened = ArticleStore(home)

    assert reopened.get(article.id) == article
    with sqlite3.connect(home / STORE_FILE) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unwritable_home_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the home should be")

    with pytest.raises(StorageError, match="cannot open the article store"):
        ArticleStore(blocker)


def test_ingest_reports_created_unchanged_updated_and_failed(
    tmp_path: Path, settings: Settings
) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Tram vote\n\nThe council voted 23 to 14.", "utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"GIF89a\x00\x01binary")
    store = ArticleStore(settings.home)

    first = ingest([str(story), str(bad)], store, settings)
    again = ingest([str(story)], store, settings)
    story.write_text("Tram vote\n\nThe council voted 24 to 13 after a recount.", "utf-8")
    changed = ingest([str(story)], store, settings)

    assert [o.status for o in first] == ["created", "failed"]
    assert first[1].error_code == "ingest_failed"
    assert [o.status for o in again] == ["unchanged"]
    assert [o.status for o in changed] == ["updated"]
    assert store.count() == 1
    assert (
        store.get(changed[0].article_id or "").text == "The council voted 24 to 13 after a recount."
    )


def test_article_with_no_text_after_cleaning_is_not_stored(
    tmp_path: Path, settings: Settings
) -> None:
    only_noise = tmp_path / "noise.txt"
    only_noise.write_text(
        "Headline only\n\nBy Jane Doe 09:41 am Mar 3, 2025\n\nAdvertisement\n", "utf-8"
    )
    store = ArticleStore(settings.home)

    [outcome] = ingest([str(only_noise)], store, settings)

    assert outcome.status == "failed"
    assert outcome.error == "article has no text left after cleaning"
    assert store.count() == 0


@pytest.mark.parametrize("operation", ["remove", "remove_by_source"])
def test_failed_removal_is_a_storage_error_and_keeps_the_article(
    home: Path, monkeypatch: pytest.MonkeyPatch, operation: str
) -> None:
    store = ArticleStore(home)  # SQLite's own failure path
    article = _article()
    store.upsert(article)

    def disk_failure(db: sqlite3.Connection, collection: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ArticleStore, "_bump_generation", staticmethod(disk_failure))
    with pytest.raises(StorageError, match="disk I/O error"):
        if operation == "remove":
            store.remove(article.id)
        else:
            store.remove_by_source("/articles/tram.txt")
    monkeypatch.undo()
    assert store.get(article.id).text == article.text


def test_content_hashes_are_the_collection_s_own(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    assert store.content_hashes() == {}
    tram = _article()
    ferry = _article("The ferry runs twice a day.", title="Ferry", source="/articles/ferry.txt")
    ferry = ferry.model_copy(update={"collection": "other"})
    store.upsert(tram)
    store.upsert(ferry)

    assert store.content_hashes() == {tram.id: tram.content_hash}
    assert ArticleStore(tmp_path, "other").content_hashes() == {ferry.id: ferry.content_hash}
