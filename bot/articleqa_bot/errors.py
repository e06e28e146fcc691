"""Typed errors the bot's edges (command tree, views, @mention handler) turn into replies."""

from __future__ import annotations

import math

from discord import app_commands


class BotError(Exception):
    """An expected failure with a message fit to show a Discord user."""

    def user_message(self) -> str:
        return str(self) or "Something went wrong."


class ApiUnavailable(BotError):
    """The API could not be reached, timed out, or answered with a gateway error."""

    def user_message(self) -> str:
        return (
            "I can't reach the articles service right now. "
            "Please try again in a minute — I'll still be here."
        )


class ApiError(BotError):
    """The API answered with its error shape ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def user_message(self) -> str:
        if self.status in (401, 403):
            return (
                "The articles service refused the bot's credentials "
                "(check ARTICLEQA_BOT_API_TOKEN against the API's ARTICLEQA_API_TOKEN)."
            )
        if self.status == 503:
            return f"The articles service isn't ready: {self.message}"
        return f"The articles service said: {self.message}"


class InvalidInput(BotError):
    """The user's input can't be sent as is (bad date, wrong file type, ...)."""


class MissingApiToken(BotError):
    def user_message(self) -> str:
        return (
            "This bot has no API token configured (ARTICLEQA_BOT_API_TOKEN), so it can't do that."
        )


class NotAdmin(app_commands.CheckFailure, BotError):
    def user_message(self) -> str:
        return "Only people with the Manage Server permission or an admin role can do that."


class RateLimited(app_commands.CheckFailure, BotError):
    """A per-user cooldown or a per-server rate limit refused a question."""

    def __init__(self, retry_after: float, *, per_guild: bool) -> None:
        super().__init__(f"rate limited for {retry_after:.1f}s (guild={per_guild})")
        self.retry_after = retry_after
        self.per_guild = per_guild

    def user_message(self) -> str:
        seconds = max(1, math.ceil(self.retry_after))
        unit = "second" if seconds == 1 else "seconds"
        if self.per_guild:
            return (
                "This server has asked a lot of questions in the last minute. "
                f"Please try again in {seconds} {unit}."
            )
        return f"You're asking a little fast — please try again in {seconds} {unit}."
