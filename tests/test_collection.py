"""Collection names, and collections through the engine: each has its own index, and building
one never reads, embeds or republishes another."""

from __future__ import annotations

import pytest

from articleqa import ArticleQA
from articleqa.collection import DEFAULT, check_name
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.errors import CollectionNotFound, InvalidCollection
from articleqa.ingest.prepare import article_id
from articleqa.models import RawArticle
from articleqa.paths import HomePaths
from articleqa.snapshot import current_version

TRAM = RawArticle(
    title="Harbour tram extension approved",
    text="The city council approved a three-kilometre extension of the harbour tram line on "
    "Tuesday. Construction starts in March and the new stops open in autumn 2026.",
    url="https://news.example.org/harbour-tram",
)
NOVEL = RawArticle(
    title="Book club picks a lighthouse novel",
    text="The Thursday book club chose The Lighthouse Keeper's Daughter for December. "
    "Members meet at the Alder Street library to discuss the first six chapters.",
)


@pytest.mark.parametrize("name", ["default", "a", "news-2024", "book_club", "0", "a" * 64])
def test_valid_names(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "A", "-x", "_x", "a b", "a/b", "..", "é", "a" * 65])
def test_invalid_names_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(InvalidCollection, match="lower-case letters"):
        check_name(name)


def test_none_is_the_default_collection() -> None:
    assert check_name(None) == DEFAULT


@pytest.fixture
def engine(settings: Settings) -> ArticleQA:
    return ArticleQA(settings, embedder=FakeEmbedder())


def test_each_collection_answers_only_from_its_own_articles(engine: ArticleQA) -> None:
    news, books = engine.for_collection("news"), engine.for_collection("books")
    [tram] = [news.add_raw("tram", TRAM).article_id]
    [novel] = [books.add_raw("novel", NOVEL).article_id]
    news.build()
    books.build()

    assert [a.id for a in news.articles()] == [tram]
    assert [a.id for a in books.articles()] == [novel]
    assert engine.articles() == []
    answer = news.ask("When does the harbour tram extension open?")
    assert answer.answered and {q.article.id for q in answer.quotes} == {tram}
    # Whatever news answers, it quotes only its own articles.
    assert {q.article.id for q in news.ask("Which novel did the book club choose?").quotes} <= {
        tram
    }
    assert books.ask("Which novel did the book club choose?").quotes[0].article.id == novel
    assert engine.collections() == ["books", "default", "news"]
    assert engine.get(novel).collection == "books"


def test_building_one_collection_leaves_the_other_as_it_was(engine: ArticleQA) -> None:
    news, books = engine.for_collection("news"), engine.for_collection("books")
    news.add_raw("tram", TRAM)
    books.add_raw("novel", NOVEL)
    news_version = news.build().version
    books.build()
    news_root = HomePaths(engine.settings.home).index_root("news")
    news_files = sorted(p.name for p in news_root.rglob("*"))

    # Adding to books makes books stale and leaves news current: no rebuild of news is due.
    books.add_raw(
        "more",
        RawArticle(
            title="Club moves to Fridays",
            text="From January the book club meets on Fridays at seven in the library.",
        ),
    )
    assert not books.status().up_to_date
    assert news.status().up_to_date
    report = books.build()
    assert report.articles == 2 and report.embedded == 1  # only the new article's passage
    assert current_version(news_root) == news_version
    assert sorted(p.name for p in news_root.rglob("*")) == news_files


def test_the_same_page_in_two_collections_is_two_articles(engine: ArticleQA) -> None:
    first = engine.for_collection("news").add_raw("tram", TRAM)
    second = engine.for_collection("books").add_raw("tram", TRAM)
    # ``default`` keeps the ids articles had before collections existed.
    plain = engine.add_raw("tram", TRAM)
    assert len({first.article_id, second.article_id, plain.article_id}) == 3
    assert plain.article_id == article_id(TRAM.url, TRAM.text)


def test_default_keeps_its_index_at_the_top_of_the_home(engine: ArticleQA) -> None:
    engine.add_raw("tram", TRAM)
    version = engine.build().version
    home = engine.settings.home
    assert current_version(home) == version
    assert not HomePaths(home).collections.exists()


def test_an_unknown_collection_is_not_found(engine: ArticleQA) -> None:
    with pytest.raises(CollectionNotFound, match="no collection named 'nowhere'"):
        engine.for_collection("nowhere").require_exists()
    assert engine.require_exists() is engine  # default always exists
    with pytest.raises(InvalidCollection):
        engine.for_collection("No Such")


def test_engines_of_one_collection_are_one(engine: ArticleQA) -> None:
    news = engine.for_collection("news")
    assert engine.for_collection("news") is news
    assert news.for_collection(DEFAULT) is engine
    assert news.for_collection(None) is news


def test_a_collection_s_build_after_a_change_reuses_its_previous_snapshot(
    engine: ArticleQA,
) -> None:
    # The BM25 segments and sentence rows of the collection's own previous snapshot are kept
    # (looked up under the collection's folder, not the home's: every build of a collection
    # other than default used to tokenise and split everything again).
    news = engine.for_collection("news")
    for number in range(8):  # the change is a small part of the corpus: segments are kept
        news.add_raw(
            f"tram-{number}",
            RawArticle(
                title=f"Tram stop {number}",
                text=f"{TRAM.text} Stop {number} is near pier {number}.",
                url=f"https://news.example.org/harbour-tram-{number}",
            ),
        )
    news.build()
    news.add_raw("novel", NOVEL)

    news.build()

    snapshot = news.index.load()
    assert len(snapshot.lexical.segments) == 2  # type: ignore[union-attr]
    assert snapshot.sentences is not None and len(snapshot.sentences.arrays) == 2
