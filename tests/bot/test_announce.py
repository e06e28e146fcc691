"""Announcements: the message (titles linked, escaped, within Discord's limit) and, through
the real bot, the stand-in and the real API, one message per published version that adds
articles, none for a version that adds none, versions within the minimum interval listed
together, and nobody pinged."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from articleqa_bot.cogs.announce import Announcer, announcement
from articleqa_bot.models import ArticleRef

from .conftest import API_TOKEN, ApiServer, discord_with_bot, run
from .standin import SentMessage
from .test_e2e import plain
from .test_limits import Clock
from .test_places import _rebuild

COLLECTION = "gazette"


def _article(title: str, text: str) -> dict[str, str]:
    return {"title": title, "text": text, "collection": COLLECTION}


FIRST = _article(
    "Ferry timetable changes", "The Harrowby ferry timetable changes on 1 June for summer."
)
IMPORT = [
    _article(
        "Notice to @everyone: the [quay] closes",
        "The Harrowby quay closes for repairs from Monday; boats moor at the north jetty.",
    ),
    _article("Harrowby fair returns", "The Harrowby summer fair returns to the green in July."),
]
LATER = [
    _article("Lifeboat crew honoured", "The Harrowby lifeboat crew received medals on Friday."),
    _article("New harbour master named", "Ines Varga becomes the Harrowby harbour master."),
]


def test_the_message_lists_linked_escaped_titles_within_the_limit() -> None:
    added = [
        ArticleRef(id="a1", title="Quay *closes* @everyone", url="https://example.org/quay"),
        ArticleRef(id="a2", title="No link here"),
    ]
    text = announcement("gazette", added)
    assert text.splitlines() == [
        "**New articles** in `gazette`:",
        r"- [Quay \*closes\* \@everyone](https://example.org/quay)",
        "- No link here",
    ]
    viewed = announcement("default", added[1:], public_url="https://qa.example.org")
    assert viewed.splitlines()[1] == "- [No link here](https://qa.example.org/articles/a2/view)"
    many = [ArticleRef(id=f"id{n}", title="Long title " * 15) for n in range(200)]
    cut = announcement("gazette", many)
    assert len(cut) <= 2000
    shown = cut.count("\n- ")
    assert cut.endswith(f"… and {200 - shown} more")


def _lines(message: SentMessage) -> list[str]:
    """What a reader sees of each line of ``message``."""
    return [plain(line) for line in message.payload["content"].splitlines()]


def _channel_messages(messages: list[SentMessage], channel_id: str) -> list[SentMessage]:
    return [m for m in messages if m.kind == "channel" and m.channel_id == channel_id]


def test_each_version_that_adds_articles_is_announced_once(api_server: ApiServer) -> None:
    admin = httpx.Client(
        base_url=api_server.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60
    )

    def publish(articles: list[dict[str, str]], remove: str | None = None) -> str:
        for article in articles:
            assert admin.post("/articles", json=article).status_code in (200, 201)
        if remove is not None:
            assert admin.delete(f"/articles/{remove}").status_code == 200
        return _rebuild(admin, COLLECTION)

    first_id = admin.post("/articles", json=FIRST).json()["article"]["id"]
    baseline = _rebuild(admin, COLLECTION)

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with discord_with_bot(
            api_server.url,
            overrides_for=lambda standin: {
                "announce_channels": {COLLECTION: int(standin.channel_id)}
            },
            # The test drives the checks itself; the bot's own first poll notes the baseline.
            announce_poll_s=3600,
            announce_min_interval_s=600,
        ) as (standin, bot):
            # discord.py loads the extension as a module of its own: the class is another
            # object than the one imported here.
            cog: Any = bot.get_cog(Announcer.__cog_name__)
            assert cog is not None
            while cog.seen.get(COLLECTION) != baseline:
                await asyncio.sleep(0.02)
            clock = Clock()
            cog.clock = clock
            channel = int(standin.channel_id)

            await asyncio.to_thread(publish, IMPORT)  # one version, two new articles
            seen["import"] = await cog.check(COLLECTION, channel)
            seen["again"] = await cog.check(COLLECTION, channel)  # nothing new since

            clock.now += 100  # within the minimum interval: held
            await asyncio.to_thread(publish, LATER[:1])
            seen["held"] = await cog.check(COLLECTION, channel)
            clock.now += 600  # past it: that version and the next in one message
            await asyncio.to_thread(publish, LATER[1:])
            seen["later"] = await cog.check(COLLECTION, channel)

            clock.now += 600
            seen["removal_version"] = await asyncio.to_thread(publish, [], first_id)
            seen["removal"] = await cog.check(COLLECTION, channel)
            seen["seen_after_removal"] = cog.seen[COLLECTION]
            seen["messages"] = _channel_messages(standin.messages, standin.channel_id)
        return seen

    seen = run(scenario())
    admin.close()
    assert seen["again"] is None and seen["held"] is None and seen["removal"] is None
    assert seen["seen_after_removal"] == seen["removal_version"]
    # Nothing else was posted in the channel: one message per version that added articles,
    # the held version listed with the next.
    first, later = seen["messages"]
    assert [first.id, later.id] == [str(seen["import"].id), str(seen["later"].id)]
    assert _lines(first) == [
        "New articles in `gazette`:",
        "Notice to @everyone: the [quay] closes",  # as typed: escaped, no link, no ping
        "Harrowby fair returns",
    ]
    assert _lines(later)[1:] == [a["title"] for a in LATER]
    for message in (first, later):
        assert message.payload["allowed_mentions"]["parse"] == []
