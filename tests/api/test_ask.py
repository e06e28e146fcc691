"""POST /ask and GET /ask against a real server over an indexed sample collection."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from articleqa.config import Settings
from tests.api.conftest import LiveServer, assert_error, make_settings


@pytest.fixture
def api_settings(home: Path, backend_overrides: dict[str, Any]) -> Settings:
    """Every test here runs on both backends (the data directory and PostgreSQL)."""
    return make_settings(home, **backend_overrides)


def test_ask_quotes_the_article_verbatim(live: LiveServer, article_ids: list[str]) -> None:
    with live.client() as client:
        response = client.post("/ask", json={"question": "Who won the regional science fair?"})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["answered"] is True
        assert answer["message"] is None
        top = answer["quotes"][0]
        assert top["article"]["id"] == article_ids[0]
        assert "Millbrook High School" in top["text"]
        article = client.get(f"/articles/{top['article']['id']}").json()
        assert top["highlight"] is not None
        for quote in answer["quotes"]:
            stored = client.get(f"/articles/{quote['article']['id']}").json()["text"]
            assert stored[quote["start"] : quote["end"]] == quote["text"]
            highlight = quote["highlight"]  # None when no sentence shares a word with the question
            if highlight is not None:
                assert stored[highlight["start"] : highlight["end"]] == highlight["text"]
        assert article["title"] == "River robot wins the regional science fair"
        assert answer["index_version"] == client.get("/index").json()["version"]


def test_get_ask_matches_post(live: LiveServer) -> None:
    with live.client() as client:
        got = client.get("/ask", params={"q": "How much will the tram extension cost?", "k": 2})
        posted = client.post(
            "/ask", json={"question": "How much will the tram extension cost?", "k": 2}
        )
    assert got.status_code == posted.status_code == 200
    assert [q["passage_id"] for q in got.json()["quotes"]] == [
        q["passage_id"] for q in posted.json()["quotes"]
    ]
    assert "84 million euros" in got.json()["quotes"][0]["text"]


def test_k_limits_the_number_of_quotes(live: LiveServer) -> None:
    with live.client() as client:
        answer = client.post("/ask", json={"question": "city", "k": 1}).json()
    assert len(answer["quotes"]) == 1


def test_filters_restrict_articles_and_dates(live: LiveServer, article_ids: list[str]) -> None:
    question = "What happened in the town?"
    with live.client() as client:
        only_storm = client.post(
            "/ask", json={"question": question, "filters": {"article_ids": [article_ids[2]]}}
        ).json()
        assert {q["article"]["id"] for q in only_storm["quotes"]} == {article_ids[2]}
        in_2024 = client.post(
            "/ask",
            json={"question": question, "filters": {"since": "2024-01-01", "until": "2024-12-31"}},
        ).json()
        assert {q["article"]["id"] for q in in_2024["quotes"]} == {article_ids[0]}
        none_match = client.post(
            "/ask", json={"question": question, "filters": {"article_ids": ["no-such-article"]}}
        ).json()
    assert none_match["answered"] is False
    assert none_match["quotes"] == []
    assert none_match["message"]


def test_concurrent_asks_each_get_their_own_answer(
    live: LiveServer, article_ids: list[str]
) -> None:
    """Questions batched together are answered separately, each with its own article."""
    questions = {
        "Who won the regional science fair?": article_ids[0],
        "How much will the harbour tram extension cost?": article_ids[1],
        "Which cellars flooded overnight?": article_ids[2],
    }
    jobs = list(questions.items()) * 8

    def ask(question: str) -> str:
        with live.client() as client:
            response = client.post("/ask", json={"question": question, "k": 1})
            assert response.status_code == 200, response.text
            answer = response.json()
            assert answer["question"] == question
            return str(answer["quotes"][0]["article"]["id"])

    with ThreadPoolExecutor(16) as pool:
        got = list(pool.map(ask, [q for q, _ in jobs]))
    assert got == [expected for _, expected in jobs]


def test_ask_before_any_index_is_503_with_advice(empty_live: LiveServer) -> None:
    with empty_live.client() as client:
        error = assert_error(
            client.post("/ask", json={"question": "anything?"}), 503, "index_not_built"
        )
        assert "POST /index/rebuild" in error["message"]
        assert_error(client.get("/ask", params={"q": "anything?"}), 503, "index_not_built")
        assert_error(client.get("/health"), 503, "index_not_built")
        status = client.get("/index").json()
    assert status["version"] is None
    assert status["articles"] == 0


def test_a_follow_up_is_searched_with_the_earlier_question_and_says_so(live: LiveServer) -> None:
    earlier = "When will the harbour tram extension open?"
    with live.client() as client:
        alone = client.post("/ask", json={"question": "How much will it cost?"}).json()
        answer = client.post(
            "/ask", json={"question": "How much will it cost?", "context": [earlier]}
        ).json()
        fresh = client.post(
            "/ask", json={"question": "Who won the science fair?", "context": [earlier]}
        ).json()
    assert alone["following_up_on"] is None
    assert answer["following_up_on"] is not None
    # The line is the earlier question's own words, nothing written by the service.
    assert all(word.lower() in earlier.lower() for word in answer["following_up_on"].split(", "))
    assert "84 million euros" in answer["quotes"][0]["text"]
    # A question with a subject of its own starts afresh.
    assert fresh["following_up_on"] is None
    assert "Millbrook High School" in fresh["quotes"][0]["text"]


@pytest.mark.parametrize(
    "context",
    [["Who won?"] * 6, ["x" * 1001], "not a list"],
    ids=["too-many", "too-long", "not-a-list"],
)
def test_a_context_out_of_bounds_is_422_with_a_message(live: LiveServer, context: object) -> None:
    with live.client() as client:
        response = client.post("/ask", json={"question": "Who won?", "context": context})
    assert_error(response, 422)


def test_the_service_keeps_a_conversation_by_its_id(live: LiveServer) -> None:
    with live.client() as client:

        def ask(question: str, conversation: str) -> dict[str, Any]:
            body = {"question": question, "conversation": conversation}
            response = client.post("/ask", json=body)
            assert response.status_code == 200, response.text
            answer: dict[str, Any] = response.json()
            return answer

        first = ask("When will the harbour tram extension open?", "tram-chat-0001")
        follow = ask("How much will it cost?", "tram-chat-0001")
        other = ask("How much will it cost?", "another-chat-0002")
        both = client.post(
            "/ask",
            json={"question": "Why?", "conversation": "tram-chat-0001", "context": ["Who?"]},
        )
        short = client.post("/ask", json={"question": "Why?", "conversation": "short"})
    assert first["following_up_on"] is None
    assert follow["following_up_on"] is not None
    assert "84 million euros" in follow["quotes"][0]["text"]
    assert other["following_up_on"] is None  # another conversation knows nothing of it
    assert "not both" in assert_error(both, 422)["message"]
    assert_error(short, 422)


def test_get_ask_takes_the_conversation_as_context(live: LiveServer) -> None:
    earlier = "When will the harbour tram extension open?"
    with live.client() as client:
        answer = client.get("/ask", params={"q": "How much will it cost?", "context": earlier})
        assert answer.status_code == 200, answer.text
        assert answer.json()["following_up_on"] is not None
        too_many = client.get("/ask", params={"q": "Why?", "context": ["Who?"] * 6})
        too_long = client.get("/ask", params={"q": "Why?", "context": "x" * 1001})
    assert_error(too_many, 422)
    assert_error(too_long, 422)
