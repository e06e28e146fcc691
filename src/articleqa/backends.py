"""Which engine holds the articles and the index: the data directory (SQLite + FAISS + BM25,
the default) or PostgreSQL + pgvector (``ARTICLEQA_DATABASE_URL``).

The one place that tells them apart: the CLI, the API and the watcher ask ``backend_for`` for
the store, the indexer and the served index, and get the same interfaces from either.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from articleqa.config import Settings
from articleqa.embedding import Embedder
from articleqa.indexer import Indexer
from articleqa.retrieval import Retriever
from articleqa.search import Searcher
from articleqa.snapshot import (
    MANIFEST,
    Snapshot,
    build_lock,
    current_version,
    load_best,
    load_snapshot,
    snapshots_dir,
)
from articleqa.store import ArticleStore

if TYPE_CHECKING:
    from articleqa.postgres.database import Database

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class LoadedIndex:
    snapshot: Snapshot
    retriever: Retriever | None = None  # None: the snapshot's own FAISS and BM25 files
    # Set when the current version was unusable and an older one is served instead.
    fallback_reason: str | None = None

    def searcher(self, embedder: Embedder, settings: Settings) -> Searcher:
        return Searcher(self.snapshot, embedder, settings, self.retriever)


class Backend(Protocol):
    name: str

    def store(self) -> ArticleStore: ...

    def indexer(self, settings: Settings, store: ArticleStore, embedder: Embedder) -> Indexer: ...

    def current_version(self) -> str | None: ...

    def load_best(self) -> LoadedIndex: ...

    def load(self, version: str) -> LoadedIndex: ...

    def probe_build_lock(self) -> None: ...

    def published_generation(self) -> int | None:
        """The store generation the current version was built from (None: unknown)."""
        ...


def _generation(manifest: object) -> int | None:
    generation = manifest.get("store_generation") if isinstance(manifest, dict) else None
    return generation if isinstance(generation, int) else None


class EmbeddedBackend:
    """Everything under ``ARTICLEQA_HOME``."""

    name = "embedded"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.home

    def store(self) -> ArticleStore:
        return ArticleStore(self.home)

    def indexer(self, settings: Settings, store: ArticleStore, embedder: Embedder) -> Indexer:
        return Indexer(settings, store, embedder)

    def current_version(self) -> str | None:
        return current_version(self.home)

    def load_best(self) -> LoadedIndex:
        loaded = load_best(self.home)
        return LoadedIndex(loaded.snapshot, fallback_reason=loaded.fallback_reason)

    def load(self, version: str) -> LoadedIndex:
        return LoadedIndex(load_snapshot(self.home, version))

    def probe_build_lock(self) -> None:
        with build_lock(self.home, 0.0):
            pass

    def published_generation(self) -> int | None:
        version = current_version(self.home)
        if version is None:
            return None
        try:
            manifest = json.loads((snapshots_dir(self.home) / version / MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        return _generation(manifest)


class PostgresBackend:
    """Articles, embeddings and index versions in one PostgreSQL database."""

    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        from articleqa.postgres.database import database_for

        assert settings.database_url is not None
        self.settings = settings
        self.database: Database = database_for(
            settings.database_url.get_secret_value(),
            settings.database_pool_size,
            settings.database_timeout_s,
        )

    def store(self) -> ArticleStore:
        from articleqa.postgres.store import PostgresStore

        return PostgresStore(self.database)

    def indexer(self, settings: Settings, store: ArticleStore, embedder: Embedder) -> Indexer:
        from articleqa.postgres.index import PostgresIndexer
        from articleqa.postgres.store import PostgresStore

        if not isinstance(store, PostgresStore):
            raise TypeError("the PostgreSQL indexer reads a PostgreSQL store")
        return PostgresIndexer(settings, store, embedder, self.database)

    def current_version(self) -> str | None:
        from articleqa.postgres.index import current_version as pg_current_version

        return pg_current_version(self.database)

    def load_best(self) -> LoadedIndex:
        # The current version is complete by construction (published in one transaction):
        # there is no half-written folder to fall back from.
        return self._load(None)

    def load(self, version: str) -> LoadedIndex:
        return self._load(version)

    def _load(self, version: str | None) -> LoadedIndex:
        from articleqa.postgres.index import load_version

        snapshot, retriever = load_version(self.database, version)
        retriever.ef_search = self.settings.hnsw_ef_search
        return LoadedIndex(snapshot, retriever)

    def probe_build_lock(self) -> None:
        from articleqa.postgres.index import probe_build_lock

        probe_build_lock(self.database)

    def published_generation(self) -> int | None:
        with self.database.connection() as conn:
            row = conn.execute(
                "SELECT v.manifest FROM index_current c JOIN index_versions v USING (version)"
            ).fetchone()
        return _generation(row[0]) if row else None


def backend_for(settings: Settings) -> Backend:
    if settings.database_url is not None:
        return PostgresBackend(settings)
    return EmbeddedBackend(settings)
