"""Browser sessions for the web pages: who the visitor is, and CSRF checks on their writes.

A browser cannot send an ``Authorization`` header from a plain form, so a visitor who signs in
with a token gets a cookie instead. The cookie holds an HMAC derived from the token, never the
token itself (a stolen cookie does not reveal the secret used by scripts and the bot), and is
``HttpOnly`` (no script reads it) and ``SameSite=Strict`` (no other site's page sends it).
Changing a token in the settings ends every session made with the old one.

Every form that writes carries a CSRF value that must equal a second ``HttpOnly`` cookie
(double submit); requests whose ``Origin`` or ``Sec-Fetch-Site`` say they came from another
site are refused before that.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import urllib.parse
from enum import StrEnum

from fastapi import Request, Response
from pydantic import SecretStr

from articleqa.api.errors import APIError
from articleqa.config import Settings

SESSION_COOKIE = "articleqa_session"
CSRF_COOKIE = "articleqa_csrf"
_SESSION_CONTEXT = b"articleqa browser session v1"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    READER = "reader"
    WRITER = "writer"


def session_value(token: SecretStr) -> str:
    return hmac.new(token.get_secret_value().encode(), _SESSION_CONTEXT, hashlib.sha256).hexdigest()


def _same(given: str, token: SecretStr | None) -> bool:
    # Constant time, as for bearer tokens: timing must not reveal how much of a guess matched.
    return token is not None and hmac.compare_digest(given.encode(), session_value(token).encode())


def role_of(request: Request, settings: Settings) -> Role:
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return Role.ANONYMOUS
    if _same(value, settings.api_token):
        return Role.WRITER
    if _same(value, settings.read_token):
        return Role.READER
    return Role.ANONYMOUS


def can_read(role: Role, settings: Settings) -> bool:
    return settings.read_token is None or role is not Role.ANONYMOUS


def role_for_token(token: str, settings: Settings) -> Role:
    """The role a signed-in token grants; ANONYMOUS when it matches neither token."""
    for expected, role in ((settings.api_token, Role.WRITER), (settings.read_token, Role.READER)):
        if expected is not None and hmac.compare_digest(
            token.encode(), expected.get_secret_value().encode()
        ):
            return role
    return Role.ANONYMOUS


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, token: SecretStr) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_value(token),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )


def csrf_value(request: Request) -> tuple[str, bool]:
    """The visitor's CSRF value, and whether it is new (then ``set_csrf_cookie`` must send it)."""
    current = request.cookies.get(CSRF_COOKIE)
    if current and len(current) >= 32:
        return current, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, value, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )


def check_same_origin(request: Request, form_csrf: str | None) -> None:
    """Refuse a write that another site's page could have made (CSRF)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise APIError("cross_site_request", 403, "this form can only be sent from this site")
    origin = request.headers.get("origin")
    # The host alone: behind a TLS-terminating proxy the app may see http for an https page.
    if origin is not None and urllib.parse.urlsplit(origin).netloc != request.url.netloc:
        raise APIError("cross_site_request", 403, "this form can only be sent from this site")
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not form_csrf or not hmac.compare_digest(cookie.encode(), form_csrf.encode()):
        raise APIError(
            "csrf_failed", 403, "the form has expired or did not come from this site: reload it"
        )
