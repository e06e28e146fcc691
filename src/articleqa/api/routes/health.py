"""Liveness with meaning (200 only when an index is served) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response

from articleqa.api.deps import HolderDep, MetricsDep, ReadAccess
from articleqa.api.errors import error_responses
from articleqa.api.schemas import HealthStatus

router = APIRouter(tags=["operations"])

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/health", response_model=HealthStatus, responses=error_responses(503))
async def health(holder: HolderDep) -> HealthStatus:
    """200 when a snapshot is loaded and served; 503 (with what to do) before the first index.
    Open even when ARTICLEQA_READ_TOKEN is set, for container health checks."""
    searcher = holder.require()
    return HealthStatus(version=searcher.snapshot.version, fallback_reason=holder.fallback_reason)


@router.get(
    "/metrics",
    dependencies=[ReadAccess],
    response_class=Response,
    responses={
        200: {"content": {PROMETHEUS_CONTENT_TYPE: {}}, "description": "Prometheus text."},
        **error_responses(401),
    },
)
async def metrics(registry: MetricsDep) -> Response:
    """Prometheus metrics: requests and latency by route template and status, index size,
    micro-batch sizes, swaps, rebuild durations and failures."""
    return Response(registry.render(), media_type=PROMETHEUS_CONTENT_TYPE)
