"""The bot object, its settings, its error sentences and its entry point."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys

import discord
import pytest
from discord import app_commands
from discord.ext import commands
from pydantic import ValidationError

from articleqa_bot import BotSettings, create_bot
from articleqa_bot.__main__ import run_bot, startup_problem
from articleqa_bot.bot import UNEXPECTED, friendly_error
from articleqa_bot.cogs.ask import AnswerButton
from articleqa_bot.errors import ApiError, ApiUnavailable, NotAdmin, RateLimited

from .conftest import bot_settings, run
from .standin import FakeDiscord, running_bot


def settings(**values: object) -> BotSettings:
    values.setdefault("discord_token", "a-real-looking-token")
    return BotSettings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEQA_BOT_DISCORD_TOKEN", "tok-123")
    monkeypatch.setenv("ARTICLEQA_BOT_API_URL", "http://api:8000/")
    monkeypatch.setenv("ARTICLEQA_BOT_ADMIN_ROLE_IDS", "11, 22")
    monkeypatch.setenv("ARTICLEQA_BOT_GUILD_ID", "33")
    monkeypatch.setenv("ARTICLEQA_BOT_API_TOKEN", "")
    loaded = BotSettings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.discord_token.get_secret_value() == "tok-123"
    assert loaded.api_url == "http://api:8000"
    assert loaded.admin_role_ids == [11, 22]
    assert loaded.guild_id == 33
    assert loaded.api_token is None
    monkeypatch.setenv("ARTICLEQA_BOT_ADMIN_ROLE_IDS", "[44]")
    assert BotSettings(_env_file=None).admin_role_ids == [44]  # type: ignore[call-arg]


@pytest.mark.parametrize("token", ["", "changeme", "token"])
def test_placeholder_or_missing_token_is_refused(token: str) -> None:
    with pytest.raises(ValidationError):
        settings(discord_token=token)


def test_bot_forbids_mentions_and_asks_only_the_intents_it_needs() -> None:
    bot = create_bot(settings())
    assert bot.allowed_mentions is not None
    assert bot.allowed_mentions.to_dict() == {"parse": []}
    assert bot.intents.guilds and bot.intents.guild_messages
    assert bot.intents.message_content and not bot.intents.members
    assert not create_bot(settings(message_content_intent=False)).intents.message_content
    assert not create_bot(settings(answer_mentions=False)).intents.message_content


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ApiUnavailable("down"), "can't reach the articles service"),
        (NotAdmin(), "Manage Server"),
        (RateLimited(2.2, per_guild=False), "try again in 3 seconds"),
        (ApiError(404, "not_found", "no article abc"), "The articles service said: no article abc"),
        (app_commands.NoPrivateMessage(), "only works in a server"),
        (ValueError("boom"), UNEXPECTED),
    ],
)
def test_friendly_error_sentences(error: BaseException, expected: str) -> None:
    assert expected in friendly_error(error)


@app_commands.command()
async def probe(interaction: discord.Interaction) -> None:
    """A command to wrap errors in, as discord.py does."""


def test_wrapped_errors_are_explained_by_their_original() -> None:
    wrapped = app_commands.CommandInvokeError(probe, ApiUnavailable("down"))
    assert "can't reach the articles service" in friendly_error(wrapped)
    assert "Manage Server" in friendly_error(commands.CommandInvokeError(NotAdmin()))


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLEQA_BOT_")}
    return subprocess.run(
        [sys.executable, *code.split("\0")],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_bot_never_imports_the_retrieval_stack() -> None:
    code = (
        "-c\0import sys, articleqa_bot.__main__, articleqa_bot.cogs.ask, "
        "articleqa_bot.cogs.sources, articleqa_bot.cogs.admin\n"
        "bad = [m for m in ('articleqa', 'torch', 'faiss', 'sentence_transformers') "
        "if m in sys.modules]\nassert not bad, bad"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr


def test_entry_point_explains_missing_settings(tmp_path: object) -> None:
    result = _python("-m\0articleqa_bot", ARTICLEQA_BOT_API_URL="ftp://nope")
    assert result.returncode == 2
    assert "ARTICLEQA_BOT_DISCORD_TOKEN" in result.stderr
    assert "ARTICLEQA_BOT_API_URL" in result.stderr


@pytest.mark.parametrize(
    ("problem", "advice"),
    [
        ("reject_token", "Discord rejected the token"),
        ("refuse_message_content", "ARTICLEQA_BOT_MESSAGE_CONTENT_INTENT=false"),
    ],
)
def test_startup_failures_are_explained(problem: str, advice: str) -> None:
    async def scenario() -> BaseException:
        async with FakeDiscord(
            reject_token=problem == "reject_token",
            refuse_message_content=problem == "refuse_message_content",
        ) as standin:
            with pytest.raises((discord.LoginFailure, discord.PrivilegedIntentsRequired)) as caught:
                await run_bot(bot_settings("http://127.0.0.1:9", standin), guild_ready_timeout=0.1)
            return caught.value

    error = run(scenario())
    explained = startup_problem(error)
    assert explained is not None and advice in explained


def test_without_message_content_the_bot_connects_where_discord_refuses_it() -> None:
    async def scenario() -> bool:
        async with FakeDiscord(refuse_message_content=True) as standin:
            settings = bot_settings("http://127.0.0.1:9", standin, message_content_intent=False)
            bot = create_bot(settings, guild_ready_timeout=0.1)
            async with running_bot(bot):
                return bot.is_ready()

    assert run(scenario())


def test_sigterm_logs_out_cleanly() -> None:
    async def scenario() -> bool:
        async with FakeDiscord() as standin:
            settings = bot_settings("http://127.0.0.1:9", standin)
            bot_task = asyncio.create_task(run_bot(settings, guild_ready_timeout=0.1))
            await standin.identified.wait()
            os.kill(os.getpid(), signal.SIGTERM)
            await bot_task  # returns instead of raising: the signal was the bot's to handle
            return standin.gateway_connections == 0

    assert run(scenario())


def test_answer_buttons_carry_their_date_filter_in_the_custom_id() -> None:
    button = AnswerButton("more", dt.date(2024, 5, 31))
    assert button.custom_id == "aqa:more:2024-05-31"
    match = AnswerButton.__discord_ui_compiled_template__.fullmatch(button.custom_id)
    assert match is not None and match["action"] == "more" and match["since"] == "2024-05-31"
    assert AnswerButton.__discord_ui_compiled_template__.fullmatch("aqa:up") is not None
    assert AnswerButton.__discord_ui_compiled_template__.fullmatch("aqa:drop") is None


def test_answer_buttons_carry_how_many_quotes_the_answer_shows() -> None:
    """Cards group quotes by article, so after a restart the count can't be read off the
    number of embeds; buttons sent before the count was in their id still match."""
    template = AnswerButton.__discord_ui_compiled_template__
    button = AnswerButton("more", dt.date(2024, 5, 31), 3)
    assert button.custom_id == "aqa:more:2024-05-31:n3"
    match = template.fullmatch(button.custom_id)
    assert match is not None and match["shown"] == "3" and match["since"] == "2024-05-31"
    assert AnswerButton("up", None, 2).custom_id == "aqa:up:n2"
    legacy = template.fullmatch("aqa:more:2024-05-31")
    assert legacy is not None and legacy["shown"] is None


def test_public_url_is_an_optional_http_base() -> None:
    assert settings().public_url is None
    assert settings(public_url="").public_url is None
    assert settings(public_url="https://qa.example.org/").public_url == "https://qa.example.org"
    with pytest.raises(ValidationError, match="public_url"):
        settings(public_url="ftp://qa.example.org")
