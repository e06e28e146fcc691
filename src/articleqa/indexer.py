"""Building a snapshot from the article store: split, de-duplicate, embed what is new, index."""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from articleqa.config import Settings
from articleqa.embedding import Embedder
from articleqa.embedding_cache import EmbeddingCache, cache_key
from articleqa.errors import NoArticles, RollbackRefused
from articleqa.lexical import LexicalIndex
from articleqa.models import Passage
from articleqa.passages import merge_duplicates, passage_sentences
from articleqa.snapshot import (
    ArticleRecord,
    PassageRecord,
    build_lock,
    current_version,
    new_version,
    prune,
    publish,
    write_snapshot,
)
from articleqa.snapshot import rollback as snapshot_rollback
from articleqa.split_cache import SplitCache
from articleqa.store import ArticleStore
from articleqa.vector_index import build_chosen

logger = logging.getLogger(__name__)

EMBED_CHUNK = 256


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


ProgressCallback = Callable[[int, int], None]


class Indexer:
    """Builds and publishes snapshots. Counters of the last build are in ``last_report``."""

    def __init__(self, settings: Settings, store: ArticleStore, embedder: Embedder) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.cache = EmbeddingCache(settings.home / "embeddings", embedder.name, embedder.dimension)
        self.splits = SplitCache(
            settings.home / "cache", settings.passage_min_words, settings.passage_max_words
        )
        self.last_report: BuildReport | None = None

    def build(self, progress: ProgressCallback | None = None) -> BuildReport:
        """Build a snapshot of the store as it is now and publish it. Holds the rebuild lock."""
        home = self.settings.home
        with build_lock(home, self.settings.lock_timeout_s):
            started = time.perf_counter()
            generation = self.store.generation()
            articles = list(self.store.iter_articles())
            if not articles and current_version(home) is None:
                # An empty first snapshot would only turn every question into "not answered".
                # Once one is published, an emptied store is indexed (as empty), so removed
                # articles stop being quoted; asks then get NoArticles from the Searcher.
                raise NoArticles()
            passages = merge_duplicates(self.splits.split_all(articles))
            sentence_texts, sentence_offsets = _sentences(passages)
            texts = [p.embedding_text() for p in passages]
            # One pass over passages and sentences, so progress counts all the model's work.
            # Sentence vectors are kept as float16 in the snapshot: held so from the start,
            # they take half the build's memory, and round exactly as converting them later.
            (vectors, sentence_vectors), missing = self._embedded(
                [(texts, np.dtype(np.float32)), (sentence_texts, np.dtype(np.float16))], progress
            )
            embedded = sum(i < len(texts) for i in missing)
            sentences_embedded = len(missing) - embedded
            index, choice = build_chosen(
                vectors, self.settings.index_type, self.settings.ann_threshold
            )
            kind = choice.kind
            lexical = LexicalIndex.build([p.embedding_text() for p in passages])
            version = new_version()
            manifest = {
                "model": self.embedder.name,
                "dimension": self.embedder.dimension,
                "metric": "inner_product",
                "index_type": kind,
                "vector_index": choice.as_manifest(),
                "built_at": dt.datetime.now(dt.UTC).isoformat(),
                "counts": {"articles": len(articles), "passages": len(passages)},
                "articles": {a.id: a.content_hash for a in articles},
                "passage_words": [self.settings.passage_min_words, self.settings.passage_max_words],
                "store_generation": generation,
            }
            written = write_snapshot(
                home,
                version,
                index,
                lexical,
                [
                    PassageRecord(
                        p.text,
                        p.context,
                        p.heading,
                        [(s.article_id, s.start, s.end) for s in p.spans],
                    )
                    for p in passages
                ],
                [
                    ArticleRecord(
                        a.id,
                        a.title,
                        a.url,
                        a.author,
                        a.published.isoformat() if a.published else None,
                        a.text,
                        a.source,
                    )
                    for a in articles
                ],
                manifest,
                sentences=(sentence_vectors, sentence_offsets),
            )
            try:
                publish(home, version)
            except BaseException:
                # Never published, so never served: a newer unpublished folder would only
                # confuse fallbacks and rollbacks.
                shutil.rmtree(written, ignore_errors=True)
                raise
            prune(home, self.settings.keep_snapshots)
            report = BuildReport(
                version=version,
                articles=len(articles),
                passages=len(passages),
                embedded=embedded,
                reused=len(passages) - embedded,
                sentences=len(sentence_texts),
                sentences_embedded=sentences_embedded,
                index_type=kind,
                seconds=time.perf_counter() - started,
                store_generation=generation,
            )
            self.last_report = report
            logger.info(
                "built %s: %d articles, %d passages (%d embedded, %d from cache), "
                "%d sentences (%d embedded) in %.1fs",
                version,
                report.articles,
                report.passages,
                embedded,
                report.reused,
                len(sentence_texts),
                sentences_embedded,
                report.seconds,
            )
            return report

    def _vectors(
        self, texts: list[str], progress: ProgressCallback | None
    ) -> tuple[np.ndarray, list[int]]:
        """Vectors of ``texts``, embedding only those not cached (their indices returned)."""
        [matrix], missing = self._embedded([(texts, np.dtype(np.float32))], progress)
        return matrix, missing

    def _embedded(
        self, groups: list[tuple[list[str], np.dtype[Any]]], progress: ProgressCallback | None
    ) -> tuple[list[np.ndarray], list[int]]:
        """One matrix per group of texts (rows in the group's dtype), embedding only the texts
        not cached; the indices returned count through the groups in order.

        Cached vectors are copied into their rows as they are read, never all held beside the
        matrices: that doubled the build's peak memory (BENCHMARKS.md, "Scale").
        """
        texts = [text for group, _ in groups for text in group]
        matrices = [np.zeros((len(g), self.embedder.dimension), dtype=d) for g, d in groups]
        starts = [0]
        for group, _ in groups:
            starts.append(starts[-1] + len(group))
        keys = [cache_key(t) for t in texts]
        rows: dict[str, list[int]] = {}
        for row, key in enumerate(keys):
            rows.setdefault(key, []).append(row)

        def put(key: str, vector: np.ndarray) -> None:
            for row in rows.pop(key, ()):
                group = bisect.bisect_right(starts, row) - 1
                matrices[group][row - starts[group]] = vector

        for key, vector in self.cache.iter_many(list(rows)):
            put(key, vector)
        missing = sorted(first for first, *_ in rows.values())
        done = 0
        if progress:
            progress(0, len(missing))
        for chunk_start in range(0, len(missing), EMBED_CHUNK):
            chunk = missing[chunk_start : chunk_start + EMBED_CHUNK]
            vectors = self.embedder.embed([texts[i] for i in chunk])
            # Written per chunk, so an interrupted build keeps what it paid for.
            self.cache.put_many((keys[i], v) for i, v in zip(chunk, vectors, strict=True))
            for i, vector in zip(chunk, vectors, strict=True):
                put(keys[i], vector)
            done += len(chunk)
            if progress:
                progress(done, len(missing))
        return matrices, missing


def _sentences(passages: list[Passage]) -> tuple[list[str], np.ndarray]:
    """Every passage's sentences, as the searcher splits them, and each passage's first row."""
    texts: list[str] = []
    offsets = [0]
    for passage in passages:
        for span in passage_sentences(passage.text):
            texts.append(passage.text[span.start : span.end])
        offsets.append(len(texts))
    return texts, np.asarray(offsets, dtype=np.int64)


def rollback(settings: Settings, store: ArticleStore) -> str:
    """Publish the previous published snapshot, if the store still holds every article it
    quotes as it was: quote offsets index into the stored text (issue 15, item 8)."""

    def same_articles(version: str, manifest: dict[str, Any]) -> None:
        hashes = manifest.get("articles")
        if not isinstance(hashes, dict):
            return  # a manifest from before the article hashes were recorded
        differing = store.differing(hashes)
        if differing:
            shown = ", ".join(differing[:3]) + (" ..." if len(differing) > 3 else "")
            raise RollbackRefused(
                f"cannot roll back to {version}: it quotes {len(differing)} article(s) the store "
                f"no longer holds as they were ({shown}); re-add them, or run `articleqa index`"
            )

    with build_lock(settings.home, settings.lock_timeout_s):
        return snapshot_rollback(settings.home, check=same_articles)
