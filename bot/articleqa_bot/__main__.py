"""``articleqa-bot`` / ``python -m articleqa_bot``: run the Discord bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any

import discord
from pydantic import ValidationError

from .bot import create_bot
from .config import BotSettings

logger = logging.getLogger("articleqa_bot")


def startup_problem(error: BaseException) -> str | None:
    """What an operator should do about an error that stops the bot from starting."""
    if isinstance(error, discord.LoginFailure):
        return (
            "Discord rejected the token: copy a fresh one from the Developer Portal "
            "(Bot → Reset Token) into ARTICLEQA_BOT_DISCORD_TOKEN."
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return (
            "Discord refused the Message Content intent: enable it in the Developer Portal "
            "(Bot → Privileged Gateway Intents) or set ARTICLEQA_BOT_MESSAGE_CONTENT_INTENT=false."
        )
    return None


async def run_bot(settings: BotSettings, **options: Any) -> None:
    """Log in and serve until the connection ends, or until SIGTERM (``docker stop``), which
    closes the gateway connection and the API client cleanly instead of dying mid-request."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, terminate)
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
        logger.debug("No SIGTERM handler; stop the bot with Ctrl+C")
    try:
        async with create_bot(settings, **options) as bot:
            await bot.start(settings.discord_token.get_secret_value())
    except asyncio.CancelledError:
        if not terminated:
            raise
        logger.info("SIGTERM: the bot has logged out")
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)


def main() -> None:
    level = os.environ.get("ARTICLEQA_BOT_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
    )
    try:
        settings = BotSettings()  # type: ignore[call-arg]
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            logger.error("Setting ARTICLEQA_BOT_%s: %s", field.upper(), error["msg"])
        sys.exit(2)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_bot(settings))
    except (discord.LoginFailure, discord.PrivilegedIntentsRequired) as exc:
        logger.error("%s", startup_problem(exc))
        sys.exit(1)


if __name__ == "__main__":
    main()
