"""Settings for the Discord bot (one class, env prefix ``ARTICLEQA_BOT_``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .places import NAME, PLACE

PLACEHOLDER_SECRETS = {"changeme", "change-me", "changethis", "secret", "token", "your-token-here"}


class BotSettings(BaseSettings):
    """Every knob of the bot; each field is settable as ``ARTICLEQA_BOT_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ARTICLEQA_BOT_", env_file=".env", extra="ignore")

    discord_token: SecretStr = Field(description="The bot token from the Developer Portal.")
    api_url: str = Field(default="http://127.0.0.1:8000", description="Base URL of the API.")
    api_token: SecretStr | None = Field(
        default=None, description="Bearer token for write calls (the API's ARTICLEQA_API_TOKEN)."
    )
    public_url: str | None = Field(
        default=None,
        description="Public base URL of the articleqa web pages: quotes link to their place in "
        "the article there (else to the article's own URL).",
    )
    guild_id: int | None = Field(
        default=None,
        description="Sync commands to this one server (instant) instead of globally (slow).",
    )
    sync_commands: bool = Field(default=True, description="Sync slash commands at startup.")
    # NoDecode: accept "1,2,3" from the environment, not only JSON lists.
    admin_role_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list,
        description="Roles allowed to run admin commands (besides Manage Server).",
    )
    message_content_intent: bool = Field(
        default=True,
        description="Request the privileged Message Content intent (for replies without a ping).",
    )
    answer_mentions: bool = Field(default=True, description="Answer @mentions and replies.")
    answer_in_thread: bool = Field(
        default=False, description="Answer @mentions in a new thread instead of in the channel."
    )
    default_count: int = Field(default=3, ge=1, le=10, description="Quotes per answer.")
    conversation_idle_s: float = Field(
        default=1800.0,
        ge=0,
        description="Seconds after which a thread's or a person's questions in a channel no "
        "longer count as the conversation a follow-up continues (0 = no follow-ups).",
    )
    user_cooldown_s: float = Field(
        default=10.0, ge=0, description="Seconds a user waits between questions (0 = none)."
    )
    guild_rate_per_minute: int = Field(
        default=30, ge=0, description="Questions per server per minute (0 = unlimited)."
    )
    notice_ttl_s: float = Field(
        default=15.0,
        gt=0,
        description="Seconds before a notice under an @mention (error, cooldown) deletes itself.",
    )
    request_timeout_s: float = Field(default=20.0, gt=0, description="API request timeout.")
    view_timeout_s: float = Field(
        default=900.0, gt=0, description="How long /sources paging buttons stay active."
    )
    reindex_poll_s: float = Field(default=2.0, gt=0, description="Rebuild status poll interval.")
    # An interaction token lasts 15 minutes: the bot can't report on a rebuild after that.
    reindex_timeout_s: float = Field(
        default=600.0, gt=0, le=840, description="Give up reporting on a rebuild after this long."
    )
    max_attachment_bytes: int = Field(
        default=5_000_000, ge=1_000, description="Largest attachment /article add accepts."
    )
    sources_page_size: int = Field(
        default=10, ge=1, le=25, description="Articles per /sources page."
    )
    collections: dict[str, str] = Field(
        default_factory=dict,
        description='The collection each server (or channel) asks, as JSON: {"<guild id>": '
        '"name", "<guild id>/<channel id>": "name"}; elsewhere "default".',
    )
    state_path: Path | None = Field(
        default=None,
        description="SQLite file keeping the collections admins chose with /collection set "
        "(unset: kept in memory until a restart).",
    )

    announce_channels: dict[str, int] = Field(
        default_factory=dict,
        description='Announce new articles: {"<collection>": <channel id>} (opt-in per '
        "collection).",
    )
    announce_poll_s: float = Field(
        default=60.0, gt=0, description="How often to check announced collections' index."
    )
    announce_min_interval_s: float = Field(
        default=300.0,
        ge=0,
        description="At most one announcement per collection this often; what arrives "
        "meanwhile is listed in the next one.",
    )

    @field_validator("discord_token")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value().strip()
        if not secret or secret.lower() in PLACEHOLDER_SECRETS:
            raise ValueError("set ARTICLEQA_BOT_DISCORD_TOKEN to the bot token from the portal")
        return value

    @field_validator("api_token")
    @classmethod
    def _empty_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        return value

    @field_validator("admin_role_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("collections")
    @classmethod
    def _places(cls, value: dict[str, str]) -> dict[str, str]:
        for place, name in value.items():
            if not PLACE.fullmatch(place):
                raise ValueError(f"{place!r} is not a server id or <server id>/<channel id>")
            if not NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a collection name")
        return value

    @field_validator("announce_channels")
    @classmethod
    def _announced(cls, value: dict[str, int]) -> dict[str, int]:
        for name in value:
            if not NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a collection name")
        return value

    @field_validator("api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return _http_base_url(value, "api_url")

    @field_validator("public_url")
    @classmethod
    def _optional_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return _http_base_url(value.strip(), "public_url")


def _http_base_url(value: str, name: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{name} must start with http:// or https://")
    return value.rstrip("/")
