"""URL ingestion cannot be pointed inside the network: what tests/ingest/test_url.py leaves out.

Other spellings of internal addresses (decimal, octal, hex, short IPv4; IPv4-mapped IPv6,
ULA, unspecified), cloud-metadata endpoints, names resolving there and redirects there, all
also through the API's ``POST /articles {"url"}``, plus its size and time limits.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from articleqa.errors import UnsafeURL
from articleqa.ingest import url as url_module
from articleqa.ingest.url import fetch_url
from tests.api.conftest import (
    WRITE_TOKEN,
    LiveServer,
    assert_error,
    make_settings,
    serve,
)
from tests.ingest.test_url import ARTICLE_HTML, Routes, Site, _redirect, _send, _serve

INTERNAL_URLS = [
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0177.0.0.1/",  # octal
    "http://0x7f.0.0.1/",  # hex
    "http://0x7f000001/",
    "http://127.1/",  # short form
    "http://0/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fd00::1]/",  # unique local
    "http://[fd00:ec2::254]/latest/meta-data/",  # AWS metadata over IPv6
    "http://[fe80::1]/",
    "http://169.254.169.254/latest/meta-data/iam/",  # AWS, GCP, Azure metadata
    "http://169.254.170.2/v2/credentials",  # ECS task credentials
    "http://100.100.100.200/latest/meta-data/",  # Alibaba metadata (shared address space)
    "http://172.31.255.255/",
    "http://198.18.0.1/",  # benchmarking range
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = make_settings(tmp_path_factory.mktemp("url-home"), url_timeout_s=5)
    with serve(settings) as live:
        yield live


@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_addresses_in_any_spelling_are_refused(server: LiveServer, url: str) -> None:
    with pytest.raises(UnsafeURL):
        fetch_url(url, timeout_s=5)
    with server.client(WRITE_TOKEN) as client:
        error = assert_error(client.post("/articles", json={"url": url}), 422, "unsafe_url")
        assert "ARTICLEQA_ALLOW_PRIVATE_URLS" in error["message"]
        assert client.get("/articles").json()["total"] == 0


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "fd00::1", "::ffff:10.0.0.1", "100.100.100.200", "::1"]
)
def test_a_name_resolving_to_an_internal_address_is_refused_by_the_api(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    # Failure injection: the DNS answer for a public-looking name points inside.
    monkeypatch.setattr(url_module, "resolve", lambda host, port: [address])
    with server.client(WRITE_TOKEN) as client:
        response = client.post("/articles", json={"url": "http://news.example/story"})
    error = assert_error(response, 422, "unsafe_url")
    assert address in error["message"]


@pytest.fixture
def public_site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A loopback site the URL guard treats as public: it plays a site on the internet."""
    routes: dict[str, Routes] = {
        "/to-metadata": _redirect(lambda s: "http://169.254.169.254/latest/meta-data/"),
        "/to-decimal-loopback": _redirect(lambda s: f"http://2130706433:{s.port}/article"),
        "/to-mapped": _redirect(lambda s: f"http://[::ffff:127.0.0.2]:{s.port}/article"),
        "/article": lambda h, s: _send(h, ARTICLE_HTML),
        "/big": lambda h, s: _send(h, b"<p>" + b"word " * 40_000 + b"</p>"),
        "/stall": _stall,
    }
    with _serve("127.0.0.1", routes) as site:
        real = url_module.is_public_address
        monkeypatch.setattr(url_module, "is_public_address", lambda a: a == "127.0.0.1" or real(a))
        yield site


def _stall(handler: BaseHTTPRequestHandler, site: Site) -> None:
    site.release.wait(30)


@pytest.mark.parametrize("path", ["/to-metadata", "/to-mapped"])
def test_redirects_to_internal_addresses_are_refused_by_the_api(
    server: LiveServer, public_site: Site, path: str
) -> None:
    with server.client(WRITE_TOKEN) as client:
        assert_error(
            client.post("/articles", json={"url": public_site.url(path)}), 422, "unsafe_url"
        )
    assert public_site.requests == [path], "only the first hop is contacted"


def test_a_decimal_spelling_of_an_allowed_address_is_judged_by_the_address(
    server: LiveServer, public_site: Site
) -> None:
    # 2130706433 is 127.0.0.1, which this fixture treats as public: the guard judges the
    # address a name resolves to, whatever its spelling, so this one is fetched.
    with server.client(WRITE_TOKEN) as client:
        response = client.post("/articles", json={"url": public_site.url("/to-decimal-loopback")})
        assert response.status_code == 201, response.text
        assert client.delete(f"/articles/{response.json()['article']['id']}").status_code == 200


def test_the_api_enforces_the_size_and_time_limits(
    public_site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings = make_settings(
        tmp_path_factory.mktemp("limits-home"), url_max_bytes=50_000, url_timeout_s=1
    )
    with serve(settings) as live, live.client(WRITE_TOKEN) as client:
        big = assert_error(client.post("/articles", json={"url": public_site.url("/big")}), 413)
        assert big["code"] == "too_large" and "50,000-byte limit" in big["message"]
        slow = assert_error(
            client.post("/articles", json={"url": public_site.url("/stall")}), 502, "fetch_failed"
        )
        assert "timed out" in slow["message"]
        assert client.get("/articles").json()["total"] == 0
        assert client.get("/health").status_code == 503  # no index here; the service is up
