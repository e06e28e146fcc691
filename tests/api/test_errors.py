"""Every bad input gets its 4xx in the one error shape, and the service keeps serving."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import (
    ARTICLES,
    WRITE_TOKEN,
    LiveServer,
    add_articles,
    assert_error,
    build_index,
    make_settings,
    serve,
)

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for the whole module: each bad request must leave it healthy for the next."""
    home = tmp_path_factory.mktemp("errors-home")
    settings = make_settings(home, max_body_bytes=20_000)
    add_articles(settings, ARTICLES)
    build_index(settings)
    with serve(settings) as live:
        yield live


BAD_ASKS = [
    pytest.param({"question": ""}, "invalid_input", id="empty-question"),
    pytest.param({"question": "   \n\t "}, "invalid_input", id="blank-question"),
    pytest.param({"question": "x" * 1001}, "invalid_input", id="oversized-question"),
    pytest.param({"question": 42}, "invalid_input", id="question-not-a-string"),
    pytest.param({"question": None}, "invalid_input", id="question-null"),
    pytest.param({}, "invalid_input", id="question-missing"),
    pytest.param({"question": "tram", "k": 0}, "invalid_input", id="k-zero"),
    pytest.param({"question": "tram", "k": 11}, "invalid_input", id="k-too-large"),
    pytest.param({"question": "tram", "k": "three"}, "invalid_input", id="k-not-an-int"),
    pytest.param({"question": "tram", "k": 2.5}, "invalid_input", id="k-fraction"),
    pytest.param({"question": "tram", "filters": "all"}, "invalid_input", id="filters-string"),
    pytest.param(
        {"question": "tram", "filters": {"article_ids": "abc"}}, "invalid_input", id="ids-not-list"
    ),
    pytest.param(
        {"question": "tram", "filters": {"since": "yesterday"}}, "invalid_input", id="bad-date"
    ),
    pytest.param(
        {"question": "tram", "filters": {"since": "2025-02-01", "until": "2025-01-01"}},
        "invalid_input",
        id="since-after-until",
    ),
    pytest.param({"question": "tram", "colour": "blue"}, "invalid_input", id="unknown-field"),
    pytest.param([{"question": "tram"}], "invalid_input", id="body-is-a-list"),
]


@pytest.mark.parametrize(("body", "code"), BAD_ASKS)
def test_bad_ask_bodies_are_422(server: LiveServer, body: object, code: str) -> None:
    with server.client() as client:
        assert_error(client.post("/ask", json=body), 422, code)
        assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    "raw",
    [b"{bad", b'{"question": "tram"', b"\xff\xfe\x00", b"null", b"", b'"just a string"'],
    ids=["broken", "truncated", "binary", "null", "empty", "string"],
)
def test_malformed_json_is_422(server: LiveServer, raw: bytes) -> None:
    with server.client() as client:
        error = assert_error(client.post("/ask", content=raw, headers=JSON), 422)
        assert error["code"] in ("malformed_json", "invalid_input")
        assert client.get("/health").status_code == 200


def test_broken_json_says_so(server: LiveServer) -> None:
    with server.client() as client:
        error = assert_error(
            client.post("/ask", content=b"{bad", headers=JSON), 422, "malformed_json"
        )
    assert "JSON" in error["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {},
        {"q": "x" * 1001},
        {"q": "tram", "k": "abc"},
        {"q": "tram", "k": 0},
    ],
    ids=["empty", "blank", "missing", "oversized", "k-text", "k-zero"],
)
def test_bad_get_ask_is_422(server: LiveServer, params: dict[str, str | int]) -> None:
    with server.client() as client:
        assert_error(client.get("/ask", params=params), 422, "invalid_input")


@pytest.mark.parametrize(
    "body",
    [
        {"title": "t"},
        {"title": "", "text": "some text"},
        {"title": "t", "text": "   "},
        {"title": "t", "text": "x", "published": "not a date"},
        {"title": "t", "text": "x", "url": "ftp://example.org/file"},
        {"url": "not a url"},
        {"url": "https://example.org", "colour": "blue"},
        {"title": ["t"], "text": "x"},
        {"title": "t", "text": "x", "url": "https://[not-ipv6/path"},
        {"url": "https://example.org:port/x"},
    ],
    ids=[
        "no-text",
        "empty-title",
        "blank-text",
        "bad-date",
        "ftp-url",
        "bad-url",
        "extra",
        "list",
        "broken-ipv6-url",
        "bad-port",
    ],
)
def test_bad_article_bodies_are_422(server: LiveServer, body: object) -> None:
    with server.client(WRITE_TOKEN) as client:
        assert_error(client.post("/articles", json=body), 422, "invalid_input")
        assert client.get("/articles").json()["total"] == len(ARTICLES)


@pytest.mark.parametrize(
    "params",
    [{"offset": -1}, {"limit": 0}, {"limit": 1001}, {"offset": "x"}],
    ids=["negative-offset", "zero-limit", "huge-limit", "text-offset"],
)
def test_bad_paging_is_422(server: LiveServer, params: dict[str, str | int]) -> None:
    with server.client() as client:
        assert_error(client.get("/articles", params=params), 422, "invalid_input")


def test_article_errors_name_the_fields_of_the_closest_form(server: LiveServer) -> None:
    with server.client(WRITE_TOKEN) as client:
        text_form = client.post("/articles", json={"title": "t", "text": 5})
        url_form = client.post("/articles", json={"url": "gopher://x"})
    assert assert_error(text_form, 422)["message"].startswith("text:")
    assert assert_error(url_form, 422)["message"].startswith("url:")


def test_unknown_article_is_404(server: LiveServer) -> None:
    with server.client(WRITE_TOKEN) as client:
        assert_error(client.get("/articles/does-not-exist"), 404, "article_not_found")
        assert_error(client.delete("/articles/does-not-exist"), 404, "article_not_found")


def test_unknown_route_and_wrong_method(server: LiveServer) -> None:
    with server.client() as client:
        assert_error(client.get("/nowhere"), 404, "not_found")
        assert_error(client.put("/ask", json={"question": "tram"}), 405, "method_not_allowed")


def test_body_over_the_limit_is_413(server: LiveServer) -> None:
    question = {"question": "tram", "padding": "x" * 30_000}
    with server.client(WRITE_TOKEN) as client:
        assert_error(client.post("/ask", json=question), 413, "body_too_large")
        big_article = {"title": "Big", "text": "word " * 10_000}
        assert_error(client.post("/articles", json=big_article), 413, "body_too_large")
        assert client.get("/health").status_code == 200


def test_chunked_body_over_the_limit_is_413(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "tram", "padding": "'
        for _ in range(40):
            yield b"x" * 1_000
        yield b'"}'

    with server.client() as client:
        response = client.post("/ask", content=chunks(), headers=JSON)
        assert_error(response, 413, "body_too_large")
        assert client.post("/ask", json={"question": "tram"}).status_code == 200


def test_a_storm_of_bad_requests_leaves_the_service_answering(server: LiveServer) -> None:
    with server.client() as client:
        for _ in range(30):
            client.post("/ask", content=b"{", headers=JSON)
            client.post("/ask", json={"question": ""})
            client.get("/ask", params={"k": "x"})
        answer = client.post("/ask", json={"question": "Who won the regional science fair?"})
    assert answer.status_code == 200
    assert answer.json()["answered"] is True


def test_whitespace_question_with_no_index_is_still_422(home: Path) -> None:
    with serve(make_settings(home)) as live, live.client() as client:
        assert_error(client.post("/ask", json={"question": " "}), 422, "invalid_input")


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/ask", b'{"question": "tram \\udc00"}'),
        ("/articles", b'{"title": "t", "text": "lone \\ud800 surrogate"}'),
        ("/feedback", b'{"question": "q", "passage_ids": ["\\udfff"], "helpful": true}'),
    ],
    ids=["ask", "article", "feedback"],
)
def test_lone_surrogates_are_422(server: LiveServer, path: str, raw: bytes) -> None:
    with server.client(WRITE_TOKEN) as client:
        error = assert_error(client.post(path, content=raw, headers=JSON), 422, "invalid_input")
        assert "unicode" in error["message"].lower()
        assert client.get("/health").status_code == 200
