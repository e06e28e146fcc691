"""Collections over HTTP: articles added to a collection are listed, rebuilt and answered in
it alone; rebuilding one leaves the others' served versions as they were; an unknown
collection is a 404 and a malformed name a 422."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from articleqa.config import Settings
from tests.api.conftest import WRITE_TOKEN, LiveServer, assert_error, make_settings
from tests.api.test_articles import NEW_ARTICLE, rebuild


@pytest.fixture
def api_settings(home: Path, backend_overrides: dict[str, Any]) -> Settings:
    """Every test here runs on both backends (the data directory and PostgreSQL)."""
    return make_settings(home, **backend_overrides)


CLUB_ARTICLE = {
    "title": "Book club picks a lighthouse novel",
    "text": (
        "The Thursday book club chose The Lighthouse Keeper's Daughter by Ida Marsh for "
        "December. Members meet at the Alder Street library to discuss the first six chapters."
    ),
    "collection": "club",
}
CLUB_QUESTION = "Which novel did the Thursday book club choose?"


def test_a_collection_is_added_to_rebuilt_and_asked_on_its_own(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        default_before = client.get("/index").json()
        added = client.post("/articles", json=CLUB_ARTICLE)
        assert added.status_code == 201, added.text
        club_id = added.json()["article"]["id"]
        assert added.json()["article"]["collection"] == "club"

        # Not answerable before its collection's first rebuild.
        assert_error(client.get("/ask", params={"q": CLUB_QUESTION, "collection": "club"}), 503)
        job = rebuild(client, "club")
        assert job["status"] == "succeeded" and job["collection"] == "club"
        assert job["articles"] == 1

        for answer in (
            client.post("/ask", json={"question": CLUB_QUESTION, "collection": "club"}).json(),
            client.get("/ask", params={"q": CLUB_QUESTION, "collection": "club"}).json(),
        ):
            assert answer["answered"]
            assert {q["article"]["id"] for q in answer["quotes"]} == {club_id}
        # The default collection neither lists nor quotes it, and was not rebuilt.
        default_answer = client.post("/ask", json={"question": CLUB_QUESTION}).json()
        assert club_id not in {q["article"]["id"] for q in default_answer["quotes"]}
        assert client.get("/index").json()["version"] == default_before["version"]
        listed = client.get("/articles", params={"collection": "club"}).json()
        assert [a["id"] for a in listed["items"]] == [club_id] and listed["total"] == 1
        assert club_id not in {a["id"] for a in client.get("/articles").json()["items"]}
        club_index = client.get("/index", params={"collection": "club"}).json()
        assert club_index["collection"] == "club" and club_index["version"] == job["version"]
        assert club_index["articles"] == 1


def test_rebuilding_default_leaves_another_collection_served_as_it_was(
    live: LiveServer,
) -> None:
    with live.client(WRITE_TOKEN) as client:
        assert client.post("/articles", json=CLUB_ARTICLE).status_code == 201
        club_version = rebuild(client, "club")["version"]
        assert client.post("/articles", json=NEW_ARTICLE).status_code == 201
        default_job = rebuild(client)
        assert default_job["collection"] == "default" and default_job["articles"] == 4
        club = client.get("/index", params={"collection": "club"}).json()
        assert club["version"] == club_version and club["articles"] == 1


def test_an_unknown_collection_is_a_404_naming_it(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        for response in (
            client.post("/ask", json={"question": "Who won?", "collection": "nowhere"}),
            client.get("/ask", params={"q": "Who won?", "collection": "nowhere"}),
            client.get("/index", params={"collection": "nowhere"}),
            client.post("/index/rebuild", params={"collection": "nowhere"}),
        ):
            error = assert_error(response, 404, "collection_not_found")
            assert "'nowhere'" in error["message"]


@pytest.mark.parametrize("name", ["Club", "a b", "-x", "x" * 65, "../etc"])
def test_a_malformed_collection_name_is_a_422(live: LiveServer, name: str) -> None:
    with live.client(WRITE_TOKEN) as client:
        assert_error(client.post("/ask", json={"question": "Who?", "collection": name}), 422)
        assert_error(client.get("/ask", params={"q": "Who?", "collection": name}), 422)
        assert_error(client.post("/articles", json={**CLUB_ARTICLE, "collection": name}), 422)
        assert_error(client.get("/articles", params={"collection": name}), 422)
        assert_error(client.post("/index/rebuild", params={"collection": name}), 422)


def test_delete_with_a_collection_only_removes_from_it(live: LiveServer) -> None:
    with live.client(WRITE_TOKEN) as client:
        club_id = client.post("/articles", json=CLUB_ARTICLE).json()["article"]["id"]
        assert_error(
            client.delete(f"/articles/{club_id}", params={"collection": "default"}),
            404,
            "article_not_found",
        )
        removed = client.delete(f"/articles/{club_id}", params={"collection": "club"})
        assert removed.status_code == 200, removed.text
