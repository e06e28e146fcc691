"""A thin async client of the articleqa HTTP API that raises the bot's typed errors."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from .errors import ApiError, ApiUnavailable, MissingApiToken
from .models import (
    Answer,
    ArticlePage,
    ArticleUpload,
    ArticleWrite,
    IndexChanges,
    IndexInfo,
    RebuildJob,
)
from .places import DEFAULT

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


class ApiClient:
    """One ``httpx.AsyncClient`` for the bot's whole life; every method maps failures to
    :class:`ApiUnavailable` (network, timeout, 5xx without the error shape) or
    :class:`ApiError` (the API's error shape)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout_s: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._token = token
        headers = {"User-Agent": "articleqa-bot"}
        if token:
            # The API token is also accepted for reads, which matters when a read token is set.
            headers["Authorization"] = f"Bearer {token}"
        if transport is None:
            # One retry of a refused connection (never of a request that reached the API) rides
            # over an API restart without failing the user's question.
            transport = httpx.AsyncHTTPTransport(retries=1)
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=headers, timeout=timeout_s, transport=transport
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def can_write(self) -> bool:
        return bool(self._token)

    async def _request(self, method: str, path: str, *, write: bool = False, **kwargs: Any) -> Any:
        if write and not self._token:
            raise MissingApiToken("no API token configured")
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            logger.warning("API %s %s timed out: %s", method, path, exc)
            raise ApiUnavailable(f"{method} {path} timed out") from exc
        except httpx.HTTPError as exc:
            logger.warning("API %s %s failed: %r", method, path, exc)
            raise ApiUnavailable(f"{method} {path} failed: {exc}") from exc
        if response.is_success:
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError as exc:
                raise ApiUnavailable(f"{method} {path} returned non-JSON") from exc
        error = _error_shape(response)
        if error is None:
            logger.warning("API %s %s -> %s without error body", method, path, response.status_code)
            if response.status_code >= 500:
                raise ApiUnavailable(f"{method} {path} -> {response.status_code}")
            raise ApiError(response.status_code, "http_error", response.reason_phrase)
        code, message = error
        logger.info("API %s %s -> %s %s", method, path, response.status_code, code)
        raise ApiError(response.status_code, code, message)

    async def _model(self, model: type[M], method: str, path: str, **kwargs: Any) -> M:
        data = await self._request(method, path, **kwargs)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            logger.error("API %s %s returned an unexpected shape: %s", method, path, exc)
            raise ApiError(
                502, "bad_response", "it answered in a shape I don't understand"
            ) from exc

    async def ask(
        self,
        question: str,
        *,
        k: int = 3,
        since: dt.date | None = None,
        article_ids: list[str] | None = None,
        context: Sequence[str] = (),
        collection: str = DEFAULT,
    ) -> Answer:
        body: dict[str, Any] = {"question": question, "k": k, **_in(collection)}
        if context:
            body["context"] = list(context)
        if since is not None or article_ids:
            body["filters"] = {
                "since": since.isoformat() if since else None,
                "article_ids": article_ids or None,
            }
        return await self._model(Answer, "POST", "/ask", json=body)

    async def list_articles(
        self, *, offset: int = 0, limit: int = 10, collection: str = DEFAULT
    ) -> ArticlePage:
        params = {"offset": offset, "limit": limit, **_in(collection)}
        return await self._model(ArticlePage, "GET", "/articles", params=params)

    async def add_article_url(self, url: str, *, collection: str = DEFAULT) -> ArticleWrite:
        body = {"url": url, **_in(collection)}
        return await self._model(ArticleWrite, "POST", "/articles", json=body, write=True)

    async def add_article_file(
        self, filename: str, data: bytes, *, title: str | None = None, collection: str = DEFAULT
    ) -> list[ArticleWrite]:
        """Upload a file for the API to read as ``articleqa add`` would (its name's suffix says
        how); a JSON file or a feed may hold several articles."""
        form = {"collection": collection, **({"title": title} if title else {})}
        upload = await self._model(
            ArticleUpload,
            "POST",
            "/articles/upload",
            files={"file": (filename, data)},
            data=form,
            write=True,
        )
        return upload.articles

    async def remove_article(self, article_id: str, *, collection: str = DEFAULT) -> None:
        # With the collection: an id of another collection's article is a 404, not a removal.
        await self._request(
            "DELETE",
            f"/articles/{_segment(article_id)}",
            params={"collection": collection},
            write=True,
        )

    async def start_rebuild(self, *, collection: str = DEFAULT) -> RebuildJob:
        return await self._model(
            RebuildJob, "POST", "/index/rebuild", params=_in(collection), write=True
        )

    async def rebuild_status(self, job_id: str) -> RebuildJob:
        return await self._model(RebuildJob, "GET", f"/index/rebuild/{_segment(job_id)}")

    async def index_info(self, *, collection: str = DEFAULT) -> IndexInfo:
        return await self._model(IndexInfo, "GET", "/index", params=_in(collection))

    async def index_changes(self, since: str, *, collection: str = DEFAULT) -> IndexChanges:
        """The articles the served version of ``collection`` holds that ``since`` did not."""
        params = {"since": since, **_in(collection)}
        return await self._model(IndexChanges, "GET", "/index/changes", params=params)

    async def feedback(
        self, *, question: str, passage_ids: list[str], helpful: bool, source: str | None
    ) -> None:
        await self._request(
            "POST",
            "/feedback",
            json={
                "question": question,
                "passage_ids": passage_ids,
                "helpful": helpful,
                "source": source,
            },
        )


def _in(collection: str) -> dict[str, str]:
    """The ``collection`` field or parameter; left out for ``default``, so that an API from
    before collections keeps working with a bot that uses none."""
    return {} if collection == DEFAULT else {"collection": collection}


def _segment(value: str) -> str:
    # A user-typed id must stay one path segment: "../index" must not reach another route.
    return quote(value, safe="")


def _error_shape(response: httpx.Response) -> tuple[str, str] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return error["code"], str(error.get("message") or error["code"])
    detail = body.get("detail")  # FastAPI's default shape, in case a route slips through
    if isinstance(detail, str):
        return "http_error", detail
    return None
