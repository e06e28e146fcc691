"""A real uvicorn server on a free 127.0.0.1 port, and small article collections to serve."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from articleqa.api import create_app
from articleqa.config import Settings
from articleqa.embedding import Embedder, FakeEmbedder
from articleqa.engine import ArticleQA
from articleqa.indexer import BuildReport
from articleqa.models import RawArticle
from articleqa.service import store_raw

WRITE_TOKEN = "test-write-token-4f1c9a"
READ_TOKEN = "test-read-token-8b2d7e"

ARTICLES = [
    RawArticle(
        title="River robot wins the regional science fair",
        text=(
            "A team of four students from Millbrook High School won the regional science fair "
            "on Saturday with a solar-powered robot that collects plastic from rivers. "
            "The judges praised the robot's low cost and its simple design.\n\n"
            "The team will travel to the national final in Lyon next spring. Their teacher said "
            "the students built the prototype in six weeks from recycled parts."
        ),
        author="Ana Ruiz",
        published=dt.date(2024, 5, 4),
    ),
    RawArticle(
        title="Harbour tram extension approved",
        text=(
            "The city council approved a three-kilometre extension of the harbour tram line on "
            "Tuesday. Construction starts in March and the new stops should open in autumn 2026. "
            "The extension will cost 84 million euros, most of it paid by the regional government."
        ),
        url="https://news.example.org/harbour-tram",
        published=dt.date(2025, 2, 11),
    ),
    RawArticle(
        title="Storm floods the lower town",
        text=(
            "Heavy rain flooded dozens of cellars in the lower town overnight. Firefighters "
            "pumped water from the old market hall until dawn. The mayor asked residents to avoid "
            "the riverside road until the water level drops."
        ),
        published=dt.date(2025, 10, 20),
    ),
]
# One more, for tests whose rebuild needs something to build (with nothing changed, a build
# keeps the current snapshot).
EXTRA_ARTICLE = RawArticle(
    title="Night ferry returns",
    text=(
        "The night ferry between Lakeshore and Port Avery returns in May after a two-year pause. "
        "Tickets go on sale at the harbour office a week before the first crossing."
    ),
    published=dt.date(2025, 11, 2),
)


def make_settings(home: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "home": home,
        "embedding_backend": "fake",
        "api_token": WRITE_TOKEN,
        "reload_interval_s": 0.1,
    }
    values.update(overrides)
    return Settings(**values, _env_file=None)  # type: ignore[arg-type, call-arg, unused-ignore]


def add_articles(settings: Settings, articles: list[RawArticle]) -> list[str]:
    store = ArticleQA(settings).store
    ids = []
    for raw in articles:
        outcome = store_raw(store, raw.title, raw)
        assert outcome.article_id is not None, outcome.error
        ids.append(outcome.article_id)
    return ids


def build_index(settings: Settings, embedder: Embedder | None = None) -> BuildReport:
    return ArticleQA(settings, embedder=embedder or FakeEmbedder()).build()


def wait_until(condition: Callable[[], bool], timeout_s: float = 60.0) -> bool:
    """Poll ``condition`` until true; False after ``timeout_s`` (a hang guard, not speed)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@dataclass
class LiveServer:
    base_url: str
    settings: Settings
    server: uvicorn.Server

    def client(self, token: str | None = None, timeout_s: float = 60.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)

    @property
    def app_services(self) -> object:
        return self.server.config.app.state.services  # type: ignore[union-attr]


@contextlib.contextmanager
def serve(settings: Settings, embedder: Embedder | None = None) -> Iterator[LiveServer]:
    """Run the app under uvicorn in a thread on an ephemeral loopback port."""
    app = create_app(settings, embedder=embedder)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    if not wait_until(lambda: server.started or not thread.is_alive(), 120):
        raise RuntimeError("uvicorn did not start")
    if not server.started:
        raise RuntimeError("uvicorn exited during startup")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings, server)
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture
def api_settings(home: Path) -> Settings:
    return make_settings(home)


@pytest.fixture
def article_ids(api_settings: Settings) -> list[str]:
    ids = add_articles(api_settings, ARTICLES)
    build_index(api_settings)
    return ids


@pytest.fixture
def live(api_settings: Settings, article_ids: list[str]) -> Iterator[LiveServer]:
    """A server over the three sample articles, already indexed."""
    with serve(api_settings) as server:
        yield server


@pytest.fixture
def empty_live(api_settings: Settings) -> Iterator[LiveServer]:
    """A server on a home with no index at all."""
    with serve(api_settings) as server:
        yield server


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, str]:
    """The response has ``status`` and exactly the contract's error shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"].strip()
    if code is not None:
        assert body["error"]["code"] == code, body
    error: dict[str, str] = body["error"]
    return error
