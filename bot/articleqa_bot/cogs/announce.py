"""Announcements: when a collection's index gains articles, one message lists them.

Opt-in per collection (``ARTICLEQA_BOT_ANNOUNCE_CHANNELS``: collection -> channel id). The bot
polls ``GET /index?collection=...`` every ``ANNOUNCE_POLL_S``; when the served version
changed, ``GET /index/changes`` gives the articles it holds that the last announced version
did not, and one message lists their titles, linked, pinging nobody. At most one message per
collection every ``ANNOUNCE_MIN_INTERVAL_S``: versions published meanwhile are listed together
in the next one, so a bulk import is one summary. A version without new articles (a removal, a
re-index) posts nothing. The first poll after a start only notes the version served: what was
published while the bot was away is not announced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from urllib.parse import quote

import discord
from discord.ext import commands

from ..bot import NO_MENTIONS, ArticleQABot
from ..errors import BotError
from ..models import ArticleRef
from ..places import DEFAULT
from ..render import CONTENT_LIMIT, ELLIPSIS, escape, link, truncate

logger = logging.getLogger(__name__)

HEADING = "**New articles**"
TITLE_CHARS = 200


def announcement(
    collection: str, added: Sequence[ArticleRef], *, public_url: str | None = None
) -> str:
    """One message listing ``added``'s titles, each linked (to the web page's view of the
    article when there is a public URL, else to its own URL), within Discord's limit."""
    where = "" if collection == DEFAULT else f" in `{escape(collection)}`"
    lines = [f"{HEADING}{where}:"]
    length = len(lines[0])
    for shown, article in enumerate(added):
        target = (
            f"{public_url}/articles/{quote(article.id, safe='')}/view"
            if public_url
            else article.url
        )
        line = f"- {link(truncate(article.title, TITLE_CHARS), target)}"
        rest = len(added) - shown
        more = f"{ELLIPSIS} and {rest} more"
        # Keep room for the "and N more" line unless this is the last title.
        reserve = 0 if rest == 1 else len(more) + 1
        if length + 1 + len(line) + reserve > CONTENT_LIMIT:
            lines.append(more)
            break
        lines.append(line)
        length += 1 + len(line)
    return "\n".join(lines)


class Announcer(commands.Cog):
    """Polls the announced collections and posts what each new version added."""

    def __init__(self, bot: ArticleQABot, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self.clock = clock
        # Per collection: the version last announced (or noted at start), and when.
        self.seen: dict[str, str] = {}
        self.posted_at: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        if self.bot.settings.announce_channels:
            self._task = asyncio.create_task(self._poll(), name="articleqa-announcements")

    async def cog_unload(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _poll(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            for collection, channel_id in self.bot.settings.announce_channels.items():
                try:
                    await self.check(collection, channel_id)
                except BotError as exc:
                    logger.warning("announcements of %s: %s", collection, exc)
                except discord.HTTPException as exc:
                    logger.warning("announcing in channel %s failed: %s", channel_id, exc)
                except Exception:  # one failed poll must not stop the next ones
                    logger.exception("announcements of %s failed", collection)
            await asyncio.sleep(self.bot.settings.announce_poll_s)

    async def check(self, collection: str, channel_id: int) -> discord.Message | None:
        """Post what ``collection``'s served version added since the last one announced, if
        anything and if the last message is old enough; the message posted, if any."""
        info = await self.bot.api.index_info(collection=collection)
        if info.version is None:
            return None
        seen = self.seen.get(collection)
        if seen is None:
            self.seen[collection] = info.version
            return None
        if info.version == seen:
            return None
        last = self.posted_at.get(collection)
        if last is not None and self.clock() - last < self.bot.settings.announce_min_interval_s:
            return None  # listed with whatever else arrives, once the interval has passed
        changes = await self.bot.api.index_changes(seen, collection=collection)
        self.seen[collection] = changes.version or info.version
        if not changes.added:
            return None
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            logger.warning("announcement channel %s cannot take messages", channel_id)
            return None
        message = await channel.send(
            announcement(collection, changes.added, public_url=self.bot.settings.public_url),
            allowed_mentions=NO_MENTIONS,
            suppress_embeds=True,
        )
        self.posted_at[collection] = self.clock()
        logger.info(
            "announced %d new articles of %s (version %s)",
            len(changes.added),
            collection,
            changes.version,
        )
        return message


async def setup(bot: ArticleQABot) -> None:
    await bot.add_cog(Announcer(bot))
