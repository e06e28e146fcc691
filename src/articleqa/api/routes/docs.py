"""``/docs`` (Swagger UI) and ``/redoc`` served offline.

FastAPI's own docs pages load Swagger UI and ReDoc from a CDN, so they are blank without the
internet. The assets here come from the ``fastapi-offline`` package (MIT; Swagger UI is
Apache-2.0, ReDoc MIT), installed from PyPI with the app and served by it.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

logger = logging.getLogger(__name__)

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_PATH = "/docs-assets"

# The generated pages start Swagger UI with an inline script and ReDoc injects its styles, so
# they need 'unsafe-inline'; still nothing may load from another origin.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)

# ReDoc's sidebar shows its maker's logo from their CDN, unconditionally. An empty image makes
# the component's own onError handler drop it, so the page makes no request elsewhere.
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def _redoc_bundle() -> bytes:
    return (ASSETS / "redoc.standalone.js").read_bytes().replace(_REDOC_LOGO, b"data:,")


@router.get(f"{ASSETS_PATH}/redoc.standalone.js")
async def redoc_bundle() -> Response:
    # Registered before the static mount of ASSETS_PATH, so this route answers first.
    return Response(
        _redoc_bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _with_csp(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = DOCS_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return _with_csp(
        get_swagger_ui_html(
            openapi_url=request.app.openapi_url,
            title=f"{request.app.title} – API docs",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            # Swagger UI would otherwise send the schema to an online validator for its badge.
            swagger_ui_parameters={"validatorUrl": None},
        )
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return _with_csp(
        get_redoc_html(
            openapi_url=request.app.openapi_url,
            title=f"{request.app.title} – API reference",
            redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url="/static/favicon.svg",
            with_google_fonts=False,
        )
    )
