"""Incremental indexing: add one article to 1,000 and rebuild, against a full rebuild.

Articles are generated deterministically (real sentences with a seeded share of their words
swapped, so no two passages are alike), ingested through the .txt reader into a temporary
home, and indexed with the real ``Indexer`` and embedder. "Full" is a build with an empty
embedding cache; "incremental" is the build after adding one article.

    .venv/bin/python bench/incremental.py [--articles 1000] [--backend onnx] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from common import machine, note, sentence_pool, table

from articleqa.config import Settings
from articleqa.embedding import load_embedder
from articleqa.indexer import BuildReport, Indexer
from articleqa.ingest.prepare import prepare_article
from articleqa.ingest.text import read_text
from articleqa.store import ArticleStore


class ArticleWriter:
    """Seeded articles of 6-9 paragraphs of 40-90 words, each sentence made unique."""

    def __init__(self, seed: int = 0) -> None:
        self.sentences, self.source = sentence_pool()
        self.vocabulary = sorted({w for s in self.sentences for w in s.split() if w.isalpha()})
        self.rng = random.Random(seed)

    def sentence(self) -> str:
        words = self.rng.choice(self.sentences).split()
        return " ".join(
            self.rng.choice(self.vocabulary) if self.rng.random() < 0.3 else w for w in words
        )

    def article(self, number: int) -> str:
        paragraphs = []
        for _ in range(self.rng.randint(6, 9)):
            target = self.rng.randint(40, 90)
            sentences: list[str] = []
            while sum(len(s.split()) for s in sentences) < target:
                sentences.append(self.sentence())
            paragraphs.append(" ".join(sentences))
        title = f"Report {number}: " + " ".join(self.rng.sample(self.vocabulary, 4)).title()
        return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def add(store: ArticleStore, text: str, number: int) -> None:
    store.upsert(prepare_article(read_text(text, f"generated/{number}.txt")))


def timed_build(indexer: Indexer, profile: bool = False) -> tuple[BuildReport, float, str]:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = indexer.build()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    summary = ""
    if profiler:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        summary = stream.getvalue()
    return report, seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--backend", choices=["onnx", "torch", "fake"], default="onnx")
    parser.add_argument("--profile", action="store_true", help="cProfile the incremental build")
    args = parser.parse_args()

    writer = ArticleWriter()
    with tempfile.TemporaryDirectory(prefix="aqa-bench-incremental-") as tmp:
        home = Path(tmp) / "home"
        settings = Settings(home=home, embedding_backend=args.backend, _env_file=None)  # type: ignore[call-arg]
        store = ArticleStore(home)
        note(f"ingesting {args.articles} generated articles")
        started = time.perf_counter()
        for number in range(args.articles):
            add(store, writer.article(number), number)
        ingest_seconds = time.perf_counter() - started
        embedder = load_embedder(settings)
        indexer = Indexer(settings, store, embedder)
        note("full build (empty embedding cache)")
        full, full_seconds, _ = timed_build(indexer)
        note(f"  {full_seconds:.1f}s, {full.passages} passages")
        note("rebuild with nothing changed")
        same, same_seconds, _ = timed_build(indexer)
        note("adding one article and rebuilding")
        add(store, writer.article(args.articles), args.articles)
        one, one_seconds, profile = timed_build(indexer, args.profile)

    rows = [
        [
            "full build (empty cache)",
            full.articles,
            full.passages,
            full.embedded,
            f"{full_seconds:.2f}",
            "100 %",
        ],
        [
            "rebuild, nothing changed",
            same.articles,
            same.passages,
            same.embedded,
            f"{same_seconds:.2f}",
            f"{100 * same_seconds / full_seconds:.1f} %",
        ],
        [
            "rebuild after adding one article",
            one.articles,
            one.passages,
            one.embedded,
            f"{one_seconds:.2f}",
            f"{100 * one_seconds / full_seconds:.1f} %",
        ],
    ]
    print(f"## Incremental indexing ({args.articles} generated articles, {embedder.name})\n")
    print(f"Machine: {machine()}; text from {writer.source}; ingest took {ingest_seconds:.1f}s.\n")
    print(table(["build", "articles", "passages", "embedded", "seconds", "of full build"], rows))
    if profile:
        note(profile)


if __name__ == "__main__":
    main()
