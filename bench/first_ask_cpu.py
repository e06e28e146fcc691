"""CPU time of first asks and of the same asked again, and the part of it spent reading texts
and scoring postings: for same-run A/B comparisons on a loaded machine, where wall-clock
medians move by 2x between rounds (BENCHMARKS.md, "Scale, ninth pass").

Runs the ``src/`` on ``PYTHONPATH`` in this process: loads the current snapshot of ``--home``,
asks ``--questions`` SQuAD questions on a new searcher (FAISS on one thread), then asks them
again, and prints one line: the load's CPU and wall seconds, then per question the thread CPU
time, of it the CPU time inside ``Passages._make``/``Articles._make`` (article texts read) and
``LexicalIndex._term`` (postings read and scored), and the wall time. Run it for each tree in
turn, a few rounds:

    PYTHONPATH=/tmp/old/src nice -n 5 .venv/bin/python bench/first_ask_cpu.py --home A --label base
    PYTHONPATH=src nice -n 5 .venv/bin/python bench/first_ask_cpu.py --home B --label tree
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scale import questions

SPENT = {"texts": 0.0, "postings": 0.0}


def timed(owner: Any, name: str, key: str) -> None:
    function: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[key] += time.thread_time() - started

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--label", default="tree")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()

    import faiss

    from articleqa import lexical, records
    from articleqa.config import Settings
    from articleqa.embedding import FakeEmbedder
    from articleqa.search import Searcher
    from articleqa.snapshot import load_snapshot

    faiss.omp_set_num_threads(1)
    timed(records.Passages, "_make", "texts")
    timed(records.Articles, "_make", "texts")
    timed(lexical.LexicalIndex, "_term", "postings")
    wall, cpu = time.perf_counter(), time.thread_time()
    snapshot = load_snapshot(args.home, verify=False)
    asked = questions(args.questions)
    embedder = FakeEmbedder()
    vectors = embedder.embed(asked)
    settings = Settings(home=args.home, embedding_backend="fake", _env_file=None)
    searcher = Searcher(snapshot, embedder, settings)
    parts = [f"load cpu {time.thread_time() - cpu:.2f} s wall {time.perf_counter() - wall:.2f} s"]
    for label in ("first", "again"):
        SPENT.update(texts=0.0, postings=0.0)
        wall, cpu = time.perf_counter(), time.thread_time()
        for question, vector in zip(asked, vectors, strict=True):
            searcher.ask(question, query_vector=vector)
        each = 1000 / len(asked)
        parts.append(
            f"{label}: cpu {(time.thread_time() - cpu) * each:.2f} ms/q "
            f"(texts {SPENT['texts'] * each:.2f}, postings {SPENT['postings'] * each:.2f}) "
            f"wall {(time.perf_counter() - wall) * each:.2f} ms/q"
        )
    print(f"{args.label} | {snapshot.passage_count:,} passages | " + "; ".join(parts), flush=True)


if __name__ == "__main__":
    main()
