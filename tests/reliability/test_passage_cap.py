"""Issue 15, item 6: passages and quotes are capped, however a file is punctuated."""

from __future__ import annotations

import random
from pathlib import Path

from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.indexer import Indexer
from articleqa.models import Highlight
from articleqa.passages import (
    SENTENCE_MAX_CHARS,
    SENTENCE_MAX_WORDS,
    Span,
    split_article,
    split_long_sentence,
)
from articleqa.search import MAX_QUOTE_CHARS, Searcher, _cap_quote
from articleqa.service import ingest
from articleqa.snapshot import load_snapshot
from articleqa.store import ArticleStore

# Passages hold at most this many characters: 150 measured words of at most 20 characters.
PASSAGE_MAX_CHARS = SENTENCE_MAX_WORDS * 20 + SENTENCE_MAX_CHARS


def _one_long_line(size: int) -> str:
    rng = random.Random(15)
    words = ["harbour", "ferry", "timetable", "council", "quay", "winter", "lantern", "tram"]
    line: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words)
        line.append(word)
        length += len(word) + 1
    return " ".join(line)


def test_a_megabyte_line_without_punctuation_is_split_into_capped_passages(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "wall.txt"
    path.write_text("A wall of words\n\n" + _one_long_line(1_000_000) + "\n")
    store = ArticleStore(settings.home)
    [outcome] = ingest([str(path)], store, settings)
    article = store.get(outcome.article_id or "")

    passages = split_article(article, settings.passage_min_words, settings.passage_max_words)

    assert len(passages) > 500
    longest = max(len(p.text) for p in passages)
    assert longest <= PASSAGE_MAX_CHARS, longest
    assert max(len(p.text.split()) for p in passages) <= SENTENCE_MAX_WORDS * 5 // 4
    for p in passages:  # still verbatim slices
        [span] = p.spans
        assert article.text[span.start : span.end] == p.text

    Indexer(settings, store, FakeEmbedder()).build()
    searcher = Searcher(load_snapshot(settings.home), FakeEmbedder(), settings)
    answer = searcher.ask("When does the ferry timetable change at the quay?", 10)
    assert answer.quotes
    assert max(len(q.text) for q in answer.quotes) <= PASSAGE_MAX_CHARS


def test_one_word_longer_than_the_cap_is_cut_inside_it() -> None:
    text = "x" * (SENTENCE_MAX_CHARS * 2 + 7) + " tail"
    pieces = split_long_sentence(text, Span(0, len(text)))
    assert [p.end - p.start for p in pieces] == [SENTENCE_MAX_CHARS, SENTENCE_MAX_CHARS, 12]
    assert "".join(text[p.start : p.end] for p in pieces) == text


def test_a_quote_is_never_longer_than_the_documented_size_and_keeps_its_highlight() -> None:
    highlight = Highlight(text="h" * 100, start=50_000, end=50_100)
    start, end = _cap_quote(0, 100_000, highlight)
    assert end - start == MAX_QUOTE_CHARS
    assert start <= highlight.start and highlight.end <= end
    assert _cap_quote(10, 20, None) == (10, 20)
    assert _cap_quote(0, 10_000, None) == (0, MAX_QUOTE_CHARS)
