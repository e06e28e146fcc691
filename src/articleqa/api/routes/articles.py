"""The stored articles: list, read, add (given, fetched from a URL or uploaded as a file),
remove."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from pathlib import Path
from typing import Annotated, Any

import anyio
import httpx
from fastapi import APIRouter, Body, File, Form, Query, Response, UploadFile, status

from articleqa.api.deps import AccessDep, CollectionQuery, EngineDep, SettingsDep
from articleqa.api.errors import APIError, error_responses
from articleqa.api.schemas import (
    ArticleCreate,
    ArticleFetch,
    ArticleList,
    ArticlePublic,
    ArticleRemoved,
    ArticleUploadResult,
    ArticleWriteResult,
)
from articleqa.collection import DEFAULT, check_name
from articleqa.config import Settings
from articleqa.engine import ArticleQA
from articleqa.errors import ArticleNotFound, IngestError, SourceTooLarge, UnsupportedFormat
from articleqa.ingest import (
    COMPRESSED_SUFFIX,
    SUPPORTED_SUFFIXES,
    format_suffix,
    is_supported,
    read_file,
)
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
    return _stored(engine, label, raw)


def _stored(engine: ArticleQA, label: str, raw: RawArticle) -> ArticleWriteResult:
    outcome = engine.add_raw(label, raw)
    if outcome.failed or outcome.article_id is None:
        raise _outcome_error(outcome)
    article = engine.get(outcome.article_id)
    return ArticleWriteResult(status=outcome.status, article=article.meta())  # type: ignore[arg-type]


@router.post(
    "/upload",
    response_model=ArticleUploadResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ArticleUploadResult, "description": "Every article was already stored."},
        **error_responses(400, 401, 403, 413, 422),
    },
)
async def upload_article(
    file: Annotated[UploadFile, File(description="The file, named with its suffix")],
    engine: EngineDep,
    settings: SettingsDep,
    access: AccessDep,
    response: Response,
    title: Annotated[str, Form(max_length=500)] = "",
    collection: Annotated[str, Form(max_length=100)] = DEFAULT,
) -> ArticleUploadResult:
    """Store the article(s) of a file read exactly as ``articleqa add`` reads one from disk:
    its name's suffix says how (``.txt``, ``.md``, ``.html``, ``.rst``, ``.org``, ``.eml``,
    ``.json``/``.jsonl`` of articles, manual pages, any of them ``.gz``); text that is not
    UTF-8 is decoded as the CLI decodes it. ``title`` replaces the title read from the file.
    201 when any article was created or updated, 200 when all were already stored."""
    access.check_write(check_name(collection))
    engine = engine.for_collection(collection)
    data = await read_upload(file, settings)
    overrides = {"title": title.strip()} if title.strip() else {}
    stored = await anyio.to_thread.run_sync(
        store_upload, data, file.filename or "", overrides, engine, settings
    )
    if all(result.status == IngestStatus.UNCHANGED for result in stored):
        response.status_code = status.HTTP_200_OK
    return ArticleUploadResult(articles=stored)


async def read_upload(file: UploadFile, settings: Settings) -> bytes:
    """The uploaded file's bytes, refused past ARTICLEQA_MAX_ARTICLE_BYTES without reading on."""
    data = await file.read(settings.max_article_bytes + 1)
    if len(data) > settings.max_article_bytes:
        raise SourceTooLarge(
            f"the file is over the {settings.max_article_bytes:,}-byte limit "
            "(ARTICLEQA_MAX_ARTICLE_BYTES)"
        )
    return data


def store_upload(
    data: bytes, filename: str, overrides: dict[str, Any], engine: ArticleQA, settings: Settings
) -> list[ArticleWriteResult]:
    """Read an uploaded file exactly as ``articleqa add`` reads one from disk and store what it
    holds; ``overrides`` (a title, an author, a date) replace what was read."""
    if not is_supported(filename):
        suffix = Path(filename).suffix.lower()
        raise UnsupportedFormat(
            f"unsupported file type {suffix or '(none)'!r}; use one of "
            + ", ".join(SUPPORTED_SUFFIXES)
        )
    stored: list[ArticleWriteResult] = []
    with tempfile.TemporaryDirectory(prefix="articleqa-upload-") as folder:
        # Named by the suffixes that say how it is read ("notes.md" -> ".md", "scp.1.gz" ->
        # ".man.gz"), not as uploaded: an uploaded name may be longer than a file name can be.
        compressed = Path(filename).suffix.lower() == COMPRESSED_SUFFIX
        path = (
            Path(folder)
            / f"upload{format_suffix(filename)}{COMPRESSED_SUFFIX if compressed else ''}"
        )
        path.write_bytes(data)
        for _label, result in read_file(path, settings):
            if isinstance(result, IngestError):
                raise result
            # The temporary path means nothing later, and the store replaces by source.
            raw = dataclasses.replace(result, source=None, **overrides)
            stored.append(_stored(engine, filename, raw))
    if not stored:
        raise IngestError("the file holds no article")
    return stored


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
