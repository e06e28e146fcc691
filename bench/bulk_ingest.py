"""Bulk ingestion: many small articles in one .json file, per-article transactions against the
batched path `articleqa add` takes (issue 15, item 10).

"before" stores each record in its own write transaction, as `articleqa add` did until issue 15
(`service.store_raw`, still the API's one-article path); "after" is `service.ingest`, which
writes a file's records ``BATCH_SIZE`` per transaction. Both read and prepare every record the
same way, into a fresh temporary home each, in the same run. Prints medians over ``--repeats``.

The per-article path costs a connection, a commit and a WAL checkpoint per article (minutes for
100,000 on a shared disk), so by default it runs on the first ``--before-articles`` (5,000) of
the same generated articles and its rate is compared; ``--before-articles 0`` runs it on all.

    .venv/bin/python bench/bulk_ingest.py                    # 100,000 articles, once each
    .venv/bin/python bench/bulk_ingest.py --articles 20000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import machine, median, note, table

from articleqa.config import Settings
from articleqa.ingest import read_file
from articleqa.service import BATCH_SIZE, ingest, store_raw
from articleqa.store import ArticleStore

WORDS = [
    "harbour",
    "council",
    "ferry",
    "timetable",
    "winter",
    "quay",
    "lantern",
    "tram",
    "library",
    "budget",
    "school",
    "river",
    "storm",
    "museum",
    "market",
    "station",
    "volunteers",
    "approved",
    "repaved",
    "opened",
    "closed",
    "measured",
    "counted",
]


def write_articles(path: Path, count: int, seed: int = 0) -> int:
    """``count`` small articles (a title, two sentences, about 300 bytes) as one JSON list."""
    rng = random.Random(seed)
    records = []
    for number in range(count):
        sentences = [
            " ".join(rng.choices(WORDS, k=rng.randint(12, 20))).capitalize() + f" ({number})."
            for _ in range(2)
        ]
        records.append({"title": f"Report {number}", "text": " ".join(sentences)})
    path.write_text(json.dumps(records))
    return path.stat().st_size


def before(path: Path, settings: Settings) -> int:
    store = ArticleStore(settings.home)
    stored = 0
    for label, result in read_file(path, settings):
        if not isinstance(result, Exception) and not store_raw(store, label, result).failed:
            stored += 1
    return stored


def after(path: Path, settings: Settings) -> int:
    return sum(not o.failed for o in ingest([str(path)], ArticleStore(settings.home), settings))


def timed(run: Callable[[Path, Settings], int], path: Path, expected: int) -> float:
    with tempfile.TemporaryDirectory(prefix="aqa-bulk-") as home:
        settings = Settings(  # type: ignore[call-arg]
            home=Path(home),
            embedding_backend="fake",
            # One file holds them all: the per-file limit (5 MB by default) must admit it.
            max_article_bytes=path.stat().st_size + 1,
            _env_file=None,
        )
        started = time.perf_counter()
        stored = run(path, settings)
        seconds = time.perf_counter() - started
    if stored != expected:
        raise SystemExit(f"{run.__name__}: stored {stored} of {expected} articles")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--before-articles", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    counts = {
        "before": min(args.before_articles or args.articles, args.articles),
        "after": args.articles,
    }
    with tempfile.TemporaryDirectory(prefix="aqa-bulk-src-") as folder:
        paths = {}
        for name, count in counts.items():
            paths[name] = Path(folder) / f"{name}.json"
            size = write_articles(paths[name], count)  # the same seed: a prefix for "before"
            note(f"{name}: {count:,} articles, {size / 2**20:.1f} MiB of JSON")
        results: dict[str, list[float]] = {"before": [], "after": []}
        for repeat in range(args.repeats):
            for name, run in (("before", before), ("after", after)):
                seconds = timed(run, paths[name], counts[name])
                results[name].append(seconds)
                note(f"repeat {repeat + 1}: {name} {seconds:.1f}s")
    rates = {name: counts[name] / median(results[name]) for name in results}
    rows = []
    for name, label in (
        ("before", "one transaction per article (before issue 15)"),
        ("after", f"batched, {BATCH_SIZE} per transaction (`articleqa add`)"),
    ):
        rows.append(
            [
                label,
                f"{counts[name]:,}",
                f"{median(results[name]):.1f}",
                f"{rates[name]:,.0f}",
                f"{rates[name] / rates['before']:.1f}x",
            ]
        )
    print(machine())
    print(f"small articles (~300 bytes) in one .json; median of {args.repeats} run(s)\n")
    print(table(["path", "articles", "seconds", "articles/s", "vs before"], rows))


if __name__ == "__main__":
    sys.exit(main())
