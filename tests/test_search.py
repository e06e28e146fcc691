"""Searcher over a real snapshot built with the fake embedder: the quote contract, filters,
per-article limits, collapsing of overlaps and duplicates, abstention, input checks.

Tests taking ``settings`` run on both backends (the data directory and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest

from articleqa import retrieval, search
from articleqa.config import Settings
from articleqa.embedding import Embedder, FakeEmbedder
from articleqa.engine import ArticleQA
from articleqa.errors import InvalidInput, NoArticles
from articleqa.ingest.html import read_html
from articleqa.ingest.man import read_man
from articleqa.ingest.markdown import read_markdown
from articleqa.ingest.mdoc import read_manual_page
from articleqa.ingest.prepare import prepare_article
from articleqa.ingest.text import read_text
from articleqa.lexical import question_terms, terms
from articleqa.models import Answer, RawArticle
from articleqa.passages import Span
from articleqa.question import QuestionInfo, read_question
from articleqa.search import (
    Candidate,
    Searcher,
    SearchFilters,
    _answer_extent,
    _finished,
    _run_on,
    _surest,
    _with_answer_of_kind,
    _with_described_setting,
    _with_short_completion,
    sentence_scores,
)
from articleqa.sentence_files import dequantise, quantise
from articleqa.service import ingest
from articleqa.store import ArticleStore
from tests.conftest import SAMPLE_ARTICLES

QUESTIONS = [
    "Who won the regional science fair?",
    "What did Putin ask Musk about Taiwan?",
    "How high did the Millrace river rise during Storm Bronagh?",
    "What was the unemployment rate in the Lakeshore region?",
    "Who scored the winning header for Lakeshore Rovers?",
    "How long do patients wait for a heart assessment?",
]


@pytest.fixture
def settings(backend_settings: Settings) -> Settings:
    return backend_settings


@pytest.fixture
def store(settings: Settings) -> ArticleStore:
    store = ArticleQA(settings).store
    assert not any(o.failed for o in ingest([str(SAMPLE_ARTICLES)], store, settings))
    return store


def _searcher(settings: Settings, store: ArticleStore, **overrides: object) -> Searcher:
    engine = ArticleQA(settings, embedder=FakeEmbedder())
    engine.build()
    return engine.searcher_for(engine.index.load(), **overrides)


def _store_of(settings: Settings, *articles: tuple[str, str]) -> ArticleStore:
    """A store holding the given (title, text) articles."""
    store = ArticleQA(settings).store
    for title, text in articles:
        store.upsert(prepare_article(RawArticle(title=title, text=text)))
    return store


def _searcher_over(
    settings: Settings, embedder: Embedder, raw: RawArticle
) -> tuple[Searcher, ArticleStore]:
    """A searcher over one article read as a user's file would be, with ``embedder``."""
    engine = ArticleQA(settings, embedder=embedder)
    engine.store.upsert(prepare_article(raw))
    engine.build()
    return engine.searcher_for(engine.index.load()), engine.store


def _top_highlight(answer: Answer, store: ArticleStore) -> str:
    """The first quote's highlight, once the answer is checked against the store (every quote
    verbatim)."""
    highlight = answer.quotes[0].highlight
    assert highlight is not None
    _assert_contract(answer, store)
    return highlight.text


def _ask_markdown(settings: Settings, page: str, question: str) -> tuple[Answer, ArticleStore]:
    """The top quote's answer to ``question`` over one Markdown page (the test embedder)."""
    searcher, store = _searcher_over(settings, FakeEmbedder(), read_markdown(page, None))
    return searcher.ask(question, k=1), store


def _searcher_of(settings: Settings, title: str, text: str) -> Searcher:
    """A searcher over one article, answering whatever its similarity (the subject check on)."""
    return _searcher(settings, _store_of(settings, (title, text)), abstain_threshold=-1.0)


def _searcher_past_the_opening(
    settings: Settings, title: str, opening: str, filler: str, body: str
) -> Searcher:
    """A searcher over one article whose ``body`` stands past its opening (what the subject
    check reads as what the article is about), 30 sentences of ``filler`` between."""
    padding = " ".join(f"{filler}, part {n}." for n in range(30))
    return _searcher_of(settings, title, f"{opening}\n\n{padding}\n\n{body}")


def _ask_man(home: Path, page: str, question: str) -> tuple[Answer, ArticleStore]:
    """The top quote's answer to ``question`` over one man page (the test embedder)."""
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    searcher, store = _searcher_over(settings, FakeEmbedder(), read_man(page, None))
    return searcher.ask(question, k=1), store


def _highlight_in(
    settings: Settings, embedder: Embedder, title: str, text: str, question: str
) -> str:
    """The top quote's highlight for ``question`` over one plain-text article, its quotes
    checked against the answer contract."""
    searcher, store = _searcher_over(settings, embedder, RawArticle(title=title, text=text))
    answer = searcher.ask(question, k=1)
    _assert_contract(answer, store)
    highlight = answer.quotes[0].highlight
    assert highlight is not None
    return highlight.text


def _id_of(store: ArticleStore, title_start: str) -> str:
    return next(a.id for a in store.list() if a.title.startswith(title_start))


def _assert_contract(answer: Answer, store: ArticleStore) -> None:
    for quote in answer.quotes:
        text = store.get(quote.article.id).text
        assert quote.text == text[quote.start : quote.end]
        if quote.highlight is None:
            # Only when no sentence of the quote shares a word with the question.
            assert set(question_terms(answer.question)).isdisjoint(terms(quote.text))
            continue
        assert quote.start <= quote.highlight.start < quote.highlight.end <= quote.end
        assert quote.highlight.text == text[quote.highlight.start : quote.highlight.end]
        assert quote.highlight.text in quote.text


@pytest.mark.parametrize("question", QUESTIONS)
def test_quotes_are_verbatim_slices_with_a_highlight_inside(
    settings: Settings, store: ArticleStore, question: str
) -> None:
    searcher = _searcher(settings, store)

    answer = searcher.ask(question, k=5)

    assert answer.answered
    assert 1 <= len(answer.quotes) <= 5
    assert answer.index_version == searcher.snapshot.version
    assert answer.took_ms >= 0
    assert answer.quotes[0].highlight is not None
    _assert_contract(answer, store)
    scores = [q.score for q in answer.quotes]
    assert scores == sorted(scores, reverse=True)


def test_the_demo_question_finds_the_science_fair_winner(
    settings: Settings, store: ArticleStore
) -> None:
    answer = _searcher(settings, store).ask("Who won the regional science fair?")

    top = answer.quotes[0]
    assert top.article.title.startswith("Westbrook student wins regional science fair")
    assert top.highlight is not None
    assert "Priya Raman" in top.highlight.text


def test_headings_are_context_not_quoted(settings: Settings, store: ArticleStore) -> None:
    answer = _searcher(settings, store).ask("What did Putin reportedly ask about Taiwan?", k=5)

    for quote in answer.quotes:
        assert "What Putin reportedly asked about Taiwan" not in quote.text
    taiwan = next(q for q in answer.quotes if "Taiwan" in q.text)
    assert taiwan.heading == "Favor for Beijing: What Putin reportedly asked about Taiwan"


def test_filter_by_article_id(settings: Settings, store: ArticleStore) -> None:
    storm = _id_of(store, "Storm Bronagh")
    searcher = _searcher(settings, store)

    answer = searcher.ask(
        "Who won the regional science fair?", k=5, filters=SearchFilters(frozenset({storm}))
    )

    assert answer.quotes
    assert {q.article.id for q in answer.quotes} == {storm}
    _assert_contract(answer, store)


def test_filter_picks_the_matching_source_of_a_shared_passage(
    settings: Settings, store: ArticleStore
) -> None:
    tram = _id_of(store, "Council approves Harbour Line")
    business = _id_of(store, "Halloran's")
    searcher = _searcher(settings, store)
    question = "What was the unemployment rate in the Lakeshore region?"

    unfiltered = searcher.ask(question, k=1).quotes[0]
    only_tram = searcher.ask(question, k=1, filters=SearchFilters(frozenset({tram}))).quotes[0]

    assert {unfiltered.article.id, *(a.id for a in unfiltered.also_in)} == {tram, business}
    assert only_tram.article.id == tram
    # The section's heading above it is quoted too ("The wider economy").
    assert only_tram.text.endswith("rather than in the rural west of the region.")
    assert "The regional statistics office said on Tuesday" in only_tram.text
    assert only_tram.text == store.get(tram).text[only_tram.start : only_tram.end]


def test_filter_by_publication_date(settings: Settings, store: ArticleStore) -> None:
    searcher = _searcher(settings, store)
    since, until = dt.date(2026, 9, 1), dt.date(2026, 10, 20)

    answer = searcher.ask(
        "What happened in Lakeshore?",
        k=10,
        filters=SearchFilters(published_since=since, published_until=until),
    )

    assert answer.quotes
    for quote in answer.quotes:
        assert quote.article.published is not None
        assert since <= quote.article.published <= until
    assert {q.article.title for q in answer.quotes} <= {
        "Council approves Harbour Line tram extension after six-hour debate",
        "Lakeshore Rovers clinch first league title in 31 years",
    }


def test_filter_that_matches_nothing_abstains(settings: Settings, store: ArticleStore) -> None:
    answer = _searcher(settings, store).ask(
        "Who won?", filters=SearchFilters(published_since=dt.date(2030, 1, 1))
    )

    assert not answer.answered
    assert answer.quotes == []


@pytest.mark.parametrize("limit", [1, 2])
def test_at_most_a_few_quotes_per_article(
    settings: Settings, store: ArticleStore, limit: int
) -> None:
    searcher = _searcher(settings, store, max_quotes_per_article=limit)

    for question in QUESTIONS:
        answer = searcher.ask(question, k=10)
        per_article = [q.article.id for q in answer.quotes]
        assert max(per_article.count(a) for a in per_article) <= limit


def _overlapping_store(settings: Settings) -> ArticleStore:
    """One long paragraph: with small passages it splits inside, so neighbours overlap."""
    sentences = [
        f"The harbour ferry number {n} left the quay at {n} o'clock with {n * 7} passengers aboard."
        for n in range(1, 13)
    ]
    store = ArticleQA(settings).store
    store.upsert(prepare_article(RawArticle(title="Ferry log", text=" ".join(sentences))))
    store.upsert(
        prepare_article(
            RawArticle(
                title="Unrelated",
                text="The museum reopened with a lifeboat built in 1884 at its heart.",
            )
        )
    )
    return store


def test_overlapping_passages_collapse_into_non_overlapping_quotes(home: Path) -> None:
    settings = Settings(
        home=home,
        embedding_backend="fake",
        passage_min_words=20,
        passage_max_words=40,
        max_quotes_per_article=10,
        _env_file=None,
    )
    store = _overlapping_store(settings)
    searcher = _searcher(settings, store)
    spans = [tuple(p.spans[0][1:]) for p in searcher.snapshot.passages if p.context == "Ferry log"]
    assert any(a[1] > b[0] for a, b in itertools.pairwise(sorted(spans))), "no overlap to collapse"

    answer = searcher.ask("Which harbour ferry left the quay with passengers aboard?", k=10)

    ferry = sorted((q.start, q.end) for q in answer.quotes if q.article.title == "Ferry log")
    assert len(ferry) >= 2
    for (_, end), (start, _) in itertools.pairwise(ferry):
        assert end <= start, "overlapping quotes from one article"
    _assert_contract(answer, store)


def test_near_duplicate_passages_in_two_articles_are_quoted_once(home: Path) -> None:
    settings = Settings(home=home, embedding_backend="fake", _env_file=None)
    wire = (
        "The national weather service said 87 millimetres of rain fell on the hills above the "
        "town in 24 hours, more than the usual total for the whole of November, and gusts of "
        "112 kilometres per hour were measured at the harbour lighthouse shortly after midnight."
    )
    store = ArticleStore(home)
    for title, text in [
        ("Storm report", wire),
        ("Storm report, later edition", wire.replace("shortly after", "just after")),
        ("Council news", "The council approved a new budget for the harbour on Monday."),
    ]:
        store.upsert(prepare_article(RawArticle(title=title, text=text)))
    searcher = _searcher(settings, store)
    assert searcher.snapshot.passage_count == 3

    answer = searcher.ask("How much rain fell on the hills above the town?", k=3)

    assert sum("millimetres of rain" in q.text for q in answer.quotes) == 1


def test_abstains_below_the_threshold(settings: Settings, store: ArticleStore) -> None:
    answer = _searcher(settings, store, abstain_threshold=100.0).ask(QUESTIONS[0])

    assert not answer.answered
    assert answer.quotes == []
    assert answer.message


def test_every_quote_clears_the_evidence_bar_on_its_own(
    settings: Settings, store: ArticleStore
) -> None:
    question = QUESTIONS[0]
    everything = _searcher(settings, store, abstain_threshold=-1e9)
    candidates = everything.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())
    scores = sorted((everything.evidence([c]) for c in candidates), reverse=True)
    # A bar between the best passage and the runners-up: only the best may be quoted.
    bar = (scores[0] + scores[1]) / 2
    assert len(everything.ask(question, k=5).quotes) == 5

    answer = _searcher(settings, store, abstain_threshold=bar).ask(question, k=5)

    assert answer.answered
    assert len(answer.quotes) == 1
    assert "Priya Raman" in answer.quotes[0].text


def test_a_sentence_sharing_only_question_words_earns_no_sentence_bonus(home: Path) -> None:
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    wall = (
        "The new flood wall along Quay Road held back the river for most of the night. "
        '"The wall did exactly what it was designed to do," the engineer said.'
    )
    gauge = (
        "Storm Bronagh pushed the Millrace River to 4.2 metres at the Mill Street gauge, "
        "the highest level recorded there since 1998."
    )
    searcher = _searcher(
        settings, _store_of(settings, ("Flood wall", wall), ("River gauge", gauge))
    )
    question = "How high did the Millrace rise?"

    ranked = searcher.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())

    by_text = {searcher.snapshot.passages[c.ordinal].text: c for c in ranked}
    assert by_text[wall].sentence == 0.0  # it shares "did", and "how" nowhere
    assert by_text[gauge].sentence > 0.0
    answer = searcher.ask(question, k=1)
    assert answer.quotes[0].text == gauge


def test_empty_store_is_not_indexed_and_an_emptied_index_says_so(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    # Issue 15, item 9: no 0-article snapshot "not answering"; "no articles yet" instead.
    with pytest.raises(NoArticles, match="no articles yet"):
        ArticleQA(settings, embedder=fake_embedder).build()


def test_a_lone_question_answers_alike_with_its_look_ups_on_two_threads(
    settings: Settings, store: ArticleStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample questions, asked by two searchers of the same snapshot: one whose look-ups
    # keep to the asking thread, one whose vectors are searched on the helper while the
    # asking thread reads the question, sums BM25 and reads BM25's best vectors ahead.
    calls: list[str] = []
    at_once = retrieval.SnapshotRetriever.at_once

    def counted(self: retrieval.SnapshotRetriever, *args: object) -> object:
        calls.append("at once")
        return at_once(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(retrieval.SnapshotRetriever, "at_once", counted)
    monkeypatch.setattr(retrieval, "_CORES", 2)
    # An IVF shortlist, as above ``ann_threshold``: exact search keeps to the asking thread.
    engine = ArticleQA(settings.model_copy(update={"index_type": "ivf"}), embedder=FakeEmbedder())
    engine.build()
    answers = {}
    for spare in (False, True):
        monkeypatch.setattr(retrieval, "_core_to_spare", lambda spare=spare: spare)
        searcher = engine.searcher_for(engine.index.load())
        answers[spare] = [
            searcher.ask(q).model_dump(mode="json", exclude={"took_ms"}) for q in QUESTIONS
        ]
    # PostgreSQL's BM25 scores the dense ordinals: its look-ups stay one after the other.
    embedded = isinstance(searcher.retriever, retrieval.SnapshotRetriever)
    assert len(calls) == (len(QUESTIONS) if embedded else 0)
    assert answers[True] == answers[False]


@pytest.mark.parametrize(
    ("question", "k"),
    [("", None), ("   ", None), ("x" * 1001, None), ("Who won?", 11)],
)
def test_invalid_questions(
    settings: Settings, store: ArticleStore, question: str, k: int | None
) -> None:
    searcher = _searcher(settings, store)

    with pytest.raises(InvalidInput):
        searcher.ask(question, k=k)


def test_default_k_comes_from_the_settings(settings: Settings, store: ArticleStore) -> None:
    answer = _searcher(settings, store, default_k=2).ask("What happened in Lakeshore?")

    assert len(answer.quotes) == 2


@pytest.mark.parametrize("k", [0, -1, 11])
def test_k_outside_one_to_ten_is_refused(settings: Settings, store: ArticleStore, k: int) -> None:
    with pytest.raises(InvalidInput):
        _searcher(settings, store).ask(QUESTIONS[0], k=k)


@pytest.mark.parametrize("question", QUESTIONS)
def test_quotes_cut_around_the_highlight_stay_verbatim(
    settings: Settings, store: ArticleStore, question: str
) -> None:
    whole = _searcher(settings, store, quote_chars=0).ask(question, k=3)
    cut = _searcher(settings, store, quote_context_sentences=1).ask(question, k=3)
    _assert_contract(cut, store)
    for full_quote, short_quote in zip(whole.quotes, cut.quotes, strict=True):
        assert short_quote.highlight == full_quote.highlight
        assert full_quote.start <= short_quote.start <= short_quote.end <= full_quote.end
        assert len(short_quote.text) <= len(full_quote.text)


@pytest.mark.parametrize("question", QUESTIONS)
def test_quotes_stay_within_the_character_budget_around_the_highlight(
    settings: Settings, store: ArticleStore, question: str
) -> None:
    whole = _searcher(settings, store, quote_chars=0).ask(question, k=3)
    cut = _searcher(settings, store, quote_chars=120).ask(question, k=3)
    _assert_contract(cut, store)
    for full_quote, short_quote in zip(whole.quotes, cut.quotes, strict=True):
        assert full_quote.start <= short_quote.start <= short_quote.end <= full_quote.end
        if short_quote.highlight is not None:
            h = short_quote.highlight
            assert short_quote.start <= h.start <= h.end <= short_quote.end
        # Only the answering sentence(s) may make a quote longer than the budget.
        assert len(short_quote.text) <= 120 or (
            (
                short_quote.highlight is not None
                and short_quote.text.startswith(short_quote.highlight.text)
            )
            or (
                short_quote.highlight is not None
                and short_quote.text.endswith(short_quote.highlight.text)
            )
            or len(short_quote.text) < len(full_quote.text)
        )


def test_sentence_rerank_prefers_the_passage_with_one_sentence_answering(
    settings: Settings,
) -> None:
    spread = (
        "The harbour committee met on Monday. Ferries were discussed at length. "
        "Later the weather turned. The timetable for winter will change. "
        "Nobody mentioned the lighthouse keeper."
    )
    focused = (
        "The lighthouse keeper changed the winter ferry timetable on Monday. "
        "The committee was not consulted. Several captains complained afterwards."
    )
    store = _store_of(settings, ("Committee notes", spread), ("Keeper decides", focused))
    question = "Who changed the winter ferry timetable?"
    without = _searcher(settings, store, sentence_weight=0.0, bm25_weight=0.0)
    with_rerank = _searcher(settings, store, sentence_weight=5.0, bm25_weight=0.0)
    top = with_rerank.ask(question, k=1).quotes[0]
    assert top.article.title == "Keeper decides"
    assert top.highlight is not None
    assert top.highlight.text.startswith("The lighthouse keeper changed")
    # The bonus is what moved it: the scores differ by the sentence term only.
    assert without.ask(question, k=1).quotes[0].score < top.score


MARSEILLE = (
    "Marseille council votes on tram",
    "The Marseille city council voted 41 to 20 on Tuesday to extend the tram line to the "
    "northern districts. Work starts in March and the line opens in 2029.",
)


def test_a_question_about_a_subject_no_article_names_is_declined(settings: Settings) -> None:
    # Two cities' articles read alike; one about Marseille does not answer one about Lyon,
    # however close the meaning (the fake embedder never abstains on similarity).
    store = _store_of(settings, MARSEILLE)
    searcher = _searcher(settings, store)

    declined = searcher.ask("When does the Lyon tram line open?")
    answered = searcher.ask("When does the Marseille tram line open?")
    misspelt = searcher.ask("When does the Marsielle tram line open?")

    assert not declined.answered and declined.quotes == []
    # The reader is told what the articles lack, in the question's own words.
    assert declined.message == (
        "The indexed articles do not answer this question: no passage close to it mentions “Lyon”."
    )
    assert answered.answered and "2029" in answered.quotes[0].text
    assert misspelt.answered  # a typo in a name is still that name


def test_a_question_s_word_is_named_by_the_word_it_is_made_from(settings: Settings) -> None:
    # runit's FAQ says "distribute", sysstat's "easier reading" and "overwriting": the
    # questions' "redistribute", "readable" and "overwritten" were declined as unnamed.
    store = _store_of(
        settings,
        (
            "Frequently asked questions about runit",
            "I would like to distribute runit, in source and binary form. Am I allowed to do "
            "so? Answer: runit is free software, it's licensed under a three-clause BSD alike "
            "license.\n\nTo prevent sar from overwriting any existing files, set the variable "
            "HISTORY to the number of days during which data must be kept.",
        ),
    )
    searcher = _searcher(settings, store)

    licence = searcher.ask("Under what kind of licence may I redistribute runit?")
    history = searcher.ask(
        "Which setting decides how many days of sar data are kept before old files are overwritten?"
    )
    unnamed = searcher.ask("Under what kind of licence may I preload runit?")

    assert licence.answered and "three-clause BSD" in licence.quotes[0].text
    assert history.answered and "HISTORY" in history.quotes[0].text
    assert not unnamed.answered  # "preload": no word it is made from is there


def test_a_listed_path_that_names_the_subject_answers_where_a_file_is(tmp_path: Path) -> None:
    # tinyproxy(8) says where its PID file is only in the paths under FILES: a list of short
    # items was read as references, and "Where does tinyproxy keep its PID file?" declined.
    page = (
        ".TH TINYPROXY 8\n.SH NAME\ntinyproxy \\- A light-weight HTTP proxy daemon\n"
        ".SH DESCRIPTION\ntinyproxy is a light-weight HTTP proxy daemon designed to consume "
        "a minimum amount of system resources.\n"
        ".SH FILES\n`/etc/tinyproxy/tinyproxy.conf`, `/var/run/tinyproxy/tinyproxy.pid`, "
        "`/var/log/tinyproxy/tinyproxy.log`\n"
        ".SH SEE ALSO\nsquid(8), sed(1), httpd(8)\n"
    )

    answer, _store = _ask_man(tmp_path, page, "Where does tinyproxy keep its PID file?")

    assert answer.answered and "/var/run/tinyproxy/tinyproxy.pid" in answer.quotes[0].text
    # A reference is still no answer: "sed(1)" holds code, but names sed only to point at it;
    # nor is a longer item ("the -E option of grep(1)" in awk's page, for grep's options).
    sed = read_question("Which sed command prints line numbers?")
    grep = read_question("Which grep option selects non-matching lines?")
    assert not search._item_answers(sed, "sed(1)")
    assert not search._item_answers(grep, "AWK uses it as with the -E option of grep")


def test_who_wrote_a_program_is_answered_by_its_manual_s_author_section(
    tmp_path: Path, real_embedder: Embedder
) -> None:
    # xwallpaper(1) names its author only under AUTHOR, beside nothing else: "Who wrote
    # xwallpaper?" quoted BUGS' issue tracker, whose address holds the author's login.
    page = (
        ".Dd March 1, 2022\n.Dt XWALLPAPER 1\n.Sh NAME\n.Nm xwallpaper\n.Nd wallpaper setting "
        "utility for X\n.Sh DESCRIPTION\nThe\n.Nm\nprogram allows you to set image files as "
        "your X wallpaper. PNG file format is supported by default and preferred, but optional "
        "JPEG support exists as well.\n.Sh EXAMPLES\nTiles a PNG file as a wallpaper across "
        "all outputs:\n.Dl $ xwallpaper --tile file.png\n.Sh BUGS\nUse the GitHub issue "
        "tracker:\n.Lk https://github.com/stoeckmann/xwallpaper/issues\n"
        ".Sh AUTHOR\n.An Tobias Stockmann Aq Mt tobias@stoeckmann.org\n"
    )
    settings = Settings(home=tmp_path, _env_file=None)  # type: ignore[call-arg]
    searcher, _store = _searcher_over(settings, real_embedder, read_manual_page(page, None))
    answer = searcher.ask("Who wrote xwallpaper?", k=1)
    info = read_question("Who wrote xwallpaper?")
    author, bugs = (
        next(i for i, p in enumerate(searcher.snapshot.passages) if word in p.text)
        for word in ("Tobias", "tracker")
    )

    assert answer.answered and "Tobias Stockmann" in answer.quotes[0].text
    # Put first among its article's passages however it ranks (with eleven other manuals
    # indexed it was ninth, under BUGS), as a sentence crediting someone with it would be.
    assert searcher._credits_the_subject(info, author)
    assert not searcher._credits_the_subject(info, bugs)


def test_which_release_is_not_answered_where_no_release_is_named(settings: Settings) -> None:
    # Waitress's docs say "Compatibility with Python 2 was removed." and not in which release.
    store = _store_of(
        settings,
        (
            "Waitress documentation",
            "Waitress is a WSGI server. Compatibility with Python 2 was removed. It runs on "
            "CPython and PyPy.",
        ),
    )
    unnamed = _searcher(settings, store).ask("Which waitress release dropped Python 2?")
    named = _store_of(
        settings,
        ("Waitress changes", "Waitress 2.0.0 removed compatibility with Python 2."),
    )
    answer = _searcher(settings, named).ask("Which waitress release dropped Python 2?")

    assert not unnamed.answered
    assert answer.answered and "2.0.0" in answer.quotes[0].text


def test_an_adjective_or_verb_beside_a_name_need_not_be_named(settings: Settings) -> None:
    # libtiff's guide says the tile width "must each be a multiple of 16": "What must ... be
    # divisible by?" was declined as naming "divisible"; skalibs' page says the trick was
    # "invented by DJB", not what "automates" it.
    store = _store_of(
        settings,
        (
            "Using The TIFF Library",
            "All the tiles in a TIFF image have the same size, and the tile width and length "
            "must each be a multiple of 16 pixels.\n\nAnd that's exactly what the self-pipe "
            "trick of the selfpipe library, invented by DJB, does.",
        ),
    )
    searcher = _searcher(settings, store)

    divisible = searcher.ask("What must the width and length of a TIFF tile be divisible by?")
    automates = searcher.ask("Who came up with the self-pipe trick that selfpipe automates?")
    # A noun is what a question is about, and so is a name: both must still be named.
    noun = searcher.ask("What must the width of a TIFF thumbnail be?")
    name = searcher.ask("What must the width and length of a BigTIFF tile be divisible by?")

    assert divisible.answered and "multiple of 16" in divisible.quotes[0].text
    assert automates.answered and "DJB" in automates.quotes[0].text
    assert not noun.answered and "thumbnail" in (noun.message or "")
    assert not name.answered and "BigTIFF" in (name.message or "")


def test_a_verb_is_still_needed_when_the_question_names_nothing_else() -> None:
    # With no name beside it, the verb is all that says what the question is about.
    assert read_question("From which level does waitress emit log messages?").descriptive == (
        frozenset()
    )
    # A verb's bare form may be a program's name ("pip"), and what the asker does is what a
    # how-to says ("configure").
    assert read_question("How do I configure pip to use an HTTP proxy?").descriptive == (
        frozenset()
    )
    assert read_question("How do I make pip use an HTTP proxy?").descriptive == frozenset()


def test_the_verb_of_the_question_s_subject_need_not_be_named(settings: Settings) -> None:
    # NumExpr's README says it "achieves better performance than NumPy": "Why does NumExpr
    # outperform NumPy?" was declined as naming "outperform".
    store = _store_of(
        settings,
        (
            "NumExpr",
            "The main reason why NumExpr achieves better performance than NumPy is that it "
            "avoids allocating memory for intermediate results. Due to this, NumExpr works "
            "best with large arrays.",
        ),
    )
    searcher = _searcher(settings, store, abstain_threshold=-1.0)

    answer = searcher.ask("Why does NumExpr outperform plain NumPy on big arrays?")

    assert read_question("Why does NumExpr outperform NumPy?").descriptive == {
        frozenset(terms("outperform"))
    }
    assert answer.answered and "intermediate results" in answer.quotes[0].text


# Tram news of a dozen cities, each line naming its city: the fake embedder finds them all
# close to any tram question, so a subject none of them names is asked of each in the walk.
TRAMS = [
    (
        f"{city} council votes on tram",
        f"The {city} city council voted on Tuesday to extend the tram line to the northern "
        f"districts of {city}. Work on the systemd-driven signals starts in March; the line "
        f"opens in {2020 + n}. See RFC{8870 + n} for the {city.lower()}_signals format.",
    )
    for n, city in enumerate(
        [
            "Marseille",
            "Grenoble",
            "Bordeaux",
            "Toulouse",
            "Nantes",
            "Rennes",
            "Reims",
            "Dijon",
            "Angers",
            "Brest",
            "Tours",
            "Nancy",
            "Metz",
            "Caen",
        ]
    )
]
TRAM_QUESTIONS = [
    "When does the Lyon tram line open?",  # named by no article
    "When does the Marsielle tram line open?",  # misspelt: one article names it
    "When does the Grenoble tram line open?",
    "When does the Grenble and Nantes tram line open?",
    "When does the Lyon and Caen tram line open?",  # one subject named, one not
    "Which RFC documents the Marseille signals format?",  # typed: "RFC8870"
    "Which RFC9999 section covers the tram?",  # typed, named by none
    "How does systemd drive the Dijon signals?",  # lower case: typed as it is spelt
    "How does systemdd drive the tram signals?",  # a slip of it
    "How does zmqd drive the tram signals?",  # lower case, named by none
    "When do the tram works start in Mrch?",
]


def test_a_subject_no_candidate_names_is_asked_of_them_at_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    searcher = _searcher(settings, _store_of(settings, *TRAMS))
    asked: list[int] = []
    covers = Searcher._covers_names

    def counted(self: Searcher, info: QuestionInfo, ordinal: int) -> bool:
        asked.append(ordinal)
        return covers(self, info, ordinal)

    monkeypatch.setattr(Searcher, "_covers_names", counted)
    declined = searcher.ask("When does the Lyon tram line open?")

    assert not declined.answered
    assert declined.message is not None and "“Lyon”" in declined.message
    # The walk asked a few candidates in turn, then all the rest at once (none names Lyon):
    # each of the fourteen articles was asked before.
    assert len(asked) < len(TRAMS)
    assert len(asked) == search._UNNAMED_BEFORE_UNION
    # Asked again, the same candidates: their words are not read again.
    read: list[int] = []
    vocabularies = Searcher._vocabularies

    def reading(self: Searcher, candidates: list[search.Candidate]) -> frozenset[str]:
        read.append(len(candidates))
        return vocabularies(self, candidates)

    monkeypatch.setattr(Searcher, "_vocabularies", reading)
    assert searcher.ask("When does the Lyon tram line open?").message == declined.message
    assert read == []


def test_the_subject_asked_of_all_candidates_at_once_answers_as_the_walk(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store_of(settings, *TRAMS, *(("Plain", t) for t in TEXTS_WITHOUT_NAMES))
    engine = ArticleQA(settings, embedder=FakeEmbedder())
    engine.build()
    searcher = engine.searcher_for(engine.index.load())
    asked = [*TRAM_QUESTIONS, *QUESTIONS]
    # The union at the first candidate not naming the subjects, and never (the walk alone).
    answers = {}
    for first in (1, 10**9):
        monkeypatch.setattr(search, "_UNNAMED_BEFORE_UNION", first)
        fresh = engine.searcher_for(engine.index.load())
        answers[first] = [fresh.ask(q).model_dump(exclude={"took_ms"}) for q in asked]
    assert answers[1] == answers[10**9]
    assert sum(not a["answered"] for a in answers[1]) >= 4

    named_by_none = set()
    for question in asked:
        info = read_question(question)
        close = searcher.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())
        for rest in (close, close[3:], close[-2:]):
            # Every word the walk may search for these candidates, no more.
            words: set[str] = set()
            for candidate in rest:
                passage = searcher.snapshot.passages[candidate.ordinal]
                words |= searcher._words(candidate.ordinal).all_terms
                words |= searcher._line_terms(passage.context)
                for article_id, _start, _end in passage.spans:
                    words |= searcher._about_terms(article_id)
            assert searcher._vocabularies(rest) - {""} == words
            # Named by none of them: none of them covers the question's names.
            if searcher._named_by_none(info, rest):
                if rest is close:
                    named_by_none.add(question)
                assert not any(searcher._covers_names(info, c.ordinal) for c in rest)
    # Each kind of subject named by none of the candidates, and the others named.
    assert {
        "When does the Lyon tram line open?",
        "When does the Lyon and Caen tram line open?",
        "Which RFC9999 section covers the tram?",
        "How does zmqd drive the tram signals?",
    } <= named_by_none
    assert (
        not {
            "When does the Marsielle tram line open?",
            "When does the Grenoble tram line open?",
            "Which RFC documents the Marseille signals format?",
            "How does systemd drive the Dijon signals?",
            "How does systemdd drive the tram signals?",
        }
        & named_by_none
    )


TEXTS_WITHOUT_NAMES = [
    "The river rose two metres overnight and the lower town was flooded by morning.",
    "Heart assessments now take eleven weeks, down from fourteen last spring.",
]


def test_a_passing_mention_later_in_an_article_does_not_cover_a_subject(
    settings: Settings,
) -> None:
    filler = " ".join(
        f"The awk language reads records and splits them into fields number {n}." for n in range(30)
    )
    store = _store_of(
        settings,
        (
            "mawk manual",
            f"mawk is an interpreter for the AWK language.\n\n{filler}\n\n"
            "See also grep and sed for searching text by patterns.",
        ),
    )
    searcher = _searcher(settings, store)

    grep = searcher.ask("Which grep option searches by patterns?")
    mawk = searcher.ask("Which mawk option reads records?")

    # Only the passage that names grep may be quoted for a question about grep.
    assert grep.quotes and all("grep" in q.text for q in grep.quotes)
    assert any("grep" not in q.text for q in mawk.quotes)


def test_a_passing_mention_that_says_nothing_asked_does_not_answer(settings: Settings) -> None:
    searcher = _searcher_past_the_opening(
        settings,
        "mawk manual",
        "mawk is an interpreter for the AWK language.",
        "The awk language splits each record into fields",
        "See also grep(1) and sed(1) for searching text by patterns.",
    )

    # sed is named, in passing; nothing else the question asks is said there.
    assert not searcher.ask("Which sed command prints the current line number?").answered
    # Named only as a reference, sed is not spoken of, however many of the question's words
    # the sentence holds: it does not say which sed command searches (A's left-out questions
    # were answered from such lines).
    assert not searcher.ask("Which sed command searches text by patterns?").answered
    # And an article about its subject needs no more than naming it.
    assert searcher.ask("What does mawk print for the current line number?").answered


def test_a_sentence_saying_something_of_the_subject_is_not_a_passing_mention(
    settings: Settings,
) -> None:
    # SQuAD's Normans: "To where did Ethelred flee?" was declined over "Ethelred fled to
    # Normandy": past the article's opening, and in other words than the question's ("fled"),
    # Ethelred was taken to be named in passing (18 of SQuAD's 204 questions were declined so).
    searcher = _searcher_past_the_opening(
        settings,
        "Normans",
        "The Normans were the people who gave their name to Normandy.",
        "The Normans built castles across the land",
        "In 1013 Ethelred fled to Normandy, forced from his kingdom by Sweyn Forkbeard.\n\n"
        "Compilers compared | awk(1) | sed(1) | Ethelred",
    )

    assert searcher.ask("To where did Ethelred flee?").answered
    assert searcher.ask("Who kicked Ethelred out?").answered
    # A name in a table's row or a list is still a mention in passing.
    assert not searcher.ask("Which sed command prints the current line number?").answered


def test_subjects_the_article_is_about_need_not_be_said_beside_the_answer(
    settings: Settings,
) -> None:
    # GraphicsMagick's OpenMP page names the allocator and the configure script, never
    # "GraphicsMagick", in the sentence that answers; its article is about GraphicsMagick.
    searcher = _searcher_past_the_opening(
        settings,
        "GraphicsMagick OpenMP",
        "GraphicsMagick has been transformed to use OpenMP for multi-threading.",
        "GraphicsMagick runs its loops on every core of the machine",
        "To help with slow memory allocators, the configure script offers support for "
        "Google's tcmalloc library via the --with-tcmalloc option.\n\n"
        "The url is encoded as parameter value in the playlist syntax.\n\n"
        "HISTORY\n\nThe gm command appeared in 4.3BSD-Tahoe.",
    )

    answered = searcher.ask(
        "Which configure switch builds GraphicsMagick against Google's tcmalloc allocator?"
    )
    assert answered.answered and "--with-tcmalloc" in answered.quotes[0].text
    # A sentence naming the rest, with nothing of the kind asked for, does not speak to it.
    assert not searcher.ask("Which encoding features are missing from GraphicsMagick?").answered
    # A typed name said inside a longer one ("BSD" in "4.3BSD-Tahoe") is said there.
    release = searcher.ask("Which BSD release first shipped gm for GraphicsMagick?")
    assert release.answered and "4.3BSD-Tahoe" in release.quotes[0].text


def test_the_words_framing_a_question_are_not_asked_of_a_passing_mention(
    settings: Settings,
) -> None:
    # "How many airbags does the 2020 Sentra have?" was declined: "airbags" is named only in the
    # passage, and the rest of the question ("many", "have") is nowhere in it. Those words say
    # what kind of answer is wanted; the answer does not repeat them.
    searcher = _searcher_past_the_opening(
        settings,
        "All-new 2020 Sentra",
        "The 2020 Sentra is a compact sedan.",
        "The 2020 Sentra gets a new grille and lights",
        "Safety features abound on the 2020 Sentra. These include 10 airbags and rear door "
        "alerts. An 8-inch touchscreen display sits on the dashboard.",
    )

    assert searcher.ask("How many airbags does the 2020 Sentra have?").answered
    assert searcher.ask("How big is the touchscreen?").answered
    # What the question asks still counts: nothing here says how the airbags were tested.
    assert not searcher.ask("How were the Sentra's airbags tested?").answered


@pytest.mark.model
def test_the_highlight_is_the_definition_under_the_term_asked_about(
    settings: Settings, real_embedder: Embedder
) -> None:
    page = (
        "<html><head><title>Users and groups</title></head><body><main><h1>Users and groups</h1>"
        "<p>Each system account is listed with the numeric id it had in the old release of the "
        "distribution, for reference when migrating files between machines.</p><dl>"
        "<dt>daemon</dt><dd>The account for system services. It had uid 1.</dd>"
        "<dt>operator</dt><dd>The operator account for tape backups. It had uid 37.</dd>"
        "</dl></main></body></html>"
    )
    searcher, store = _searcher_over(settings, real_embedder, read_html(page, None))
    answer = searcher.ask("What uid did operator have?")

    assert "It had uid 37." in _top_highlight(answer, store)


@pytest.mark.model
def test_the_name_of_the_article_s_file_does_not_pick_the_highlight(
    settings: Settings, real_embedder: Embedder
) -> None:
    # chrony's NEWS: the entry that says "chrony" (about old clients) was highlighted for
    # "Which kind of keys did chrony 4.0 drop support for?", not the one that drops RIPEMD keys;
    # every entry of the file is about chrony, as every one of an article about its title.
    news = RawArticle(
        title="New in version 4.0",
        text="Removed features\n\n"
        "* Drop support for RIPEMD keys (RMD128, RMD160, RMD256, RMD320)\n\n"
        "* Drop support for long MACs in NTPv4 packets (tickd 2.x clients using "
        'non-MD5 keys need to use option "version 3")\n\n'
        "* Drop support for line editing with GNU Readline",
        source="/usr/share/doc/tickd/NEWS",
    )
    searcher, store = _searcher_over(settings, real_embedder, news)

    answer = searcher.ask("Which kind of keys did tickd 4.0 drop support for?", k=1)

    assert "RIPEMD keys" in _top_highlight(answer, store)


@pytest.mark.model
def test_a_sentence_restating_the_question_s_situation_is_not_the_highlight(
    settings: Settings, real_embedder: Embedder
) -> None:
    # Node.js's test guide: "Note: Many functions invoke their callback with an err value as
    # the first argument." only restates what the question supposes; the next sentence answers.
    page = (
        "# Writing tests\n\n## Callbacks\n\n"
        "Note: Many functions invoke their callback with an err value as the first argument. "
        "Checking that value by hand in every test hides mistakes. "
        "Use common.mustSucceed() instead of common.mustCall().\n"
    )
    searcher, store = _searcher_over(settings, real_embedder, read_markdown(page, None))
    question = (
        "My callback gets an err as its first argument; what should a test wrap it with "
        "instead of mustCall?"
    )

    answer = searcher.ask(question, k=1)

    assert "common.mustSucceed()" in _top_highlight(answer, store)


@pytest.mark.model
def test_a_sentence_restating_the_question_s_condition_may_be_the_highlight(
    settings: Settings, real_embedder: Embedder
) -> None:
    # doas.conf(5): the answer restates the condition ("When several rules match") in other
    # words; only a premise the question states is kept from the highlight.
    page = (
        "# doas.conf\n\n## Rules\n\n"
        "args [argument ...]\n\n"
        "Arguments to command. The command arguments provided by the user need to match "
        "those specified. The last matching rule determines the action taken. If no rule "
        "matches, the action is denied.\n"
    )
    searcher, store = _searcher_over(settings, real_embedder, read_markdown(page, None))

    answer = searcher.ask("When several rules match a command, which one decides the outcome?", 1)

    assert "The last matching rule" in _top_highlight(answer, store)


_TROUBLESHOOTING = (
    "# Troubleshooting\n\n## A list of common issues and solutions\n\n"
    "### 5) Rootless containers cannot ping hosts\n\n"
    "When using ping from a non-root container, the command may fail for lack of privileges.\n\n"
    "#### Solution\n\nEnable unprivileged pings on the host with the ping_group_range "
    "sysctl.\n\n"
    "### 6) Build hangs when the Dockerfile contains the useradd command\n\n"
    "When the Dockerfile contains a command like RUN useradd -u 99999000 -g users newuser "
    "the build can hang.\n\n"
    "#### Symptom\n\nIf you are using a useradd command within a Dockerfile with a large "
    "UID, it will create a large sparse file. This can cause the build to hang forever.\n\n"
    "#### Solution\n\nAdd the --no-log-init parameter to the useradd line. This option "
    "tells useradd to stop creating the lastlog file.\n\n"
    "### 7) Permission denied when running containers\n\n"
    "A home directory mounted noexec refuses to run containers from storage.\n"
)


@pytest.mark.model
def test_asked_for_a_remedy_the_troubleshooting_entry_s_solution_is_quoted(
    settings: Settings, real_embedder: Embedder
) -> None:
    # podman's troubleshooting page: the symptom holds the question's words, the fix is
    # under the entry's "Solution".
    searcher, store = _searcher_over(settings, real_embedder, read_markdown(_TROUBLESHOOTING, None))

    answer = searcher.ask(
        "How do I stop a container build from hanging when the Dockerfile adds a user with a "
        "very large UID?",
        k=1,
    )

    assert "--no-log-init" in _top_highlight(answer, store)
    assert answer.quotes[0].heading is not None
    assert answer.quotes[0].heading.endswith(
        "6) Build hangs when the Dockerfile contains the useradd command: Solution"
    )


@pytest.mark.model
def test_asked_about_a_symptom_the_symptom_is_quoted(
    settings: Settings, real_embedder: Embedder
) -> None:
    searcher, store = _searcher_over(settings, real_embedder, read_markdown(_TROUBLESHOOTING, None))

    answer = searcher.ask("Why can a Dockerfile's useradd with a large UID make a build hang?", 1)

    assert "sparse file" in _top_highlight(answer, store)


@pytest.mark.model
def test_a_faq_question_labelled_q_is_answered_by_its_a(
    settings: Settings, real_embedder: Embedder
) -> None:
    # GNU screen's FAQ: "Q:" and "A:" mark its entries, with no question mark; the question
    # closest to the one asked is not its answer, and the answer shares one word ("screen")
    # with what the question sets out before it asks, which does not make it a premise.
    text = (
        "Q: Screen hangs when I detach from it on an old system. What can be done?\n\n"
        "A: Upgrade the kernel, or run screen with the -fn option to turn flow control off.\n\n"
        "Q: Mesg or biff cannot be turned on or off while running screen.\n\n"
        "A: Screen failed to change the owner of the pty it uses. You need to install screen "
        "setuid-root. See the file INSTALL for details.\n\n"
        "Q: When you start screen a page of text comes up to start you off. Is there a way "
        "to get rid of this text.\n\n"
        "A: Just put the following line in your ~/.screenrc: startup_message off\n\n"
        "Q) Help! The server is reporting times as GMT times and not local times!\n"
        'A) This behaviour can be changed with the setting "use_localtime=YES".\n\n'
        "Q) Help! Can I disable certain FTP commands?\n"
        "A) Yes. There are some individual settings (e.g. dirlist_enable).\n"
    )
    searcher, store = _searcher_over(
        settings, real_embedder, RawArticle(title="Screen FAQ", text=text)
    )

    fix = searcher.ask("mesg and biff stop working while I'm inside screen; what is the fix?", 1)
    # vsftpd's FAQ puts its "Q)" and "A)" lines in one paragraph.
    vsftpd = searcher.ask("How do I get the server to show times in local time, not GMT?", 1)
    banner = searcher.ask("How do I stop screen from showing its page of introductory text?", 1)

    assert "setuid-root" in _top_highlight(fix, store)
    assert "startup_message off" in _top_highlight(banner, store)
    assert "use_localtime=YES" in _top_highlight(vsftpd, store)


def test_a_version_the_question_names_must_be_in_the_passage(settings: Settings) -> None:
    store = _store_of(
        settings,
        (
            "pip release notes",
            "pip 10.0 added support for percent-encoded credentials in index URLs. "
            "Older releases read them as they were written.",
        ),
    )
    searcher = _searcher(settings, store)

    assert searcher.ask("What did pip 10.0 add for credentials?").answered
    assert not searcher.ask("What did pip 9.0 add for credentials?").answered
    assert not searcher.ask("What did pip 10.0.1 add for credentials?").answered


def test_a_version_in_the_title_names_every_passage_of_its_article(settings: Settings) -> None:
    # NetworkX's release announcements: "When did NetworkX 2.0 come out?" is answered by 2.0's
    # "Release date: 20 September 2017", which says "2.0" only in its article's title.
    store = _store_of(
        settings,
        ("Widget 2.2 announcement", "Release date: 19 September 2018. Supports Python 3.7."),
        ("Widget 2.0 announcement", "Release date: 20 September 2017. Supports Python 3.6."),
    )
    # Without the vectors, which tell the titles' tokens apart whatever the ranking does.
    searcher = _searcher(settings, store, abstain_threshold=-1.0, dense_weight=0.0)
    question = "When did Widget 2.0 come out?"

    ranked = searcher.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())

    first = searcher.snapshot.passages[ranked[0].ordinal]
    assert "20 September 2017" in first.text


def _widget_news() -> RawArticle:
    """A changelog as plain text: each release's heading above its sections' headings."""
    sections = []
    # Newer releases first, past the article's opening (which names every passage's release).
    for version, removed in (
        ("4.3", "the ntpdate helper"),
        ("4.2", "the legacy refclock driver"),
        ("4.1", "the old status report"),
        ("4.0", "RIPEMD keys"),
        ("3.0", "SHA0 keys"),
    ):
        sections.append(
            f"New in version {version}\n==================\n\n"
            "Enhancements\n------------\n"
            f"* Add support for faster frequency adjustments in release {version}\n"
            "* Add a filter option to the server directive\n"
            "* Add minsamples and maxsamples options to the hwtimestamp directive\n"
            "* Improve stability with hardware timestamping and PHC refclock\n\n"
            "Bug fixes\n---------\n"
            "* Fix the waitsync command to reconnect when not getting a response\n\n"
            "Removed features\n----------------\n"
            f"* Drop support for {removed} in the daemon\n"
        )
    return RawArticle(title="Widget NEWS", text="\n".join(sections), source="/doc/widget/NEWS")


def test_a_changelog_entry_is_under_the_release_its_section_is_listed_in(
    settings: Settings,
) -> None:
    # chrony's NEWS: "Removed features" follows "Bug fixes", so only "New in version 4.0" two
    # sections above says which release dropped RIPEMD keys.
    searcher, store = _searcher_over(settings, FakeEmbedder(), _widget_news())

    answer = searcher.ask("Which keys did Widget 4.0 drop support for?", k=1)

    assert answer.answered
    assert "RIPEMD" in answer.quotes[0].text
    _assert_contract(answer, store)
    # The release above it says which entries it lists: 3.0's are not 4.0's.
    earlier = " ".join(
        quote.text for quote in searcher.ask("Which keys did Widget 3.0 drop support for?").quotes
    )
    assert "SHA0" in earlier
    assert "RIPEMD" not in earlier


def test_a_name_typed_as_an_identifier_is_not_matched_by_a_near_spelling(
    settings: Settings,
) -> None:
    # "pyproject" is two edits from "project": a near spelling for a word someone says, not
    # for a file name someone types.
    store = _store_of(
        settings,
        (
            "Setuptools release notes",
            "Setuptools 45 dropped Python 2. The project continues to support older releases "
            "with bug fixes, and its configuration is read as before.",
        ),
    )
    searcher = _searcher(settings, store, abstain_threshold=-1.0)

    declined = searcher.ask("Which setuptools release reads configuration from pyproject.toml?")

    assert not declined.answered
    assert declined.message is not None and "pyproject.toml" in declined.message
    # A name said, not typed, still matches as people misspell it.
    assert searcher.ask("Which Setuptols release dropped Python 2?").answered


def test_an_option_the_question_writes_must_be_in_the_passage(settings: Settings) -> None:
    # Both manuals are about output and formats; only one writes "-p". Asked about time's -p
    # with time's manual absent, mawk's passage on printf formats is no answer.
    store = _store_of(
        settings,
        (
            "mawk manual",
            "printf format, expr-list\nduplicates the printf C library function writing to "
            "standard output. The long form of each format is written in full.",
        ),
        ("time manual", "-v\n--verbose\nUse the built-in verbose format for the output."),
    )
    searcher = _searcher(settings, store, abstain_threshold=-1.0)

    declined = searcher.ask("What is the long form of the -p format option?")
    answered = searcher.ask("What is the long form of the -v format option?")

    assert not declined.answered
    assert declined.message is not None and "“-p”" in declined.message
    assert answered.answered and "--verbose" in answered.quotes[0].text


def test_a_passage_holding_only_the_option_asked_about_still_gets_a_highlight(
    settings: Settings,
) -> None:
    store = _store_of(settings, ("grep manual", "-q\nQuiet; write nothing to standard output."))
    searcher = _searcher(settings, store, abstain_threshold=-1.0)

    answer = searcher.ask("What does -q do?")

    highlight = _top_highlight(answer, store)
    assert "Quiet" in highlight or "-q" in highlight


def test_an_option_the_question_writes_finds_the_passage_that_defines_it(
    settings: Settings,
) -> None:
    # BM25 has no term for "-p": without looking for it as written, the two passages share
    # the question's other words alike and the shorter one came first.
    store = _store_of(
        settings,
        ("Option syntax", "Each option has a long form and a short form."),
        (
            "Output options",
            "-p\n--portability\nThis option, in its long form or its short form, selects "
            "the portable output format that other implementations print.",
        ),
    )
    searcher = _searcher(settings, store, abstain_threshold=-1.0, subject_check=False)

    answer = searcher.ask("What is the long form of the -p option?", 1)

    assert "--portability" in answer.quotes[0].text
    _assert_contract(answer, store)


def test_the_highlight_takes_in_the_neighbour_holding_the_kind_of_answer_asked() -> None:
    texts = [
        "In April 1191 Richard left Messina with a large fleet in order to reach Acre.",
        "But a storm dispersed the fleet.",
        "After some searching, it was discovered that the boat was at Cyprus.",
    ]
    when = read_question("What year did the storm hit Richard's fleet?")
    what = read_question("What dispersed the fleet?")

    assert _with_answer_of_kind(when, texts, [0.5, 0.9, 0.1], 1, 1) == (0, 1)
    # A question asking for no particular kind of answer keeps the sentence alone.
    assert _with_answer_of_kind(what, texts, [0.5, 0.9, 0.1], 1, 1) == (1, 1)
    # Nor is a neighbour added when the sentence already holds that kind of answer.
    assert _with_answer_of_kind(when, texts, [0.9, 0.5, 0.1], 0, 0) == (0, 0)


def test_the_highlight_reaches_the_sentence_giving_the_name_asked_for() -> None:
    texts = [
        "In all the cases shown below, the standard configuration file will be used.",
        "You may find it in /etc/ or somewhere else.",
        "By default the file is named openssl.cnf and is described online.",
    ]
    name = read_question("What is the name of the configuration file openssl uses?")

    assert _with_answer_of_kind(name, texts, [0.9, 0.5, 0.8], 0, 0, [0, 0, 0]) == (0, 2)


def test_the_highlight_reaches_a_sentence_further_in_its_paragraph_for_the_kind_asked() -> None:
    # sftp(1): "What is sftp's default buffer size?" chose the option's first sentence; the
    # size is two sentences on, in the same definition.
    texts = [
        "-B buffer_size",
        "Specify the size of the buffer that sftp uses when transferring files.",
        "Larger buffers require fewer round trips at the cost of higher memory consumption.",
        "The default is 32768 bytes.",
        "-b batchfile",
        "Batch mode reads commands from an input batchfile, 10 at a time.",
    ]
    size = read_question("What is sftp's default buffer size for transferring files?")
    scores = [0.5, 2.6, 0.9, 0.9, 0.1, 0.1]

    assert _with_answer_of_kind(size, texts, scores, 1, 1, [0, 0, 0, 0, 1, 1]) == (1, 3)
    # Not across a paragraph, and not further than a sentence without paragraphs.
    assert _with_answer_of_kind(size, texts, scores, 1, 1, [0, 0, 0, 1, 1, 1]) == (1, 1)
    assert _with_answer_of_kind(size, texts, scores, 1, 1) == (1, 1)


def test_an_option_asked_for_is_the_term_its_definition_opens_with() -> None:
    # offlineimap(1): "How do I make offlineimap do a single sync ...?" highlighted "Ignore any
    # autorefresh setting ..." with "-q", the next option's term, after it; "-o" opens its own.
    texts = [
        "-o",
        "Run only once.",
        "Ignore any autorefresh setting in the configuration file.",
        "-q",
        "Run only quick synchronizations.",
    ]
    once = read_question("How do I make offlineimap sync once and ignore the autorefresh setting?")
    scores = [0.1, 0.9, 2.0, 0.1, 0.3]

    assert _with_answer_of_kind(once, texts, scores, 2, 2, [0, 1, 2, 3, 4]) == (0, 2)
    # Without the paragraphs nothing says "-q" opens a definition: the neighbour is taken.
    assert _with_answer_of_kind(once, texts, scores, 2, 2) == (2, 3)


def test_a_neighbour_surely_holding_the_kind_asked_joins_one_that_only_may() -> None:
    # SQuAD's Normans: "Who ruled Cyprus in 1191?" highlighted "On 1 May 1191, Richard's fleet
    # arrived ... on Cyprus." (a lone capitalised name may be an answer), beside the sentence
    # naming the island's despot in full.
    texts = [
        "Survivors of the wrecks had been taken prisoner by the island's despot Isaac Komnenos.",
        "On 1 May 1191, Richard's fleet arrived in the port of Limassol on Cyprus.",
        "The fleet stayed a week.",
    ]
    who = read_question("Who ruled Cyprus in 1191?")

    assert who.expects(texts[1]) == 0.5 and who.expects(texts[0]) == 1.0
    assert _with_answer_of_kind(who, texts, [0.5, 0.9, 0.1], 1, 1) == (0, 1)
    # A sentence that surely holds it keeps to itself.
    assert _with_answer_of_kind(who, texts, [0.9, 0.5, 0.1], 0, 0) == (0, 0)


def test_a_table_row_is_read_under_its_header(settings: Settings) -> None:
    # awscli's config-vars: "Which environment variable sets the default AWS region?" quoted a
    # paragraph that says "environment variable" over the table whose row holds the answer,
    # under the column "Environment Variable".
    page = (
        "# General options\n\n"
        "Use the AWS_STS_REGIONAL_ENDPOINTS environment variable to set the region of the "
        "STS endpoint.\n\n"
        "| Variable | Option | Environment Variable | Description |\n"
        "|---|---|---|---|\n"
        "| profile | --profile | AWS_PROFILE | Default profile name |\n"
        "| region | --region | AWS_DEFAULT_REGION | Default AWS Region |\n"
    )
    answer, store = _ask_markdown(
        settings, page, "Which environment variable sets the default AWS region?"
    )

    highlight = answer.quotes[0].highlight
    assert highlight is not None and "AWS_DEFAULT_REGION" in highlight.text
    _assert_contract(answer, store)


def test_a_price_question_highlights_the_sum_of_money(settings: Settings) -> None:
    # The bundled tram article: the distance in the opening sentence was highlighted for "How
    # much will the tram extension cost?", the price standing in the next one.
    searcher = _searcher_of(
        settings,
        "Council approves Harbour Line tram extension",
        "City councillors voted to extend the Harbour Line tram by 3.4 kilometres to the new "
        "hospital, ending two years of argument over the route and its cost.\n\n"
        "The 148-million-euro extension will add four stops.",
    )

    highlight = searcher.ask("How much will the tram extension cost?", k=1).quotes[0].highlight

    assert highlight is not None and "148-million-euro" in highlight.text


def test_who_wrote_a_work_is_answered_where_the_text_credits_someone(
    settings: Settings,
) -> None:
    # Debian's manifesto: "Who wrote the Debian Linux Manifesto?" highlighted "Rather than
    # being developed by one isolated individual ..." over its credit line, which shares no
    # word with the question but "wrote", as "Written".
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "The Debian Linux Manifesto",
        "The Debian Linux Manifesto\n\n"
        "Written by Ian A. Murdock Revised 01/06/94\n\n"
        "What is Debian Linux?\n\n"
        "Debian Linux is a brand-new kind of Linux distribution. Rather than being developed "
        "by one isolated individual or group, as other distributions of Linux have been "
        "developed in the past, Debian is being developed openly in the spirit of Linux and "
        "GNU.",
        "Who wrote the Debian Linux Manifesto?",
    )

    assert "Ian A. Murdock" in highlight


def test_what_a_term_means_is_answered_by_the_sentence_defining_it(
    settings: Settings,
) -> None:
    # pip's repeatable-installs page: "What does pinning a package version mean in pip
    # requirements files?" highlighted the sentence on generating pinned files, which shares
    # more of the question's words, over the one saying what pinning is.
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "Repeatable installs",
        "Pinning refers to using the == operator to require the package to be a specific "
        "version. A requirements file containing pinned package versions can be generated "
        "using pip freeze, which pins the versions of packages in requirements files.",
        "What does pinning a package version mean in pip requirements files?",
    )

    assert "the == operator" in highlight


def test_a_faq_question_closest_to_the_question_is_answered_by_its_own_answer(
    settings: Settings,
) -> None:
    # procps' FAQ: the entry's question shares most words with the user's, and its answer
    # fewer than the next entry's answer ("The 2.4.xx kernel ..."), which was highlighted.
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "procps FAQ",
        "Why is %CPU underreported for multi-threaded (Java, etc.) apps?\n\n"
        "You need to upgrade to the 2.6.10 kernel at least. Older kernels do not provide a "
        "reasonable way to get this information.\n\n"
        "Why do ps and top show threads individually?\n\n"
        "The 2.4.xx kernel does not provide proper support for grouping threads by process, "
        "so multi-threaded apps show each thread.",
        "Which kernel do I need so that %CPU is reported correctly for multi-threaded apps?",
    )

    assert "2.6.10" in highlight


def test_a_question_put_in_the_reader_s_name_is_answered_by_what_follows(
    settings: Settings,
) -> None:
    # vdirsyncer's tutorial: "You may wonder why vdirsyncer just couldn't figure this out by
    # itself." asks without a question mark; it was the highlight of "Why doesn't vdirsyncer
    # match up collections by their display names?" over the problems listed under it.
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "vdirsyncer tutorial",
        "You may wonder why vdirsyncer just couldn't figure this out by itself. After all, you "
        'did name both collections "Test", so why not pair collections by that value?\n\n'
        "There are a few problems with this idea: two calendars may have the same exact "
        "displayname.",
        "Why doesn't vdirsyncer just figure out by itself how to pair collections by that value?",
    )

    assert "same exact displayname" in highlight
    assert "You may wonder" not in highlight


def test_a_changed_default_answers_what_the_default_is(settings: Settings) -> None:
    # urllib3's migration guide: "What's the minimum TLS version urllib3 2 uses by default?"
    # highlighted the item on the "default set of TLS ciphers" below the one that answers.
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "Migrating to urllib3 2",
        "Important changes in urllib3 2:\n\n"
        "• Changed the default minimum TLS version to TLS 1.2 (previously was TLS 1.0).\n"
        "• Removed the default set of TLS ciphers, instead now urllib3 uses the list of "
        "ciphers configured by the system.",
        "What's the minimum TLS version urllib3 2 uses by default?",
    )

    assert "TLS 1.2" in highlight


def test_a_default_given_in_brackets_after_it_is_stated(settings: Settings) -> None:
    # pyenv-virtualenv's README: 'The default prompt ("(venv)")' states the default, and the
    # sentence on customising the prompt, in more of the question's words, was highlighted.
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "pyenv-virtualenv",
        "Environment variables:\n\n"
        "• PYENV_VIRTUALENV_PROMPT, if set, allows users to customize how pyenv-virtualenv "
        "modifies their shell prompt when a virtualenv is active. The default prompt "
        '("(venv)") is overwritten with any user-specified text.',
        "What does my shell prompt show by default when a pyenv virtualenv is active?",
    )

    assert highlight.endswith(
        'The default prompt ("(venv)") is overwritten with any user-specified text.'
    )


def test_list_items_that_only_echo_the_question_are_answered_by_their_lead_in(
    settings: Settings,
) -> None:
    # Requests' authentication guide: "• Kerberos" holds nothing the question does not say;
    # where the handlers are is said by the line leading in to the list.
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "Authentication",
        "Members of the open-source community frequently write authentication handlers for "
        "more complicated or less commonly-used forms of authentication. Some of the best "
        "have been brought together under the Requests organization, including:\n\n"
        "• Kerberos\n"
        "• NTLM\n\n"
        "If you want to use any of these forms of authentication, go straight to their "
        "GitHub page and follow the instructions.",
        "Where are the Kerberos and NTLM authentication handlers for Requests collected?",
    )

    assert highlight.startswith("Some of the best have been brought together")
    assert highlight.endswith("• NTLM")


def test_a_sentence_in_the_question_s_words_answers_with_a_name_or_its_term(
    settings: Settings,
) -> None:
    # An answer may repeat the question's words: as a name ("the Message class" for "Which
    # class implements the email message model?") or under its term ("--posix" above
    # "disable all GNU extensions."). Neither is an echo of the question.
    class_highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "email: architecture",
        "The message model is implemented by the Message class. The model divides a message "
        "into the two fundamental parts discussed by the RFC: the header section and the "
        "body.",
        "Which class implements the email message model?",
    )
    searcher = _searcher_of(
        settings,
        "sed options",
        "--posix\n\ndisable all GNU extensions.\n\n"
        "--sandbox\n\noperate in sandbox mode (disable e/r/w commands).",
    )
    option = searcher.ask("Which sed option disables all GNU extensions?", k=1).quotes[0]

    assert class_highlight == "The message model is implemented by the Message class."
    assert option.highlight is not None and "--posix" in option.highlight.text


def test_a_definition_in_the_question_s_words_answers_with_its_option_term(
    settings: Settings,
) -> None:
    # robots(6): "Lets the game play itself." is all the question's words, but its term "-A",
    # two lines above, is the flag asked for; "-n" / "Increase the number of games played by
    # one." was highlighted instead.
    searcher = _searcher_of(
        settings,
        "ROBOTS(6)",
        "-a\nAdvance into the higher levels directly, skipping the lower, easier levels.\n\n"
        "-A\nAuto-bot mode. Lets the game play itself.\n\n"
        "-n\nIncrease the number of games played by one.",
    )
    answer = searcher.ask("Which robots command-line flag lets the game play by itself?", k=1)

    assert answer.quotes[0].highlight is not None
    highlight = answer.quotes[0].highlight.text
    assert highlight.startswith("-A") and highlight.endswith("Lets the game play itself.")


def test_a_one_letter_code_asked_about_is_quoted_where_it_is_written(settings: Settings) -> None:
    # fuser(1): "What does an m after a PID mean?" matched the paragraphs on PIDs in more
    # words; the access letters' list writes "m" and says what it means.
    searcher = _searcher_of(
        settings,
        "FUSER(1)",
        "fuser displays the PIDs of processes using the specified files or file systems. In "
        "the default display mode, each file name is followed by a letter denoting the type of "
        "access after each PID.\n\n"
        "c\ncurrent directory.\n\ne\nexecutable being run.\n\n"
        "m\nmmap'ed file or shared library.\n\n"
        "fuser returns a non-zero return code if none of the specified files is accessed after "
        "the PID listing is printed.",
    )
    answer = searcher.ask("What does an m after a PID mean in fuser's output?", k=1)

    assert answer.quotes and answer.quotes[0].highlight is not None
    assert "mmap'ed file or shared library." in answer.quotes[0].highlight.text


def test_an_action_to_be_done_need_not_be_named_by_the_answer(settings: Settings) -> None:
    # Node.js's OpenSSL guide: "What nasm version do I need to regenerate ...?" was declined,
    # since its requirements list says "regenerate" nowhere; the tool and project are named.
    searcher = _searcher_of(
        settings,
        "Maintaining OpenSSL in Node.js",
        "This document describes how to update the OpenSSL sources in Node.js.\n\n"
        "Requirements:\n\n"
        "• Linux environment.\n"
        "• perl Only Perl version 5 is tested.\n"
        "• nasm (https://www.nasm.us/) Version 2.11 or higher is needed.\n"
        "• GNU as in binutils. Version 2.26 or higher is needed.",
    )

    answer = searcher.ask("What nasm version do I need to regenerate the OpenSSL build files?")

    assert answer.answered
    assert "Version 2.11 or higher" in answer.quotes[0].text


def test_the_quantifier_a_question_asks_with_is_not_a_word_to_find(settings: Settings) -> None:
    # The bundled tram article: "How much did the tram extension cost?" quoted the opponents'
    # paragraph, whose bus lane "would have cost a third as much": "much" counted as a word
    # of the question, as rare as "tram", and it holds a sum of money too.
    page = (
        "# Council approves Harbour Line tram extension\n\n"
        "City councillors voted to extend the Harbour Line tram by 3.4 kilometres to the new "
        "hospital, ending two years of argument over the route and its cost. The "
        "148-million-euro extension will add four stops.\n\n"
        "## A narrow path through Ropewalk\n\n"
        "Opponents argued that an electric bus lane would have cost a third as much. They "
        "said the city had underestimated the cost of moving pipes, a risk the transport "
        "department put at 12 million euros.\n"
    )
    answer, store = _ask_markdown(settings, page, "How much did the tram extension cost?")

    assert "148-million-euro" in answer.quotes[0].text
    _assert_contract(answer, store)


def test_a_lead_in_brings_its_list_across_one_sentence_between() -> None:
    texts = [
        "httplib2 is a comprehensive HTTP client library.",
        "The following three types of HTTP Authentication are supported.",
        "These can be used over both HTTP and HTTPS.",
        "• Digest",
        "• Basic",
        "• WSSE",
        "Caching is supported too.",
    ]

    assert _answer_extent(texts, 1, [0] * len(texts)) == (1, 5)
    # Without a list after it, the lead-in keeps only the sentence that follows.
    assert _answer_extent(texts[:3] + texts[6:], 1, [0] * 4) == (1, 2)


def test_what_a_lead_in_introduces_is_highlighted_with_it() -> None:
    # crcmod.predefined: "If I do a star import from crcmod.predefined, do I still get the
    # mkCrcFun alias?" highlighted the code line alone; the sentence leading in to it answers.
    texts = [
        "This is an alias for crcmod.predefined.mkPredefinedCrcFun.",
        "However, it is not defined when crcmod.predefined is imported using the form:",
        ">>> from crcmod.predefined import *",
    ]

    assert _answer_extent(texts, 2, [0, 0, 1]) == (1, 2)
    # A list's item is read alone: the lead-in names the list, not the item.
    items = ["The following types are supported:", "• Digest", "• Basic"]
    assert _answer_extent(items, 2, [0, 0, 0]) == (2, 2)


def test_an_example_is_highlighted_with_the_sentence_it_illustrates() -> None:
    # runit's FAQ: "My /etc is mounted read-only; how can I still get runit working there?"
    # highlighted the example alone; the answer is the sentence it is an example of.
    texts = [
        "How can I make runit work on my system?",
        "Answer: Use symbolic links, runit deals with them well, even with dangling symlinks.",
        "E.g., make a ramdisk available at a mount point, say /var/run/, and create links.",
        "For instance, link /etc/runit/stopit to /var/run/runit.stopit.",
    ]

    assert _answer_extent(texts, 2, [0, 1, 1, 1]) == (1, 2)
    assert _answer_extent(texts, 3, [0, 1, 1, 1]) == (2, 3)
    # Not an example: "For the example above" speaks of one.
    assert _answer_extent([texts[1], "For the example above, no link is needed."], 1, [0, 0]) == (
        1,
        1,
    )


def test_a_condition_on_the_sentence_before_completes_it() -> None:
    # tabs(1): "If neither -T nor $TERM is set, which terminal entry does tabs use?" was
    # highlighted without the sentence that answers, a condition on the one before.
    texts = [
        "If this option is not given, tabs will use the $TERM environment variable.",
        "If that is not set, it will use the ansi+tabs entry.",
        "If the debugging option is given, a ruler line is shown.",
    ]
    sentences = [(Span(0, len(text)), frozenset(terms(text))) for text in texts]
    info = read_question("If neither -T nor $TERM is set, which terminal entry does tabs use?")

    assert _with_short_completion(info, sentences, texts, [0, 0, 0], 0) == 1
    # "If the debugging option ..." sets a condition of its own.
    assert _with_short_completion(info, sentences, texts, [0, 0, 0], 1) == 1
    assert _answer_extent(["Use -T to name it.", "Otherwise, ansi+tabs is used."], 1, [0, 0]) == (
        0,
        1,
    )


def test_a_sentence_saying_which_is_highlighted_with_the_general_one() -> None:
    # dhcp6c(8): "Which part of the DHCPv6 protocol does dhcp6c deliberately leave out?"
    # highlighted "... violates DHCPv6 protocol spec, in several aspects." alone.
    texts = [
        "dhcp6c is incomplete and violates DHCPv6 protocol spec, in several aspects.",
        "In particular, temporary address assignment is intentionally omitted.",
        "Information Refresh Time Option is not recognized in Info-req mode.",
    ]

    assert _answer_extent(texts, 0, [0, 0, 0]) == (0, 1)
    # Only within its paragraph, and only a sentence that says which.
    assert _answer_extent(texts, 0, [0, 1, 1]) == (0, 0)
    assert _answer_extent(texts, 1, [0, 0, 0]) == (1, 1)
    # "That is," says which; "That is what ..." does not.
    said = [texts[0], "That is, temporary addresses are not assigned."]
    assert _answer_extent(said, 0, [0, 0]) == (0, 1)
    assert _answer_extent([texts[0], "That is what the RFC asks."], 0, [0, 0]) == (0, 0)


def test_a_definition_answers_with_its_term_within_its_paragraph() -> None:
    # base-passwd's users-and-groups page: "Which group can read the files in /var/log?" is
    # answered by the second sentence of adm's definition, and "adm" is what was asked for.
    texts = [
        "adm",
        "Group adm is used for system monitoring tasks.",
        "Members of this group can read many log files in /var/log, and can use xconsole.",
        "Historically, /var/log was /usr/adm (and later /var/adm), thus the name of the group.",
    ]

    assert _answer_extent(texts, 2, [0, 0, 0, 1]) == (0, 2)
    # A term line does not define the next paragraph's sentences.
    assert _answer_extent(texts, 3, [0, 0, 0, 1]) == (3, 3)


def test_a_sentence_referring_back_into_a_definition_answers_with_its_term() -> None:
    # tig(1): "Which environment variable lets Tig open files in a different editor from the one
    # Git uses?" highlighted the definition's sentences without "TIG_EDITOR", their subject.
    texts = [
        "TIG_NO_DISPLAY",
        "Open Tig without rendering anything to the terminal.",
        "TIG_EDITOR",
        "The editor command to use when visiting files.",
        "This environment variable overrides $GIT_EDITOR, so it allows another editor.",
    ]
    paragraphs = [0, 0, 1, 1, 1]

    assert _answer_extent(texts, 4, paragraphs) == (2, 4)
    # Without a term above, the sentence before is read alone with it.
    assert _answer_extent(texts[3:], 1, [0, 0]) == (0, 1)


@pytest.mark.model
def test_a_short_sentence_completing_the_answer_joins_the_highlight(
    settings: Settings, real_embedder: Embedder
) -> None:
    # xsltproc(1): the option's description says what it sets, the short sentence after it the
    # value asked for ("How deep can the template stack go by default?"); its neighbours have
    # defaults of their own.
    page = (
        "<html><head><title>xsltproc</title></head><body><main><h1>xsltproc</h1>"
        "<p>xsltproc is a command line tool for applying XSLT stylesheets to XML documents.</p>"
        "<h2>Options</h2><dl>"
        "<dt>--load-trace</dt><dd><p>Display all the documents loaded during the processing to "
        "stderr.</p></dd>"
        "<dt>--maxdepth VALUE</dt><dd><p>Adjust the maximum depth of the template stack before "
        "libxslt(3) concludes it is in an infinite loop. The default is 3000.</p></dd>"
        "<dt>--maxvars VALUE</dt><dd><p>Maximum number of variables. The default is 15000.</p>"
        "</dd><dt>--maxparserdepth VALUE</dt><dd><p>Maximum element nesting level of parsed XML "
        "documents. The default is 256.</p></dd>"
        "</dl></main></body></html>"
    )
    searcher, store = _searcher_over(settings, real_embedder, read_html(page, None))

    answer = searcher.ask(
        "How deep can xsltproc's template stack go by default before it assumes an infinite loop?",
        k=1,
    )

    assert "The default is 3000." in _top_highlight(answer, store)


def test_a_heading_holding_the_answer_is_quoted_with_its_section(settings: Settings) -> None:
    # A NEWS file: "When was wadllib 1.0 released?" is answered by the section's heading, the
    # sentence under it says only "Initial release". The heading is article text too: the quote
    # starts at it, still a verbatim slice.
    page = (
        "# NEWS for wadllib\n\n## 1.1 (2009-05-04)\n\nFixed the lookup of parameter values in "
        "resources associated with a representation.\n\n## 1.0 (2009-03-23)\n\n"
        "Initial release of wadllib on the package index.\n"
    )
    store = ArticleQA(settings).store
    store.upsert(prepare_article(read_markdown(page, None)))
    searcher = _searcher(settings, store)

    answer = searcher.ask("When was wadllib 1.0 first released on the package index?", k=1)

    quote = answer.quotes[0]
    assert quote.text.startswith("1.0 (2009-03-23)\n\nInitial release")
    assert quote.highlight is not None and "2009-03-23" in quote.highlight.text
    _assert_contract(answer, store)


def test_a_quote_opening_its_section_shows_the_heading_that_may_answer(
    settings: Settings,
) -> None:
    # npm's config page: "Which setting gives the prerelease identifier?" is answered by the
    # heading "preid"; the section under it never names the setting. A heading that only
    # repeats the question ("What Putin reportedly asked about Taiwan") is left out.
    page = (
        "# Config\n\n## preid\n\n* Default: none\n* Type: String\n\n"
        "The prerelease identifier to use as a prefix for the prerelease part of a version.\n\n"
        "## sign-git-tag\n\n* Default: false\n* Type: Boolean\n\n"
        "If set to true, the version command tags the version using the signing key.\n"
    )
    answer, store = _ask_markdown(settings, page, "Which setting gives the prerelease identifier?")

    quote = answer.quotes[0]
    assert quote.text.startswith("preid\n\n• Default: none")
    assert quote.highlight is not None
    assert quote.highlight.text.startswith("The prerelease identifier")
    _assert_contract(answer, store)


@pytest.mark.model
def test_an_exit_status_is_answered_by_its_own_line(
    settings: Settings, real_embedder: Embedder
) -> None:
    # xz(1): "What does an xz exit status of 0 mean?" highlighted "Notices ... don't affect the
    # exit status.", taken for part of the definition of "2" across a paragraph break.
    page = (
        ".TH XZ 1\n.SH DESCRIPTION\nxz compresses or decompresses each file according to the "
        'selected operation mode.\n.SH "EXIT STATUS"\n.TP\n.B 0\nAll is good.\n.TP\n.B 1\n'
        "An error occurred.\n.TP\n.B 2\nSomething worth a warning occurred, but no actual "
        "errors occurred.\n.PP\nNotices (not warnings or errors) printed on standard error "
        "don't affect the exit status.\n"
    )
    searcher, store = _searcher_over(settings, real_embedder, read_man(page, None))

    answer = searcher.ask("What does an xz exit status of 0 mean?", k=1)

    assert "All is good." in _top_highlight(answer, store)


def test_a_heading_s_words_count_for_its_sentences_when_ranking(home: Path) -> None:
    # lz4(1): "Who is listed as the author of lz4?" is answered by the AUTHOR section's one
    # line, "Yann Collet", which shares no word with the question; its heading does. The
    # highlight counted heading words for every sentence under them; ranking did not, so the
    # passages that merely say "lz4" came first.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    page = (
        ".TH LZ4 1\n.SH DESCRIPTION\nlz4 is an extremely fast lossless compression tool. "
        "lz4 supports a command line syntax similar to gzip.\n.SH OPTIONS\n.TP\n-z\n"
        "Compress with lz4. This is the default operation mode of lz4.\n"
        ".SH AUTHOR\nYann Collet\n"
    )
    searcher, _store = _searcher_over(settings, FakeEmbedder(), read_man(page, "lz4.1"))
    question = "Who is listed as the author of lz4?"

    ranked = searcher.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())

    by_text = {searcher.snapshot.passages[c.ordinal].text: c for c in ranked}
    assert by_text["Yann Collet"].sentence > 0.0
    assert searcher.ask(question, k=1).quotes[0].text == "Yann Collet"


def test_a_passage_holding_the_kind_of_answer_asked_for_ranks_above_one_that_does_not(
    home: Path,
) -> None:
    # "Who wrote the Debian Linux Manifesto?": the passage naming its author ranks above one
    # that only speaks of the manifesto in as many of the question's words; the highlight
    # weighed the kind of answer asked for, ranking did not.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    named = "The manifesto was written by Ian Murdock, a student."
    unnamed = "The manifesto was written in the open."
    searcher = _searcher(settings, _store_of(settings, ("Notes", unnamed), ("Origins", named)))
    question = "Who wrote the manifesto?"

    ranked = searcher.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())

    assert [searcher.snapshot.passages[c.ordinal].text for c in ranked] == [named, unnamed]


def test_who_is_answered_first_by_a_passage_that_names_someone(home: Path) -> None:
    # ptargrep(1): "Who wrote ptargrep?" quoted the NAME line describing ptargrep in the
    # question's words; the COPYRIGHT line naming its author came second. A passage that
    # names an organisation ("The Pellingford chess club won ...") still counts: a who-question
    # may be answered by one, and a person named elsewhere does not outrank it.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    described = "ptargrep applies pattern matching to the files written inside a tar archive."
    named = "Copyright 2010 Grant McLean."
    club = "The Pellingford chess club won the county cup on Sunday."
    keeper = "Morwenna Tregarthen kept the lighthouse and won praise for it."
    searcher = _searcher(
        settings,
        _store_of(
            settings,
            ("PTARGREP", described),
            ("COPYRIGHT", named),
            ("Chess", club),
            ("Lighthouse", keeper),
        ),
    )

    def ranked(question: str) -> list[str]:
        vector = FakeEmbedder().embed([question])[0]
        order = searcher.rank(question, vector, SearchFilters())
        return [searcher.snapshot.passages[c.ordinal].text for c in order]

    assert ranked("Who wrote ptargrep?").index(named) < ranked("Who wrote ptargrep?").index(
        described
    )
    assert ranked("Who won the county chess cup?")[0] == club


def test_a_price_no_passage_gives_is_not_answered(home: Path) -> None:
    # A hotel's page speaks of its restaurants and spa, never of its price: "How much does a
    # night at the resort cost?" was answered with the restaurants.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    searcher = _searcher(
        settings,
        _store_of(
            settings,
            ("Resort", "A night at the resort starts with dinner in one of its four restaurants."),
            ("Spa", "The resort spa offers massages and facials using coconut and coffee."),
        ),
    )

    assert not searcher.ask("How much does a night at the resort cost?").answered
    assert searcher.ask("How many restaurants does the resort have?").answered

    # libksba's NEWS: "In which libksba version did password based decryption arrive?" is
    # answered by the release heading over the section's second entry; the highlight held the
    # entry alone, without the version asked for.
    page = (
        "# libksba NEWS\n\n## Noteworthy changes in version 1.6.0 (2021-06-10)\n\n"
        "* Limited support for the Authenticated-Enveloped-Data content type.\n"
        "* Support password based decryption.\n\n"
        "## Noteworthy changes in version 1.5.1 (2021-04-06)\n\n"
        "* Support Brainpool curves specified by ECDomainParameters.\n"
    )
    question = "In which libksba version did password based decryption arrive?"
    answer, store = _ask_markdown(settings, page, question)

    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert highlight.text.startswith("Noteworthy changes in version 1.6.0")
    assert highlight.text.endswith("Support password based decryption.")
    _assert_contract(answer, store)


def test_a_sentence_repeated_in_a_passage_scores_the_same_at_each_place() -> None:
    # Seen at 198 k passages of bench/scale.py's corpus: a float32 matrix product gave the
    # second of two equal int8 rows a score 1 ulp higher, so the highlight moved to it.
    embedder = FakeEmbedder()
    repeated = (
        "One of the first Norman mercenaries to serve as a Byzantine general "
        "was Hervé in the 1050s."
    )
    question = embedder.embed(["Who was the first Byzantine mercenary to serve with the Normans?"])
    for count in range(3, 10):
        for first, second in itertools.combinations(range(count), 2):
            texts = [f"Sentence number {i} of the passage." for i in range(count)]
            texts[first] = texts[second] = repeated
            vectors = embedder.embed(texts)
            scores = sentence_scores(dequantise(*quantise(vectors)), question[0])
            assert scores.dtype == np.float32
            assert scores[first] == scores[second]
            assert int(np.argmax(scores)) == first
    # float16 rows (snapshots from before the int8 ones) are scored as they always were.
    old = vectors.astype(np.float16)
    expected = np.asarray(old @ question[0].astype(np.float16), dtype=np.float32)
    assert np.array_equal(sentence_scores(old, question[0]), expected)


def test_who_wrote_a_spec_is_answered_by_the_author_in_its_title_block(home: Path) -> None:
    # The X DPMS extension's specification: "Rob Lembree" stands among the title block's short
    # lines, read as headings; the highlight was empty, made from the heading above the passage
    # to the byline before it.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    spec = read_text(
        "X Display Power Management Signaling (DPMS) Extension Protocol Specification\n\n"
        "X Project Team Standard\n\nRob Lembree\n\nDigital Equipment Corporation\n"
        "<lembree@zk3.dec.com>\n\nVersion 1.0\n\n"
        "Copyright © 1996 Digital Equipment Corporation\n\n"
        "This extension provides control over the power saving characteristics of video "
        "boards under control of the server.\n\n"
        "Timeouts associated with the screen saver are limited to idle time, and monitors that "
        "draw less power when idle are common now.\n",
        None,
    )
    assert spec.author == "Rob Lembree"
    store = _store_of(settings)
    store.upsert(prepare_article(spec))
    searcher = _searcher(settings, store, abstain_threshold=-1.0)

    answer = searcher.ask("Who wrote the X extension spec for monitor power management?", k=1)

    _assert_contract(answer, store)
    quote = answer.quotes[0]
    assert quote.highlight is not None
    assert quote.highlight.text == "Rob Lembree"


def test_a_row_far_down_a_table_answers_with_its_header_and_article(settings: Settings) -> None:
    # crcmod.predefined: "What generator polynomial does crcmod's predefined crc-32c algorithm
    # use?" was declined: the passage holding the row never said "polynomial" (its header was
    # passages above) nor "predefined" in the row, and a row lists names.
    question = "What generator polynomial does crcmod's predefined crc-32c algorithm use?"

    def ask(header: str, factor: int) -> tuple[Answer, str]:
        rows = [
            f"crc-{n}{suffix} | 0x{n * factor + len(suffix):X} | True | 0x{n * 31:04X}"
            for n in range(8, 40)
            for suffix in ("", "c")
        ]
        table = "\n".join(f"| {row} |" for row in rows)
        page = (
            "# crcmod.predefined\n\n"
            "This module provides a function factory for calculating CRCs using common "
            "predefined CRC algorithms, each specified by a predefined name.\n\n"
            "The module offers the following algorithms:\n\n"
            f"| Name | {header} | Reversed? | Check |\n|---|---|---|---|\n{table}\n"
        )
        searcher, store = _searcher_over(settings, FakeEmbedder(), read_markdown(page, None))
        answer = searcher.ask(question, k=3)
        _assert_contract(answer, store)
        return answer, rows[(32 - 8) * 2 + 1]

    # A table that names the row but not what the question asks about is declined.
    assert not ask("Width", 7)[0].answered

    answer, row = ask("Polynomial", 7919)

    assert answer.answered
    assert any(q.highlight is not None and row in q.highlight.text for q in answer.quotes)


def test_who_wrote_a_howto_is_answered_by_its_signature(home: Path) -> None:
    # OpenSSL's certificates HOWTO is signed at its end ("--\nRichard Levitte"): "Who wrote the
    # OpenSSL HOWTO on getting your own certificate?" quoted its introduction.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    howto = read_text(
        "HOWTO certificates\n\n1. Introduction\n\nThis file is for users who wish to get a "
        "certificate of their own. Certificate authorities should read the ca manual.\n\n"
        + "".join(
            f"{n}. Step {n}\n\nRun the openssl command for step {n} with your private key and "
            "keep the certificate request it writes in a safe place for later.\n\n"
            for n in range(2, 12)
        )
        + "By now, you have your certificate and can start using it.\n\n--\nRichard Levitte\n",
        None,
    )
    store = _store_of(settings)
    store.upsert(prepare_article(howto))
    searcher = _searcher(settings, store)

    answer = searcher.ask("Who wrote the OpenSSL HOWTO on getting your own certificate?", k=1)

    _assert_contract(answer, store)
    quote = answer.quotes[0]
    assert quote.highlight is not None
    assert quote.highlight.text == "Richard Levitte"
    assert quote.text.endswith("Richard Levitte")


@pytest.mark.parametrize(
    "byline",
    [
        "By Maria Lopez, Pellingford Post",
        # A byline with a time stamp, as pasted from a news site, with or without the year:
        # cleaning dropped these whole, and then there was no byline to quote. The stamp goes.
        "By Maria Lopez, Pellingford Post - Oct 3, 2026 9:14 AM",
        "By Maria Lopez, Pellingford Post - Oct 3, 9:14 AM EDT",
    ],
)
def test_who_wrote_a_story_is_answered_by_its_byline(home: Path, byline: str) -> None:
    # "Who wrote the AP story about the gunman's father?" quoted the article's opening with the
    # dateline highlighted, and "Who wrote the Wired article on ...?" the standfirst: a byline
    # shares no word with the question.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    ferry = (
        "The harbour ferry is back after a winter of repairs.\n\n"
        f"{byline}\n\n"
        "The harbour ferry returns on 1 June and runs every forty minutes until the end of "
        "September, the council said on Monday. Tickets cost two pounds for adults.\n\n"
        "The first crossing of the season was skippered by Tom Hale, who has worked the bay "
        "for thirty years."
    )
    pier = (
        "Work on the new pier starts in spring.\n\n"
        "The first guest column about the pier was written by Ann Reed, who chairs the harbour "
        "trust. She asked the council to keep the old lamp posts."
    )
    store = _store_of(settings, ("Harbour ferry returns", ferry), ("The new pier", pier))
    searcher = _searcher(settings, store)

    answer = searcher.ask("Who wrote the Pellingford Post story about the harbour ferry?", k=1)

    _assert_contract(answer, store)
    quote = answer.quotes[0]
    assert quote.highlight is not None
    assert quote.highlight.text == "By Maria Lopez, Pellingford Post"
    # Any other question's highlight leaves the byline out: it is not a term whose definition
    # follows it.
    answer = searcher.ask("How often does the harbour ferry run?", k=1)
    assert answer.quotes[0].highlight is not None
    assert answer.quotes[0].highlight.text.startswith("The harbour ferry returns on 1 June")
    # An article that speaks of the piece asked about is not that piece.
    answer = searcher.ask("Who wrote the first guest column about the pier?", k=1)
    assert answer.quotes[0].highlight is not None
    assert "Ann Reed" in answer.quotes[0].highlight.text


def test_when_a_piece_was_written_is_answered_by_its_dateline(home: Path) -> None:
    # CVS's introduction, a mail saved as text: "When was the introduction to using CVS
    # written?" quoted its paragraphs on CVS (quote 1 held no date); its "Date:" header says.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    intro = (
        "Date: Tue, 16 Jun 1992 17:05:23 +0200\n\nFrom: Steven Pemberton\n\n"
        "INTRODUCTION TO USING CVS\n\n"
        "CVS is a system that lets groups of people work simultaneously on groups of files, "
        "for instance program sources, by holding a central repository of the most recent "
        "version of the files.\n\n"
        "You may edit your copy of the files freely, and commit your changes when you are "
        "satisfied with them. CVS was first released in 1986 as shell scripts."
    )
    ferry = (
        "The harbour ferry is back after a winter of repairs.\n\n"
        "Published 3 October 2026\n\n"
        "The harbour ferry returns on 1 June 2027 and runs every forty minutes until the end "
        "of September, the council said on Monday. Tickets cost two pounds for adults."
    )
    store = ArticleQA(settings).store
    store.upsert(
        prepare_article(
            RawArticle(title="cvs", text=intro, published=dt.date(1992, 6, 16), source="cvs.txt")
        )
    )
    store.upsert(
        prepare_article(
            RawArticle(title="Harbour ferry returns", text=ferry, published=dt.date(2026, 10, 3))
        )
    )
    searcher = _searcher(settings, store)

    answer = searcher.ask("When was the introduction to using CVS written?", k=1)
    assert _top_highlight(answer, store) == "Date: Tue, 16 Jun 1992 17:05:23 +0200"
    # A news site's "Published ..." line is cleaned away with the other stamps (the article's
    # date is its metadata's): the story is quoted as for any question.
    answer = searcher.ask("When was the story on the harbour ferry published?", k=1)
    assert "The harbour ferry returns" in _top_highlight(answer, store)
    # When what the story tells of happens is said in the story.
    answer = searcher.ask("When does the harbour ferry return?", k=1)
    assert "1 June 2027" in _top_highlight(answer, store)


def test_the_author_s_name_alone_on_a_line_is_not_a_term_of_the_highlight(home: Path) -> None:
    # GitHub's blog keeps its author's name alone above the interview ("Jessica Rudder"): the
    # highlight took it for a term that the next sentence defines and quoted both.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    page = (
        '<html><head><title>Harbour ferry returns</title><meta name="author" '
        'content="Marta Kovalenko"></head><body><article><h1>Harbour ferry returns</h1>'
        "<p>Marta Kovalenko</p>"
        "<p>The harbour ferry returns on 1 June and runs every forty minutes until the end of "
        "September, the council said on Monday. Tickets cost two pounds for adults, and "
        "children under twelve travel free on every crossing of the bay.</p>"
        "<p>The first crossing of the season was skippered by Tom Hale, who has worked the "
        "bay for thirty years and knows every rock of it.</p></article></body></html>"
    )
    searcher, store = _searcher_over(settings, FakeEmbedder(), read_html(page, None))

    answer = searcher.ask("When does the harbour ferry return?", k=1)

    _assert_contract(answer, store)
    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert highlight.text.startswith("The harbour ferry returns on 1 June")


def test_an_acronym_glued_to_its_number_names_the_acronym(settings: Settings) -> None:
    # zstd's README says "documented in RFC8878": "Which RFC ...?" was declined, the acronym
    # being looked for as a word of its own.
    store = _store_of(
        settings,
        (
            "Zstandard",
            "Zstandard is a fast lossless compression algorithm. Its format is stable and "
            "documented in RFC8878. Multiple independent implementations are available.",
        ),
    )
    searcher = _searcher(settings, store, abstain_threshold=-1.0)

    assert searcher.ask("Which RFC documents the Zstandard format?").answered
    # As is a part of an identifier: Valgrind's "README_PACKAGERS" page is its packagers' README.
    store.upsert(
        prepare_article(
            RawArticle(
                title="7. README_PACKAGERS",
                text="Please test the final installation by running it on something huge, "
                "such as Firefox and OpenOffice.org.",
            )
        )
    )
    assert (
        _searcher(settings, store, abstain_threshold=-1.0)
        .ask("Which programs does the packagers' README suggest for testing an installation?")
        .answered
    )
    # The acronym with another word glued to it is not the acronym.
    store.upsert(
        prepare_article(RawArticle(title="Ports", text="The rfcomm port binds to Zstandard."))
    )
    assert (
        not _searcher(settings, store, abstain_threshold=-1.0)
        .ask("Which ISO standard documents the Zstandard format?")
        .answered
    )


@pytest.mark.parametrize(
    ("text", "answered", "declined"),
    [
        # lz4(1): "How fast does lz4 compress on one CPU core?" was declined, the stemmer
        # keeping the "s" of "cpus" (after the word's only vowel) and "CPU" being matched
        # exactly. An acronym in the plural names the acronym.
        (
            "lz4 is an extremely fast lossless compression algorithm. lz4 offers compression "
            "speeds above 500 MB/s per core, linearly scalable with multi-core CPUs.",
            "How fast does lz4 compress on one CPU core?",
            "How fast does lz4 compress on one GPU?",
        ),
        # ssh-agent(1) speaks of "ssh(1)" and of passphrases: "Which ssh-keygen option changes
        # the passphrase of a private key?" was answered from it, "ssh" naming "ssh-keygen". A
        # name of several words is named by all of them.
        (
            "ssh-agent holds private keys. Authentication passphrases and private keys never go "
            "over the network, and ssh(1) finds the agent through an environment variable. The "
            "-t option sets the lifetime of the keys.",
            "Which ssh-agent option sets the lifetime of keys?",
            "Which ssh-keygen option changes the passphrase of a key?",
        ),
    ],
)
def test_a_name_is_named_as_written(
    settings: Settings, text: str, answered: str, declined: str
) -> None:
    searcher = _searcher_of(settings, "A manual", text)

    assert searcher.ask(answered).answered
    assert not searcher.ask(declined).answered


def test_a_kind_word_beside_a_typed_token_is_not_a_subject(settings: Settings) -> None:
    # GNU time's manual lists "%M" under its resources, never saying "specifier" there: "What
    # does the %M format specifier report?" was declined for lack of "specifier".
    searcher = _searcher_of(
        settings,
        "Measuring program resource use",
        "The resources are printed as the format says.\n\n%M\nMaximum resident set size "
        "of the process during its lifetime, in Kilobytes.",
    )

    assert searcher.ask("What does the %M format specifier report?").answered


def test_a_faq_s_question_is_not_the_highlight_of_its_answer(
    settings: Settings, real_embedder: Embedder
) -> None:
    # Valgrind's FAQ: the entry's own question shared the most words with "What was Valgrind
    # called before its release?" and was highlighted over the sentence that answers it.
    text = (
        "1.2. Where does the name Valgrind come from?\n\n"
        "From Nordic mythology. Originally (before release) the project was named Heimdall, "
        "after the watchman of the Nordic gods. That name was already taken by a security "
        "package."
    )
    highlight = _highlight_in(
        settings,
        real_embedder,
        "Valgrind FAQ",
        text,
        "Where does the name Valgrind come from before its release?",
    )

    assert not highlight.endswith("?")


def test_a_sentence_pointing_back_with_the_asked_word_completes_the_highlight(
    settings: Settings, real_embedder: Embedder
) -> None:
    # libffi's README: 'type "make check". This will require that you have DejaGNU installed.'
    # The highlight stopped at "make check", the thing to install being said after "This".
    text = (
        "Configure has many other options. Once configure has finished, type make.\n\n"
        "To ensure that libffi is working as advertised, type make check. This will require "
        "that you have DejaGNU installed. To install the library, type make install."
    )
    highlight = _highlight_in(
        settings,
        real_embedder,
        "libffi README",
        text,
        "What must be installed to run libffi's make check?",
    )

    assert "type make check. This will require that you have DejaGNU installed." in highlight


def test_a_list_item_s_name_opens_its_highlight_and_the_next_item_stays_out(
    settings: Settings, real_embedder: Embedder
) -> None:
    # The Embedded Rust Book's panic crates: the highlight was the description alone and the
    # next item's name ("A panic causes ... an infinite loop.\n• panic-itm.").
    text = (
        "These common behaviors have been packaged into crates. Some examples include:\n"
        "• panic-abort. A panic causes the abort instruction to be executed.\n"
        "• panic-halt. A panic causes the program, or the current thread, to halt by entering "
        "an infinite loop.\n"
        "• panic-itm. The panicking message is logged using the ITM, a Cortex-M peripheral."
    )
    highlight = _highlight_in(
        settings,
        real_embedder,
        "Panicking",
        text,
        "Which panic crate halts the program by entering an infinite loop?",
    )

    assert highlight == (
        "• panic-halt. A panic causes the program, or the current thread, to halt by entering "
        "an infinite loop."
    )


@pytest.mark.model
def test_asked_which_ones_by_default_the_sentence_naming_them_is_the_highlight(
    settings: Settings, real_embedder: Embedder
) -> None:
    # doas(1): "By default, a new environment is created." states a default, but the question
    # asks which variables: the sentence naming them answers.
    text = (
        "The user will be required to authenticate by entering their password. By default, a "
        "new environment is created. The variables HOME, LOGNAME, PATH, SHELL and USER are set "
        "to values appropriate for the target user. The variables DISPLAY and TERM are "
        "inherited from the current environment."
    )
    highlight = _highlight_in(
        settings,
        real_embedder,
        "doas",
        text,
        "Which environment variables does doas pass through from the caller by default?",
    )

    assert "DISPLAY and TERM" in highlight


@pytest.mark.parametrize(
    "question",
    [
        "How long do keys stay in keyholder when no lifetime is set?",
        "What is keyholder's default key lifetime?",
    ],
)
def test_asked_for_a_default_the_highlight_is_the_sentence_stating_it(
    home: Path, question: str
) -> None:
    # ssh-agent(1)'s -t: the sentence describing the option shares more of the question's
    # words ("Set a default value for the maximum lifetime ..."); the one stating the default
    # answers, three sentences further on.
    page = (
        ".TH KEYHOLDER 1\n.SH NAME\nkeyholder \\- holds keys for the session\n"
        ".SH OPTIONS\n.TP\n-t life\nSet a default value for the maximum lifetime of keys "
        "added to keyholder. The lifetime may be given in seconds or in a time format. A "
        "lifetime given for one key when it is added overrides this value. Without this "
        "option the default maximum lifetime is forever.\n"
    )
    answer, store = _ask_man(home, page, question)

    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert highlight.text.endswith("Without this option the default maximum lifetime is forever.")
    assert "Set a default value" not in highlight.text
    _assert_contract(answer, store)


def test_a_default_is_the_one_stated_in_the_entry_the_question_is_about(home: Path) -> None:
    # less(1): two environment variables each end with "The default is ...": the history
    # file's name and its size. "How many commands ... by default?" is about the size's entry.
    page = (
        ".TH SKIM 1\n.SH NAME\nskim \\- a pager\n.SH ENVIRONMENT\n.TP\nSKIMHISTFILE\n"
        "Name of the history file used to remember search commands and shell commands between "
        'runs of skim. The default is "$HOME/.skimhst".\n.TP\nSKIMHISTSIZE\n'
        "The maximum number of commands to save in the history file. The default is 100.\n"
    )
    answer, store = _ask_man(
        home, page, "How many commands does skim save in its history file by default?"
    )

    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert highlight.text.endswith("The default is 100.")
    assert "skimhst" not in highlight.text
    _assert_contract(answer, store)


@pytest.mark.parametrize(
    ("text", "question", "cause", "consequence"),
    [
        # nss-mdns's NEWS: "Why did nss-mdns 0.9 make Avahi effectively mandatory?" highlighted
        # "Thus, nss-mdns will not work unless Avahi is running!", the consequence the question
        # names, not the cause in the sentence before it.
        (
            "Version 0.9 released. Changes include: Fix a potential endless loop in the packet "
            "parser. Please note that due to security reasons from this release on the legacy "
            "stack is no longer built by default. Thus, the resolver will not work unless the "
            "daemon is running! Pass --enable-legacy to build the stack again.",
            "Why does the resolver not work unless the daemon is running?",
            "due to security reasons",
            "Thus, the resolver will not work",
        ),
        # hostapd's README-WPS: "Why might WPS be a poor fit for networks that require secure
        # access?" highlighted "As such, use of WPS may not be suitable ...", not its cause.
        (
            "WPS can enable more home networks to use encryption. It should be noted that the "
            "PIN and PBC mechanisms for the initial key setup are not very secure. As such, use "
            "of WPS may not be suitable for environments that require secure network access. "
            "WPS is enabled in the build configuration.",
            "Why might WPS be a poor fit for networks that require secure access?",
            "are not very secure",
            "As such, use of WPS may not be suitable",
        ),
        # Its README: "Why shouldn't I use nslookup or host to test that .local names
        # resolve?" highlighted the warning, not the sentence after it that says why.
        (
            "Replace foo with a host name registered with a responder. (Don't try to use the "
            "tools host or nslookup for these tests! They bypass the NSS and issue their DNS "
            "queries directly.) If you run a firewall, allow traffic to port 5353.",
            "Why shouldn't I use nslookup or host to test names?",
            "They bypass the NSS",
            "Don't try to use the tools host or nslookup",
        ),
        # fuser(1): "Why does fuser show no access for TCP sockets when I'm not root?"
        # highlighted the sentence about "this problem", not the one stating it.
        (
            "fuser cannot report on any processes that it doesn't have permission to look at "
            "the file descriptor table for. The most common time this problem occurs is when "
            "looking for TCP or UDP sockets when running fuser as a non-root user. In this "
            "case fuser will report no access.",
            "Why does fuser show no access for TCP sockets when I'm not root?",
            "permission to look at the file descriptor table",
            "TCP or UDP sockets",
        ),
        # sudo's UPGRADE notes: "Why did sudo 1.9.9 start running commands with core dumps
        # disabled?" highlighted what is lost, not the purpose said after it.
        (
            "While most operating systems restrict core dumps of set-user-ID programs like "
            "sudo, this protection is lost when sudo executes a command. By disabling core "
            "dumps by default, it is possible to avoid potential security problems. To restore "
            "the historic behavior, add a line to the sudoers file.",
            "Why did sudo start running commands with core dumps disabled?",
            "avoid potential security problems",
            "this protection is lost when sudo executes a command",
        ),
        # uuencode(1): "Why might I have to press Ctrl-D several times ...?" highlighted the
        # consequence the question names, not the note before it that gives the cause.
        (
            "Note: the encoder uses buffered input and assumes that it is not hand typed from "
            "a tty. The consequence is that at a tty, you may need to hit Ctl-D several times "
            "to terminate input. The output is sent to standard output.",
            "Why might I have to press Ctl-D several times to end input typed at a terminal?",
            "uses buffered input",
            "hit Ctl-D several times",
        ),
        # An RRD tutorial: what happens without the backslash is why it is needed.
        (
            "Note: I need to escape the multiplication operator * with a backslash. If I don't, "
            "the shell may interpret it and use it for file name expansion. You could also "
            "quote the whole line.",
            "Why does the multiplication operator need a backslash in front of it?",
            "file name expansion",
            "with a backslash",
        ),
        # NumExpr's README: "Due to this, ..." draws the consequence of the reason before it.
        (
            "The main reason why NumExpr achieves better performance than NumPy is that it "
            "avoids allocating memory for intermediate results. This results in better cache "
            "utilization. Due to this, NumExpr works best with large arrays.",
            "Why does NumExpr work best with large arrays?",
            "avoids allocating memory",
            "Due to this",
        ),
        # NSD's README gives its reason as the authors' view.
        (
            "NSD doesn't do any logging. We believe that logging is a separate task and has to "
            "be done independently from the core operation. Use dnstap for query logs.",
            "Why doesn't NSD write query logs itself?",
            "logging is a separate task",
            "NSD doesn't do any logging.",
        ),
    ],
)
def test_why_is_answered_by_the_cause_beside_the_sentence_it_explains(
    settings: Settings, text: str, question: str, cause: str, consequence: str
) -> None:
    highlight = _highlight_in(settings, FakeEmbedder(), "nss-mdns", text, question)

    assert cause in highlight
    assert consequence in highlight


def test_a_function_s_signature_is_the_term_its_description_answers_for(
    settings: Settings,
) -> None:
    # Octave's manual lists functions as ": program_invocation_name ()" over what they do;
    # the closing parenthesis read as a sentence's end, so the name was left out.
    page = (
        "<html><head><title>Command Line Options</title></head><body><main>"
        "<h1>Command Line Options</h1><p>Octave has functions about its command line.</p><dl>"
        "<dt>: <strong>program_name</strong> <code>()</code></dt><dd><p>Return the last "
        "component of the value returned by program_invocation_name.</p></dd>"
        "<dt>: <strong>program_invocation_name</strong> <code>()</code></dt><dd><p>Return the "
        "name that was typed at the shell prompt to run Octave.</p><p>If executing a script from "
        "the command line (e.g., octave foo.m), the program name is set to the name of the "
        "script.</p></dd></dl></main></body></html>"
    )
    searcher, store = _searcher_over(settings, FakeEmbedder(), read_html(page, None))
    answer = searcher.ask(
        "Which Octave function tells me the name that was typed at the shell prompt?", k=1
    )

    highlight = _top_highlight(answer, store)
    assert highlight.startswith(": program_invocation_name ()")
    assert highlight.endswith("to run Octave.")


def test_asked_which_option_the_option_a_section_is_the_entry_of_answers(tmp_path: Path) -> None:
    # zmq_ctx_set(3): the entry's text names another option ("ZMQ_LINGER"), so its heading
    # "ZMQ_BLOCKY: Fix blocky behavior" was left out of the highlight.
    page = (
        ".TH ZMQ_CTX_SET 3\n.SH NAME\nzmq_ctx_set \\- set context options\n.SH DESCRIPTION\n"
        "The zmq_ctx_set() function sets the option given by its argument.\n"
        '.SS "ZMQ_BLOCKY: Fix blocky behavior"\nBy default the context will block, forever, on a '
        "zmq_ctx_term call. Most applications terminate the context with ZMQ_LINGER set to zero "
        "on all sockets. This setting is an easier way to get the same result.\n"
        '.SS "ZMQ_IO_THREADS: Set number of I/O threads"\nThe ZMQ_IO_THREADS argument specifies '
        "the size of the thread pool.\n"
    )
    answer, store = _ask_man(
        tmp_path, page, "Which context option stops zmq_ctx_term from blocking forever?"
    )

    assert _top_highlight(answer, store).startswith("ZMQ_BLOCKY: Fix blocky behavior")


def test_the_version_a_change_came_with_is_highlighted_for_since_which(
    settings: Settings,
) -> None:
    text = (
        "Up to version 1.25.x, mpg123 always returned exit code 0 also for complete junk on the "
        "input side. Fatal errors were only considered for output. With version 1.26.0, this "
        "changed to the behaviour described below."
    )
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "mpg123",
        text,
        "Starting with which version does mpg123 return a non-zero exit code for junk input?",
    )

    assert "1.26.0" in highlight


def test_an_entry_s_term_answers_for_its_last_sentence_not_the_next_entry_s() -> None:
    # aide(1): "Without any command aide does a check." ends --check's entry, four sentences
    # below its term; the highlight took the next entry's "--init, -i" instead.
    texts = [
        "--check, -C",
        "Checks the database for inconsistencies.",
        "You must have an initialized database to do this.",
        "This is also the default command.",
        "Without any command aide does a check.",
        "--init, -i",
        "Initialize the database.",
    ]
    paragraphs = [0, 0, 0, 0, 0, 1, 1]
    info = read_question("Which command does aide perform when I don't specify one?")

    extent = _with_answer_of_kind(info, texts, [0.1] * len(texts), 4, 4, paragraphs)

    assert extent == (0, 4)


def test_a_configuration_comment_is_answered_with_the_setting_it_describes() -> None:
    # mycli's key bindings page: the highlight "[keys] # How long to wait for an Escape key
    # sequence in vi mode." stopped before "vi_ttimeoutlen = 0.1", three lines on.
    texts = [
        "The threshold is separate for Emacs and Vi edit modes:",
        "[keys]\n# How long to wait for an Escape key sequence in vi mode.",
        "# 0.5 seconds is the prompt_toolkit default, but vi users may find that too long.",
        '# Shorter values mean that "Escape" alone is recognized more quickly.',
        "vi_ttimeoutlen = 0.1\n# How long to wait for an Escape key sequence in Emacs mode.",
    ]
    paragraphs = [0, 1, 1, 1, 1]

    assert _with_described_setting(texts, paragraphs, 1) == 4
    assert _with_described_setting(texts, paragraphs, 0) == 0  # prose ends where it ends
    assert _with_described_setting(texts, [0, 1, 1, 2, 2], 1) == 1  # not past its listing


def test_where_to_send_something_is_answered_by_an_address(settings: Settings) -> None:
    # GSL's README: "in the BUGS file" is a place too, and shared "bugs" with the question.
    text = (
        "Known bugs of GSL are listed in the BUGS file. If you find a new one, please mail it "
        "to bug-gsl@gnu.org."
    )
    sent = _highlight_in(
        settings, FakeEmbedder(), "GSL", text, "Where do I send reports of GSL bugs?"
    )
    # Asked where something is, a file in the tree answers as well as an address.
    kept = _highlight_in(settings, FakeEmbedder(), "GSL", text, "Where is the list of known bugs?")

    assert "bug-gsl@gnu.org" in sent
    assert "BUGS file" in kept
    # A file where something is kept is no address to send to.
    assert not read_question("Where does tinyproxy keep its PID file?").asks_address
    assert not read_question("Where does AIDE write its report?").asks_address


def test_the_item_a_question_names_is_highlighted_over_its_list_s_lead_in(
    tmp_path: Path,
) -> None:
    # aide(1): the lead-in shares "exit codes" with the question, the item "configuration".
    page = (
        ".TH AIDE 1\n.SH DIAGNOSTICS\nNormally, the exit status is 0 if no errors occurred.\n"
        ".PP\nAdditionally, the following exit codes are defined for generic error\n"
        "conditions:\n"
        '.IP "14 Writing error"\n.IP "15 Invalid argument error"\n'
        '.IP "16 Unimplemented function error"\n.IP "17 Configuration error"\n'
        '.IP "18 IO error"\n.IP "19 Version mismatch error"\n'
    )

    answer, _store = _ask_man(
        tmp_path, page, "What exit code does aide return for a configuration error?"
    )

    assert answer.quotes[0].highlight is not None
    assert "17 Configuration error" in answer.quotes[0].highlight.text
    assert "following exit codes" not in answer.quotes[0].highlight.text


def test_items_that_all_say_the_question_s_word_leave_their_lead_in_highlighted(
    settings: Settings,
) -> None:
    # skalibs' iopause: "iopause" is in every flag's name, so it tells none of them apart.
    text = (
        "An iopause_fd structure is similar to a struct pollfd structure.\n\n"
        "• x.fd must be set to the fd number to select on.\n"
        "• x.events must be a disjunction of the following flags:\n"
        "• IOPAUSE_READ if the fd is to be selected for reading.\n"
        "• IOPAUSE_WRITE if the fd is to be selected for writing."
    )
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "The iopause library interface",
        text,
        "Which flag do I put in an iopause_fd's events to wait until it can be written to?",
    )

    assert "IOPAUSE_WRITE" in highlight


def test_a_why_answer_that_states_its_cause_is_highlighted_alone(settings: Settings) -> None:
    text = (
        "The ferry stopped in March because the pier needed repairs. It runs again from June. "
        "Tickets cost two pounds."
    )
    highlight = _highlight_in(
        settings, FakeEmbedder(), "Harbour ferry", text, "Why did the ferry stop in March?"
    )

    assert highlight == "The ferry stopped in March because the pier needed repairs."


def test_who_wrote_a_readme_is_answered_by_its_copyright_line(settings: Settings) -> None:
    # nss-mdns's README says who wrote it only in the line above everything else; "Who wrote
    # nss-mdns?" quoted the overview, which names the GNU C Library and Debian.
    page = (
        "# nss-mdns\n\n"
        "*Copyright 2004-2007 Lennart Poettering <mzaffzqaf (at) 0pointer (dot) de>*\n\n"
        "* [License](#license)\n* [Overview](#overview)\n* [Installation](#installation)\n\n"
        "## Overview\n\n"
        "nss-mdns is a plugin for the GNU Name Service Switch functionality of the GNU C "
        "Library providing host name resolution via Multicast DNS.\n\n"
        "## Installation\n\n"
        "nss-mdns was developed and tested on Debian GNU/Linux. Run ./configure and make to "
        "build nss-mdns from its source tree.\n"
    )
    answer, store = _ask_markdown(settings, page, "Who wrote nss-mdns?")

    _assert_contract(answer, store)
    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert highlight.text.startswith("Copyright 2004-2007 Lennart Poettering")


def test_the_article_s_own_name_does_not_pick_the_highlight(settings: Settings) -> None:
    # Python-RSA's CLI page: "A lot of the Python-RSA functionality is also available as
    # commandline scripts." shares the page's rare name with "What do the Python-RSA command
    # line tools look like on Windows?"; but every sentence of the page is about Python-RSA,
    # so its name tells none from another, and the sentence about Windows answers.
    store = _store_of(
        settings,
        (
            "Keyring command line",
            "A lot of the Keyring functionality is also available as command line tools. On "
            "Linux they are executable scripts, on Windows they are .exe files.\n\n"
            "All tools accept a --help parameter.",
        ),
        (
            "Shell basics",
            "The command line is where tools run. Every command line tool reads its options first.",
        ),
        ("Build tools", "Command line tools build the project. The tools print a line a step."),
    )
    answer = _searcher(settings, store, abstain_threshold=-1.0).ask(
        "What do the Keyring command line tools look like on Windows?", k=1
    )

    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert highlight.text == "On Linux they are executable scripts, on Windows they are .exe files."
    _assert_contract(answer, store)


def test_the_situation_a_question_sets_out_weighs_less_than_what_it_asks(
    settings: Settings,
) -> None:
    # openssl's HOWTO: "My certificate authority won't take a signing request in PEM." sets
    # out a situation its next sentences speak of; what is asked ("Which option lets me write
    # it in another format?") is answered by the sentence after them.
    text = (
        "Certificates\n\nThe certificate request is created like this:\n\n"
        "openssl req -new -key privkey.pem -out cert.csr\n\n"
        "Now, cert.csr can be sent to the certificate authority, if they can handle files in "
        "PEM format. If not, use the extra argument '-outform' followed by the keyword for the "
        "format to use."
    )
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "Managing certificates",
        text,
        "My certificate authority won't take a signing request in PEM. Which option lets me "
        "write it in another format?",
    )

    assert "-outform" in highlight
    assert "openssl req" not in highlight


def test_who_wrote_a_tool_is_answered_by_the_sentence_crediting_someone_with_it(
    home: Path,
) -> None:
    # tune2fs(8): "Who originally wrote tune2fs?" shares more words with an option's entry
    # ("Originally ...") than with the AUTHOR section, whose sentence credits Remy Card with
    # tune2fs itself.
    page = (
        ".TH FSPROBE 8\n.SH NAME\nfsprobe \\- adjust file system parameters\n.SH OPTIONS\n"
        ".TP\n-T time-last-checked\nSet the time the file system was last checked using "
        "fsprobe. This can be useful in scripts which use a Logical Volume Manager to make a "
        "consistent snapshot of a file system, and then check it during off hours. Originally "
        "the time was kept by hand.\n.SH AUTHOR\nfsprobe was written by Remy Card "
        "<remy@example.org>. It is currently being maintained by Theodore Ts'o "
        "<tytso@example.org>. This manual page was written by Christian Kuhtz "
        "<chk@example.org>.\n"
    )
    answer, store = _ask_man(home, page, "Who originally wrote fsprobe?")

    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert highlight.text == "fsprobe was written by Remy Card <remy@example.org>."
    _assert_contract(answer, store)


def test_asked_for_the_most_the_highlight_is_the_sentence_stating_the_limit(
    settings: Settings,
) -> None:
    # Zutty's -saveLines: "What is the most scrollback history ...?" shares its words with the
    # option's description; the answer is the sentence giving the maximum.
    text = (
        "Scrollback\n\nThe saveLines option sets the number of lines of scrollback history to "
        "keep in the off-screen page history, viewable by paging the terminal up and down. The "
        "default value is 500 lines, which should be enough for everyday use. The maximum "
        "allowed value is 50,000."
    )
    highlight = _highlight_in(
        settings,
        FakeEmbedder(),
        "Termlet user guide",
        text,
        "What is the most scrollback history Termlet will let me keep?",
    )

    assert highlight == "The maximum allowed value is 50,000."


def test_a_lower_case_name_no_passage_writes_is_not_taken_for_a_common_word(
    settings: Settings,
) -> None:
    # init-system-helpers' README: nothing in it is about systemd; its "system" and
    # "subsystem" are other words, not slips for it.
    searcher = _searcher_of(
        settings,
        "invoke-rc.d interface",
        "invoke-rc.d runs init scripts. To shield policy-rc.d from the underlying initscript "
        "system, invoke-rc.d implements built-in rules. A subsystem error is reported to the "
        "caller.",
    )

    assert not searcher.ask("How does invoke-rc.d handle systemd service units?", k=1).answered
    assert searcher.ask("How does invoke-rc.d shield policy-rc.d?", k=1).answered


def test_a_passage_stating_the_limit_asked_for_speaks_to_the_question(settings: Settings) -> None:
    # vnstatd(8): "What is the shortest PollInterval vnstatd accepts?" is answered by "The
    # minimum value is 2 seconds", which says neither "shortest" nor "accepts"; the passage
    # names PollInterval, and its manual is about vnstatd.
    searcher = _searcher_past_the_opening(
        settings,
        "VNSTATD(8)",
        "vnstatd - the daemon based database updater for vnStat",
        "Other settings of the daemon",
        "PollInterval defines in seconds how often the list of interfaces is checked. The "
        "minimum value is 2 seconds and the maximum 60 seconds.",
    )

    answer = searcher.ask("What is the shortest PollInterval vnstatd accepts?", k=1)

    assert answer.answered
    assert "minimum value is 2 seconds" in answer.quotes[0].text
    # Without a limit stated, naming PollInterval is a mention in passing.
    assert not searcher.ask("What colour is the PollInterval vnstatd accepts?", k=1).answered


def test_a_question_word_no_passage_holds_weighs_as_the_rarest(settings: Settings) -> None:
    # "What is the chemical symbol for tin?" over a FAQ on text encodings: its one sentence
    # with "symbols" held the whole of the question's weight when "chemical" and "tin", held
    # by no passage, weighed nothing; they are the question's rarest words.
    encoding = (
        "When you think of text, you probably think of the characters and symbols you see on "
        "your screen. Computers deal in bits and bytes."
    )
    bytes_ = "Every encoding maps characters to sequences of bytes in its own way."
    searcher = _searcher(settings, _store_of(settings, ("Encodings", encoding), ("Bytes", bytes_)))
    question = "What is the chemical symbol for tin?"

    ranked = searcher.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())

    by_text = {searcher.snapshot.passages[c.ordinal].text: c for c in ranked}
    assert 0.0 < by_text[encoding].sentence < 0.5


def test_a_passage_of_references_only_answers_nothing_whatever_its_article_is_about(
    home: Path,
) -> None:
    # cwm(1) with cwmrc(5) left out: "How do I write a cwmrc argument that contains spaces?"
    # was answered by its SEE ALSO section, "cwmrc(5)", since the manual's opening names the
    # file ~/.cwmrc and so vouched for a passage naming it only as a reference.
    filler = "".join(
        f".PP\nWindow groups work in mode number {n} the way the other modes do.\n"
        for n in range(40)
    )
    page = (
        ".TH CWM 1\n.SH NAME\ncwm \\- a lightweight window manager for X11\n"
        f".SH DESCRIPTION\ncwm reads ~/.cwmrc when it starts.\n{filler}"
        ".SH SEE ALSO\ncwmrc(5)\n"
    )
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    searcher, _store = _searcher_over(settings, FakeEmbedder(), read_man(page, None))
    question = "How do I write a cwmrc argument that contains spaces?"
    info = read_question(question)

    candidates = searcher.rank(question, FakeEmbedder().embed([question])[0], SearchFilters())

    references = [
        c for c in candidates if searcher.snapshot.passages[c.ordinal].text.strip() == "cwmrc(5)"
    ]
    assert references
    assert not searcher.supported(info, references)


def test_asked_for_a_unit_the_highlight_is_the_sentence_naming_it(home: Path) -> None:
    # mtr-packet(8): "In what unit does mtr-packet give the round-trip time of a reply?" shares
    # its words with the argument's name and first sentence; the next one names the unit.
    page = (
        ".TH PROBER 8\n.SH NAME\nprober \\- send network probes\n.SH REPLIES\n.TP\n"
        "round-trip-time TIME\nThe round-trip time which passed between the transmission of "
        "the probe and the reply. The value is provided as an integral number of "
        "microseconds elapsed.\n"
    )
    answer, store = _ask_man(
        home, page, "In what unit does prober give the round-trip time of a reply?"
    )

    highlight = answer.quotes[0].highlight
    assert highlight is not None
    assert "microseconds" in highlight.text
    _assert_contract(answer, store)


def test_a_quantity_asked_with_its_unit_apart_is_named_by_one_written_glued(
    settings: Settings,
) -> None:
    # e2fsck(8): "a 40TB file system ... will consume an additional 5.7 GB memory"; the
    # question writes "40 TB", whose "40" and "TB" the subject check looked for as words.
    searcher = _searcher_of(
        settings,
        "fsprobe options",
        "inode_count_fullmap trades memory for speed. For example, a 40TB file system with 2.8 "
        "billion inodes will consume an additional 5.7 GB memory if this optimization is "
        "enabled.",
    )

    answer = searcher.ask(
        "How much extra memory does inode_count_fullmap cost on a 40 TB file system?", k=1
    )

    assert answer.answered
    assert "5.7 GB" in answer.quotes[0].text
    assert not searcher.ask("How much memory does it cost on a 40 PB file system?", k=1).answered


class _Sureness:
    """A question reading whose ``expects`` gives each sentence a set sureness and counts the
    sentences it was asked of."""

    def __init__(self, sureness: dict[str, float]) -> None:
        self.sureness = sureness
        self.asked: list[str] = []

    def expects(self, sentence: str) -> float:
        self.asked.append(sentence)
        return self.sureness[sentence]


@pytest.mark.parametrize(
    "values",
    [[], [0.0], [0.5, 0.0], [0.0, 0.75, 0.5], [0.5, 1.0, 0.75, 0.0], [1.0, 0.5], [0.0, 0.0, 1.0]],
)
def test_the_surest_sentence_is_the_most_sure_and_none_after_a_sure_one_is_read(
    values: list[float],
) -> None:
    sentences = [f"s{i}." for i in range(len(values))]
    text = " ".join(sentences)
    spans = [Span(4 * i, 4 * i + 3) for i in range(len(values))]
    info = _Sureness(dict(zip(sentences, values, strict=True)))
    assert _surest(info, text, spans) == max(values, default=0.0)  # type: ignore[arg-type]
    read = values.index(1.0) + 1 if 1.0 in values else len(values)
    assert info.asked == sentences[:read]


def test_asked_why_the_cause_said_of_a_list_item_in_the_next_paragraph_is_highlighted(
    home: Path,
) -> None:
    # YAPF's contributing guide lists its two departures from a style guide, then explains
    # them in a paragraph of their own ("The rationale for this is that ..."): the highlight
    # was the list item alone, which restates the question.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    page = (
        "# Coding style\n\n"
        "The project follows the house style guide with two exceptions:\n\n"
        "- Tabs for indentation rather than spaces.\n"
        "- CamelCase for function and method names rather than snake_case.\n\n"
        "The rationale for this is that the project began inside a company where these two "
        "exceptions are part of the internal style guide.\n\n"
        "# Small print\n\n"
        "Contributions made by corporations are covered by a different agreement.\n"
    )

    answer, store = _ask_markdown(
        settings, page, "Why does the project use CamelCase for its function names?"
    )

    highlight = _top_highlight(answer, store)
    assert highlight.startswith("• CamelCase for function")
    assert highlight.endswith("part of the internal style guide.")


def test_asked_why_a_problem_stated_alone_is_answered_by_the_next_paragraph(home: Path) -> None:
    # tcsh's FAQ: a problem in a paragraph of its own, its cause in the next one, with no
    # "because": "Why could tcsh take a couple of minutes to show its first prompt?"
    # highlighted the problem alone.
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    faq = read_text(
        "Frequently asked questions about the shell\n\n"
        "The shell prints its version with the -V option and exits at once.\n\n"
        "I start the shell and it takes a couple of minutes to show the prompt.\n\n"
        "You have defined REMOTEHOST and your DNS is not responding. Either undefine "
        "REMOTEHOST and recompile or fix your DNS.\n\n"
        "If you need help writing your startup file, read the sample one.\n",
        None,
    )
    searcher, store = _searcher_over(settings, FakeEmbedder(), faq)

    answer = searcher.ask("Why could the shell take a couple of minutes to show the prompt?", k=1)

    highlight = _top_highlight(answer, store)
    assert highlight.startswith("I start the shell")
    assert highlight.endswith("your DNS is not responding.")


def test_a_highlight_ending_on_a_broken_off_sentence_reads_on_to_its_end() -> None:
    # GoogleTest's build README: "you can add" / "-DGTEST_DONT_DEFINE_FOO=1" / "to the compiler
    # flags ...": the highlight ended at "you can add", the option it names below it.
    texts = [
        "Specifically, if both GoogleTest and some other code define macro FOO, you can add",
        "-DGTEST_DONT_DEFINE_FOO=1",
        "to the compiler flags to tell GoogleTest to change the macro's name.",
        "Currently FOO can be ASSERT_EQ or TEST.",
    ]
    assert _finished(texts, 0) == 2
    assert _finished(texts, 2) == 2  # a finished sentence is the end
    # A list's items end on a word but the next item is not their end.
    items = ["Build systems:", "• Bazel", "• CMake"]
    assert _finished(items, 1) == 1
    assert _finished(["Run it with", "Docker takes longer."], 0) == 0


def test_an_unfinished_sentence_does_not_read_on_into_the_next_option_of_a_man_page() -> None:
    # dbclient(1): the -i option's text ends, unfinished, on "The default path
    # ~/.ssh/id_dropbear is used" above the next option and its definition; the highlight read
    # on into "-L [listenaddress]:listenport:host:port".
    texts = [
        "The default path ~/.ssh/id_dropbear is used",
        "-L [listenaddress]:listenport:host:port",
        "Local port forwarding.",
    ]
    assert _finished(texts, 0, (0, 1, 1)) == 0
    # A code line in a paragraph of its own still ends the sentence it finishes.
    assert _finished(texts, 0, (0, 1, 2)) == 1
    # The option's rest under it, unlike a definition, goes on the sentence.
    broken = ["you can add", "-DGTEST_DONT_DEFINE_FOO=1", "to the compiler flags."]
    assert _finished(broken, 0, (0, 0, 0)) == 2


def test_a_sentence_broken_off_holds_the_kind_of_answer_its_next_line_says() -> None:
    # GoogleTest's build README: "With CMake, how do I build just GoogleTest ...?" highlighted
    # "The above command also includes GoogleMock by default." alone; the sentence after it
    # ends on "with" and its command is the line below.
    info = read_question("With CMake, how do I build just GoogleTest and leave out GoogleMock?")
    texts = [
        "The above command also includes GoogleMock by default.",
        "And so, if you want to build only GoogleTest, you should replace the last command with",
        "cmake .. -DBUILD_GMOCK=OFF",
    ]
    assert _run_on(texts)[1] == f"{texts[1]} {texts[2]}"
    assert _run_on(texts)[0] == texts[0]
    paragraphs = (0, 0, 1)
    assert _with_answer_of_kind(info, texts, [1.5, 1.4, 1.3], 0, 0, paragraphs) == (0, 1)


def test_a_line_saying_a_number_the_question_does_not_is_no_echo_of_it(
    settings: Settings, real_embedder: Embedder
) -> None:
    # dh-python's README.PyDist: "which Python versions does the range 3.1-3.3 cover?" is
    # answered by "• 3.1-3.3 (Python 3.1 or 3.2)", whose only term, "python", the question has:
    # it was taken for a line saying nothing the question does not, and never highlighted.
    page = (
        "# PyDist files\n\n## VRANGE\n\nPython version or version range the line applies to.\n\n"
        "Examples:\n\n* 2.6 (Python 2.6 only)\n* 2.5-2.7 (Python 2.5 or 2.6)\n"
        "* 3.1 (Python 3.1 only)\n* 3.1-3.3 (Python 3.1 or 3.2)\n* -3.4 (Python 3.3 or older)\n"
    )
    searcher, store = _searcher_over(settings, real_embedder, read_markdown(page, None))
    answer = searcher.ask("In a PyDist file, which Python versions does the range 3.1-3.3 cover?")

    assert _top_highlight(answer, store).endswith("3.1-3.3 (Python 3.1 or 3.2)")


def test_a_passage_saying_only_the_question_s_words_is_ranked_after_one_that_answers(
    settings: Settings,
) -> None:
    # fzf-tmux(1) beside fzf(1): "What layout does fzf-tmux use if I pass no layout option?"
    # quoted the SYNOPSIS line "fzf-tmux [LAYOUT OPTIONS] [--] [FZF OPTIONS]" first, whose
    # every word the question has, above "(default layout: -d 50%)".
    page = (
        '.TH pick-tmux 1 "Feb 2023" "pick 0.38.0"\n'
        ".SH NAME\npick-tmux \\- open pick in a tmux split pane\n"
        ".SH SYNOPSIS\n.B pick-tmux [LAYOUT OPTIONS] [--] [PICK OPTIONS]\n"
        ".SH DESCRIPTION\npick-tmux is a wrapper script for pick that opens pick in a tmux\n"
        "split pane or in a tmux popup window.\n"
        ".SH LAYOUT OPTIONS\n(default layout: \\fB-d 50%\\fR)\n"
    )
    searcher, _store = _searcher_over(settings, FakeEmbedder(), read_man(page, None))
    passages = searcher.snapshot.passages
    synopsis, default = (
        next(i for i, p in enumerate(passages) if said in p.text)
        for said in ("[LAYOUT OPTIONS]", "default layout")
    )
    info = read_question("What layout does pick-tmux use if I pass no layout option?")
    ranked = [Candidate(synopsis, fused=2.0), Candidate(default, fused=1.0)]

    reordered = searcher._saying_something_first(info, ranked)

    assert [c.ordinal for c in reordered] == [default, synopsis]
    # A passage saying anything more keeps its place.
    more = read_question("What layout does pick-tmux use?")
    assert [c.ordinal for c in searcher._saying_something_first(more, ranked)] == [
        synopsis,
        default,
    ]


def test_the_alternative_a_question_sets_aside_does_not_pick_the_highlight(
    settings: Settings, real_embedder: Embedder
) -> None:
    # rclone's dedupe page: "... find files with the same content rather than the same name?"
    # highlighted "If deduping by name, first rclone will merge directories with the same
    # name.", the alternative the question sets aside, over the --by-hash sentences.
    page = (
        "# rclone dedupe\n\n"
        "By default dedupe interactively finds files with duplicate names and offers to "
        "delete all but one or rename them to be different.\n\n"
        "However if --by-hash is passed in then dedupe will find files with duplicate hashes "
        "instead which will work on any backend which supports at least one hash. This can be "
        "used to find files with duplicate content. This is known as deduping by hash.\n\n"
        "If deduping by name, first rclone will merge directories with the same name. It will "
        "do this iteratively until all the identically named directories have been merged.\n"
    )
    searcher, store = _searcher_over(settings, real_embedder, read_markdown(page, None))
    answer = searcher.ask(
        "How can I make rclone dedupe find files with the same content rather than the same name?"
    )

    assert "--by-hash" in _top_highlight(answer, store)
