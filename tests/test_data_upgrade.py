"""A data directory written before the engine facade opens in place, upgrades, and answers as
it did. tests/data/home-2026-11-29 was made by the code of that day (see its README)."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from articleqa import ArticleQA
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.manifest import FORMAT_VERSION
from articleqa.paths import STORE_FILE, HomePaths
from articleqa.snapshot import (
    LEGACY_PASSAGES,
    MANIFEST,
    PASSAGES,
    SENTENCE_VECTORS,
    list_versions,
)
from articleqa.store import SCHEMA_VERSION

FIXTURE = Path(__file__).resolve().parent / "data" / "home-2026-11-29"
OLD_VERSION = (FIXTURE / "CURRENT").read_text().strip()
SCIENCE_FAIR = "851f1ecfcbc8d7c1"


@pytest.fixture
def old_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(FIXTURE, home, ignore=shutil.ignore_patterns("README.md", "answers.json"))
    return home


def _engine(home: Path, *, ranking_of_then: bool = False) -> ArticleQA:
    """An engine over ``home``; ``ranking_of_then``: with the ranking rules added since this
    home was written turned off (the credit for holding the kind of answer asked for), to
    compare with the answers recorded then."""
    settings = Settings(home=home, embedding_backend="fake", _env_file=None)  # type: ignore[call-arg]
    if ranking_of_then:
        settings = settings.model_copy(update={"answer_kind_weight": 0.0})
    return ArticleQA(settings, embedder=FakeEmbedder())


def _expected() -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = json.loads((FIXTURE / "answers.json").read_text())
    return answers


def _answer(engine: ArticleQA, question: str) -> dict[str, Any]:
    answer = engine.ask(question, 3).model_dump(mode="json")
    answer.pop("took_ms")
    # Answers gained this field after the old home's were recorded; asked alone, it is None.
    assert answer.pop("following_up_on") is None
    return answer


def _ranked(answer: dict[str, Any]) -> list[tuple[str, float, dict[str, Any]]]:
    """What the index decides of an answer: the passages quoted, their order, score and
    article. (Quote windows and highlights are chosen at question time and improve with the
    code: compared with the recorded answers, only this is.)"""
    return [(q["passage_id"], q["score"], q["article"]) for q in answer["quotes"]]


def _schema(home: Path) -> tuple[int, list[str]]:
    with contextlib.closing(sqlite3.connect(home / STORE_FILE)) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        columns = [row[1] for row in db.execute("PRAGMA table_info(articles)")]
    return version, columns


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without what names the index version it came from."""
    answer.pop("index_version")
    for quote in answer["quotes"]:
        quote.pop("passage_id")
    return answer


def test_the_old_home_answers_as_the_code_that_wrote_it_where_ranking_is_unchanged(
    old_home: Path,
) -> None:
    # Which passages are quoted, and their order and score, are the index's: they must not
    # change when the home is opened by newer code. (Highlights and quote windows are chosen
    # at question time and improve with the code, so they are compared with a fresh build
    # in the next test.)
    engine = _engine(old_home, ranking_of_then=True)
    for expected in _expected():
        answer = _answer(engine, expected["question"])
        assert answer["answered"] == expected["answered"]
        assert _ranked(answer) == _ranked(expected)
    assert engine.searcher.snapshot.version == OLD_VERSION


def test_the_old_home_answers_as_an_index_built_today_from_its_articles(
    old_home: Path, tmp_path: Path
) -> None:
    old = _engine(old_home)
    fresh_home = tmp_path / "fresh"
    fresh_home.mkdir()
    shutil.copy(old_home / STORE_FILE, fresh_home / STORE_FILE)
    fresh = _engine(fresh_home)
    fresh.build()

    for expected in _expected():
        question = expected["question"]
        assert _comparable(_answer(old, question)) == _comparable(_answer(fresh, question))
    assert old.searcher.snapshot.version == OLD_VERSION
    # Its passages and articles, JSON lines then, read as today's columns do.
    old_folder = old.searcher.snapshot.path
    assert (old_folder / LEGACY_PASSAGES).is_file() and not (old_folder / PASSAGES).exists()
    assert not (fresh.searcher.snapshot.path / LEGACY_PASSAGES).exists()
    assert list(old.searcher.snapshot.passages) == list(fresh.searcher.snapshot.passages)
    assert dict(old.searcher.snapshot.articles) == dict(fresh.searcher.snapshot.articles)


def test_the_old_home_is_current_and_takes_new_articles(old_home: Path, tmp_path: Path) -> None:
    engine = _engine(old_home, ranking_of_then=True)
    first = _expected()[0]
    before = _answer(engine, first["question"])
    assert _ranked(before) == _ranked(first)
    status = engine.status()
    assert status.articles == 2
    assert status.index is not None and status.index.version == OLD_VERSION
    assert status.up_to_date
    # Upgraded in place: the articles stored before collections existed are in ``default``,
    # and the index they were in is default's.
    version, columns = _schema(old_home)
    assert version == SCHEMA_VERSION and "collection" in columns
    assert {a.collection for a in engine.articles()} == {"default"}

    new = tmp_path / "ferry.txt"
    new.write_text(
        "Night ferry returns to the harbour\n\nThe night ferry between Lakeshore and Port Avery "
        "returns on 3 May after a two-year pause, the harbour authority said on Monday.\n"
    )
    [outcome] = engine.add([str(new)])
    assert outcome.status == "created"
    assert not engine.status().up_to_date
    report = engine.build()
    assert report.articles == 3 and report.version != OLD_VERSION
    answer = engine.ask("When does the night ferry to Port Avery return?", 1)
    assert answer.answered and answer.index_version == report.version
    [quote] = answer.quotes
    article = engine.get(quote.article.id)
    assert quote.text == article.text[quote.start : quote.end]
    # The old snapshot is kept, and rolling back to it answers as before.
    assert engine.rollback() == OLD_VERSION
    assert _answer(engine, first["question"]) == before


def test_an_older_home_is_migrated_in_place(old_home: Path) -> None:
    """Older still: the store before its schema step 1 (no ``layout`` column, user_version 0)
    and a manifest from before article hashes, passage sizes and the store generation."""
    with contextlib.closing(sqlite3.connect(old_home / STORE_FILE)) as db:
        db.execute("ALTER TABLE articles DROP COLUMN layout")
        db.execute("PRAGMA user_version = 0")
        db.commit()
    manifest_path = HomePaths(old_home).snapshot(OLD_VERSION) / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    for key in ("articles", "passage_words", "store_generation"):
        del manifest[key]
    manifest_path.write_text(json.dumps(manifest, indent=2))
    assert _schema(old_home)[0] == 0

    engine = _engine(old_home, ranking_of_then=True)
    for expected in _expected():
        answer = _answer(engine, expected["question"])
        assert [(q["passage_id"], q["score"]) for q in answer["quotes"]] == [
            (q["passage_id"], q["score"]) for q in expected["quotes"]
        ]
    typed = engine.manifest()
    assert typed is not None and typed.version == OLD_VERSION
    assert typed.article_hashes is None and typed.store_generation is None
    assert typed.article_count == 2 and typed.model == FakeEmbedder().name

    # Opening the store upgrades it: same rows, the new column, the new schema version.
    status = engine.status()
    assert status.articles == 2 and not status.up_to_date
    version, columns = _schema(old_home)
    assert version == SCHEMA_VERSION and {"layout", "collection"} <= set(columns)
    assert engine.get(SCIENCE_FAIR).layout is None
    assert engine.get(SCIENCE_FAIR).collection == "default"

    report = engine.build()
    assert report.articles == 2
    assert engine.status().up_to_date
    assert list_versions(old_home) == sorted([OLD_VERSION, report.version])
    answer = engine.ask(_expected()[0]["question"], 1)
    assert answer.answered and answer.index_version == report.version
    assert answer.quotes[0].article.id == SCIENCE_FAIR


def test_the_old_homes_float16_sentence_rows_are_read_as_stored_and_new_builds_write_int8(
    old_home: Path,
) -> None:
    engine = _engine(old_home, ranking_of_then=True)
    first = _expected()[0]
    before = _answer(engine, first["question"])
    assert _ranked(before) == _ranked(first)
    old = engine.searcher.snapshot
    assert old.manifest.format == 1 and old.sentences is not None
    stored = np.load(old.path / SENTENCE_VECTORS)
    assert stored.dtype == np.float16 and old.sentences.scales_of(0) is None
    assert np.array_equal(old.sentences.rows(0), stored[: len(old.sentences.rows(0))])

    report = engine.build()
    new = engine.searcher.snapshot
    assert new.version == report.version and new.manifest.format == FORMAT_VERSION
    assert new.sentences is not None
    assert [a.dtype for a in new.sentences.arrays] == [np.int8]
    assert new.sentences.scales_of(0) is not None
    assert _comparable(_answer(engine, first["question"])) == _comparable(before)
