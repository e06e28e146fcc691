"""The bot: a ``commands.Bot`` that owns one API client, loads the cogs and handles errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .api import ApiClient
from .config import BotSettings
from .errors import BotError, InvalidInput, RateLimited
from .limits import QuestionLimiter
from .places import CollectionMap

logger = logging.getLogger(__name__)

EXTENSIONS = (
    "articleqa_bot.cogs.ask",
    "articleqa_bot.cogs.sources",
    "articleqa_bot.cogs.admin",
    "articleqa_bot.cogs.announce",
)

# Sent with every message: quoted "@everyone" or "<@&role>" shows as text and pings nobody.
NO_MENTIONS = discord.AllowedMentions.none()
UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again."
PUBLISHING = "Posting your answer…"
# Reactions that tell someone why their @mention got no answer, beside a note that goes away.
WAIT_REACTION = "⏳"
PROBLEM_REACTION = "⚠️"


def friendly_error(error: BaseException) -> str:
    """The sentence a Discord user sees for ``error`` (wrappers from discord.py unwrapped)."""
    wrappers = (
        app_commands.CommandInvokeError,
        commands.CommandInvokeError,
        commands.HybridCommandError,
    )
    while isinstance(error, wrappers):
        error = error.original
    if isinstance(error, BotError):
        return error.user_message()
    if isinstance(error, app_commands.NoPrivateMessage | commands.NoPrivateMessage):
        return "That only works in a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown | commands.CommandOnCooldown):
        return f"Please wait {error.retry_after:.0f} seconds before trying that again."
    if isinstance(error, app_commands.TransformerError | commands.UserInputError):
        return f"I couldn't understand that input: {error}"
    if isinstance(error, app_commands.BotMissingPermissions | commands.BotMissingPermissions):
        missing = ", ".join(error.missing_permissions)
        return f"I'm missing permissions here: {missing}."
    if isinstance(error, app_commands.CheckFailure | commands.CheckFailure):
        return "You can't use that here."
    if isinstance(error, discord.Forbidden):
        return "Discord didn't let me do that here (missing permissions?)."
    return UNEXPECTED


def _log_error(error: BaseException, where: str) -> None:
    original = getattr(error, "original", error)
    if isinstance(original, BotError | app_commands.CheckFailure | commands.CheckFailure):
        logger.info("%s: %s", where, original)
    else:
        logger.error("%s failed", where, exc_info=original)


class ArticleQATree(app_commands.CommandTree["ArticleQABot"]):
    async def on_error(
        self, interaction: discord.Interaction[ArticleQABot], error: app_commands.AppCommandError
    ) -> None:
        await interaction.client.report_interaction_error(interaction, error)


class ArticleQABot(commands.Bot):
    """articleqa's Discord bot. ``api`` exists between ``setup_hook`` and ``close``."""

    api: ApiClient

    def __init__(self, settings: BotSettings, **options: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = settings.answer_mentions and settings.message_content_intent
        super().__init__(
            # Only @mentions can address the bot outside slash commands; it has no prefix commands
            # of its own, the mention listener in the ask cog answers questions.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            tree_cls=ArticleQATree,
            **options,
        )
        self.settings = settings
        self.limiter = QuestionLimiter(
            user_cooldown_s=settings.user_cooldown_s,
            guild_per_minute=settings.guild_rate_per_minute,
        )
        self._api: ApiClient | None = None
        self.places = CollectionMap(settings.collections, settings.state_path)

    async def setup_hook(self) -> None:
        token = self.settings.api_token.get_secret_value() if self.settings.api_token else None
        self._api = self.api = ApiClient(
            self.settings.api_url, token=token, timeout_s=self.settings.request_timeout_s
        )
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.settings.sync_commands:
            try:
                await self.sync_commands()
            except discord.HTTPException as exc:
                # Stay up: commands synced earlier still work, and so do @mentions.
                logger.error(
                    "Could not sync slash commands (%s). Was the bot invited with the "
                    "applications.commands scope%s?",
                    exc,
                    f" to server {self.settings.guild_id}" if self.settings.guild_id else "",
                )

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        if self.settings.guild_id is not None:
            # Guild commands appear instantly; global ones can take up to an hour to propagate.
            guild = discord.Object(id=self.settings.guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        logger.info("Synced %d application commands", len(synced))
        return synced

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self._api is not None:
                await self._api.aclose()
                self._api = None

    async def on_ready(self) -> None:
        logger.info(
            "Logged in as %s (%s) in %d servers",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
        )

    def collection_at(
        self, guild_id: int | None, channel_id: int | None, channel: object = None
    ) -> str:
        """The collection asked and administered from ``channel_id`` in ``guild_id`` (a
        thread follows its parent channel's entry)."""
        return self.places.for_place(guild_id, channel_id, getattr(channel, "parent_id", None))

    def is_admin(self, member: discord.abc.User, permissions: discord.Permissions) -> bool:
        if permissions.manage_guild or permissions.administrator:
            return True
        if isinstance(member, discord.Member) and self.settings.admin_role_ids:
            wanted = set(self.settings.admin_role_ids)
            return any(role.id in wanted for role in member.roles)
        return False

    async def report_interaction_error(
        self, interaction: discord.Interaction[Any], error: BaseException
    ) -> None:
        """Tell the user what went wrong, privately; never raise."""
        command = interaction.command.qualified_name if interaction.command else "component"
        _log_error(error, f"interaction {command}")
        try:
            await reply_privately(interaction, content=friendly_error(error))
        except discord.HTTPException:
            logger.warning("Could not report an error to the user", exc_info=True)

    async def report_message_error(self, message: discord.Message, error: BaseException) -> None:
        _log_error(error, f"message {message.id}")
        reaction = WAIT_REACTION if isinstance(error, RateLimited) else PROBLEM_REACTION
        await self.notify(message, friendly_error(error), reaction=reaction)

    async def notify(self, message: discord.Message, text: str, *, reaction: str) -> None:
        """Answer an @mention that gets no answer: a reaction on it, and a short reply that
        deletes itself after ``notice_ttl_s``. A message can't be private, but it can leave
        the channel as it was. Never raises."""
        with contextlib.suppress(discord.HTTPException):
            await message.add_reaction(reaction)
        try:
            await message.channel.send(
                text,
                reference=message.to_reference(fail_if_not_exists=False),
                mention_author=False,
                allowed_mentions=NO_MENTIONS,
                delete_after=self.settings.notice_ttl_s,
            )
        except discord.HTTPException:
            logger.warning("Could not send a notice to the user", exc_info=True)

    async def on_command_error(
        self, context: commands.Context[Any], error: commands.CommandError
    ) -> None:
        # A question like "@bot what is X" parses as the unknown command "what": not an error.
        if isinstance(error, commands.CommandNotFound):
            return
        await self.report_message_error(context.message, error)


class BotView(discord.ui.View):
    """A view whose errors go to the bot's one error handler."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        client = interaction.client
        if isinstance(client, ArticleQABot):
            await client.report_interaction_error(interaction, error)
        else:  # pragma: no cover - views are only ever attached by this bot
            await super().on_error(interaction, error, item)


async def reply_privately(interaction: discord.Interaction[Any], **message: Any) -> None:
    """Send ``message`` to the person behind ``interaction`` only.

    Every deferral in this bot is private (``defer(ephemeral=True)``), so a follow-up, which
    Discord shows with the deferral's visibility, is private too.
    """
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, allowed_mentions=NO_MENTIONS, **message)
    else:
        await interaction.response.send_message(
            ephemeral=True, allowed_mentions=NO_MENTIONS, **message
        )


async def publish(interaction: discord.Interaction[Any], **message: Any) -> discord.Message:
    """Post ``message`` for the whole channel in answer to a privately deferred interaction.

    Discord fills the private "thinking…" message with the first follow-up, whatever that
    follow-up's flags, so the placeholder is settled first (privately), the answer follows as
    a public follow-up, and the placeholder is then removed.
    """
    await interaction.edit_original_response(content=PUBLISHING)
    sent = await interaction.followup.send(
        wait=True, ephemeral=False, allowed_mentions=NO_MENTIONS, **message
    )
    with contextlib.suppress(discord.HTTPException):
        await interaction.delete_original_response()
    return sent


def parse_date(value: str | None, *, name: str) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInput(f"`{name}` must be a date like 2024-05-31.") from exc


def create_bot(settings: BotSettings, **options: Any) -> ArticleQABot:
    """Build the bot; ``options`` go to ``commands.Bot`` (e.g. ``guild_ready_timeout``)."""
    return ArticleQABot(settings, **options)
