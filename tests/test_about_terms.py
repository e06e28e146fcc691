"""Each article's about-terms stored by the build: read back as the searcher would compute
them, and snapshots without them (or made by other rules) computed at question time with the
same answers."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from articleqa import about_terms as about_module
from articleqa.about_terms import ABOUT_ENDS, ABOUT_KEY, ABOUT_TERMS, AboutTerms, about_terms
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.hashing import file_sha256
from articleqa.indexer import Indexer
from articleqa.ingest.prepare import prepare_article
from articleqa.manifest import FORMAT_VERSION
from articleqa.models import RawArticle
from articleqa.records import ArticleRecord
from articleqa.search import Searcher
from articleqa.service import ingest
from articleqa.snapshot import MANIFEST, Snapshot, load_snapshot
from articleqa.store import ArticleStore
from tests.conftest import SAMPLE_ARTICLES

QUESTIONS = [
    "Who won the regional science fair?",
    "Why was the lower town flooded?",
    "When does the night ferry to Port Avery return?",
    "What did the Pellingford chess club win?",
]


@pytest.fixture
def built(settings: Settings, fake_embedder: FakeEmbedder) -> Snapshot:
    store = ArticleStore(settings.home)
    assert not [o for o in ingest([str(SAMPLE_ARTICLES)], store, settings) if o.failed]
    Indexer(settings, store, fake_embedder).build()
    return load_snapshot(settings.home)


def _answers(snapshot: Snapshot, embedder: FakeEmbedder, settings: Settings) -> list[object]:
    searcher = Searcher(snapshot, embedder, settings)
    return [
        [(q.article.id, q.start, q.end, q.highlight) for q in searcher.ask(question).quotes]
        for question in QUESTIONS
    ]


def _add(store: ArticleStore, raw: RawArticle) -> None:
    store.upsert(prepare_article(raw))


def _rewrite_manifest(folder: Path, **changes: object) -> None:
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest.update(changes)
    manifest["files"] = {
        str(p.relative_to(folder)): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))


def test_a_build_stores_every_articles_about_terms_as_the_searcher_computes_them(
    built: Snapshot,
) -> None:
    assert built.manifest.format == FORMAT_VERSION == 5
    assert built.about is not None and len(built.about) == len(built.articles) > 1
    for article_id, article in built.articles.items():
        assert built.about.get(article_id) == about_terms(article)
    assert {ABOUT_ENDS, ABOUT_TERMS} <= set(built.manifest.files)


def test_the_next_build_stems_only_the_articles_that_changed(
    built: Snapshot,
    settings: Settings,
    fake_embedder: FakeEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = ArticleStore(settings.home)
    _add(
        store,
        RawArticle(
            title="Night ferry",
            text="The night ferry to Port Avery returns in May, the harbour authority said.",
            url="https://ledger.example/ferry",
        ),
    )
    stemmed: list[str] = []
    compute = about_module.about_terms

    def counted(article: ArticleRecord) -> frozenset[str]:
        stemmed.append(article.title)
        return compute(article)

    monkeypatch.setattr(about_module, "about_terms", counted)
    Indexer(settings, store, fake_embedder).build()

    assert stemmed == ["Night ferry"]
    after = load_snapshot(settings.home)
    assert after.about is not None and len(after.about) == len(built.articles) + 1
    for article_id, article in after.articles.items():
        assert after.about.get(article_id) == compute(article)


def test_a_snapshot_without_about_terms_computes_them_with_the_same_answers(
    built: Snapshot, fake_embedder: FakeEmbedder, settings: Settings
) -> None:
    stored = _answers(built, fake_embedder, settings)
    # As code of format 3 wrote it: no about files, no fingerprint.
    folder = built.path
    (folder / ABOUT_ENDS).unlink()
    (folder / ABOUT_TERMS).unlink()
    manifest = json.loads((folder / MANIFEST).read_text())
    del manifest[ABOUT_KEY]
    (folder / MANIFEST).write_text(json.dumps(manifest))
    _rewrite_manifest(folder, format=3)

    old = load_snapshot(settings.home)
    assert old.manifest.format == 3 and old.about is None
    assert _answers(old, fake_embedder, settings) == stored
    assert any(stored)


def test_about_terms_made_by_other_rules_are_not_used(
    built: Snapshot,
    fake_embedder: FakeEmbedder,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="articleqa.snapshot"):
        assert load_snapshot(settings.home).about is not None
    assert not caplog.records
    _rewrite_manifest(built.path, **{ABOUT_KEY: "0000000000000000"})
    with caplog.at_level(logging.WARNING, logger="articleqa.snapshot"):
        assert load_snapshot(settings.home).about is None
    # The operator is told why questions are slower, and what mends it.
    (record,) = caplog.records
    assert "about-terms" in record.getMessage() and "articleqa index" in record.getMessage()


def test_about_terms_that_do_not_match_the_articles_are_not_used(tmp_path: Path) -> None:
    articles = [
        ArticleRecord("a", "Lyon trams", None, None, None, "The Lyon tram network grew.", None),
        ArticleRecord("b", "", None, None, None, "", "https://x.example/docs/grep.1"),
    ]
    AboutTerms.of_articles(articles).save(tmp_path)
    loaded = AboutTerms.load(tmp_path, {"a": 0, "b": 1})
    assert loaded is not None
    assert loaded.get("a") == about_terms(articles[0]) and "lyon" in loaded.get("a")
    assert loaded.get("b") == about_terms(articles[1]) and "grep" in loaded.get("b")
    assert AboutTerms.load(tmp_path, {"a": 0}) is None
    assert AboutTerms.load(tmp_path / "none", {"a": 0, "b": 1}) is None


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("/usr/share/doc/chrony/NEWS", True),
        ("/usr/share/doc/chrony/NEWS.gz", True),
        ("file:///usr/share/doc/chrony/README.md", True),
        ("/usr/share/doc/chrony/changelog.Debian.gz", True),
        # Words joined by underscores are words: "chrony_news.txt" was the one term "chrony_new".
        ("/home/me/docs/chrony_news.txt", True),
        # A name of its own says what it is about; a page's folder on a site may be anything.
        ("/home/me/notes/maxdelay.txt", False),
        ("https://example.org/chrony/NEWS", False),
    ],
)
def test_a_file_is_about_what_its_name_or_its_folder_s_says(source: str, named: bool) -> None:
    # chrony's NEWS: its title is "New in version 4.3" and its first entries never say
    # "chrony", so "How long is the default maxdelay in chrony 2.0?" was declined.
    article = ArticleRecord(
        id="a",
        title="New in version 4.3",
        url=None,
        author=None,
        published=None,
        text="Enhancements\n\n* Change default maxdelay to 3 seconds",
        source=source,
    )

    assert ("chroni" in about_terms(article)) is named


def test_a_question_naming_the_project_of_a_news_file_is_answered(
    settings: Settings, fake_embedder: FakeEmbedder
) -> None:
    store = ArticleStore(settings.home)
    _add(
        store,
        RawArticle(
            title="New in version 4.3",
            text="Enhancements\n\n* Change default maxdelay to 3 seconds\n\n"
            "* Change default stratumweight to 0.001",
            source="/usr/share/doc/chrony/NEWS",
        ),
    )
    Indexer(settings, store, fake_embedder).build()
    searcher = Searcher(load_snapshot(settings.home), fake_embedder, settings)

    answer = searcher.ask("What is the default maxdelay in chrony?", k=1)

    assert answer.answered
    assert "maxdelay to 3 seconds" in answer.quotes[0].text


def _guide(putty_paragraphs: int) -> ArticleRecord:
    opening = "Guide to online play\n\n" + "You have been playing Crawl offline. " * 30
    steps = [
        f"Step {n}. Open PuTTY and check the settings." if n < putty_paragraphs else f"Step {n}."
        for n in range(8)
    ]
    text = "\n\n".join([opening, *steps, "Set the keypad to 'Nethack'.", "See also ssh(1)."])
    return ArticleRecord("g", "Guide to online play", None, None, None, text, None)


def test_an_article_is_about_a_name_it_repeats_in_many_paragraphs() -> None:
    # Crawl's SSH guide names PuTTY in 17 paragraphs but not in its opening: "Which keypad mode
    # should PuTTY's keyboard settings use?" was declined over the answer.
    assert "putti" in about_terms(_guide(putty_paragraphs=4))
    assert "putti" not in about_terms(_guide(putty_paragraphs=3))
    assert "ssh" not in about_terms(_guide(putty_paragraphs=4))  # named once, in passing


def test_the_about_fingerprint_follows_the_recurrence_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = about_module.about_fingerprint()
    about_module.about_fingerprint.cache_clear()
    monkeypatch.setattr(about_module, "_RECURRING_PARAGRAPHS", 5)
    try:
        assert about_module.about_fingerprint() != before
    finally:
        about_module.about_fingerprint.cache_clear()
