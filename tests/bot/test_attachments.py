"""/article add with .md and .html attachments: the bot sends the raw file and its format, the
API reads it (the bot has no extraction library)."""

from __future__ import annotations

import re

import httpx

from .conftest import ApiServer, discord_with_bot, run
from .standin import SentMessage
from .test_e2e import ALICE, ATTACHMENT, SUBCOMMAND, option


def test_markdown_and_html_attachments_are_read_by_the_api(api_server: ApiServer) -> None:
    files = {
        "kiln-notes.md": (
            b"# Potters share the Hollin kiln\n\n"
            b"The **Hollin** potters fire their shared kiln every _second_ Sunday.\n",
            "text/markdown",
        ),
        "ferry.html": (
            b"<html><head><title>Ferry timetable</title></head><body><article>"
            b"<h1>Winter ferry timetable for Skerrow</h1><p>The Skerrow ferry sails twice a day "
            b"from November, leaving the pier at 08:15 and 16:40.</p>"
            b"<p>Bicycles travel free on every crossing this winter.</p>"
            b"</article></body></html>",
            "text/html",
        ),
        "notes.pdf": (b"%PDF-1.4", "application/pdf"),
    }

    async def scenario() -> dict[str, SentMessage]:
        async with discord_with_bot(api_server.url) as (standin, _bot):
            replies = {}
            for name, (data, content_type) in files.items():
                attachment = standin.add_attachment(name, data, content_type)
                interaction = await standin.slash(
                    "article",
                    [
                        {
                            "type": SUBCOMMAND,
                            "name": "add",
                            "options": [option("file", attachment["id"], ATTACHMENT)],
                        }
                    ],
                    user=ALICE,
                    admin=True,
                    resolved={"attachments": {attachment["id"]: attachment}},
                )
                replies[name] = await standin.reply_to(interaction)
            return replies

    replies = run(scenario())
    assert "Attach a .txt, .md or .html file" in replies["notes.pdf"].payload["content"]
    stored = {}
    for name in ("kiln-notes.md", "ferry.html"):
        content = replies[name].payload["content"]
        assert content.startswith("Added **"), content
        article_id = re.search(r"\(`([^`]+)`\)", content).group(1)  # type: ignore[union-attr]
        stored[name] = httpx.get(f"{api_server.url}/articles/{article_id}").json()
    kiln, ferry = stored["kiln-notes.md"], stored["ferry.html"]
    assert kiln["title"] == "kiln notes"  # the file name, as no title was given
    assert "fire their shared kiln every second Sunday" in kiln["text"]
    assert "**" not in kiln["text"] and "# " not in kiln["text"]
    assert "leaving the pier at 08:15 and 16:40" in ferry["text"]
    assert "<p>" not in ferry["text"]
