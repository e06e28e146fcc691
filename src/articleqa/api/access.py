"""Who may read and write which collection: the configured tokens and one request's caller.

``ARTICLEQA_API_TOKEN`` reads and writes every collection, ``ARTICLEQA_READ_TOKEN`` reads every
collection, and each ``ARTICLEQA_TOKENS`` entry reads (or reads and writes) the collections it
names. A collection named by a scoped token is private: reading it needs a token that reaches
it, even when no read token is set.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from fastapi.security import HTTPAuthorizationCredentials
from pydantic import SecretStr

from articleqa.api.errors import APIError
from articleqa.config import Settings

logger = logging.getLogger(__name__)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True, slots=True)
class Grant:
    """What one bearer token may do: everything (the global tokens) or some collections."""

    read_all: bool = False
    write_all: bool = False
    read: frozenset[str] = frozenset()
    write: frozenset[str] = frozenset()

    def reads(self, collection: str) -> bool:
        return self.read_all or collection in self.read or collection in self.write

    def writes(self, collection: str) -> bool:
        return self.write_all or collection in self.write


class TokenTable:
    """The configured tokens, looked up in constant time each: ``ARTICLEQA_API_TOKEN`` (read
    and write everything), ``ARTICLEQA_READ_TOKEN`` (read everything) and ``ARTICLEQA_TOKENS``
    (read, or read and write, some collections)."""

    def __init__(self, settings: Settings) -> None:
        entries: list[tuple[SecretStr, Grant]] = []
        if settings.api_token is not None:
            entries.append((settings.api_token, Grant(read_all=True, write_all=True)))
        if settings.read_token is not None:
            entries.append((settings.read_token, Grant(read_all=True)))
        scoped = settings.scoped_tokens()
        for token in scoped:
            if token.writes:
                entries.append((token.token, Grant(write=token.collections)))
            else:
                entries.append((token.token, Grant(read=token.collections)))
        self._entries = entries
        self.reads_open = settings.read_token is None
        # A collection a scoped token names is private: reading it needs a token.
        self.private = frozenset(name for token in scoped for name in token.collections)
        self.writes_enabled = settings.api_token is not None or any(t.writes for t in scoped)

    def grant(self, credentials: HTTPAuthorizationCredentials | None) -> Grant | None:
        """What ``credentials`` may do; None without a token or for an unknown one."""
        if credentials is None:
            return None
        found = None
        for secret, grant in self._entries:
            # Every entry compared, in constant time: timing reveals neither which token
            # matched nor how much of a guess was right.
            if _matches(credentials.credentials, secret) and found is None:
                found = grant
        return found

    def open_to_read(self, collection: str) -> bool:
        return self.reads_open and collection not in self.private


class Access:
    """The caller of one request: checks, per collection, that its token may read or write it.
    401 without a (valid) token where one is needed, 403 ``forbidden_collection`` for a valid
    token that does not reach the collection."""

    def __init__(
        self, tokens: TokenTable, credentials: HTTPAuthorizationCredentials | None
    ) -> None:
        self.tokens = tokens
        self.credentials = credentials
        self.grant = tokens.grant(credentials)

    def check_read(self, collection: str) -> None:
        if self.tokens.open_to_read(collection):
            return
        if self.grant is None:
            raise unauthorized(self.credentials, "requests (a read token is configured)")
        if not self.grant.reads(collection):
            raise APIError(
                "forbidden_collection",
                403,
                f"this token may not read collection {collection!r}",
            )

    def check_writer(self) -> Grant:
        """The caller's grant, when writes are enabled and its token may write somewhere."""
        if not self.tokens.writes_enabled:
            raise APIError(
                "writes_disabled",
                403,
                "writes are disabled because no API token is configured: set "
                "ARTICLEQA_API_TOKEN to a long random secret, restart the service, and send "
                "`Authorization: Bearer <token>`",
            )
        grant = self.grant
        if grant is None or (grant.read_all and not grant.write_all):
            # No token, an unknown one, or the global read token: as before collections.
            raise unauthorized(self.credentials, "write requests")
        return grant

    def check_write(self, collection: str) -> None:
        if not self.check_writer().writes(collection):
            raise APIError(
                "forbidden_collection",
                403,
                f"this token may not write to collection {collection!r}",
            )


def _matches(given: str, expected: SecretStr | None) -> bool:
    if expected is None:
        return False
    # Constant time, so response timing does not reveal how much of a guess was right.
    return hmac.compare_digest(given.encode(), expected.get_secret_value().encode())


def unauthorized(credentials: HTTPAuthorizationCredentials | None, what: str) -> APIError:
    if credentials is None:
        return APIError(
            "missing_token",
            401,
            f"{what} need an `Authorization: Bearer <token>` header",
            _CHALLENGE,
        )
    return APIError("invalid_token", 401, "the bearer token is not valid", _CHALLENGE)
