"""Discord bot for articleqa: a thin client of the articleqa HTTP API."""

from __future__ import annotations

from .bot import ArticleQABot, create_bot
from .config import BotSettings

__all__ = ["ArticleQABot", "BotSettings", "create_bot"]
