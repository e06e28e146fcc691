"""Prometheus metrics, one registry per app so several apps can live in one process (tests)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_LATENCY_BUCKETS = (
    0.002,
    0.005,
    0.01,
    0.02,
    0.035,
    0.05,
    0.075,
    0.1,
    0.2,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)
_REBUILD_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "articleqa_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "articleqa_http_request_duration_seconds",
            "HTTP request latency by method, route template and status.",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.index_passages = Gauge(
            "articleqa_index_passages", "Passages in the snapshot being served.", registry=r
        )
        self.index_articles = Gauge(
            "articleqa_index_articles", "Articles in the snapshot being served.", registry=r
        )
        self.index_loaded = Gauge(
            "articleqa_index_loaded", "1 when a snapshot is loaded and served, else 0.", registry=r
        )
        self.index_swaps = Counter(
            "articleqa_index_swaps", "Snapshots swapped in without a restart.", registry=r
        )
        self.index_load_failures = Counter(
            "articleqa_index_load_failures",
            "Published snapshots that could not be loaded.",
            registry=r,
        )
        self.rebuild_duration = Histogram(
            "articleqa_rebuild_duration_seconds",
            "Duration of index rebuilds started through the API.",
            buckets=_REBUILD_BUCKETS,
            registry=r,
        )
        self.rebuild_failures = Counter(
            "articleqa_rebuild_failures",
            "Index rebuilds started through the API that failed.",
            registry=r,
        )
        self.embed_batch_size = Histogram(
            "articleqa_query_batch_size",
            "Questions embedded together by the micro-batcher.",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def set_index(self, articles: int, passages: int) -> None:
        self.index_articles.set(articles)
        self.index_passages.set(passages)
        self.index_loaded.set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)
