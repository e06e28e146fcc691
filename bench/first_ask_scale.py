"""First ask and asked again on a large built snapshot, two code trees taking turns.

Each round, each tree (``--baseline SRC`` first, then ``--tree SRC``) loads the current snapshot
of ``--home`` in a fresh process, asks ``--questions`` SQuAD questions once on a new searcher
(every question a first ask: the searcher's per-passage caches cold) and then again, with the
test embedder's vectors. The table gives the median over rounds of each run's p50 and p95, the
ratio to the baseline, the process's RSS (and of it anonymous) after both runs, and a digest of
the answers (equal digests: the same answers).

    nice -n 10 .venv/bin/python bench/first_ask_scale.py --home HOME --baseline /tmp/old/src
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from common import REPO, machine, note, table

CHILD = """
import hashlib, json, sys, time
from pathlib import Path
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.search import Searcher
from articleqa.snapshot import load_snapshot

home, asked = Path(sys.argv[1]), json.loads(sys.argv[2])
settings = Settings(home=home, embedding_backend="fake", _env_file=None)
snapshot = load_snapshot(home, verify=False)
embedder = FakeEmbedder()
vectors = embedder.embed(asked)
searcher = Searcher(snapshot, embedder, settings)


def run():
    times, answers = [], []
    for question, vector in zip(asked, vectors):
        started = time.perf_counter()
        answer = searcher.ask(question, query_vector=vector)
        times.append((time.perf_counter() - started) * 1000)
        answers.append((answer.answered, [(q.start, q.end, q.highlight and q.highlight.start)
                                          for q in answer.quotes]))
    times.sort()
    digest = hashlib.md5(str(answers).encode(), usedforsecurity=False).hexdigest()[:12]
    return times[len(times) // 2], times[int(len(times) * 0.95)], digest


first, again = run(), run()
status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
rss = [int(status[k].split()[0]) / 1024 for k in ("VmRSS", "RssAnon")]
print(json.dumps({"passages": snapshot.passage_count, "first": first, "again": again, "rss": rss}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a home with a built index")
    parser.add_argument(
        "--baseline-home",
        type=Path,
        default=None,
        help="the baseline's own home (default --home): for a snapshot format it cannot read",
    )
    parser.add_argument("--baseline", type=Path, required=True, help="an older src/")
    parser.add_argument("--tree", type=Path, default=REPO / "src", help="the src/ measured")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from scale import questions

    asked = json.dumps(questions(args.questions))
    trees = [("baseline", args.baseline.resolve()), ("this tree", args.tree.resolve())]
    homes = {"baseline": args.baseline_home or args.home, "this tree": args.home}
    runs: dict[str, list[dict[str, object]]] = {name: [] for name, _ in trees}
    loads = []
    for round_ in range(args.rounds):
        for name, src in trees:
            loads.append(os.getloadavg()[0])
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(homes[name]), asked],
                env={**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1"},
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            runs[name].append(json.loads(out.splitlines()[-1]))
            note(f"round {round_ + 1}: {name}: {runs[name][-1]}")

    def median(name: str, which: str, at: int) -> float:
        return statistics.median(float(r[which][at]) for r in runs[name])  # type: ignore[index]

    print(f"Machine: {machine()}; test embedder; load average {min(loads):.1f}-{max(loads):.1f}")
    rows = []
    for name, _ in trees:
        digests = {str(r["first"][2]) for r in runs[name]}  # type: ignore[index]
        rows.append(
            (
                name,
                f"{runs[name][0]['passages']:,}",
                f"{median(name, 'first', 0):.1f} / {median(name, 'first', 1):.1f}",
                f"{median(name, 'first', 0) / median('baseline', 'first', 0):.2f}x",
                f"{median(name, 'again', 0):.1f} / {median(name, 'again', 1):.1f}",
                f"{median(name, 'again', 0) / median('baseline', 'again', 0):.2f}x",
                f"{median(name, 'rss', 0):.0f} / {median(name, 'rss', 1):.0f}",
                ", ".join(sorted(digests)),
            )
        )
    print(
        table(
            (
                "code",
                "passages",
                f"first ask p50 / p95 ms (median of {args.rounds})",
                "p50 vs baseline",
                "asked again p50 / p95 ms",
                "p50 vs baseline",
                "RSS after / of it anonymous MB",
                "answers digest",
            ),
            rows,
        )
    )


if __name__ == "__main__":
    main()
