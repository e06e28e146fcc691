"""A shortened, bounded load test against a real ``articleqa serve`` process (bench/load.py).

10 s at concurrency 32 over loopback: every request succeeds, and the server's resident memory
grows by less than a generous bound. p99 and RSS are recorded as test properties (junit XML);
the long run (60 s, real model) is ``.venv/bin/python bench/load.py``, see RELIABILITY.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from bench.load import format_report, run_against_new_server

logger = logging.getLogger(__name__)

DURATION_S = 10.0
CONCURRENCY = 32
# A bound on memory, not on time: a leak of even a few KB per request would cross it.
MAX_RSS_GROWTH_BYTES = 100 * 1024 * 1024


def test_bounded_load_has_no_errors_and_no_memory_growth(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    report = run_against_new_server(tmp_path, "fake", DURATION_S, CONCURRENCY)
    result = report.result
    logger.info("load test:\n%s", format_report(report))
    record_property("requests", result.requests)
    record_property("p99_ms", round(result.percentile(99), 1))
    record_property("rss_before_bytes", report.rss_before)
    record_property("rss_after_bytes", report.rss_after)

    assert result.errors == 0, result.error_samples
    assert result.requests >= CONCURRENCY, "every client got at least one answer"
    assert len(result.versions) == 1
    assert report.rss_after - report.rss_before < MAX_RSS_GROWTH_BYTES
