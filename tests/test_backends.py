"""The indexer's contract on both backends (the data directory and PostgreSQL): what a build
reports, incremental rebuilds, removed and emptied stores, and which backend settings choose."""

from __future__ import annotations

from pathlib import Path

import pytest

from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.engine import ArticleQA, choose_backend
from articleqa.errors import IndexNotBuilt, NoArticles, RollbackRefused
from articleqa.indexer import BuildReport
from articleqa.ingest.prepare import prepare_article
from articleqa.models import RawArticle
from articleqa.search import Searcher

TRAM = RawArticle(
    title="Harbour tram extension approved",
    text=(
        "The city council approved a three-kilometre extension of the harbour tram line on "
        "Tuesday. Construction starts in March and the new stops should open in autumn 2026."
    ),
)
FLOOD = RawArticle(
    title="Storm floods the lower town",
    text=(
        "Heavy rain flooded dozens of cellars in the lower town overnight. Firefighters pumped "
        "water from the old market hall until dawn."
    ),
)


def _searcher(settings: Settings) -> Searcher:
    searcher, _reason = ArticleQA(settings, embedder=FakeEmbedder()).load_best()
    return searcher


def _build(settings: Settings, embedder: FakeEmbedder | None = None) -> BuildReport:
    return ArticleQA(settings, embedder=embedder or FakeEmbedder()).build()


def test_settings_choose_the_backend(home: Path) -> None:
    embedded = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    assert choose_backend(embedded).name == "embedded"
    url = "postgresql://articleqa@127.0.0.1:1/articleqa"
    postgres = Settings(home=home, database_url=url, _env_file=None)  # type: ignore[call-arg]
    assert choose_backend(postgres).name == "postgres"
    with pytest.raises(ValueError, match="postgresql://"):
        Settings(home=home, database_url="mysql://x", _env_file=None)  # type: ignore[call-arg]


def test_a_build_reports_and_a_rebuild_reuses(backend_settings: Settings) -> None:
    store = ArticleQA(backend_settings).store
    store.upsert(prepare_article(TRAM))
    embedder = FakeEmbedder()
    first = _build(backend_settings, embedder)
    assert first.articles == 1 and first.passages == 1
    assert first.embedded == 1 and first.sentences == 2

    texts_before = embedder.texts_embedded
    again = _build(backend_settings, embedder)
    assert again.embedded == 0 and again.reused == 1
    assert embedder.texts_embedded == texts_before
    # Nothing changed: the embedded index keeps its snapshot; PostgreSQL publishes a version.
    assert again.published is (backend_settings.database_url is not None)
    assert (again.version != first.version) is again.published
    assert ArticleQA(backend_settings).current_version() == again.version
    # A full rebuild takes nothing from the cache.
    full = ArticleQA(backend_settings, embedder=embedder).build(full=True)
    assert full.embedded == 1 and full.sentences_embedded == 2


def test_removed_articles_leave_the_next_version(backend_settings: Settings) -> None:
    store = ArticleQA(backend_settings).store
    tram = store.upsert(prepare_article(TRAM))
    store.upsert(prepare_article(FLOOD))
    _build(backend_settings)
    assert _searcher(backend_settings).ask("Who pumped water from the market hall?").answered

    [flood] = [a.id for a in store.list() if a.title.startswith("Storm")]
    store.remove(flood)
    _build(backend_settings)
    answer = _searcher(backend_settings).ask("Who pumped water from the market hall?", k=3)
    assert all(q.article.id != flood for q in answer.quotes)
    assert tram[0].value == "created"


def test_an_empty_store_is_not_indexed_and_an_emptied_one_says_so(
    backend_settings: Settings,
) -> None:
    with pytest.raises(NoArticles):
        _build(backend_settings)
    store = ArticleQA(backend_settings).store
    store.upsert(prepare_article(TRAM))
    _build(backend_settings)
    [tram] = store.list()
    store.remove(tram.id)
    report = _build(backend_settings)
    assert report.articles == 0 and report.passages == 0
    answer = _searcher(backend_settings).ask("When do the new stops open?")
    assert not answer.answered
    assert answer.message == NoArticles().message


def test_rollback_publishes_the_previous_version_if_the_store_still_holds_it(
    backend_settings: Settings,
) -> None:
    engine = ArticleQA(backend_settings, embedder=FakeEmbedder())
    engine.store.upsert_many([prepare_article(TRAM)])
    first = engine.build().version
    engine.store.upsert_many([prepare_article(FLOOD)])
    second = engine.build().version

    assert engine.rollback() == first
    assert engine.current_version() == first
    assert not any(
        q.article.title.startswith("Storm")
        for q in _searcher(backend_settings).ask("Who pumped water from the market hall?").quotes
    )
    with pytest.raises(IndexNotBuilt, match="no earlier"):
        engine.rollback()

    # Back on the newer one, a rollback to a version quoting a removed article is refused.
    assert engine.build().version not in (first, second)
    [tram] = [a.id for a in engine.articles() if a.title.startswith("Harbour")]
    engine.remove(tram)
    with pytest.raises(RollbackRefused, match=tram):
        engine.rollback()
