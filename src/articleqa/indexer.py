"""Building a snapshot from the article store: split, de-duplicate, embed what is new, index."""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import secrets
import shutil
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from articleqa.arrays import load_array
from articleqa.config import Settings
from articleqa.embedding import Embedder
from articleqa.embedding_cache import EmbeddingCache, cache_key
from articleqa.errors import NoArticles, RollbackRefused, SnapshotCorrupt, StorageError
from articleqa.exact_vectors import KEY_BYTES, KEYS_FILE, NO_ROW, ROWIDS_FILE, cache_rowids
from articleqa.lexical import LexicalIndex
from articleqa.manifest import SnapshotManifest
from articleqa.models import Article, Passage, SourceSpan
from articleqa.paths import HomePaths
from articleqa.records import (
    Articles,
    Columns,
    LazySequence,
    Places,
    load_columns,
    merged_columns,
)
from articleqa.sentence_files import (
    SentenceFileWriter,
    row_map_dtype,
    row_map_file,
    scales_file,
)
from articleqa.sentence_words import RULES_KEY, SentenceWords, rules_fingerprint, sentence_terms
from articleqa.snapshot import (
    LEXICAL_DIR,
    ArticleRecord,
    SentenceVectors,
    build_lock,
    check_files,
    current_version,
    load_sentences,
    new_version,
    prune,
    publish,
    read_manifest,
    snapshots_dir,
    write_snapshot,
)
from articleqa.snapshot import rollback as snapshot_rollback
from articleqa.split_cache import SplitCache
from articleqa.store import ArticleStore
from articleqa.vector_file import VectorFile
from articleqa.vector_index import (
    IndexChoice,
    ShortlistIndex,
    VectorIndex,
    build_chosen,
    extend,
    extendable,
)
from articleqa.vector_snapshot import EXACT_KEY, exact_reference, read_vectors

logger = logging.getLogger(__name__)

# The manifest's digest of what a build read besides the store (``Indexer.build_inputs``).
INPUTS_KEY = "build_inputs"
EMBED_CHUNK = 256
# Sentence rows read from the cache and written to their file at a time (~1.5 MB float32).
SENTENCE_CHUNK = 1024
# Passages split into sentences at a time (their sentences' terms held as Python sets).
SPLIT_CHUNK = 1024
# The passages' vectors of a full build, in its staging folder until the index is built
# (vector_file.py); not a file of the snapshot.
PASSAGE_VECTORS = ".passage-vectors.f32"


class VectorCache(Protocol):
    """Vectors by ``cache_key`` of the text embedded: local (SQLite) or shared (PostgreSQL)."""

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]: ...

    def iter_many(self, keys: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]: ...

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None: ...


@dataclass(frozen=True, slots=True)
class BuildReport:
    version: str
    articles: int
    passages: int
    embedded: int
    reused: int
    index_type: str
    seconds: float
    store_generation: int
    sentences: int = 0  # sentences of all passages, each with its own vector
    sentences_embedded: int = 0  # of those, embedded by this build (not in the cache)
    # False: nothing had changed since the current snapshot, which was kept (``version``).
    published: bool = True


ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Prepared:
    """The passages of a build with their vectors, before a backend indexes them."""

    passages: Sequence[Passage]
    # In memory, or (a build with a staging folder) in a file there, read a chunk at a time.
    vectors: np.ndarray | VectorFile
    sentence_store: SentenceVectors  # every passage's sentences
    embedded: int  # passages embedded by this build (not in the cache)
    sentences_embedded: int
    # The passages whose vectors ``vectors`` holds, in order; None: every passage's.
    vector_ordinals: np.ndarray | None = None

    @property
    def sentences(self) -> int:
        return self.sentence_store.count


@dataclass(frozen=True, slots=True)
class Plan:
    """What a build reuses of the previous snapshot (``Indexer.plan``)."""

    lexical: LexicalIndex
    reuse: Reuse | None = None
    extend: Extension | None = None


@dataclass(frozen=True, slots=True)
class Extension:
    """The previous snapshot's ANN index, to be extended (``vector_index.extend``)."""

    index: VectorIndex  # read whole (not mapped): it is changed and written again
    choice: IndexChoice
    earlier: np.ndarray  # each passage's ordinal in the previous snapshot, -1: new


# A build reusing the previous snapshot's sentence files adds one; past this many, it writes
# all but the largest in one (``_merged_small``); once the rows of passages gone exceed this
# share of those stored, it writes them all in one again.
MAX_SENTENCE_FILES = 8
SENTENCE_WASTE = 0.25


@dataclass(frozen=True, slots=True)
class Reuse:
    """What a build takes from the previous snapshot instead of computing it again."""

    earlier: np.ndarray  # each passage's ordinal in the previous snapshot, -1: new
    sentences: SentenceVectors | None  # the previous snapshot's (memory-mapped)
    # False when the previous ANN index is extended: only new passages' vectors are needed.
    all_vectors: bool

    def sentence_store(self, new: np.ndarray, fresh: SentenceVectors) -> SentenceVectors:
        """Every passage's sentence rows: the previous snapshot's arrays for the passages it
        held (same text, same sentences, same vectors), one more array (``fresh``'s one) for
        the ``new`` ones."""
        assert self.sentences is not None
        previous = self.sentences
        old = np.ones(len(self.earlier), dtype=bool)
        old[new] = False
        where = np.zeros((len(self.earlier), 3), dtype=np.int64)
        where[old] = previous.where[self.earlier[old]]
        used = np.unique(where[old, 0]).tolist()
        renumber = np.zeros(max(len(previous.arrays), 1), dtype=np.int64)
        renumber[used] = np.arange(len(used))
        where[old, 0] = renumber[where[old, 0]]
        where[new, 0] = len(used)
        where[new, 1:] = fresh.where[:, 1:]
        arrays = (*(previous.arrays[i] for i in used), fresh.arrays[0])
        files = (*(previous.files[i] for i in used), fresh.files[0])
        scales = (*(previous.scales_of(i) for i in used), fresh.scales_of(0))
        maps = (*(previous.map_of(i) for i in used), fresh.map_of(0))
        words = (
            (*(previous.words[i] for i in used), fresh.words[0])
            if previous.has_words and fresh.has_words
            else ()
        )
        store = SentenceVectors(arrays, where, files, words, scales, maps)
        if store.stored - store.count > SENTENCE_WASTE * store.stored:
            matrix, dense_scales, offsets = store.dense()
            return SentenceVectors.single(
                matrix, offsets, words=store.dense_words(), scales=dense_scales
            )
        if len(arrays) > MAX_SENTENCE_FILES:
            return _merged_small(store)
        return store


def _merged_small(store: SentenceVectors) -> SentenceVectors:
    """``store`` with every array but its largest written in one, in passage order: what the
    merge copies is the rows added since the largest was written, not every row (which made
    every eighth small build several times slower: BENCHMARKS.md, "Scale, seventeenth pass"),
    and the largest (a full build's) stays linked."""
    sizes = [store.sentences_in(a) for a in range(len(store.arrays))]
    base = int(np.argmax(sizes))
    rest = [a for a in range(len(store.arrays)) if a != base]
    moved = store.where[:, 0] != base
    renumber = np.zeros(len(store.arrays), dtype=np.int64)
    renumber[rest] = np.arange(len(rest))
    part_where = store.where[moved].copy()
    part_where[:, 0] = renumber[part_where[:, 0]]
    part = SentenceVectors(
        tuple(store.arrays[a] for a in rest),
        part_where,
        tuple(store.files[a] for a in rest),
        tuple(store.words[a] for a in rest) if store.has_words else (),
        tuple(store.scales_of(a) for a in rest),
        tuple(store.map_of(a) for a in rest),
    )
    matrix, scales, offsets = part.dense()
    words = part.dense_words()
    where = store.where.copy()
    where[~moved, 0] = 0
    where[moved] = np.stack(
        [np.ones(len(offsets) - 1, dtype=np.int64), offsets[:-1], np.diff(offsets)], axis=1
    )
    return SentenceVectors(
        (store.arrays[base], matrix),
        where,
        (store.files[base], None),
        (store.words[base], words) if store.has_words else (),
        (store.scales_of(base), scales),
        (store.map_of(base), None),
    )


class Indexer:
    """Builds and publishes snapshots. Counters of the last build are in ``last_report``."""

    def __init__(
        self,
        settings: Settings,
        store: ArticleStore,
        embedder: Embedder,
        cache: VectorCache | None = None,
        *,
        root: Path | None = None,
    ) -> None:
        self.settings = settings
        # Where this collection's snapshots, pointer and build lock live (paths.index_root);
        # the embedding and split caches are the home's, shared by every collection.
        self.root = root or settings.home
        self.store = store
        self.embedder = embedder
        paths = HomePaths(settings.home)
        self.cache: VectorCache = cache or EmbeddingCache(
            paths.embeddings, embedder.name, embedder.dimension
        )
        self.splits = SplitCache(
            paths.splits, settings.passage_min_words, settings.passage_max_words
        )
        self.last_report: BuildReport | None = None

    def build(
        self,
        progress: ProgressCallback | None = None,
        *,
        lock_timeout_s: float | None = None,
        full: bool = False,
    ) -> BuildReport:
        """Build a snapshot of the store as it is now and publish it. Holds the rebuild lock,
        waiting ``lock_timeout_s`` (default: the settings') for a build elsewhere to end.
        ``full`` embeds every text again instead of taking cached vectors."""
        home = self.root
        wait = self.settings.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        with build_lock(home, wait):
            started = time.perf_counter()
            generation = self.store.generation()
            kept = None if full else self._kept(started, generation)
            if kept is not None:
                return kept
            # Without their texts: an unchanged article's are the current snapshot's, and only
            # the others' are read (``passage_list``).
            articles = list(self.store.iter_without_texts())
            if not articles and current_version(home) is None:
                # An empty first snapshot would only turn every question into "not answered".
                # Once one is published, an emptied store is indexed (as empty), so removed
                # articles stop being quoted; asks then get NoArticles from the Searcher.
                raise NoArticles()
            # The new sentence rows are written into the snapshot's staging folder as they come
            # (never all held), before the rest of it (write_snapshot).
            version = new_version()
            staging = snapshots_dir(home) / f".building-{version}"
            try:
                return self._build(home, started, generation, articles, progress, full, version)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise

    def _build(
        self,
        home: Path,
        started: float,
        generation: int,
        articles: list[Article],
        progress: ProgressCallback | None,
        full: bool,
        version: str,
    ) -> BuildReport:
        """``build`` under the lock, of snapshot ``version``."""
        previous = current_version(home)
        passages = self.passage_list(articles, previous, full=full, texts_read=False)
        # From here the columns hold every article's text (encoded) and the rest of the build
        # needs of an article only its id and hash: the texts are let go in place (``build``'s
        # list is the only other reference), not held a second time to the end of the build.
        articles[:] = [_without_text(a) for a in articles]
        plan = self.plan(passages, previous, full=full)
        prepared = self.prepare(
            articles,
            progress,
            full=full,
            passages=passages.passages,
            reuse=plan.reuse,
            sentence_dir=snapshots_dir(home) / f".building-{version}",
        )
        vectors = prepared.vectors
        if plan.extend is not None and prepared.vector_ordinals is not None:
            index, choice = extend(
                plan.extend.index,
                plan.extend.choice,
                plan.extend.earlier,
                vectors.load() if isinstance(vectors, VectorFile) else vectors,
                prepared.vector_ordinals,
            )
        else:
            index, choice = build_chosen(
                vectors,
                self.settings.index_type,
                self.settings.ann_threshold,
                # Tuned for the searches the searcher makes: its candidates, plus the query's
                # own passage, which the recall check leaves out.
                search_k=self.settings.candidates + 1,
            )
        if isinstance(vectors, VectorFile):
            vectors.remove()  # in the index now; the staging folder becomes the snapshot
        kind = choice.kind
        lexical = plan.lexical
        manifest = self.manifest(
            articles, prepared, kind, generation, vector_index=choice.as_manifest()
        )
        keys = rowids = None
        if isinstance(index, ShortlistIndex):
            # Its last re-ranking reads the vectors from the embedding cache by these keys.
            keys = self._vector_keys(passages.passages, previous, plan.reuse)
            index = replace(index, exact=None)
            if isinstance(self.cache, EmbeddingCache):
                reference = exact_reference(home, self.cache.path)
                manifest = replace(manifest, extra={**manifest.extra, EXACT_KEY: reference})
                rowids = self._vector_rowids(keys, self.cache.path, previous, plan.reuse)
        written = write_snapshot(
            home,
            version,
            index,
            lexical,
            passages.columns,
            manifest,
            sentences=prepared.sentence_store,
            previous=previous,
            vector_keys=keys,
            vector_rowids=rowids,
        )
        try:
            publish(home, version)
        except BaseException:
            # Never published, so never served: a newer unpublished folder would only
            # confuse fallbacks and rollbacks.
            shutil.rmtree(written, ignore_errors=True)
            raise
        prune(home, self.settings.keep_snapshots)
        report = self.report(version, articles, prepared, kind, started, generation)
        logger.info(
            "built %s: %d articles, %d passages (%d embedded, %d from cache), "
            "%d sentences (%d embedded) in %.1fs",
            version,
            report.articles,
            report.passages,
            report.embedded,
            report.reused,
            report.sentences,
            report.sentences_embedded,
            report.seconds,
        )
        return report

    def _kept(self, started: float, generation: int) -> BuildReport | None:
        """The current snapshot's report, kept and not built again, when it is what a build now
        would make: of this store generation's articles, by this code with these settings
        (``build_inputs``), every file as written. None: build."""
        previous = current_version(self.root)
        if previous is None:
            return None
        try:
            manifest = read_manifest(self.root, previous)
            if (
                manifest.store_generation != generation
                or manifest.extra.get(INPUTS_KEY) != self.build_inputs()
                or manifest.article_hashes != self.store.content_hashes()
            ):
                return None
            folder = snapshots_dir(self.root) / previous
            check_files(folder, manifest)
            sentences = load_sentences(folder, manifest.passage_count, words=False)
        except (OSError, ValueError, SnapshotCorrupt) as exc:
            logger.info("building: snapshot %s cannot be kept: %s", previous, exc)
            return None
        prune(self.root, self.settings.keep_snapshots)
        logger.info("nothing changed since %s: kept, not built again", previous)
        self.last_report = BuildReport(
            version=previous,
            articles=manifest.article_count,
            passages=manifest.passage_count,
            embedded=0,
            reused=manifest.passage_count,
            sentences=sentences.count if sentences is not None else 0,
            index_type=manifest.index_type or "",
            seconds=time.perf_counter() - started,
            store_generation=generation,
            published=False,
        )
        return self.last_report

    def build_inputs(self) -> str:
        """A digest of what a snapshot is made from besides the store's articles: this code,
        the settings a build reads, the model and the embedding cache the snapshot reads."""
        cache = self.cache.path if isinstance(self.cache, EmbeddingCache) else None
        inputs = {
            "code": code_fingerprint(),
            "model": [self.embedder.name, self.embedder.dimension],
            "words": [self.settings.passage_min_words, self.settings.passage_max_words],
            "index": [self.settings.index_type, self.settings.ann_threshold],
            "candidates": self.settings.candidates,
            "cache": None if cache is None else exact_reference(self.root, cache),
        }
        return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]

    def _vector_keys(
        self, passages: Sequence[Passage], previous: str | None, reuse: Reuse | None
    ) -> np.ndarray:
        """Each passage's embedding-cache key (``(passages, KEY_BYTES)`` uint8): the previous
        snapshot's for the passages it held (same text, same key), made for the others, so a
        build's cost follows what changed."""
        keys = np.zeros((len(passages), KEY_BYTES), dtype=np.uint8)
        fresh = np.arange(len(passages))
        before = None
        if reuse is not None and previous is not None:
            path = snapshots_dir(self.root) / previous / KEYS_FILE
            with contextlib.suppress(OSError, ValueError):
                before = load_array(path, mapped=True) if path.is_file() else None
        if before is not None and before.shape[1:] == (KEY_BYTES,):
            assert reuse is not None
            known = (reuse.earlier >= 0) & (reuse.earlier < len(before))
            kept = np.flatnonzero(known)
            keys[kept] = before[reuse.earlier[kept]]
            fresh = np.flatnonzero(~known)
        digests = _digests(EmbeddingTexts(Selected(passages, fresh)))
        keys[fresh] = digests.view(np.uint8).reshape(len(fresh), KEY_BYTES)
        return keys

    def _vector_rowids(
        self, keys: np.ndarray, cache: Path, previous: str | None, reuse: Reuse | None
    ) -> np.ndarray:
        """Each key's rowid in the embedding cache: the previous snapshot's for the passages it
        held (the same key in the same cache; a number gone stale is caught when read), looked
        up for the others, so that an incremental build's cost follows what changed."""
        rowids = np.full(len(keys), NO_ROW, dtype=np.int64)
        before = None
        if reuse is not None and previous is not None:
            path = snapshots_dir(self.root) / previous / ROWIDS_FILE
            with contextlib.suppress(OSError, ValueError):
                before = load_array(path, mapped=True) if path.is_file() else None
        if before is not None and before.ndim == 1:
            assert reuse is not None
            known = np.flatnonzero((reuse.earlier >= 0) & (reuse.earlier < len(before)))
            rowids[known] = before[reuse.earlier[known]]
        fresh = np.flatnonzero(rowids == NO_ROW)
        rowids[fresh] = cache_rowids(cache, keys[fresh])
        return rowids

    def plan(self, passages: PassageList, previous: str | None, *, full: bool) -> Plan:
        """What of the ``previous`` snapshot this build of ``passages`` reuses (issue 17).

        Its BM25 segments always, unless ``full`` or it cannot be read (``LexicalIndex.updated``
        tokenises only the new passages); its sentence vectors for the passages it held; its
        ANN index when few enough passages changed since it was tuned (``extendable``).
        """
        texts = EmbeddingTexts(passages.passages)
        earlier = None if full or previous is None else self._earlier(previous)
        if earlier is None or previous is None:
            return Plan(LexicalIndex.build(texts))
        lexical, manifest = earlier
        # The passage list says which passages the previous snapshot held; without it (a snapshot
        # from before the columns) the segments find them by their text's key.
        update = lexical.updated(texts, earlier=passages.earlier)
        logger.info("BM25: %s, %d segment(s)", update.how, len(update.index.segments))
        folder = snapshots_dir(self.root) / previous
        try:
            sentences = load_sentences(folder, manifest.passage_count)
        except (OSError, ValueError, SnapshotCorrupt) as exc:
            logger.warning("embedding sentences again: %s", exc)
            sentences = None
        if sentences is not None and not sentences.has_words:
            # A snapshot from before the stored sentence words: every passage is split again
            # once (vectors from the embedding cache), so that every one has its words.
            logger.info("splitting every passage into sentences: %s stores no words", previous)
            sentences = None
        choice = IndexChoice.from_manifest(manifest.extra.get("vector_index"))
        kept = int(np.count_nonzero(update.earlier >= 0))
        count = len(passages.passages)
        changed = (count - kept) + (manifest.passage_count - kept)
        extension = None
        if choice is not None and extendable(choice, self.settings.index_type, count, changed):
            try:
                index = read_vectors(folder, self.root, manifest.extra, mapped=False)
                if index.ntotal == manifest.passage_count + choice.tombstones:
                    extension = Extension(index, choice, update.earlier)
            except (RuntimeError, OSError, ValueError) as exc:  # a file it cannot read
                logger.warning("building the vector index again: %s", exc)
        reuse = Reuse(update.earlier, sentences, extension is None)
        return Plan(update.index, reuse, extension)

    def passage_list(
        self, articles: list[Article], previous: str | None, *, full: bool, texts_read: bool = True
    ) -> PassageList:
        """Every passage of ``articles`` (in order; one passage per passage id, holding every
        place it occurs, as ``passages.merge_duplicates`` makes them), in columns.

        Only articles new or changed since the ``previous`` snapshot are split (issue 17): an
        unchanged article's passages, places, contexts and headings are its columns' (the split
        of an article depends only on it, the word limits and the rules, all checked). A passage
        whose first place is the one it had there keeps its text and context: ``earlier`` says
        which of the previous snapshot's passages each one is (-1: new).

        ``texts_read`` off: ``articles`` are the store's without their texts, and only those of
        the articles split are read (every text was a tenth of a small build at 219 k passages).
        Should the store have changed since, they are all read again, texts included, into
        ``articles`` (in place), and the list is made of those.
        """
        before = None if full or previous is None else self._previous_columns(previous)
        kept: dict[str, int] = {}
        if before is not None:
            ordinals = Articles(before[0]).ordinals
            kept = {
                a.id: ordinals[a.id]
                for a in articles
                if a.id in ordinals and before[1].get(a.id) == a.content_hash
            }
        if not texts_read:
            read = self._with_texts(articles, kept)
            if read is None:
                logger.info("the store changed while building: reading every article again")
                articles[:] = list(self.store.iter_articles())
                return self.passage_list(articles, previous, full=full)
            articles = read
        numbers = {a.id: n for n, a in enumerate(articles)}
        fresh: dict[str, int] = {}
        # Six numbers a passage in one flat buffer (48 bytes; as a tuple of six ints, ~200),
        # the passages read a batch of articles at a time: never every passage object at once.
        rows = array("q")
        for passage in self.splits.iter_split([a for a in articles if a.id not in kept]):
            at = passage.spans[0]
            context = -2 - fresh.setdefault(passage.context, len(fresh))
            heading = (
                -1
                if passage.heading is None
                else -2 - fresh.setdefault(passage.heading, len(fresh))
            )
            rows.extend(
                (
                    _key_number(passage.id),
                    numbers[at.article_id],
                    at.start,
                    at.end,
                    context,
                    heading,
                )
            )
        split = np.array(rows, dtype=np.int64).reshape(-1, 6)
        del rows
        parts = [
            Places(
                keys=split[:, 0],
                articles=split[:, 1],
                starts=split[:, 2],
                ends=split[:, 3],
                contexts=split[:, 4],
                headings=split[:, 5],
                earlier=np.full(len(split), -1, dtype=np.int64),
                offsets=np.full((len(split), 2), -1, dtype=np.int64),
            )
        ]
        if before is not None:
            parts.append(_old_places(before[0], kept, numbers))
        columns, earlier = merged_columns(
            [_article_record(a) for a in articles],
            Places.concatenate(parts),
            list(fresh),
            before[0] if before is not None else None,
            {numbers[i]: n for i, n in kept.items()},
        )
        return PassageList(
            columns,
            ColumnPassages(columns, [a.id for a in articles]),
            earlier if before is not None else None,
        )

    def _with_texts(self, articles: list[Article], kept: Mapping[str, int]) -> list[Article] | None:
        """``articles`` (read without texts) with the texts of those not in ``kept``, read from
        the store; None if the store no longer holds them as they were read."""
        wanted = [a for a in articles if a.id not in kept]
        if len(wanted) == len(articles):
            found = list(self.store.iter_articles())  # every text: in one pass
        else:
            held = self.store.get_many([a.id for a in wanted])
            found = [held.get(a.id, a) if a.id not in kept else a for a in articles]

        def hashes(listed: list[Article]) -> list[tuple[str, str]]:
            return [(a.id, a.content_hash) for a in listed]

        # A text missing: an article removed since (``held`` gave its text-less self back).
        unread = any(not a.text and a.id not in kept for a in found)
        return None if unread or hashes(found) != hashes(articles) else found

    def _previous_columns(self, previous: str) -> tuple[Columns, Mapping[str, str]] | None:
        """The previous snapshot's columns and article hashes, if this build may take unchanged
        articles' passages from them: split by these rules and word limits."""
        folder = snapshots_dir(self.root) / previous
        try:
            manifest = read_manifest(self.root, previous)
            words = (self.settings.passage_min_words, self.settings.passage_max_words)
            if (
                manifest.extra.get(RULES_KEY) != rules_fingerprint()
                or tuple(manifest.passage_words or ()) != words
                or manifest.article_hashes is None
            ):
                return None
            return load_columns(folder), manifest.article_hashes
        except Exception as exc:  # an unreadable earlier snapshot is only a slower build
            logger.info("splitting every article: snapshot %s not reusable: %s", previous, exc)
            return None

    def _earlier(self, previous: str) -> tuple[LexicalIndex, SnapshotManifest] | None:
        """The previous snapshot's BM25 segments and manifest, if this build can reuse them."""
        folder = snapshots_dir(self.root) / previous / LEXICAL_DIR
        try:
            manifest = read_manifest(self.root, previous)
            if not folder.is_dir():
                return None  # a snapshot from before the segments
            if manifest.extra.get(RULES_KEY) != rules_fingerprint():
                # Built by code that may split sentences or words otherwise: its segments and
                # sentence rows might not be what this code would make of the same passages.
                return None
            if (manifest.model, manifest.dimension) != (
                self.embedder.name,
                self.embedder.dimension,
            ):
                return None  # its vectors are another model's
            return LexicalIndex.load(folder, manifest.passage_count), manifest
        except Exception as exc:  # an unreadable earlier snapshot is only a slower build
            logger.warning("building from scratch: snapshot %s unreadable: %s", previous, exc)
            return None

    def manifest(
        self,
        articles: list[Article],
        prepared: Prepared,
        kind: str,
        generation: int,
        vector_index: Mapping[str, Any] | None = None,
    ) -> SnapshotManifest:
        """What a build of ``articles`` records of itself (any backend); ``vector_index``: the
        vector index chosen and its measured recall."""
        return SnapshotManifest(
            model=self.embedder.name,
            dimension=self.embedder.dimension,
            index_type=kind,
            built_at=dt.datetime.now(dt.UTC),
            article_count=len(articles),
            passage_count=len(prepared.passages),
            article_hashes={a.id: a.content_hash for a in articles},
            passage_words=(self.settings.passage_min_words, self.settings.passage_max_words),
            store_generation=generation,
            extra={
                **({"vector_index": dict(vector_index)} if vector_index else {}),
                RULES_KEY: rules_fingerprint(),
                INPUTS_KEY: self.build_inputs(),
            },
        )

    def report(
        self,
        version: str,
        articles: list[Article],
        prepared: Prepared,
        kind: str,
        started: float,
        generation: int,
    ) -> BuildReport:
        """The counters of a finished build (``started``: its ``perf_counter``), kept in
        ``last_report``."""
        passages = len(prepared.passages)
        self.last_report = BuildReport(
            version=version,
            articles=len(articles),
            passages=passages,
            embedded=prepared.embedded,
            reused=passages - prepared.embedded,
            sentences=prepared.sentences,
            sentences_embedded=prepared.sentences_embedded,
            index_type=kind,
            seconds=time.perf_counter() - started,
            store_generation=generation,
        )
        return self.last_report

    def prepare(
        self,
        articles: list[Article],
        progress: ProgressCallback | None,
        *,
        full: bool = False,
        passages: Sequence[Passage] | None = None,
        reuse: Reuse | None = None,
        sentence_dir: Path | None = None,
    ) -> Prepared:
        """Split, de-duplicate and embed (what the cache lacks, or everything when ``full``):
        what every backend indexes. ``passages``: ``articles`` already split; ``reuse``: what
        the previous snapshot holds of them (then only new passages are split into sentences
        and looked up in the cache). ``sentence_dir``: where the new sentence rows' file is
        written, made when it is (a build's staging folder, which ``write_snapshot`` then
        completes); None: a temporary folder, the rows mapped from a file removed at once."""
        if passages is None:
            passages = self.passage_list(articles, None, full=True).passages
        known = np.zeros(len(passages), dtype=bool) if reuse is None else reuse.earlier >= 0
        vector_ordinals = None if reuse is None or reuse.all_vectors else np.flatnonzero(~known)
        texts = EmbeddingTexts(passages)
        # Made when read (for their cache keys, and again where embedded), never all held.
        wanted = (
            texts
            if vector_ordinals is None
            else EmbeddingTexts(Selected(passages, vector_ordinals))
        )
        sentences_known = (
            known if reuse is not None and reuse.sentences is not None else np.zeros_like(known)
        )
        new = np.flatnonzero(~sentences_known)
        new_passages = Selected(passages, new)
        sentence_keys, new_offsets, new_words = _sentences(new_passages)
        sentence_texts = SentenceTexts(new_passages, new_offsets, new_words)
        # One pass over passages and sentences, so progress counts all the model's work. The
        # sentences' vectors are not kept: the pass leaves them in the cache, from which they
        # are written to their file in order a chunk at a time (the build never holds them all).
        to_file = sentence_dir is not None
        (held, _), missing = self._embedded(
            [
                (wanted, None if to_file else np.dtype(np.float32), None),
                (sentence_texts, None, sentence_keys),
            ],
            progress,
            reuse=not full,
        )
        vectors: np.ndarray | VectorFile
        if sentence_dir is not None:
            vectors = self._vector_file(sentence_dir, wanted)
        else:
            assert held is not None
            vectors = held
        written = (sentence_texts, sentence_keys, new_offsets, new_words)
        if sentence_dir is None:
            with tempfile.TemporaryDirectory(prefix="articleqa-sentences-") as folder:
                fresh = self._sentence_file(Path(folder), *written)
            fresh = replace(fresh, files=(None,))
        else:
            fresh = self._sentence_file(sentence_dir, *written)
        if reuse is None or len(new) == len(passages):
            store = fresh
        else:
            store = reuse.sentence_store(new, fresh)
        embedded = sum(i < len(wanted) for i in missing)
        return Prepared(
            passages=passages,
            vectors=vectors,
            sentence_store=store,
            embedded=embedded,
            sentences_embedded=len(missing) - embedded,
            vector_ordinals=vector_ordinals,
        )

    def _sentence_file(
        self,
        folder: Path,
        texts: Sequence[str],
        keys: CacheKeys,
        offsets: np.ndarray,
        words: SentenceWords,
    ) -> SentenceVectors:
        """The rows of ``texts`` (their cache ``keys``; every one cached by now) written to an
        int8 file in ``folder``, ``SENTENCE_CHUNK`` at a time, with their words; mapped. A
        sentence met again (a passage overlapping the one before, boilerplate repeated across
        articles) is stored once, its vector being the same: the row map says which stored row
        is each sentence's. How many repeat depends on the corpus: 4.4 % of eval/realdocs'
        sentences, 98 % of the synthetic scale corpus's (BENCHMARKS.md, "Scale, seventh pass")."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot write under {folder}: {exc.strerror or exc}") from exc
        path = folder / f"sentences-{secrets.token_hex(4)}.npy"
        stored, row_map = _distinct(keys.digests)
        writer = SentenceFileWriter(path, self.embedder.dimension)
        try:
            for start in range(0, len(stored), SENTENCE_CHUNK):
                rows = stored[start : start + SENTENCE_CHUNK].tolist()
                writer.append(self._cached_rows(texts, keys, rows))
        finally:
            writer.close()
        if row_map is not None:
            # A repeated sentence's terms are stored once, as its vector is (format 4).
            words = words.shared_by(stored, row_map)
        words.save(path)
        mapped_rows = None
        if row_map is not None:
            try:
                np.save(row_map_file(path), row_map)
            except OSError as exc:
                raise StorageError(f"cannot write {path.parent}: {exc.strerror or exc}") from exc
            mapped_rows = np.asarray(load_array(row_map_file(path), mapped=True))
        matrix = load_array(path, mapped=True)
        scales = load_array(scales_file(path), mapped=True)
        return SentenceVectors.single(
            matrix, offsets, path, SentenceWords.load(path, len(keys)), scales, mapped_rows
        )

    def _vector_file(self, folder: Path, texts: Sequence[str]) -> VectorFile:
        """The vectors of ``texts`` (every one cached by now) written in order to a file in
        ``folder``, ``SENTENCE_CHUNK`` rows at a time."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot write under {folder}: {exc.strerror or exc}") from exc

        def chunks() -> Iterator[np.ndarray]:
            for start in range(0, len(texts), SENTENCE_CHUNK):
                chunk = texts[start : start + SENTENCE_CHUNK]
                keys = [cache_key(t) for t in chunk]
                yield self._cached_rows(chunk, keys, list(range(len(chunk))))

        return VectorFile.write(folder / PASSAGE_VECTORS, self.embedder.dimension, chunks())

    def _cached_rows(
        self, texts: Sequence[str], keys: Sequence[str], wanted_rows: list[int]
    ) -> np.ndarray:
        """The vectors of rows ``wanted_rows`` of ``texts`` from the cache; one it could not
        keep is embedded again."""
        wanted = [keys[row] for row in wanted_rows]
        found = self.cache.get_many(list(dict.fromkeys(wanted)))
        absent = {k: row for row, k in zip(wanted_rows, wanted, strict=True) if k not in found}
        if absent:
            again = self.embedder.embed([texts[row] for row in absent.values()])
            found.update(zip(absent, again, strict=True))
        matrix = np.empty((len(wanted), self.embedder.dimension), dtype=np.float32)
        for row, key in enumerate(wanted):
            matrix[row] = found[key]
        return matrix

    def _embedded(
        self,
        groups: list[tuple[Sequence[str], np.dtype[Any] | None, CacheKeys | None]],
        progress: ProgressCallback | None,
        reuse: bool = True,
    ) -> tuple[list[np.ndarray | None], list[int]]:
        """One matrix per group of texts (rows in the group's dtype; None for a group whose
        dtype is None: only made sure of in the cache), embedding only the texts not cached;
        the indices returned count through the groups in order. A group's texts are read only
        where they are embedded; its cache keys are given, or made of them.

        Cached vectors are copied into their rows as they are read, never all held beside the
        matrices: that doubled the build's peak memory (BENCHMARKS.md, "Scale"). Keys are held
        as 16 bytes a row and the rows of each distinct key found by sorting, not as a string
        a row and a dict of lists (~5 M rows at a million passages: "Scale, seventh pass").
        """
        matrices = [
            None if d is None else np.zeros((len(g), self.embedder.dimension), dtype=d)
            for g, d, _ in groups
        ]
        starts = [0]
        for group, _, _ in groups:
            starts.append(starts[-1] + len(group))
        keys = CacheKeys(
            np.concatenate(
                [
                    known.digests if known is not None else _digests(group)
                    for group, _, known in groups
                ]
                or [np.zeros(0, dtype=KEY_DTYPE)]
            )
        )

        def text(row: int) -> str:
            group = bisect.bisect_right(starts, row) - 1
            return groups[group][0][row - starts[group]]

        distinct, first, inverse = np.unique(keys.digests, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        # The rows of distinct key ``u`` are ``order[bounds[u] : bounds[u + 1]]``, ascending.
        order = np.argsort(inverse, kind="stable")
        bounds = np.zeros(len(distinct) + 1, dtype=np.int64)
        np.cumsum(np.bincount(inverse, minlength=len(distinct)), out=bounds[1:])
        pending = np.ones(len(distinct), dtype=bool)

        def put(number: int, vector: np.ndarray) -> None:
            if not pending[number]:
                return
            pending[number] = False
            for row in order[bounds[number] : bounds[number + 1]].tolist():
                group = bisect.bisect_right(starts, row) - 1
                matrix = matrices[group]
                if matrix is not None:
                    matrix[row - starts[group]] = vector

        def put_found(found: list[tuple[str, np.ndarray]]) -> None:
            digests = np.array([bytes.fromhex(k) for k, _ in found], dtype=KEY_DTYPE)
            numbers = np.minimum(np.searchsorted(distinct, digests), len(distinct) - 1)
            known = (distinct[numbers] == digests).tolist()
            for (_, vector), number, ok in zip(found, numbers.tolist(), known, strict=True):
                if ok:
                    put(number, vector)

        found: list[tuple[str, np.ndarray]] = []
        for pair in self.cache.iter_many(CacheKeys(distinct)) if reuse else ():
            found.append(pair)
            if len(found) == SENTENCE_CHUNK:
                put_found(found)
                found = []
        if found:
            put_found(found)
        missing = np.sort(first[pending]).tolist()
        done = 0
        if progress:
            progress(0, len(missing))
        for chunk_start in range(0, len(missing), EMBED_CHUNK):
            chunk = missing[chunk_start : chunk_start + EMBED_CHUNK]
            vectors = self.embedder.embed([text(i) for i in chunk])
            # Written per chunk, so an interrupted build keeps what it paid for.
            self.cache.put_many((keys[i], v) for i, v in zip(chunk, vectors, strict=True))
            for i, vector in zip(chunk, vectors, strict=True):
                put(int(inverse[i]), vector)
            done += len(chunk)
            if progress:
                progress(done, len(missing))
        return matrices, missing


@dataclass(frozen=True, slots=True)
class PassageList:
    """The passages of a build (``Indexer.passage_list``)."""

    columns: Columns  # passages and articles, as the snapshot stores them
    passages: ColumnPassages
    # Each passage's ordinal in the previous snapshot (the same text and context), -1: new;
    # None when every article was split (no previous snapshot used).
    earlier: np.ndarray | None


class ColumnPassages(LazySequence[Passage]):
    """Passages of in-memory columns, each made when asked for (a build asks for new ones)."""

    def __init__(self, columns: Columns, article_ids: Sequence[str]) -> None:
        self.columns = columns
        self.article_ids = article_ids

    def __len__(self) -> int:
        return len(self.columns.passages)

    def item(self, index: int) -> Passage:
        columns = self.columns
        begin, end, context, heading, first, count, key = columns.passages[index].tolist()
        spans = columns.spans[first : first + count, :3].tolist()
        return Passage(
            id=f"{key & 0xFFFFFFFFFFFFFFFF:016x}",
            text=bytes(columns.texts[begin:end]).decode("utf-8"),
            context=columns.string(context) or "",
            heading=columns.string(heading),
            spans=[SourceSpan(self.article_ids[a], s, e) for a, s, e in spans],
        )


class EmbeddingTexts(LazySequence[str]):
    """What is embedded and indexed of each passage, made when asked for."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = passages

    def __len__(self) -> int:
        return len(self.passages)

    def item(self, index: int) -> str:
        return self.passages[index].embedding_text()


def _old_places(columns: Columns, kept: Mapping[str, int], numbers: Mapping[str, int]) -> Places:
    """The places of the previous snapshot's passages in the ``kept`` articles (id -> number
    there), numbered as ``numbers`` (id -> number now): those articles' splits as the columns
    hold them."""
    renumber = np.full(len(columns.articles), -1, dtype=np.int64)
    for article_id, before in kept.items():
        renumber[before] = numbers[article_id]
    spans = np.asarray(columns.spans)
    passages = np.asarray(columns.passages)
    passage_of = np.repeat(np.arange(len(passages), dtype=np.int64), passages[:, 5])
    rows = np.flatnonzero(renumber[spans[:, 0]] >= 0)
    first = np.zeros(len(spans), dtype=bool)
    first[passages[:, 4]] = True
    first = first[rows]
    owner = passage_of[rows]
    # Where a place was its passage's first, its text's bytes are known: the passage's.
    text_starts = np.asarray(columns.strings)[columns.articles[:, 5], 0]
    offsets = np.full((len(rows), 2), -1, dtype=np.int64)
    base = text_starts[spans[rows[first], 0]]
    offsets[first, 0] = passages[owner[first], 0] - base
    offsets[first, 1] = passages[owner[first], 1] - base
    return Places(
        keys=passages[owner, 6],
        articles=renumber[spans[rows, 0]],
        starts=spans[rows, 1],
        ends=spans[rows, 2],
        contexts=spans[rows, 3],
        headings=spans[rows, 4],
        earlier=np.where(first, owner, -1),
        offsets=offsets,
    )


@functools.cache
def code_fingerprint(package: Path = Path(__file__).parent) -> str:
    """A hash of the source of ``package`` (this one's: every module): a snapshot written by
    other code is built again, not kept, whatever the change."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key_number(passage_id: str) -> int:
    """A passage id (16 hex digits) as the signed 64-bit number the columns hold."""
    number = int(passage_id, 16)
    return number - (1 << 64) if number >= 1 << 63 else number


def _without_text(article: Article) -> Article:
    return article.model_copy(update={"text": "", "layout": None})


def _article_record(article: Article) -> ArticleRecord:
    return ArticleRecord(
        article.id,
        article.title,
        article.url,
        article.author,
        article.published.isoformat() if article.published else None,
        article.text,
        article.source,
    )


def _sentences(passages: Sequence[Passage]) -> tuple[CacheKeys, np.ndarray, SentenceWords]:
    """Every passage's sentences, as the searcher splits them: each one's cache key, each
    passage's first row, and the sentences' spans and terms (stored, so the searcher need not
    compute them). Split ``SPLIT_CHUNK`` passages at a time, their texts not kept: every
    sentence's text and terms held at once were the largest part of a full build's memory
    (BENCHMARKS.md, "Scale, fifth pass"); the keys are held as 16 bytes each, not as strings
    (~4 M at a million passages: "Scale, seventh pass")."""
    digests: list[np.ndarray] = []
    offsets = [0]
    parts = []
    for start in range(0, len(passages), SPLIT_CHUNK):
        split = []
        chunk: list[bytes] = []
        for passage in passages[start : start + SPLIT_CHUNK]:
            sentences = sentence_terms(passage.text)
            split.append(sentences)
            chunk.extend(key_digest(passage.text[span.start : span.end]) for span, _ in sentences)
            offsets.append(offsets[-1] + len(sentences))
        digests.append(np.array(chunk, dtype=KEY_DTYPE))
        parts.append(SentenceWords.of(split))
    words = (
        parts[0] if len(parts) == 1 else SentenceWords.concatenate([(p, 0, len(p)) for p in parts])
    )
    keys = CacheKeys(np.concatenate(digests) if digests else np.zeros(0, dtype=KEY_DTYPE))
    return keys, np.asarray(offsets, dtype=np.int64), words


# A cache key's 16 bytes (``cache_key`` is their hex): equal bytes, equal key.
KEY_DTYPE = np.dtype("S16")


def key_digest(text: str) -> bytes:
    """The bytes whose hex is ``cache_key(text)``."""
    return hashlib.sha256(text.encode()).digest()[:16]


def _digests(texts: Sequence[str]) -> np.ndarray:
    """The cache keys of ``texts`` as 16 bytes each (``KEY_DTYPE``)."""
    digests = np.empty(len(texts), dtype=KEY_DTYPE)
    for start in range(0, len(texts), SENTENCE_CHUNK):
        chunk = texts[start : start + SENTENCE_CHUNK]
        digests[start : start + len(chunk)] = [key_digest(t) for t in chunk]
    return digests


class CacheKeys(LazySequence[str]):
    """Cache keys held as 16 bytes each (``KEY_DTYPE``), each made a string when asked for."""

    def __init__(self, digests: np.ndarray) -> None:
        self.digests = digests

    def __len__(self) -> int:
        return len(self.digests)

    def item(self, index: int) -> str:
        # ``S16`` drops trailing NUL bytes when read: padded back to the key's 16.
        return bytes(self.digests[index]).ljust(16, b"\0").hex()


def _distinct(digests: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(rows stored, row map): the first row of each distinct key, in order, and each row's
    number among them; no map when every key is distinct (sentence n is row n)."""
    if len(digests) == 0:
        return np.zeros(0, dtype=np.int64), None
    _, first, inverse = np.unique(digests, return_index=True, return_inverse=True)
    if len(first) == len(digests):
        return np.arange(len(digests), dtype=np.int64), None
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    row_map = rank[inverse.reshape(-1)].astype(row_map_dtype(len(order)))
    return first[order].astype(np.int64), row_map


class Selected(LazySequence[Passage]):
    """The passages of ``passages`` at ``ordinals``, each made when asked for."""

    def __init__(self, passages: Sequence[Passage], ordinals: np.ndarray) -> None:
        self.passages = passages
        self.ordinals = ordinals

    def __len__(self) -> int:
        return len(self.ordinals)

    def item(self, index: int) -> Passage:
        return self.passages[int(self.ordinals[index])]


class SentenceTexts(LazySequence[str]):
    """The texts of the sentences ``_sentences`` found, each cut from its passage when asked
    for (only those embedded are)."""

    def __init__(self, passages: Sequence[Passage], offsets: np.ndarray, words: SentenceWords):
        self.passages = passages
        self.offsets = offsets
        self.words = words
        # The last passage read: missing sentences come in row order, a passage's together.
        self._last: tuple[int, str] = (-1, "")

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def item(self, index: int) -> str:
        passage = int(np.searchsorted(self.offsets, index, side="right")) - 1
        if self._last[0] != passage:
            self._last = (passage, self.passages[passage].text)
        start, end = (int(x) for x in self.words.rows[index][:2])
        return self._last[1][start:end]


def check_same_articles(store: ArticleStore, version: str, manifest: SnapshotManifest) -> None:
    """RollbackRefused unless the store still holds every article ``version`` quotes as it was:
    quote offsets index into the stored text (issue 15, item 8)."""
    hashes = manifest.article_hashes
    if hashes is None:
        return  # a manifest from before the article hashes were recorded
    differing = store.differing(dict(hashes))
    if differing:
        shown = ", ".join(differing[:3]) + (" ..." if len(differing) > 3 else "")
        raise RollbackRefused(
            f"cannot roll back to {version}: it quotes {len(differing)} article(s) the store "
            f"no longer holds as they were ({shown}); re-add them, or run `articleqa index`"
        )


def rollback(
    settings: Settings,
    store: ArticleStore,
    lock_timeout_s: float | None = None,
    *,
    root: Path | None = None,
) -> str:
    """Publish the previous published snapshot, if the store still holds every article it
    quotes as it was (``check_same_articles``)."""

    def same_articles(version: str, manifest: SnapshotManifest) -> None:
        check_same_articles(store, version, manifest)

    wait = settings.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
    root = root or settings.home
    with build_lock(root, wait):
        return snapshot_rollback(root, check=same_articles)
