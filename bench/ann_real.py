"""Recall of the chosen vector index on real embeddings: real documents, the product's model.

The passages are paragraphs of the documentation installed on this machine (``/usr/share/doc``:
changelogs, READMEs, copyright files, plain and gzipped), split on blank lines and kept when
40-1,000 characters long, duplicates dropped, in a seeded order. They are embedded with the
embedder ``articleqa index`` uses (``load_embedder``; ONNX int8 by default) and indexed by
``build_chosen`` exactly as a build does (``auto``, the configured ANN threshold): the index
kind and search setting it picks by recall@10 on a sample of the corpus's own vectors. That
index is then checked against exact search on queries it did not see:

- held-out paragraphs of the same documentation (not indexed);
- the questions of ``eval/realdocs`` and of the SQuAD sample when it is there (questions about
  other documents: how a question that the corpus does not hold finds its neighbours).

Search runs one query at a time on one thread, as the service runs each question.

    .venv/bin/python bench/ann_real.py [--size 60000] [--queries 1000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import faiss
import numpy as np
from common import machine, note, table

from articleqa.config import Settings
from articleqa.embedding import Embedder, load_embedder
from articleqa.vector_index import build_chosen
from articleqa.vector_index import search as vector_search

REPO = Path(__file__).resolve().parent.parent
DOCS = Path("/usr/share/doc")
SQUAD = REPO.parent / "shared" / "data" / "squad2-dev-sample.json"
_BLANK = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s+")
_BATCH = 256


def _documents() -> Iterator[str]:
    for path in sorted(DOCS.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.stat().st_size > 2_000_000:
            continue
        try:
            if path.suffix == ".gz":
                with gzip.open(path, "rt", encoding="utf-8", errors="strict") as handle:
                    yield handle.read()
            elif path.suffix in ("", ".txt", ".md", ".rst") or path.name.startswith("README"):
                yield path.read_text(encoding="utf-8", errors="strict")
        except (OSError, UnicodeDecodeError, EOFError):
            continue  # binary or unreadable: not a document


def paragraphs(limit: int) -> list[str]:
    seen: set[str] = set()
    found: list[str] = []
    for text in _documents():
        for block in _BLANK.split(text):
            paragraph = _SPACE.sub(" ", block).strip()
            if 40 <= len(paragraph) <= 1000 and paragraph not in seen:
                seen.add(paragraph)
                found.append(paragraph)
        if len(found) >= limit * 2:
            break
    random.Random(0).shuffle(found)
    return found[:limit]


def questions() -> list[str]:
    entries = json.loads((REPO / "eval" / "realdocs" / "questions.json").read_text())
    asked = [e["question"] for e in entries]
    if SQUAD.exists():
        squad = json.loads(SQUAD.read_text())
        asked += [
            qa["question"]
            for article in squad["data"]
            for paragraph in article["paragraphs"]
            for qa in paragraph["qas"]
        ]
    return asked


def embed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    rows = [embedder.embed(texts[i : i + _BATCH]) for i in range(0, len(texts), _BATCH)]
    vectors = np.ascontiguousarray(np.vstack(rows), dtype=np.float32)
    faiss.normalize_L2(vectors)
    return vectors


def recall_and_latency(
    index: faiss.Index, exact: faiss.Index, queries: np.ndarray
) -> tuple[float, float, float]:
    _, truth = exact.search(queries, 10)
    hits: list[float] = []
    times: list[float] = []
    for query, expected in zip(queries, truth, strict=True):
        started = time.perf_counter()
        _, ids = vector_search(index, query, 10)
        times.append((time.perf_counter() - started) * 1000)
        hits.append(len(set(ids.tolist()) & set(expected.tolist())) / 10)
    times.sort()
    return statistics.mean(hits), statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=60_000, help="passages indexed")
    parser.add_argument("--queries", type=int, default=1_000, help="held-out paragraphs")
    args = parser.parse_args()
    settings = Settings()

    note(f"reading paragraphs of {DOCS}")
    texts = paragraphs(args.size + args.queries)
    if len(texts) < args.size + args.queries:
        raise SystemExit(f"only {len(texts):,} paragraphs under {DOCS}; lower --size")
    corpus, held_out = texts[: args.size], texts[args.size :]
    asked = questions()
    embedder = load_embedder(settings)
    note(f"embedding {len(corpus):,} paragraphs with {embedder.name}")
    started = time.perf_counter()
    vectors = embed(embedder, corpus)
    embed_seconds = time.perf_counter() - started
    held_vectors = embed(embedder, held_out)
    question_vectors = embed(embedder, asked)

    note("building the index articleqa index would build (build_chosen, auto)")
    started = time.perf_counter()
    index, choice = build_chosen(vectors, "auto", settings.ann_threshold)
    build_seconds = time.perf_counter() - started
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    faiss.omp_set_num_threads(1)
    rows = []
    for name, queries in (
        (f"held-out paragraphs ({len(held_out):,})", held_vectors),
        (f"questions on other documents ({len(asked):,})", question_vectors),
    ):
        recall, p50, p95 = recall_and_latency(index, exact, queries)
        rows.append(
            [
                f"{len(corpus):,}",
                choice.factory,
                choice.search_setting,
                f"{choice.recall_at_10:.3f}" if choice.recall_at_10 is not None else "exact",
                name,
                f"{recall:.3f}",
                f"{p50:.2f} / {p95:.2f}",
            ]
        )
    print(machine())
    print(
        f"embedding {embed_seconds:.0f} s ({len(corpus) / embed_seconds:.0f} passages/s), "
        f"index build and tuning {build_seconds:.0f} s"
    )
    print(
        table(
            [
                "passages",
                "index chosen",
                "setting",
                "recall@10 at build",
                "queries",
                "recall@10 vs exact",
                "search p50 / p95 ms",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
