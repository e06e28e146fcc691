"""Dependencies: what routes need, reached from the lifespan's Services (override in tests).

All are ``async def``: FastAPI runs plain ``def`` dependencies in a thread, a needless hop
on every request.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from articleqa.api.batcher import QueryBatcher
from articleqa.api.errors import APIError
from articleqa.api.metrics import Metrics
from articleqa.api.state import FeedbackLog, IndexHolder, Rebuilder, Services
from articleqa.config import Settings
from articleqa.engine import ArticleQA
from articleqa.search import Searcher

_bearer = HTTPBearer(
    auto_error=False, description="ARTICLEQA_API_TOKEN (writes) or ARTICLEQA_READ_TOKEN"
)


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings(services: ServicesDep) -> Settings:
    return services.settings


async def get_engine(services: ServicesDep) -> ArticleQA:
    return services.engine


async def get_holder(services: ServicesDep) -> IndexHolder:
    return services.holder


async def get_searcher(services: ServicesDep) -> Searcher:
    """The searcher of the moment; the request keeps it even if a new snapshot is swapped in."""
    return services.holder.require()


async def get_batcher(services: ServicesDep) -> QueryBatcher:
    return services.batcher


async def get_rebuilder(services: ServicesDep) -> Rebuilder:
    return services.rebuilder


async def get_metrics(services: ServicesDep) -> Metrics:
    return services.metrics


async def get_feedback(services: ServicesDep) -> FeedbackLog:
    return services.feedback


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[ArticleQA, Depends(get_engine)]
HolderDep = Annotated[IndexHolder, Depends(get_holder)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
BatcherDep = Annotated[QueryBatcher, Depends(get_batcher)]
RebuilderDep = Annotated[Rebuilder, Depends(get_rebuilder)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
FeedbackDep = Annotated[FeedbackLog, Depends(get_feedback)]
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def _matches(given: str, expected: SecretStr | None) -> bool:
    if expected is None:
        return False
    # Constant time, so response timing does not reveal how much of a guess was right.
    return hmac.compare_digest(given.encode(), expected.get_secret_value().encode())


def _unauthorized(credentials: HTTPAuthorizationCredentials | None, what: str) -> APIError:
    if credentials is None:
        return APIError(
            "missing_token",
            401,
            f"{what} need an `Authorization: Bearer <token>` header",
            _CHALLENGE,
        )
    return APIError("invalid_token", 401, "the bearer token is not valid", _CHALLENGE)


async def require_write(services: ServicesDep, credentials: CredentialsDep) -> None:
    settings = services.settings
    if settings.api_token is None:
        raise APIError(
            "writes_disabled",
            403,
            "writes are disabled because no API token is configured: set ARTICLEQA_API_TOKEN to "
            "a long random secret, restart the service, and send `Authorization: Bearer <token>`",
        )
    if credentials is None or not _matches(credentials.credentials, settings.api_token):
        raise _unauthorized(credentials, "write requests")


async def require_read(services: ServicesDep, credentials: CredentialsDep) -> None:
    settings = services.settings
    if settings.read_token is None:
        return
    if credentials is not None and (
        _matches(credentials.credentials, settings.read_token)
        or _matches(credentials.credentials, settings.api_token)
    ):
        return
    raise _unauthorized(credentials, "requests (ARTICLEQA_READ_TOKEN is set)")


async def read_services(request: Request, credentials: CredentialsDep) -> Services:
    """The services, once the read token (if any) is checked: ``require_read`` and the
    ``*Dep`` getters in one dependency, for the hot /ask route. FastAPI's work per dependency
    (about 20 µs each) was a fifth of the event loop's time under load (BENCHMARKS.md)."""
    services: Services = request.app.state.services
    await require_read(services, credentials)
    return services


ReadAccess = Depends(require_read)
WriteAccess = Depends(require_write)
ReadServicesDep = Annotated[Services, Depends(read_services)]
