"""Feed polling against RSS and Atom feeds served from 127.0.0.1 (with ETag / Last-Modified)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from articleqa.cli.main import main
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.engine import ArticleQA
from articleqa.errors import InvalidInput
from articleqa.feeds import FeedPoller, FeedRegistry
from articleqa.snapshot import current_version, load_best
from articleqa.store import ArticleStore
from articleqa.watch import Watcher
from tests.test_watch import wait_for

LAST_MODIFIED = "Wed, 25 Nov 2026 08:00:00 GMT"


def page(title: str, body: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p)
    return (
        f"<html><head><title>{title} | Lakeshore Gazette</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>Copyright the Gazette</footer></body></html>"
    ).encode()


TRAM_TEXT = (
    "The city council approved the harbour line tram extension on Tuesday evening.\n"
    "Four new stops will connect the ferry terminal with the university campus by 2028.\n"
    "Construction crews start relaying the rails along Quay Street next spring."
)
BAKERY_TEXT = (
    "A family bakery on Mill Street celebrated its hundredth year of baking rye bread.\n"
    "The fourth generation of bakers still uses the wood-fired oven built in 1926.\n"
    "Customers queued around the block for the anniversary cinnamon buns."
)
ORCHESTRA_TEXT = (
    "The youth orchestra will tour three Baltic capitals with a new violin concerto.\n"
    "Rehearsals in the old grain warehouse run every weekend until the summer departure.\n"
    "The conductor commissioned the concerto from a composer who grew up in the town."
)
SUMMARY_ONLY = (
    "The ferry company retired its oldest car ferry after fifty-two years of crossings. "
    "Engineers will turn the vessel into a floating maritime classroom for schools."
)


def rss(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>"
        f"<description>{summary}</description></item>"
        for title, path, summary in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Lakeshore Gazette</title><link>{base}/</link><description>News</description>"
        f"{entries}</channel></rss>"
    ).encode()


def atom(base: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(
        f"<entry><title>{title}</title><link href='{base}{path}'/><id>urn:gazette:{path}</id>"
        f"<updated>2026-11-23T09:00:00Z</updated><author><name>Desk</name></author>"
        f"<summary type='html'>&lt;p&gt;{summary}&lt;/p&gt;</summary></entry>"
        for title, path, summary in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Gazette Atom</title><id>urn:gazette</id><updated>2026-11-23T09:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


@dataclass
class FeedSite:
    """What the stand-in news site serves, and a log of (path, status) it answered."""

    base: str = ""
    documents: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    log: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, path: str, body: bytes, content_type: str) -> None:
        with self.lock:
            self.documents[path] = (body, content_type)

    def statuses(self, path: str) -> list[int]:
        with self.lock:
            return [status for p, status in self.log if p == path]


def make_handler(site: FeedSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with site.lock:
                document = site.documents.get(self.path)
            if document is None:
                self._answer(404, b"not found", "text/plain")
                return
            body, content_type = document
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._answer(304, b"", content_type, etag)
                return
            self._answer(200, body, content_type, etag)

        def _answer(self, status: int, body: bytes, content_type: str, etag: str = "") -> None:
            with site.lock:
                site.log.append((self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


@pytest.fixture
def site() -> Iterator[FeedSite]:
    feed_site = FeedSite()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(feed_site))
    feed_site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = feed_site.base
    feed_site.put("/news/tram.html", page("Tram line approved", TRAM_TEXT), "text/html")
    feed_site.put("/news/bakery.html", page("Bakery turns 100", BAKERY_TEXT), "text/html")
    feed_site.put(
        "/rss.xml",
        rss(
            base,
            [
                ("Tram line approved", "/news/tram.html", "Council says yes."),
                ("Bakery turns 100", "/news/bakery.html", "A century of rye."),
            ],
        ),
        "application/rss+xml",
    )
    feed_site.put(
        "/atom.xml",
        # The ferry page does not exist: the entry's own summary is ingested instead.
        atom(base, [("Old ferry retires", "/news/ferry.html", SUMMARY_ONLY)]),
        "application/atom+xml",
    )
    yield feed_site
    server.shutdown()
    server.server_close()


def titles(home: Path) -> set[str]:
    store = ArticleStore(home)
    return {a.title for a in store.list(0, 100)}


def test_rss_and_atom_entries_are_ingested_once(settings: Settings, site: FeedSite) -> None:
    registry = FeedRegistry(settings.home)
    assert registry.add(f"{site.base}/rss.xml")
    assert registry.add(f"{site.base}/atom.xml")
    assert not registry.add(f"{site.base}/rss.xml")
    store = ArticleStore(settings.home)
    poller = FeedPoller(ArticleQA(settings), allow_private=True)

    first = poller.poll_all()
    assert [r.status for r in first] == ["fetched", "fetched"]
    assert [r.changed for r in first] == [2, 1]
    assert titles(settings.home) == {"Tram line approved", "Bakery turns 100", "Old ferry retires"}
    tram = next(a for a in store.iter_articles() if a.title == "Tram line approved")
    assert tram.url == f"{site.base}/news/tram.html"
    assert "Quay Street" in tram.text and "Copyright" not in tram.text
    ferry = next(a for a in store.iter_articles() if a.title == "Old ferry retires")
    assert "floating maritime classroom" in ferry.text
    assert str(ferry.published) == "2026-11-23" and ferry.author == "Desk"
    generation = store.generation()

    second = poller.poll_all()
    assert [r.status for r in second] == ["not_modified", "not_modified"]
    assert all(not r.outcomes for r in second)
    assert site.statuses("/rss.xml") == [200, 304]
    assert site.statuses("/atom.xml") == [200, 304]
    assert site.statuses("/news/tram.html") == [200], "an unchanged feed re-fetched its pages"
    assert store.generation() == generation and store.count() == 3

    # A new entry changes the feed: only that entry is fetched and stored.
    site.put("/news/orchestra.html", page("Orchestra tour", ORCHESTRA_TEXT), "text/html")
    site.put(
        "/rss.xml",
        rss(
            site.base,
            [
                ("Orchestra tour", "/news/orchestra.html", "Strings abroad."),
                ("Tram line approved", "/news/tram.html", "Council says yes."),
                ("Bakery turns 100", "/news/bakery.html", "A century of rye."),
            ],
        ),
        "application/rss+xml",
    )
    third = poller.poll(f"{site.base}/rss.xml")
    assert third.status == "fetched" and third.entries == 3
    assert [(o.title, o.status) for o in third.outcomes] == [("Orchestra tour", "created")]
    assert site.statuses("/news/tram.html") == [200]
    assert store.count() == 4
    listed = {f.url: f for f in registry.list()}
    assert listed[f"{site.base}/rss.xml"].entries_stored == 3
    assert listed[f"{site.base}/rss.xml"].title == "Lakeshore Gazette"


def test_feed_on_a_private_address_is_refused_by_default(
    settings: Settings, site: FeedSite
) -> None:
    registry = FeedRegistry(settings.home)
    registry.add(f"{site.base}/rss.xml")
    store = ArticleStore(settings.home)
    [result] = FeedPoller(ArticleQA(settings)).poll_all()
    assert result.status == "failed"
    assert result.error is not None and "ARTICLEQA_ALLOW_PRIVATE_URLS" in result.error
    assert site.log == [] and store.count() == 0
    assert registry.list()[0].last_error == result.error
    # The settings flag is the switch that allows it.
    allowed = settings.model_copy(update={"allow_private_urls": True})
    [result] = FeedPoller(ArticleQA(allowed)).poll_all()
    assert result.status == "fetched" and result.changed == 2


def test_broken_feed_does_not_stop_the_others(settings: Settings, site: FeedSite) -> None:
    site.put("/broken.xml", b"this is not a feed at all", "text/plain")
    registry = FeedRegistry(settings.home)
    registry.add(f"{site.base}/broken.xml")
    registry.add(f"{site.base}/missing.xml")
    registry.add(f"{site.base}/rss.xml")
    results = FeedPoller(ArticleQA(settings), allow_private=True).poll_all()
    assert [r.status for r in results] == ["failed", "failed", "fetched"]
    assert "not an RSS or Atom feed" in (results[0].error or "")
    assert "404" in (results[1].error or "")
    assert results[2].changed == 2


def test_registry_rejects_non_http_urls_and_unknown_removals(settings: Settings) -> None:
    registry = FeedRegistry(settings.home)
    with pytest.raises(InvalidInput):
        registry.add("file:///etc/passwd")
    with pytest.raises(InvalidInput):
        registry.remove("https://example.org/feed.xml")


def test_feeds_cli_add_list_refresh_remove(home: Path, site: FeedSite) -> None:
    runner = CliRunner()
    env = {
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "ARTICLEQA_ALLOW_PRIVATE_URLS": "true",
        "ARTICLEQA_HOME": str(home),
    }
    url = f"{site.base}/atom.xml"
    result = runner.invoke(main, ["feeds", "add", url], env=env)
    assert result.exit_code == 0, result.output
    assert f"added {url}" in result.output
    result = runner.invoke(main, ["feeds", "list"], env=env)
    assert result.exit_code == 0 and url in result.output and "never polled" in result.output

    result = runner.invoke(main, ["feeds", "refresh"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 new or updated" in result.output and "published" in result.output
    assert "floating maritime classroom" in [*load_best(home).snapshot.articles.values()][-1].text
    version = current_version(home)

    result = runner.invoke(main, ["feeds", "refresh"], env=env)
    assert result.exit_code == 0, result.output
    assert "not_modified" in result.output
    assert current_version(home) == version, "an unchanged feed published a new snapshot"

    result = runner.invoke(main, ["feeds", "remove", url], env=env)
    assert result.exit_code == 0 and f"removed {url}" in result.output
    result = runner.invoke(main, ["feeds", "remove", url], env=env)
    assert result.exit_code == 1 and "no feed" in result.output


def test_watch_with_feeds_only_indexes_new_entries(settings: Settings, site: FeedSite) -> None:
    FeedRegistry(settings.home).add(f"{site.base}/rss.xml")
    watcher = Watcher(
        settings,
        None,
        feeds=FeedPoller(ArticleQA(settings), allow_private=True),
        feed_interval_s=0.2,
        embedder=FakeEmbedder(),
        tick_s=0.1,
    )
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        assert watcher.ready.wait(60), "watcher did not start"
        indexed = {a.title for a in load_best(settings.home).snapshot.articles.values()}
        assert indexed == {"Tram line approved", "Bakery turns 100"}
        version = current_version(settings.home)
        # Several more polls pass: all answered 304, so no new snapshot is published.
        wait_for(lambda: len(site.statuses("/rss.xml")) >= 4, "three more polls")
        assert thread.is_alive()
        assert set(site.statuses("/rss.xml")[1:]) == {304}
        assert current_version(settings.home) == version
    finally:
        watcher.stop()
        thread.join(60)
    assert not thread.is_alive()


def test_failing_entry_is_retried_then_given_up(settings: Settings, site: FeedSite) -> None:
    # An entry whose page is missing and which carries no text of its own cannot be stored.
    site.put(
        "/empty.xml",
        rss(
            site.base,
            [("Gone", "/news/gone.html", ""), ("Tram line approved", "/news/tram.html", "x")],
        ),
        "application/rss+xml",
    )
    FeedRegistry(settings.home).add(f"{site.base}/empty.xml")
    poller = FeedPoller(ArticleQA(settings), allow_private=True)
    first = poller.poll(f"{site.base}/empty.xml")
    assert [(o.title, o.status) for o in first.outcomes] == [
        (None, "failed"),
        ("Tram line approved", "created"),
    ]
    assert "404" in (first.outcomes[0].error or "")
    # While the entry may still succeed, the feed is fetched in full again (no 304) ...
    second = poller.poll(f"{site.base}/empty.xml")
    third = poller.poll(f"{site.base}/empty.xml")
    assert [len(r.outcomes) for r in (second, third)] == [1, 1]
    assert site.statuses("/news/gone.html") == [404, 404, 404]
    # ... and after the last attempt it is given up, and the feed is conditional again.
    fourth = poller.poll(f"{site.base}/empty.xml")
    assert fourth.status == "not_modified"
    assert site.statuses("/empty.xml") == [200, 200, 200, 304]
    assert site.statuses("/news/tram.html") == [200]


def test_an_entrys_own_html_is_read_like_a_page(settings: Settings, site: FeedSite) -> None:
    # The page behind the entry is missing, so the entry's HTML summary is the article. It is
    # read by the same block reader as pages: a list keeps its items apart, a heading is a
    # heading (not a paragraph of the text), and a stray control character is dropped.
    summary = (
        "&lt;p&gt;The ferry made its last crossing\x1d on Sunday.&lt;/p&gt;"
        "&lt;h2&gt;What happens next&lt;/h2&gt;"
        "&lt;ul&gt;&lt;li&gt;a classroom for schools&lt;/li&gt;"
        "&lt;li&gt;a museum deck&lt;/li&gt;&lt;/ul&gt;"
    )
    site.put(
        "/next.xml",
        atom(site.base, [("Ferry plans", "/news/plans.html", "x")]).replace(
            b"&lt;p&gt;x&lt;/p&gt;", summary.encode()
        ),
        "application/atom+xml",
    )
    FeedRegistry(settings.home).add(f"{site.base}/next.xml")
    FeedPoller(ArticleQA(settings), allow_private=True).poll(f"{site.base}/next.xml")
    store = ArticleStore(settings.home)
    stored = next(a for a in store.iter_articles() if a.title == "Ferry plans")
    assert "• a classroom for schools\n• a museum deck" in stored.text
    assert "\x1d" not in stored.text and "<" not in stored.text
    headings = [stored.text[s.start : s.end] for s in stored.layout or [] if s.kind == "heading"]
    assert headings == ["What happens next"]
