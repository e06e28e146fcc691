"""``/sources``: the indexed articles, a page at a time."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from ..bot import NO_MENTIONS, ArticleQABot, BotView
from ..models import ArticlePage
from ..render import sources_embed


class SourcesPager(BotView):
    def __init__(
        self, bot: ArticleQABot, *, owner_id: int, page: ArticlePage, collection: str
    ) -> None:
        super().__init__(timeout=bot.settings.view_timeout_s)
        self.bot = bot
        self.owner_id = owner_id
        self.collection = collection
        self.page_size = bot.settings.sources_page_size
        self.offset = page.offset
        self.total = page.total
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.offset <= 0
        self.next.disabled = self.offset + self.page_size >= self.total

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "These buttons belong to whoever ran /sources — run it yourself to page through.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        return False

    async def _show(self, interaction: discord.Interaction[Any], offset: int) -> None:
        page = await self.bot.api.list_articles(
            offset=max(0, offset), limit=self.page_size, collection=self.collection
        )
        self.offset, self.total = page.offset, page.total
        self._sync_buttons()
        embed = sources_embed(
            page.items, offset=page.offset, total=page.total, page_size=self.page_size
        )
        await interaction.response.edit_message(
            embed=embed, view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary, emoji="◀️")
    async def previous(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[SourcesPager]
    ) -> None:
        await self._show(interaction, self.offset - self.page_size)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary, emoji="▶️")
    async def next(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[SourcesPager]
    ) -> None:
        await self._show(interaction, self.offset + self.page_size)


class Sources(commands.Cog):
    def __init__(self, bot: ArticleQABot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="List the articles I can quote from.")
    async def sources(self, interaction: discord.Interaction[ArticleQABot]) -> None:
        page_size = self.bot.settings.sources_page_size
        collection = self.bot.collection_at(
            interaction.guild_id, interaction.channel_id, interaction.channel
        )
        page = await self.bot.api.list_articles(offset=0, limit=page_size, collection=collection)
        embed = sources_embed(page.items, offset=0, total=page.total, page_size=page_size)
        if page.total <= page_size:
            await interaction.response.send_message(
                embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        view = SourcesPager(
            self.bot, owner_id=interaction.user.id, page=page, collection=collection
        )
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


async def setup(bot: ArticleQABot) -> None:
    await bot.add_cog(Sources(bot))
