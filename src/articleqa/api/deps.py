"""Dependencies: what routes need, reached from the lifespan's Services (override in tests).

All are ``async def``: FastAPI runs plain ``def`` dependencies in a thread, a needless hop
on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from articleqa.api.access import Access, unauthorized
from articleqa.api.batcher import QueryBatcher
from articleqa.api.metrics import Metrics
from articleqa.api.state import FeedbackLog, IndexHolder, Rebuilder, Services
from articleqa.collection import DEFAULT, NAME_PATTERN
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
CollectionQuery = Annotated[
    str | None, Query(max_length=64, pattern=NAME_PATTERN, description="Default: default.")
]
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_access(services: ServicesDep, credentials: CredentialsDep) -> Access:
    """The caller; routes check it against the collection they act on."""
    return Access(services.tokens, credentials)


AccessDep = Annotated[Access, Depends(get_access)]


async def require_write(services: ServicesDep, credentials: CredentialsDep) -> None:
    """Writes to the default collection (routes without a collection of their own)."""
    Access(services.tokens, credentials).check_write(DEFAULT)


async def require_read(services: ServicesDep, credentials: CredentialsDep) -> None:
    """Reads of what belongs to no collection (metrics, feedback): open unless
    ``ARTICLEQA_READ_TOKEN`` is set, then any valid token, scoped ones included."""
    tokens = services.tokens
    if tokens.reads_open:
        return
    if tokens.grant(credentials) is None:
        raise unauthorized(credentials, "requests (ARTICLEQA_READ_TOKEN is set)")


@dataclass(frozen=True, slots=True)
class Reader:
    """The services and the caller of a read."""

    services: Services
    access: Access


async def reader(request: Request, credentials: CredentialsDep) -> Reader:
    """The services and the caller in one dependency, for the hot /ask route: FastAPI's work
    per dependency (about 20 µs each) was a fifth of the event loop's time under load
    (BENCHMARKS.md). The route checks the caller against the collection asked."""
    services: Services = request.app.state.services
    return Reader(services, Access(services.tokens, credentials))


ReadAccess = Depends(require_read)
WriteAccess = Depends(require_write)
ReaderDep = Annotated[Reader, Depends(reader)]
