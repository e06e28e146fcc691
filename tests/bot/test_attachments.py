"""/article add with file attachments: the bot uploads the file's bytes and name, the API reads
it as `articleqa add` reads a file from disk (the bot has no extraction library)."""

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
        # windows-1252, as an old newsletter is saved: the CLI reads it, so the bot must too.
        "harbour-news.txt": (
            "Caf\u00e9 reopens on the quay\n\nThe quay caf\u00e9 reopened on Saturday, "
            "serving cr\u00eapes for \u20ac4.\n".encode("cp1252"),
            "text/plain",
        ),
        "tidectl.1": (
            b'.TH TIDECTL 1 "2026-03-01"\n.SH NAME\ntidectl \\- print tide tables\n'
            b".SH OPTIONS\n.TP\n.B \\-p\nPrint the tides for the named port.\n",
            "application/octet-stream",
        ),
        "two.json": (
            b'[{"title": "Dunmore pier repaired", "text": "The pier was repaired in May."},'
            b' {"title": "Dunmore ferry returns", "text": "The ferry returns on 1 June."}]',
            "application/json",
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
    refusal = replies["notes.pdf"].payload["content"]
    assert refusal.startswith("The articles service said: unsupported file type '.pdf'"), refusal
    assert ".md" in refusal and ".rst" in refusal  # it names what it reads
    stored = {}
    for name in ("kiln-notes.md", "ferry.html", "harbour-news.txt", "tidectl.1"):
        content = replies[name].payload["content"]
        assert content.startswith("Added **"), content
        article_id = re.search(r"\(`([^`]+)`\)", content).group(1)  # type: ignore[union-attr]
        stored[name] = httpx.get(f"{api_server.url}/articles/{article_id}").json()
    kiln, ferry = stored["kiln-notes.md"], stored["ferry.html"]
    assert kiln["title"] == "Potters share the Hollin kiln"  # read from the file, as the CLI does
    assert "fire their shared kiln every second Sunday" in kiln["text"]
    assert "**" not in kiln["text"] and "# " not in kiln["text"]
    assert "leaving the pier at 08:15 and 16:40" in ferry["text"]
    assert "<p>" not in ferry["text"]
    assert "serving cr\u00eapes for \u20ac4." in stored["harbour-news.txt"]["text"]
    assert "Print the tides for the named port." in stored["tidectl.1"]["text"]
    assert ".TP" not in stored["tidectl.1"]["text"]
    both = replies["two.json"].payload["content"]
    assert both.startswith("2 articles (added 2): **Dunmore pier repaired**"), both
