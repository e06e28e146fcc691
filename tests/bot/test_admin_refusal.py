"""Issue 15, item 12: with ``admin_role_ids`` set, a member holding neither an admin role nor
Manage Server is refused (a mutation letting any member through went unnoticed)."""

from __future__ import annotations

from .conftest import ApiServer, discord_with_bot, run
from .standin import ADMIN_ROLE_ID, SentMessage, User

DAVE = User("310000000000000004", "dave")
STRING, SUBCOMMAND = 3, 1


def test_a_member_without_the_admin_role_or_manage_server_is_refused(
    api_server: ApiServer,
) -> None:
    async def scenario() -> list[SentMessage]:
        async with discord_with_bot(api_server.url, admin_role_ids=[int(ADMIN_ROLE_ID)]) as (
            standin,
            _bot,
        ):
            replies = []
            # Only @everyone, then the bot's own role: neither is an admin role.
            for roles in ([], [standin.bot_role_id]):
                interaction = await standin.slash(
                    "article",
                    [
                        {
                            "type": SUBCOMMAND,
                            "name": "remove",
                            "options": [
                                {"type": STRING, "name": "article_id", "value": "any-article"}
                            ],
                        }
                    ],
                    user=DAVE,
                    roles=roles,
                )
                replies.append(await standin.reply_to(interaction))
            return replies

    for reply in run(scenario()):
        assert reply.ephemeral
        assert "Manage Server" in reply.payload["content"]
