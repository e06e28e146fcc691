"""Servers to collections: the map (settings, an admin's choice, persistence), and through the
real bot, the stand-in and the real API, two servers mapped to two collections never see each
other's articles, and an admin of one cannot add to, remove from or rebuild the other's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from articleqa_bot.errors import InvalidInput
from articleqa_bot.places import DEFAULT, CollectionMap

from .conftest import API_TOKEN, ApiServer, discord_with_bot, run
from .standin import FakeDiscord, Interaction, SentMessage
from .test_e2e import (
    ALICE,
    ATTACHMENT,
    BOB,
    LIVE,
    SUBCOMMAND,
    ask_options,
    option,
    plain,
)

GUILD_A, GUILD_B = 111, 222


def test_a_channel_entry_wins_then_the_admins_choice_then_the_server_entry() -> None:
    places = CollectionMap({"111": "news", "111/5": "sport"})
    assert places.for_place(GUILD_A, 5) == "sport"
    assert places.for_place(GUILD_A, 9, parent_id=5) == "sport"  # a thread of channel 5
    assert places.for_place(GUILD_A, 6) == "news"
    assert places.for_place(GUILD_B, 6) == DEFAULT
    assert places.for_place(None, 6) == DEFAULT  # a direct message
    places.choose(GUILD_A, "newsroom")
    assert places.for_place(GUILD_A, 6) == "newsroom"
    assert places.for_place(GUILD_A, 5) == "sport"


def test_an_admin_cannot_choose_another_servers_collection_or_default() -> None:
    places = CollectionMap({"111": "news", "333/7": "sport"})
    places.choose(GUILD_B, "club")
    for name in ("news", "sport", "club"):
        with pytest.raises(InvalidInput, match="belongs to another server"):
            places.choose(999, name)
    with pytest.raises(InvalidInput, match="shared by every server"):
        places.choose(GUILD_B, DEFAULT)
    with pytest.raises(InvalidInput, match="lower-case letters"):
        places.choose(GUILD_B, "Not A Name")
    places.choose(GUILD_A, "news")  # its own, again


def test_choices_outlive_a_restart_with_a_state_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite"
    CollectionMap({}, path).choose(GUILD_A, "newsroom")
    assert CollectionMap({}, path).for_place(GUILD_A, 1) == "newsroom"
    assert CollectionMap({}).for_place(GUILD_A, 1) == DEFAULT  # in memory: forgotten


NEWSROOM = {
    "title": "Quillmere dredger clears the harbour mouth",
    "text": "The Quillmere dredger cleared the harbour mouth on Monday, removing 9,000 tonnes "
    "of silt so that the ferries can sail at low tide again.",
    "collection": "newsroom",
}
BOOKCLUB = {
    "title": "Book club reads Wendelmoor Letters",
    "text": "The Alder Street book club chose the Wendelmoor Letters for March; the novel "
    "follows two sisters writing across the Wendelmoor marshes for forty years.",
    "collection": "bookclub",
}
DREDGER = "What did the Quillmere dredger clear?"
LETTERS = "Which Wendelmoor novel did the book club choose?"


def _rebuild(api: httpx.Client, collection: str) -> str:
    job = api.post("/index/rebuild", params={"collection": collection}).json()
    while job["status"] == "running":
        job = api.get(f"/index/rebuild/{job['job_id']}").json()
    assert job["status"] == "succeeded", job
    version: str = job["version"]
    return version


async def _cards(standin: FakeDiscord, interaction: Interaction) -> set[str]:
    """The titles of the cards the bot answered ``interaction`` with: the quoted articles'
    (public) or the no-answer card's (private)."""
    message: SentMessage = await standin.wait_for_message(
        lambda m: interaction.token in m.payload.get("_tokens", ()) and bool(m.payload["embeds"])
    )
    return {embed.get("title", "") for embed in message.payload["embeds"]}


async def _said(standin: FakeDiscord, interaction: Interaction) -> str:
    return plain((await standin.reply_to(interaction)).payload["content"])


def _sub(name: str, *options: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": SUBCOMMAND, "name": name, "options": list(options)}]


GANNETS = (
    b"Gannet census on Skerrow\n\nVolunteers counted 4,100 gannet nests on Skerrow island, "
    b"the most since the census began."
)


def test_two_servers_two_collections(api_server: ApiServer) -> None:
    admin = httpx.Client(
        base_url=api_server.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60
    )
    ids = {}
    for article in (NEWSROOM, BOOKCLUB):
        added = admin.post("/articles", json=article)
        assert added.status_code in (200, 201), added.text
        ids[article["collection"]] = added.json()["article"]["id"]
    _rebuild(admin, "newsroom")
    bookclub_version = _rebuild(admin, "bookclub")

    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        async with discord_with_bot(
            api_server.url,
            extra_guilds=1,
            # Server A asks newsroom by the settings; server B's admin picks bookclub.
            overrides_for=lambda standin: {"collections": {standin.guild_id: "newsroom"}},
        ) as (standin, _bot):
            guild_b = standin.other_guilds[0]
            pick = await standin.slash(
                "collection",
                _sub("set", option("name", "bookclub")),
                user=BOB,
                admin=True,
                guild=guild_b,
            )
            seen["b_picks"] = await _said(standin, pick)
            take = await standin.slash(
                "collection", _sub("set", option("name", "bookclub")), user=ALICE, admin=True
            )
            seen["a_takes_b"] = await _said(standin, take)
            for key, question, guild in (
                ("a_dredger", DREDGER, None),
                ("a_letters", LETTERS, None),
                ("b_letters", LETTERS, guild_b),
                ("b_dredger", DREDGER, guild_b),
            ):
                asked = await standin.slash("ask", ask_options(question), user=ALICE, guild=guild)
                seen[key] = await _cards(standin, asked)
            sources = await standin.slash("sources", user=ALICE)
            listed = await standin.wait_for_message(
                lambda m: (
                    sources.token in m.payload.get("_tokens", ()) and bool(m.payload["embeds"])
                )
            )
            seen["a_sources"] = plain(listed.payload["embeds"][0]["description"])

            # Server A's admin: adds (to newsroom), cannot remove bookclub's article, and
            # rebuilds newsroom alone.
            attachment = standin.add_attachment("gannets.txt", GANNETS, "text/plain")
            add = await standin.slash(
                "article",
                _sub("add", option("file", attachment["id"], ATTACHMENT)),
                user=ALICE,
                admin=True,
                resolved={"attachments": {attachment["id"]: attachment}},
            )
            seen["a_adds"] = await _said(standin, add)
            remove = await standin.slash(
                "article",
                _sub("remove", option("article_id", ids["bookclub"])),
                user=ALICE,
                admin=True,
            )
            seen["a_removes_b"] = await _said(standin, remove)
            reindex = await standin.slash("reindex", user=ALICE, admin=True)
            await standin.wait_for(
                lambda s: any(LIVE in m.payload["content"] for m in s.sent_for(reindex))
            )
        return seen

    seen = run(scenario())
    assert "now asks the collection `bookclub`" in seen["b_picks"]
    assert "belongs to another server" in seen["a_takes_b"]
    assert seen["a_dredger"] == {NEWSROOM["title"]}
    assert seen["b_letters"] == {BOOKCLUB["title"]}
    assert BOOKCLUB["title"] not in seen["a_letters"]
    assert NEWSROOM["title"] not in seen["b_dredger"]
    assert NEWSROOM["title"] in seen["a_sources"] and BOOKCLUB["title"] not in seen["a_sources"]
    assert "Added" in seen["a_adds"]
    assert "no article" in seen["a_removes_b"]

    def titles(collection: str) -> set[str]:
        items = admin.get("/articles", params={"collection": collection}).json()["items"]
        return {item["title"] for item in items}

    assert "Gannet census on Skerrow" in titles("newsroom")  # the title the file gives
    assert titles("bookclub") == {BOOKCLUB["title"]}
    assert admin.get(f"/articles/{ids['bookclub']}").status_code == 200
    # newsroom was rebuilt (the gannets are in its index), bookclub's version is as it was.
    assert admin.get("/index", params={"collection": "newsroom"}).json()["articles"] == 2
    assert admin.get("/index", params={"collection": "bookclub"}).json()["version"] == (
        bookclub_version
    )
    admin.close()
