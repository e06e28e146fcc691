"""The stored articles: list, read, add (given or fetched from a URL), remove."""

from __future__ import annotations

import logging
from typing import Annotated

import anyio
import httpx
from fastapi import APIRouter, Body, Query, Response, status

from articleqa.api.deps import AccessDep, CollectionQuery, EngineDep, SettingsDep
from articleqa.api.errors import APIError, error_responses
from articleqa.api.schemas import (
    ArticleCreate,
    ArticleFetch,
    ArticleList,
    ArticlePublic,
    ArticleRemoved,
    ArticleWriteResult,
)
from articleqa.collection import check_name
from articleqa.config import Settings
from articleqa.engine import ArticleQA
from articleqa.errors import ArticleNotFound, IngestError, SourceTooLarge
from articleqa.ingest.html import read_html
from articleqa.ingest.markdown import read_markdown
from articleqa.ingest.url import fetch_url
from articleqa.models import Article, RawArticle
from articleqa.service import IngestOutcome, IngestStatus

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/articles", tags=["articles"])


@router.get("", response_model=ArticleList, responses=error_responses(401, 403, 422))
async def list_articles(
    engine: EngineDep,
    access: AccessDep,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    collection: CollectionQuery = None,
) -> ArticleList:
    """One collection's stored articles' metadata (default: ``default``'s), oldest first, a
    page at a time."""
    access.check_read(check_name(collection))
    engine = engine.for_collection(collection)

    def page() -> ArticleList:
        return ArticleList(
            items=engine.articles(offset, limit),
            total=engine.article_count(),
            offset=offset,
            limit=limit,
        )

    return await anyio.to_thread.run_sync(page)


@router.get("/{article_id}", response_model=ArticlePublic, responses=error_responses(401, 403, 404))
async def get_article(article_id: str, engine: EngineDep, access: AccessDep) -> Article:
    """One article: its metadata and the stored (cleaned) text quotes are cut from."""
    article = await anyio.to_thread.run_sync(engine.get, article_id)
    access.check_read(article.collection)
    return article


@router.post(
    "",
    response_model=ArticleWriteResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ArticleWriteResult, "description": "Identical content was already stored."},
        **error_responses(401, 403, 413, 422, 502),
    },
)
async def add_article(
    body: Annotated[ArticleCreate | ArticleFetch, Body()],
    engine: EngineDep,
    settings: SettingsDep,
    access: AccessDep,
    response: Response,
) -> ArticleWriteResult:
    """Store an article given in full, or fetched from ``url`` (public addresses only, unless
    ARTICLEQA_ALLOW_PRIVATE_URLS), in ``collection`` (default: ``default``; a new name makes a
    new collection). 201 when created or updated, 200 when unchanged. Rebuild the collection's
    index (POST /index/rebuild?collection=...) to make it answerable."""
    access.check_write(check_name(body.collection))
    engine = engine.for_collection(body.collection)
    result = await anyio.to_thread.run_sync(_store_article, body, engine, settings)
    if result.status == IngestStatus.UNCHANGED:
        response.status_code = status.HTTP_200_OK
    return result


def _store_article(
    body: ArticleCreate | ArticleFetch, engine: ArticleQA, settings: Settings
) -> ArticleWriteResult:
    if isinstance(body, ArticleCreate):
        size = len(body.text.encode())
        if size > settings.max_article_bytes:
            raise SourceTooLarge(
                f"the article text is {size:,} bytes, over the {settings.max_article_bytes:,}-byte "
                "limit (ARTICLEQA_MAX_ARTICLE_BYTES)"
            )
        raw = _read_body(body)
        label = body.url or "request body"
    else:
        try:
            raw = fetch_url(
                body.url,
                allow_private=settings.allow_private_urls,
                timeout_s=settings.url_timeout_s,
                max_bytes=settings.url_max_bytes,
                max_redirects=settings.url_max_redirects,
            )
        except (ValueError, httpx.InvalidURL) as exc:
            # fetch_url lets a few malformed-URL errors through untyped (e.g. an IDNA label
            # over 63 characters raises UnicodeError from getaddrinfo): still the client's fault.
            raise IngestError(f"invalid URL {body.url!r}: {exc}") from exc
        label = body.url
    outcome = engine.add_raw(label, raw)
    if outcome.failed or outcome.article_id is None:
        raise _outcome_error(outcome)
    article = engine.get(outcome.article_id)
    return ArticleWriteResult(status=outcome.status, article=article.meta())  # type: ignore[arg-type]


def _read_body(body: ArticleCreate) -> RawArticle:
    """The article as ``articleqa add`` would read a file of ``body.format``; given fields win."""
    read: RawArticle | None = None
    if body.format == "markdown":
        read = read_markdown(body.text, source=None)
    elif body.format == "html":
        try:
            read = read_html(body.text, source=None, url=body.url)
        except IngestError:
            raise
        except Exception as exc:  # trafilatura on arbitrary input: any failure is unreadable HTML
            logger.warning("HTML extraction failed: %s", exc)
            raise IngestError("the HTML could not be read as an article") from exc
    # No ``source``: the store replaces an article by source, and API articles share none.
    return RawArticle(
        title=body.title,
        text=read.text if read else body.text,
        url=body.url or (read.url if read else None),
        author=body.author or (read.author if read else None),
        published=body.published or (read.published if read else None),
    )


def _outcome_error(outcome: IngestOutcome) -> APIError:
    return APIError(
        outcome.error_code or "ingest_failed", 422, outcome.error or "cannot store article"
    )


@router.delete(
    "/{article_id}", response_model=ArticleRemoved, responses=error_responses(401, 403, 404)
)
async def remove_article(
    article_id: str, engine: EngineDep, access: AccessDep, collection: CollectionQuery = None
) -> ArticleRemoved:
    """Remove an article from the store; rebuild its collection's index to drop it from
    answers. With ``collection``, an article of another collection is a 404."""
    # Checked before looking: without write access, nobody learns which ids exist.
    if collection is None:
        access.check_writer()
    else:
        access.check_write(collection)
    article = await anyio.to_thread.run_sync(engine.get, article_id)
    if collection is not None and article.collection != collection:
        raise ArticleNotFound(f"no article with id {article_id!r} in collection {collection!r}")
    access.check_write(article.collection)
    await anyio.to_thread.run_sync(engine.remove, article_id)
    return ArticleRemoved(id=article_id)
