"""Admin commands: add and remove articles, rebuild the index and report when it is live."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from ..bot import NO_MENTIONS, ArticleQABot
from ..errors import ApiError, ApiUnavailable, BotError, InvalidInput, NotAdmin
from ..models import ArticleWrite, RebuildJob
from ..render import escape, truncate

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=Any)

# How many polls in a row may fail before the rebuild report gives up on the API.
POLL_FAILURES_TOLERATED = 5
# After a rebuild succeeds the API swaps the snapshot in within a few seconds.
SWAP_WAIT_S = 30.0
# Discord shows at most 25 autocomplete choices; scan one API page of articles for them.
AUTOCOMPLETE_CHOICES = 25
AUTOCOMPLETE_SCAN = 100


def admin_only() -> Callable[[T], T]:
    def predicate(interaction: discord.Interaction[ArticleQABot]) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.client.is_admin(interaction.user, interaction.permissions):
            raise NotAdmin()
        return True

    return app_commands.check(predicate)


_VERBS = {"created": "Added", "updated": "Updated", "unchanged": "Already had"}
# A file of many articles (JSON, a feed) is summed up by count, with this many titles named.
TITLES_NAMED = 10


def _summary(results: list[ArticleWrite]) -> str:
    def named(result: ArticleWrite) -> str:
        article = result.article
        return f"**{escape(truncate(article.title, 200))}** (`{article.id.replace('`', '')}`)"

    if len(results) == 1:
        text = f"{_VERBS[results[0].status]} {named(results[0])}."
    else:
        counts: Counter[str] = Counter(result.status for result in results)
        tally = ", ".join(
            f"{verb.lower()} {counts[status]}" for status, verb in _VERBS.items() if counts[status]
        )
        listed = ", ".join(named(result) for result in results[:TITLES_NAMED])
        more = f" and {len(results) - TITLES_NAMED} more" if len(results) > TITLES_NAMED else ""
        text = f"{len(results)} articles ({tally}): {listed}{more}."
    if any(result.status != "unchanged" for result in results):
        text += f" Run `/reindex` to make {'it' if len(results) == 1 else 'them'} searchable."
    return text


def _collection(interaction: discord.Interaction[ArticleQABot]) -> str:
    """The collection the admin commands of this server (or channel) act on: only that one."""
    return interaction.client.collection_at(
        interaction.guild_id, interaction.channel_id, interaction.channel
    )


class Admin(commands.Cog):
    article = app_commands.Group(
        name="article", description="Add or remove articles (admins only).", guild_only=True
    )

    def __init__(self, bot: ArticleQABot) -> None:
        self.bot = bot

    @article.command(name="add", description="Add an article from a URL or an attached file.")
    @app_commands.describe(
        url="Web page to fetch (https://...)",
        file="A text, Markdown, HTML, reStructuredText, man page or JSON file",
        title="Title for an attached file (default: the one the file gives)",
    )
    @admin_only()
    async def add(
        self,
        interaction: discord.Interaction[ArticleQABot],
        url: str | None = None,
        file: discord.Attachment | None = None,
        title: app_commands.Range[str, 1, 300] | None = None,
    ) -> None:
        if (url is None) == (file is None):
            raise InvalidInput("Give either `url` or `file` (one of them).")
        if url is not None and not url.startswith(("http://", "https://")):
            raise InvalidInput("`url` must start with http:// or https://.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        collection = _collection(interaction)
        if url is not None:
            results = [await self.bot.api.add_article_url(url, collection=collection)]
        else:
            assert file is not None
            results = await self._add_file(file, title, collection)
        for result in results:
            logger.info(
                "%s by %s: %s %s",
                result.status,
                interaction.user.id,
                result.article.id,
                result.article.title,
            )
        await interaction.followup.send(
            _summary(results), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _add_file(
        self, file: discord.Attachment, title: str | None, collection: str
    ) -> list[ArticleWrite]:
        # The API reads the file as `articleqa add` reads one from disk (its suffix says how,
        # text that is not UTF-8 decoded as the CLI decodes it): the bot only carries bytes.
        limit = self.bot.settings.max_attachment_bytes
        if file.size > limit:
            raise InvalidInput(f"That file is too large (limit {limit // 1000} kB).")
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            raise InvalidInput("I couldn't download that attachment from Discord.") from exc
        return await self.bot.api.add_article_file(
            file.filename, data, title=title, collection=collection
        )

    @article.command(name="remove", description="Remove an article by id (see /sources).")
    @app_commands.describe(article_id="The article's id, as shown by /sources")
    @admin_only()
    async def remove(self, interaction: discord.Interaction[ArticleQABot], article_id: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.api.remove_article(article_id.strip(), collection=_collection(interaction))
        await interaction.followup.send(
            f"Removed `{article_id.strip().replace('`', '')}`. "
            "Run `/reindex` to drop it from answers.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @remove.autocomplete("article_id")
    async def _article_choices(
        self, interaction: discord.Interaction[ArticleQABot], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            page = await self.bot.api.list_articles(
                offset=0, limit=AUTOCOMPLETE_SCAN, collection=_collection(interaction)
            )
        except BotError:
            return []  # autocomplete has no way to show an error; typing the id still works
        needle = current.strip().casefold()
        choices = [
            app_commands.Choice(name=truncate(f"{item.title} ({item.id})", 100), value=item.id)
            for item in page.items
            if needle in item.title.casefold() or needle in item.id.casefold()
        ]
        return choices[:AUTOCOMPLETE_CHOICES]

    @app_commands.command(name="reindex", description="Rebuild the index; I report when it's live.")
    @app_commands.guild_only()
    @admin_only()
    async def reindex(self, interaction: discord.Interaction[ArticleQABot]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        collection = _collection(interaction)
        try:
            job = await self.bot.api.start_rebuild(collection=collection)
        except ApiError as exc:
            if exc.status == 409:
                raise InvalidInput(
                    "A rebuild is already running; run /reindex again once it finishes."
                ) from exc
            raise
        await interaction.followup.send(
            "Rebuilding the index… I'll tell you here when the new version is live.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        await interaction.followup.send(
            await self._wait_live(job, collection), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _wait_live(self, job: RebuildJob, collection: str) -> str:
        settings = self.bot.settings
        deadline = time.monotonic() + settings.reindex_timeout_s
        failures = 0
        while job.status == "running":
            if time.monotonic() > deadline:
                return (
                    f"The rebuild (job `{job.job_id}`) is still running after "
                    f"{settings.reindex_timeout_s:.0f} s; it will go live when it finishes."
                )
            await asyncio.sleep(settings.reindex_poll_s)
            try:
                job = await self.bot.api.rebuild_status(job.job_id)
                failures = 0
            except ApiUnavailable:
                failures += 1
                if failures >= POLL_FAILURES_TOLERATED:
                    raise
        if job.status == "failed":
            return f"The rebuild failed: {escape(truncate(job.error or 'no reason given', 1500))}"
        swap_deadline = time.monotonic() + SWAP_WAIT_S
        info = await self.bot.api.index_info(collection=collection)
        while job.version and info.version != job.version and time.monotonic() < swap_deadline:
            await asyncio.sleep(min(settings.reindex_poll_s, 1.0))
            info = await self.bot.api.index_info(collection=collection)
        version = escape(info.version or job.version or "unknown")
        if job.version and info.version != job.version:
            return (
                f"The rebuild finished (version {escape(job.version)}), "
                f"but the API still serves {version}."
            )
        return (
            f"The new index is live: version {version}, "
            f"{info.articles if info.articles is not None else '?'} articles, "
            f"{info.passages if info.passages is not None else '?'} passages."
        )

    collection = app_commands.Group(
        name="collection",
        description="The collection of articles this server asks (admins set it).",
        guild_only=True,
    )

    @collection.command(name="show", description="Which collection this server asks.")
    async def show_collection(self, interaction: discord.Interaction[ArticleQABot]) -> None:
        await interaction.response.send_message(
            f"This server asks the collection `{_collection(interaction)}`.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @collection.command(name="set", description="Make this server ask another collection.")
    @app_commands.describe(name="The collection's name (lower-case letters, digits, - and _)")
    @admin_only()
    async def set_collection(
        self, interaction: discord.Interaction[ArticleQABot], name: app_commands.Range[str, 1, 64]
    ) -> None:
        assert interaction.guild_id is not None  # admin_only
        self.bot.places.choose(interaction.guild_id, name.strip())
        logger.info("collection of server %s set to %s", interaction.guild_id, name)
        await interaction.response.send_message(
            f"This server now asks the collection `{name.strip()}`; `/article` and `/reindex` "
            "act on it alone.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


async def setup(bot: ArticleQABot) -> None:
    await bot.add_cog(Admin(bot))
