"""Sentence vectors in a snapshot: int8 rows with their scales, float16 files written before
them (read as stored, and linked beside int8 ones by the builds after), and files that do not
match being a corrupt snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from articleqa import indexer as indexer_module
from articleqa import posting_gaps, records, text_blocks
from articleqa import snapshot as snapshot_module
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.errors import SnapshotCorrupt
from articleqa.hashing import file_sha256
from articleqa.indexer import Indexer
from articleqa.ingest.prepare import prepare_article
from articleqa.lexical import LexicalIndex, Segment
from articleqa.manifest import FORMAT_VERSION
from articleqa.models import RawArticle
from articleqa.paths import SNAPSHOTS
from articleqa.posting_gaps import GapDocs
from articleqa.records import load_columns
from articleqa.search import Searcher
from articleqa.sentence_files import dequantise, row_map_file, scales_file
from articleqa.sentence_words import SentenceWords, words_files
from articleqa.service import ingest
from articleqa.snapshot import (
    LEXICAL_DIR,
    MANIFEST,
    SENTENCE_ARRAYS,
    SENTENCE_FILES,
    SENTENCE_INDEX,
    SENTENCE_LIST,
    SENTENCE_OFFSETS,
    SENTENCE_VECTORS,
    Snapshot,
    load_sentences,
    load_snapshot,
)
from articleqa.store import ArticleStore
from tests.conftest import SAMPLE_ARTICLES

QUESTIONS = [
    "Who won the regional science fair?",
    "Why was the lower town flooded?",
    "When does the night ferry to Port Avery return?",
]


@pytest.fixture
def store(settings: Settings) -> ArticleStore:
    store = ArticleStore(settings.home)
    assert not [o for o in ingest([str(SAMPLE_ARTICLES)], store, settings) if o.failed]
    return store


def _add(store: ArticleStore, number: int) -> None:
    store.upsert(
        prepare_article(
            RawArticle(
                title=f"Night ferry {number}",
                text=(
                    f"The night ferry between Lakeshore and Port Avery returns on {number} May "
                    "after a two-year pause, the harbour authority said on Monday. Tickets go on "
                    "sale at the harbour office a week before the first crossing."
                ),
                url=f"https://ledger.example/ferry-{number}",
            )
        )
    )


def _as_float16(snapshot: Snapshot, embedder: FakeEmbedder) -> np.ndarray:
    """Rewrite a snapshot built by this code as code before the int8 rows wrote it (manifest
    format 1, float16 rows in sentences.npy with sentence_offsets.npy and the words beside);
    the float16 rows."""
    folder = snapshot.path
    sentences = snapshot.sentences
    assert sentences is not None
    words = sentences.dense_words()
    assert words is not None
    texts = []
    offsets = [0]
    for ordinal, passage in enumerate(snapshot.passages):
        terms = sentences.sentence_terms(ordinal)
        assert terms is not None
        texts += [passage.text[span.start : span.end] for span, _ in terms]
        offsets.append(len(texts))
    matrix = embedder.embed(texts).astype(np.float16)
    for name in json.loads((folder / SENTENCE_LIST).read_text()):
        for path in folder.glob(name.removesuffix(".npy") + ".*"):
            path.unlink()
    (folder / SENTENCE_LIST).unlink()
    (folder / SENTENCE_INDEX).unlink()
    np.save(folder / SENTENCE_VECTORS, matrix)
    np.save(folder / SENTENCE_OFFSETS, np.asarray(offsets, dtype=np.int64))
    words.save(folder / SENTENCE_VECTORS)
    _rewrite_manifest(folder, 1)
    return matrix


def _rewrite_manifest(folder: Path, format_version: int) -> None:
    """The manifest of an older ``format_version``, hashing the files as rewritten."""
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["format"] = format_version
    manifest["files"] = {
        str(p.relative_to(folder)): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))


def _answers(snapshot: Snapshot, embedder: FakeEmbedder, settings: Settings) -> list[object]:
    """Each question's quotes: article, span and highlight (scores move with the corpus)."""
    searcher = Searcher(snapshot, embedder, settings)
    return [
        [(q.article.id, q.start, q.end, q.highlight) for q in searcher.ask(question).quotes]
        for question in QUESTIONS
    ]


def test_a_build_stores_int8_rows_and_their_scales(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    Indexer(settings, store, fake_embedder).build()
    snapshot = load_snapshot(settings.home)

    assert snapshot.manifest.format == FORMAT_VERSION == 5
    assert snapshot.sentences is not None and len(snapshot.sentences.arrays) == 1
    [name] = json.loads((snapshot.path / SENTENCE_LIST).read_text())
    assert snapshot.sentences.arrays[0].dtype == np.int8
    assert (snapshot.path / name.replace(".npy", ".scales.npy")).is_file()
    # Code from before the int8 rows finds none of its files, so it never reads int8 as float16.
    for old in (SENTENCE_VECTORS, SENTENCE_OFFSETS, SENTENCE_FILES):
        assert not (snapshot.path / old).exists()
    rows = snapshot.sentences.rows(0)
    assert rows.dtype == np.float32
    scales = snapshot.sentences.scales_of(0)
    assert scales is not None
    first, count = (int(x) for x in snapshot.sentences.where[0, 1:])
    assert np.array_equal(
        rows, dequantise(snapshot.sentences.arrays[0][first : first + count], scales[:count])
    )


def test_a_float16_snapshot_loads_as_written_and_the_next_build_links_it_beside_int8_rows(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    first = indexer.build()
    old = load_snapshot(settings.home)
    float16 = _as_float16(old, fake_embedder)

    old = load_snapshot(settings.home)
    assert old.version == first.version and old.manifest.format == 1
    assert old.sentences is not None and old.sentences.scales_of(0) is None
    # Read as stored, float16, and scored in float16 as before: the same answers as then.
    offsets = old.sentences.dense_offsets()
    for ordinal in range(old.passage_count):
        rows = old.sentences.rows(ordinal)
        assert rows.dtype == np.float16
        assert np.array_equal(rows, float16[offsets[ordinal] : offsets[ordinal + 1]])
    old_answers = _answers(old, fake_embedder, settings)
    assert all(old_answers[:2])

    _add(store, 3)
    indexer.build()
    mixed = load_snapshot(settings.home)
    assert mixed.manifest.format == FORMAT_VERSION == 5
    sentences = mixed.sentences
    assert sentences is not None and len(sentences.arrays) == 2
    assert [a.dtype for a in sentences.arrays] == [np.float16, np.int8]
    assert sentences.scales_of(0) is None and sentences.scales_of(1) is not None
    # The float16 file is linked (under a name of its own, so older code never takes it for a
    # full build's sentences.npy), not rewritten; only the new passages' rows are int8.
    linked = sentences.files[0]
    assert linked is not None and linked.name != SENTENCE_VECTORS
    assert linked.samefile(old.path / SENTENCE_VECTORS)
    assert not (mixed.path / SENTENCE_VECTORS).exists()
    new = [o for o in range(mixed.passage_count) if int(sentences.where[o, 0]) == 1]
    assert new and len(new) < mixed.passage_count
    for ordinal, passage in enumerate(mixed.passages):
        rows = sentences.rows(ordinal)
        terms = sentences.sentence_terms(ordinal)
        assert terms is not None and len(rows) == len(terms)
        expected = fake_embedder.embed([passage.text[s.start : s.end] for s, _ in terms])
        if ordinal in new:
            assert rows.dtype == np.float32
            bound = np.abs(expected).max(axis=1, keepdims=True) / 254 + 1e-6
            assert np.all(np.abs(rows - expected) <= bound)
        else:
            assert rows.dtype == np.float16
            assert np.array_equal(rows, expected.astype(np.float16))
    # The old passages answer as they did from the float16 snapshot.
    assert _answers(mixed, fake_embedder, settings)[:2] == old_answers[:2]
    assert _answers(mixed, fake_embedder, settings)[2]

    # Written in one file again (too many files, or too many rows of passages gone), the
    # float16 rows are quantised with the rest.
    dense, scales, dense_offsets = sentences.dense()
    assert dense.dtype == np.int8 and scales.shape == (len(dense),)
    assert int(dense_offsets[-1]) == sentences.count


def test_sentence_files_that_do_not_match_are_a_corrupt_snapshot(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    Indexer(settings, store, fake_embedder).build()
    snapshot = load_snapshot(settings.home)
    folder, passages = snapshot.path, snapshot.passage_count
    [name] = json.loads((folder / SENTENCE_LIST).read_text())
    vectors, scales = folder / name, scales_file(folder / name)
    held = np.load(scales)

    np.save(scales, held[:-1])
    with pytest.raises(SnapshotCorrupt, match="does not match its rows"):
        load_sentences(folder, passages)
    np.save(scales, held.astype(np.float64))
    with pytest.raises(SnapshotCorrupt, match="does not match its rows"):
        load_sentences(folder, passages)
    scales.unlink()
    with pytest.raises(SnapshotCorrupt, match="is missing"):
        load_sentences(folder, passages)
    with pytest.raises(SnapshotCorrupt):
        load_snapshot(settings.home, verify=False)
    np.save(vectors, np.load(vectors).astype(np.float32))
    with pytest.raises(SnapshotCorrupt, match="is not sentence vectors"):
        load_sentences(folder, passages)
    with pytest.raises(SnapshotCorrupt, match="does not match its hash"):
        load_snapshot(settings.home)
    assert (settings.home / SNAPSHOTS).is_dir()


# Enough articles repeating sentences that their terms stored once save more than the words
# file's fourth column costs (SentenceWords.shared_by), beside the sample articles.
REPEATING = 40


def _repeating(store: ArticleStore, number: int) -> None:
    """An article two of whose three sentences the others of these hold too."""
    store.upsert(
        prepare_article(
            RawArticle(
                title=f"Harbour notice {number}",
                text="The harbour office opens at seven. Tickets go on sale a week before the "
                f"first crossing. Notice {number} was posted on the harbour wall on Monday.",
                url=f"https://ledger.example/harbour-{number}",
            )
        )
    )


def _undeduplicated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every sentence's row stored, as format 2 stored them."""
    monkeypatch.setattr(
        indexer_module,
        "_distinct",
        lambda digests: (np.arange(len(digests), dtype=np.int64), None),
    )


def test_a_sentence_met_again_is_stored_once_and_read_as_it_was(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    for number in range(REPEATING):
        _repeating(store, number)
    Indexer(settings, store, fake_embedder).build()
    snapshot = load_snapshot(settings.home)
    sentences = snapshot.sentences
    assert sentences is not None and sentences.files[0] is not None
    [name] = json.loads((snapshot.path / SENTENCE_LIST).read_text())
    assert (snapshot.path / name).samefile(sentences.files[0])
    assert row_map_file(snapshot.path / name).is_file()
    row_map = sentences.map_of(0)
    assert row_map is not None and len(row_map) == sentences.count
    assert len(sentences.arrays[0]) < sentences.count
    # Each distinct sentence once: the keys of the stored rows' texts differ.
    texts = [
        passage.text[span.start : span.end]
        for ordinal, passage in enumerate(snapshot.passages)
        for span, _ in sentences.sentence_terms(ordinal) or []
    ]
    assert len(set(texts)) == len(sentences.arrays[0]) == int(row_map.max()) + 1

    # Every passage's rows and every answer are those of a build storing every sentence.
    _undeduplicated(monkeypatch)
    whole_settings = settings.model_copy(update={"home": tmp_path / "whole"})
    whole_store = ArticleStore(whole_settings.home)
    assert not [o for o in ingest([str(SAMPLE_ARTICLES)], whole_store, whole_settings) if o.failed]
    for number in range(REPEATING):
        _repeating(whole_store, number)
    Indexer(whole_settings, whole_store, fake_embedder).build()
    whole = load_snapshot(whole_settings.home)
    assert whole.sentences is not None and whole.sentences.map_of(0) is None
    assert len(whole.sentences.arrays[0]) == whole.sentences.count == sentences.count
    for ordinal in range(snapshot.passage_count):
        assert np.array_equal(sentences.rows(ordinal), whole.sentences.rows(ordinal))
        assert sentences.sentence_terms(ordinal) == whole.sentences.sentence_terms(ordinal)
    # Format 4: the repeated sentences' terms are stored once too.
    words, whole_words = sentences.words[0], whole.sentences.words[0]
    assert words is not None and words.shared
    assert whole_words is not None and not whole_words.shared
    assert len(words.terms) < len(whole_words.terms)
    assert _answers(snapshot, fake_embedder, settings) == _answers(
        whole, fake_embedder, whole_settings
    )
    # Written in one file again (a later build compacting), the rows are those stored.
    matrix, scales, _ = sentences.dense()
    whole_matrix, whole_scales, _ = whole.sentences.dense()
    assert np.array_equal(matrix, whole_matrix) and np.array_equal(scales, whole_scales)


def test_a_format_3_snapshot_reads_its_words_as_written(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    for number in range(REPEATING):
        _repeating(store, number)
    Indexer(settings, store, fake_embedder).build()
    built = load_snapshot(settings.home)
    answers = _answers(built, fake_embedder, settings)
    assert built.sentences is not None
    words = built.sentences.words[0]
    file = built.sentences.files[0]
    assert words is not None and words.shared and file is not None
    terms = [built.sentences.sentence_terms(o) for o in range(built.passage_count)]
    # As format 3 wrote them: every sentence's terms, three columns.
    for companion in words_files(file):
        companion.unlink()
    SentenceWords.concatenate([(words, 0, len(words))]).save(file)
    _rewrite_manifest(built.path, 3)

    old = load_snapshot(settings.home)
    assert old.manifest.format == 3 and old.sentences is not None
    held = old.sentences.words[0]
    assert held is not None and not held.shared
    assert [old.sentences.sentence_terms(o) for o in range(old.passage_count)] == terms
    assert _answers(old, fake_embedder, settings) == answers


def _as_format_2(snapshot: Snapshot) -> None:
    """Rewrite a snapshot of this code as format 2 wrote it: every sentence's row stored, the
    files listed in sentence_arrays.json."""
    folder = snapshot.path
    names = json.loads((folder / SENTENCE_LIST).read_text())
    assert snapshot.sentences is not None
    for number, name in enumerate(names):
        rows, scales = snapshot.sentences._stored(
            number, 0, snapshot.sentences.sentences_in(number)
        )
        np.save(folder / name, np.asarray(rows))
        np.save(scales_file(folder / name), np.asarray(scales))
        row_map_file(folder / name).unlink(missing_ok=True)
    (folder / SENTENCE_LIST).unlink()
    (folder / SENTENCE_ARRAYS).write_text(json.dumps(names))
    _rewrite_manifest(folder, 2)


def test_a_format_2_snapshot_loads_as_written_and_the_next_build_links_it(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    for number in range(2):
        _repeating(store, number)
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    built = load_snapshot(settings.home)
    answers = _answers(built, fake_embedder, settings)
    assert built.sentences is not None
    rows = [built.sentences.rows(o) for o in range(built.passage_count)]
    _as_format_2(built)

    old = load_snapshot(settings.home)
    assert old.manifest.format == 2 and old.sentences is not None
    assert old.sentences.map_of(0) is None
    assert len(old.sentences.arrays[0]) == old.sentences.count
    for ordinal, expected in enumerate(rows):
        assert np.array_equal(old.sentences.rows(ordinal), expected)
    assert _answers(old, fake_embedder, settings) == answers

    # The next build links the format-2 file (no map) beside its own new one.
    _add(store, 4)
    indexer.build()
    mixed = load_snapshot(settings.home)
    assert mixed.manifest.format == FORMAT_VERSION
    assert mixed.sentences is not None and len(mixed.sentences.arrays) == 2
    linked = mixed.sentences.files[0]
    assert linked is not None and linked.samefile(old.sentences.files[0] or linked)
    assert mixed.sentences.map_of(0) is None
    assert _answers(mixed, fake_embedder, settings)[:2] == answers[:2]


def _as_format_4(snapshot: Snapshot) -> None:
    """Rewrite a snapshot of this code as format 4 wrote it: the texts as they are in
    texts.bin, each segment's document numbers as int32 in docs.npy."""
    folder = snapshot.path
    texts = load_columns(folder).texts
    (folder / records.TEXTS).write_bytes(texts[:])
    for name in (records.COMPRESSED, records.BLOCKS, records.DICTIONARY):
        (folder / name).unlink(missing_ok=True)
    for gaps in (folder / LEXICAL_DIR).glob(f"*/{posting_gaps.GAPS}"):
        segment = Segment.load(gaps.parent, gaps.parent.name)
        assert isinstance(segment.docs, GapDocs)
        np.save(gaps.parent / Segment.DOCS, segment.docs.every())
        for name in posting_gaps.FILES:
            (gaps.parent / name).unlink()
    _rewrite_manifest(folder, 4)


def test_a_format_4_snapshot_loads_as_written_and_the_next_build_links_its_segment(
    settings: Settings, store: ArticleStore, fake_embedder: FakeEmbedder
) -> None:
    indexer = Indexer(settings, store, fake_embedder)
    indexer.build()
    built = load_snapshot(settings.home)
    assert (built.path / records.COMPRESSED).is_file()
    assert not (built.path / records.TEXTS).exists()
    answers = _answers(built, fake_embedder, settings)
    assert all(answers[:2])
    _as_format_4(built)

    old = load_snapshot(settings.home)
    assert old.manifest.format == 4
    assert list(old.passages) == list(built.passages)
    assert list(old.articles.values()) == list(built.articles.values())
    assert _answers(old, fake_embedder, settings) == answers

    # The next build writes its texts compressed and links the old segment with its docs.npy.
    _add(store, 1)
    indexer.build()
    mixed = load_snapshot(settings.home)
    assert mixed.manifest.format == FORMAT_VERSION
    assert (mixed.path / records.COMPRESSED).is_file()
    assert not (mixed.path / records.TEXTS).exists()
    assert isinstance(old.lexical, LexicalIndex)
    old_segment = old.path / LEXICAL_DIR / old.lexical.segments[0].name
    linked = mixed.path / LEXICAL_DIR / old_segment.name / Segment.DOCS
    assert linked.samefile(old_segment / Segment.DOCS)
    assert _answers(mixed, fake_embedder, settings)[:2] == answers[:2]


def test_a_later_build_compresses_the_texts_with_the_dictionary_trained_before(
    settings: Settings,
    store: ArticleStore,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Blocks small enough for the sample articles to train a dictionary on.
    monkeypatch.setattr(text_blocks, "BLOCK", 256)
    monkeypatch.setattr(text_blocks, "MIN_TRAINING_BLOCKS", 20)
    monkeypatch.setattr(text_blocks, "DICTIONARY_BYTES", 4096)
    trained: list[int] = []

    def train(data: text_blocks.Sliced) -> bytes:
        trained.append(len(data))
        return text_blocks.train_dictionary(data)

    monkeypatch.setattr(records, "train_dictionary", train)
    indexer = Indexer(settings, store, fake_embedder)

    def built() -> tuple[Snapshot, bytes, int]:
        snapshot = load_snapshot(settings.home, indexer.build().version)
        texts = load_columns(snapshot.path).texts
        # The texts read back are the articles' own, whichever dictionary compressed them.
        for article in store.iter_articles():
            assert snapshot.articles[article.id].text == article.text
        return snapshot, (snapshot.path / records.DICTIONARY).read_bytes(), len(texts)

    first, dictionary, size = built()
    assert dictionary and trained == [size]
    assert first.manifest.extra[snapshot_module.TEXTS_KEY] == size
    # A few articles more: the texts near the size it was trained on, the dictionary kept.
    _add(store, 1)
    second, kept, grown = built()
    assert grown > size and kept == dictionary and trained == [size]
    assert second.manifest.extra[snapshot_module.TEXTS_KEY] == size
    # Grown past DICTIONARY_DRIFT of it: trained again on the texts as they are.
    for number in range(2, 2 + int(size * 0.3 / 200)):
        _add(store, number)
    third, again, larger = built()
    assert larger > size * snapshot_module.DICTIONARY_DRIFT and trained == [size, larger]
    assert third.manifest.extra[snapshot_module.TEXTS_KEY] == larger
    earlier = snapshot_module._earlier_dictionary
    assert earlier(third.path, larger) == (again, larger)
    assert earlier(third.path, int(larger * 1.3)) is None
    assert earlier(third.path, int(larger / 1.3)) is None
    # A dictionary that is not the one the manifest hashed is not reused.
    (third.path / records.DICTIONARY).write_bytes(dictionary)
    assert earlier(third.path, larger) is None
