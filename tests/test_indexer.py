"""Indexer.build with the fake embedder: incremental embedding, removals, failures, the lock."""

from __future__ import annotations

import dataclasses
import errno
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from articleqa import indexer as indexer_module
from articleqa import records
from articleqa import search as search_module
from articleqa import snapshot as snapshot_module
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.embedding_cache import cache_key
from articleqa.errors import (
    IndexNotBuilt,
    NoArticles,
    RebuildInProgress,
    SnapshotCorrupt,
    StorageError,
)
from articleqa.exact_vectors import KEYS_FILE, ROWIDS_FILE
from articleqa.indexer import BuildReport, Indexer
from articleqa.ingest.prepare import prepare_article
from articleqa.lexical import LexicalIndex
from articleqa.models import Article, Passage, RawArticle
from articleqa.passages import (
    Span,
    merge_duplicates,
    normalized_words,
    sentence_spans,
    split_article,
)
from articleqa.paths import SNAPSHOTS
from articleqa.search import Searcher
from articleqa.sentence_files import quantise, save_quantised, scales_file
from articleqa.sentence_words import (
    TERMS_SUFFIX,
    WORDS_SUFFIX,
    SentenceWords,
    sentence_terms,
    words_files,
)
from articleqa.service import ingest
from articleqa.snapshot import (
    Snapshot,
    current_version,
    list_versions,
    load_best,
    load_snapshot,
    rollback,
)
from articleqa.store import ArticleStore
from articleqa.vector_index import search as vector_search
from articleqa.vector_index import vectors_of
from tests.conftest import SAMPLE_ARTICLES

NEW_ARTICLE = RawArticle(
    title="Library lends out telescopes",
    text=(
        "The Lakeshore central library has started lending telescopes to members, with twelve "
        "instruments donated by the Northgate Astronomy Society. Each can be borrowed for two "
        "weeks, and the first waiting list filled within a day of the announcement. The library "
        "says it will add more telescopes if the society can find more donors before the winter, "
        "when the long nights make the scheme most useful.\n\n"
        "Librarian Grace Odhiambo said the scheme was inspired by a similar programme in "
        "Vermont. Every telescope comes with a laminated star map, a red torch and a notebook "
        "in which borrowers are asked to record what they saw, so that the next person can "
        "read it before heading out on the next clear night. Some notebooks already hold "
        "sketches of Saturn's rings drawn by children from Westbrook.\n\n"
        "Stargazing nights\n\n"
        "The astronomy society will also hold free stargazing evenings on the roof of the "
        "library on the first Friday of every month from October to March, weather permitting. "
        "Members will bring their own larger telescopes, and visitors who have never used one "
        "will be shown how to find the Moon, Jupiter and the Andromeda galaxy. The first evening "
        "drew 180 people, more than twice the number the organisers had expected."
    ),
    url="https://ledger.example/culture/telescopes",
)


class FailingEmbedder(FakeEmbedder):
    """Failure injection: the fake embedder, failing on call number ``fail_on``."""

    def __init__(self, fail_on: int) -> None:
        super().__init__()
        self.fail_on = fail_on

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if self.calls + 1 == self.fail_on:
            self.calls += 1
            raise RuntimeError("embedding backend crashed")
        return super().embed(texts, progress=progress)


class BlockingEmbedder(FakeEmbedder):
    """Holds the first build inside embedding until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.entered.set()
        assert self.release.wait(timeout=60), "the test never released the build"
        return super().embed(texts, progress=progress)


@pytest.fixture
def store(settings: Settings) -> ArticleStore:
    store = ArticleStore(settings.home)
    outcomes = ingest([str(SAMPLE_ARTICLES)], store, settings)
    assert [o.error for o in outcomes if o.failed] == []
    return store


def _expected_passages(store: ArticleStore, settings: Settings) -> int:
    passages = [
        p
        for a in store.iter_articles()
        for p in split_article(a, settings.passage_min_words, settings.passage_max_words)
    ]
    return len(merge_duplicates(passages))


def _add(store: ArticleStore, raw: RawArticle = NEW_ARTICLE) -> Article:
    article = prepare_article(raw)
    store.upsert(article)
    return article


def _staging_folders(home: Path) -> list[Path]:
    return list((home / SNAPSHOTS).glob(".building-*"))


def test_first_build_embeds_every_passage_and_publishes(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    report = Indexer(settings, store, fake_embedder).build()

    assert report.articles == 9
    assert report.passages == _expected_passages(store, settings)
    assert (report.embedded, report.reused) == (report.passages, 0)
    # Every passage and every sentence of it: each sentence has its own vector.
    assert report.sentences >= report.passages
    assert report.sentences_embedded == report.sentences
    assert fake_embedder.texts_embedded == report.embedded + report.sentences_embedded
    assert current_version(settings.home) == report.version
    snapshot = load_snapshot(settings.home)
    assert snapshot.passage_count == report.passages
    assert snapshot.vectors.ntotal == report.passages
    assert snapshot.lexical.size == report.passages
    assert set(snapshot.articles) == {a.id for a in store.iter_articles()}


def test_manifest_describes_the_snapshot(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    report = Indexer(settings, store, fake_embedder).build()

    manifest = load_snapshot(settings.home).manifest

    assert manifest.version == report.version
    assert manifest.model == fake_embedder.name
    assert manifest.dimension == fake_embedder.dimension
    assert manifest.metric == "inner_product"
    assert manifest.index_type == "flat"
    assert manifest.extra["vector_index"]["factory"] == "IDMap2,Flat"
    assert (manifest.article_count, manifest.passage_count) == (9, report.passages)
    assert manifest.article_hashes == {a.id: a.content_hash for a in store.iter_articles()}
    assert manifest.store_generation == store.generation()
    assert set(manifest.files) >= {"vectors.faiss", *records.FILES}
    assert manifest.built_at is not None


def test_rebuild_embeds_only_the_new_articles_passages(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    first = indexer.build()
    new = _add(store)
    new_passages = len(split_article(new, settings.passage_min_words, settings.passage_max_words))
    assert new_passages >= 2, "the new article should span several passages"
    texts_before = fake_embedder.texts_embedded

    second = indexer.build()

    assert second.embedded == new_passages
    assert second.reused == first.passages
    assert second.passages == first.passages + new_passages
    # Only the new passages and their sentences (a sentence seen before is cached too).
    assert second.sentences_embedded <= second.sentences - first.sentences
    assert fake_embedder.texts_embedded - texts_before == new_passages + second.sentences_embedded
    assert indexer.last_report == second


def test_snapshot_holds_a_vector_for_every_sentence_of_every_passage(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    report = Indexer(settings, store, fake_embedder).build()
    snapshot = load_snapshot(settings.home)

    assert snapshot.sentences is not None
    assert snapshot.sentences.count == report.sentences
    _every_passage_has_its_sentences(snapshot, fake_embedder)


def _every_passage_has_its_sentences(snapshot: Snapshot, embedder: FakeEmbedder) -> None:
    assert snapshot.sentences is not None
    for ordinal, passage in enumerate(snapshot.passages):
        spans = sentence_spans(passage.text, Span(0, len(passage.text)))
        rows = snapshot.sentences.rows(ordinal)
        assert len(rows) == len(spans)
        expected = embedder.embed([passage.text[s.start : s.end] for s in spans])
        # int8 with a scale a row: off by at most half a step, max |x| / 254.
        bound = np.abs(expected).max(axis=1, keepdims=True) / 254 + 1e-6
        assert np.all(np.abs(rows - expected) <= bound)
        # Its sentences' spans and terms are stored, as the searcher would compute them.
        assert snapshot.sentences.sentence_terms(ordinal) == sentence_terms(passage.text)


def test_a_build_with_nothing_changed_keeps_the_current_snapshot(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = Indexer(settings, store, fake_embedder).build()
    calls = fake_embedder.calls
    published = (settings.home / "PUBLISHED").read_text()

    def texts_read(self: ArticleStore) -> Iterator[Article]:
        raise AssertionError("the articles' texts were read")

    monkeypatch.setattr(ArticleStore, "iter_articles", texts_read)

    # A fresh Indexer, as a new `articleqa index` makes: same store, code and settings.
    indexer = Indexer(settings, store, FakeEmbedder())
    again = indexer.build()

    assert again.published is False and first.published is True
    assert again.version == first.version == current_version(settings.home)
    assert (again.articles, again.passages, again.sentences) == (
        first.articles,
        first.passages,
        first.sentences,
    )
    assert (again.embedded, again.reused) == (0, first.passages)
    assert indexer.last_report == again
    # Nothing written: no other snapshot, no staging folder, the same publication history.
    assert list_versions(settings.home) == [first.version]
    assert [p.name for p in (settings.home / SNAPSHOTS).iterdir()] == [first.version]
    assert (settings.home / "PUBLISHED").read_text() == published
    assert fake_embedder.calls == calls

    # Other code (an upgrade): the store has not changed, but the snapshot is built again,
    # every vector read from the cache (a fresh Indexer, as a new CLI process makes, reads it
    # from disk).
    monkeypatch.setattr(indexer_module, "code_fingerprint", lambda: "other code")
    second = Indexer(settings, store, FakeEmbedder()).build()
    assert (second.embedded, second.reused) == (0, first.passages)
    assert second.version != first.version and second.published
    assert fake_embedder.calls == calls


def test_a_change_to_the_store_settings_or_code_or_a_damaged_snapshot_builds_again(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    versions = [Indexer(settings, store, fake_embedder).build().version]

    def built(indexer: Indexer, **options: Any) -> None:
        report = indexer.build(**options)
        assert report.published and report.version not in versions
        assert current_version(settings.home) == report.version
        versions.append(report.version)

    # An article added, then one removed: the store's generation.
    _add(store)
    built(Indexer(settings, store, fake_embedder))
    store.remove(prepare_article(NEW_ARTICLE).id)
    built(Indexer(settings, store, fake_embedder))
    # A setting a build reads (a flat index either way at this size).
    other = settings.model_copy(update={"ann_threshold": settings.ann_threshold + 1})
    built(Indexer(other, store, fake_embedder))
    # The words a passage may hold.
    other = settings.model_copy(update={"passage_max_words": settings.passage_max_words + 7})
    built(Indexer(other, store, fake_embedder))
    built(Indexer(settings, store, fake_embedder))
    # Another model.
    built(Indexer(settings, store, FakeEmbedder(dimension=32)))
    built(Indexer(settings, store, fake_embedder))
    # --full.
    built(Indexer(settings, store, fake_embedder), full=True)
    # A file of the current snapshot damaged.
    folder = settings.home / SNAPSHOTS / versions[-1]
    (folder / records.STRINGS).write_bytes(b"damaged")
    built(Indexer(settings, store, fake_embedder))
    # Other code.
    monkeypatch.setattr(indexer_module, "code_fingerprint", lambda: "other code")
    built(Indexer(settings, store, fake_embedder))
    assert len(set(versions)) == 11


def test_the_code_fingerprint_changes_with_any_module(tmp_path: Path) -> None:
    package = tmp_path / "package"
    (package / "api").mkdir(parents=True)
    (package / "search.py").write_text("RULE = 1\n")
    (package / "api" / "app.py").write_text("ROUTES = []\n")
    (package / "notes.txt").write_text("not code")
    fingerprints = [indexer_module.code_fingerprint(package)]
    for path, text in (
        ("notes.txt", "still not code"),
        ("search.py", "RULE = 2\n"),
        ("api/app.py", "ROUTES = [1]\n"),
        ("api/deps.py", ""),
    ):
        (package / path).write_text(text)
        indexer_module.code_fingerprint.cache_clear()
        fingerprints.append(indexer_module.code_fingerprint(package))
    assert fingerprints[1] == fingerprints[0]
    assert len(set(fingerprints[1:])) == 4
    own = indexer_module.code_fingerprint()
    assert len(own) == 16 and own == indexer_module.code_fingerprint()


def test_changed_paragraph_re_embeds_only_changed_passages(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    article = _add(store)
    indexer.build()
    edited = NEW_ARTICLE.text.replace("twelve instruments", "fourteen instruments")
    updated = prepare_article(RawArticle(title=NEW_ARTICLE.title, text=edited, url=NEW_ARTICLE.url))
    assert updated.id == article.id

    store.upsert(updated)
    report = indexer.build()

    old = {p.text for p in split_article(article)}
    new = {p.text for p in split_article(updated)}
    assert 1 <= len(new - old) < len(new)
    assert report.embedded == len(new - old)


def _stored_texts_are_the_snapshot_s(home: Path, store: ArticleStore) -> None:
    snapshot = load_snapshot(home)
    stored = {a.id: a.text for a in store.iter_articles()}
    assert {i: snapshot.articles[i].text for i in snapshot.articles} == stored


def test_a_build_reads_only_the_texts_of_the_articles_it_splits(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    every: list[int] = []
    some: list[list[str]] = []
    iter_articles, get_many = ArticleStore.iter_articles, ArticleStore.get_many

    def every_text(self: ArticleStore) -> Iterator[Article]:
        every.append(1)
        return iter_articles(self)

    def some_texts(self: ArticleStore, ids: Sequence[str]) -> dict[str, Article]:
        some.append(list(ids))
        return get_many(self, ids)

    monkeypatch.setattr(ArticleStore, "iter_articles", every_text)
    monkeypatch.setattr(ArticleStore, "get_many", some_texts)
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()  # the first: every text, in one pass
    assert (every, some) == ([1], [])
    article = _add(store)
    edited = prepare_article(
        dataclasses.replace(NEW_ARTICLE, text=NEW_ARTICLE.text.replace("twelve", "fourteen"))
    )

    report = indexer.build()
    assert (every, some) == ([1], [[article.id]])
    assert report.embedded > 0
    monkeypatch.setattr(ArticleStore, "iter_articles", iter_articles)
    _stored_texts_are_the_snapshot_s(settings.home, store)
    monkeypatch.setattr(ArticleStore, "iter_articles", every_text)
    store.upsert(edited)
    indexer.build()
    assert (every, some) == ([1], [[article.id], [edited.id]])
    monkeypatch.setattr(ArticleStore, "iter_articles", iter_articles)
    _stored_texts_are_the_snapshot_s(settings.home, store)


@pytest.mark.parametrize("change", ["edited", "removed", "added"])
def test_a_store_changed_while_a_build_reads_it_is_read_again(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    change: str,
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    article = _add(store)
    get_many = ArticleStore.get_many

    def changed_meanwhile(self: ArticleStore, ids: Sequence[str]) -> dict[str, Article]:
        # Between the build's read of the articles and of their texts, another process:
        if change == "edited":
            text = NEW_ARTICLE.text.replace("twelve", "fourteen")
            self.upsert(prepare_article(dataclasses.replace(NEW_ARTICLE, text=text)))
        elif change == "removed":
            self.remove(article.id)
        else:
            self.upsert(prepare_article(dataclasses.replace(NEW_ARTICLE, title="More", url=None)))
        monkeypatch.setattr(ArticleStore, "get_many", get_many)
        return get_many(self, ids)

    monkeypatch.setattr(ArticleStore, "get_many", changed_meanwhile)
    with caplog.at_level("INFO", logger="articleqa.indexer"):
        report = indexer.build()
    read_again = "the store changed while building" in caplog.text
    assert read_again is (change != "added")

    snapshot = load_snapshot(settings.home)
    stored = {a.id: a for a in store.iter_articles()}
    # Every article the snapshot holds, as the store holds it: text and hash.
    for article_id, hashed in (snapshot.manifest.article_hashes or {}).items():
        assert snapshot.articles[article_id].text == stored[article_id].text
        assert hashed == stored[article_id].content_hash
    if change == "added":
        # Not one of the articles the build read: the next build's (as after any change).
        assert set(stored) - set(snapshot.articles) == {
            prepare_article(dataclasses.replace(NEW_ARTICLE, title="More", url=None)).id
        }
    else:
        # Read again after the change: the store as it is now.
        assert set(snapshot.articles) == set(stored)
    assert report.articles == snapshot.manifest.article_count == len(snapshot.articles)
    # The store's generation was read before the change: the next build builds again.
    assert indexer.build().published
    _stored_texts_are_the_snapshot_s(settings.home, store)


def test_removed_article_leaves_the_index(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    gone = next(a for a in store.iter_articles() if a.title.startswith("Lakeshore Rovers"))
    store.remove(gone.id)

    report = indexer.build()

    snapshot = load_snapshot(settings.home)
    assert gone.id not in snapshot.articles
    assert gone.id not in snapshot.by_article
    assert all(span[0] != gone.id for p in snapshot.passages for span in p.spans)
    assert report.passages == _expected_passages(store, settings)
    assert report.embedded == 0
    assert gone.id not in (snapshot.manifest.article_hashes or {})


def test_removing_one_source_of_a_shared_passage_keeps_the_other(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    wire = "The regional statistics office said on Tuesday"

    shared = [p for p in load_snapshot(settings.home).passages if p.text.startswith(wire)]
    assert len(shared) == 1 and len(shared[0].spans) == 2
    store.remove(shared[0].spans[0][0])
    indexer.build()

    remaining = [p for p in load_snapshot(settings.home).passages if p.text.startswith(wire)]
    assert len(remaining) == 1
    assert [s[0] for s in remaining[0].spans] == [shared[0].spans[1][0]]


def test_spans_in_the_snapshot_slice_the_article_texts(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    Indexer(settings, store, fake_embedder).build()

    snapshot = load_snapshot(settings.home)

    for passage in snapshot.passages:
        primary, *others = passage.spans
        assert snapshot.articles[primary[0]].text[primary[1] : primary[2]] == passage.text
        for article_id, start, end in others:
            # Sources of one passage share its words; case and punctuation may differ.
            same_words = normalized_words(snapshot.articles[article_id].text[start:end])
            assert same_words == normalized_words(passage.text)
        for article_id, start, end in passage.spans:
            stored = store.get(article_id).text[start:end]
            assert stored == snapshot.articles[article_id].text[start:end]


def test_embedder_failure_leaves_the_previous_snapshot_current(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    before = Indexer(settings, store, fake_embedder).build()
    _add(store)

    with pytest.raises(RuntimeError, match="crashed"):
        Indexer(settings, store, FailingEmbedder(fail_on=1)).build()

    assert current_version(settings.home) == before.version
    assert list_versions(settings.home) == [before.version]
    assert _staging_folders(settings.home) == []
    assert load_snapshot(settings.home).passage_count == before.passages
    # The lock died with the failed build: the next one runs.
    after = Indexer(settings, store, fake_embedder).build()
    assert after.articles == before.articles + 1


def test_work_embedded_before_a_failure_is_not_paid_twice(
    settings: Settings, store: ArticleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Failure injection: tiny chunks so the crash comes after some chunks were cached.
    monkeypatch.setattr(indexer_module, "EMBED_CHUNK", 4)
    failing = FailingEmbedder(fail_on=3)

    with pytest.raises(RuntimeError):
        Indexer(settings, store, failing).build()
    assert current_version(settings.home) is None
    report = Indexer(settings, store, FakeEmbedder()).build()

    assert report.embedded == report.passages - 8
    assert report.reused == 8


def test_failure_while_writing_removes_the_staging_folder(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = Indexer(settings, store, fake_embedder).build()
    _add(store)

    def disk_full(self: LexicalIndex, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(LexicalIndex, "save", disk_full)

    with pytest.raises(StorageError, match="no space left"):
        Indexer(settings, store, fake_embedder).build()

    assert current_version(settings.home) == before.version
    assert list_versions(settings.home) == [before.version]
    assert _staging_folders(settings.home) == []


def test_a_second_build_while_one_runs_gets_rebuild_in_progress(
    settings: Settings, store: ArticleStore
) -> None:
    blocking = BlockingEmbedder()
    reports: list[BuildReport] = []
    errors: list[BaseException] = []

    def first_build() -> None:
        try:
            reports.append(Indexer(settings, store, blocking).build())
        except BaseException as exc:  # surfaced by the assertions below
            errors.append(exc)

    thread = threading.Thread(target=first_build)
    thread.start()
    try:
        assert blocking.entered.wait(timeout=60)
        with pytest.raises(
            RebuildInProgress, match=r"another index rebuild is running \(pid \d+\)"
        ):
            Indexer(settings, store, FakeEmbedder()).build()
    finally:
        blocking.release.set()
        thread.join(timeout=60)

    assert errors == []
    assert [r.version for r in reports] == [current_version(settings.home)]


def test_rollback_publishes_the_previous_snapshot(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    first = indexer.build()
    new = _add(store)
    second = indexer.build()

    restored = rollback(settings.home)

    assert restored == first.version
    assert current_version(settings.home) == first.version
    snapshot = load_snapshot(settings.home)
    assert new.id not in snapshot.articles
    assert snapshot.passage_count == first.passages
    with pytest.raises(IndexNotBuilt, match="no earlier snapshot"):
        rollback(settings.home)
    assert list_versions(settings.home) == [first.version, second.version]


def test_only_the_last_few_snapshots_are_kept(
    home: Path, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    settings = Settings(home=home, embedding_backend="fake", keep_snapshots=2, _env_file=None)
    indexer = Indexer(settings, store, fake_embedder)

    versions = []
    for number in range(4):
        # Something changed each time: a build with nothing changed keeps the snapshot.
        _add(store, dataclasses.replace(NEW_ARTICLE, title=f"{NEW_ARTICLE.title} {number}"))
        versions.append(indexer.build().version)

    assert list_versions(home) == versions[-2:]
    assert current_version(home) == versions[-1]


def test_progress_reports_embedding_counts(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    seen: list[tuple[int, int]] = []

    report = Indexer(settings, store, fake_embedder).build(
        progress=lambda d, t: seen.append((d, t))
    )

    work = report.embedded + report.sentences_embedded
    assert seen[0] == (0, work)
    assert seen[-1] == (work, work)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_empty_store_is_refused_with_no_articles_yet(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    # Issue 15, item 9: it used to publish a 0-article snapshot that "did not answer" anything.
    with pytest.raises(NoArticles, match=r"^no articles yet: add some first$"):
        Indexer(settings, ArticleStore(settings.home), fake_embedder).build()

    assert current_version(settings.home) is None
    assert list_versions(settings.home) == []


def test_an_emptied_store_is_indexed_empty_and_asks_say_no_articles_yet(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    for meta in store.list(0, 1000):
        store.remove(meta.id)

    report = indexer.build()  # removed articles must stop being quoted

    assert (report.articles, report.passages) == (0, 0)
    searcher = Searcher(load_snapshot(settings.home), fake_embedder, settings)
    answer = searcher.ask("Who won the regional science fair?")
    assert not answer.answered
    assert answer.message == "no articles yet: add some first"


def test_a_corrupted_current_snapshot_falls_back_to_the_previous_one(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    first = indexer.build()
    _add(store)
    second = indexer.build()
    texts_file = settings.home / SNAPSHOTS / second.version / records.COMPRESSED
    damaged = bytearray(texts_file.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    texts_file.write_bytes(bytes(damaged))

    with pytest.raises(SnapshotCorrupt, match="does not match its hash"):
        load_snapshot(settings.home)
    loaded = load_best(settings.home)

    assert loaded.snapshot.version == first.version
    assert loaded.fallback_reason is not None and second.version in loaded.fallback_reason
    assert current_version(settings.home) == second.version, (
        "serving an older one publishes nothing"
    )


def test_failure_to_publish_is_a_storage_error_and_leaves_no_unpublished_snapshot(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = Indexer(settings, store, fake_embedder).build()
    _add(store)

    def disk_full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapshot_module, "write_file_atomic", disk_full)

    with pytest.raises(StorageError, match="cannot publish snapshot"):
        Indexer(settings, store, fake_embedder).build()

    assert current_version(settings.home) == before.version
    assert list_versions(settings.home) == [before.version]
    assert _staging_folders(settings.home) == []


def _questions() -> list[str]:
    conversations = Path(__file__).parent.parent / "eval" / "followups" / "conversations.json"
    data = json.loads(conversations.read_text())
    return [t["question"] for c in data["conversations"] for t in c["turns"]]


def test_an_incremental_build_answers_as_a_full_build_of_the_same_articles(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    # Issue 17: the second build tokenises only the new article's passages into a new BM25
    # segment and tombstones the removed article's. Idf and average length stay the whole
    # corpus's, so every BM25 score is the same bits as a build from scratch, and so is
    # every answer.
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    store.remove(next(a for a in store.iter_articles() if a.title.startswith("Lakeshore")).id)
    _add(store)
    indexer.build()
    incremental = load_snapshot(settings.home)
    assert isinstance(incremental.lexical, LexicalIndex)
    assert len(incremental.lexical.segments) == 2

    full_settings = settings.model_copy(update={"home": tmp_path / "full"})
    full_store = ArticleStore(full_settings.home)
    for article in store.iter_articles():
        full_store.upsert(article)
    Indexer(full_settings, full_store, FakeEmbedder()).build()
    full = load_snapshot(full_settings.home)
    assert isinstance(full.lexical, LexicalIndex)
    assert len(full.lexical.segments) == 1
    assert list(incremental.passages) == list(full.passages)
    assert dict(incremental.articles) == dict(full.articles)
    # Sentence vectors of the passages kept are the previous snapshot's rows (its file linked),
    # the new passages' are in a file of their own.
    assert incremental.sentences is not None and full.sentences is not None
    assert len(incremental.sentences.arrays) == 2
    assert incremental.sentences.files[0] is not None
    assert incremental.sentences.files[0].stat().st_nlink == 2
    assert [len(incremental.sentences.rows(o)) for o in range(full.passage_count)] == [
        len(full.sentences.rows(o)) for o in range(full.passage_count)
    ]
    for kept, fresh in zip(incremental.sentences.dense(), full.sentences.dense(), strict=True):
        assert np.array_equal(kept, fresh)
    _every_passage_has_its_sentences(incremental, fake_embedder)

    ours = Searcher(incremental, fake_embedder, settings)
    theirs = Searcher(full, fake_embedder, full_settings)
    questions = _questions()
    assert len(questions) > 90
    answered = 0
    for question in questions:
        a, b = incremental.lexical.hits(question), full.lexical.hits(question)
        assert a.ids.tolist() == b.ids.tolist(), question
        assert a.scores.tobytes() == b.scores.tobytes(), question
        mine = _answer(ours, question)
        answered += mine["answered"]
        assert mine == _answer(theirs, question)
    assert answered > 30


def test_a_build_splits_only_new_and_changed_articles(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    # Issue 17: an unchanged article's passages are taken from the previous snapshot's
    # columns, not split (or read from the split cache) again.
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    added = _add(store)
    asked: list[list[str]] = []
    iter_split = indexer.splits.iter_split

    def recording(articles: Sequence[Article]) -> Iterator[Passage]:
        asked.append([a.id for a in articles])
        return iter_split(articles)

    indexer.splits.iter_split = recording  # type: ignore[method-assign]
    indexer.build()

    assert asked == [[added.id]]


def test_passages_held_by_several_articles_as_a_full_build_after_the_first_goes(
    settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    # A passage whose first article is removed is then first in the next one holding it, with
    # that article's context and heading; an article added before it in id order takes it
    # first. Either way the list is the one a build from scratch makes (merge_duplicates).
    store = ArticleStore(settings.home)
    # Characters of 2, 3 and 4 UTF-8 bytes: a passage's text is cut from its article by bytes.
    shared = " ".join(f"Shared sentence {i} about the café — harbour 𝔘 works." for i in range(14))
    own = " ".join(f"Words of its own, line {i}, in this article." for i in range(14))
    articles = [
        _add(store, RawArticle(title=f"Article {n}", text=f"Heading {n}\n\n{shared}\n\n{own}"))
        for n in range(4)
    ]
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    first = min(articles, key=lambda a: a.id)
    store.remove(first.id)
    _add(store, RawArticle(title="Another", text=f"{shared}\n\nAnd a closing sentence here."))
    indexer.build()
    incremental = load_snapshot(settings.home)

    full_settings = settings.model_copy(update={"home": tmp_path / "full"})
    full_store = ArticleStore(full_settings.home)
    for article in store.iter_articles():
        full_store.upsert(article)
    Indexer(full_settings, full_store, FakeEmbedder()).build()
    full = load_snapshot(full_settings.home)
    expected = merge_duplicates(
        [p for a in store.iter_articles() for p in split_article(a, 60, 120)]
    )

    assert any(len(p.spans) > 1 for p in full.passages)
    assert list(incremental.passages) == list(full.passages)
    assert [(p.text, p.context, p.heading) for p in full.passages] == [
        (p.text, p.context, p.heading) for p in expected
    ]
    assert [p.spans for p in full.passages] == [
        [(s.article_id, s.start, s.end) for s in p.spans] for p in expected
    ]


def _answer(searcher: Searcher, question: str) -> dict[str, object]:
    """The answer without what names the snapshot (its version, also in passage ids)."""
    answer = searcher.ask(question).model_dump(exclude={"took_ms", "index_version"})
    for quote in answer["quotes"]:
        quote["passage_id"] = quote["passage_id"].rsplit(":", 1)[1]
    return answer


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_a_later_build_extends_the_ann_index_instead_of_training_it_again(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder, kind: str
) -> None:
    settings = settings.model_copy(update={"index_type": kind})
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    first = load_snapshot(settings.home)
    gone = next(a for a in store.iter_articles() if a.title.startswith("Lakeshore"))
    store.remove(gone.id)
    added = _add(store)
    indexer.build()
    snapshot = load_snapshot(settings.home)
    recorded = dict(snapshot.manifest.extra["vector_index"])
    assert recorded["tuned_on"] == first.passage_count
    new = [o for o, p in enumerate(snapshot.passages) if p.spans[0][0] == added.id]
    assert recorded["added"] == len(new) > 0
    assert recorded["tombstones"] == len(first.by_article[gone.id]) > 0
    assert snapshot.vectors is not None
    assert snapshot.vectors.ntotal == snapshot.passage_count + recorded["tombstones"]
    embedder = FakeEmbedder()
    texts = [p.context + "\n" + p.text if p.context else p.text for p in snapshot.passages]
    vectors = embedder.embed(texts)
    # Every passage is found under its new ordinal (the kept ones renumbered, the new added),
    # and no removed passage is ever returned.
    for ordinal in [*new, 0, len(texts) // 2, len(texts) - 1]:
        _, ids = vector_search(snapshot.vectors, vectors[ordinal], 5)
        assert ordinal in ids.tolist()
        stored = vectors_of(snapshot.vectors, [ordinal])[0]
        assert int(np.argmax(vectors @ stored)) == ordinal
    for vector in vectors:
        _, ids = vector_search(snapshot.vectors, vector, 20)
        assert set(ids.tolist()) <= set(range(snapshot.passage_count))
    if kind == "ivf":
        # The kept passages' cache keys come from the previous snapshot, renumbered.
        keys = np.load(snapshot.path / "vectors.keys.npy")
        assert [bytes(k).hex() for k in keys] == [cache_key(t) for t in texts]


def test_sentence_files_of_many_later_builds_are_merged_all_but_the_largest(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    full = load_snapshot(settings.home)
    assert full.sentences is not None and len(full.sentences.arrays) == 1
    largest = full.sentences.files[0]
    assert largest is not None
    inode = largest.stat().st_ino  # the folder goes: only ARTICLEQA_KEEP_SNAPSHOTS are kept
    counts = []
    for number in range(2 * indexer_module.MAX_SENTENCE_FILES + 1):
        text = NEW_ARTICLE.text.replace("twelve", f"{number + 13}")
        url = f"https://ledger.example/culture/telescopes-{number}"
        _add(
            store,
            dataclasses.replace(NEW_ARTICLE, title=f"Telescopes {number}", text=text, url=url),
        )
        indexer.build()
        snapshot = load_snapshot(settings.home)
        assert snapshot.sentences is not None
        counts.append(len(snapshot.sentences.arrays))
        _every_passage_has_its_sentences(snapshot, fake_embedder)
        # The full build's file is never written again: linked into every later snapshot.
        kept = snapshot.sentences.files[0]
        assert kept is not None and kept.stat().st_ino == inode
    # One more file a build, until one more would pass the limit: then all but the largest
    # (the full build's) in one, and again one more a build from there.
    most = indexer_module.MAX_SENTENCE_FILES
    assert counts == [*range(2, most + 1), *range(2, most + 1), 2, 3, 4]


def test_sentence_files_mostly_of_passages_gone_are_written_in_one_again(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    _add(store)
    indexer.build()
    snapshot = load_snapshot(settings.home)
    assert snapshot.sentences is not None and len(snapshot.sentences.arrays) == 2
    articles = sorted(store.iter_articles(), key=lambda a: a.id)
    for article in articles[: len(articles) // 2 + 1]:  # most of the full build's rows
        store.remove(article.id)
    indexer.build()

    snapshot = load_snapshot(settings.home)
    assert snapshot.sentences is not None and len(snapshot.sentences.arrays) == 1
    assert snapshot.sentences.stored == snapshot.sentences.count
    _every_passage_has_its_sentences(snapshot, fake_embedder)


def test_a_snapshot_split_by_other_code_is_not_reused(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its segments and sentence rows are what that code made of the passages; the sentences
    # and words this code finds in them might differ.
    indexer = Indexer(settings, store, fake_embedder)
    monkeypatch.setattr(indexer_module, "rules_fingerprint", lambda: "older-rules")
    indexer.build()
    monkeypatch.undo()
    _add(store)
    indexer.build()
    snapshot = load_snapshot(settings.home)
    assert isinstance(snapshot.lexical, LexicalIndex)
    assert len(snapshot.lexical.segments) == 1
    assert snapshot.sentences is not None and len(snapshot.sentences.arrays) == 1
    assert snapshot.manifest.extra["rules"] == indexer_module.rules_fingerprint()
    text = NEW_ARTICLE.text.replace("twelve", "fourteen")
    _add(store, dataclasses.replace(NEW_ARTICLE, url="https://ledger.example/t2", text=text))
    indexer.build()
    later = load_snapshot(settings.home)
    assert isinstance(later.lexical, LexicalIndex)
    assert len(later.lexical.segments) == 2


def test_a_failed_build_after_a_change_leaves_the_previous_snapshot_whole(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The failing build had hard-linked the previous snapshot's BM25 segment and sentence
    # file into its staging folder: removing that folder must leave them as they were.
    indexer = Indexer(settings, store, fake_embedder)
    first = indexer.build()
    _add(store)

    def disk_full(*args: object) -> dict[str, str]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapshot_module, "_hashes", disk_full)
    with pytest.raises(StorageError):
        indexer.build()
    assert current_version(settings.home) == first.version
    assert list_versions(settings.home) == [first.version]
    folder = settings.home / SNAPSHOTS / first.version
    assert not list((settings.home / SNAPSHOTS).glob(".building-*"))
    assert all(p.stat().st_nlink == 1 for p in folder.rglob("*") if p.is_file())
    load_snapshot(settings.home, verify=True)  # every file still matches its hash
    monkeypatch.undo()
    indexer.build()
    later = load_snapshot(settings.home, verify=True)
    assert isinstance(later.lexical, LexicalIndex) and len(later.lexical.segments) == 2


def _questions_answered(searcher: Searcher) -> list[dict[str, object]]:
    return [_answer(searcher, question) for question in _questions()]


def test_the_searcher_reads_sentence_words_from_the_snapshot(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Indexer(settings, store, fake_embedder).build()
    snapshot = load_snapshot(settings.home)
    expected = _questions_answered(Searcher(snapshot, fake_embedder, settings))

    def not_split(text: str) -> object:
        raise AssertionError("a passage split at question time")

    monkeypatch.setattr(search_module, "sentence_terms", not_split)
    assert _questions_answered(Searcher(snapshot, fake_embedder, settings)) == expected


def _without_words(home: Path) -> None:
    """Make the current snapshot one from before the stored sentence words."""
    folder = home / SNAPSHOTS / str(current_version(home))
    manifest = json.loads((folder / "manifest.json").read_text())
    for path in [*folder.glob(f"*{WORDS_SUFFIX}"), *folder.glob(f"*{TERMS_SUFFIX}")]:
        path.unlink()
        del manifest["files"][path.name]
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_a_snapshot_without_sentence_words_answers_alike_and_its_next_build_stores_them(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    expected = _questions_answered(Searcher(load_snapshot(settings.home), fake_embedder, settings))
    _without_words(settings.home)

    old = load_snapshot(settings.home)  # verified: the manifest lists no words files
    assert old.sentences is not None and not old.sentences.has_words
    assert old.sentences.sentence_terms(0) is None
    assert _questions_answered(Searcher(old, fake_embedder, settings)) == expected

    _add(store)
    indexer.build()
    upgraded = load_snapshot(settings.home)
    assert upgraded.sentences is not None and upgraded.sentences.has_words
    _every_passage_has_its_sentences(upgraded, fake_embedder)


def test_sentence_words_of_other_splitting_rules_are_not_used(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Indexer(settings, store, fake_embedder).build()
    monkeypatch.setattr(snapshot_module, "rules_fingerprint", lambda: "newer-rules")
    snapshot = load_snapshot(settings.home)
    assert snapshot.sentences is not None and snapshot.sentences.sentence_terms(0) is None


def test_sentence_rows_written_a_chunk_at_a_time_are_the_rows_saved_whole(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    def files(home: Path) -> list[bytes]:
        folder = load_snapshot(home).path
        [name] = json.loads((folder / snapshot_module.SENTENCE_LIST).read_text())
        vectors = folder / name
        return [p.read_bytes() for p in (vectors, scales_file(vectors), *words_files(vectors))]

    monkeypatch.setattr(indexer_module, "SENTENCE_CHUNK", 3)
    monkeypatch.setattr(indexer_module, "SPLIT_CHUNK", 2)
    Indexer(settings, store, fake_embedder).build()
    in_threes = files(settings.home)
    monkeypatch.undo()
    whole_settings = settings.model_copy(update={"home": tmp_path / "whole"})
    whole_store = ArticleStore(whole_settings.home)
    for article in store.iter_articles():
        whole_store.upsert(article)
    Indexer(whole_settings, whole_store, FakeEmbedder()).build()

    assert files(whole_settings.home) == in_threes
    # What holding every row and saving them at the end wrote (the code before the chunks).
    snapshot = load_snapshot(settings.home)
    split = [sentence_terms(passage.text) for passage in snapshot.passages]
    texts = [
        p.text[s.start : s.end]
        for p, terms in zip(snapshot.passages, split, strict=True)
        for s, _ in terms
    ]
    saved = tmp_path / "saved.npy"
    save_quantised(saved, *quantise(FakeEmbedder().embed(texts)))
    SentenceWords.of(split).save(saved)
    assert in_threes == [p.read_bytes() for p in (saved, scales_file(saved), *words_files(saved))]
    # The build's folder for the rows is gone with it.
    assert _staging_folders(settings.home) == []


def test_a_build_lets_go_of_the_articles_texts_once_they_are_in_the_columns(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every article's text is in the columns after the split; the embedding pass, the vector
    # index and the snapshot's writing need only the articles' ids and hashes, so a full
    # build no longer holds every text twice (BENCHMARKS.md, "Scale, sixth pass").
    held: list[list[Article]] = []
    prepare = Indexer.prepare

    def prepared(self: Indexer, articles: list[Article], *args: Any, **kwargs: Any) -> Any:
        # The build's own list: what it holds through the embedding pass.
        held.append(list(articles))
        return prepare(self, articles, *args, **kwargs)

    monkeypatch.setattr(Indexer, "prepare", prepared)
    report = Indexer(settings, store, fake_embedder).build()

    assert [a.text for a in held[0]] == [""] * report.articles
    snapshot = load_snapshot(settings.home)
    assert snapshot.manifest.article_hashes == {a.id: a.content_hash for a in store.iter_articles()}
    for article in store.iter_articles():
        assert snapshot.articles[article.id].text == article.text


def test_cache_keys_held_as_16_bytes_read_back_as_the_cache_keys() -> None:
    # A build holds its ~5 M keys at a million passages as 16 bytes each (numpy "S16"), which
    # drops trailing NUL bytes when read: a key whose bytes end in 0 must come back whole.
    texts = [f"Sentence number {n} of the corpus." for n in range(3000)]
    assert any(indexer_module.key_digest(t).endswith(b"\0") for t in texts)
    keys = indexer_module.CacheKeys(indexer_module._digests(texts))
    assert list(keys) == [cache_key(t) for t in texts]
    assert keys[5:8] == [cache_key(t) for t in texts[5:8]]


def test_distinct_keys_give_the_rows_stored_and_each_rows_stored_row() -> None:
    texts = ["b", "a", "b", "c", "a", "b"]
    stored, row_map = indexer_module._distinct(indexer_module._digests(texts))
    assert stored.tolist() == [0, 1, 3]  # each distinct sentence's first row, in order
    assert row_map is not None and row_map.tolist() == [0, 1, 0, 2, 1, 0]
    distinct = indexer_module._digests(["x", "y"])
    stored, row_map = indexer_module._distinct(distinct)
    assert stored.tolist() == [0, 1] and row_map is None
    stored, row_map = indexer_module._distinct(distinct[:0])
    assert len(stored) == 0 and row_map is None


def test_the_ann_index_is_tuned_for_the_searchers_depth(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its candidates, and one more: the recall check's query finds its own passage first.
    seen: list[int] = []
    build_chosen = indexer_module.build_chosen

    def recording(*args: Any, search_k: int, **kwargs: Any) -> Any:
        seen.append(search_k)
        return build_chosen(*args, search_k=search_k, **kwargs)

    monkeypatch.setattr(indexer_module, "build_chosen", recording)
    settings = settings.model_copy(update={"index_type": "ivf", "candidates": 40})
    Indexer(settings, store, fake_embedder).build()
    assert seen == [41]
    recorded = load_snapshot(settings.home).manifest.extra["vector_index"]
    assert recorded["refine_factor"] is not None


def test_an_ivf_snapshot_reranks_by_the_vectors_in_the_embedding_cache(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    # The snapshot keeps 4-bit residual codes and each passage's cache key, not a second copy
    # of the vectors: the best of a shortlist are scored by the cache's float32 vectors.
    settings = settings.model_copy(update={"index_type": "ivf"})
    Indexer(settings, store, fake_embedder).build()
    snapshot = load_snapshot(settings.home)
    folder = snapshot.path
    assert (folder / "vectors.codes.npy").is_file() and (folder / "vectors.keys.npy").is_file()
    assert snapshot.manifest.extra["exact_vectors"] == "embeddings/fake-hash-384.sqlite"
    texts = [p.context + "\n" + p.text if p.context else p.text for p in snapshot.passages]
    keys = np.load(folder / "vectors.keys.npy")
    assert [bytes(k).hex() for k in keys] == [cache_key(t) for t in texts]
    vectors = FakeEmbedder().embed(texts)
    assert snapshot.vectors is not None
    for ordinal in (0, len(texts) // 2, len(texts) - 1):
        scores, ids = vector_search(snapshot.vectors, vectors[ordinal], 5)
        assert ids[0] == ordinal
        # The vectors' own inner products (half precision was off by ~1e-3).
        np.testing.assert_allclose(scores, vectors[ids] @ vectors[ordinal], atol=1e-6)
    np.testing.assert_array_equal(vectors_of(snapshot.vectors, [3, 1]), vectors[[3, 1]])


def test_an_ivf_snapshot_records_each_keys_rowid_in_the_embedding_cache(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its re-ranking reads a row by its number, one look-up where a key took two; an
    # incremental build looks up only the passages the previous snapshot did not hold.
    settings = settings.model_copy(update={"index_type": "ivf"})
    looked_up: list[int] = []
    cache_rowids = indexer_module.cache_rowids

    def counting(cache: Path, keys: np.ndarray) -> np.ndarray:
        looked_up.append(len(keys))
        return cache_rowids(cache, keys)

    monkeypatch.setattr(indexer_module, "cache_rowids", counting)
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    first = load_snapshot(settings.home)
    assert looked_up == [len(first.passages)]

    def stored_rowids(snapshot: Any) -> tuple[list[int], list[int]]:
        db = sqlite3.connect(settings.home / "embeddings" / "fake-hash-384.sqlite")
        numbers = dict(db.execute("SELECT key, rowid FROM vectors").fetchall())
        keys = np.load(snapshot.path / KEYS_FILE)
        recorded = np.load(snapshot.path / ROWIDS_FILE)
        return recorded.tolist(), [numbers[bytes(key).hex()] for key in keys]

    recorded, expected = stored_rowids(first)
    assert recorded == expected
    assert first.vectors is not None and first.vectors.exact is not None
    assert first.vectors.exact.rowids is not None

    _add(store)
    indexer.build()
    second = load_snapshot(settings.home)
    assert second.version != first.version
    added = len(second.passages) - len(first.passages)
    assert added > 0 and looked_up == [len(first.passages), added]
    recorded, expected = stored_rowids(second)
    assert recorded == expected


def test_an_ivf_snapshot_without_its_embedding_cache_still_searches_by_its_codes(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = settings.model_copy(update={"index_type": "ivf"})
    Indexer(settings, store, fake_embedder).build()
    for path in (settings.home / "embeddings").iterdir():
        path.unlink()
    snapshot = load_snapshot(settings.home)
    texts = [p.context + "\n" + p.text if p.context else p.text for p in snapshot.passages]
    vectors = FakeEmbedder().embed(texts)
    assert snapshot.vectors is not None
    scores, ids = vector_search(snapshot.vectors, vectors[2], 5)
    assert len(ids) == 5
    np.testing.assert_allclose(scores, vectors[ids] @ vectors[2], atol=0.05)
    decoded = vectors_of(snapshot.vectors, [3])
    np.testing.assert_allclose(decoded, vectors[[3]], atol=0.05)
    assert "lacks" in caplog.text and "codes' scores are used" in caplog.text
