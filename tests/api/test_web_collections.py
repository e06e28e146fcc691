"""The ask page and collections, over plain HTTP: ``?collection=`` asks that collection, the
form keeps it, a chooser lists the collections a visitor may read, and a collection a scoped
token guards asks anonymous visitors to sign in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import (
    ARTICLES,
    WRITE_TOKEN,
    LiveServer,
    add_articles,
    build_index,
    make_settings,
    serve,
)
from tests.api.test_articles import rebuild
from tests.api.test_collections import CLUB_ARTICLE, CLUB_QUESTION

GUARD = "club-guard-token-5e2a9d7c1b"


@pytest.fixture
def two_collections(home: Path) -> Iterator[LiveServer]:
    """default (the sample articles) and club (one article); ``secret`` is named by a scoped
    token, so it is private."""
    tokens = [{"token": GUARD, "collections": ["secret"], "access": "read"}]
    settings = make_settings(home, tokens=json.dumps(tokens))
    add_articles(settings, ARTICLES)
    build_index(settings)
    with serve(settings) as live, live.client(WRITE_TOKEN) as admin:
        for name in ("club", "secret"):
            assert admin.post("/articles", json={**CLUB_ARTICLE, "collection": name}).is_success
            assert rebuild(admin, name)["status"] == "succeeded"
        yield live


def test_the_page_asks_the_chosen_collection_and_keeps_it(two_collections: LiveServer) -> None:
    with two_collections.client() as client:
        page = client.get("/", params={"q": CLUB_QUESTION, "collection": "club"})
        default = client.get("/", params={"q": CLUB_QUESTION})
        guarded = client.get("/", params={"q": CLUB_QUESTION, "collection": "secret"})
        unknown = client.get("/", params={"q": CLUB_QUESTION, "collection": "nowhere"})
    assert page.status_code == 200
    assert CLUB_ARTICLE["title"] in page.text
    assert CLUB_ARTICLE["title"] not in default.text
    # The chooser offers what an anonymous visitor may read, with the asked one selected.
    options = re.findall(r'<option value="([a-z0-9_-]+)"\s*(selected)?\s*>', page.text)
    assert [name for name, _ in options if name in ("club", "default", "secret")] == [
        "club",
        "default",
    ]
    assert ("club", "selected") in options
    assert guarded.status_code == 401 and "Sign in" in guarded.text
    assert unknown.status_code == 404 and "no collection named" in unknown.text
