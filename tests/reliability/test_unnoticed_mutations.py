"""Issue 15, item 12: tests for the hand-made mutations the suite did not notice, and item 4:
IPv6 spellings that carry an IPv4 address (NAT64, 6to4, IPv4-compatible, -translated).

The URL tests classify and resolve addresses only: every connection to anything but loopback
is refused by a guard installed below, so even code without the fix never sends a packet out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import numpy as np
import pytest

from articleqa import snapshot as snapshot_module
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.embedding_cache import EmbeddingCache
from articleqa.errors import UnsafeURL
from articleqa.indexer import Indexer
from articleqa.ingest import url as url_module
from articleqa.ingest.url import check_host, fetch_url, is_public_address
from articleqa.question import read_question
from articleqa.search import Candidate, Searcher
from articleqa.snapshot import current_version, load_snapshot, publish
from articleqa.store import ArticleStore
from tests.ingest.test_url import ARTICLE_HTML, Routes, _redirect, _send, _serve

# -- item 4: IPv6 addresses that embed an IPv4 one -------------------------------------------

EMBEDDING_PRIVATE = [
    "64:ff9b::a9fe:a9fe",  # NAT64 (RFC 6052) of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 (RFC 8215)
    "64:ff9b:1:fffe::808:808",  # local-use NAT64, whatever it embeds
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    "::a9fe:a9fe",  # IPv4-compatible (::/96)
    "::7f00:1",
    "::ffff:0:a9fe:a9fe",  # IPv4-translated (::ffff:0:0:0/96)
    "::ffff:0:a00:1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo with a documentation-range client
]
EMBEDDING_PUBLIC = ["64:ff9b::808:808", "2002:808:808::1", "::ffff:0:808:808"]


@pytest.mark.parametrize("address", EMBEDDING_PRIVATE)
def test_ipv6_spellings_of_private_ipv4_addresses_are_not_public(address: str) -> None:
    assert is_public_address(address) is False


@pytest.mark.parametrize("address", EMBEDDING_PUBLIC)
def test_ipv6_spellings_of_public_ipv4_addresses_stay_public(address: str) -> None:
    assert is_public_address(address) is True


@pytest.fixture
def no_outbound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failure injection: a connection to anything but loopback fails before a packet leaves."""
    connect = httpcore.SyncBackend.connect_tcp

    def loopback_only(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if not host.startswith("127."):
            raise httpcore.ConnectError(f"test guard: no connection to {host}")
        return connect(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", loopback_only)


@pytest.mark.parametrize("address", EMBEDDING_PRIVATE[:3] + EMBEDDING_PRIVATE[5:6])
def test_urls_naming_them_are_refused_before_connecting(address: str, no_outbound: None) -> None:
    with pytest.raises(UnsafeURL, match="blocked"):
        fetch_url(f"http://[{address}]/latest/meta-data/")


def test_a_name_resolving_to_nat64_metadata_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(url_module, "resolve", lambda host, port: ["64:ff9b::a9fe:a9fe"])
    with pytest.raises(UnsafeURL, match="64:ff9b::a9fe:a9fe"):
        check_host("news.example", 80, allow_private=False)


# -- item 12: redirect guards, each on its own ------------------------------------------------


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/secret", "file:///etc/passwd"])
def test_a_redirect_to_another_scheme_is_unsafe_not_a_fetch_failure(target: str) -> None:
    routes: dict[str, Routes] = {"/story": _redirect(lambda s: target)}
    with _serve("127.0.0.1", routes) as site:
        with pytest.raises(UnsafeURL, match="only http and https"):
            fetch_url(site.url("/story"), allow_private=True)
        assert site.requests == ["/story"]


@pytest.fixture
def public_looking_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """127.0.0.1 plays a public site; 127.0.0.2 stays an internal one."""
    real = url_module.is_public_address
    monkeypatch.setattr(url_module, "is_public_address", lambda a: a == "127.0.0.1" or real(a))
    yield


def _redirect_to_private() -> tuple[list[str], list[str], BaseException | None]:
    private_routes: dict[str, Routes] = {"/secret": lambda h, s: _send(h, ARTICLE_HTML)}
    with _serve("127.0.0.2", private_routes) as private:
        public_routes: dict[str, Routes] = {"/story": _redirect(lambda s: private.url("/secret"))}
        with _serve("127.0.0.1", public_routes) as public:
            caught: BaseException | None = None
            try:
                fetch_url(public.url("/story"))
            except UnsafeURL as exc:
                caught = exc
            return public.requests, private.requests, caught


def test_the_per_hop_check_alone_refuses_a_redirect_to_a_private_address(
    public_looking_loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The connect-time guard removed: the check of each hop's URL must refuse on its own.
    monkeypatch.setattr(
        url_module.GuardedBackend,
        "connect_tcp",
        lambda self, host, port, *a, **k: httpcore.SyncBackend.connect_tcp(
            self, host, port, *a, **k
        ),
    )
    public, private, caught = _redirect_to_private()
    assert isinstance(caught, UnsafeURL) and "127.0.0.2" in caught.message
    assert public == ["/story"] and private == []


def test_the_connect_time_guard_alone_refuses_a_redirect_to_a_private_address(
    public_looking_loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The per-hop URL check reduced to its scheme test: the connect-time guard must refuse.
    real_check_url = url_module._check_url
    calls = 0

    def first_hop_only(url: str, allow_private: bool) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            real_check_url(url, allow_private)

    monkeypatch.setattr(url_module, "_check_url", first_hop_only)
    public, private, caught = _redirect_to_private()
    assert isinstance(caught, UnsafeURL) and "127.0.0.2" in caught.message
    assert public == ["/story"] and private == []


# -- item 12: CURRENT is never seen empty during a publish ------------------------------------


def test_a_reader_never_sees_an_empty_pointer_while_versions_are_published(
    settings: Settings,
) -> None:
    home = settings.home
    versions = ["20260101T000000000Z-aaaaaa", "20260101T000000001Z-bbbbbb"]
    for version in versions:
        folder = home / "snapshots" / version
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text("{}")
    publish(home, versions[0])
    stop = threading.Event()
    seen: dict[str | None, int] = {}

    def read() -> None:
        while not stop.is_set():
            version = current_version(home)
            seen[version] = seen.get(version, 0) + 1

    reader = threading.Thread(target=read)
    reader.start()
    try:
        # The fsyncs are the slow part: without them the race is the same, just hit sooner.
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(snapshot_module.os, "fsync", lambda fd: None)
            for n in range(1500):
                publish(home, versions[n % 2])
    finally:
        stop.set()
        reader.join()
    assert set(seen) <= set(versions), {v: c for v, c in seen.items() if v not in versions}


# -- item 12: highlight, quote window and cached vectors --------------------------------------

SENTENCES = [
    "The ferry left the quay at dawn.",
    "Gulls followed it out past the breakwater.",
    "A crew of four checked the moorings twice.",
    "The lighthouse keeper logged the departure at six.",
    "Fog rolled in from the western banks soon after.",
    "Passengers waited below deck with tea.",
    "The crossing took just under three hours.",
]


def _vector(question: str) -> np.ndarray:
    vector: np.ndarray = FakeEmbedder().embed([question])[0]
    return vector


@pytest.fixture
def one_passage(settings: Settings) -> tuple[Searcher, Candidate, str]:
    store = ArticleStore(settings.home)
    from articleqa.ingest.prepare import prepare_article
    from articleqa.models import RawArticle

    text = " ".join(SENTENCES)
    store.upsert(prepare_article(RawArticle(title="Morning crossing", text=text)))
    Indexer(settings, store, FakeEmbedder()).build()
    snapshot = load_snapshot(settings.home)
    assert snapshot.passage_count == 1
    [span] = snapshot.passages[0].spans
    article_text = snapshot.articles[span[0]].text
    return Searcher(snapshot, FakeEmbedder(), settings), Candidate(0, span=span), article_text


def test_no_highlight_when_no_sentence_shares_a_word_with_the_question(
    one_passage: tuple[Searcher, Candidate, str],
) -> None:
    searcher, candidate, _ = one_passage
    question = "Which violinist won the sonata prize?"
    quote = searcher._quote(read_question(question), _vector(question), candidate)
    assert quote.highlight is None


def test_the_quote_window_is_exactly_one_sentence_each_side(
    settings: Settings, one_passage: tuple[Searcher, Candidate, str]
) -> None:
    searcher, candidate, _ = one_passage
    windowed = Searcher(
        searcher.snapshot,
        FakeEmbedder(),
        settings.model_copy(update={"quote_context_sentences": 1}),
    )
    question = "When did the lighthouse keeper log it?"
    quote = windowed._quote(read_question(question), _vector(question), candidate)
    assert quote.highlight is not None and quote.highlight.text == SENTENCES[3]
    assert quote.text == " ".join(SENTENCES[2:5])


def test_cached_vectors_of_another_dimension_are_not_used(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings", "fake", 8)
    cache.put_many([("right", np.ones(8, np.float32)), ("wrong", np.ones(9, np.float32))])
    found = cache.get_many(["right", "wrong"])
    assert sorted(found) == ["right"]
    assert EmbeddingCache(tmp_path / "embeddings", "fake", 9).get_many(["right"]) == {}
