"""Asking: ``/ask``, @mentions and replies to the bot, and the buttons under each answer."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from ..bot import NO_MENTIONS, ArticleQABot, parse_date, publish, reply_privately
from ..conversations import Conversations
from ..errors import ApiUnavailable, InvalidInput
from ..models import Answer
from ..places import DEFAULT
from ..render import (
    CONTENT_LIMIT,
    QUESTION_PREFIX,
    answer_embeds,
    escape,
    no_answer_embed,
    question_content,
    quote_cards,
    truncate,
    unescape,
)

logger = logging.getLogger(__name__)

MAX_QUOTES = 10
THREAD_NAME_LIMIT = 100
NO_ANSWER = "I couldn't find an answer to that in the articles."
NO_ANSWER_REACTION = "🤷"
HINT_REACTION = "❓"


# Answers remembered for their buttons; older ones are rebuilt from the message when clicked.
REMEMBERED_ANSWERS = 2000


@dataclass
class AnswerState:
    """What the buttons under one answer need: the question and the quotes it showed."""

    question: str
    passage_ids: list[str]
    since: dt.date | None
    context: list[str] = field(default_factory=list)  # the questions it followed up on
    collection: str = DEFAULT  # the collection it was asked of
    shown_by_user: dict[int, list[str]] = field(default_factory=dict)
    voters: set[int] = field(default_factory=set)

    def shown(self, user_id: int) -> list[str]:
        return self.shown_by_user.setdefault(user_id, list(self.passage_ids))


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"aqa:(?P<action>more|up|down)(?::(?P<since>\d{4}-\d{2}-\d{2}))?(?::n(?P<shown>\d+))?",
):
    """A button under an answer. Its custom id carries all it needs besides the message (the
    date filter, how many quotes the answer shows), so it keeps working after the bot restarts
    (discord.py routes it by the id's pattern)."""

    LOOKS: ClassVar[dict[str, tuple[str, discord.ButtonStyle, str]]] = {
        "more": ("More quotes", discord.ButtonStyle.primary, "📖"),
        "up": ("Helpful", discord.ButtonStyle.success, "👍"),
        "down": ("Not helpful", discord.ButtonStyle.secondary, "👎"),
    }

    def __init__(self, action: str, since: dt.date | None = None, shown: int | None = None) -> None:
        label, style, emoji = self.LOOKS[action]
        custom_id = f"aqa:{action}" + (f":{since.isoformat()}" if since else "")
        custom_id += f":n{shown}" if shown else ""
        super().__init__(
            discord.ui.Button(label=label, style=style, emoji=emoji, custom_id=custom_id)
        )
        self.action = action
        self.since = since
        self.shown = shown

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> AnswerButton:
        since, shown = match["since"], match["shown"]
        return cls(
            match["action"],
            dt.date.fromisoformat(since) if since else None,
            int(shown) if shown else None,
        )

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = interaction.client
        assert isinstance(bot, ArticleQABot)
        cog = bot.get_cog(Ask.__cog_name__)
        try:
            if not isinstance(cog, Ask) or interaction.message is None:
                raise InvalidInput("These buttons no longer work; please ask again.")
            await cog.press(interaction, interaction.message, self)
        except Exception as exc:
            # Dynamic items have no view of ours to route errors: report them here.
            await bot.report_interaction_error(interaction, exc)


def answer_view(since: dt.date | None, *, shown: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for action in ("more", "up", "down") if shown < MAX_QUOTES else ("up", "down"):
        view.add_item(AnswerButton(action, since, shown))
    return view


class Ask(commands.Cog):
    def __init__(self, bot: ArticleQABot) -> None:
        self.bot = bot
        self._answers: OrderedDict[int, AnswerState] = OrderedDict()
        self.conversations = Conversations(bot.settings.conversation_idle_s)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AnswerButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AnswerButton)

    def _remember(
        self,
        message: discord.Message,
        answer: Answer,
        since: dt.date | None,
        context: list[str] | None = None,
        collection: str = DEFAULT,
    ) -> None:
        self._answers[message.id] = AnswerState(
            question=answer.question,
            passage_ids=[q.passage_id for q in answer.quotes],
            since=since,
            context=context or [],
            collection=collection,
        )
        while len(self._answers) > REMEMBERED_ANSWERS:
            self._answers.popitem(last=False)

    async def _state(
        self, message: discord.Message, since: dt.date | None, shown: int | None
    ) -> AnswerState:
        """The answer under ``message``: remembered, or rebuilt from the message after a
        restart (the question is its content, the quotes are asked for again)."""
        state = self._answers.get(message.id)
        if state is not None:
            self._answers.move_to_end(message.id)
            return state
        if not message.content.startswith(QUESTION_PREFIX) or not message.embeds:
            raise InvalidInput("I can't tell which question this answer was for; please ask again.")
        # The question is the content's first line (a follow-up's assumption line follows).
        question = unescape(message.content[len(QUESTION_PREFIX) :].split("\n", 1)[0])
        # Buttons from before the count was in their id had one embed per quote.
        collection = self.bot.collection_at(
            message.guild.id if message.guild else None, message.channel.id, message.channel
        )
        answer = await self.bot.api.ask(
            question, k=shown or len(message.embeds), since=since, collection=collection
        )
        self._remember(message, answer, since, collection=collection)
        return self._answers[message.id]

    async def press(
        self, interaction: discord.Interaction[Any], message: discord.Message, button: AnswerButton
    ) -> None:
        if button.action == "more":
            await interaction.response.defer(ephemeral=True, thinking=True)
        state = await self._state(message, button.since, button.shown)
        if button.action == "more":
            await self._more_quotes(interaction, state)
        else:
            await self._feedback(interaction, state, button.action == "up")

    async def _more_quotes(self, interaction: discord.Interaction[Any], state: AnswerState) -> None:
        shown = state.shown(interaction.user.id)
        if len(shown) >= MAX_QUOTES:
            await interaction.followup.send(
                "That's every quote I can show for this question.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        k = min(MAX_QUOTES, len(shown) + self.bot.settings.default_count)
        answer = await self.bot.api.ask(
            state.question,
            k=k,
            since=state.since,
            context=state.context,
            collection=state.collection,
        )
        fresh = [q for q in answer.quotes if q.passage_id not in shown]
        if not fresh:
            await interaction.followup.send(
                "There are no more quotes for this question.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        embeds = quote_cards(fresh, public_url=self.bot.settings.public_url)
        shown.extend(q.passage_id for q in fresh)
        await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _feedback(
        self, interaction: discord.Interaction[Any], state: AnswerState, helpful: bool
    ) -> None:
        if interaction.user.id in state.voters:
            await interaction.response.send_message(
                "You already rated this answer — thanks!",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        channel = interaction.channel_id
        guild = interaction.guild_id or "dm"
        await self.bot.api.feedback(
            question=state.question,
            passage_ids=state.passage_ids,
            helpful=helpful,
            source=f"discord:{guild}/{channel}",
        )
        state.voters.add(interaction.user.id)
        await interaction.response.send_message(
            "Thanks for the feedback!", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def _ask_api(
        self,
        question: str,
        *,
        user_id: int,
        guild_id: int | None,
        since: dt.date | None,
        k: int,
        context: list[str] | None = None,
        collection: str = DEFAULT,
    ) -> Answer:
        try:
            answer = await self.bot.api.ask(
                question, k=k, since=since, context=context or (), collection=collection
            )
        except ApiUnavailable:
            # The service being down isn't the user's fault: don't make them wait to retry.
            self.bot.limiter.refund(user_id, guild_id)
            raise
        logger.info(
            "Question from user %s in %s: answered=%s, %d quotes, index %s",
            user_id,
            guild_id or "dm",
            answer.answered,
            len(answer.quotes),
            answer.index_version,
        )
        return answer

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
        self.bot.limiter.acquire(interaction.user.id, interaction.guild_id)
        # Private until there is an answer: an outage, a refusal or "no answer" is for the asker
        # alone, and only an answer is posted for the channel (see publish).
        await interaction.response.defer(ephemeral=True, thinking=True)
        key = conversation_key(
            interaction.channel_id, interaction.channel, interaction.user.id, self.conversations
        )
        context = self.conversations.earlier(key)
        collection = self.bot.collection_at(
            interaction.guild_id, interaction.channel_id, interaction.channel
        )
        answer = await self._ask_api(
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            since=since_date,
            k=k,
            context=context,
            collection=collection,
        )
        self.conversations.add(key, question)
        if not answer.answered or not answer.quotes:
            await reply_privately(interaction, embed=no_answer_embed(answer))
            return
        content = answer_content(question, answer)
        public_url = self.bot.settings.public_url
        message = await publish(
            interaction,
            content=content,
            embeds=answer_embeds(answer, public_url=public_url, content_length=len(content)),
            view=answer_view(since_date, shown=len(answer.quotes)),
        )
        self._remember(message, answer, since_date, context, collection)

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
            await self.bot.notify(
                message,
                "Ask me a question after the mention, for example: "
                f"{self.bot.user.mention if self.bot.user else '@me'} who founded the museum?",
                reaction=HINT_REACTION,
            )
            return
        if len(question) > 1000:
            question = question[:1000]
        guild_id = message.guild.id if message.guild else None
        self.bot.limiter.acquire(message.author.id, guild_id)
        key = conversation_key(
            message.channel.id, message.channel, message.author.id, self.conversations
        )
        context = self.conversations.earlier(key)
        collection = self.bot.collection_at(guild_id, message.channel.id, message.channel)
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
                context=context,
                collection=collection,
            )
        self.conversations.add(key, question)
        if not answer.answered or not answer.quotes:
            # Like an error: the asker learns it, the channel is left as it was.
            await self.bot.notify(
                message,
                NO_ANSWER + (f" {answer.message}" if answer.message else ""),
                reaction=NO_ANSWER_REACTION,
            )
            return
        content = answer_content(question, answer)
        embeds = answer_embeds(
            answer, public_url=self.bot.settings.public_url, content_length=len(content)
        )
        destination = await self._destination(message, question)
        kwargs: dict[str, Any] = {
            "content": content,
            "embeds": embeds,
            "allowed_mentions": NO_MENTIONS,
            "view": answer_view(None, shown=len(answer.quotes)),
        }
        if destination is message.channel:
            kwargs["reference"] = message.to_reference(fail_if_not_exists=False)
            kwargs["mention_author"] = False
        sent = await destination.send(**kwargs)
        if isinstance(destination, discord.Thread) and destination is not message.channel:
            # The thread opened for this answer is where its follow-ups will be asked.
            self.conversations.add(thread_key(destination.id), question)
        self._remember(sent, answer, None, context, collection)

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


def thread_key(thread_id: int) -> tuple[str, int]:
    return ("thread", thread_id)


def conversation_key(
    channel_id: int | None, channel: object, user_id: int, known: Conversations
) -> tuple[str, int] | tuple[str, int | None, int]:
    """Whose questions a follow-up continues: everyone's in a thread (a thread is one
    conversation), the asker's own elsewhere (a channel holds many at once).

    A thread the bot opened itself counts even when discord.py has not cached it (it then
    hands over a partial channel that does not say it is a thread)."""
    if channel_id is not None and (
        isinstance(channel, discord.Thread) or thread_key(channel_id) in known
    ):
        return thread_key(channel_id)
    return ("channel", channel_id, user_id)


def answer_content(question: str, answer: Answer) -> str:
    """The question and, for a follow-up, what it was taken to follow up on: the earlier
    question's own words, so the reader sees why these quotes were chosen."""
    content = question_content(question)
    if answer.following_up_on:
        line = f"\n-# Following up on: {escape(' '.join(answer.following_up_on.split()))}"
        content = truncate(content + line, CONTENT_LIMIT)
    return content


async def setup(bot: ArticleQABot) -> None:
    await bot.add_cog(Ask(bot))
