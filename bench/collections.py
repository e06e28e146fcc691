"""Collections: one index snapshot per collection against one index with a collection filter.

Collection A is eval/realdocs (18 real documents, 114 questions), collection B the sample
articles (``articles/``) and ``--b-synthetic`` made-up articles (to make B larger). Both
designs are built from the same store contents; then one article is added to B and:

* per collection: B is rebuilt; A needs no rebuild (its store generation did not move) and
  its published version and files stay as they were;
* one index + filter: the one index is rebuilt (every collection's passages re-indexed and
  re-published, the cache sparing only the embedding);

and A's questions are asked on A's own searcher against the one index filtered to A's
articles (``SearchFilters(article_ids=...)``, as a collection filter would be). Five rounds,
the designs taking turns (load from elsewhere on the machine falls on both); medians.

    .venv/bin/python bench/collections.py [--b-synthetic N]

The embedding backend is the settings' (``ARTICLEQA_EMBEDDING_BACKEND``; onnx by default).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from articleqa import ArticleQA
from articleqa.config import Settings
from articleqa.embedding import load_embedder
from articleqa.models import RawArticle
from articleqa.search import SearchFilters

REALDOCS = Path("eval/realdocs")
SAMPLES = Path("articles")
ROUNDS = 5
NEW = RawArticle(
    title="Night ferry returns to the harbour",
    text="The night ferry between Lakeshore and Port Avery returns on 3 May after a two-year "
    "pause, the harbour authority said on Monday.",
)


def _fill_b(engine: ArticleQA, synthetic: int) -> None:
    """``articles/``, then ``synthetic`` made-up articles of words drawn (seeded) from the
    sample articles: distinct text, so no passage collapses into another's."""
    engine.add([str(SAMPLES)])
    words = sorted(
        {w for meta in engine.articles(0, 1000) for w in engine.get(meta.id).text.split()}
    )
    rng = random.Random(16)
    for n in range(synthetic):
        paragraphs = [
            " ".join(
                " ".join(rng.choices(words, k=rng.randint(8, 20))).capitalize() + "."
                for _ in range(5)
            )
            for _ in range(4)
        ]
        engine.add_raw(
            f"synthetic {n}", RawArticle(title=f"Synthetic {n}", text="\n\n".join(paragraphs))
        )


def _p50_ms(engine: ArticleQA, questions: list[str], filters: SearchFilters | None) -> float:
    """The median time of ``questions`` asked on ``engine``'s searcher (vectors given, so the
    model is not timed), after one warm pass."""
    searcher = engine.searcher
    vectors = engine.embedder.embed(questions)
    for question, vector in zip(questions, vectors, strict=True):
        searcher.ask(question, 3, filters, vector)
    times = []
    for question, vector in zip(questions, vectors, strict=True):
        started = time.perf_counter()
        searcher.ask(question, 3, filters, vector)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _rebuild_s(engine: ArticleQA, n: int) -> float:
    """Add the ``n``-th new article to ``engine``'s collection and time the build it needs."""
    engine.add_raw("new", RawArticle(title=f"{NEW.title} ({n})", text=f"{NEW.text} Day {n}."))
    started = time.perf_counter()
    engine.build()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--b-synthetic", type=int, default=0, help="made-up articles in B")
    args = parser.parse_args()
    questions = [q["question"] for q in json.loads((REALDOCS / "questions.json").read_text())]
    root = Path(tempfile.mkdtemp(prefix="articleqa-collections-"))
    # One model for both designs. Each design's first build embeds everything into its own
    # home's cache; the timed rebuilds embed only the new article.
    base = Settings().model_copy(update={"onnx_dir": root / "models"})
    embedder = load_embedder(base)

    per = ArticleQA(base, embedder=embedder, home=root / "per-collection")
    a, b = per.for_collection("a"), per.for_collection("b")
    a.add([str(REALDOCS / "docs")])
    _fill_b(b, args.b_synthetic)
    a.build()
    b.build()
    a_version = a.current_version()
    one = ArticleQA(base, embedder=embedder, home=root / "one-index")
    one.add([str(REALDOCS / "docs")])
    a_ids = frozenset(meta.id for meta in one.articles(0, 1000))
    _fill_b(one, args.b_synthetic)
    one.build()

    per_rebuilds, one_rebuilds, per_asks, filtered_asks = [], [], [], []
    for n in range(ROUNDS):
        per_rebuilds.append(_rebuild_s(b, n))
        one_rebuilds.append(_rebuild_s(one, n))
        per_asks.append(_p50_ms(a, questions, None))
        filtered_asks.append(_p50_ms(one, questions, SearchFilters(article_ids=a_ids)))
    a_current = a.status().up_to_date and a.current_version() == a_version
    a_passages = a.manifest().passage_count  # type: ignore[union-attr]
    b_passages = b.manifest().passage_count  # type: ignore[union-attr]
    one_passages = one.manifest().passage_count  # type: ignore[union-attr]

    print(
        f"A: eval/realdocs ({a_passages} passages); B: articles/ + {args.b_synthetic} made-up "
        f"({b_passages} passages after the new ones); embedder {embedder.name}; "
        f"medians of {ROUNDS} rounds"
    )
    print()
    print(
        "| design | after adding 1 article to B: rebuilt | seconds | A republished? "
        "| A's questions p50 ms |"
    )
    print("|---|---|---|---|---|")
    print(
        f"| one snapshot per collection | B ({b_passages} passages) | "
        f"{statistics.median(per_rebuilds):.2f} | no (A current: {a_current}) "
        f"| {statistics.median(per_asks):.2f} |"
    )
    print(
        f"| one index + collection filter | all ({one_passages} passages) | "
        f"{statistics.median(one_rebuilds):.2f} | yes | {statistics.median(filtered_asks):.2f} |"
    )


if __name__ == "__main__":
    main()
