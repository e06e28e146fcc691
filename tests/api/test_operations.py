"""/health, /metrics and /feedback."""

from __future__ import annotations

import json

from articleqa.config import Settings
from tests.api.conftest import EXTRA_ARTICLE, WRITE_TOKEN, LiveServer, add_articles, assert_error
from tests.api.test_articles import rebuild


def test_health_names_the_served_version(live: LiveServer) -> None:
    with live.client() as client:
        health = client.get("/health")
        version = client.get("/index").json()["version"]
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "version": version, "fallback_reason": None}


def test_metrics_count_requests_by_route_template(
    live: LiveServer, article_ids: list[str], api_settings: Settings
) -> None:
    with live.client(WRITE_TOKEN) as client:
        client.post("/ask", json={"question": "tram"})
        client.get(f"/articles/{article_ids[0]}")
        client.get("/articles/unknown")
        add_articles(api_settings, [EXTRA_ARTICLE])  # something for the rebuild to build
        assert rebuild(client)["status"] == "succeeded"
        response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'articleqa_http_requests_total{method="POST",route="/ask",status="200"} 1.0' in text
    for status in (200, 404):
        series = f'method="GET",route="/articles/{{article_id}}",status="{status}"'
        assert f"articleqa_http_requests_total{{{series}}} 1.0" in text
    assert article_ids[0] not in text  # raw paths would give one series per id
    assert 'articleqa_http_request_duration_seconds_count{method="POST",route="/ask"' in text
    assert "articleqa_index_articles 4.0" in text
    assert "articleqa_index_loaded 1.0" in text
    assert "articleqa_rebuild_duration_seconds_count 1.0" in text
    assert "articleqa_rebuild_failures_total 0.0" in text
    assert "articleqa_index_swaps_total 1.0" in text
    assert "articleqa_query_batch_size_count" in text


def test_feedback_is_appended_to_the_log(live: LiveServer) -> None:
    feedback = {
        "question": "Who won the fair?",
        "passage_ids": ["v1:3"],
        "helpful": False,
        "source": "discord",
    }
    with live.client() as client:
        response = client.post("/feedback", json=feedback)
        assert response.status_code == 202
        assert response.json() == {"status": "recorded"}
        assert client.post("/feedback", json={**feedback, "helpful": True}).status_code == 202
        assert_error(client.post("/feedback", json={"question": "x"}), 422, "invalid_input")
    lines = (live.settings.home / "feedback.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["helpful"] for r in records] == [False, True]
    assert records[0]["question"] == "Who won the fair?"
    assert records[0]["passage_ids"] == ["v1:3"]
    assert records[0]["at"]


def test_openapi_documents_the_contract(live: LiveServer) -> None:
    with live.client() as client:
        spec = client.get("/openapi.json").json()
        docs = client.get("/docs")
    assert docs.status_code == 200
    paths = spec["paths"]
    for path in (
        "/ask",
        "/articles",
        "/articles/{article_id}",
        "/index",
        "/index/rebuild",
        "/index/rebuild/{job_id}",
        "/health",
        "/metrics",
        "/feedback",
    ):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    assert {"AskRequest", "AskResponse", "ArticlePublic", "ArticleCreate", "ErrorResponse"} <= set(
        schemas
    )
    assert schemas["AskRequest"]["examples"]
    assert "422" in paths["/ask"]["post"]["responses"]
