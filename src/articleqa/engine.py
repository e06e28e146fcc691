"""``ArticleQA``: the engine facade, and the only place that wires store, embedder, indexer and
searcher together. The CLI, the HTTP API, the folder watcher, feed polling and ``eval`` all go
through it::

    from articleqa import ArticleQA
    from articleqa.config import Settings

    engine = ArticleQA(Settings(home="index"))
    engine.add(["articles/"])    # files, folders, URLs -> the store
    engine.build()               # the store -> a published index
    answer = engine.ask("Who won the regional science fair?")

Heavy things load once and lazily: the embedding model on the first build or question, the
index on the first question. Per-call options are arguments (``build(lock_timeout_s=60)``),
never a modified copy of the settings.

How a backend plugs in: storage is reached only through the two protocols of
``articleqa.backend``: an ``ArticleRepository`` (articles, their content hashes, a change
counter) and an ``IndexBackend`` (build under a lock, publish a version atomically, roll back,
load a version for the searcher). ``choose_backend(settings)`` below is the one place that
picks their implementations; a PostgreSQL backend adds its ``Backend`` there (chosen by its
setting, e.g. a database URL), and this facade, with everything that calls it, stays as it is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from articleqa.backend import ArticleRepository, BuildOptions, IndexBackend
from articleqa.collection import DEFAULT, check_name
from articleqa.config import Settings
from articleqa.paths import HomePaths

if TYPE_CHECKING:
    from articleqa.embedding import Embedder
    from articleqa.indexer import BuildReport, ProgressCallback
    from articleqa.manifest import SnapshotManifest
    from articleqa.models import Answer, Article, ArticleMeta, RawArticle
    from articleqa.search import Searcher, SearchFilters
    from articleqa.service import IngestOutcome
    from articleqa.snapshot import LoadedSnapshot, Snapshot
    from articleqa.store import ArticleStore

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


# -- backends: the one place an implementation is chosen ------------------------------------


class SnapshotIndex:
    """The embedded index backend: snapshot folders in ``ARTICLEQA_HOME`` (snapshot.py), one
    set per collection (``HomePaths.index_root``)."""

    def __init__(self, settings: Settings, collection: str = DEFAULT) -> None:
        self.settings = settings
        self.home = HomePaths(settings.home).index_root(collection)

    def build(
        self, store: ArticleRepository, embedder: Embedder, options: BuildOptions
    ) -> BuildReport:
        from articleqa.indexer import Indexer

        indexer = Indexer(self.settings, _embedded(store), embedder, root=self.home)
        return indexer.build(
            options.progress, lock_timeout_s=options.lock_timeout_s, full=options.full
        )

    def rollback(self, store: ArticleRepository, *, lock_timeout_s: float | None = None) -> str:
        from articleqa.indexer import rollback

        return rollback(
            self.settings, _embedded(store), lock_timeout_s=lock_timeout_s, root=self.home
        )

    def probe_lock(self) -> None:
        from articleqa.snapshot import build_lock

        with build_lock(self.home, 0.0):
            pass

    def current_version(self) -> str | None:
        from articleqa.snapshot import current_version

        return current_version(self.home)

    def manifest(self, version: str) -> SnapshotManifest:
        from articleqa.snapshot import read_manifest

        return read_manifest(self.home, version)

    def load(self, version: str | None = None) -> Snapshot:
        from articleqa.snapshot import load_snapshot

        return load_snapshot(self.home, version)

    def load_best(self) -> LoadedSnapshot:
        from articleqa.snapshot import load_best

        return load_best(self.home)

    def retriever(self, snapshot: Snapshot) -> None:
        return None  # the snapshot's own FAISS and BM25 files


def _embedded(store: ArticleRepository) -> ArticleStore:
    """The SQLite store the snapshot indexer reads; the embedded index pairs with no other."""
    from articleqa.store import ArticleStore

    if not isinstance(store, ArticleStore):
        raise TypeError(f"the snapshot index builds from an ArticleStore, not {type(store)}")
    return store


def _open_store(settings: Settings) -> ArticleRepository:
    from articleqa.store import ArticleStore

    return ArticleStore(settings.home)


@dataclass(frozen=True, slots=True)
class Backend:
    """How to open one backend's two halves; each is opened only when first needed (asking
    needs no store, adding articles no index)."""

    name: str
    open_store: Callable[[Settings], ArticleRepository]
    # The index of one collection.
    open_index: Callable[[Settings, str], IndexBackend]


EMBEDDED = Backend("embedded", _open_store, SnapshotIndex)


def _postgres() -> Backend:
    # Imported only when chosen: the embedded backend never loads the PostgreSQL driver.
    from articleqa.postgres.backend import PostgresIndex, open_store

    return Backend("postgres", open_store, PostgresIndex)


def choose_backend(settings: Settings) -> Backend:
    """The backend the settings ask for: the one place a backend is chosen.

    ``ARTICLEQA_DATABASE_URL`` set: PostgreSQL + pgvector; unset: the data directory's SQLite
    + FAISS + BM25.
    """
    if settings.database_url is not None:
        return _postgres()
    return EMBEDDED


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """Where the data lives, how many articles it holds, and whether the index is current."""

    backend: str
    home: str
    articles: int
    store_generation: int
    # The published index version's manifest (version, build time, counts, model ...).
    index: SnapshotManifest | None
    # The version this engine answers from, once it has loaded one (see ``reload``).
    serving: str | None
    # Why the published version's manifest could not be read, when it could not.
    index_error: str | None = None
    collection: str = DEFAULT

    @property
    def up_to_date(self) -> bool:
        """True when the published index was built from the store as it is now."""
        return self.index is not None and self.index.store_generation == self.store_generation


class ArticleQA:
    """Articles in, verbatim quotes out: add, remove, build, ask.

    Args:
        settings: Every knob; ``settings.home`` is the data directory.
        embedder: An already loaded embedder to share (the API shares one model between its
            requests; tests pass a fake one). Default: loaded from the settings on first use.
        home: Another data directory with the same settings (``eval`` builds each fold in a
            temporary one). Default: ``settings.home``.
        collection: The collection this engine adds to, lists, builds and answers from
            (default ``default``); ``for_collection`` gives the engine of another, sharing
            this one's model and store.

    Thread safety: reads (ask, articles) may run in several threads. An embedder is not
    shared safely between threads that embed at once, so a process that builds while it
    answers (the API) builds through a second ``ArticleQA`` with its own embedder.
    """

    # Each made on first use, by ``_once``.
    _embedder: Embedder | None
    _store: ArticleRepository | None
    _index: IndexBackend | None
    _searcher: Searcher | None

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        home: Path | None = None,
        collection: str = DEFAULT,
    ) -> None:
        if home is not None:
            settings = settings.model_copy(update={"home": home})
        self.settings = settings
        self.collection = check_name(collection)
        self.paths = HomePaths(settings.home)
        self.backend: Backend = choose_backend(settings)
        self._lock = threading.RLock()
        self._embedder = embedder
        self._store = self._index = self._searcher = None
        self._fallback_reason: str | None = None
        self._siblings: dict[str, ArticleQA] = {self.collection: self}

    # -- the parts, each made once, on first use ---------------------------------------------

    def _once(self, attribute: str, make: Callable[[], _T]) -> _T:
        """``self.<attribute>``, made by ``make`` the first time (once, even across threads)."""
        value: _T | None = getattr(self, attribute)
        if value is None:
            with self._lock:
                value = getattr(self, attribute)
                if value is None:
                    value = make()
                    setattr(self, attribute, value)
        return value

    @property
    def embedder(self) -> Embedder:
        from articleqa.embedding import load_embedder

        return self._once("_embedder", lambda: load_embedder(self.settings))

    @property
    def store(self) -> ArticleRepository:
        """The article store, seen through this engine's collection."""
        return self._once(
            "_store", lambda: self.backend.open_store(self.settings).scoped(self.collection)
        )

    @property
    def index(self) -> IndexBackend:
        return self._once("_index", lambda: self.backend.open_index(self.settings, self.collection))

    # -- collections -------------------------------------------------------------------------

    def for_collection(self, collection: str | None) -> ArticleQA:
        """The engine of ``collection`` (None: this one's), made once and kept: it shares this
        engine's embedding model and store, and has its own index and searcher.
        InvalidCollection for a malformed name."""
        name = self.collection if collection is None else check_name(collection)
        with self._lock:
            sibling = self._siblings.get(name)
            if sibling is None:
                sibling = ArticleQA(self.settings, embedder=self._embedder, collection=name)
                sibling._store = self.store.scoped(name)
                sibling._siblings = self._siblings
                self._siblings[name] = sibling
            return sibling

    def collections(self) -> list[str]:
        """Every collection that holds articles or has an index, sorted (``default`` always)."""
        names = {DEFAULT, *self.store.collections()}
        if self.backend is EMBEDDED:
            names.update(self.paths.indexed_collections())
        return sorted(names)

    def exists(self) -> bool:
        """Whether this engine's collection holds articles or has a published index."""
        if self.collection == DEFAULT or self.store.count() > 0:
            return True
        return self.collection in self.collections()

    def require_exists(self) -> ArticleQA:
        """This engine, or CollectionNotFound when its collection is unknown."""
        from articleqa.errors import CollectionNotFound

        if not self.exists():
            raise CollectionNotFound(
                f"no collection named {self.collection!r}: add articles to it first "
                f'(POST /articles with "collection": "{self.collection}", or '
                f"`articleqa add --collection {self.collection}`)"
            )
        return self

    # -- articles ----------------------------------------------------------------------------

    def add(self, sources: Sequence[str], *, allow_private: bool = False) -> list[IngestOutcome]:
        """Read and store files, folders (recursively) and URLs; a bad source is reported in
        its outcome and the others are still added. Build afterwards to make them answerable."""
        from articleqa.service import ingest

        return ingest(list(sources), self.store, self.settings, allow_private, self.collection)

    def add_raw(self, label: str, raw: RawArticle) -> IngestOutcome:
        """Clean and store one article already read (an upload, a feed entry)."""
        from articleqa.service import store_raw

        return store_raw(self.store, label, raw, self.collection)

    def remove(self, article_id: str) -> None:
        """Remove one article (ArticleNotFound if absent); build to drop it from answers."""
        self.store.remove(article_id)

    def get(self, article_id: str) -> Article:
        return self.store.get(article_id)

    def articles(self, offset: int = 0, limit: int = 50) -> list[ArticleMeta]:
        """This collection's stored articles' metadata, oldest first."""
        return self.store.list(offset, limit)

    def article_count(self) -> int:
        return self.store.count()

    def iter_articles(self) -> Iterator[Article]:
        return self.store.iter_articles()

    def store_generation(self) -> int:
        return self.store.generation()

    # -- the index ---------------------------------------------------------------------------

    def build(
        self,
        *,
        full: bool = False,
        lock_timeout_s: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> BuildReport:
        """Build an index of the store as it is now and publish it (only new or changed
        passages are embedded, unless ``full``).

        Args:
            full: Embed every passage and sentence again instead of reusing cached vectors.
            lock_timeout_s: How long to wait for a build running elsewhere; default: the
                settings' ``lock_timeout_s``. RebuildInProgress after that.
            progress: Called with (texts embedded, texts to embed) as the build goes.
        """
        options = BuildOptions(lock_timeout_s=lock_timeout_s, progress=progress, full=full)
        report = self.index.build(self.store, self.embedder, options)
        self._forget_searcher()
        return report

    def rollback(self, *, lock_timeout_s: float | None = None) -> str:
        """Publish the version built before the current one, if the store still holds every
        article it quotes as it was; returns the version now current."""
        version = self.index.rollback(self.store, lock_timeout_s=lock_timeout_s)
        self._forget_searcher()
        return version

    def _forget_searcher(self) -> None:
        # What this engine publishes it answers from next: the next ``ask`` loads it.
        with self._lock:
            self._searcher = None
            self._fallback_reason = None

    def probe_build_lock(self) -> None:
        """RebuildInProgress now, rather than after a wait, if a build is running."""
        self.index.probe_lock()

    def current_version(self) -> str | None:
        """The published version's name, or None before the first build."""
        return self.index.current_version()

    def manifest(self, version: str | None = None) -> SnapshotManifest | None:
        """The manifest of ``version`` (default: the published one), None before any build."""
        version = version or self.current_version()
        return self.index.manifest(version) if version else None

    # -- questions ---------------------------------------------------------------------------

    def searcher_for(self, snapshot: Snapshot, **ranking: Any) -> Searcher:
        """A searcher over ``snapshot``. ``ranking`` overrides search settings for this
        searcher alone (``dense_weight=0.0``, ``abstain_threshold=...``), as ``eval`` compares
        rankers; the engine's own settings are left as they are."""
        from articleqa.search import Searcher

        settings = self.settings.model_copy(update=ranking) if ranking else self.settings
        return Searcher(snapshot, self.embedder, settings, self.index.retriever(snapshot))

    def load(self, version: str | None = None) -> Searcher:
        """Load ``version`` (default: the published one) exactly; SnapshotCorrupt if it cannot
        be used. The engine's own ``ask`` is not switched to it (see ``reload``)."""
        return self.searcher_for(self.index.load(version))

    def load_best(self) -> tuple[Searcher, str | None]:
        """A searcher over the published version or, when that cannot be loaded, over the
        newest earlier one, with the reason it was passed over (else None)."""
        loaded = self.index.load_best()
        return self.searcher_for(loaded.snapshot), loaded.fallback_reason

    @property
    def searcher(self) -> Searcher:
        """The searcher ``ask`` uses: the best loadable version, loaded on first use."""
        return self._once("_searcher", self._load_for_ask)

    def _load_for_ask(self) -> Searcher:
        searcher, self._fallback_reason = self.load_best()
        return searcher

    def reload(self) -> bool:
        """Answer from the published version from now on, if it is not the one loaded.
        True when it changed."""
        with self._lock:
            version = self.current_version()
            if self._searcher is not None and self._searcher.snapshot.version == version:
                return False
            self._searcher = self._load_for_ask()
            return True

    def ask(
        self,
        question: str,
        k: int | None = None,
        *,
        filters: SearchFilters | None = None,
        context: Sequence[str] = (),
    ) -> Answer:
        """Answer with verbatim quotes (``k`` of them at most; default: the settings'), or say
        that the articles do not answer it. ``filters`` limit the articles quoted; ``context``
        holds the conversation's earlier questions, oldest first, for a follow-up."""
        return self.searcher.ask(question, k, filters, context=context)

    def ask_many(
        self,
        questions: Sequence[str],
        k: int | None = None,
        *,
        filters: SearchFilters | None = None,
    ) -> list[Answer]:
        """Answer several questions, embedding them in one model call."""
        if not questions:
            return []
        searcher = self.searcher
        vectors = self.embedder.embed([q.strip() for q in questions])
        return [
            searcher.ask(q, k, filters, vector)
            for q, vector in zip(questions, vectors, strict=True)
        ]

    # -- status ------------------------------------------------------------------------------

    def status(self) -> EngineStatus:
        """What is stored and what is published; a damaged index is reported, not raised."""
        from articleqa.errors import SnapshotCorrupt

        manifest = error = None
        try:
            manifest = self.manifest()
        except SnapshotCorrupt as exc:
            error = exc.message
        searcher = self._searcher
        return EngineStatus(
            backend=self.backend.name,
            home=str(self.settings.home),
            articles=self.store.count(),
            store_generation=self.store.generation(),
            index=manifest,
            serving=searcher.snapshot.version if searcher else None,
            index_error=error,
            collection=self.collection,
        )

    @property
    def fallback_reason(self) -> str | None:
        """Why ``ask`` answers from an older version than the published one, if it does."""
        return self._fallback_reason
