"""Articles through the API: add, rebuild, answered with no restart; remove, rebuild, gone."""

from __future__ import annotations

import gzip
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from articleqa.config import Settings
from tests.api.conftest import (
    WRITE_TOKEN,
    LiveServer,
    assert_error,
    make_settings,
    serve,
    wait_until,
)

NEW_ARTICLE = {
    "title": "Lighthouse keeper retires after forty years",
    "text": (
        "Margit Olsen, the last keeper of the Skarvik lighthouse, retired on Friday after forty "
        "years of service. She kept a logbook of every passing ship since 1984. The lighthouse "
        "will be automated and opened to visitors next summer."
    ),
    "author": "Lena Berg",
    "published": "2025-06-06",
}
QUESTION = "Who kept the Skarvik lighthouse logbook?"


@pytest.fixture
def api_settings(home: Path, backend_overrides: dict[str, Any]) -> Settings:
    """Every test here runs on both backends (the data directory and PostgreSQL)."""
    return make_settings(home, **backend_overrides)


def rebuild(client: httpx.Client, collection: str | None = None) -> dict[str, object]:
    """Start a rebuild (of ``collection``, default: default) and wait for the job to finish;
    the finished job's status."""
    params = {"collection": collection} if collection else None
    started = client.post("/index/rebuild", params=params)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "running"
    job_id = started.json()["job_id"]
    finished: dict[str, object] = {}

    def done() -> bool:
        finished.update(client.get(f"/index/rebuild/{job_id}").json())
        return finished["status"] != "running"

    assert wait_until(done), "rebuild did not finish"
    return finished


def test_added_article_answers_after_rebuild_without_restart(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        before = client.get("/index").json()
        created = client.post("/articles", json=NEW_ARTICLE)
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "created"
        article = created.json()["article"]
        assert article["title"] == NEW_ARTICLE["title"]
        assert article["published"] == "2025-06-06"

        # Stored but not yet indexed: not quoted yet.
        old_answer = client.post("/ask", json={"question": QUESTION}).json()
        assert article["id"] not in {q["article"]["id"] for q in old_answer["quotes"]}

        job = rebuild(client)
        assert job["status"] == "succeeded", job
        assert job["version"] != before["version"]
        assert job["embedded"] == 1  # only the new article's passage; the rest from cache

        answer = client.post("/ask", json={"question": QUESTION}).json()
        assert answer["index_version"] == job["version"]
        assert answer["quotes"][0]["article"]["id"] == article["id"]
        assert "logbook" in answer["quotes"][0]["text"]
        status = client.get("/index").json()
    assert status["version"] == job["version"]
    assert status["articles"] == before["articles"] + 1
    assert status["rebuilding"] is False


def test_removed_article_is_gone_after_rebuild(live: LiveServer, article_ids: list[str]) -> None:
    storm = article_ids[2]
    question = "Which cellars flooded overnight?"
    with live.client(WRITE_TOKEN) as client:
        assert (
            client.post("/ask", json={"question": question}).json()["quotes"][0]["article"]["id"]
            == storm
        )
        removed = client.delete(f"/articles/{storm}")
        assert removed.status_code == 200, removed.text
        assert removed.json() == {"status": "removed", "id": storm}
        assert_error(client.get(f"/articles/{storm}"), 404, "article_not_found")
        assert rebuild(client)["status"] == "succeeded"
        answer = client.post("/ask", json={"question": question}).json()
        assert storm not in {q["article"]["id"] for q in answer["quotes"]}
        assert client.get("/index").json()["articles"] == 2
        assert_error(client.delete(f"/articles/{storm}"), 404, "article_not_found")


def test_readding_is_unchanged_and_url_articles_update(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        assert client.post("/articles", json=NEW_ARTICLE).status_code == 201
        again = client.post("/articles", json=NEW_ARTICLE)
        assert again.status_code == 200
        assert again.json()["status"] == "unchanged"

        with_url = {**NEW_ARTICLE, "url": "https://news.example.org/lighthouse"}
        first = client.post("/articles", json=with_url).json()
        changed = client.post("/articles", json={**with_url, "title": "Lighthouse keeper retires"})
        assert changed.status_code == 201
        assert changed.json()["status"] == "updated"
        assert changed.json()["article"]["id"] == first["article"]["id"]
        assert client.get(f"/articles/{first['article']['id']}").json()["title"] == (
            "Lighthouse keeper retires"
        )


def test_list_pages_through_articles(live: LiveServer, article_ids: list[str]) -> None:
    with live.client() as client:
        page = client.get("/articles", params={"offset": 0, "limit": 2}).json()
        rest = client.get("/articles", params={"offset": 2, "limit": 2}).json()
    assert page["total"] == rest["total"] == 3
    assert (page["offset"], page["limit"]) == (0, 2)
    assert len(page["items"]) == 2 and len(rest["items"]) == 1
    assert {a["id"] for a in page["items"] + rest["items"]} == set(article_ids)
    assert "text" not in page["items"][0]


def test_get_article_returns_metadata_and_text(live: LiveServer, article_ids: list[str]) -> None:
    with live.client() as client:
        article = client.get(f"/articles/{article_ids[1]}").json()
    assert article["url"] == "https://news.example.org/harbour-tram"
    assert article["chars"] == len(article["text"])
    assert "84 million euros" in article["text"]


def test_article_over_the_size_limit_is_413(home: Path) -> None:
    settings = make_settings(home, max_article_bytes=1_000)
    with serve(settings) as server, server.client(WRITE_TOKEN) as client:
        too_big = {"title": "Long", "text": "word " * 400}
        assert_error(client.post("/articles", json=too_big), 413, "too_large")
        assert client.get("/articles").json()["total"] == 0


def test_an_uploaded_file_is_read_as_the_cli_reads_it(live: LiveServer) -> None:
    latin1 = "Caf\u00e9 opens on the quay\n\nThe caf\u00e9 serves cr\u00eapes.\n".encode("cp1252")
    markdown = gzip.compress(b"# Tide tables\n\nHigh water at *Dunmore* is at 06:12.\n")
    with live.client(WRITE_TOKEN) as client:
        created = client.post("/articles/upload", files={"file": ("cafe.txt", latin1)})
        assert created.status_code == 201, created.text
        [cafe] = created.json()["articles"]
        assert cafe["status"] == "created"
        text = client.get(f"/articles/{cafe['article']['id']}").json()["text"]
        assert "The caf\u00e9 serves cr\u00eapes." in text

        titled = client.post(
            "/articles/upload",
            files={"file": ("tides.md.gz", markdown)},
            data={"title": "Dunmore tides", "collection": "harbour"},
        )
        assert titled.status_code == 201, titled.text
        [tides] = titled.json()["articles"]
        assert tides["article"]["title"] == "Dunmore tides"
        listed = client.get("/articles", params={"collection": "harbour"}).json()
        assert [item["id"] for item in listed["items"]] == [tides["article"]["id"]]

        again = client.post("/articles/upload", files={"file": ("cafe.txt", latin1)})
        assert again.status_code == 200, again.text
        assert again.json()["articles"][0]["status"] == "unchanged"

        many = client.post(
            "/articles/upload",
            files={
                "file": (
                    "two.jsonl",
                    b'{"title": "Pier repaired", "text": "The pier was repaired in May."}\n'
                    b'{"title": "Ferry returns", "text": "The ferry returns on 1 June."}\n',
                )
            },
        )
        assert [a["article"]["title"] for a in many.json()["articles"]] == [
            "Pier repaired",
            "Ferry returns",
        ]
        # A name longer than a file's may be (the suffix says how it is read).
        long_name = client.post(
            "/articles/upload",
            files={"file": (f"board.{'minutes' * 40}.md", b"# Minutes\n\nThe board met.\n")},
        )
        assert long_name.status_code == 201, long_name.text
        before = client.get("/articles").json()["total"]
        refused = assert_error(
            client.post("/articles/upload", files={"file": ("scan.pdf", b"%PDF-1.4")}),
            422,
            "unsupported_format",
        )
        assert ".md" in refused["message"]
        assert_error(
            client.post("/articles/upload", files={"file": ("blob.txt", b"\x00\x01" * 50)}),
            422,
        )
        assert client.get("/articles").json()["total"] == before
    with live.client() as anonymous:
        assert_error(anonymous.post("/articles/upload", files={"file": ("a.txt", b"A.")}), 401)


def test_an_upload_over_the_size_limit_is_413(home: Path) -> None:
    settings = make_settings(home, max_article_bytes=1_000)
    with serve(settings) as server, server.client(WRITE_TOKEN) as client:
        upload = {"file": ("long.txt", b"word " * 400)}
        assert_error(client.post("/articles/upload", files=upload), 413, "too_large")
        assert client.get("/articles").json()["total"] == 0


class _ArticlePage(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = (
            b"<html><head><title>Bridge reopens</title></head><body><article><h1>Bridge reopens"
            b"</h1><p>The old stone bridge over the Aare reopened on Monday after two years of "
            b"repairs. Engineers replaced every one of its 212 granite blocks by hand.</p>"
            b"</article></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def page_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ArticlePage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bridge"
    finally:
        server.shutdown()
        server.server_close()


def test_url_on_loopback_is_refused_by_default(live: LiveServer, page_url: str) -> None:
    with live.client(WRITE_TOKEN) as client:
        error = assert_error(client.post("/articles", json={"url": page_url}), 422, "unsafe_url")
    assert "ARTICLEQA_ALLOW_PRIVATE_URLS" in error["message"]


def test_url_is_fetched_when_private_addresses_are_allowed(home: Path, page_url: str) -> None:
    settings = make_settings(home, allow_private_urls=True)
    with serve(settings) as server, server.client(WRITE_TOKEN) as client:
        created = client.post("/articles", json={"url": page_url})
        assert created.status_code == 201, created.text
        article = client.get(f"/articles/{created.json()['article']['id']}").json()
    assert article["url"] == page_url
    assert "212 granite blocks" in article["text"]


def test_unreachable_url_is_502(home: Path) -> None:
    settings = make_settings(home, allow_private_urls=True, url_timeout_s=5)
    with serve(settings) as server, server.client(WRITE_TOKEN) as client:
        # A port nobody listens on: connection refused.
        response = client.post("/articles", json={"url": "http://127.0.0.1:9/nothing"})
        assert_error(response, 502, "fetch_failed")


def test_markdown_text_is_read_like_a_markdown_file(live: LiveServer) -> None:
    markdown = (
        "---\nauthor: Kim Park\npublished: 2025-03-01\nurl: https://news.example.org/ferry\n---\n"
        "# Night ferry returns\n\nThe **night ferry** to the islands returns on [Friday](https://x.org),"
        " after a winter without service. Tickets cost *twelve euros*.\n"
    )
    with live.client(WRITE_TOKEN) as client:
        created = client.post(
            "/articles", json={"title": "Ferry (upload)", "text": markdown, "format": "markdown"}
        )
        assert created.status_code == 201, created.text
        article = client.get(f"/articles/{created.json()['article']['id']}").json()
    assert article["title"] == "Ferry (upload)"  # the given title is kept
    assert article["author"] == "Kim Park"
    assert article["published"] == "2025-03-01"
    assert article["url"] == "https://news.example.org/ferry"
    assert "The night ferry to the islands returns on Friday" in article["text"]
    assert "**" not in article["text"] and "](" not in article["text"]


def test_html_text_is_extracted(live: LiveServer) -> None:
    html = (
        "<html><head><title>Page</title><script>var tracking = 1;</script></head><body>"
        "<nav>Home | Sports | Weather</nav><article><h1>Bakery wins award</h1>"
        "<p>The corner bakery on Elm Street won the national bread award on Sunday. The jury "
        "praised its sourdough, which rises for thirty hours before baking.</p></article>"
        "</body></html>"
    )
    with live.client(WRITE_TOKEN) as client:
        created = client.post("/articles", json={"title": "Bakery", "text": html, "format": "html"})
        assert created.status_code == 201, created.text
        article = client.get(f"/articles/{created.json()['article']['id']}").json()
        assert "sourdough, which rises for thirty hours" in article["text"]
        assert "tracking" not in article["text"] and "<p>" not in article["text"]
        empty = {
            "title": "Empty",
            "text": "<html><body><script>go()</script></body></html>",
            "format": "html",
        }
        error = assert_error(client.post("/articles", json=empty), 422)
        assert "no article text" in error["message"]
        unknown = {"title": "t", "text": "some text", "format": "pdf"}
        assert_error(client.post("/articles", json=unknown), 422, "invalid_input")


def test_removing_every_article_leaves_an_empty_index_that_abstains(
    live: LiveServer, article_ids: list[str]
) -> None:
    with live.client(WRITE_TOKEN) as client:
        for article_id in article_ids:
            assert client.delete(f"/articles/{article_id}").status_code == 200
        job = rebuild(client)
        assert job["status"] == "succeeded", job
        assert client.get("/index").json()["articles"] == 0
        answer = client.post("/ask", json={"question": "Who won the regional science fair?"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["answered"] is False
    assert answer.json()["quotes"] == []
    assert answer.json()["message"] == "no articles yet: add some first"
