"""The service with the real embedding model: answers and batched answers agree."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from articleqa.embedding import Embedder
from tests.api.conftest import ARTICLES, add_articles, build_index, make_settings, serve

pytestmark = pytest.mark.model

QUESTIONS = [
    "Who won the regional science fair?",
    "How much will the harbour tram extension cost?",
    "What did firefighters do in the lower town?",
    "Where is the national final?",
]


def test_real_model_answers_and_batching_changes_nothing(
    home: Path, real_embedder: Embedder
) -> None:
    settings = make_settings(home, embedding_backend="torch")
    ids = add_articles(settings, ARTICLES)
    build_index(settings, real_embedder)
    with serve(settings, embedder=real_embedder) as live, live.client() as client:
        status = client.get("/index").json()
        assert status["model"] == real_embedder.name
        sequential = [client.post("/ask", json={"question": q}).json() for q in QUESTIONS]
        assert [a["quotes"][0]["article"]["id"] for a in sequential] == [
            ids[0],
            ids[1],
            ids[2],
            ids[0],
        ]
        assert "Lyon" in sequential[3]["quotes"][0]["text"]

        def ask(question: str) -> list[str]:
            with live.client() as own:
                answer = own.post("/ask", json={"question": question}).json()
                return [q["passage_id"] for q in answer["quotes"]]

        with ThreadPoolExecutor(8) as pool:
            concurrent = list(pool.map(ask, QUESTIONS * 4))
    expected = [[q["passage_id"] for q in a["quotes"]] for a in sequential]
    assert concurrent == expected * 4
