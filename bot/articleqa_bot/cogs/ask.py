"""Asking: ``/ask``, @mentions and replies to the bot, and the buttons under each answer."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from ..bot import NO_MENTIONS, ArticleQABot, BotView, parse_date
from ..errors import ApiUnavailable
from ..models import Answer, Quote
from ..render import answer_embeds, question_content, quote_embeds, truncate

logger = logging.getLogger(__name__)

MAX_QUOTES = 10
THREAD_NAME_LIMIT = 100


class AnswerView(BotView):
    """Buttons under an answer: more quotes (private to whoever asks) and feedback."""

    def __init__(
        self,
        bot: ArticleQABot,
        *,
        question: str,
        quotes: list[Quote],
        since: dt.date | None,
        source: str,
    ) -> None:
        super().__init__(timeout=bot.settings.view_timeout_s)
        self.bot = bot
        self.question = question
        self.quotes = quotes
        self.since = since
        self.source = source
        self.message: discord.Message | None = None
        self._shown_by_user: dict[int, list[str]] = {}
        self._voters: set[int] = set()
        if len(quotes) >= MAX_QUOTES:
            self.remove_item(self.more_quotes)

    def _shown(self, user_id: int) -> list[str]:
        return self._shown_by_user.setdefault(user_id, [q.passage_id for q in self.quotes])

    @discord.ui.button(label="More quotes", style=discord.ButtonStyle.primary, emoji="📖")
    async def more_quotes(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[AnswerView]
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        shown = self._shown(interaction.user.id)
        if len(shown) >= MAX_QUOTES:
            await interaction.followup.send(
                "That's every quote I can show for this question.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        k = min(MAX_QUOTES, len(shown) + self.bot.settings.default_count)
        answer = await self.bot.api.ask(self.question, k=k, since=self.since)
        fresh = [q for q in answer.quotes if q.passage_id not in shown]
        if not fresh:
            await interaction.followup.send(
                "There are no more quotes for this question.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        embeds = quote_embeds(
            fresh,
            index_version=answer.index_version,
            first_position=len(shown) + 1,
            total=len(shown) + len(fresh),
        )
        shown.extend(q.passage_id for q in fresh)
        await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="Helpful", style=discord.ButtonStyle.success, emoji="👍")
    async def helpful(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[AnswerView]
    ) -> None:
        await self._feedback(interaction, helpful=True)

    @discord.ui.button(label="Not helpful", style=discord.ButtonStyle.secondary, emoji="👎")
    async def not_helpful(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[AnswerView]
    ) -> None:
        await self._feedback(interaction, helpful=False)

    async def _feedback(self, interaction: discord.Interaction[Any], *, helpful: bool) -> None:
        if interaction.user.id in self._voters:
            await interaction.response.send_message(
                "You already rated this answer — thanks!",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        await self.bot.api.feedback(
            question=self.question,
            passage_ids=[q.passage_id for q in self.quotes],
            helpful=helpful,
            source=self.source,
        )
        self._voters.add(interaction.user.id)
        await interaction.response.send_message(
            "Thanks for the feedback!", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None)
        except discord.HTTPException:
            # The message may be gone or the interaction token expired; the buttons just stay inert.
            logger.debug("Could not remove expired buttons", exc_info=True)


def _source(guild: discord.abc.Snowflake | None, channel_id: int | None, kind: str) -> str:
    return f"discord:{kind}:{guild.id if guild else 'dm'}/{channel_id}"


class Ask(commands.Cog):
    def __init__(self, bot: ArticleQABot) -> None:
        self.bot = bot

    async def _ask_api(
        self, question: str, *, user_id: int, guild_id: int | None, since: dt.date | None, k: int
    ) -> Answer:
        try:
            return await self.bot.api.ask(question, k=k, since=since)
        except ApiUnavailable:
            # The service being down isn't the user's fault: don't make them wait to retry.
            self.bot.limiter.refund(user_id, guild_id)
            raise

    def _view(
        self, answer: Answer, question: str, since: dt.date | None, source: str
    ) -> AnswerView | None:
        if not answer.answered or not answer.quotes:
            return None
        return AnswerView(
            self.bot, question=question, quotes=answer.quotes, since=since, source=source
        )

    @app_commands.command(
        name="ask", description="Ask the articles a question; I answer with quotes."
    )
    @app_commands.describe(
        question="Your question, in plain words",
        count="How many quotes to show (1-10)",
        since="Only articles published on or after this date (YYYY-MM-DD)",
    )
    async def ask(
        self,
        interaction: discord.Interaction[ArticleQABot],
        question: app_commands.Range[str, 1, 1000],
        count: app_commands.Range[int, 1, MAX_QUOTES] | None = None,
        since: str | None = None,
    ) -> None:
        since_date = parse_date(since, name="since")
        k = count or self.bot.settings.default_count
        # Checked before deferring so that a refusal can be private.
        self.bot.limiter.acquire(interaction.user.id, interaction.guild_id)
        await interaction.response.defer(thinking=True)
        answer = await self._ask_api(
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            since=since_date,
            k=k,
        )
        content = question_content(question)
        view = self._view(
            answer, question, since_date, _source(interaction.guild, interaction.channel_id, "ask")
        )
        embeds = answer_embeds(answer, content_length=len(content))
        if view is None:
            await interaction.followup.send(
                content=content, embeds=embeds, allowed_mentions=NO_MENTIONS
            )
            return
        view.message = await interaction.followup.send(
            content=content, embeds=embeds, view=view, wait=True, allowed_mentions=NO_MENTIONS
        )

    def question_in(self, message: discord.Message) -> str | None:
        """The question ``message`` puts to the bot, or None when it isn't addressed to it.

        Typing "@bot" in a server often inserts the bot's managed role rather than its user,
        so a mention of that role counts too.
        """
        me = self.bot.user
        if me is None:
            return None
        own_role = message.guild.self_role if message.guild else None
        mentioned = any(user.id == me.id for user in message.mentions) or (
            own_role is not None and own_role in message.role_mentions
        )
        replied = False
        reference = message.reference
        if reference is not None:
            replied_to = reference.resolved or reference.cached_message
            replied = isinstance(replied_to, discord.Message) and replied_to.author.id == me.id
        if not (mentioned or replied):
            return None
        pattern = rf"<@!?{me.id}>"
        if own_role is not None:
            pattern += rf"|<@&{own_role.id}>"
        question = re.sub(pattern, " ", message.content).strip()
        if not question and not mentioned:
            # A reply whose text we can't see (no Message Content intent) is not a question.
            return None
        return question

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not self.bot.settings.answer_mentions or message.author.bot or message.webhook_id:
            return
        question = self.question_in(message)
        if question is None:
            return
        try:
            await self._answer_message(message, question)
        except Exception as exc:
            await self.bot.report_message_error(message, exc)

    async def _answer_message(self, message: discord.Message, question: str) -> None:
        if not question:
            await message.channel.send(
                "Ask me a question after the mention, for example: "
                f"{self.bot.user.mention if self.bot.user else '@me'} who founded the museum?",
                reference=message.to_reference(fail_if_not_exists=False),
                mention_author=False,
                allowed_mentions=NO_MENTIONS,
            )
            return
        if len(question) > 1000:
            question = question[:1000]
        guild_id = message.guild.id if message.guild else None
        self.bot.limiter.acquire(message.author.id, guild_id)
        async with contextlib.AsyncExitStack() as typing:
            try:
                await typing.enter_async_context(message.channel.typing())
            except discord.HTTPException:
                # The typing indicator is a nicety; a channel that refuses it still gets answered.
                logger.debug("No typing indicator in %s", message.channel.id, exc_info=True)
            answer = await self._ask_api(
                question,
                user_id=message.author.id,
                guild_id=guild_id,
                since=None,
                k=self.bot.settings.default_count,
            )
        content = question_content(question)
        embeds = answer_embeds(answer, content_length=len(content))
        view = self._view(
            answer, question, None, _source(message.guild, message.channel.id, "mention")
        )
        destination = await self._destination(message, question)
        kwargs: dict[str, Any] = {
            "content": content,
            "embeds": embeds,
            "allowed_mentions": NO_MENTIONS,
        }
        if view is not None:
            kwargs["view"] = view
        if destination is message.channel:
            kwargs["reference"] = message.to_reference(fail_if_not_exists=False)
            kwargs["mention_author"] = False
        sent = await destination.send(**kwargs)
        if view is not None:
            view.message = sent

    async def _destination(
        self, message: discord.Message, question: str
    ) -> discord.abc.Messageable:
        channel = message.channel
        if not self.bot.settings.answer_in_thread or not isinstance(channel, discord.TextChannel):
            return channel
        try:
            return await message.create_thread(
                name=truncate(" ".join(question.split()), THREAD_NAME_LIMIT)
            )
        except discord.HTTPException:
            logger.warning("Could not open a thread in #%s; answering in place", channel.id)
            return channel


async def setup(bot: ArticleQABot) -> None:
    await bot.add_cog(Ask(bot))
