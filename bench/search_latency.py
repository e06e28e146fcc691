"""In-process cost of answering one question once its vector is known, beside embedding it.

The search is what /ask adds to the model call inside the service: BM25 scoring, the vector
search, fusion, the sentence re-rank and the quotes. Measured on the repo's articles/ and, when
../shared is there, on the SQuAD dev sample, with the configured backend (default ONNX int8).

    .venv/bin/python bench/search_latency.py [--repeat 5] [--backend onnx|torch]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ask_latency import QUESTIONS
from common import ARTICLES, DEV_SAMPLE, machine, note, table


def timed_ms(function: Callable[[int], object], count: int, repeat: int) -> float:
    """Median over ``repeat`` passes of the mean time per call over ``count`` calls."""
    passes = []
    for _ in range(repeat):
        started = time.perf_counter()
        for i in range(count):
            function(i)
        passes.append((time.perf_counter() - started) * 1000 / count)
    return statistics.median(passes)


def measure(
    name: str, home: Path, questions: list[str], embedder: Any, repeat: int
) -> tuple[object, ...]:
    from articleqa.config import Settings
    from articleqa.indexer import Indexer
    from articleqa.search import Searcher, SearchFilters
    from articleqa.snapshot import load_snapshot
    from articleqa.store import ArticleStore

    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg, unused-ignore]
    Indexer(settings, ArticleStore(home), embedder).build()
    snapshot = load_snapshot(home)
    searcher = Searcher(snapshot, embedder, settings)
    vectors = embedder.embed(questions)
    n = len(questions)
    no_filters = SearchFilters()
    searcher.ask(questions[0], 3, query_vector=vectors[0])  # warm the caches
    embed = timed_ms(lambda i: embedder.embed([questions[i]]), n, repeat)
    lexical = timed_ms(lambda i: snapshot.lexical.scores(questions[i]), n, repeat)
    rank = timed_ms(lambda i: searcher.rank(questions[i], vectors[i], no_filters), n, repeat)
    search = timed_ms(lambda i: searcher.ask(questions[i], 3, query_vector=vectors[i]), n, repeat)
    return (
        name,
        snapshot.passage_count,
        n,
        f"{embed:.3f}",
        f"{lexical:.3f}",
        f"{rank:.3f}",
        f"{search:.3f}",
        f"{search / embed:.2f}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Passes over the questions.")
    parser.add_argument("--backend", choices=["onnx", "torch"], default=None)
    args = parser.parse_args()
    if args.backend is not None:
        os.environ["ARTICLEQA_EMBEDDING_BACKEND"] = args.backend
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from articleqa.config import Settings
    from articleqa.embedding import load_embedder
    from articleqa.evaluation import load_squad
    from articleqa.models import RawArticle
    from articleqa.service import ingest, store_raw
    from articleqa.store import ArticleStore

    with tempfile.TemporaryDirectory(prefix="articleqa-bench-") as tmp:
        os.environ.setdefault("ARTICLEQA_ONNX_DIR", str(Path(tmp) / "onnx"))
        embedder = load_embedder(Settings(_env_file=None))  # type: ignore[call-arg, unused-ignore]
        corpora: list[tuple[str, Path, list[str]]] = []

        home = Path(tmp) / "articles"
        settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg, unused-ignore]
        ingest([str(ARTICLES)], ArticleStore(home), settings)
        corpora.append(("articles/", home, QUESTIONS))
        if DEV_SAMPLE.is_file():
            dataset = load_squad(DEV_SAMPLE)
            home = Path(tmp) / "squad"
            store = ArticleStore(home)
            for title, paragraphs in dataset.articles.items():
                raw = RawArticle(title=title, text="\n\n".join(paragraphs), source=title)
                store_raw(store, title, raw)
            corpora.append(("SQuAD dev sample", home, [q.text for q in dataset.questions]))
        else:
            note(f"{DEV_SAMPLE} not found: articles/ only")

        rows = [
            measure(name, home, questions, embedder, args.repeat)
            for name, home, questions in corpora
        ]

    print(f"Machine: {machine()}; model {embedder.name}")
    print(
        table(
            (
                "corpus",
                "passages",
                "questions",
                "embed one question ms",
                "BM25 scores ms",
                "rank ms",
                "whole search (vector given) ms",
                "search / embed",
            ),
            rows,
        )
    )


if __name__ == "__main__":
    main()
