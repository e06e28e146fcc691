"""ApiClient against the real service, plus injected failures for what the service never does."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from articleqa_bot.api import ApiClient
from articleqa_bot.errors import ApiError, ApiUnavailable, MissingApiToken

from .conftest import API_TOKEN, ApiServer, free_port, run


def test_ask_and_reads_parse_the_contract(api_server: ApiServer) -> None:
    async def scenario() -> None:
        client = ApiClient(api_server.url, timeout_s=10)
        try:
            answer = await client.ask("Who kept the Gullrock lighthouse?", k=2)
            assert answer.answered and 1 <= len(answer.quotes) <= 2
            assert answer.quotes[0].article.title == "Lighthouse keeper retires after forty years"
            unanswered = await client.ask("lighthouse", since=dt.date(2100, 1, 1))
            assert not unanswered.answered and unanswered.message
            page = await client.list_articles(offset=0, limit=2)
            assert len(page.items) == 2 and page.total >= 4
            info = await client.index_info()
            assert info.version == answer.index_version and info.passages
        finally:
            await client.aclose()

    run(scenario())


def test_api_errors_become_typed_errors(api_server: ApiServer) -> None:
    async def scenario() -> None:
        admin = ApiClient(api_server.url, token=API_TOKEN, timeout_s=10)
        wrong = ApiClient(api_server.url, token="not-the-token", timeout_s=10)
        anonymous = ApiClient(api_server.url, timeout_s=10)
        try:
            with pytest.raises(ApiError) as missing:
                await admin.remove_article("no-such-article")
            assert missing.value.status == 404
            with pytest.raises(ApiError) as refused:
                await wrong.start_rebuild()
            assert refused.value.status == 401
            assert "ARTICLEQA_BOT_API_TOKEN" in refused.value.user_message()
            with pytest.raises(MissingApiToken):
                await anonymous.add_article_url("https://example.org")
            with pytest.raises(ApiError) as invalid:
                await anonymous.ask("")
            assert invalid.value.status == 422
            # An id with a slash stays one path segment instead of reaching another route.
            with pytest.raises(ApiError) as traversal:
                await admin.remove_article("../index/rebuild")
            assert traversal.value.status == 404
        finally:
            for client in (admin, wrong, anonymous):
                await client.aclose()

    run(scenario())


def test_unreachable_api_is_unavailable() -> None:
    async def scenario() -> None:
        client = ApiClient(f"http://127.0.0.1:{free_port()}", timeout_s=2)
        try:
            with pytest.raises(ApiUnavailable) as down:
                await client.ask("anything")
            assert "can't reach" in down.value.user_message()
        finally:
            await client.aclose()

    run(scenario())


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(502, text="<html>Bad gateway</html>"), ApiUnavailable),
        (httpx.Response(200, text="not json"), ApiUnavailable),
        (httpx.Response(200, json={"unexpected": True}), ApiError),
        (httpx.Response(418, text="teapot"), ApiError),
        (
            httpx.Response(503, json={"error": {"code": "no_index", "message": "run index"}}),
            ApiError,
        ),
    ],
)
def test_broken_responses_are_injected_and_typed(
    response: httpx.Response, expected: type[Exception]
) -> None:
    # Failure injection: the real service never answers like this, a proxy in front might.
    transport = httpx.MockTransport(lambda request: response)

    async def scenario() -> None:
        client = ApiClient("http://api.invalid", transport=transport)
        try:
            with pytest.raises(expected) as caught:
                await client.ask("anything")
            if isinstance(caught.value, ApiError) and caught.value.status == 503:
                assert caught.value.user_message() == "The articles service isn't ready: run index"
        finally:
            await client.aclose()

    run(scenario())
