"""Reading a shortlist's vectors from the embedding cache: by key, or by the rowid the snapshot
recorded (``exact_vectors.CachedRows``), on a built home (BENCHMARKS.md, "Scale, sixteenth
pass").

Runs the ``src/`` on ``PYTHONPATH``. Draws ``--sets`` random sets of ``--rows`` passages of the
home's current snapshot (an IVF one with ``vectors.rowids.npy``) and reads each set's vectors
both ways, taking turns (which goes first alternates), on connections of their own; then reads
every set again both ways. Prints, per way, the median and mean ms a set, first and again, and
whether both ways gave the same bytes:

    PYTHONPATH=src nice -n 5 .venv/bin/python bench/cache_rows.py --home /tmp/1m/home
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from common import machine, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--sets", type=int, default=300)
    parser.add_argument("--rows", type=int, default=66)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from articleqa.exact_vectors import CachedRows
    from articleqa.snapshot import load_snapshot
    from articleqa.vector_index import ShortlistIndex

    snapshot = load_snapshot(args.home, verify=False)
    index = snapshot.vectors
    if not isinstance(index, ShortlistIndex) or index.exact is None:
        raise SystemExit(f"{args.home}: not an IVF snapshot read from the embedding cache")
    if not isinstance(index.exact, CachedRows) or index.exact.rowids is None:
        raise SystemExit(f"{args.home}: its snapshot records no rowids")
    exact = index.exact
    ways = {
        "by key": CachedRows(exact.cache, exact.keys, exact.dimension),
        "by rowid": CachedRows(exact.cache, exact.keys, exact.dimension, exact.rowids),
    }
    rng = np.random.default_rng(args.seed)
    sets = [
        rng.choice(len(exact.keys), args.rows, replace=False).astype(np.int64)
        for _ in range(args.sets)
    ]
    spent: dict[tuple[str, str], list[float]] = {}
    same = True
    for turn in ("first", "again"):
        for number, ordinals in enumerate(sets):
            names = list(ways) if number % 2 == 0 else list(reversed(ways))
            read = {}
            for name in names:
                started = time.perf_counter()
                read[name] = ways[name].rows(ordinals)
                spent.setdefault((name, turn), []).append((time.perf_counter() - started) * 1000)
            vectors = [vectors.tobytes() + found.tobytes() for vectors, found in read.values()]
            same = same and vectors[0] == vectors[1]
    rows = [
        [
            name,
            turn,
            f"{statistics.median(spent[name, turn]):.3f}",
            f"{statistics.fmean(spent[name, turn]):.3f}",
        ]
        for turn in ("first", "again")
        for name in ways
    ]
    print(
        f"{snapshot.passage_count:,} passages, {args.sets} sets of {args.rows} rows; "
        f"{machine()}; the same vectors both ways: {same}"
    )
    print(table(["read", "turn", "p50 ms a set", "mean ms a set"], rows))


if __name__ == "__main__":
    main()
