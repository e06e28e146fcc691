"""The cost of a question as the corpus grows: latency, throughput, memory, build, recall.

For each size, synthetic articles are composed from real sentences (articles/ and the SQuAD
dev sample, bench/common.py), stored once, then indexed and served by each code tree given
(the working tree, and ``--baseline SRC`` for an older ``src/`` in the same run). The test
embedder (``fake``) is used, so what is measured is the product's own search path. Per size
and tree: p50/p95 of POST /ask at concurrency 1 (``--questions`` SQuAD questions, asked once and
then again, when the per-passage caches hold their passages), throughput
at concurrency 8, the server's RSS after the load, index build time and peak RSS, the
snapshot's size on disk, the vector index kind and its recall@10 against exact search (the
questions and a sample of the corpus's own passage vectors as queries).

    .venv/bin/python bench/scale.py --sizes 1000,10000 --baseline /tmp/old/src
    .venv/bin/python bench/scale.py --sizes 1000,10000,50000,200000 --c8-seconds 15

A home built already (the 1 M corpus takes about an hour to build) is measured as it is with
``--home NAME=PATH`` (repeatable; ``--sizes ''`` for none composed): each tree serves that home
without building it (so both must read its snapshot format), and the recall columns give the
manifest's figure only (exact search over a million vectors is not run).

    .venv/bin/python bench/scale.py --sizes '' --home 1m=/tmp/1m/home --baseline /tmp/old/src
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import numpy as np
from common import DEV_SAMPLE, REPO, machine, note, sentence_pool, table
from load import start_server

PARAGRAPHS_PER_ARTICLE = 8
PARAGRAPH_WORDS = (70, 110)


@dataclass
class Row:
    tree: str
    passages: int
    kind: str
    p50: float
    p95: float
    warm_p50: float
    warm_p95: float
    c8: float
    c8_cores: float  # the server's CPU seconds per second of the c8 run: cores it kept busy
    load: float  # the machine's load average when the row was measured
    rss_mb: float
    build_s: float
    build_peak_mb: float
    snapshot_mb: float
    recall: str
    manifest_recall: str


def write_corpus(path: Path, passages: int, seed: int = 0) -> None:
    """About ``passages`` passages as articles of a few paragraphs of whole real sentences."""
    sentences, _ = sentence_pool()
    rng = random.Random(seed)
    articles = max(1, round(passages / PARAGRAPHS_PER_ARTICLE))
    with open(path, "w", encoding="utf-8") as out:
        for number in range(articles):
            paragraphs = []
            for _ in range(PARAGRAPHS_PER_ARTICLE):
                target = rng.randint(*PARAGRAPH_WORDS)
                picked: list[str] = []
                while sum(len(s.split()) for s in picked) < target:
                    picked.append(rng.choice(sentences))
                paragraphs.append(" ".join(picked))
            title = f"Report {number}: " + " ".join(paragraphs[0].split()[:5])
            record = {"title": title, "text": "\n\n".join(paragraphs)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def questions(count: int) -> list[str]:
    data = json.loads(DEV_SAMPLE.read_text())
    found = [qa["question"] for a in data["data"] for p in a["paragraphs"] for qa in p["qas"]]
    return found[:count]


def environment(src: Path, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(src),
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "HF_HUB_OFFLINE": "1",
    }


def build(src: Path, home: Path) -> tuple[float, float]:
    """Index ``home`` with the code in ``src``; (seconds, peak RSS MB of the build process)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "articleqa", "index", "--quiet"],
        env=environment(src, home),
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"index build failed with {process.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


async def load(
    base_url: str, asked: list[str], concurrency: int, seconds: float | None = None
) -> tuple[list[float], float]:
    """``concurrency`` clients ask in turn (each question once, or for ``seconds``); the
    latencies in ms and the questions answered per second."""
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds if seconds is not None else None
    queue = iter(range(len(asked) if stop_at is None else 1 << 62))

    async def client(session: aiohttp.ClientSession) -> None:
        for i in queue:
            if stop_at is not None and time.perf_counter() >= stop_at:
                return
            sent = time.perf_counter()
            question = asked[i % len(asked)]
            async with session.post(f"{base_url}/ask", json={"question": question}) as reply:
                await reply.read()
                if reply.status != 200:
                    raise RuntimeError(f"/ask answered {reply.status}")
            latencies.append((time.perf_counter() - sent) * 1000)

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
    return latencies, len(latencies) / (time.perf_counter() - started)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def recall_at_10(snapshot: Path, asked: list[str], sample: int = 500) -> tuple[int, str, str]:
    """(passages, index kind, recall@10 against exact) of a built snapshot.

    Exact neighbours come from the passages' own test-embedder vectors; the queries are the
    questions and ``sample`` passage vectors.
    """
    import faiss

    from articleqa.embedding import FakeEmbedder
    from articleqa.records import Records, load_columns
    from articleqa.vector_index import search
    from articleqa.vector_snapshot import read_vectors

    manifest = json.loads((snapshot / "manifest.json").read_text())
    kind = str(manifest.get("index_type", "?"))
    texts = []
    if (snapshot / "passages.jsonl").is_file():  # a tree from before the columns
        with open(snapshot / "passages.jsonl", encoding="utf-8") as handle:
            for line in handle:
                raw = json.loads(line)
                texts.append(f"{raw['context']}\n{raw['text']}" if raw["context"] else raw["text"])
    else:
        for passage in Records.of(load_columns(snapshot)).passages:
            texts.append(f"{passage.context}\n{passage.text}" if passage.context else passage.text)
    if kind == "flat":
        return len(texts), kind, "1.000 (exact)"
    embedder = FakeEmbedder()
    vectors = np.vstack(
        [embedder.embed(texts[i : i + 4096]) for i in range(0, len(texts), 4096)]
    ).astype(np.float32)
    rows = np.random.default_rng(1).choice(len(vectors), min(sample, len(vectors)), replace=False)
    queries = np.vstack([embedder.embed(asked), vectors[rows]]).astype(np.float32)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    # Searched as the server searches it (a re-ranked IVF reads its codes and the cache).
    index = read_vectors(snapshot, snapshot.parent.parent, manifest)
    found = [search(index, query, 10)[1].tolist() for query in queries]
    hits = sum(len(set(t) & set(f)) for t, f in zip(truth.tolist(), found, strict=True))
    return len(texts), kind, f"{hits / truth.size:.3f}"


def measure(
    tree: str, src: Path, home: Path, asked: list[str], c8_seconds: float, built: bool = False
) -> Row:
    """One row: ``home`` built by ``src`` (unless ``built``: served as it is), then served."""
    build_s, peak_mb = (float("nan"), float("nan")) if built else build(src, home)
    version = (home / "CURRENT").read_text().strip()
    snapshot = home / "snapshots" / version
    manifest = json.loads((snapshot / "manifest.json").read_text())
    if built:
        counts = manifest.get("counts", {})
        passages, kind, recall = int(counts["passages"]), str(manifest.get("index_type")), "–"
    else:
        passages, kind, recall = recall_at_10(snapshot, asked)
    server = start_server(home, "fake", extra_env=environment(src, home))
    try:
        asyncio.run(load(server.base_url, asked[:20], 1))  # warm-up
        latencies, _ = asyncio.run(load(server.base_url, asked, 1))
        # Asked again: the per-passage caches (sentences, words) now hold these passages.
        warm, _ = asyncio.run(load(server.base_url, asked, 1))
        cpu_before, started = cpu_seconds(server.process.pid), time.perf_counter()
        _, qps = asyncio.run(load(server.base_url, asked, 8, c8_seconds))
        cores = (cpu_seconds(server.process.pid) - cpu_before) / (time.perf_counter() - started)
        rss = server.rss_bytes() / 2**20
    finally:
        server.stop()
    checked = manifest.get("vector_index", {}).get("recall_at_10")
    return Row(
        tree,
        passages,
        kind,
        percentile(latencies, 50),
        percentile(latencies, 95),
        percentile(warm, 50),
        percentile(warm, 95),
        qps,
        cores,
        os.getloadavg()[0],
        rss,
        build_s,
        peak_mb,
        folder_mb(snapshot),
        recall,
        "–" if checked is None else f"{checked:.3f}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000,200000")
    parser.add_argument("--baseline", type=Path, default=None, help="an older src/ to compare")
    parser.add_argument("--tree", type=Path, default=REPO / "src", help="the src/ measured")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--c8-seconds", type=float, default=10.0)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="kept for inspection, with each home built (serve one again with --home)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument(
        "--home",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="also measure this built home as it is, not rebuilt (repeatable)",
    )
    args = parser.parse_args()
    trees = [("this tree", args.tree.resolve())]
    if args.baseline is not None:
        trees.insert(0, ("baseline", args.baseline.resolve()))
    asked = questions(args.questions)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="articleqa-scale-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for size in (int(s) for s in args.sizes.split(",") if s):
            stored = workdir / f"store-{size}"
            if not (stored / "articles.sqlite").exists():
                corpus = workdir / f"corpus-{size}.jsonl"
                note(f"{size}: composing and storing the corpus")
                write_corpus(corpus, size)
                subprocess.run(
                    [sys.executable, "-m", "articleqa", "add", str(corpus)],
                    env={
                        **environment(REPO / "src", stored),
                        "ARTICLEQA_MAX_ARTICLE_BYTES": str(2**31),
                    },
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            for tree, src in trees:
                home = workdir / f"home-{size}-{tree.replace(' ', '-')}"
                shutil.rmtree(home, ignore_errors=True)
                shutil.copytree(stored, home)
                note(f"{size}: {tree}: build, serve, ask")
                row = measure(tree, src, home, asked, args.c8_seconds)
                rows.append(row)
                note(str(row))
                if args.workdir is None:
                    # Kept in a work folder given: the 1 M home takes a quarter of an hour.
                    shutil.rmtree(home, ignore_errors=True)
                if args.json is not None:
                    args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=1))
        for given in args.home:
            name, _, path = given.partition("=")
            for tree, src in trees:
                note(f"{name}: {tree}: serve {path} as it is, ask")
                row = measure(tree, src, Path(path), asked, args.c8_seconds, built=True)
                rows.append(row)
                note(str(row))
                if args.json is not None:
                    args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=1))
    print(f"Machine: {machine()}; test embedder; load average {os.getloadavg()[0]:.1f}")
    print(
        table(
            (
                "code",
                "load",
                "passages",
                "FAISS kind",
                "p50 / p95 ms (c1, first ask)",
                "p50 / p95 ms (c1, asked again)",
                "c8 q/s (server's cores busy)",
                "server RSS MB",
                "build s (peak MB)",
                "snapshot MB",
                "recall@10 vs exact",
                "recall@10 at build",
            ),
            [
                (
                    r.tree,
                    f"{r.load:.1f}",
                    f"{r.passages:,}",
                    r.kind,
                    f"{r.p50:.1f} / {r.p95:.1f}",
                    f"{r.warm_p50:.1f} / {r.warm_p95:.1f}",
                    f"{r.c8:.0f} ({r.c8_cores:.2f})",
                    f"{r.rss_mb:.0f}",
                    "– (served as built)"
                    if r.build_s != r.build_s  # NaN: a --home not built here
                    else f"{r.build_s:.1f} ({r.build_peak_mb:.0f})",
                    f"{r.snapshot_mb:.0f}",
                    r.recall,
                    r.manifest_recall,
                )
                for r in rows
            ],
        )
    )


if __name__ == "__main__":
    main()
