"""One question's look-ups on one thread or two, in the same process: a paired A/B.

The snapshot of a home is loaded twice and a searcher made over each; every question of the
SQuAD sample (the test embedder's vector) is asked once of each, a first ask for both, the
order alternating from one question to the next so that neither gains from the other's page
cache. One searcher's look-ups keep to the asking thread; the other's take the dense helper
(``retrieval.look_up``) whenever the product's own rule allows it, or always with ``--force``.
Prints each side's p50 / p95 / mean, the median of the per-question ratios, how many questions
used the helper, the load average, and whether the answers' JSON (less ``took_ms``) is the same
on both sides.

    PYTHONPATH=src .venv/bin/python bench/two_threads.py /tmp/1m/home
    PYTHONPATH=/tmp/old/src .venv/bin/python bench/two_threads.py /tmp/1m/home --force
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from scale import questions

from articleqa import retrieval
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.search import Searcher
from articleqa.snapshot import load_snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--force", action="store_true", help="the helper whatever the load")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)  # as the server's search threads
    asked = questions(args.questions)
    embedder = FakeEmbedder()
    vectors = embedder.embed(asked)
    settings = Settings(home=args.home, embedding_backend="fake", _env_file=None)  # type: ignore[call-arg]
    sides = ("one thread", "two threads")
    searchers = {
        side: Searcher(load_snapshot(args.home, verify=False), embedder, settings) for side in sides
    }
    rule = retrieval._core_to_spare
    helped = [0]
    at_once = retrieval.SnapshotRetriever.at_once

    def counted(self: retrieval.SnapshotRetriever, *rest: Any) -> Any:
        helped[0] += 1
        return at_once(self, *rest)

    retrieval.SnapshotRetriever.at_once = counted  # type: ignore[method-assign]
    gc.collect()
    gc.freeze()  # as the server's collector does after each question
    times: dict[str, list[float]] = {side: [] for side in sides}
    digests = {side: hashlib.sha256() for side in sides}
    for number, (question, vector) in enumerate(zip(asked, vectors, strict=True)):
        for side in sides if number % 2 == 0 else sides[::-1]:
            helper = side == "two threads"
            # One thread: never the helper; two: the product's rule, or always with --force.
            retrieval._core_to_spare = (  # type: ignore[assignment]
                rule if helper and not args.force else (lambda helper=helper: helper)
            )
            started = time.perf_counter()
            answer = searchers[side].ask(question, query_vector=vector)
            times[side].append((time.perf_counter() - started) * 1000)
            gc.freeze()
            digests[side].update(answer.model_dump_json(exclude={"took_ms"}).encode())
    for side in sides:
        spent = np.array(times[side])
        print(
            f"{side}: p50 {np.percentile(spent, 50):.2f} / p95 {np.percentile(spent, 95):.2f} / "
            f"mean {spent.mean():.2f} ms, answers {digests[side].hexdigest()[:12]}"
        )
    ratio = np.median(np.array(times["two threads"]) / np.array(times["one thread"]))
    same = digests["one thread"].digest() == digests["two threads"].digest()
    print(
        f"two / one thread, median of the per-question ratios: {ratio:.3f}; the helper taken "
        f"by {helped[0]} of {len(asked)} questions; load average {os.getloadavg()[0]:.1f}; "
        f"answers {'the same' if same else 'DIFFERENT'}"
    )
    print(json.dumps({"ratio": round(float(ratio), 3), "helped": helped[0], "same": same}))


if __name__ == "__main__":
    main()
