"""Tokens never reach a real server's logs or responses, and odd Authorization headers fail.

tests/api/test_auth.py covers missing, wrong and prefix tokens on every write endpoint, the
read token, and the in-process log records; here the server is a real ``articleqa -v serve``
process (DEBUG logging and uvicorn's access log on), and its whole output is searched.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from bench.load import ServerProcess, prepare_home, start_server

from tests.api.conftest import assert_error

API_TOKEN = "api-token-Zq8vN3xK7pL2sW9d"
READ_TOKEN = "read-token-Hc4mT6yR1bJ5gF0a"
WRONG_TOKEN = "wrong-token-Ue7iO2nA9qX3kD6s"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    home = tmp_path_factory.mktemp("auth") / "home"
    prepare_home(home, "fake")
    process = start_server(
        home,
        "fake",
        {"ARTICLEQA_API_TOKEN": API_TOKEN, "ARTICLEQA_READ_TOKEN": READ_TOKEN},
        verbose=True,
    )
    try:
        yield process
    finally:
        process.stop()


def _exercise(base_url: str) -> list[httpx.Response]:
    article = {"title": "Token test", "text": "The ferry timetable changes on Monday morning."}
    responses = []
    for token in (API_TOKEN, READ_TOKEN, WRONG_TOKEN, API_TOKEN[:-1], API_TOKEN + "x"):
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
            responses += [
                client.post("/articles", json=article),
                client.post("/index/rebuild"),
                client.delete("/articles/0123456789abcdef"),
                client.post("/ask", json={"question": "When does the timetable change?"}),
                client.get("/ask", params={"q": "ferry"}),
                client.get("/index"),
                client.get("/metrics"),
                client.post(
                    "/ask", content=b"{broken", headers={"Content-Type": "application/json"}
                ),
            ]
    return responses


def test_tokens_never_appear_in_server_output_or_responses(server: ServerProcess) -> None:
    responses = _exercise(server.base_url)
    log = server.log_path.read_text(errors="replace")

    assert "POST /articles" in log and "DEBUG" in log, "the requests were logged, verbosely"
    for token in (API_TOKEN, READ_TOKEN, WRONG_TOKEN):
        assert token not in log
        assert token[:-1] not in log
        for response in responses:
            assert token[:-1] not in response.text
    statuses = sorted({r.status_code for r in responses})
    assert 401 in statuses and 202 in statuses and 201 in statuses


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        f"bearer{API_TOKEN}",
        f"Token {API_TOKEN}",
        f"Bearer {API_TOKEN} {API_TOKEN}",
        f"Bearer  {API_TOKEN}x",
        "Bearer " + "A" * 8000,
        "Bearer é€✓",
    ],
    ids=[
        "no-token",
        "no-space",
        "other-scheme",
        "two-tokens",
        "suffix",
        "8k",
        "utf8",
    ],
)
def test_malformed_authorization_headers_are_refused(
    server: ServerProcess, authorization: str
) -> None:
    headers = {"Authorization": authorization.encode()}
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        response = client.post(
            "/articles",
            json={"title": "t", "text": "text"},
            headers=headers,  # type: ignore[arg-type]
        )
        assert_error(response, 401)
        assert client.get("/health").status_code == 200
