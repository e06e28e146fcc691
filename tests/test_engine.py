"""The engine facade: add -> build -> ask quotes verbatim; remove -> build drops; per-call
options are arguments; answers are the searcher's own, unchanged."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from articleqa import ArticleQA
from articleqa.config import Settings
from articleqa.embedding import Embedder, FakeEmbedder
from articleqa.engine import EMBEDDED, SnapshotIndex, choose_backend
from articleqa.errors import ArticleNotFound, IndexNotBuilt, RebuildInProgress
from articleqa.models import Answer
from articleqa.search import Searcher
from articleqa.snapshot import build_lock, current_version, load_snapshot
from articleqa.store import ArticleStore
from tests.conftest import SAMPLE_ARTICLES
from tests.test_search import QUESTIONS

DEMO = "Who won the regional science fair?"


@pytest.fixture
def engine(settings: Settings) -> ArticleQA:
    return ArticleQA(settings, embedder=FakeEmbedder())


@pytest.fixture
def built(engine: ArticleQA) -> ArticleQA:
    outcomes = engine.add([str(SAMPLE_ARTICLES)])
    assert outcomes and not any(o.failed for o in outcomes)
    engine.build()
    return engine


def _verbatim(engine: ArticleQA, answer: Answer) -> None:
    assert answer.quotes
    for quote in answer.quotes:
        text = engine.get(quote.article.id).text
        assert quote.text == text[quote.start : quote.end]
        if quote.highlight is not None:
            assert quote.highlight.text == text[quote.highlight.start : quote.highlight.end]


def test_add_build_ask_quotes_verbatim(built: ArticleQA) -> None:
    answer = built.ask(DEMO)

    assert answer.answered
    assert answer.index_version == current_version(built.settings.home)
    assert answer.quotes[0].article.title.startswith("Westbrook student wins")
    _verbatim(built, answer)


def test_answers_are_the_searchers_own(built: ArticleQA, settings: Settings) -> None:
    # The facade only delegates: the same snapshot and settings give the same JSON.
    direct = Searcher(load_snapshot(settings.home), FakeEmbedder(), settings)
    for question in QUESTIONS:
        ours = built.ask(question, 5).model_dump(mode="json", exclude={"took_ms"})
        theirs = direct.ask(question, 5).model_dump(mode="json", exclude={"took_ms"})
        assert ours == theirs


def test_ask_many_answers_like_ask(built: ArticleQA) -> None:
    many = built.ask_many(QUESTIONS, 2)

    assert [a.question for a in many] == QUESTIONS
    for question, answer in zip(QUESTIONS, many, strict=True):
        one = built.ask(question, 2)
        assert answer.model_dump(exclude={"took_ms"}) == one.model_dump(exclude={"took_ms"})
    assert built.ask_many([]) == []


def test_remove_then_build_drops_the_article(built: ArticleQA) -> None:
    winner = built.ask(DEMO).quotes[0].article.id
    count = built.article_count()

    built.remove(winner)
    with pytest.raises(ArticleNotFound):
        built.get(winner)
    # Still quoted until the index is rebuilt ...
    assert winner in {q.article.id for q in built.ask(DEMO, 5).quotes}
    report = built.build()

    # ... and never after: the engine answers from what it just published.
    assert report.articles == count - 1
    answer = built.ask(DEMO, 5)
    assert answer.index_version == report.version
    assert winner not in {q.article.id for q in answer.quotes}
    assert winner not in built.searcher.snapshot.articles
    with pytest.raises(ArticleNotFound):
        built.remove(winner)


def test_status_says_whether_the_index_is_current(engine: ArticleQA) -> None:
    empty = engine.status()
    assert (empty.backend, empty.articles, empty.index, empty.serving) == (
        "embedded",
        0,
        None,
        None,
    )
    assert not empty.up_to_date

    engine.add([str(SAMPLE_ARTICLES / "science-fair-river-robot.txt")])
    report = engine.build()
    status = engine.status()
    assert status.index is not None and status.index.version == report.version
    assert status.index.article_count == 1 and status.index.passage_count == report.passages
    assert status.index.model == FakeEmbedder().name
    assert status.up_to_date and status.serving is None
    engine.ask(DEMO)
    assert engine.status().serving == report.version

    engine.add([str(SAMPLE_ARTICLES / "maritime-museum-reopens.md")])
    assert not engine.status().up_to_date


def test_ask_before_any_build_is_index_not_built(engine: ArticleQA) -> None:
    with pytest.raises(IndexNotBuilt):
        engine.ask(DEMO)
    assert engine.current_version() is None and engine.manifest() is None


def test_lock_timeout_is_a_per_call_argument(engine: ArticleQA, settings: Settings) -> None:
    engine.add([str(SAMPLE_ARTICLES)])
    with build_lock(settings.home):
        # The settings say not to wait: refused at once.
        with pytest.raises(RebuildInProgress):
            engine.build()
        with pytest.raises(RebuildInProgress):
            engine.probe_build_lock()

    # Another holder lets go while this build waits for it.
    holding = threading.Event()
    let_go = threading.Event()

    def hold_lock() -> None:
        with build_lock(settings.home):
            holding.set()
            let_go.wait(0.3)

    thread = threading.Thread(target=hold_lock)
    thread.start()
    assert holding.wait(10)
    report = engine.build(lock_timeout_s=60)
    thread.join(10)
    assert current_version(settings.home) == report.version
    assert engine.settings.lock_timeout_s == 0.0


def test_progress_is_a_per_call_callback(engine: ArticleQA) -> None:
    engine.add([str(SAMPLE_ARTICLES)])
    seen: list[tuple[int, int]] = []

    report = engine.build(progress=lambda done, total: seen.append((done, total)))

    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 0
    assert report.embedded == report.passages
    # One article new the second time: only its passages to embed.
    (engine.settings.home / "one.txt").write_text("The ferry to Northgate runs twice a day.\n")
    engine.add([str(engine.settings.home / "one.txt")])
    again: list[tuple[int, int]] = []
    report = engine.build(progress=lambda done, total: again.append((done, total)))
    assert 0 < report.embedded < report.passages
    assert again[0][0] == 0 and again[-1][0] == again[-1][1] > 0
    # Nothing changed the third time: the snapshot is kept, with nothing to report.
    kept: list[tuple[int, int]] = []
    assert not engine.build(progress=lambda done, total: kept.append((done, total))).published
    assert kept == []


def test_full_is_a_per_call_option(built: ArticleQA) -> None:
    again = built.build()
    full = built.build(full=True)

    assert again.embedded == 0 and again.sentences_embedded == 0
    assert full.embedded == full.passages and full.sentences_embedded == full.sentences

    # The same vectors either way: the same quotes.
    def quoted(searcher: Searcher) -> list[tuple[str, int, int, str | None]]:
        answer = searcher.ask(DEMO, 5)
        return [
            (q.article.id, q.start, q.end, q.highlight and q.highlight.text) for q in answer.quotes
        ]

    assert quoted(built.searcher) == quoted(built.load(again.version))


def test_rollback_returns_to_the_previous_version(built: ArticleQA, tmp_path: Path) -> None:
    first = built.current_version()
    extra = tmp_path / "extra.txt"
    extra.write_text("Ferry timetable\n\nThe winter ferry timetable starts on Monday.\n")
    built.add([str(extra)])
    second = built.build().version
    assert built.ask(DEMO).index_version == second

    assert built.rollback(lock_timeout_s=5) == first
    assert built.ask(DEMO).index_version == first


def test_ranking_overrides_stay_with_one_searcher(built: ArticleQA) -> None:
    snapshot = built.searcher.snapshot
    strict = built.searcher_for(snapshot, abstain_threshold=10.0)

    assert not strict.ask(DEMO).answered
    assert built.settings.abstain_threshold is None
    assert built.ask(DEMO).answered


def test_reload_follows_a_version_published_elsewhere(built: ArticleQA, settings: Settings) -> None:
    served = built.searcher.snapshot.version
    assert not built.reload()
    other = ArticleQA(settings, embedder=FakeEmbedder())
    other.remove(built.ask(DEMO).quotes[0].article.id)
    published = other.build().version

    assert built.ask(DEMO).index_version == served
    assert built.reload()
    assert built.ask(DEMO).index_version == published


def test_heavy_parts_load_once_and_only_when_needed(settings: Settings) -> None:
    engine = ArticleQA(settings)
    assert engine._embedder is None and engine._store is None and engine._index is None
    engine.add([str(SAMPLE_ARTICLES / "science-fair-river-robot.txt")])
    assert engine._embedder is None  # adding needs no model
    engine.build()
    embedder = engine.embedder
    engine.ask(DEMO)
    assert engine.embedder is embedder and isinstance(embedder, FakeEmbedder)


def test_the_embedded_backend_is_chosen_from_the_settings(
    engine: ArticleQA, settings: Settings
) -> None:
    assert choose_backend(settings) is EMBEDDED
    assert isinstance(engine.store, ArticleStore)
    assert isinstance(engine.index, SnapshotIndex)


@pytest.mark.model
def test_real_model_add_build_ask(settings: Settings, real_embedder: Embedder) -> None:
    engine = ArticleQA(settings, embedder=real_embedder)
    engine.add([str(SAMPLE_ARTICLES)])
    engine.build()

    answer = engine.ask("What did Putin ask Musk about Taiwan?", 2)

    assert answer.answered
    assert "Taiwan" in answer.quotes[0].text
    _verbatim(engine, answer)
