"""Passages and articles in columns (records.py) read back as the records they were made of."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from articleqa import records
from articleqa.errors import SnapshotCorrupt
from articleqa.file_slices import FileSlices
from articleqa.records import (
    ArticleRecord,
    PassageRecord,
    Records,
    build_columns,
    load_columns,
    write_columns,
)
from articleqa.text_blocks import BlockTexts

ARTICLES = [
    ArticleRecord(
        "a1", "Café — naïve", "https://x/a1", "Zoë", "2026-01-02", "Ünïcode 𝔘 text. Más aquí.", "f"
    ),
    ArticleRecord("a2", "Plain", None, None, None, "Plain text. More plain text.", None),
    ArticleRecord("a3", "Empty", None, None, None, "", None),
]
TEXT_1 = ARTICLES[0].text
PASSAGES = [
    # a slice of an article holding characters of 2, 3 and 4 UTF-8 bytes
    PassageRecord(TEXT_1[:17], "Café — naïve", None, [("a1", 0, 17)]),
    PassageRecord(TEXT_1[18:], "Café — naïve — Más", "Más", [("a1", 18, len(TEXT_1))]),
    # held by two articles
    PassageRecord("Plain text.", "Plain", "H", [("a2", 0, 11), ("a1", 0, 11)]),
    # not a slice of its article (no build makes one; stored on its own)
    PassageRecord("Other words.", "Plain", "H", [("a2", 12, 28)]),
]


def _by_article(passages: list[PassageRecord]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for ordinal, passage in enumerate(passages):
        for article_id, _start, _end in passage.spans:
            found.setdefault(article_id, []).append(ordinal)
    return found


def test_columns_written_and_mapped_read_back_as_the_records(tmp_path: Path) -> None:
    write_columns(tmp_path, build_columns(PASSAGES, ARTICLES))
    loaded = Records.of(load_columns(tmp_path))

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(records.FILES)
    assert list(loaded.passages) == PASSAGES
    assert [loaded.passages[i] for i in range(-len(PASSAGES), 0)] == PASSAGES
    assert loaded.passages[1:3] == PASSAGES[1:3]
    assert len(loaded.passages) == len(PASSAGES)
    with pytest.raises(IndexError):
        loaded.passages[len(PASSAGES)]
    assert list(loaded.articles) == [a.id for a in ARTICLES]
    assert list(loaded.articles.values()) == ARTICLES
    assert "a3" in loaded.articles and "a4" not in loaded.articles
    assert {k: v.tolist() for k, v in loaded.by_article.items()} == _by_article(PASSAGES)
    assert "a3" not in loaded.by_article  # no passage
    # The article texts are stored once: the passages cut from them add no bytes.
    texts = load_columns(tmp_path).texts[:]
    assert texts.count(TEXT_1.encode()) == 1 and texts.count(b"Plain text.") == 1


def test_loaded_texts_are_read_not_mapped_and_written_again_as_they_are(tmp_path: Path) -> None:
    columns = build_columns(PASSAGES, ARTICLES)
    (tmp_path / "one").mkdir()
    write_columns(tmp_path / "one", columns)
    loaded = load_columns(tmp_path / "one")
    # Read by pread: a mapped file's touched pages would count in the server's RSS.
    assert isinstance(loaded.texts, BlockTexts) and isinstance(loaded.texts._data, FileSlices)
    (tmp_path / "two").mkdir()
    write_columns(tmp_path / "two", loaded)
    for name in (records.COMPRESSED, records.BLOCKS):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()
    assert load_columns(tmp_path / "two").texts[:] == columns.texts


def test_records_in_memory_equal_the_mapped_ones(tmp_path: Path) -> None:
    write_columns(tmp_path, build_columns(PASSAGES, ARTICLES))
    mapped = Records.of(load_columns(tmp_path))
    in_memory = Records.from_records(PASSAGES, ARTICLES)

    assert list(in_memory.passages) == list(mapped.passages)
    assert dict(in_memory.articles) == dict(mapped.articles)


def test_columns_pointing_outside_what_they_number_are_a_corrupt_snapshot(tmp_path: Path) -> None:
    write_columns(tmp_path, build_columns(PASSAGES, ARTICLES))
    spans = np.load(tmp_path / records.SPANS)
    spans[0, 0] = len(ARTICLES)
    np.save(tmp_path / records.SPANS, spans)

    with pytest.raises(SnapshotCorrupt, match="columns do not match"):
        load_columns(tmp_path)


def test_no_articles_no_passages(tmp_path: Path) -> None:
    write_columns(tmp_path, build_columns([], []))
    loaded = Records.of(load_columns(tmp_path))

    assert (len(loaded.passages), len(loaded.articles), len(loaded.by_article)) == (0, 0, 0)


def test_the_framing_of_passages_is_their_records_context_and_articles(tmp_path: Path) -> None:
    write_columns(tmp_path, build_columns(PASSAGES, ARTICLES))
    mapped = Records.of(load_columns(tmp_path)).passages
    positions = [2, 0, 3, 2, 1]
    expected = [
        (PASSAGES[n].context, [a for a, _start, _end in PASSAGES[n].spans]) for n in positions
    ]
    assert isinstance(mapped, records.Passages)
    assert records.framing(mapped, positions) == expected
    assert records.framing(PASSAGES, positions) == expected  # records of another sequence
    assert records.framing(mapped, []) == []
