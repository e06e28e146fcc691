"""Latency and throughput of POST /ask against a real server, beside bare query embedding.

Starts ``articleqa serve`` (real model) in a subprocess on a loopback port over a temporary
home holding the repo's articles/ (or a few generated articles when that folder is empty),
or targets a running server with --url. Measures, in the same run, the bare time to embed one
question with the same model, then p50/p95/p99 latency and throughput at each concurrency.

    .venv/bin/python bench/ask_latency.py [--url http://127.0.0.1:8000] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Who won the regional science fair?",
    "When will the tram extension open?",
    "How much does the project cost?",
    "What did the mayor say about the flooding?",
    "Which museum reopened and when?",
    "What did Putin ask Musk about Taiwan?",
    "Who built the river cleaning robot?",
    "Where will the national final take place?",
    "How many people were evacuated?",
    "What happened to the old market hall?",
    "Who pays for the new stops?",
    "What exhibits does the maritime museum show?",
    "Why was the road closed?",
    "What did the council approve on Tuesday?",
    "How long did the repairs take?",
    "What is Starlink used for?",
]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def generated_articles(folder: Path) -> None:
    topics = ["harbour", "library", "bridge", "school", "river", "market"]
    for number, topic in enumerate(topics):
        sentences = [
            f"The {topic} project in district {number} was approved by the council on Monday.",
            f"Work on the {topic} starts next spring and should take {number + 2} years.",
            f"Residents said the {topic} had been neglected for decades.",
            f"The budget for the {topic} is {number * 7 + 5} million euros.",
        ]
        text = f"News about the {topic}\n\n" + " ".join(sentences * 3)
        (folder / f"{topic}.txt").write_text(text)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_home(home: Path) -> tuple[int, int]:
    """Ingest the sample corpus and build its index with the real model; (articles, passages)."""
    from articleqa.config import Settings
    from articleqa.embedding import load_embedder
    from articleqa.indexer import Indexer
    from articleqa.service import ingest
    from articleqa.store import ArticleStore

    corpus = REPO / "articles"
    if not corpus.is_dir() or not any(p.is_file() for p in corpus.rglob("*")):
        corpus = home.parent / "generated-articles"
        corpus.mkdir(exist_ok=True)
        generated_articles(corpus)
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg, unused-ignore]
    store = ArticleStore(home)
    outcomes = ingest([str(corpus)], store, settings)
    failed = [o for o in outcomes if o.failed]
    if failed:
        print(f"warning: {len(failed)} sample files failed to ingest", file=sys.stderr)
    report = Indexer(settings, store, load_embedder(settings)).build()
    return report.articles, report.passages


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    # The backend and ONNX cache come from os.environ (set in main), shared with the baseline.
    env = {**os.environ, "ARTICLEQA_HOME": str(home)}
    command = [sys.executable, "-m", "articleqa", "serve", "--port", str(port), "--no-access-log"]
    log_path = home.parent / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not become healthy")


def bare_embedding_ms(embedder: Any, questions: list[str]) -> list[float]:
    """Time of ``embedder.embed([question])`` per question: what a lone /ask cannot avoid."""
    timings = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed([question])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


@dataclass
class Level:
    latencies: list[float] = field(default_factory=list)
    busy_s: float = 0.0
    bare: list[float] = field(default_factory=list)
    took: list[float] = field(default_factory=list)  # the server's own took_ms per answer
    health: list[float] = field(default_factory=list)  # GET /health round trips

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.busy_s


async def run_slice(
    session: aiohttp.ClientSession, concurrency: int, requests: int, embedder: Any, level: Level
) -> None:
    """``requests`` asks over ``concurrency`` workers. At concurrency 1 a bare embedding is
    timed before each ask, so both see the same machine load (the machine is shared)."""
    order = [QUESTIONS[i % len(QUESTIONS)] for i in range(requests)]
    random.Random(concurrency * 7919 + len(level.latencies)).shuffle(order)

    async def ask(question: str) -> None:
        started = time.perf_counter()
        async with session.post("/ask", json={"question": question, "k": 3}) as response:
            body = await response.read()
            if response.status != 200:
                raise SystemExit(f"/ask answered {response.status}")
        level.latencies.append((time.perf_counter() - started) * 1000)
        level.took.append(json.loads(body)["took_ms"])

    if concurrency == 1:
        for question in order:
            level.bare.extend(bare_embedding_ms(embedder, [question]))
            started = time.perf_counter()
            await ask(question)
            level.busy_s += time.perf_counter() - started
            # The floor under any answer: a round trip through the same client, server and
            # framework that does no work (timed after the ask, outside its busy time).
            started = time.perf_counter()
            async with session.get("/health") as response:
                await response.read()
            level.health.append((time.perf_counter() - started) * 1000)
        return
    queue = list(reversed(order))

    async def worker() -> None:
        while queue:
            await ask(queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    level.busy_s += time.perf_counter() - started


async def run_levels(
    url: str, levels: list[int], requests: int, rounds: int, embedder: Any
) -> dict[int, Level]:
    """Every level in ``rounds`` interleaved slices, so slow spells hit all levels alike."""
    results = {c: Level() for c in levels}
    # Below uvicorn's 5 s keep-alive, so no idle pooled connection is reused after it closed.
    connector = aiohttp.TCPConnector(limit=max(levels), keepalive_timeout=2)
    async with aiohttp.ClientSession(base_url=url, connector=connector) as session:
        for question in QUESTIONS * 2:  # warm the connection and the server
            async with session.post("/ask", json={"question": question}) as response:
                await response.read()
        for _ in range(rounds):
            for concurrency in levels:
                await run_slice(
                    session, concurrency, requests // rounds, embedder, results[concurrency]
                )
    return results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="Target a running server instead of starting one.")
    parser.add_argument("--requests", type=int, default=240, help="Asks per concurrency level.")
    parser.add_argument("--concurrency", default="1,4,16", help="Comma-separated levels.")
    parser.add_argument("--rounds", type=int, default=4, help="Interleaved slices per level.")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="ARTICLEQA_THREADS for the server and the bare embedder (default: the setting).",
    )
    parser.add_argument(
        "--backend",
        choices=["onnx", "torch", "fake"],
        default=None,
        help="ARTICLEQA_EMBEDDING_BACKEND for the server and the bare embedder "
        "(default: the setting). `fake` (the test embedder, no model) measures what the HTTP "
        "stack and the search cost by themselves.",
    )
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    if levels[0] != 1:
        raise SystemExit("the first level must be 1 (the baseline)")

    if args.threads is not None:
        os.environ["ARTICLEQA_THREADS"] = str(args.threads)  # the server inherits it
    if args.backend is not None:
        os.environ["ARTICLEQA_EMBEDDING_BACKEND"] = args.backend
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from articleqa.config import Settings
    from articleqa.embedding import load_embedder

    process: subprocess.Popen[bytes] | None = None
    corpus_note = "the target server's corpus"
    with tempfile.TemporaryDirectory(prefix="articleqa-bench-") as tmp:
        # One ONNX export for the index, the server and the baseline (not one per home).
        os.environ.setdefault("ARTICLEQA_ONNX_DIR", str(Path(tmp) / "onnx"))
        url = args.url
        if url is None:
            home = Path(tmp) / "home"
            articles, passages = prepare_home(home)
            corpus_note = f"{articles} articles, {passages} passages"
            port = free_port()
            process = start_server(home, port)
            url = f"http://127.0.0.1:{port}"
        try:
            embedder = load_embedder(Settings(_env_file=None))  # type: ignore[call-arg, unused-ignore]
            bare_embedding_ms(embedder, QUESTIONS)  # warm-up
            results = asyncio.run(run_levels(url, levels, args.requests, args.rounds, embedder))
        finally:
            if process is not None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()

    bare = results[1].bare
    bare_p50 = statistics.median(bare)
    base = results[1].throughput
    print(f"Machine: nproc {os.cpu_count()}, {cpu_model()}; Python {platform.python_version()}")
    threads = Settings(_env_file=None).compute_threads  # type: ignore[call-arg, unused-ignore]
    print(
        f"Corpus: {corpus_note}; model {embedder.name}; {threads} compute thread(s); "
        f"{args.requests} asks per level"
    )
    print(
        f"Bare query embedding (same model and run, one before each concurrency-1 ask): "
        f"p50 {bare_p50:.2f} ms, p95 {percentile(bare, 95):.2f} ms ({len(bare)} calls)"
    )
    print()
    print(
        "| concurrency | p50 ms | p95 ms | p99 ms | throughput req/s "
        "| p50 / bare embed | throughput / c1 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for concurrency in levels:
        level = results[concurrency]
        p50 = percentile(level.latencies, 50)
        print(
            f"| {concurrency} | {p50:.2f} | {percentile(level.latencies, 95):.2f} "
            f"| {percentile(level.latencies, 99):.2f} | {level.throughput:.1f} "
            f"| {p50 / bare_p50:.2f}x | {level.throughput / base:.2f}x |"
        )
    single = results[1]
    took_p50 = statistics.median(single.took)
    health_p50 = statistics.median(single.health)
    ask_p50 = percentile(single.latencies, 50)
    print()
    print("Where a concurrency-1 ask's time goes (medians, ms):")
    print(f"  in the service (took_ms: embedding the question + searching): {took_p50:.2f}")
    print(f"  GET /health round trip (client, HTTP, framework; no work):   {health_p50:.2f}")
    rest = ask_p50 - took_p50 - health_p50
    print(f"  the rest (body, validation, thread hand-off, JSON, caches): {rest:.2f}")


if __name__ == "__main__":
    main()
