"""One error shape for every failure the API reports: ``{"error": {"code", "message"}}``.

Typed ArticleQAErrors keep their own code and status; FastAPI's validation errors, Starlette's
routing errors and anything unexpected are translated here so no client ever sees another shape.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from articleqa.errors import ArticleQAError

logger = logging.getLogger(__name__)


class APIError(ArticleQAError):
    """An error whose code and status are chosen where it is raised (auth, limits, jobs)."""

    def __init__(
        self, code: str, http_status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.headers = headers or {}


class ErrorBody(BaseModel):
    code: str = Field(
        description="Stable, machine-readable error code.", examples=["invalid_input"]
    )
    message: str = Field(description="A readable sentence saying what went wrong and what to do.")


class ErrorResponse(BaseModel):
    """The shape of every error response."""

    error: ErrorBody


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


_FASTAPI_BODY_PARSE_FAILURE = "There was an error parsing the body"
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "body_timeout",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def describe_validation_errors(errors: Sequence[Any]) -> tuple[str, str]:
    """(code, message) for pydantic/FastAPI validation errors: the first few, readably."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return "malformed_json", "the request body is not valid JSON"
    # First, so a body that is not an object at all is said so for union bodies too.
    errors = _closest_union_member(errors)
    whole_body = [e for e in errors if tuple(e.get("loc", ())) == ("body",)]
    if whole_body:
        missing = whole_body[0].get("type") == "missing"
        return "invalid_input", (
            f"the request body {'is missing' if missing else 'is not a JSON object'}: send a JSON "
            "object with Content-Type: application/json"
        )
    parts = []
    for error in list(errors)[:3]:
        location = ".".join(
            str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")
        )
        message = str(error.get("msg", "invalid value"))
        parts.append(f"{location}: {message}" if location else message)
    more = len(errors) - len(parts)
    suffix = f" (and {more} more)" if more > 0 else ""
    return "invalid_input", "; ".join(parts) + suffix


def _closest_union_member(errors: Sequence[Any]) -> list[Any]:
    """For a body that may be one of several models (``ArticleCreate | ArticleFetch``), keep
    only the errors against the model it came closest to, without the model's name."""
    by_member: dict[str, list[Any]] = {}
    others = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body" and str(loc[1])[:1].isupper():
            by_member.setdefault(str(loc[1]), []).append({**error, "loc": ("body", *loc[2:])})
        else:
            others.append(error)
    if len(by_member) < 2:
        return list(errors)
    return others + min(by_member.values(), key=len)


async def _articleqa_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ArticleQAError)
    if exc.http_status >= 500 and exc.http_status != 503:  # 503: no index yet, said at startup
        logger.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    headers = exc.headers if isinstance(exc, APIError) else None
    return error_response(exc.http_status, exc.code, exc.message, headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    code, message = describe_validation_errors(exc.errors())
    return error_response(422, code, message)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _FASTAPI_BODY_PARSE_FAILURE:
        # FastAPI's answer to a body that is not even text (e.g. invalid UTF-8): malformed JSON.
        return error_response(422, "malformed_json", "the request body is not valid JSON")
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    if exc.status_code == 404 and message == "Not Found":
        message = f"there is no endpoint at {request.url.path}; see /docs"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}; see /docs"
    return error_response(exc.status_code, code, message, dict(exc.headers or {}))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal_error", "the server failed to handle this request")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ArticleQAError, _articleqa_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error shape for ``statuses``."""
    descriptions = {
        400: "The request body could not be parsed (malformed multipart data).",
        401: "Missing or invalid bearer token.",
        403: "Writes are disabled: no ARTICLEQA_API_TOKEN is configured.",
        404: "Unknown article or job.",
        409: "An index rebuild is already running.",
        413: "Request body or article too large.",
        422: "Invalid input (wrong types, out-of-range values, malformed JSON).",
        502: "The article URL could not be fetched.",
        503: "No index has been built yet.",
    }
    return {
        s: {"model": ErrorResponse, "description": descriptions.get(s, "Error.")} for s in statuses
    }
