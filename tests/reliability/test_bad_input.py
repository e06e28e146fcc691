"""Bad input that tests/api/test_errors.py does not already send, over HTTP and as files.

Each gets a clear 4xx in the error shape (or one CLI error line), and the service answers a
question afterwards. Raw sockets are used where an HTTP client would refuse to send the
request (lying Content-Length, 100 KB query strings).
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from articleqa.service import ingest
from articleqa.store import ArticleStore
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
from tests.reliability.helpers import run_cli

JSON = {"Content-Type": "application/json"}
MAX_BODY = 200_000
QUESTION = {"question": "Who won the regional science fair?"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("bad-input-home")
    settings = make_settings(home, max_body_bytes=MAX_BODY)
    add_articles(settings, ARTICLES)
    build_index(settings)
    with serve(settings) as live:
        yield live


def still_answers(server: LiveServer) -> None:
    with server.client() as client:
        answer = client.post("/ask", json=QUESTION)
    assert answer.status_code == 200 and answer.json()["answered"] is True


def raw_request(server: LiveServer, request: bytes, timeout_s: float = 30) -> bytes:
    """Send ``request`` and read the reply, as an HTTP client does: a server that answers
    early (413 on a body over the limit) and closes is read at once, not after the whole body
    was pushed at a closed socket, whose reset could discard the reply (a flaky failure under
    load: ConnectionResetError)."""
    host, port = server.base_url.removeprefix("http://").split(":")
    received = b""
    with socket.create_connection((host, int(port)), timeout=timeout_s) as sock:
        try:
            for start in range(0, len(request), 65536):
                sock.sendall(request[start : start + 65536])
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered before the whole request was sent
            while chunk := sock.recv(65536):
                received += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass  # the server closed after answering: what arrived is the reply
    return received


def test_100kb_question_is_422(server: LiveServer) -> None:
    with server.client() as client:
        error = assert_error(client.post("/ask", json={"question": "x" * 100_000}), 422)
    assert "at most 1000 characters" in error["message"]
    reply = raw_request(
        server,
        b"GET /ask?q=" + b"x" * 100_000 + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    # With h11 the app answers 422; httptools (used when installed) refuses a request line this
    # long itself with a plain-text 400 before the app sees it. A 4xx either way.
    assert reply.startswith((b"HTTP/1.1 422 ", b"HTTP/1.1 400 ")), reply[:200]
    if reply.startswith(b"HTTP/1.1 422 "):
        assert b'"invalid_input"' in reply
    still_answers(server)


@pytest.mark.parametrize(
    "question",
    ["\x00\x01\x02 tram \x7f", bytes(range(1, 256)).decode("latin-1"), "\ufffd" * 500, "🚋" * 999],
    ids=["control-chars", "all-bytes", "replacement-chars", "emoji"],
)
def test_binary_looking_questions_are_answered_or_abstained(
    server: LiveServer, question: str
) -> None:
    with server.client() as client:
        response = client.post("/ask", json={"question": question})
    assert response.status_code == 200, response.text
    assert response.json()["question"] == question
    assert isinstance(response.json()["answered"], bool)


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"question": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"question": "tram", "filters": ' + b'{"a":' * 20_000 + b"1" + b"}" * 20_001,
    ],
    ids=["100k-nested-arrays", "nested-question", "nested-objects"],
)
def test_deeply_nested_json_is_422(server: LiveServer, raw: bytes) -> None:
    with server.client() as client:
        error = assert_error(client.post("/ask", content=raw, headers=JSON), 422)
    assert error["code"] in ("malformed_json", "invalid_input")
    still_answers(server)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"],
)
def test_wrong_content_type_is_422_saying_what_to_send(
    server: LiveServer, content_type: str
) -> None:
    with server.client(WRITE_TOKEN) as client:
        for path in ("/ask", "/articles"):
            response = client.post(
                path, content=b'{"question": "tram"}', headers={"Content-Type": content_type}
            )
            error = assert_error(response, 422, "invalid_input")
            assert "Content-Type: application/json" in error["message"]
    still_answers(server)


def test_unknown_fields_everywhere_are_422(server: LiveServer) -> None:
    with server.client(WRITE_TOKEN) as client:
        assert_error(client.post("/ask", json={**QUESTION, "filters": {"colour": "blue"}}), 422)
        assert_error(
            client.post(
                "/feedback",
                json={"question": "q", "passage_ids": [], "helpful": True, "admin": True},
            ),
            422,
        )
        assert_error(client.post("/articles", json={"title": "t", "text": "x", "id": "mine"}), 422)


def test_feedback_cannot_write_megabytes_to_disk_in_one_request(server: LiveServer) -> None:
    log = server.settings.home / "feedback.jsonl"
    before = log.stat().st_size if log.exists() else 0
    huge = {"question": "q", "passage_ids": ["x" * 3_000] * 50, "helpful": True}
    with server.client() as client:
        error = assert_error(client.post("/feedback", json=huge), 422, "invalid_input")
        assert "at most 200 characters" in error["message"]
        fine = {"question": "q", "passage_ids": ["20261126T120000000Z-1a2b3c:4"], "helpful": True}
        assert client.post("/feedback", json=fine).status_code == 202
    assert log.stat().st_size - before < 1_000


def test_lying_content_length_shorter_than_the_body_is_422(server: LiveServer) -> None:
    body = b'{"question": "Who won the regional science fair?"}'
    reply = raw_request(
        server,
        b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 5\r\nConnection: close\r\n\r\n" + body,
    )
    assert reply.startswith(b"HTTP/1.1 422 ") and b'"malformed_json"' in reply
    still_answers(server)


def test_huge_declared_content_length_is_413_without_reading_the_body(server: LiveServer) -> None:
    reply = raw_request(
        server,
        b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000000\r\nConnection: close\r\n\r\n{}",
    )
    assert reply.startswith(b"HTTP/1.1 413 ") and b'"body_too_large"' in reply
    still_answers(server)


def test_declared_length_never_sent_does_not_block_other_clients(server: LiveServer) -> None:
    # A client that promises 100 bytes and sends 19 holds only its own connection.
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as stalled:
        stalled.sendall(
            b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b'{"question":"tram"}'
        )
        still_answers(server)


def test_chunked_body_over_the_limit_in_one_big_chunk_is_413(server: LiveServer) -> None:
    size = MAX_BODY + 100_000
    reply = raw_request(
        server,
        b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + f"{size:x}\r\n".encode()
        + b"x" * size
        + b"\r\n0\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 413 ") and b'"body_too_large"' in reply
    still_answers(server)


@pytest.mark.parametrize(
    "article_id",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%252F..%252Fetc%252Fpasswd",
        "....%2F%2F....%2F%2Fetc%2Fpasswd",
        "a%00b",
        "%2Fetc%2Fpasswd",
        "..",
    ],
)
def test_path_like_article_ids_are_404(server: LiveServer, article_id: str) -> None:
    with server.client(WRITE_TOKEN) as client:
        total = client.get("/articles").json()["total"]
        for method in ("GET", "DELETE"):
            response = client.request(method, f"/articles/{article_id}")
            if method == "GET" and response.request.url.path == "/":
                # httpx removes the dot segment itself: this is GET /, the web ask page.
                assert response.headers["content-type"].startswith("text/html")
                continue
            assert response.status_code in (404, 405), response.text
            assert_error(response, response.status_code)
        assert client.get("/articles").json()["total"] == total
    still_answers(server)


def test_html_file_scripts_never_reach_the_store(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Harbour fair</title><script>var SCRIPT_MARKER = 1;</script>"
        "<style>.STYLE_MARKER{}</style></head><body><noscript>NOSCRIPT_MARKER</noscript>"
        "<article><h1>Harbour fair draws crowds</h1><p>Thousands of visitors came to the "
        "harbour fair on Sunday to see the old sailing ships and taste fresh fish.</p>"
        '<p onclick="ONCLICK_MARKER()">The organisers plan a second fair next spring, with '
        "more boats and a concert on the quay.</p><script>document.write('WRITE_MARKER')"
        "</script></article></body></html>",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path / "home")
    store = ArticleStore(settings.home)
    [outcome] = ingest([str(page)], store, settings)
    assert outcome.status == "created", outcome
    text = store.get(str(outcome.article_id)).text
    assert "sailing ships" in text
    for marker in ("SCRIPT", "STYLE", "NOSCRIPT", "ONCLICK", "WRITE"):
        assert f"{marker}_MARKER" not in text


def test_non_utf8_and_binary_files_are_one_cli_line_each(tmp_path: Path) -> None:
    # tests/test_cli.py covers latin-1 JSON and NUL-byte files; these are other shapes of binary.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "utf16.md").write_bytes("# Title\n\nSome text here.".encode("utf-16"))
    (folder / "gzip.html").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    (folder / "broken.jsonl").write_bytes(b'{"title": "a", "text": "\xff\xfe broken"}\n')
    (folder / "good.txt").write_text("Good article\n\nThe ferry runs again from Monday.\n")
    home = tmp_path / "home"

    result = run_cli(home, "add", str(folder))

    assert result.returncode == 1
    failed = sorted(line for line in result.stderr.splitlines() if line.startswith("failed"))
    assert [line.split()[1].rsplit("/", 1)[-1] for line in failed] == [
        "broken.jsonl:",
        "gzip.html:",
        "image.txt:",
    ], result.stderr
    assert "not UTF-8" in failed[0] and "looks binary" in failed[1]
    assert "Traceback" not in result.stderr
    # UTF-16 with a byte-order mark is text, read as such; the good file too.
    store = ArticleStore(home)
    assert sorted(a.title for a in store.list()) == ["Good article", "Title"]


def test_a_body_that_never_arrives_gets_408_and_the_connection_closed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    home = tmp_path_factory.mktemp("slow-body-home")
    settings = make_settings(home, body_timeout_s=1.0)
    add_articles(settings, ARTICLES)
    build_index(settings)
    with serve(settings) as live:
        # Promises 100 bytes, sends 19, then waits: the server answers 408 and closes rather
        # than holding the connection and a request task for ever.
        reply = raw_request(
            live,
            b"POST /ask HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b'{"question":"tram"}',
            timeout_s=20,
        )
        assert reply.startswith(b"HTTP/1.1 408 ") and b'"body_timeout"' in reply
        still_answers(live)
