"""Memory of a loaded snapshot: RSS and anonymous RSS of a process that loads a home's current
snapshot, then reads records the way questions do, then answers ``--questions`` SQuAD questions
on a searcher (test embedder): its caches filled, as a server's are.

Each ``--home HOME=SRC`` pair is measured in its own fresh process (``PYTHONPATH=SRC``), one
after the other: a tree can only read snapshots of its own format or older, so each tree is
given a home it built. The snapshot's size on disk is listed per kind of file.

    nice -n 10 .venv/bin/python bench/snapshot_memory.py \
        --home /tmp/home-old=/tmp/old/src --home /tmp/home-new=src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from common import machine, table
from scale import questions

# Runs in the measured tree's interpreter; prints one JSON object.
PROBE = r"""
import gc, json, random, sys
from pathlib import Path

def status():
    found = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                found[key] = int(value.split()[0]) / 1024
    return found

from articleqa.snapshot import load_snapshot
from articleqa.lexical import terms  # noqa: F401 - imported by a server as well
gc.collect()
before = status()
snapshot = load_snapshot(Path(sys.argv[1]), verify=False)
gc.collect()
loaded = status()
rng = random.Random(7)
count = len(snapshot.passages)
for ordinal in rng.sample(range(count), min(5000, count)):
    passage = snapshot.passages[ordinal]
    for article_id, start, end in passage.spans:
        assert snapshot.articles[article_id].text[start:end] is not None
gc.collect()
touched = status()
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.search import Searcher
settings = Settings(home=Path(sys.argv[1]), embedding_backend="fake", _env_file=None)
searcher = Searcher(snapshot, FakeEmbedder(), settings)
for question in json.loads(sys.argv[2]):
    searcher.ask(question)
gc.collect()
asked = status()

def mapped():
    # RSS (MB) of each mapped file of the snapshot's folder, and of every other mapped file.
    found, name = {}, None
    with open("/proc/self/smaps") as handle:
        for line in handle:
            head = line.split()
            if len(head) >= 5 and "-" in head[0] and not line[0].isupper():
                path = head[5] if len(head) > 5 else ""
                name = (
                    path.removeprefix(str(snapshot.path) + "/")
                    if path.startswith(str(snapshot.path))
                    else "other files" if path.startswith("/") else None
                )
            elif head and head[0] == "Rss:" and name is not None:
                found[name] = found.get(name, 0) + int(head[1]) / 1024
    return found

print(json.dumps({
    "passages": count,
    "articles": len(snapshot.articles),
    "before": before,
    "loaded": loaded,
    "touched": touched,
    "asked": asked,
    "mapped": mapped(),
}))
"""


def snapshot_files(home: Path) -> dict[str, float]:
    version = (home / "CURRENT").read_text().strip()
    folder = home / "snapshots" / version
    sizes: dict[str, float] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            name = path.relative_to(folder).parts[0]
            kind = (
                "sentence vectors"
                if name.startswith("sentence")
                else "BM25"
                if name in ("lexical", "bm25")
                else "FAISS"
                if name == "vectors.faiss"
                else "passages + articles"
                if name != "manifest.json"
                else "manifest"
            )
            sizes[kind] = sizes.get(kind, 0.0) + path.stat().st_size / 2**20
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--home", action="append", required=True, help="HOME=SRC, repeatable")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    asked = json.dumps(questions(args.questions))
    rows = []
    loads = []
    by_file: list[tuple[str, dict[str, float]]] = []
    for pair in args.home:
        home, _, src = pair.partition("=")
        loads.append(os.getloadavg()[0])
        done = subprocess.run(
            [sys.executable, "-c", PROBE, home, asked],
            env={**os.environ, "PYTHONPATH": str(Path(src).resolve())},
            check=True,
            capture_output=True,
            text=True,
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
        sizes = snapshot_files(Path(home))
        before, loaded, touched = found["before"], found["loaded"], found["touched"]
        after = found["asked"]
        by_file.append((src, found["mapped"]))
        rows.append(
            (
                src,
                f"{found['passages']:,}",
                f"{found['articles']:,}",
                f"{loaded['VmRSS'] - before['VmRSS']:.0f}",
                f"{loaded['RssAnon'] - before['RssAnon']:.0f}",
                f"{touched['VmRSS'] - before['VmRSS']:.0f}",
                f"{touched['RssAnon'] - before['RssAnon']:.0f}",
                f"{after['VmRSS']:.0f}",
                f"{after['RssAnon']:.0f}",
                f"{sizes.get('passages + articles', 0):.0f}",
                f"{sum(sizes.values()):.0f}",
            )
        )
    loads.append(os.getloadavg()[0])
    print(f"Machine: {machine()}; load average {min(loads):.1f}-{max(loads):.1f}")
    print(
        table(
            (
                "code",
                "passages",
                "articles",
                "loaded: RSS MB",
                "of it anonymous MB",
                "after 5,000 passages read: RSS MB",
                "of it anonymous MB",
                f"process after {args.questions} questions: RSS MB",
                "of it anonymous MB",
                "passages + articles on disk MB",
                "snapshot MB",
            ),
            rows,
        )
    )
    # Where the mapped pages after the questions are: RSS per file of the snapshot.
    names = sorted({name for _, found in by_file for name in found})
    print(
        table(
            ("mapped file: RSS MB after the questions", *(src for src, _ in by_file)),
            [(name, *(f"{found.get(name, 0):.1f}" for _, found in by_file)) for name in names],
        )
    )


if __name__ == "__main__":
    main()
