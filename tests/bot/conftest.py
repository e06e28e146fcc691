"""A real articleqa HTTP service (subprocess on a free loopback port) holding a small corpus,
and helpers to run the real bot against the Discord stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from articleqa_bot import ArticleQABot, BotSettings, create_bot

from .standin import EPHEMERAL, FakeDiscord, pings, running_bot

REPO = Path(__file__).resolve().parents[2]
ARTICLEQA = Path(sys.executable).with_name("articleqa")
API_TOKEN = "bot-tests-api-token-5c1e"
SCENARIO_TIMEOUT_S = 120.0

T = TypeVar("T")

# Words no other article uses, so that the fake (hash) embedder plus BM25 find them first.
CORPUS = {
    "lighthouse-keeper.txt": (
        "Lighthouse keeper retires after forty years\n\n"
        "Morwenna Tregarthen kept the Gullrock lighthouse burning for forty years before she "
        "retired on Friday. She climbed its 117 steps twice a night and logged every passing "
        "ship in a leather ledger.\n\n"
        "The harbour board said an automatic lamp will replace the keeper next spring."
    ),
    "quarry-notice.txt": (
        "Zorblat quarry council notice\n\n"
        "The zorblat quarry council told @everyone at the meeting that blasting resumes in May. "
        "Ask <@123> or the <@&456> committee; **no** _appeals_ are heard after the deadline, "
        "said the notice posted by @here on the quarry gate.\n\n"
        "Residents near the zorblat quarry may collect free ear protectors at the town hall."
    ),
    "bakery-strike.md": (
        "---\nauthor: Ana Ruiz\npublished: 2024-05-04\nurl: https://news.example.org/bakers\n---\n"
        "# Bakers strike over night shifts\n\n"
        "Bakers at the Vellacott cooperative stopped work on Monday over unpaid night shifts. "
        "The cooperative's sourdough, sold in 40 shops, was missing from shelves by noon.\n\n"
        "## Talks\n\n"
        "The union and the cooperative meet again on Thursday to discuss overtime rates."
    ),
    # Everything Discord's Markdown could make of a quote: it must reach the reader as text.
    "ferry-notice.txt": (
        "Vornholt ferry notice\n\n"
        "The Vornholt ferry leaves every [twenty minutes](https://evil.example/phish) from pier "
        "\\ two, said @everyone and @here at <@&456>, <@123> and <#789> on <t:0:R> (see "
        "https://evil.example/ferry), C:\\ferries\\vornholt :anchor: <:wave:42>.\n"
        "# Vornholt winter crossings\n"
        "> the Vornholt harbour master's word\n"
        "||Vornholt spoiler|| **bold** __under__ _em_ ~~gone~~ `code` \\\\ double\n"
        "- Vornholt item\n"
        "1. The first Vornholt crossing leaves at dawn.\n"
        "-# Vornholt small print"
    ),
    "chess-club.txt": (
        "Chess club wins county cup\n\n"
        "The Pellingford chess club won the county cup on Sunday after a tie-break game that "
        "lasted four hours. Their youngest player, aged eleven, drew against the defending "
        "champion.\n\n"
        "The club meets every Wednesday evening in the library annex and welcomes beginners."
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ApiServer:
    url: str
    home: Path
    process: subprocess.Popen[bytes]

    def index_version(self) -> str | None:
        version: str | None = httpx.get(f"{self.url}/index").json()["version"]
        return version


def _articleqa(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [str(ARTICLEQA), *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"articleqa serve exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError("articleqa serve did not become healthy")


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """``articleqa serve`` after ``articleqa add`` + ``articleqa index`` on a small corpus."""
    root = tmp_path_factory.mktemp("bot-api")
    articles = root / "articles"
    articles.mkdir()
    for name, text in CORPUS.items():
        (articles / name).write_text(text, encoding="utf-8")
    home = root / "home"
    env = {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "ARTICLEQA_API_TOKEN": API_TOKEN,
        "ARTICLEQA_RELOAD_INTERVAL_S": "0.2",
        # /article add url: fetches a page served by the Discord stand-in on loopback.
        "ARTICLEQA_ALLOW_PRIVATE_URLS": "true",
        "HF_HUB_OFFLINE": "1",
    }
    _articleqa(env, "add", *sorted(str(path) for path in articles.iterdir()))
    _articleqa(env, "index")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(ARTICLEQA), "serve", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    try:
        _wait_healthy(url, process)
        yield ApiServer(url=url, home=home, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one scenario on a fresh event loop (pytest-asyncio is not a dependency)."""

    async def bounded() -> T:
        async with asyncio.timeout(SCENARIO_TIMEOUT_S):
            return await coro

    return asyncio.run(bounded())


def bot_settings(api_url: str, standin: FakeDiscord, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {
        "discord_token": "standin-discord-token",
        "api_url": api_url,
        "api_token": API_TOKEN,
        "guild_id": int(standin.guild_id),
        "user_cooldown_s": 0,
        "guild_rate_per_minute": 0,
        "reindex_poll_s": 0.1,
        "request_timeout_s": 10,
        # Notices under @mentions delete themselves; tests wait for that, not for a clock.
        "notice_ttl_s": 0.05,
    }
    values.update(overrides)
    return BotSettings(**values, _env_file=None)  # type: ignore[call-arg]


def allows_nothing(allowed_mentions: dict[str, Any] | None) -> bool:
    """Discord's reading of allowed_mentions: parse nothing, list nobody, don't ping replies."""
    return (
        allowed_mentions is not None
        and allowed_mentions.get("parse") == []
        and not allowed_mentions.get("users")
        and not allowed_mentions.get("roles")
        and not allowed_mentions.get("replied_user", False)
    )


def assert_no_mentions_anywhere(standin: FakeDiscord) -> None:
    """Every message-bearing payload the bot sent must forbid every ping, and pinged nobody."""
    checked = 0
    for record in standin.requests:
        body = record.json
        if record.method not in ("POST", "PATCH") or not isinstance(body, dict):
            continue
        if record.path.endswith("/callback"):
            body = body.get("data") or {}
            if not body:
                continue  # a bare deferral carries no message
        if not ({"content", "embeds"} & body.keys()):
            continue
        assert allows_nothing(body.get("allowed_mentions")), (record.path, body)
        assert pings(body) == set(), (record.path, body)
        checked += 1
    assert checked, "the bot sent no message at all"


def assert_deferrals_private(standin: FakeDiscord) -> None:
    """A public "thinking…" would show the channel every question, and the first follow-up
    (an error, say) would inherit its visibility: the bot defers only privately."""
    for record in standin.requests_to("POST", r"/interactions/\d+/[^/]+/callback"):
        if record.json.get("type") == 5:
            flags = (record.json.get("data") or {}).get("flags") or 0
            assert flags & EPHEMERAL, record.json


@contextlib.asynccontextmanager
async def discord_with_bot(
    api_url: str,
    *,
    extra_guilds: int = 0,
    overrides_for: Callable[[FakeDiscord], dict[str, Any]] | None = None,
    **overrides: Any,
) -> AsyncIterator[tuple[FakeDiscord, ArticleQABot]]:
    """The stand-in, and the real bot logged in to it; the bot is closed before the stand-in.
    ``extra_guilds`` more servers (``standin.other_guilds``); ``overrides_for`` gives settings
    that name the stand-in's ids."""
    async with FakeDiscord() as standin:
        for _ in range(extra_guilds):
            standin.add_guild()
        if overrides_for is not None:
            overrides = {**overrides, **overrides_for(standin)}
        bot = create_bot(bot_settings(api_url, standin, **overrides), guild_ready_timeout=0.1)
        async with running_bot(bot):
            yield standin, bot
        assert_no_mentions_anywhere(standin)
        assert_deferrals_private(standin)
