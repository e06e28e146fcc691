"""Typed errors. The edges (CLI, HTTP, bot) translate each into a message and a status."""

from __future__ import annotations


class ArticleQAError(Exception):
    """Base of every error articleqa raises on purpose. ``code`` is stable and machine-readable."""

    code = "error"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ArticleQAError):
    code = "invalid_input"
    http_status = 422


class IngestError(ArticleQAError):
    """An article source could not be read into an article (bad file, bad URL...)."""

    code = "ingest_failed"
    http_status = 422


class UnsupportedFormat(IngestError):
    code = "unsupported_format"


class SourceTooLarge(IngestError):
    code = "too_large"
    http_status = 413


class UnsafeURL(IngestError):
    code = "unsafe_url"


class FetchFailed(IngestError):
    code = "fetch_failed"
    http_status = 502


class ArticleNotFound(ArticleQAError):
    code = "article_not_found"
    http_status = 404


class IndexNotBuilt(ArticleQAError):
    code = "index_not_built"
    http_status = 503


class NoArticles(IndexNotBuilt):
    """Nothing to index or to answer from: the store (or the served snapshot) is empty."""

    code = "no_articles"

    def __init__(self, message: str = "no articles yet: add some first") -> None:
        super().__init__(message)


class SnapshotCorrupt(ArticleQAError):
    code = "snapshot_corrupt"
    http_status = 503


class RollbackRefused(ArticleQAError):
    code = "rollback_refused"
    http_status = 409


class RebuildInProgress(ArticleQAError):
    code = "rebuild_in_progress"
    http_status = 409


class StorageError(ArticleQAError):
    code = "storage_error"
    http_status = 507


class DatabaseUnavailable(ArticleQAError):
    """The PostgreSQL server cannot be reached; the service keeps running and retries."""

    code = "database_unavailable"
    http_status = 503


class InvalidCollection(InvalidInput):
    """A collection name that does not match ``collection.NAME_PATTERN``."""

    code = "invalid_collection"


class CollectionNotFound(ArticleQAError):
    """A collection that holds no articles and has no index."""

    code = "collection_not_found"
    http_status = 404
