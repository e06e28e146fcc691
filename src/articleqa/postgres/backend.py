"""The PostgreSQL backend's two halves for the engine (``articleqa.backend`` protocols):
``PostgresStore`` for articles and ``PostgresIndex`` for index versions."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING

from articleqa.backend import ArticleRepository, BuildOptions
from articleqa.collection import DEFAULT
from articleqa.config import Settings
from articleqa.errors import IndexNotBuilt
from articleqa.manifest import SnapshotManifest
from articleqa.postgres.database import Database, database_for
from articleqa.postgres.index import (
    PostgresIndexer,
    PostgresRetriever,
    current_version,
    load_version,
    probe_build_lock,
    rollback_version,
)
from articleqa.postgres.store import PostgresStore
from articleqa.snapshot import LoadedSnapshot, Snapshot

if TYPE_CHECKING:
    from articleqa.embedding import Embedder
    from articleqa.indexer import BuildReport

logger = logging.getLogger(__name__)

# Retrievers of the versions loaded last: a searcher asks for its snapshot's right after the
# load, and an API process serves one version at a time (two while it swaps).
_KEEP_RETRIEVERS = 4


def database(settings: Settings) -> Database:
    assert settings.database_url is not None, "the PostgreSQL backend needs a database URL"
    return database_for(
        settings.database_url.get_secret_value(),
        settings.database_pool_size,
        settings.database_timeout_s,
    )


def open_store(settings: Settings) -> ArticleRepository:
    return PostgresStore(database(settings))


class PostgresIndex:
    """Index versions in the database: built and published in one transaction each
    (``postgres.index``), searched in place through a ``PostgresRetriever``."""

    def __init__(self, settings: Settings, collection: str = DEFAULT) -> None:
        # Each collection's versions are its own: its current row, its build lock, its
        # pruning; the embedding cache is shared.
        self.collection = collection
        self.settings = settings
        self.database = database(settings)
        self._retrievers: OrderedDict[str, PostgresRetriever] = OrderedDict()

    def build(
        self, store: ArticleRepository, embedder: Embedder, options: BuildOptions
    ) -> BuildReport:
        if not isinstance(store, PostgresStore):
            raise TypeError(f"the PostgreSQL index builds from a PostgresStore, not {type(store)}")
        indexer = PostgresIndexer(self.settings, store, embedder, self.database, self.collection)
        return indexer.build(
            options.progress, lock_timeout_s=options.lock_timeout_s, full=options.full
        )

    def rollback(self, store: ArticleRepository, *, lock_timeout_s: float | None = None) -> str:
        if not isinstance(store, PostgresStore):
            raise TypeError(f"the PostgreSQL index checks a PostgresStore, not {type(store)}")
        wait = self.settings.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        return rollback_version(self.database, store, wait, self.collection)

    def probe_lock(self) -> None:
        probe_build_lock(self.database, self.collection)

    def current_version(self) -> str | None:
        return current_version(self.database, self.collection)

    def manifest(self, version: str) -> SnapshotManifest:
        with self.database.connection() as conn:
            row = conn.execute(
                "SELECT manifest FROM index_versions WHERE version = %s AND collection = %s",
                (version, self.collection),
            ).fetchone()
        if row is None:
            raise IndexNotBuilt(f"index version {version} does not exist")
        return SnapshotManifest.from_json(row[0])

    def load(self, version: str | None = None) -> Snapshot:
        snapshot, retriever = load_version(self.database, version, self.collection)
        retriever.ef_search = self.settings.hnsw_ef_search
        self._retrievers[snapshot.version] = retriever
        while len(self._retrievers) > _KEEP_RETRIEVERS:
            self._retrievers.popitem(last=False)
        return snapshot

    def load_best(self) -> LoadedSnapshot:
        # The current version is whole by construction (published in one transaction): there
        # is no half-written one to fall back from.
        return LoadedSnapshot(self.load())

    def retriever(self, snapshot: Snapshot) -> PostgresRetriever:
        retriever = self._retrievers.get(snapshot.version)
        if retriever is None:
            raise IndexNotBuilt(f"index version {snapshot.version} was not loaded here")
        return retriever
