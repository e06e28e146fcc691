"""End to end: the real discord.py client (create_bot) against the Discord stand-in, answering
from a real articleqa HTTP service on loopback."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx

from articleqa_bot import create_bot

from . import markdown
from .conftest import (
    ApiServer,
    assert_no_mentions_anywhere,
    bot_settings,
    discord_with_bot,
    free_port,
    run,
)
from .standin import ADMIN_ROLE_ID, FakeDiscord, Interaction, SentMessage, User, running_bot

ALICE = User("310000000000000001", "alice")
BOB = User("310000000000000002", "bob")
CAROL = User("310000000000000003", "carol")

STRING, INTEGER, SUBCOMMAND, ATTACHMENT = 3, 4, 1, 11
LIVE = "The new index is live"


def option(name: str, value: Any, kind: int = STRING) -> dict[str, Any]:
    return {"type": kind, "name": name, "value": value}


def ask_options(question: str, **more: Any) -> list[dict[str, Any]]:
    options = [option("question", question)]
    for name, value in more.items():
        options.append(option(name, value, INTEGER if isinstance(value, int) else STRING))
    return options


def plain(source: str) -> str:
    """What a reader sees of a Markdown slot."""
    return markdown.plain(markdown.render(source))


def quotes_shown(message: SentMessage) -> list[markdown.Node]:
    """The block quotes of a message's cards, as Discord renders them: one per quote."""
    return [
        node
        for embed in message.rendered_embeds()
        for node in embed["description"]
        if node.kind == "blockquote"
    ]


async def answer_to(standin: FakeDiscord, interaction: Interaction) -> SentMessage:
    """The public answer to ``interaction``, once its private placeholder is gone."""
    answer = await standin.wait_for_message(
        lambda m: (
            interaction.token in m.payload.get("_tokens", ())
            and not m.ephemeral
            and bool(m.payload.get("embeds"))
        )
    )
    state = standin.interactions[interaction.token]
    assert state.original is not None
    await standin.wait_for(lambda s: state.original is not None and state.original.id in s.deleted)
    return answer


def seen_by(standin: FakeDiscord, user: User) -> list[SentMessage]:
    """Every version of every message ``user`` could see at some moment (deleted or not)."""
    return [m for m in standin.messages if not m.ephemeral or m.recipient == user.id]


def button(message: SentMessage, label: str) -> str:
    for row in message.payload["components"]:
        for component in row["components"]:
            if component.get("label") == label:
                custom_id: str = component["custom_id"]
                return custom_id
    raise AssertionError(f"no {label!r} button in {message.payload['components']}")


def article_text(api: ApiServer, article_id: str) -> str:
    text: str = httpx.get(f"{api.url}/articles/{article_id}").json()["text"]
    return text


def api_answer(api: ApiServer, question: str, k: int = 3) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.post(
        f"{api.url}/ask", json={"question": question, "k": k}
    ).json()
    return answer


def test_slash_ask_quotes_the_article_verbatim(api_server: ApiServer) -> None:
    question = "How many steps did the Gullrock lighthouse keeper climb?"
    expected = api_answer(api_server, question)
    top = expected["quotes"][0]
    assert top["article"]["title"] == "Lighthouse keeper retires after forty years"

    async def scenario() -> tuple[SentMessage, list[SentMessage]]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            interaction = await standin.slash("ask", ask_options(question), user=ALICE)
            answer = await answer_to(standin, interaction)
            return answer, standin.visible_to(BOB)

    reply, channel = run(scenario())
    # One card per article, in the order of their best quote; the answer is all the channel sees.
    titles = list(dict.fromkeys(q["article"]["title"] for q in expected["quotes"]))
    assert [e["title"] for e in reply.payload["embeds"]] == titles
    assert [m.id for m in channel] == [reply.id]
    first = quotes_shown(reply)[0]
    stored = article_text(api_server, top["article"]["id"])
    assert markdown.plain(first.children) == top["text"] == stored[top["start"] : top["end"]]
    # The highlighted sentence is the bold part of the blockquote, and nothing else is marked up.
    bold = [node.plain() for node in first.children if node.kind == "strong"]
    assert bold == [top["highlight"]["text"]]
    assert markdown.kinds(first.children) == ["strong"]
    assert len(quotes_shown(reply)) == len(expected["quotes"])
    assert plain(reply.payload["content"]) == f"Q: {question}"
    assert not reply.ephemeral
    labels = {c["label"] for row in reply.payload["components"] for c in row["components"]}
    assert labels == {"More quotes", "Helpful", "Not helpful"}


def test_mention_and_reply_to_the_bot_are_answered(api_server: ApiServer) -> None:
    async def scenario() -> tuple[SentMessage, SentMessage, dict[str, Any]]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            asked = await standin.say("who won the county chess cup?", user=ALICE, mention_bot=True)
            answer = await standin.wait_for_message(lambda m: bool(m.payload["embeds"]))
            await standin.say("and when does the Pellingford club meet?", user=BOB, reply_to=answer)
            follow_up = await standin.wait_for_message(
                lambda m: m.id != answer.id and bool(m.payload["embeds"])
            )
            return answer, follow_up, asked

    answer, follow_up, asked = run(scenario())
    assert answer.kind == "channel"
    assert str(answer.payload["message_reference"]["message_id"]) == asked["id"]
    assert answer.payload["embeds"][0]["title"] == "Chess club wins county cup"
    assert "Wednesday" in plain("\n".join(e["description"] for e in follow_up.payload["embeds"]))


def test_mention_of_the_bots_role_counts_and_chatter_is_ignored(api_server: ApiServer) -> None:
    async def scenario() -> tuple[FakeDiscord, SentMessage, SentMessage]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            await standin.say("who won the county chess cup?", user=BOB)  # not for the bot
            await standin.say("", user=BOB, mention_bot=True)
            hint = await standin.wait_for_message(lambda m: m.kind == "channel")
            await standin.say("who won the county chess cup?", user=ALICE, mention_bot_role=True)
            answer = await standin.wait_for_message(lambda m: bool(m.payload["embeds"]))
            return standin, hint, answer

    standin, hint, answer = run(scenario())
    assert "Ask me a question after the mention" in hint.payload["content"]
    assert answer.payload["embeds"][0]["title"] == "Chess club wins county cup"
    assert plain(answer.payload["content"]) == "Q: who won the county chess cup?"
    # The unaddressed message got nothing: only the hint and the answer were sent.
    assert len(standin.requests_to("POST", r"/channels/\d+/messages")) == 2


def test_mention_answer_in_a_thread(api_server: ApiServer) -> None:
    async def scenario() -> tuple[FakeDiscord, dict[str, Any], SentMessage]:
        async with discord_with_bot(api_server.url, answer_in_thread=True) as (standin, _bot):
            asked = await standin.say(
                "why did the Vellacott bakers strike?", user=ALICE, mention_bot=True
            )
            answer = await standin.wait_for_message(lambda m: bool(m.payload["embeds"]))
            return standin, asked, answer

    standin, asked, answer = run(scenario())
    (thread_request,) = standin.requests_to(
        "POST", rf"/channels/\d+/messages/{asked['id']}/threads"
    )
    assert thread_request.json["name"] == "why did the Vellacott bakers strike?"
    # A thread started from a message has the message's id; the answer goes there.
    assert answer.channel_id == asked["id"]
    assert answer.payload["embeds"][0]["title"] == "Bakers strike over night shifts"


HOSTILE = (
    "[twenty minutes](https://evil.example/phish)",
    "@everyone",
    "@here",
    "<@&456>",
    "<@123>",
    "<#789>",
    "<t:0:R>",
    "https://evil.example/ferry",
    "C:\\ferries\\vornholt",
    ":anchor:",
    "<:wave:42>",
    "# Vornholt winter crossings",
    "> the Vornholt harbour master's word",
    "||Vornholt spoiler||",
    "**bold** __under__ _em_ ~~gone~~ `code` \\\\ double",
    "- Vornholt item",
    "1. The first Vornholt crossing leaves at dawn.",
    "-# Vornholt small print",
)


def test_quotes_render_literally_and_ping_nobody(api_server: ApiServer) -> None:
    """A quote holding every kind of Discord Markdown reaches the reader as the article's text:
    the stand-in renders what was sent by Discord's rules, and the result is the stored text."""
    question = "When does the Vornholt ferry leave from the pier?"
    expected = api_answer(api_server, question, k=5)["quotes"]
    ferry = [q for q in expected if q["article"]["title"] == "Vornholt ferry notice"]
    stored = article_text(api_server, ferry[0]["article"]["id"])
    quoted = "".join(stored[q["start"] : q["end"]] for q in ferry)
    assert all(piece in quoted for piece in HOSTILE), "the corpus lost a test case"

    async def scenario() -> tuple[FakeDiscord, SentMessage, SentMessage]:
        async with discord_with_bot(api_server.url, default_count=5) as (standin, _bot):
            interaction = await standin.slash("ask", ask_options(question), user=ALICE)
            slash_reply = await answer_to(standin, interaction)
            await standin.say(question, user=BOB, mention_bot=True)
            mention_reply = await standin.wait_for_message(lambda m: m.kind == "channel")
            return standin, slash_reply, mention_reply

    standin, *replies = run(scenario())
    for reply in replies:
        card = next(e for e in reply.rendered_embeds() if "Vornholt" in markdown.plain(e["title"]))
        blocks = [node for node in card["description"] if node.kind == "blockquote"]
        assert [markdown.plain(block.children) for block in blocks] == [
            stored[q["start"] : q["end"]] for q in ferry
        ]
        for block in blocks:
            # Text, and the highlight in bold: no link, mention, emoji, heading, list or spoiler.
            assert set(markdown.kinds(block.children)) <= {"strong"}
        assert "\u200b" not in json.dumps(reply.payload)
    # Nobody was pinged by any message (stand-in: mentions in content that allowed_mentions
    # lets through, escapes ignored); discord_with_bot checks every request the same way.
    assert_no_mentions_anywhere(standin)


def test_more_quotes_and_feedback_buttons(api_server: ApiServer) -> None:
    # No name in the question: quotes about a named subject come only from passages that name
    # it, and this test needs more than one article's quotes.
    question = "Tell me about the lighthouse and the harbour board"

    async def scenario() -> tuple[SentMessage, list[SentMessage], list[SentMessage]]:
        async with discord_with_bot(api_server.url, default_count=2) as (standin, _bot):
            interaction = await standin.slash("ask", ask_options(question, count=1), user=ALICE)
            answer = await answer_to(standin, interaction)
            more = await standin.click(answer, button(answer, "More quotes"), user=BOB)
            more_reply = await standin.reply_to(more)
            vote = await standin.click(answer, button(answer, "Helpful"), user=BOB)
            vote_reply = await standin.reply_to(vote)
            again = await standin.click(answer, button(answer, "Not helpful"), user=BOB)
            again_reply = await standin.reply_to(again)
            return answer, [more_reply], [vote_reply, again_reply]

    answer, (more_reply,), (vote_reply, again_reply) = run(scenario())
    assert len(quotes_shown(answer)) == 1
    assert more_reply.ephemeral and more_reply.recipient == BOB.id
    assert len(quotes_shown(more_reply)) == 2
    first_text = quotes_shown(answer)[0].plain()
    assert all(block.plain() != first_text for block in quotes_shown(more_reply))
    assert vote_reply.ephemeral and "Thanks" in vote_reply.payload["content"]
    assert again_reply.ephemeral and "already rated" in again_reply.payload["content"]

    feedback_file = api_server.home / "feedback.jsonl"
    records = [json.loads(line) for line in feedback_file.read_text().splitlines()]
    mine = [r for r in records if r.get("question") == question]
    assert len(mine) == 1
    assert mine[0]["helpful"] is True
    assert len(mine[0]["passage_ids"]) == 1


def test_answer_buttons_keep_working_after_a_restart(api_server: ApiServer) -> None:
    # No name in the question, so other articles can supply the "more quotes" (see above).
    question = "Who retired after forty years at the lighthouse?"

    async def scenario() -> tuple[SentMessage, SentMessage, SentMessage]:
        async with FakeDiscord() as standin:
            settings = bot_settings(api_server.url, standin, default_count=1)
            first_life = create_bot(settings, guild_ready_timeout=0.1)
            async with running_bot(first_life):
                interaction = await standin.slash("ask", ask_options(question), user=ALICE)
                answer = await answer_to(standin, interaction)
            second_life = create_bot(settings, guild_ready_timeout=0.1)
            async with running_bot(second_life):
                more = await standin.click(answer, button(answer, "More quotes"), user=BOB)
                more_reply = await standin.reply_to(more)
                vote = await standin.click(answer, button(answer, "Not helpful"), user=BOB)
                vote_reply = await standin.reply_to(vote)
            assert_no_mentions_anywhere(standin)
            return answer, more_reply, vote_reply

    answer, more_reply, vote_reply = run(scenario())
    assert button(answer, "More quotes") == "aqa:more:n1"
    assert more_reply.ephemeral
    assert len(quotes_shown(more_reply)) == 1
    assert quotes_shown(more_reply)[0].plain() != quotes_shown(answer)[0].plain()
    assert "Thanks" in vote_reply.payload["content"]
    records = [
        json.loads(line) for line in (api_server.home / "feedback.jsonl").read_text().splitlines()
    ]
    (record,) = [r for r in records if r.get("question") == question]
    shown_first = api_answer(api_server, question, k=1)["quotes"][0]["passage_id"]
    assert record["helpful"] is False and record["passage_ids"] == [shown_first]


def test_sources_pages_through_the_articles(api_server: ApiServer) -> None:
    async def scenario() -> tuple[SentMessage, SentMessage, SentMessage]:
        async with discord_with_bot(api_server.url, sources_page_size=2) as (standin, _bot):
            interaction = await standin.slash("sources", user=ALICE)
            first = await standin.reply_to(interaction)
            nosy = await standin.click(first, button(first, "Next"), user=BOB)
            refused = await standin.reply_to(nosy)
            paged = await standin.click(first, button(first, "Next"), user=ALICE)
            second = await standin.reply_to(paged)
            return first, refused, second

    first, refused, second = run(scenario())
    total = httpx.get(f"{api_server.url}/articles").json()["total"]
    assert first.ephemeral
    assert first.payload["embeds"][0]["footer"]["text"].startswith(f"Page 1/{(total + 1) // 2}")
    assert refused.ephemeral and "belong to whoever ran /sources" in refused.payload["content"]
    assert second.kind == "callback"  # the pager edits its own message (response type 7)
    assert second.payload["embeds"][0]["footer"]["text"].startswith("Page 2/")
    assert second.payload["embeds"][0]["description"] != first.payload["embeds"][0]["description"]


def test_non_admin_reindex_is_refused(api_server: ApiServer) -> None:
    before = api_server.index_version()

    async def scenario() -> list[SentMessage]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            replies = []
            for name, options in (
                ("reindex", []),
                (
                    "article",
                    [
                        {
                            "type": SUBCOMMAND,
                            "name": "remove",
                            "options": [option("article_id", "anything")],
                        }
                    ],
                ),
            ):
                interaction = await standin.slash(name, options, user=BOB, admin=False)
                replies.append(await standin.reply_to(interaction))
            return replies

    for reply in run(scenario()):
        assert reply.ephemeral
        assert "Manage Server" in reply.payload["content"]
    assert api_server.index_version() == before


def test_article_ids_autocomplete_from_titles(api_server: ApiServer) -> None:
    async def scenario() -> dict[str, Any]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            typing = await standin.autocomplete(
                "article",
                [
                    {
                        "type": SUBCOMMAND,
                        "name": "remove",
                        "options": [{**option("article_id", "CHESS"), "focused": True}],
                    }
                ],
                user=ALICE,
            )
            body = await standin.callback_of(typing)
            # Autocomplete answers aren't messages; send one so the mention check has work.
            await standin.say("", user=ALICE, mention_bot=True)
            await standin.wait_for_message(lambda m: m.kind == "channel")
            return body

    body = run(scenario())
    articles = httpx.get(f"{api_server.url}/articles").json()["items"]
    chess = next(a for a in articles if a["title"] == "Chess club wins county cup")
    assert body["type"] == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    assert body["data"]["choices"] == [
        {"name": f"Chess club wins county cup ({chess['id']})", "value": chess["id"]}
    ]


def test_bot_stays_up_when_command_sync_is_refused(api_server: ApiServer) -> None:
    async def scenario() -> SentMessage:
        async with FakeDiscord(refuse_command_sync=True) as standin:
            bot = create_bot(bot_settings(api_server.url, standin), guild_ready_timeout=0.1)
            async with running_bot(bot):
                await standin.say("who won the county chess cup?", user=ALICE, mention_bot=True)
                return await standin.wait_for_message(lambda m: bool(m.payload["embeds"]))

    answer = run(scenario())
    assert answer.payload["embeds"][0]["title"] == "Chess club wins county cup"


def test_admin_role_passes_the_admin_check(api_server: ApiServer) -> None:
    async def scenario() -> SentMessage:
        async with discord_with_bot(api_server.url, admin_role_ids=[int(ADMIN_ROLE_ID)]) as (
            standin,
            _bot,
        ):
            interaction = await standin.slash(
                "article",
                [
                    {
                        "type": SUBCOMMAND,
                        "name": "remove",
                        "options": [option("article_id", "no-such-article")],
                    }
                ],
                user=CAROL,
                roles=[standin.admin_role_id],
            )
            return await standin.reply_to(interaction)

    reply = run(scenario())
    # Past the admin check, the API's 404 comes back as a readable sentence.
    assert "Manage Server" not in reply.payload["content"]
    assert reply.payload["content"].startswith("The articles service said:")


def test_admin_adds_articles_and_reindex_makes_them_answer(api_server: ApiServer) -> None:
    text_file = (
        b"Glassblowers revive the Ostermoor furnace\n\n"
        b"Three glassblowers relit the Ostermoor furnace on Tuesday, 160 years after it went cold. "
        b"The furnace melts sand from the Quellbeck dunes at 1,400 degrees."
    )
    html_page = (
        b"<html><head><title>Beekeepers count Thistledown hives</title></head><body><article>"
        b"<h1>Beekeepers count Thistledown hives</h1>"
        b"<p>Volunteers counted 342 beehives across the Thistledown valley this week, "
        b"twice as many as five years ago.</p>"
        b"<p>The valley's beekeeping society credits wildflower strips planted along "
        b"the farm roads.</p></article></body></html>"
    )

    async def scenario() -> dict[str, SentMessage]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            replies: dict[str, SentMessage] = {}
            attachment = standin.add_attachment("ostermoor-glass.txt", text_file, "text/plain")
            add = await standin.slash(
                "article",
                [
                    {
                        "type": SUBCOMMAND,
                        "name": "add",
                        "options": [
                            option("file", attachment["id"], ATTACHMENT),
                            option("title", "Glassblowers revive the Ostermoor furnace"),
                        ],
                    }
                ],
                user=ALICE,
                admin=True,
                resolved={"attachments": {attachment["id"]: attachment}},
            )
            replies["add_file"] = await standin.reply_to(add)
            page = standin.add_attachment("thistledown.html", html_page, "text/html")
            add_url = await standin.slash(
                "article",
                [{"type": SUBCOMMAND, "name": "add", "options": [option("url", page["url"])]}],
                user=ALICE,
                admin=True,
            )
            replies["add_url"] = await standin.reply_to(add_url)
            reindex = await standin.slash("reindex", user=ALICE, admin=True)
            await standin.wait_for(
                lambda s: any(LIVE in m.payload["content"] for m in s.sent_for(reindex))
            )
            replies["reindex"] = next(
                m for m in standin.sent_for(reindex) if LIVE in m.payload["content"]
            )
            for key, question in (
                ("ask_file", "When was the Ostermoor furnace relit?"),
                ("ask_url", "How many Thistledown beehives were counted?"),
            ):
                interaction = await standin.slash("ask", ask_options(question), user=BOB)
                replies[key] = await answer_to(standin, interaction)
            return replies

    replies = run(scenario())
    assert replies["add_file"].ephemeral
    assert (
        "Added **Glassblowers revive the Ostermoor furnace**"
        in replies["add_file"].payload["content"]
    )
    assert "Added" in replies["add_url"].payload["content"]
    live = plain(replies["reindex"].payload["content"])
    version = api_server.index_version()
    assert version is not None and version in live
    passages = httpx.get(f"{api_server.url}/index").json()["passages"]
    assert f"{passages} passages" in live
    file_quote = replies["ask_file"].payload["embeds"][0]
    assert file_quote["title"] == "Glassblowers revive the Ostermoor furnace"
    assert "relit the Ostermoor furnace on Tuesday" in plain(file_quote["description"])
    url_quote = replies["ask_url"].payload["embeds"][0]
    assert "342 beehives" in plain(url_quote["description"])


def never_seen_by_others(standin: FakeDiscord, asker: User, *interactions: Interaction) -> bool:
    """No version of any message of these interactions (the "thinking…" placeholder included)
    was ever visible to anyone but the asker."""
    tokens = {interaction.token for interaction in interactions}
    mine = [m for m in standin.messages if tokens & set(m.payload.get("_tokens", ()))]
    return bool(mine) and all(m.ephemeral and m.recipient == asker.id for m in mine)


async def notice_for(standin: FakeDiscord, asked: dict[str, Any], reaction: str) -> SentMessage:
    """The notice under an @mention that got no answer, once it has deleted itself and the
    reaction on the question is there."""
    notice = await standin.wait_for_message(
        lambda m: (
            m.kind == "channel"
            and str((m.payload.get("message_reference") or {}).get("message_id")) == asked["id"]
        )
    )
    await standin.wait_for(lambda s: notice.id in s.deleted)
    await standin.wait_for(lambda s: (asked["id"], reaction) in s.reactions)
    return notice


def test_cooldown_and_server_rate_limit_refuse_privately(api_server: ApiServer) -> None:
    question = "Who retired from the Gullrock lighthouse?"

    async def scenario() -> tuple[FakeDiscord, SentMessage, Interaction, SentMessage, SentMessage]:
        async with discord_with_bot(
            api_server.url, user_cooldown_s=3600, guild_rate_per_minute=2
        ) as (standin, _bot):
            await answer_to(standin, await standin.slash("ask", ask_options(question), user=ALICE))
            again = await standin.slash("ask", ask_options(question), user=ALICE)
            refused = await standin.reply_to(again)
            second_user = await answer_to(
                standin, await standin.slash("ask", ask_options(question), user=BOB)
            )
            asked = await standin.say(question, user=CAROL, mention_bot=True)
            notice = await notice_for(standin, asked, "⏳")
            return standin, refused, again, second_user, notice

    standin, refused, again, second_user, notice = run(scenario())
    assert second_user.payload["embeds"]
    assert refused.kind == "callback" and "asking a little fast" in refused.payload["content"]
    assert never_seen_by_others(standin, ALICE, again)
    # An @mention can't be answered privately: a reaction, and a note that deleted itself.
    assert "This server has asked a lot of questions" in notice.payload["content"]
    assert not notice.payload["embeds"]
    assert all("asked a lot" not in m.payload["content"] for m in standin.visible_to(BOB))


class FlakyProxy:
    """Failure injection: a loopback TCP proxy to the API that can be down, slow or up."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.delay_s = 0.0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await asyncio.sleep(self.delay_s)
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        except (ConnectionError, asyncio.CancelledError):
            # Going down drops connections; the bot's client sees a reset, which is the point.
            writer.close()
        finally:
            self._connections.discard(task)

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass
        finally:
            sink.close()


def test_api_down_or_slow_gives_a_friendly_error_and_the_bot_recovers(
    api_server: ApiServer,
) -> None:
    question = "What will replace the Gullrock lighthouse keeper?"
    api_port = int(api_server.url.rsplit(":", 1)[1])

    async def scenario() -> tuple[FakeDiscord, list[SentMessage], list[Interaction]]:
        proxy = FlakyProxy(api_port)
        replies = []
        failed = []
        async with discord_with_bot(
            f"http://127.0.0.1:{proxy.port}", request_timeout_s=0.5, user_cooldown_s=3600
        ) as (standin, bot):
            # Down: nothing listens on the API port.
            failed.append(await standin.slash("ask", ask_options(question), user=ALICE))
            replies.append(await standin.reply_to(failed[-1]))
            asked = await standin.say(question, user=BOB, mention_bot=True)
            replies.append(await notice_for(standin, asked, "⚠️"))
            # Slow: the API answers after the bot's request timeout.
            proxy.delay_s = 5.0
            await proxy.up()
            failed.append(await standin.slash("ask", ask_options(question), user=ALICE))
            replies.append(await standin.reply_to(failed[-1]))
            # Back: the same users ask again (a failed ask didn't cost them their cooldown).
            proxy.delay_s = 0.0
            interaction = await standin.slash("ask", ask_options(question), user=ALICE)
            replies.append(await answer_to(standin, interaction))
            assert not bot.is_closed()
            await proxy.down()
        return standin, replies, failed

    standin, (down_slash, down_mention, slow, back), failed = run(scenario())
    for reply in (down_slash, down_mention, slow):
        assert "can't reach the articles service" in reply.payload["content"]
        assert not reply.payload["embeds"]
    # The outage was the asker's business only: CAROL, in the same channel, saw none of it.
    assert down_slash.ephemeral and slow.ephemeral
    assert never_seen_by_others(standin, ALICE, *failed)
    assert all("can't reach" not in m.payload["content"] for m in standin.visible_to(CAROL))
    assert [m.id for m in standin.visible_to(CAROL)] == [back.id]
    assert back.payload["embeds"][0]["title"] == "Lighthouse keeper retires after forty years"


def test_unanswerable_question_and_bad_input_get_plain_replies(api_server: ApiServer) -> None:
    question = "Who kept the Gullrock lighthouse?"

    async def scenario() -> tuple[SentMessage, SentMessage]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            future = await standin.slash(
                "ask", ask_options(question, since="2100-01-01"), user=ALICE
            )
            unanswered = await standin.reply_to(future)
            bad = await standin.slash("ask", ask_options(question, since="last week"), user=ALICE)
            bad_reply = await standin.reply_to(bad)
            assert never_seen_by_others(standin, ALICE, future, bad)
            assert standin.visible_to(BOB) == []
            return unanswered, bad_reply

    unanswered, bad_date = run(scenario())
    assert unanswered.ephemeral
    (embed,) = unanswered.payload["embeds"]
    assert embed["title"] == "No answer in the articles"
    assert "do not answer" in embed["description"]
    assert not unanswered.payload["components"]  # nothing to rate or extend
    assert (
        bad_date.ephemeral
        and "`since` must be a date like 2024-05-31" in bad_date.payload["content"]
    )


def test_answer_cards_group_by_article_link_context_and_hold_no_internal_ids(
    api_server: ApiServer,
) -> None:
    question = "Why did the Vellacott bakers strike, and when do the union and cooperative meet?"
    expected = api_answer(api_server, question, k=3)

    async def scenario() -> SentMessage:
        async with discord_with_bot(api_server.url, public_url="https://qa.example.org/") as (
            standin,
            _bot,
        ):
            return await answer_to(
                standin, await standin.slash("ask", ask_options(question), user=ALICE)
            )

    reply = run(scenario())
    bakery = [q for q in expected["quotes"] if q["article"]["title"].startswith("Bakers")]
    assert len(bakery) == 2, expected  # two quotes of one article: one card, one title
    titles = [embed["title"] for embed in reply.payload["embeds"]]
    assert titles.count("Bakers strike over night shifts") == 1
    card = next(e for e in reply.payload["embeds"] if e["title"].startswith("Bakers"))
    assert card["url"] == "https://news.example.org/bakers"
    assert card["footer"]["text"] == "Ana Ruiz · 4 May 2024"
    links = re.findall(r"\[Show in context\]\(([^)]+)\)", card["description"])
    view = "https://qa.example.org/articles/{id}/view?start={start}&end={end}"
    assert links == [
        view.format(id=q["article"]["id"], start=q["start"], end=q["end"])
        + (
            f"&hl_start={q['highlight']['start']}&hl_end={q['highlight']['end']}"
            if q["highlight"]
            else ""
        )
        for q in bakery
    ]
    shown = plain(card["description"])
    assert "Section: Talks" in shown
    # What the reader sees holds no index version, passage id or article id.
    seen = [plain(reply.payload["content"])]
    for embed in reply.rendered_embeds():
        seen += [markdown.plain(embed["title"]), markdown.plain(embed["description"])]
        seen += [embed["footer"], embed["author"]]
    internal = [expected["index_version"]]
    internal += [q["passage_id"] for q in expected["quotes"]]
    internal += [q["article"]["id"] for q in expected["quotes"]]
    assert [i for i in internal if any(i in text for text in seen)] == []


def test_a_follow_up_continues_the_askers_own_questions_and_says_so(
    api_server: ApiServer,
) -> None:
    async def scenario() -> tuple[SentMessage, SentMessage, SentMessage]:
        async with discord_with_bot(api_server.url, user_cooldown_s=0) as (standin, _bot):
            await standin.say("who won the county chess cup?", user=ALICE, mention_bot=True)
            first = await standin.wait_for_message(lambda m: bool(m.payload["embeds"]))
            await standin.say("when do they meet?", user=ALICE, reply_to=first)
            follow_up = await standin.wait_for_message(
                lambda m: m.id != first.id and bool(m.payload["embeds"])
            )
            # Bob was not part of Alice's conversation: his question is his own.
            await standin.say("when do they meet?", user=BOB, mention_bot=True)
            bobs = await standin.wait_for_message(
                lambda m: m.id not in (first.id, follow_up.id) and m.kind == "channel"
            )
            return first, follow_up, bobs

    first, follow_up, bobs = run(scenario())
    assert "Following up on" not in plain(first.payload["content"])
    shown = plain(follow_up.payload["content"])
    assert shown.startswith("Q: when do they meet?\nFollowing up on: ")
    # The assumption line holds only words of the earlier question.
    line = shown.split("Following up on: ", 1)[1]
    assert line and all(w in "who won the county chess cup?" for w in line.split(", "))
    assert follow_up.payload["embeds"][0]["title"] == "Chess club wins county cup"
    assert "Wednesday" in plain("\n".join(e["description"] for e in follow_up.payload["embeds"]))
    assert "Following up on" not in plain(bobs.payload.get("content") or "")


def test_a_follow_up_in_the_answers_thread_is_answered_from_its_subject(
    api_server: ApiServer,
) -> None:
    async def scenario() -> tuple[dict[str, Any], SentMessage]:
        async with discord_with_bot(api_server.url, answer_in_thread=True, user_cooldown_s=0) as (
            standin,
            _bot,
        ):
            asked = await standin.say("who won the county chess cup?", user=ALICE, mention_bot=True)
            first = await standin.wait_for_message(lambda m: bool(m.payload["embeds"]))
            # Anyone in the thread continues its conversation.
            await standin.say(
                "when do they meet?", user=BOB, mention_bot=True, channel_id=first.channel_id
            )
            follow_up = await standin.wait_for_message(
                lambda m: m.id != first.id and bool(m.payload["embeds"])
            )
            return asked, follow_up

    asked, follow_up = run(scenario())
    assert follow_up.channel_id == asked["id"]  # answered in the thread, not a new one
    assert "Following up on: " in plain(follow_up.payload["content"])
    assert follow_up.payload["embeds"][0]["title"] == "Chess club wins county cup"
