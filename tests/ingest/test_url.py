"""Fetching URLs against real HTTP servers on loopback.

Loopback is exactly what the guard refuses, so the "allowed" cases opt in with
allow_private=True; the refusals are checked both against the server's request log (nothing
reached it) and, for public-looking names, by injecting DNS answers into ``resolve``.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from articleqa.errors import FetchFailed, IngestError, SourceTooLarge, UnsafeURL, UnsupportedFormat
from articleqa.ingest import url as url_module
from articleqa.ingest.url import check_host, fetch_url, is_public_address

ARTICLE_HTML = b"""<!DOCTYPE html><html><head><title>Storm floods Lower Town</title>
<meta name="author" content="Siobhan Greer">
<meta property="article:published_time" content="2026-11-03T08:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Storm floods Lower Town</h1>
<p>More than 300 homes in Lower Town were without power on Sunday night after Storm Bronagh
pushed the Millrace River to 4.2 metres at the Mill Street gauge.</p>
<p>Fire crews used boats to reach 41 people in the streets around Tanner's Lane.</p>
</article><footer>Copyright 2026 Lakeshore Ledger</footer></body></html>"""


@dataclass
class Site:
    """A real HTTP server on a loopback address, with a log of the paths it was asked for."""

    server: ThreadingHTTPServer
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str, host: str | None = None) -> str:
        host = host or str(self.server.server_address[0])
        return f"http://{host}:{self.port}{path}"


Routes = Callable[[BaseHTTPRequestHandler, Site], None]


@contextlib.contextmanager
def _serve(address: str, routes: dict[str, Routes]) -> Iterator[Site]:
    site: Site

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            route = routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            route(self, site)

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer((address, 0), Handler)
    server.daemon_threads = True
    site = Site(server)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def _send(
    handler: BaseHTTPRequestHandler, body: bytes, content_type: str = "text/html; charset=utf-8"
) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _redirect(location: Callable[[Site], str]) -> Routes:
    def route(handler: BaseHTTPRequestHandler, site: Site) -> None:
        handler.send_response(302)
        handler.send_header("Location", location(site))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def _chunked(handler: BaseHTTPRequestHandler, chunks: Iterator[bytes]) -> None:
    handler.protocol_version = "HTTP/1.1"
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain; charset=utf-8")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for chunk in chunks:
        handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.flush()
    handler.wfile.write(b"0\r\n\r\n")


def _stall(handler: BaseHTTPRequestHandler, site: Site) -> None:
    # Accept the request, then say nothing until the test ends.
    site.release.wait(timeout=30)


def _drip(handler: BaseHTTPRequestHandler, site: Site) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"Slow story\n\n"
        while not site.release.wait(timeout=0.02):
            yield b"word "

    # The client gives up half-way, as it should.
    with contextlib.suppress(OSError):
        _chunked(handler, chunks())


def _gzipped(body: bytes) -> Routes:
    def route(handler: BaseHTTPRequestHandler, site: Site) -> None:
        data = gzip.compress(body)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return route


ROUTES: dict[str, Routes] = {
    "/gzip": _gzipped(ARTICLE_HTML),
    "/gzip-bomb": _gzipped(b"<html><body><p>" + b" " * 5_000_000 + b"</p></body></html>"),
    "/article": lambda h, s: _send(h, ARTICLE_HTML),
    "/plain": lambda h, s: _send(
        h, b"Council approves tram\n\nThe vote was 23 to 14.\n", "text/plain; charset=utf-8"
    ),
    "/org": lambda h, s: _send(
        h,
        b"#+TITLE: Ferry notes\n\n* Timetable\n\nThe ferry leaves every /forty/ minutes.\n",
        "text/plain; charset=utf-8",
    ),
    "/latin1": lambda h, s: _send(
        h,
        "Caf\u00e9 reopens\n\nThe caf\u00e9 on Quay Road reopened.".encode("latin-1"),
        "text/plain; charset=iso-8859-1",
    ),
    "/legacy": lambda h, s: _send(
        h,
        b'<html><head><meta charset="iso-8859-1"><title>Caf\xe9 reopens</title></head><body>'
        b"<article><p>The caf\xe9 on Quay Road reopened on Saturday after a fire in March, "
        b"and served 400 customers on the first day.</p></article></body></html>",
        "text/html",
    ),
    "/pdf": lambda h, s: _send(h, b"%PDF-1.7", "application/pdf"),
    "/empty": lambda h, s: _send(h, b""),
    "/big": lambda h, s: _send(h, b"<html><body><p>" + b"word " * 2000 + b"</p></body></html>"),
    "/big-chunked": lambda h, s: _chunked(h, iter([b"word " * 200] * 20)),
    "/stall": _stall,
    "/drip": _drip,
    "/hop1": _redirect(lambda s: "/hop2"),
    "/hop2": _redirect(lambda s: s.url("/article")),
    "/loop": _redirect(lambda s: "/loop"),
    "/server-error": lambda h, s: h.send_error(503, "Service Unavailable"),
}


@pytest.fixture
def site() -> Iterator[Site]:
    with _serve("127.0.0.1", ROUTES) as running:
        yield running


def test_fetches_an_html_article(site: Site) -> None:
    raw = fetch_url(site.url("/article"), allow_private=True)

    assert raw.title == "Storm floods Lower Town"
    assert raw.url == site.url("/article")
    assert raw.source == site.url("/article")
    assert raw.author == "Siobhan Greer"
    assert "Storm Bronagh pushed the Millrace River to 4.2 metres" in " ".join(raw.text.split())
    assert "Copyright" not in raw.text
    assert site.requests == ["/article"]


def test_fetches_plain_text_and_honours_the_declared_charset(site: Site) -> None:
    plain = fetch_url(site.url("/plain"), allow_private=True)
    latin = fetch_url(site.url("/latin1"), allow_private=True)

    assert plain.title == "Council approves tram"
    assert plain.text.strip() == "The vote was 23 to 14."
    assert latin.title == "Café reopens"


def test_gzip_encoded_page_is_decoded(site: Site) -> None:
    raw = fetch_url(site.url("/gzip"), allow_private=True)

    assert raw.title == "Storm floods Lower Town"
    assert "Tanner's Lane" in raw.text


def test_size_limit_counts_unpacked_bytes(site: Site) -> None:
    with pytest.raises(SourceTooLarge, match="over the 100,000-byte limit"):
        fetch_url(site.url("/gzip-bomb"), allow_private=True, max_bytes=100_000)


def test_html_charset_from_the_page_when_the_header_names_none(site: Site) -> None:
    raw = fetch_url(site.url("/legacy"), allow_private=True)

    assert raw.title == "Café reopens"
    assert "The café on Quay Road" in raw.text


def test_follows_a_redirect_chain(site: Site) -> None:
    raw = fetch_url(site.url("/hop1"), allow_private=True)

    assert raw.title == "Storm floods Lower Town"
    assert site.requests == ["/hop1", "/hop2", "/article"]
    # The article keeps the address it was asked for.
    assert raw.url == site.url("/hop1")


def test_too_many_redirects(site: Site) -> None:
    with pytest.raises(FetchFailed, match="more than 3 redirects"):
        fetch_url(site.url("/loop"), allow_private=True, max_redirects=3)

    assert site.requests == ["/loop"] * 4


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_without_opt_in_and_never_contacted(site: Site, host: str) -> None:
    with pytest.raises(UnsafeURL, match="ARTICLEQA_ALLOW_PRIVATE_URLS"):
        fetch_url(site.url("/article", host=host))

    assert site.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/",
        "http://192.168.1.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:80/",
        "http://0.0.0.0/",
    ],
)
def test_private_link_local_and_metadata_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL):
        fetch_url(url)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://news.example/a", "gopher://news.example/"]
)
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(UnsafeURL, match="only http and https"):
        fetch_url(url)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.10", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_a_public_name_resolving_to_loopback_is_refused(
    monkeypatch: pytest.MonkeyPatch, site: Site
) -> None:
    # Failure injection: a DNS answer that points a public-looking name at loopback.
    monkeypatch.setattr(url_module, "resolve", lambda host, port: ["127.0.0.1"])

    with pytest.raises(UnsafeURL, match=r"news\.example \(127\.0\.0\.1\)"):
        check_host("news.example", site.port, allow_private=False)
    with pytest.raises(UnsafeURL):
        fetch_url(f"http://news.example:{site.port}/article")
    assert site.requests == []


def test_one_private_address_among_public_ones_is_enough_to_refuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(url_module, "resolve", lambda host, port: ["93.184.216.34", "10.0.0.5"])

    with pytest.raises(UnsafeURL, match=r"10\.0\.0\.5"):
        check_host("news.example", 80, allow_private=False)
    assert check_host("news.example", 80, allow_private=True) == ["93.184.216.34", "10.0.0.5"]


def test_dns_rebinding_between_check_and_connect_is_refused(
    monkeypatch: pytest.MonkeyPatch, site: Site
) -> None:
    # Failure injection: the first answer (the URL check) is public, the next one (the
    # connection) is loopback. The guard resolves again at connect time, so it still refuses.
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"]])
    monkeypatch.setattr(url_module, "resolve", lambda host, port: next(answers))

    with pytest.raises(UnsafeURL, match=r"127\.0\.0\.1"):
        fetch_url(f"http://news.example:{site.port}/article")
    assert site.requests == []


def test_redirect_from_an_allowed_server_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    private_routes: dict[str, Routes] = {"/secret": lambda h, s: _send(h, ARTICLE_HTML)}
    with _serve("127.0.0.2", private_routes) as private:
        public_routes: dict[str, Routes] = {"/story": _redirect(lambda s: private.url("/secret"))}
        with _serve("127.0.0.1", public_routes) as public:
            # Failure injection: pretend 127.0.0.1 is a public address, so the first server
            # plays an ordinary site on the internet; 127.0.0.2 stays an internal one.
            real_is_public = url_module.is_public_address
            monkeypatch.setattr(
                url_module, "is_public_address", lambda a: a == "127.0.0.1" or real_is_public(a)
            )

            with pytest.raises(UnsafeURL, match=r"127\.0\.0\.2"):
                fetch_url(public.url("/story"))

            assert public.requests == ["/story"]
            assert private.requests == [], "the redirect target must never be contacted"


def test_http_error_status(site: Site) -> None:
    with pytest.raises(FetchFailed, match="HTTP 404"):
        fetch_url(site.url("/missing"), allow_private=True)
    with pytest.raises(FetchFailed, match="HTTP 503"):
        fetch_url(site.url("/server-error"), allow_private=True)


def test_declared_size_over_the_limit(site: Site) -> None:
    with pytest.raises(SourceTooLarge, match="over the 1,000-byte limit"):
        fetch_url(site.url("/big"), allow_private=True, max_bytes=1000)


def test_streamed_size_over_the_limit(site: Site) -> None:
    with pytest.raises(SourceTooLarge, match="over the 1,000-byte limit"):
        fetch_url(site.url("/big-chunked"), allow_private=True, max_bytes=1000)


def test_server_that_stalls_times_out(site: Site) -> None:
    with pytest.raises(FetchFailed, match="timed out"):
        fetch_url(site.url("/stall"), allow_private=True, timeout_s=0.3)


def test_server_that_drips_forever_hits_the_overall_deadline(site: Site) -> None:
    # Each chunk arrives well within the read timeout; only the overall deadline stops it.
    with pytest.raises(FetchFailed, match="took too long"):
        fetch_url(site.url("/drip"), allow_private=True, timeout_s=1.0, max_bytes=10_000_000)


def test_connection_refused_is_a_fetch_failure() -> None:
    with _serve("127.0.0.1", {}) as stopped:
        port = stopped.port

    with pytest.raises(FetchFailed, match="cannot fetch"):
        fetch_url(f"http://127.0.0.1:{port}/article", allow_private=True)


def test_unsupported_content_type(site: Site) -> None:
    with pytest.raises(UnsupportedFormat, match="application/pdf"):
        fetch_url(site.url("/pdf"), allow_private=True)


def test_empty_page(site: Site) -> None:
    with pytest.raises(IngestError, match="is empty"):
        fetch_url(site.url("/empty"), allow_private=True)


@pytest.mark.parametrize(
    "url",
    ["http://" + "a" * 70 + ".example/", "http://exa mple.org/page", "http://[::1/"],
)
def test_malformed_urls_are_typed_errors(url: str) -> None:
    with pytest.raises(IngestError):
        fetch_url(url, allow_private=False, timeout_s=2)


def test_an_org_document_served_as_plain_text_is_read_as_org(site: Site) -> None:
    raw = fetch_url(site.url("/org"), allow_private=True)

    assert raw.title == "Ferry notes"
    assert raw.text == "Timetable\n\nThe ferry leaves every forty minutes."
