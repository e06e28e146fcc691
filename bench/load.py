"""A bounded load test of POST /ask against a real ``articleqa serve`` process on loopback.

Builds a temporary home from the repo's articles/ with the chosen embedding backend, starts
the server in a subprocess, warms it up, then keeps ``--concurrency`` clients asking for
``--duration`` seconds. Prints requests, errors, p50/p95/p99 latency, throughput and the
server's resident memory (VmRSS) after a 3 s warm-up at the same concurrency and after the run.

    .venv/bin/python bench/load.py                       # 60 s at concurrency 32, real model
    .venv/bin/python bench/load.py --backend fake --duration 10

The reliability test suite runs a shortened version through ``run_against_new_server``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Who won the regional science fair?",
    "When will the tram extension open?",
    "Why was the lower town flooded?",
    "What did the judges praise?",
    "How much will the extension cost?",
    "What did the mayor ask residents to do?",
    "Where is the national final?",
    "How long did the students take to build the prototype?",
]
_LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


@dataclass
class LoadResult:
    duration_s: float
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + self.errors

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.duration_s if self.duration_s else 0.0


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def rss_bytes(self) -> int:
        return rss_bytes(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def prepare_home(home: Path, backend: str) -> tuple[int, int]:
    """Ingest articles/ and build its index with ``backend``; (articles, passages)."""
    from articleqa.config import Settings
    from articleqa.embedding import load_embedder
    from articleqa.indexer import Indexer
    from articleqa.service import ingest
    from articleqa.store import ArticleStore

    settings = Settings(home=home, embedding_backend=backend, _env_file=None)  # type: ignore[arg-type, call-arg, unused-ignore]
    store = ArticleStore(home)
    ingest([str(REPO / "articles")], store, settings)
    report = Indexer(settings, store, load_embedder(settings)).build()
    return report.articles, report.passages


def start_server(
    home: Path,
    backend: str,
    extra_env: dict[str, str] | None = None,
    verbose: bool = False,
    launcher: list[str] | None = None,
) -> ServerProcess:
    """``articleqa serve`` on an ephemeral loopback port; returns once /health answers 200.

    ``launcher`` replaces ``python -m articleqa`` (tests run the CLI through a wrapper).
    """
    env = {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": backend,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **(extra_env or {}),
    }
    command = [*(launcher or [sys.executable, "-m", "articleqa"]), *(["-v"] if verbose else [])]
    command += ["serve", "--host", "127.0.0.1", "--port", "0"]
    log_path = home.parent / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    base_url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log_path.read_text()}")
        if base_url is None:
            found = _LISTENING.search(log_path.read_text(errors="replace"))
            base_url = f"http://127.0.0.1:{found.group(1)}" if found else None
        if base_url is not None:
            try:
                if httpx.get(f"{base_url}/health", timeout=5).status_code == 200:
                    return ServerProcess(process, base_url, log_path)
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not become healthy:\n{log_path.read_text()}")


async def run_load(base_url: str, duration_s: float, concurrency: int) -> LoadResult:
    """``concurrency`` clients ask in a loop for ``duration_s``; every non-200 is an error."""
    result = LoadResult(duration_s=duration_s, concurrency=concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    started = time.perf_counter()
    stop_at = started + duration_s

    async def client(session: aiohttp.ClientSession, n: int) -> None:
        i = n
        while time.perf_counter() < stop_at:
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            sent = time.perf_counter()
            try:
                async with session.post(f"{base_url}/ask", json={"question": question}) as reply:
                    body = await reply.read()
                    if reply.status != 200:
                        result.errors += 1
                        if len(result.error_samples) < 5:
                            result.error_samples.append(f"{reply.status} {body[:200]!r}")
                        continue
                    result.latencies_ms.append((time.perf_counter() - sent) * 1000)
                    result.versions.add(_version(body))
            except (aiohttp.ClientError, TimeoutError) as exc:
                result.errors += 1
                if len(result.error_samples) < 5:
                    result.error_samples.append(repr(exc))

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(client(session, n) for n in range(concurrency)))
    result.duration_s = time.perf_counter() - started
    return result


def _version(body: bytes) -> str:
    found = re.search(rb'"index_version":"([^"]+)"', body)
    return found.group(1).decode() if found else "?"


@dataclass
class LoadReport:
    result: LoadResult
    rss_before: int
    rss_after: int
    backend: str
    articles: int
    passages: int
    # RSS read every sixth of the run, to tell a plateau (allocator warm-up) from a leak.
    rss_samples: list[int] = field(default_factory=list)


def run_against_new_server(
    workdir: Path, backend: str, duration_s: float, concurrency: int, warmup_s: float = 3.0
) -> LoadReport:
    """Prepare a home in ``workdir``, serve it, warm up, measure RSS, load, measure RSS again.

    The warm-up runs at the same concurrency, so the "before" memory already holds what a
    full batch of questions needs: growth after it is what a leak would show.
    """
    home = workdir / "home"
    articles, passages = prepare_home(home, backend)
    server = start_server(home, backend)
    try:
        warmup = asyncio.run(run_load(server.base_url, warmup_s, concurrency))
        if warmup.errors:
            raise RuntimeError(f"warm-up failed: {warmup.error_samples}")
        rss_before = server.rss_bytes()
        samples: list[int] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(duration_s / 6):
                samples.append(server.rss_bytes())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        result = asyncio.run(run_load(server.base_url, duration_s, concurrency))
        done.set()
        sampler.join()
        rss_after = server.rss_bytes()
    finally:
        server.stop()
    return LoadReport(result, rss_before, rss_after, backend, articles, passages, samples)


def format_report(report: LoadReport) -> str:
    r = report.result
    mib = 1024 * 1024
    rows = [
        ("backend", report.backend),
        ("corpus", f"{report.articles} articles, {report.passages} passages"),
        ("duration", f"{r.duration_s:.1f} s"),
        ("concurrency", str(r.concurrency)),
        ("requests", str(r.requests)),
        ("errors", str(r.errors)),
        ("throughput", f"{r.throughput:.1f} req/s"),
        ("p50", f"{r.percentile(50):.1f} ms"),
        ("p95", f"{r.percentile(95):.1f} ms"),
        ("p99", f"{r.percentile(99):.1f} ms"),
        ("max", f"{max(r.latencies_ms, default=float('nan')):.1f} ms"),
        ("RSS before", f"{report.rss_before / mib:.1f} MiB"),
        ("RSS after", f"{report.rss_after / mib:.1f} MiB"),
        ("RSS growth", f"{(report.rss_after - report.rss_before) / mib:+.1f} MiB"),
        ("RSS during", " → ".join(f"{b / mib:.0f}" for b in report.rss_samples) + " MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'metric':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {name:<{width}} | {value} |" for name, value in rows]
    if r.error_samples:
        lines.append("error samples: " + "; ".join(r.error_samples))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--backend", choices=["torch", "onnx", "fake"], default="torch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="articleqa-load-") as workdir:
        report = run_against_new_server(
            Path(workdir), args.backend, args.duration, args.concurrency
        )
    print(format_report(report))
    print(f"cpu: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} after the run")
    sys.exit(1 if report.result.errors else 0)


if __name__ == "__main__":
    main()
