"""Issue 2's acceptance with the real model, on the seed-like sample written for this project.

The seed article itself lives in ../shared, which tests must not need; the sample
``articles/musk-putin-contact-report.txt`` carries the same facts and the same mess (a summary
with a repeated paragraph, a byline glued to a timestamp, short section headings).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from articleqa.cli.main import main
from articleqa.config import Settings
from articleqa.embedding import Embedder
from articleqa.indexer import Indexer
from articleqa.search import Searcher
from articleqa.service import ingest
from articleqa.snapshot import load_snapshot
from articleqa.store import ArticleStore
from tests.conftest import SAMPLE_ARTICLES

pytestmark = pytest.mark.model

SEED_LIKE = "musk-putin-contact-report.txt"
QUESTION = "What did Putin ask Musk about Taiwan?"
REPEATED = (
    "Putin is said to have asked Musk not to switch on Starlink over Taiwan, a favor to "
    "Chinese President Xi Jinping."
)


@dataclass
class Indexed:
    settings: Settings
    store: ArticleStore
    searcher: Searcher


def _index(home: Path, sources: list[Path], embedder: Embedder) -> Indexed:
    settings = Settings(home=home, _env_file=None)
    store = ArticleStore(home)
    outcomes = ingest([str(s) for s in sources], store, settings)
    assert [o.error for o in outcomes if o.failed] == []
    Indexer(settings, store, embedder).build()
    return Indexed(settings, store, Searcher(load_snapshot(home), embedder, settings))


@pytest.fixture(scope="module")
def seed_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("seed")
    return Path(shutil.copy(SAMPLE_ARTICLES / SEED_LIKE, folder / SEED_LIKE))


@pytest.fixture(scope="module")
def seed(
    tmp_path_factory: pytest.TempPathFactory, seed_copy: Path, real_embedder: Embedder
) -> Iterator[Indexed]:
    yield _index(tmp_path_factory.mktemp("seed-home"), [seed_copy], real_embedder)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Indexed:
    return _index(tmp_path_factory.mktemp("corpus-home"), [SAMPLE_ARTICLES], real_embedder)


def test_taiwan_question_is_answered_with_a_verbatim_quote(seed: Indexed) -> None:
    answer = seed.searcher.ask(QUESTION)

    assert answer.answered
    top = answer.quotes[0]
    article = seed.store.get(top.article.id)
    assert top.text == article.text[top.start : top.end]
    assert "Taiwan" in top.text and "Starlink" in top.text
    assert top.highlight is not None
    assert "Taiwan" in top.highlight.text
    assert any(verb in top.highlight.text for verb in ("not to activate", "not to switch on"))


def test_repeated_paragraph_is_one_passage(seed: Indexed) -> None:
    article = next(seed.store.iter_articles())
    assert article.text.count(REPEATED) == 2

    passages = load_snapshot(seed.settings.home).passages

    assert sum(REPEATED in p.text for p in passages) == 1


@pytest.mark.parametrize(
    "question",
    [
        QUESTION,
        "Who wrote this report?",
        "When was the article published?",
        "Marta Kovalenko 09:41 am Oct 25, 2024",
    ],
)
def test_byline_and_timestamp_are_never_quoted(seed: Indexed, question: str) -> None:
    answer = seed.searcher.ask(question, k=10)

    for quote in answer.quotes:
        assert "Kovalenko" not in quote.text
        assert "09:41" not in quote.text


def test_byline_becomes_the_author_and_its_stamp_leaves_the_text(seed: Indexed) -> None:
    # The byline without its stamp stays: "Who wrote this report?" is answered by quoting it.
    article = next(seed.store.iter_articles())

    assert article.author == "Marta Kovalenko"
    assert "09:41" not in article.text
    assert "\n\nBy Marta Kovalenko\n\n" in article.text


def test_acceptance_commands(tmp_path: Path, seed_copy: Path) -> None:
    """`articleqa add SEED && articleqa index && articleqa ask QUESTION --json`."""
    runner = CliRunner(env={"ARTICLEQA_EMBEDDING_BACKEND": "torch"})
    home = ["--home", str(tmp_path / "home")]

    added = runner.invoke(main, [*home, "add", str(seed_copy)])
    indexed = runner.invoke(main, [*home, "index", "--quiet"])
    asked = runner.invoke(main, [*home, "ask", QUESTION, "--json"])

    assert added.exit_code == 0, added.output
    assert indexed.exit_code == 0, indexed.output
    assert asked.exit_code == 0, asked.output
    payload = json.loads(asked.stdout)
    assert payload["answered"] is True
    top = payload["quotes"][0]
    text = ArticleStore(tmp_path / "home").get(top["article"]["id"]).text
    assert top["text"] == text[top["start"] : top["end"]]
    assert "Taiwan" in top["text"] and "Starlink" in top["text"]
    assert all("09:41" not in q["text"] for q in payload["quotes"])


def test_demo_question_over_the_sample_corpus(corpus: Indexed) -> None:
    answer = corpus.searcher.ask("Who won the regional science fair?")

    assert answer.answered
    top = answer.quotes[0]
    assert (
        top.article.title
        == "Westbrook student wins regional science fair with river-cleaning robot"
    )
    assert top.highlight is not None
    assert "Priya Raman" in top.highlight.text


def test_shared_wire_paragraph_is_quoted_once_with_both_sources(corpus: Indexed) -> None:
    answer = corpus.searcher.ask("What was the unemployment rate in the Lakeshore region?", k=3)

    wire = [q for q in answer.quotes if "regional statistics office" in q.text]
    assert len(wire) == 1
    sources = {wire[0].article.title, *(a.title for a in wire[0].also_in)}
    assert sources == {
        "Council approves Harbour Line tram extension after six-hour debate",
        "Halloran's to build second chocolate factory and hire 140",
    }
    assert "4.1 percent" in (wire[0].highlight.text if wire[0].highlight else "")


# Questions over the sample corpus with where their answer is found today: in quote 1's
# highlight, in quote 1, or in quotes 1-3. A change that moves one down is a regression.
SAMPLE_QUESTIONS = [
    ("How high did the Millrace rise?", "4.2 metres", "highlight"),
    ("Who won the regional science fair?", "Priya Raman", "highlight"),
    ("How much will the tram extension cost?", "148-million-euro", "quotes 1-3"),
    ("When will the first trams run on the extension?", "2029", "highlight"),
    ("How many people were rescued by boat?", "41 people", "highlight"),
    ("What did Putin ask Musk about Taiwan?", "Starlink", "highlight"),
    ("How much plastic did the robot collect?", "9.3 kilograms", "highlight"),
    ("When was the lifeboat built?", "1884", "highlight"),
    # Lost when quotes were cut to ~500 characters: the highlight picks "will not lose any of
    # its 310 jobs" and the quote no longer reaches back to the lead's "hire 140 people".
    ("How many jobs will the new chocolate factory create?", "140", "missed"),
    ("How much did the museum renovation cost?", "9.5 million euros", "highlight"),
    ("Who scored for Rovers after the break?", "Ciara Flynn", "quote 1"),
    ("How much rain fell on the hills?", "87 millimetres", "highlight"),
]


@pytest.mark.parametrize(("question", "answer", "found_in"), SAMPLE_QUESTIONS)
def test_sample_questions_find_their_answer(
    corpus: Indexed, question: str, answer: str, found_in: str
) -> None:
    quotes = corpus.searcher.ask(question, k=3).quotes

    assert quotes
    if found_in == "highlight":
        assert quotes[0].highlight is not None
        assert answer in quotes[0].highlight.text
    elif found_in == "quote 1":
        assert answer in quotes[0].text
    elif found_in == "missed":
        # Pinned so that a fix shows up here too: then pin where it is found.
        assert all(answer not in q.text for q in quotes)
    else:
        assert any(answer in q.text for q in quotes)
