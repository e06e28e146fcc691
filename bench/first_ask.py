"""The cost of a question asked for the first time (the searcher's per-passage caches cold).

Indexes a document set (default eval/realdocs), then asks each of its questions once on a new
searcher, three times over; prints the median per run and a digest of the answers, so that two
trees can be compared for speed and for giving the same answers:

    .venv/bin/python bench/first_ask.py [DIR]
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

from articleqa.config import Settings
from articleqa.embedding import load_embedder
from articleqa.evaluation import _Index, _read_documents, load_document_set


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "eval/realdocs")
    settings = Settings()
    embedder = load_embedder(settings)
    documents = load_document_set(folder)
    raws = _read_documents(documents, settings)
    index = _Index(list(raws.items()), settings, embedder, Path(tempfile.mkdtemp()))
    questions = [q.text for q in documents.questions] + [u.text for u in documents.unanswerable]
    vectors = embedder.embed(questions)
    medians: list[float] = []
    answers: list[object] = []
    for _ in range(3):
        searcher = index.searcher()  # new caches: every question is asked for the first time
        times: list[float] = []
        answers = []
        for question, vector in zip(questions, vectors, strict=True):
            started = time.perf_counter()
            answer = searcher.ask(question, 3, query_vector=vector)
            times.append((time.perf_counter() - started) * 1000)
            answers.append(
                (
                    answer.answered,
                    [(q.start, q.end, q.highlight and q.highlight.start) for q in answer.quotes],
                )
            )
        medians.append(statistics.median(times))
    digest = hashlib.md5(str(answers).encode(), usedforsecurity=False).hexdigest()[:12]
    print("| questions | first-ask p50 ms (3 runs) | answers digest |")
    print("|---|---|---|")
    print(f"| {len(questions)} | {' / '.join(f'{m:.2f}' for m in medians)} | {digest} |")
    index.close()


if __name__ == "__main__":
    main()
