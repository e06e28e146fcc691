"""Bearer-token auth: writes need ARTICLEQA_API_TOKEN; reads need a token only if one is set."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import (
    ARTICLES,
    READ_TOKEN,
    WRITE_TOKEN,
    LiveServer,
    add_articles,
    assert_error,
    build_index,
    make_settings,
    serve,
)
from tests.api.test_articles import NEW_ARTICLE

WRITES = [
    ("POST", "/articles", NEW_ARTICLE),
    ("DELETE", "/articles/0123456789abcdef", None),
    ("POST", "/index/rebuild", None),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_without_a_token_are_401(
    live: LiveServer, method: str, path: str, body: object
) -> None:
    with live.client() as client:
        response = client.request(method, path, json=body)
    error = assert_error(response, 401, "missing_token")
    assert "Authorization: Bearer" in error["message"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_with_a_wrong_token_are_401(
    live: LiveServer, method: str, path: str, body: object
) -> None:
    with live.client("not-the-token") as client:
        assert_error(client.request(method, path, json=body), 401, "invalid_token")
    with live.client(WRITE_TOKEN[:-1]) as client:  # a prefix of the right one is still wrong
        assert_error(client.request(method, path, json=body), 401, "invalid_token")


def test_non_bearer_scheme_is_refused(live: LiveServer) -> None:
    with live.client() as client:
        response = client.post(
            "/articles", json=NEW_ARTICLE, headers={"Authorization": f"Basic {WRITE_TOKEN}"}
        )
    assert_error(response, 401, "missing_token")


def test_reads_are_open_without_a_read_token(live: LiveServer) -> None:
    with live.client() as client:
        assert client.get("/articles").status_code == 200
        assert client.post("/ask", json={"question": "tram"}).status_code == 200
        assert client.get("/index").status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_writes_are_disabled_without_a_configured_token(
    home: Path, method: str, path: str, body: object
) -> None:
    settings = make_settings(home, api_token=None)
    with serve(settings) as server, server.client("anything") as client:
        error = assert_error(client.request(method, path, json=body), 403, "writes_disabled")
        assert "ARTICLEQA_API_TOKEN" in error["message"]
        assert client.get("/articles").json()["total"] == 0


@pytest.fixture
def read_protected(home: Path) -> Iterator[LiveServer]:
    settings = make_settings(home, read_token=READ_TOKEN)
    add_articles(settings, ARTICLES)
    build_index(settings)
    with serve(settings) as server:
        yield server


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/ask", {"question": "tram"}),
        ("GET", "/ask?q=tram", None),
        ("GET", "/articles", None),
        ("GET", "/index", None),
        ("GET", "/metrics", None),
        ("POST", "/feedback", {"question": "tram", "passage_ids": [], "helpful": True}),
    ],
)
def test_read_token_guards_reads(
    read_protected: LiveServer, method: str, path: str, body: object
) -> None:
    with read_protected.client() as client:
        assert_error(client.request(method, path, json=body), 401, "missing_token")
    with read_protected.client("wrong") as client:
        assert_error(client.request(method, path, json=body), 401, "invalid_token")
    for token in (READ_TOKEN, WRITE_TOKEN):
        with read_protected.client(token) as client:
            response = client.request(method, path, json=body)
            assert response.status_code < 300, response.text


def test_read_token_cannot_write_and_health_stays_open(read_protected: LiveServer) -> None:
    with read_protected.client(READ_TOKEN) as client:
        assert_error(client.post("/articles", json=NEW_ARTICLE), 401, "invalid_token")
    with read_protected.client() as client:
        assert client.get("/health").status_code == 200


def test_tokens_never_reach_the_logs(live: LiveServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with live.client("a-wrong-secret-value") as client:
        client.post("/articles", json=NEW_ARTICLE)
    with live.client(WRITE_TOKEN) as client:
        client.post("/articles", json=NEW_ARTICLE)
        client.post("/index/rebuild")
    assert caplog.records  # the requests were logged...
    assert WRITE_TOKEN not in caplog.text  # ...without the tokens
    assert "a-wrong-secret-value" not in caplog.text
