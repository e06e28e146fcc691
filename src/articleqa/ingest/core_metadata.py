"""A Python package's core metadata (a wheel's METADATA, an sdist's PKG-INFO) saved as a
document: email-style "Key: value" headers, a blank line, then the package's description in
Markdown or reStructuredText.

Read as Markdown or reST alone, the header lines ran into one paragraph ("Metadata-Version: 2.4
Name: fastapi Version: 0.165.0 Summary: …"), which also became the title. Here the fields a
reader asks about keep a line each, and the name, summary and author are the article's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import parseaddr

from articleqa.models import Block, BlockKind

# The core metadata specification's first field: what marks the format.
_MARKER = re.compile(r"\A\ufeff?Metadata-Version:[ \t]*\d")
# Fields kept as text, in this order; the rest (classifiers, the description's content type,
# license files) only describe the file.
_KEPT = (
    "Name",
    "Version",
    "Summary",
    "Author",
    "Author-email",
    "Maintainer",
    "Maintainer-email",
    "License",
    "License-Expression",
    "Home-page",
    "Project-URL",
    "Requires-Python",
    "Requires-Dist",
    "Provides-Extra",
    "Keywords",
)


@dataclass(frozen=True, slots=True)
class CoreMetadata:
    header: str  # the kept fields, "Key: value" a line
    body: str  # the description
    title: str
    author: str | None

    def header_blocks(self) -> list[Block]:
        """The kept fields as the article's first paragraph, a line each."""
        return [Block(BlockKind.TEXT, self.header)] if self.header else []


def split_core_metadata(text: str) -> CoreMetadata | None:
    """The header and description of a core metadata file, or None for any other text."""
    if not _MARKER.match(text):
        return None
    message = HeaderParser().parsestr(text.lstrip("\ufeff"))
    lines = [
        f"{key}: {' '.join(value.split())}"
        for key in _KEPT
        for value in message.get_all(key, [])
        if value.strip()
    ]
    payload = message.get_payload()
    body = payload if isinstance(payload, str) else ""
    if not body.strip():
        body = str(message.get("Description") or "")
    name = " ".join(str(message.get("Name") or "").split())
    summary = " ".join(str(message.get("Summary") or "").split())
    return CoreMetadata(
        header="\n".join(lines),
        body=body,
        title=f"{name}: {summary}" if name and summary else name or summary,
        author=_author(message),
    )


def _author(message: Message) -> str | None:
    """The author's name: the Author field, else the name in Author-email ("Kenneth Reitz
    <me@kennethreitz.org>"), else the maintainer's likewise."""
    for named, mailed in (("Author", "Author-email"), ("Maintainer", "Maintainer-email")):
        name = " ".join(str(message.get(named) or "").split())
        if name:
            return name
        address = str(message.get(mailed) or "")
        person = parseaddr(address.split(",")[0])[0].strip()
        if person:
            return person
    return None
