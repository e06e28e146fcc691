"""Print each miss of a document set, question by question: for reading a development set's
misses (never a blind set's: see eval/HELDOUT.md).

The set's documents are read, indexed in a temporary home and asked every question twice: with
the abstention rules off, as `articleqa eval` ranks (is the gold answer in quote 1, and is it in
the highlight?), and as a user asks (is it answered at all, and does a gold answer ranked in the
first three quotes survive the abstention rules?). Unanswerable questions that are answered are
printed with their first quote.

    .venv/bin/python eval/misses.py /path/to/set            # docs/, docs.json, questions.json
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from articleqa.config import Settings
from articleqa.engine import ArticleQA
from articleqa.evaluation import contains_verbatim, load_document_set
from articleqa.ingest import read_file
from articleqa.models import RawArticle

_SHOWN = 240  # characters of a quote shown


def _short(text: str, limit: int = _SHOWN) -> str:
    return " ".join(text.split())[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("folder", type=Path)
    options = parser.parse_args()
    documents = load_document_set(options.folder)
    with tempfile.TemporaryDirectory(prefix="articleqa-misses-") as home:
        settings = Settings(home=Path(home))
        engine = ArticleQA(settings)
        for file in documents.groups:
            for label, raw in read_file(options.folder / "docs" / file, settings):
                if not isinstance(raw, RawArticle):
                    raise SystemExit(f"{label}: {raw}")
                engine.add_raw(file, raw)
        engine.build()
        snapshot = engine.index.load()
        ranking = engine.searcher_for(snapshot, abstain_threshold=-1e9, subject_check=False)
        asking = engine.searcher_for(snapshot)
        for question in documents.questions:
            quotes = ranking.ask(question.text, 10).quotes
            gold = next(
                (i for i, q in enumerate(quotes) if contains_verbatim(q.text, question.answers)),
                None,
            )
            highlight = quotes[0].highlight.text if quotes and quotes[0].highlight else ""
            misses = [] if gold == 0 else [f"quote {gold + 1 if gold is not None else '>10'}"]
            if gold == 0 and not contains_verbatim(highlight, question.answers):
                misses.append("highlight")
            asked = asking.ask(question.text, 3)
            if not asked.answered:
                misses.append("declined")
            elif (
                gold is not None
                and gold < 3
                and not any(contains_verbatim(q.text, question.answers) for q in asked.quotes)
            ):
                # Ranked among the first three but cut from a user's answer by the abstention
                # rules (each quote must clear the bar and name the question's subjects).
                misses.append("dropped as user")
            if not misses:
                continue
            print(f"\n[{', '.join(misses)}] {question.article}: {question.text}")
            print(f"  gold: {' | '.join(question.answers)}")
            if quotes:
                print(f"  quote 1: {_short(quotes[0].text)}")
                print(f"  highlight: {_short(highlight)}")
        for unanswerable in documents.unanswerable:
            answer = asking.ask(unanswerable.text, 3)
            if answer.answered:
                print(f"\n[{unanswerable.kind}, answered] {unanswerable.text}")
                print(f"  quote 1: {_short(answer.quotes[0].text)}")


if __name__ == "__main__":
    main()
