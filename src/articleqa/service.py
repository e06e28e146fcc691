"""Library-level operations shared by the CLI, the HTTP API and the watcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from articleqa.config import Settings
from articleqa.errors import IngestError
from articleqa.ingest import read_sources
from articleqa.ingest.prepare import prepare_article
from articleqa.models import RawArticle
from articleqa.store import ArticleStore, UpsertStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    """What happened to one source (or one record of a JSON file)."""

    source: str
    status: str  # created | updated | unchanged | failed
    article_id: str | None = None
    title: str | None = None
    error: str | None = None
    error_code: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def store_raw(store: ArticleStore, label: str, raw: RawArticle) -> IngestOutcome:
    try:
        article = prepare_article(raw)
        status, replaced = store.upsert(article)
    except IngestError as exc:
        return IngestOutcome(label, "failed", error=exc.message, error_code=exc.code)
    if replaced:
        logger.info("%s replaced article %s", article.id, replaced)
    return IngestOutcome(label, str(status), article.id, article.title)


def ingest(
    sources: list[str], store: ArticleStore, settings: Settings, allow_private: bool = False
) -> list[IngestOutcome]:
    """Read and store every source; a bad source is reported and the others go on."""
    outcomes: list[IngestOutcome] = []
    for label, result in read_sources(sources, settings, allow_private=allow_private):
        if isinstance(result, IngestError):
            outcomes.append(
                IngestOutcome(label, "failed", error=result.message, error_code=result.code)
            )
        else:
            outcomes.append(store_raw(store, label, result))
    return outcomes


__all__ = ["IngestOutcome", "UpsertStatus", "ingest", "store_raw"]
