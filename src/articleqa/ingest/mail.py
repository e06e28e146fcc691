"""A mail or news message saved as text: a Usenet FAQ posting, a press release forwarded by
mail, one message of an mbox. Its header block ("From:", "Subject:", "Date:", "Path:",
"Xref:", ...) stands above the body.

Read as plain text, the first header line became the title ("Path: night.primate.wisc.edu!
..."), the header lines ran into one another, and the date the message states was not the
article's. Here the Subject is the title, the sender's name the author and the Date header the
publication date (explicit metadata, as a page's meta tags are); the fields a reader asks about
keep a line each above the body, and the routing fields (Path, Xref, Message-ID, Lines, ...)
are dropped as a page's ``<head>`` is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.message import Message as ParsedHeaders
from email.parser import BytesParser, HeaderParser
from email.utils import parseaddr

from articleqa.errors import IngestError
from articleqa.ingest.dates import parse_date
from articleqa.ingest.html import read_html
from articleqa.models import Block, BlockKind, RawArticle

# An mbox's separator line above a message: "From comp.unix.shell Thu Sep 28 16:13:17 1995".
_MBOX_FROM = re.compile(r"From \S+ .*\d{4}\s*")
# A header field (RFC 5322: printable characters but the colon, then a colon) or its
# continuation (folded onto a line that starts with white space).
_FIELD = re.compile(r"[!-9;-~]+:(?:[ \t].*)?")
_CONTINUATION = re.compile(r"[ \t]+\S.*")
# Fields only a message has: with From and Subject, one of these marks a header block (a text
# opening with "Subject: ..." alone is a memo's heading, not a message).
_MESSAGE_FIELDS = frozenset({"date", "newsgroups", "to", "message-id", "path", "received"})
# Fields kept as the article's text, in this order: who wrote to whom, about what, when.
_KEPT = ("From", "To", "Cc", "Newsgroups", "Subject", "Date", "Organization", "Summary", "Keywords")


@dataclass(frozen=True, slots=True)
class Message:
    fields: tuple[str, ...]  # the kept fields, "Key: value" each
    body: str
    subject: str
    author: str | None
    date: str | None

    @property
    def header(self) -> str:
        """The kept fields, a paragraph each: plain text would join them as wrapped lines."""
        return "\n\n".join(self.fields)


def split_message(text: str) -> Message | None:
    """The header and body of a message saved as text, or None for any other text."""
    lines = text.lstrip("\ufeff\n").split("\n")
    start = 1 if lines and _MBOX_FROM.fullmatch(lines[0].rstrip("\r")) else 0
    end = start
    while end < len(lines) and lines[end].strip():
        line = lines[end].rstrip("\r")
        if not (_FIELD.fullmatch(line) or (end > start and _CONTINUATION.fullmatch(line))):
            return None  # a line of prose before the first blank line: not a header block
        end += 1
    header = "\n".join(lines[start:end])
    message = HeaderParser().parsestr(header + "\n\n", headersonly=True)
    names = {key.lower() for key in message}
    subject = _decoded(message.get("Subject"))
    if not (subject and "from" in names and names & _MESSAGE_FIELDS):
        return None
    return _message(message, subject, "\n".join(lines[end:]).strip("\n"))


def _message(headers: ParsedHeaders, subject: str, body: str) -> Message:
    """The kept header lines, sender and date of a parsed message's ``headers``."""
    kept = tuple(
        f"{key}: {_decoded(value)}"
        for key in _KEPT
        for value in headers.get_all(key, [])
        if str(value).strip()
    )
    name, address = parseaddr(_decoded(headers.get("From")))
    date = _decoded(headers.get("Date"))
    return Message(
        fields=kept,
        body=body,
        subject=subject,
        author=name.strip() or address.strip() or None,
        date=date or None,
    )


def _decoded(value: object) -> str:
    """A header's value on one line, its MIME encoded words decoded ("=?UTF-8?B?Q2Fmw6k=?="
    is "Café"); otherwise as written."""
    text = " ".join(str(value or "").split())
    if "=?" in text:
        try:
            return " ".join(str(make_header(decode_header(text))).split())
        except (HeaderParseError, LookupError, UnicodeDecodeError):
            return text  # a malformed encoded word stays as written
    return text


def read_message(message: Message, source: str | None) -> RawArticle:
    """The message as an article: its subject the title, its sender the author, its Date
    header the publication date; the kept header lines, then the body, the text."""
    return RawArticle(
        title=message.subject,
        text=f"{message.header}\n\n{message.body}" if message.body else message.header,
        author=message.author,
        published=parse_date(message.date),
        source=source,
    )


def read_eml(data: bytes, source: str | None) -> RawArticle:
    """A message saved as a ``.eml`` file (MIME): its text part, else its HTML part, read
    under its kept header lines; attachments are not read."""
    # compat32 keeps each header's value as written (the default policy rewrites dates).
    parsed = BytesParser(policy=policy.compat32).parsebytes(data)
    subject = _decoded(parsed.get("Subject"))
    # Its parts, with their transfer encodings and charsets undone, by the default policy.
    content = BytesParser(policy=policy.default).parsebytes(data)
    part = (
        content.get_body(preferencelist=("plain", "html"))
        if isinstance(content, EmailMessage)
        else None
    )
    if part is None:
        raise IngestError("the message has no text or HTML part to read")
    try:
        body = str(part.get_content())
    except (LookupError, UnicodeError) as exc:
        raise IngestError(f"the message's text cannot be decoded: {exc}") from exc
    page = read_html(body, source) if part.get_content_type() == "text/html" else None
    if page is None:
        message = _message(parsed, subject, body.strip("\n"))
    else:
        message = _message(parsed, subject or page.title, "")
    if not message.subject:
        raise IngestError("the message has no Subject to title it")
    if page is None:
        return read_message(message, source)
    header = [Block(BlockKind.TEXT, field) for field in message.fields]
    return RawArticle(
        title=message.subject,
        text=f"{message.header}\n\n{page.text}",
        author=message.author or page.author,
        published=parse_date(message.date) or page.published,
        source=source,
        blocks=(*header, *(page.blocks or (Block(BlockKind.TEXT, page.text),))),
    )
