"""Tokens scoped to collections (ARTICLEQA_TOKENS), through the real server: a read token for
one collection gets 403 on another, a write token cannot add, remove or rebuild elsewhere,
the global tokens keep reaching everything, and a malformed setting never shows a token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from articleqa.config import Settings
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
from tests.api.test_articles import rebuild
from tests.api.test_collections import CLUB_ARTICLE, CLUB_QUESTION

READ_CLUB = "club-reader-token-7d1e5a9c3b"
WRITE_CLUB = "club-writer-token-2f8a6c4e1d"
WRITE_NEWS = "news-writer-token-9b3d7f5a2c"
SCOPED = [
    {"token": READ_CLUB, "collections": ["club"], "access": "read"},
    {"token": WRITE_CLUB, "collections": ["club"], "access": "write"},
    {"token": WRITE_NEWS, "collections": ["news"], "access": "write"},
]
NEWS_ARTICLE = {**CLUB_ARTICLE, "title": "Ferry returns", "collection": "news"}


@pytest.fixture
def scoped(home: Path) -> Iterator[LiveServer]:
    """A server with the three sample articles in ``default``, one in ``club`` and one in
    ``news``, each indexed, and the scoped tokens above."""
    settings = make_settings(home, tokens=json.dumps(SCOPED))
    add_articles(settings, ARTICLES)
    build_index(settings)
    with serve(settings) as live, live.client(WRITE_TOKEN) as admin:
        for article, name in ((CLUB_ARTICLE, "club"), (NEWS_ARTICLE, "news")):
            assert admin.post("/articles", json=article).status_code == 201
            assert rebuild(admin, name)["status"] == "succeeded"
        yield live


def test_a_read_token_for_one_collection_gets_403_on_another(scoped: LiveServer) -> None:
    with scoped.client(READ_CLUB) as client:
        error = assert_error(
            client.post("/ask", json={"question": CLUB_QUESTION, "collection": "news"}),
            403,
            "forbidden_collection",
        )
        assert "'news'" in error["message"]
        assert_error(client.get("/ask", params={"q": CLUB_QUESTION, "collection": "news"}), 403)
        assert_error(client.get("/articles", params={"collection": "news"}), 403)
        assert_error(client.get("/index", params={"collection": "news"}), 403)
        # 403 before 404: a scoped token learns nothing of which collections exist.
        assert_error(
            client.post("/ask", json={"question": "Who?", "collection": "nowhere-else"}), 404
        )
        news_id = scoped_article_id(scoped, "news")
        assert_error(client.get(f"/articles/{news_id}"), 403, "forbidden_collection")
        # Its own collection it reads.
        ok = client.post("/ask", json={"question": CLUB_QUESTION, "collection": "club"})
        assert ok.status_code == 200, ok.text
        assert client.get("/articles", params={"collection": "club"}).json()["total"] == 1


def scoped_article_id(live: LiveServer, collection: str) -> str:
    with live.client(WRITE_TOKEN) as admin:
        items = admin.get("/articles", params={"collection": collection}).json()["items"]
    article_id: str = items[0]["id"]
    return article_id


def test_a_collection_a_token_names_needs_a_token(scoped: LiveServer) -> None:
    # No ARTICLEQA_READ_TOKEN: default stays open, the collections scoped tokens name do not.
    with scoped.client() as anonymous:
        assert anonymous.post("/ask", json={"question": CLUB_QUESTION}).status_code == 200
        assert_error(
            anonymous.post("/ask", json={"question": CLUB_QUESTION, "collection": "club"}),
            401,
            "missing_token",
        )
    with scoped.client("not-a-token") as stranger:
        assert_error(stranger.get("/articles", params={"collection": "club"}), 401, "invalid_token")


def test_a_write_token_cannot_write_elsewhere(scoped: LiveServer) -> None:
    news_id = scoped_article_id(scoped, "news")
    with scoped.client(WRITE_CLUB) as client:
        for response in (
            client.post("/articles", json=NEWS_ARTICLE),
            client.post("/articles", json={**CLUB_ARTICLE, "collection": None}),
            client.post("/index/rebuild", params={"collection": "news"}),
            client.post("/index/rebuild"),
            client.delete(f"/articles/{news_id}"),
            client.delete(f"/articles/{news_id}", params={"collection": "news"}),
        ):
            error = assert_error(response, 403, "forbidden_collection")
            assert "may not write" in error["message"]
        # In its own collection it adds, rebuilds and reads.
        created = client.post("/articles", json={**CLUB_ARTICLE, "title": "Club moves"})
        assert created.status_code == 201 and created.json()["status"] == "updated"
        assert rebuild(client, "club")["status"] == "succeeded"
        assert client.get("/articles", params={"collection": "club"}).status_code == 200
    # The news article is still there.
    with scoped.client(WRITE_TOKEN) as admin:
        assert admin.get(f"/articles/{news_id}").status_code == 200


def test_a_read_token_cannot_write_its_own_collection(scoped: LiveServer) -> None:
    with scoped.client(READ_CLUB) as client:
        assert_error(client.post("/articles", json=CLUB_ARTICLE), 403, "forbidden_collection")
        assert_error(
            client.post("/index/rebuild", params={"collection": "club"}),
            403,
            "forbidden_collection",
        )


def test_the_global_tokens_still_reach_every_collection(scoped: LiveServer) -> None:
    with scoped.client(WRITE_TOKEN) as admin:
        for name in ("club", "news", "default"):
            answer = admin.post("/ask", json={"question": CLUB_QUESTION, "collection": name})
            assert answer.status_code == 200, answer.text


def test_scoped_tokens_are_validated_without_showing_them(home: Path) -> None:
    secret = "do-not-print-me-4c2b9e7a1f"
    for entries, expected in (
        ("not json", "not valid JSON"),
        ([{"token": secret, "collections": ["Bad Name"], "access": "read"}], "entry 1"),
        ([{"token": secret, "collections": [], "access": "read"}], "non-empty list"),
        ([{"token": secret, "collections": ["a"], "access": "admin"}], '"read" or "write"'),
        ([{"token": secret, "collection": ["a"], "access": "read"}], "entry 1"),
        ([{"token": WRITE_TOKEN, "collections": ["a"], "access": "read"}], "also used"),
    ):
        raw = entries if isinstance(entries, str) else json.dumps(entries)
        settings = make_settings(home, tokens=raw)
        with pytest.raises(ValueError, match=expected) as caught:
            settings.check_secrets()
        assert secret not in str(caught.value) and WRITE_TOKEN not in str(caught.value)
        assert secret not in repr(settings)


def test_production_refuses_a_weak_scoped_token(home: Path) -> None:
    settings: Settings = make_settings(
        home,
        environment="production",
        api_token="Zk3-vQ9_pL2xR7mN4tB8wC1yH6jD5sF0aE",
        tokens=json.dumps([{"token": "short", "collections": ["a"], "access": "read"}]),
    )
    with pytest.raises(ValueError, match="ARTICLEQA_TOKENS entry 1 is 5 characters long"):
        settings.check_secrets()
