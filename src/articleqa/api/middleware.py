"""Pure ASGI middleware (cheaper per request than BaseHTTPMiddleware): body limits, metrics."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from articleqa.api.errors import error_response
from articleqa.api.metrics import Metrics

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _too_large_message(limit: int) -> str:
    return f"the request body is over the {limit:,}-byte limit (ARTICLEQA_MAX_BODY_BYTES)"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large_message(limit))


class BodyTimeout(HTTPException):
    def __init__(self, timeout_s: float) -> None:
        super().__init__(
            408,
            f"the request body did not arrive within {timeout_s:g} s (ARTICLEQA_BODY_TIMEOUT_S)",
            headers={"Connection": "close"},
        )


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413, by declared length or by counting chunks,
    and bodies that have not all arrived ``timeout_s`` after the request began with 408: a
    client that promises a body and sends it slowly, or never, must not hold a connection
    and a request task forever."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float = 60.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = error_response(413, "body_too_large", _too_large_message(self.max_bytes))
            await response(scope, receive, send)
            return
        received = 0
        deadline = asyncio.get_running_loop().time() + self.timeout_s
        body_done = False

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if body_done:  # only the disconnect is left to wait for, however long it takes
                return await receive()
            try:
                # A timer, not a task per call as wait_for would make: this is on every POST.
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                # FastAPI re-raises HTTPExceptions met while reading the body.
                raise BodyTimeout(self.timeout_s) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
                body_done = not message.get("more_body", False)
            return message

        await self.app(scope, limited_receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestMetrics:
    """Count requests and time them by route template (not raw path: ids would explode labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or _plain_route(scope) or "unmatched"
            self.metrics.observe_request(
                scope["method"], template, status, time.perf_counter() - started
            )


def _plain_route(scope: Scope) -> str | None:
    """The template of a plain Starlette route (/docs, /openapi.json...), which unlike
    FastAPI's own routes does not leave itself in the scope; looked up only for those."""
    app: Any = scope.get("app")
    for route in getattr(app, "routes", ()):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            path: str | None = getattr(route, "path", None)
            return path
    return None


# Query parameters whose values are secrets whatever the endpoint (someone will try
# `?token=` or `?access_token=` even though the API reads only the Authorization header).
_SECRET_PARAM = re.compile(
    r"([?&][^=&\s]*(?:token|key|secret|password|auth)[^=&\s]*=)[^&\s\"]*", re.IGNORECASE
)


class RedactSecrets(logging.Filter):
    """Removes secrets from uvicorn's access log lines: values of secret-looking query
    parameters, and the configured tokens wherever they appear in the request line."""

    def __init__(self, tokens: list[str]) -> None:
        super().__init__()
        self.tokens = [t for t in tokens if t]

    def redact(self, text: str) -> str:
        text = _SECRET_PARAM.sub(r"\1[redacted]", text)
        for token in self.tokens:
            text = text.replace(token, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        return True


def redact_access_log(tokens: list[str]) -> None:
    """Install :class:`RedactSecrets` on uvicorn's access logger (once per process)."""
    access = logging.getLogger("uvicorn.access")
    for existing in [f for f in access.filters if isinstance(f, RedactSecrets)]:
        access.removeFilter(existing)
    access.addFilter(RedactSecrets(tokens))
