"""The two seams a storage backend fills: where articles live, and where built indexes live.

The engine facade (``articleqa.engine.ArticleQA``) reaches storage only through these
protocols; ``engine.choose_backend`` is the one place that picks their implementations from
the settings: the embedded pair, ``ArticleStore`` (SQLite) and ``engine.SnapshotIndex`` (FAISS
+ BM25 snapshots in ``ARTICLEQA_HOME``), or, with ``ARTICLEQA_DATABASE_URL``, PostgreSQL's
(``articleqa.postgres.backend``).
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from articleqa.embedding import Embedder
    from articleqa.indexer import BuildReport, ProgressCallback
    from articleqa.manifest import SnapshotManifest
    from articleqa.models import Article, ArticleMeta
    from articleqa.retrieval import Retriever
    from articleqa.snapshot import LoadedSnapshot, Snapshot
    from articleqa.store import UpsertStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """Per-call options of one build (the settings hold the defaults).

    Attributes:
        lock_timeout_s: How long to wait for a build elsewhere; None = the settings' value.
        progress: Called with (texts embedded, texts to embed) as the build goes.
        full: Embed every text again rather than reuse cached vectors.
    """

    lock_timeout_s: float | None = None
    progress: ProgressCallback | None = None
    full: bool = False


class ArticleRepository(Protocol):
    """The source of truth for article text: every quote is a slice of a stored article.

    A repository is seen through one collection (``collection``): listing, counting,
    iterating and the change counter are that collection's; ``get``, ``remove`` and
    ``differing`` go by article id, unique across collections.
    """

    collection: str

    def scoped(self, collection: str) -> ArticleRepository:
        """The same repository seen through ``collection``."""
        ...

    def collections(self) -> builtins.list[str]:
        """The collections holding at least one article."""
        ...

    def upsert_many(self, articles: Sequence[Article]) -> list[tuple[UpsertStatus, str | None]]:
        """Store ``articles`` in one transaction; per article its status and replaced id."""
        ...

    def remove(self, article_id: str) -> None:
        """ArticleNotFound when there is no such article."""
        ...

    def get(self, article_id: str) -> Article: ...

    def list(self, offset: int = 0, limit: int = 50) -> list[ArticleMeta]: ...

    def count(self) -> int: ...

    def iter_articles(self) -> Iterator[Article]: ...

    # ``list`` is a method here: the builtin needs its full name.
    def differing(self, hashes: dict[str, str]) -> builtins.list[str]:
        """Ids in ``hashes`` (id -> content hash) that are missing or stored changed."""
        ...

    def generation(self) -> int:
        """A counter every change bumps: an index built at generation g is stale after it."""
        ...


class IndexBackend(Protocol):
    """Builds, publishes, rolls back and loads index versions.

    A build holds a lock for its whole length; publishing a version is atomic (readers see the
    old or the new one, never a mix).
    """

    def build(
        self, store: ArticleRepository, embedder: Embedder, options: BuildOptions
    ) -> BuildReport:
        """Build an index version of ``store`` as it is now and publish it."""
        ...

    def rollback(self, store: ArticleRepository, *, lock_timeout_s: float | None = None) -> str:
        """Publish the version before the current one; returns its name."""
        ...

    def probe_lock(self) -> None:
        """RebuildInProgress when a build (here or in another process) holds the lock."""
        ...

    def current_version(self) -> str | None: ...

    def manifest(self, version: str) -> SnapshotManifest: ...

    def load(self, version: str | None = None) -> Snapshot:
        """Load ``version`` (default: the published one); SnapshotCorrupt when unusable."""
        ...

    def load_best(self) -> LoadedSnapshot:
        """The published version, or the newest earlier one that loads, saying why."""
        ...

    def retriever(self, snapshot: Snapshot) -> Retriever | None:
        """Where the searcher finds ``snapshot``'s candidates; None: its own FAISS and BM25
        files (the embedded backend)."""
        ...
