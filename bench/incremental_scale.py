"""Adding a few articles to a large corpus: the wall time of ``articleqa index`` afterwards.

A stored corpus (``bench/scale.py``'s synthetic articles of real sentences; ``--store`` an
``articles.sqlite`` it made, else one is composed) is copied into one home per code tree (the
working tree, and ``--baseline SRC`` for an older ``src/`` in the same run) and indexed once in
full (its wall time, peak RSS and snapshot size; ``--warm`` fills the embedding cache first, so
every tree's full build reads the vectors from it). Then, ``--repeat`` times, ``--add`` new
articles are stored and ``articleqa index`` is run in a subprocess and timed (wall, peak RSS);
the table gives the median of the repeats; then ``articleqa index`` once more with nothing
changed (its time, and whether it published a snapshot). The test embedder (``fake``) embeds,
so what is measured is the build around the model. ``--keep`` leaves each tree's home in
``--workdir``.

    nice -n 10 .venv/bin/python bench/incremental_scale.py --store /tmp/store-180000 \
        --baseline /tmp/old/src --add 10 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from common import REPO, machine, note, table
from scale import build, environment, folder_mb, write_corpus


@dataclass
class Row:
    tree: str
    passages: int
    added: int
    full_s: float
    full_peak: float
    full_mb: float
    builds: list[float]
    peaks: list[float]
    snapshot_mb: float
    written_mb: float
    unchanged_s: float
    unchanged_new: bool

    @property
    def median(self) -> float:
        return statistics.median(self.builds)


def add_articles(src: Path, home: Path, count: int, seed: int) -> None:
    corpus = home / f"added-{seed}.jsonl"
    write_corpus(corpus, count * 8, seed=seed)
    # Titles unique to this round, so each round adds new articles.
    lines = corpus.read_text(encoding="utf-8").splitlines()
    rewritten = []
    for number, line in enumerate(lines):
        record = json.loads(line)
        record["title"] = f"Added {seed}-{number}: {record['title']}"
        rewritten.append(json.dumps(record, ensure_ascii=False))
    corpus.write_text("\n".join(rewritten) + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "articleqa", "add", str(corpus)],
        env=environment(src, home),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    corpus.unlink()


def passages_of(home: Path) -> tuple[int, Path]:
    version = (home / "CURRENT").read_text().strip()
    snapshot = home / "snapshots" / version
    manifest = json.loads((snapshot / "manifest.json").read_text())
    return int(manifest["counts"]["passages"]), snapshot


def new_bytes_mb(snapshot: Path) -> float:
    """Bytes of the snapshot's files that are not hard links to an earlier snapshot's."""
    return (
        sum(p.stat().st_size for p in snapshot.rglob("*") if p.is_file() and p.stat().st_nlink == 1)
        / 2**20
    )


def measure(tree: str, src: Path, home: Path, added: int, repeat: int) -> Row:
    note(f"{tree}: full build")
    full_s, full_peak = build(src, home)
    full_mb = folder_mb(passages_of(home)[1])
    note(f"{tree}: full build {full_s:.1f} s, peak {full_peak:.0f} MB, snapshot {full_mb:.0f} MB")
    builds: list[float] = []
    peaks: list[float] = []
    written: list[float] = []
    for round_ in range(repeat):
        add_articles(src, home, added, seed=1000 + round_)
        seconds, peak = build(src, home)
        builds.append(seconds)
        peaks.append(peak)
        _, snapshot = passages_of(home)
        written.append(new_bytes_mb(snapshot))
        note(f"{tree}: +{added} articles: {seconds:.2f} s, peak {peak:.0f} MB")
    passages, snapshot = passages_of(home)
    # Once more with nothing changed in the store: whether a snapshot is published again.
    unchanged_s, _ = build(src, home)
    unchanged_new = passages_of(home)[1] != snapshot
    note(f"{tree}: nothing changed: {unchanged_s:.2f} s, new snapshot: {unchanged_new}")
    return Row(
        tree,
        passages,
        added,
        full_s,
        full_peak,
        full_mb,
        builds,
        peaks,
        folder_mb(snapshot),
        statistics.median(written),
        unchanged_s,
        unchanged_new,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="an articles.sqlite folder")
    parser.add_argument("--passages", type=int, default=200_000, help="when composing a store")
    parser.add_argument("--baseline", type=Path, default=None, help="an older src/ to compare")
    parser.add_argument("--tree", type=Path, default=REPO / "src", help="the src/ measured")
    parser.add_argument("--add", type=int, default=10, help="articles added per round")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--warm",
        action="store_true",
        help="fill the embedding cache with an unmeasured full build first (with the first "
        "tree), so every measured full build reads vectors from it",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep each tree's home in --workdir afterwards"
    )
    args = parser.parse_args()
    trees = [("this tree", args.tree.resolve())]
    if args.baseline is not None:
        trees.insert(0, ("baseline", args.baseline.resolve()))
    rows: list[Row] = []
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="articleqa-incremental-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        stored = args.store
        if stored is None:
            stored = workdir / "store"
            stored.mkdir(exist_ok=True)
            corpus = workdir / "corpus.jsonl"
            note(f"composing and storing about {args.passages} passages")
            write_corpus(corpus, args.passages)
            subprocess.run(
                [sys.executable, "-m", "articleqa", "add", str(corpus)],
                env={
                    **environment(REPO / "src", stored),
                    "ARTICLEQA_MAX_ARTICLE_BYTES": "2147483648",
                },
                check=True,
                stdout=subprocess.DEVNULL,
            )
        embeddings: Path | None = None
        if args.warm:
            warm = workdir / "home-warm"
            shutil.rmtree(warm, ignore_errors=True)
            shutil.copytree(stored, warm)
            note("filling the embedding cache (not measured)")
            build(trees[0][1], warm)
            embeddings = workdir / "embeddings-kept"
            shutil.rmtree(embeddings, ignore_errors=True)
            shutil.copytree(warm / "embeddings", embeddings)
            shutil.rmtree(warm)
        for tree, src in trees:
            home = workdir / f"home-{tree.replace(' ', '-')}"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(stored, home)
            if embeddings is not None:
                # The test embedder's vectors, computed by the first tree: the full builds
                # compared are then the index builds, not the embedding.
                shutil.copytree(embeddings, home / "embeddings", dirs_exist_ok=True)
            loads.append(os.getloadavg()[0])
            rows.append(measure(tree, src, home, args.add, args.repeat))
            loads.append(os.getloadavg()[0])
            if embeddings is None:
                embeddings = workdir / "embeddings-kept"
                shutil.rmtree(embeddings, ignore_errors=True)
                shutil.copytree(home / "embeddings", embeddings)
            if not args.keep:
                shutil.rmtree(home, ignore_errors=True)
    baseline = rows[0].median if args.baseline is not None else None
    print(f"Machine: {machine()}; test embedder; load average {min(loads):.1f}-{max(loads):.1f}")
    print(
        table(
            (
                "code",
                "passages",
                "articles added",
                "full build s",
                "full build peak MB",
                "full build's snapshot MB",
                f"build after adding s: median (each of {args.repeat})",
                "vs baseline",
                "peak MB",
                "snapshot MB",
                "written MB",
                "nothing changed: s (new snapshot)",
            ),
            [
                (
                    r.tree,
                    f"{r.passages:,}",
                    str(r.added),
                    f"{r.full_s:.1f}",
                    f"{r.full_peak:.0f}",
                    f"{r.full_mb:.0f}",
                    f"{r.median:.2f} ({' / '.join(f'{b:.2f}' for b in r.builds)})",
                    "–" if baseline is None else f"{r.median / baseline:.2f}x",
                    f"{max(r.peaks):.0f}",
                    f"{r.snapshot_mb:.0f}",
                    f"{r.written_mb:.0f}",
                    f"{r.unchanged_s:.2f} ({'yes' if r.unchanged_new else 'no'})",
                )
                for r in rows
            ],
        )
    )


if __name__ == "__main__":
    main()
