"""The web pages: ask a question, read a quote in its article, browse and add articles.

Server-rendered (Jinja2, autoescaped: article text, titles and questions are always shown as
text), with one small script of our own for what HTML cannot do (scrolling a quote into view,
following a rebuild). Every asset comes from this app; the Content-Security-Policy allows
nothing else. The pages are not part of the JSON API, so they stay out of the OpenAPI schema.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from articleqa.api.deps import ServicesDep
from articleqa.api.errors import APIError, describe_validation_errors
from articleqa.api.routes.articles import _store_article, read_upload, store_upload
from articleqa.api.schemas import ArticleCreate, ArticleFetch
from articleqa.api.state import RebuildJob, Services
from articleqa.api.web_session import (
    Role,
    can_read,
    check_same_origin,
    csrf_value,
    end_session,
    role_for_token,
    role_of,
    set_csrf_cookie,
    start_session,
)
from articleqa.collection import DEFAULT
from articleqa.config import Settings
from articleqa.conversation import MAX_CONTEXT_QUESTIONS
from articleqa.engine import ArticleQA
from articleqa.errors import ArticleQAError
from articleqa.ingest import COMPRESSED_SUFFIX, SUPPORTED_SUFFIXES
from articleqa.models import Answer, Article, ArticleMeta, Quote
from articleqa.search import MAX_QUESTION_CHARS, SearchFilters

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

DEFAULT_K = 3
MAX_K = 10
MORE_STEP = 3
# The article filter is a <select>: beyond this many articles it would be unusable anyway.
MAX_FILTER_ARTICLES = 500
MAX_LISTED = 200

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # An article's own link must not tell its site which question led there; "no-referrer"
    # would also make Chromium send `Origin: null` on our own form posts.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _safe_link(url: str | None) -> str | None:
    """Only http(s) links are made clickable: a stored ``javascript:`` URL stays text."""
    if url and urllib.parse.urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


_env.filters["safe_link"] = _safe_link


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    services: Services = request.app.state.services
    settings = services.settings
    role = role_of(request, settings)
    csrf, new_csrf = csrf_value(request)
    html = _env.get_template(name).render(
        request=request,
        role=role.value,
        writer=role is Role.WRITER,
        signed_in=role is not Role.ANONYMOUS,
        writes_enabled=settings.api_token is not None,
        csrf=csrf,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    if new_csrf:
        set_csrf_cookie(request, response, csrf)
    return response


def _sign_in_page(request: Request, next_path: str) -> HTMLResponse:
    return render(
        request,
        "signin.html",
        {"title": "Sign in", "next": next_path, "message": "This service needs a token to read."},
        status_code=401,
    )


def _readable(request: Request, settings: Settings) -> bool:
    return can_read(role_of(request, settings), settings)


# ---------------------------------------------------------------------------------------------
# Ask


@dataclass(frozen=True, slots=True)
class QuoteView:
    """A quote cut into the parts around its highlight, and its "show in context" link."""

    quote: Quote
    before: str
    highlight: str
    after: str
    context_url: str


def quote_view(quote: Quote) -> QuoteView:
    text, hl = quote.text, quote.highlight
    params = {"start": quote.start, "end": quote.end}
    if hl is not None and quote.start <= hl.start <= hl.end <= quote.end:
        a, b = hl.start - quote.start, hl.end - quote.start
        before, highlight, after = text[:a], text[a:b], text[b:]
        params |= {"hl_start": hl.start, "hl_end": hl.end}
    else:
        before, highlight, after = text, "", ""
    query = urllib.parse.urlencode(params)
    url = f"/articles/{urllib.parse.quote(quote.article.id, safe='')}/view?{query}"
    return QuoteView(quote, before, highlight, after, url)


def _parse_date(value: str | None, name: str) -> dt.date | None:
    if not value or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise APIError(
            "invalid_input", 422, f"{name}: {value!r} is not a date (YYYY-MM-DD)"
        ) from exc


def _filter_articles(engine: ArticleQA) -> list[ArticleMeta]:
    return engine.articles(0, MAX_FILTER_ARTICLES)


def _engine_or_default(engine: ArticleQA, collection: str) -> ArticleQA:
    """``collection``'s engine; the default one for a malformed name (reported by the ask)."""
    try:
        return engine.for_collection(collection)
    except ArticleQAError:
        return engine


async def _readable_collections(request: Request, services: Services) -> list[str]:
    """The collections this page may offer: all of them to someone signed in, else those no
    scoped token guards."""
    names = await anyio.to_thread.run_sync(services.engine.collections)
    if role_of(request, services.settings) is not Role.ANONYMOUS:
        return names
    return [name for name in names if services.tokens.open_to_read(name)]


@router.get("/", response_class=HTMLResponse)
async def ask_page(
    request: Request,
    services: ServicesDep,
    # No length limit here: the searcher's own (MAX_QUESTION_CHARS) is reported on the page.
    q: str = "",
    k: int = DEFAULT_K,
    since: str = "",
    until: str = "",
    article: str = "",
    # The conversation so far, oldest first: carried by the page's form from one question to
    # the next, so the server keeps no state for it. "New topic" (``new``) drops it.
    context: Annotated[list[str] | None, Query()] = None,
    new: str = "",
    collection: str = "",
) -> Response:
    """The ask page; with ``q``, the answer under the form; ``collection`` picks the
    collection asked (default: ``default``)."""
    if not _readable(request, services.settings):
        return _sign_in_page(request, str(request.url.path))
    chosen_collection = collection.strip() or DEFAULT
    anonymous = role_of(request, services.settings) is Role.ANONYMOUS
    if anonymous and not services.tokens.open_to_read(chosen_collection):
        # A collection a scoped token guards: the page shows it to those signed in only.
        return _sign_in_page(request, str(request.url.path))
    question = q.strip()
    # The page writes these fields itself; a hand-edited address keeps only the latest ones.
    earlier = [] if new else [c.strip() for c in context or [] if c.strip()]
    earlier = [c[:MAX_QUESTION_CHARS] for c in earlier][-MAX_CONTEXT_QUESTIONS:]
    # Clamped rather than refused: a hand-edited address should still show a page.
    k = max(1, min(k, MAX_K))
    answer: Answer | None = None
    error: str | None = None
    status = 200
    more_url: str | None = None
    if question:
        try:
            filters = SearchFilters(
                article_ids=frozenset([article]) if article else None,
                published_since=_parse_date(since, "since"),
                published_until=_parse_date(until, "until"),
            )
            holder = await services.holder_for(chosen_collection)
            searcher = holder.require()
            chosen = None if filters.is_empty() else filters
            if earlier:
                # As in POST /ask: a follow-up embeds its own search text, outside the batches.
                answer = await anyio.to_thread.run_sync(
                    lambda: searcher.ask(question, k, chosen, context=earlier)
                )
            else:
                answer = await services.batcher.ask(searcher, question, k, chosen)
        except ArticleQAError as exc:
            error, status = exc.message, exc.http_status
        if answer is not None and answer.answered and len(answer.quotes) >= k and k < MAX_K:
            params = {"q": question, "k": min(k + MORE_STEP, MAX_K), "since": since}
            params |= {"until": until, "article": article}
            if chosen_collection != DEFAULT:
                params["collection"] = chosen_collection
            more_url = "/?" + urllib.parse.urlencode(
                [*((a, b) for a, b in params.items() if b), *(("context", c) for c in earlier)]
            )
    articles = await anyio.to_thread.run_sync(
        _filter_articles, _engine_or_default(services.engine, chosen_collection)
    )
    return render(
        request,
        "ask.html",
        {
            "title": f"{question} – articleqa" if question else "Ask the articles – articleqa",
            "question": question,
            "max_question": MAX_QUESTION_CHARS,
            "k": k,
            "since": since,
            "until": until,
            "article": article,
            "articles": articles,
            "answer": answer,
            "quotes": [quote_view(quote) for quote in answer.quotes] if answer else [],
            "more_url": more_url,
            "error": error,
            "filters_open": bool(since or until or article),
            # The next question follows up on this one and the ones before it.
            "conversation": [*earlier, question][-MAX_CONTEXT_QUESTIONS:] if question else [],
            "collection": chosen_collection,
            "collections": await _readable_collections(request, services),
        },
        status_code=status,
    )


# ---------------------------------------------------------------------------------------------
# One article, with a quote shown in place


@dataclass(frozen=True, slots=True)
class ArticleMarks:
    """The article text cut at the quote and highlight offsets, for marking them in place."""

    before: str
    quote_before: str
    highlight: str
    quote_after: str
    after: str
    quote: tuple[int, int] | None
    mark: tuple[int, int] | None
    note: str | None = None


def _span(start: int | None, end: int | None, length: int) -> tuple[int, int] | None:
    if start is None and end is None:
        return None
    s = start if start is not None else 0
    e = end if end is not None else length
    if not 0 <= s <= e <= length:
        return None
    return s, e


def article_marks(
    text: str,
    start: int | None = None,
    end: int | None = None,
    hl_start: int | None = None,
    hl_end: int | None = None,
) -> ArticleMarks:
    """Cut ``text`` so that ``text[start:end]`` (the quote) and ``text[hl_start:hl_end]`` (the
    highlight) can be marked; concatenating the parts always gives back ``text`` exactly."""
    note = None
    quote = _span(start, end, len(text))
    mark = _span(hl_start, hl_end, len(text))
    if (start, end) != (None, None) and quote is None:
        note = "The quote's offsets are outside this article; it may have changed since."
    if (hl_start, hl_end) != (None, None) and mark is None:
        note = "The highlight's offsets are outside this article; it may have changed since."
    if quote is None and mark is not None:
        quote = mark
    if quote is None:
        return ArticleMarks(text, "", "", "", "", None, None, note)
    qs, qe = quote
    if mark is not None:
        # A highlight is a sentence of its quote: keep the part inside the quote.
        hs, he = max(mark[0], qs), min(mark[1], qe)
        mark = (hs, he) if hs < he else None
    hs, he = mark if mark is not None else (qe, qe)
    return ArticleMarks(
        before=text[:qs],
        quote_before=text[qs:hs],
        highlight=text[hs:he],
        quote_after=text[he:qe],
        after=text[qe:],
        quote=quote,
        mark=mark,
        note=note,
    )


@router.get("/articles/{article_id}/view", response_class=HTMLResponse)
async def article_page(
    request: Request,
    services: ServicesDep,
    article_id: str,
    start: int | None = None,
    end: int | None = None,
    hl_start: int | None = None,
    hl_end: int | None = None,
) -> Response:
    """The stored article text, with ``text[start:end]`` marked as the quote and
    ``text[hl_start:hl_end]`` as its highlight, scrolled into view."""
    if not _readable(request, services.settings):
        return _sign_in_page(request, str(request.url.path))
    try:
        found: Article = await anyio.to_thread.run_sync(services.engine.get, article_id)
    except ArticleQAError as exc:
        return render(
            request,
            "message.html",
            {"title": "No such article", "message": exc.message},
            status_code=exc.http_status,
        )
    return render(
        request,
        "article.html",
        {
            "title": f"{found.title} – articleqa",
            "article": found,
            "marks": article_marks(found.text, start, end, hl_start, hl_end),
        },
    )


# ---------------------------------------------------------------------------------------------
# The articles page: list, search, add, rebuild


def _matching(engine: ArticleQA, search: str) -> tuple[list[ArticleMeta], int]:
    """Articles whose title contains ``search`` (case-insensitive), newest first, and how many
    match in all. The store has no title index; a page of titles is cheap to scan."""
    needle = search.casefold()
    found: list[ArticleMeta] = []
    total = engine.article_count()
    offset, page = 0, 1000
    while offset < total:
        for meta in engine.articles(offset, page):
            if needle in meta.title.casefold():
                found.append(meta)
        offset += page
    found.reverse()
    return found[:MAX_LISTED], len(found)


async def _library(
    request: Request,
    services: Services,
    search: str = "",
    notice: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    listed, matched = await anyio.to_thread.run_sync(_matching, services.engine, search.strip())
    running = services.rebuilder.running
    return render(
        request,
        "library.html",
        {
            "title": "Articles – articleqa",
            "search": search,
            "articles": listed,
            "matched": matched,
            "notice": notice,
            "error": error,
            "form": form or {},
            "running_job": running.job_id if running else None,
            "index_version": services.holder.version,
            "max_bytes": services.settings.max_article_bytes,
            "suffixes": ",".join((*SUPPORTED_SUFFIXES, COMPRESSED_SUFFIX)),
        },
        status_code=status_code,
    )


@router.get("/library", response_class=HTMLResponse)
async def library_page(
    request: Request,
    services: ServicesDep,
    search: Annotated[str, Query(max_length=200)] = "",
    added: Annotated[str, Query(max_length=100)] = "",
    outcome: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Stored articles (search by title); for a signed-in writer, add one and rebuild."""
    if not _readable(request, services.settings):
        return _sign_in_page(request, "/library")
    notice = None
    if added:
        try:
            article = await anyio.to_thread.run_sync(services.engine.get, added)
            notice = (
                f"“{article.title}”: {outcome or 'stored'}. Rebuild the index to make it "
                "answerable."
            )
        except ArticleQAError:
            notice = None
    return await _library(request, services, search, notice=notice)


def _require_writer(request: Request, settings: Settings, csrf: str | None) -> None:
    check_same_origin(request, csrf)
    if settings.api_token is None:
        raise APIError("writes_disabled", 403, "writes are disabled: no API token is configured")
    if role_of(request, settings) is not Role.WRITER:
        raise APIError("forbidden", 403, "sign in with the API token to add articles or rebuild")


def _refusal(request: Request, exc: APIError) -> HTMLResponse:
    return render(
        request,
        "message.html",
        {"title": "Not allowed", "message": exc.message},
        status_code=exc.http_status,
    )


@router.post("/session", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    services: ServicesDep,
    token: Annotated[str, Form(max_length=4096)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=200)] = "/library",
) -> Response:
    """Exchange a token (sent in the form body, never in a URL) for a session cookie."""
    settings = services.settings
    try:
        check_same_origin(request, csrf)
    except APIError as exc:
        return _refusal(request, exc)
    role = role_for_token(token.strip(), settings)
    if role is Role.ANONYMOUS:
        return render(
            request,
            "signin.html",
            {"title": "Sign in", "next": next, "message": "That token is not valid."},
            status_code=401,
        )
    # Only a path on this site: an open redirect would let a link send people elsewhere.
    # Browsers read a slash then a backslash like "//" (another host): refused too.
    target = next if re.match(r"/(?![/\\])", next) else "/library"
    response = RedirectResponse(target, status_code=303)
    expected = settings.api_token if role is Role.WRITER else settings.read_token
    assert expected is not None
    start_session(request, response, expected)
    return response


@router.post("/session/end", response_class=HTMLResponse)
async def sign_out(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        check_same_origin(request, csrf)
    except APIError as exc:
        return _refusal(request, exc)
    response = RedirectResponse("/", status_code=303)
    end_session(request, response)
    return response


@router.post("/library/add", response_class=HTMLResponse)
async def add_from_page(
    request: Request,
    services: ServicesDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
    title: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "text",
    url: Annotated[str, Form()] = "",
    author: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Add an article from the page: pasted text, an uploaded file, or a URL to fetch."""
    settings = services.settings
    try:
        _require_writer(request, settings, csrf)
    except APIError as exc:
        return _refusal(request, exc)
    form = {
        "title": title,
        "text": text,
        "format": format,
        "url": url,
        "author": author,
        "published": published,
    }
    try:
        date = _parse_date(published, "published")
        overrides: dict[str, Any] = {
            key: value
            for key, value in (("title", title.strip()), ("author", author.strip()))
            if value
        }
        if date is not None:
            overrides["published"] = date
        if file is not None and file.filename:
            data = await read_upload(file, settings)
            stored = await anyio.to_thread.run_sync(
                store_upload, data, file.filename, overrides, services.engine, settings
            )
            article_id, outcome = stored[0].article.id, str(stored[0].status)
        else:
            body: ArticleCreate | ArticleFetch
            if text.strip():
                body = ArticleCreate.model_validate(
                    {
                        "title": title.strip(),
                        "text": text,
                        "format": format,
                        "url": url.strip() or None,
                        "author": author.strip() or None,
                        "published": date,
                    }
                )
            elif url.strip():
                body = ArticleFetch(url=url.strip())
            else:
                raise APIError(
                    "invalid_input", 422, "paste the article's text, choose a file or give a URL"
                )
            result = await anyio.to_thread.run_sync(_store_article, body, services.engine, settings)
            article_id, outcome = result.article.id, str(result.status)
        logger.info("article %s %s from the web page", article_id, outcome)
    except ValidationError as exc:
        _code, message = describe_validation_errors(exc.errors())
        return await _library(request, services, error=message, form=form, status_code=422)
    except ArticleQAError as exc:
        return await _library(
            request, services, error=exc.message, form=form, status_code=exc.http_status
        )
    query = urllib.parse.urlencode({"added": article_id, "outcome": outcome})
    return RedirectResponse(f"/library?{query}", status_code=303)


@router.post("/library/rebuild", response_class=HTMLResponse)
async def rebuild_from_page(
    request: Request, services: ServicesDep, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    try:
        _require_writer(request, services.settings, csrf)
    except APIError as exc:
        return _refusal(request, exc)
    try:
        job = await services.rebuilder.start()
    except ArticleQAError as exc:
        return await _library(request, services, error=exc.message, status_code=exc.http_status)
    logger.info("index rebuild %s started from the web page", job.job_id)
    return RedirectResponse(f"/library/rebuild/{job.job_id}", status_code=303)


def _job_state(job: RebuildJob, services: Services) -> dict[str, Any]:
    report = job.report
    live = job.status == "succeeded" and services.holder.version == job.version
    if job.status == "running":
        message = "Rebuilding the index: reading the articles and embedding new passages…"
    elif live:
        message = (
            f"The new index is live (version {job.version}"
            + (f", {report.articles} articles, {report.passages} passages" if report else "")
            + "). Questions are now answered from it."
        )
    elif job.status == "succeeded":
        message = f"Built version {job.version}; a newer one is being served."
    else:
        message = f"The rebuild failed: {job.error}"
    return {
        "job_id": job.job_id,
        "status": job.status,
        "live": live,
        "version": job.version,
        "message": message,
        "started_at": job.started_at.isoformat(timespec="seconds"),
        "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else None,
    }


@router.get("/library/rebuild/{job_id}", response_class=HTMLResponse)
async def rebuild_page(request: Request, services: ServicesDep, job_id: str) -> Response:
    """A rebuild's progress; the page's script follows it until the new index is live."""
    if not _readable(request, services.settings):
        return _sign_in_page(request, "/library")
    job = services.rebuilder.jobs.get(job_id)
    if job is None:
        return render(
            request,
            "message.html",
            {"title": "No such rebuild", "message": f"No rebuild job {job_id} (kept in memory)."},
            status_code=404,
        )
    return render(
        request,
        "rebuild.html",
        {"title": "Rebuilding – articleqa", "job": _job_state(job, services)},
    )


@router.get("/library/rebuild/{job_id}/state")
async def rebuild_state(request: Request, services: ServicesDep, job_id: str) -> Response:
    """The rebuild page's script polls this (the session cookie, not a bearer header)."""
    if not _readable(request, services.settings):
        return JSONResponse({"error": {"code": "missing_token", "message": "sign in"}}, 401)
    job = services.rebuilder.jobs.get(job_id)
    if job is None:
        return JSONResponse({"error": {"code": "job_not_found", "message": job_id}}, 404)
    return JSONResponse(_job_state(job, services), headers={"Cache-Control": "no-store"})
