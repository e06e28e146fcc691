"""Library-level operations shared by the CLI, the HTTP API and the watcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from articleqa.backend import ArticleRepository
from articleqa.collection import DEFAULT
from articleqa.config import Settings
from articleqa.errors import ArticleQAError, IngestError
from articleqa.ingest import read_source_groups
from articleqa.ingest.prepare import prepare_article
from articleqa.models import Article, RawArticle
from articleqa.store import UpsertStatus

logger = logging.getLogger(__name__)


class IngestStatus(StrEnum):
    """What became of one source: the store's ``UpsertStatus``, or failed before it."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"

    @classmethod
    def of(cls, status: UpsertStatus) -> IngestStatus:
        return cls(status.value)


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What happened to one source (or one record of a JSON file)."""

    source: str
    status: IngestStatus
    article_id: str | None = None
    title: str | None = None
    error: str | None = None
    error_code: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == IngestStatus.FAILED


# Articles per write transaction in a bulk add: large enough that commits stop dominating,
# small enough that one transaction never holds the write lock for long.
BATCH_SIZE = 500


def _prepare(label: str, raw: RawArticle, collection: str) -> Article | IngestOutcome:
    try:
        return prepare_article(raw, collection=collection)
    except IngestError as exc:
        return IngestOutcome(label, IngestStatus.FAILED, error=exc.message, error_code=exc.code)
    except ArticleQAError:
        raise
    except Exception as exc:
        # Cleaning runs on text nobody vetted: a failure there is this article's, not the run's.
        logger.debug("preparing %s failed", label, exc_info=True)
        return IngestOutcome(
            label,
            IngestStatus.FAILED,
            error=f"cannot prepare article ({type(exc).__name__}: {exc})",
            error_code=IngestError.code,
        )


def store_raw(
    store: ArticleRepository, label: str, raw: RawArticle, collection: str = DEFAULT
) -> IngestOutcome:
    [outcome] = _store_group(store, [(label, raw)], collection)
    return outcome


def _store_group(
    store: ArticleRepository,
    group: list[tuple[str, RawArticle | IngestError]],
    collection: str = DEFAULT,
) -> list[IngestOutcome]:
    """Prepare and store the records of one source, ``BATCH_SIZE`` per transaction."""
    outcomes: list[IngestOutcome | None] = []
    pending: list[tuple[int, str, Article]] = []

    def flush() -> None:
        results = store.upsert_many([article for _, _, article in pending])
        for (slot, label, article), (status, replaced) in zip(pending, results, strict=True):
            if replaced:
                logger.info("%s replaced article %s", article.id, replaced)
            outcomes[slot] = IngestOutcome(
                label, IngestStatus.of(status), article.id, article.title
            )
        pending.clear()

    for label, result in group:
        if isinstance(result, IngestError):
            outcomes.append(
                IngestOutcome(
                    label, IngestStatus.FAILED, error=result.message, error_code=result.code
                )
            )
            continue
        prepared = _prepare(label, result, collection)
        if isinstance(prepared, IngestOutcome):
            outcomes.append(prepared)
            continue
        pending.append((len(outcomes), label, prepared))
        outcomes.append(None)
        if len(pending) >= BATCH_SIZE:
            flush()
    if pending:
        flush()
    return [o for o in outcomes if o is not None]


def ingest(
    sources: list[str],
    store: ArticleRepository,
    settings: Settings,
    allow_private: bool = False,
    collection: str = DEFAULT,
) -> list[IngestOutcome]:
    """Read and store every source; a bad source is reported and the others go on.

    Each file (or URL) is stored in its own transactions, so a crash keeps every file before
    the one being written, and a file's many records are written in batches.
    """
    outcomes: list[IngestOutcome] = []
    for group in read_source_groups(sources, settings, allow_private=allow_private):
        outcomes.extend(_store_group(store, group, collection))
    return outcomes


__all__ = ["IngestOutcome", "IngestStatus", "UpsertStatus", "ingest", "store_raw"]
