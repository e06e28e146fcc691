"""Vector search at a million passages: flat vs HNSW vs IVF-SQ8, as the project builds them.

The vectors are seeded, clustered 384-d unit vectors shaped like sentence embeddings:
1,000 topics, ``size / 50`` sub-topics around them, and per-vector noise with a decaying
spectrum in a random rotation (unrelated vectors have cosine ~0, a query's nearest
neighbours ~0.7-0.8). Queries are drawn the same way and are not in the index. Each index
is built with ``articleqa.vector_index.build_vector_index`` (all cores), then searched one
query at a time on one thread (how the service runs concurrent questions); recall@10 is
against exact search. Memory is the serialised index size (what the snapshot loads).

    .venv/bin/python bench/ann_scale.py [--size 1000000] [--kinds flat,hnsw,ivf,auto]

``auto`` is what ``articleqa index`` builds by default (``build_chosen``): the kind and search
setting it picked by recall@10 measured at build time on a sample of the corpus's own vectors,
then measured here on the held-out queries.
"""

from __future__ import annotations

import argparse
import time

import faiss
import numpy as np
from common import machine, note, table

from articleqa.vector_index import (
    build_chosen,
    build_vector_index,
    ivf_lists,
    ivf_probes,
)
from articleqa.vector_index import (
    search as vector_search,
)

DIMENSION = 384
TOPICS = 1_000
CHUNK = 100_000


class ClusteredVectors:
    def __init__(self, size: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        topics = rng.standard_normal((TOPICS, DIMENSION), dtype=np.float32)
        topics /= np.linalg.norm(topics, axis=1, keepdims=True)
        subtopics = max(100, size // 50)
        noise = rng.standard_normal((subtopics, DIMENSION), dtype=np.float32)
        self.centres = topics[rng.integers(0, TOPICS, subtopics)] + 0.8 * noise / np.sqrt(DIMENSION)
        # Real embeddings spread over few directions: a decaying spectrum, randomly rotated.
        spectrum = np.arange(1, DIMENSION + 1, dtype=np.float32) ** -0.6
        self.spectrum = spectrum / np.sqrt((spectrum**2).sum())
        rotation, _ = np.linalg.qr(rng.standard_normal((DIMENSION, DIMENSION)))
        self.rotation = rotation.astype(np.float32)
        self.rng = rng

    def draw(self, count: int) -> np.ndarray:
        out = np.empty((count, DIMENSION), dtype=np.float32)
        for start in range(0, count, CHUNK):
            rows = min(CHUNK, count - start)
            centre = self.centres[self.rng.integers(0, len(self.centres), rows)]
            noise = self.rng.standard_normal((rows, DIMENSION), dtype=np.float32) * self.spectrum
            out[start : start + rows] = centre + noise @ self.rotation
        faiss.normalize_L2(out)
        return out


def recall_at_10(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)]))


def latencies(index: faiss.Index, queries: np.ndarray) -> tuple[np.ndarray, list[float]]:
    found = np.full((len(queries), 10), -1, dtype=np.int64)
    times = []
    for row, query in enumerate(queries):
        started = time.perf_counter()
        _, ids = vector_search(index, query, 10)
        times.append((time.perf_counter() - started) * 1000)
        found[row, : len(ids)] = ids
    return found, times


def set_search_knob(index: faiss.Index, kind: str, value: int) -> None:
    if kind == "ivf":
        faiss.extract_index_ivf(index).nprobe = value
    elif kind == "hnsw":
        faiss.downcast_index(index.index).hnsw.efSearch = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--kinds", default="flat,ivf,hnsw")
    args = parser.parse_args()
    build_threads = faiss.omp_get_max_threads()

    note(f"generating {args.size:,} clustered vectors")
    data = ClusteredVectors(args.size)
    base = data.draw(args.size)
    queries = data.draw(args.queries)
    note("exact top-10 for every query (ground truth)")
    exact = faiss.IndexFlatIP(DIMENSION)
    exact.add(base)
    truth_scores, truth = exact.search(queries, 10)
    del exact
    random_pairs = float(np.einsum("ij,ij->i", base[:1000], base[1000:2000]).mean())

    sweeps = {
        "flat": [0],
        "ivf": sorted({8, ivf_probes(ivf_lists(args.size)), 32, 64}),
        "hnsw": [32, 64, 128, 256],
        "auto": [0],
    }
    defaults = {"flat": 0, "ivf": ivf_probes(ivf_lists(args.size)), "hnsw": 128, "auto": -1}
    rows = []
    for kind in args.kinds.split(","):
        note(f"building {kind} on {build_threads} threads")
        faiss.omp_set_num_threads(build_threads)
        started = time.perf_counter()
        if kind == "auto":
            index, choice = build_chosen(base, "auto", ann_threshold=20_000)
            chosen = (
                f"auto: {choice.factory}, setting {choice.search_setting}, recall@10 at build "
                f"{choice.recall_at_10}"
            )
        else:
            index = build_vector_index(base, kind)  # type: ignore[arg-type]
        build_seconds = time.perf_counter() - started
        memory = len(faiss.serialize_index(index)) / 2**20
        note(f"  built in {build_seconds:.0f}s, {memory:.0f} MiB")
        faiss.omp_set_num_threads(1)
        for knob in sweeps[kind]:
            if kind != "auto":
                set_search_knob(index, kind, knob)
            found, times = latencies(index, queries)
            name = {
                "flat": "flat (exact)",
                "ivf": f"IVF{ivf_lists(args.size)}-SQ8, nprobe {knob}",
                "hnsw": f"HNSW32-SQ8, efSearch {knob}",
                "auto": chosen if kind == "auto" else "",
            }[kind]
            rows.append(
                [
                    name + (" (default)" if knob == defaults[kind] else ""),
                    f"{build_seconds:.0f} s",
                    f"{memory:.0f} MiB",
                    f"{np.percentile(times, 50):.2f} ms",
                    f"{np.percentile(times, 99):.2f} ms",
                    f"{recall_at_10(found, truth):.4f}",
                ]
            )
            note("  " + " | ".join(rows[-1]))
        del index

    print(f"## Vector search at {args.size:,} passages ({DIMENSION}-d, clustered, seeded)\n")
    print(
        f"Machine: {machine()}. Build on {build_threads} threads; search one query at a time on "
        f"1 thread, {args.queries} queries. Mean cosine of the nearest neighbour "
        f"{truth_scores[:, 0].mean():.2f}, of the 10th {truth_scores[:, 9].mean():.2f}, "
        f"of two random vectors {random_pairs:.3f}.\n"
    )
    print(table(["index", "build", "memory", "p50", "p99", "recall@10"], rows))


if __name__ == "__main__":
    main()
