"""The FastAPI application factory. Heavy things (model, snapshot) load once, in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from articleqa import __version__
from articleqa.api.errors import error_responses, install_error_handlers
from articleqa.api.metrics import Metrics
from articleqa.api.middleware import BodySizeLimit, RequestMetrics
from articleqa.api.routes import articles, ask, docs, feedback, health, index, pages
from articleqa.api.state import Services
from articleqa.config import Settings, get_settings
from articleqa.embedding import Embedder

logger = logging.getLogger(__name__)

DESCRIPTION = """
Answers questions about a collection of articles by quoting them verbatim.

* Every error has the shape `{"error": {"code": "...", "message": "..."}}`.
* Write endpoints need `Authorization: Bearer <ARTICLEQA_API_TOKEN>`; reads are open unless
  `ARTICLEQA_READ_TOKEN` is set.
* New snapshots (from `POST /index/rebuild` or `articleqa index` elsewhere) are served without
  a restart.
"""


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    """Build the app. ``embedder`` lets a caller share an already loaded model (tests, bench)."""
    settings = settings or get_settings()
    settings.check_secrets()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await Services.start(settings, metrics, embedder)
        app.state.services = services
        try:
            yield
        finally:
            await services.stop()

    app = FastAPI(
        title="articleqa",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by routes.docs from packaged assets: FastAPI's own pages need a CDN.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    # Added last = outermost: requests refused for size are still counted in the metrics.
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_s
    )
    app.add_middleware(RequestMetrics, metrics=metrics)
    for module in (pages, docs, ask, articles, index, feedback, health):
        _document_body_limit(module.router)
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    app.mount(docs.ASSETS_PATH, StaticFiles(directory=docs.ASSETS), name="docs-assets")
    return app


def _document_body_limit(router: APIRouter) -> None:
    """Every operation that takes a body documents the 413 that ``BodySizeLimit`` answers for
    all of them (schemathesis found /ask answering an undocumented 413)."""
    too_large = error_responses(413)[413]
    for route in router.routes:
        if isinstance(route, APIRoute) and route.body_field is not None:
            route.responses.setdefault(413, too_large)
