"""Cached passage splits equal fresh ones, and only new or changed articles are re-split."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from articleqa import split_cache
from articleqa.ingest.prepare import prepare_article
from articleqa.ingest.text import read_text
from articleqa.models import Article
from articleqa.passages import split_article
from articleqa.split_cache import CACHE_FILE, SplitCache

PARAGRAPH = (
    "The council met on Tuesday to discuss the harbour tram. Residents asked about noise. "
    "Engineers said the rails would be laid at night. The mayor promised a decision soon. "
    "Shops near the quay expect more visitors once the line opens. "
)


def article(number: int, extra: str = "") -> Article:
    text = f"Article {number}\n\n" + "\n\n".join(
        f"{PARAGRAPH}Paragraph {number}.{p} adds its own detail {extra}." for p in range(4)
    )
    return prepare_article(read_text(text, f"mem/{number}.txt"))


def as_tuples(passages: list) -> list[tuple]:
    return [
        (p.id, p.text, p.context, p.heading, [(s.article_id, s.start, s.end) for s in p.spans])
        for p in passages
    ]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def counting_split(a: Article, min_words: int, max_words: int) -> list:
        calls.append(a.id)
        return split_article(a, min_words, max_words)

    monkeypatch.setattr(split_cache, "split_article", counting_split)
    return calls


def test_cached_splits_equal_fresh_ones(tmp_path: Path, counted: list[str]) -> None:
    articles = [article(n) for n in range(5)]
    expected = as_tuples([p for a in articles for p in split_article(a, 20, 40)])
    cache = SplitCache(tmp_path, 20, 40)
    assert as_tuples(cache.split_all(articles)) == expected
    assert len(counted) == 5
    again = SplitCache(tmp_path, 20, 40).split_all(articles)
    assert as_tuples(again) == expected
    assert len(counted) == 5, "unchanged articles must come from the cache"


def test_only_changed_articles_are_split_again(tmp_path: Path, counted: list[str]) -> None:
    articles = [article(n) for n in range(4)]
    cache = SplitCache(tmp_path, 20, 40)
    cache.split_all(articles)
    counted.clear()
    changed = article(2, extra="with a correction")
    articles[2] = changed
    result = cache.split_all([*articles, article(9)])
    assert sorted(counted) == sorted([changed.id, article(9).id])
    expected = [p for a in [*articles, article(9)] for p in split_article(a, 20, 40)]
    assert as_tuples(result) == as_tuples(expected)


def test_other_word_limits_do_not_share_entries(tmp_path: Path, counted: list[str]) -> None:
    articles = [article(1)]
    SplitCache(tmp_path, 20, 40).split_all(articles)
    SplitCache(tmp_path, 30, 60).split_all(articles)
    assert len(counted) == 2


def test_entries_of_removed_articles_are_dropped(tmp_path: Path) -> None:
    cache = SplitCache(tmp_path, 20, 40)
    cache.split_all([article(n) for n in range(6)])
    cache.split_all([article(0)])
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        assert db.execute("SELECT COUNT(*) FROM splits").fetchone() == (1,)


def test_splits_come_a_batch_of_articles_at_a_time(
    tmp_path: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full build reads the passages as they come: no list of every passage of the corpus.
    monkeypatch.setattr(split_cache, "SPLIT_BATCH", 2)
    articles = [article(n) for n in range(5)]
    cache = SplitCache(tmp_path, 20, 40)
    passages = cache.iter_split(articles)
    first = next(passages)
    assert counted == [articles[0].id, articles[1].id]
    rest = list(passages)
    expected = as_tuples([p for a in articles for p in split_article(a, 20, 40)])
    assert as_tuples([first, *rest]) == expected
    counted.clear()
    assert as_tuples(list(SplitCache(tmp_path, 20, 40).iter_split(articles))) == expected
    assert counted == [], "every batch's splits are cached"
    cache.split_all(articles[:1])
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        assert db.execute("SELECT COUNT(*) FROM splits").fetchone() == (1,)
