"""What a byline looks like: the line at the top of an article that says who wrote it, or the
signature at its end; and whether a line says the day an article was written (its dateline)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

# A byline, alone on its line at the top of an article: "By Eric Bradner, CNN - Updated 10:53
# AM EST", "by Jake Goulding", "Written by Ian A. Murdock Revised 01/06/94", "Tom Bennett -
# Business - Nov 7, 2023 2:00 AM". A line that ends as a sentence does is prose ("By Monday,
# the council had voted.").
_BYLINE = re.compile(
    r"^(?i:(?:written|posted|reported|compiled)\s+)?(?i:by)\s+(?:[A-Z][\w'’.-]*|@\w+)(?:\s+(?:[A-Z][\w'’.-]*|\w{1,3}))*\s*(?:$|[-–—|•,(]|\d)|"
    r"^[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}\s+[-–—|•]\s+.*\d"
)
_BYLINE_MAX_CHARS = 160


def is_byline(line: str, author: str | None = None) -> bool:
    """Whether ``line`` is a byline: "By ...", a name followed by a section and a date, or the
    article's author (from its metadata) alone on the line."""
    line = line.strip()
    if not line or len(line) > _BYLINE_MAX_CHARS or "\n" in line or line[-1] in ".!?":
        return False
    if author and line == author.strip():
        return True
    return _BYLINE.match(line) is not None


# A person's name written alone: two to four capitalised words on one line ("Rob Lembree").
_NAME = r"[A-Z][\w'’.-]+(?:[ \t]+[A-Z][\w'’.-]+){1,3}"
# A signature closing a text: the "--" line (the sign-off convention of mail and of old
# HOWTOs and READMEs), then the writer's name alone on a line, perhaps with an address after it
# or a few lines below ("--\nRichard Levitte").
_SIGNATURE = re.compile(
    rf"(?:^|\n)--[ \t]?\n\s*(?P<name>{_NAME})"
    r"[ \t]*(?:<[^>\n]+>)?[ \t]*(?:\n[^\n]{0,80}){0,3}\s*$"
)


def signature_author(text: str) -> str | None:
    """The name signed at the end of ``text`` under a "--" line, or None."""
    span = signature_span(text)
    return text[span[0] : span[1]] if span else None


def signature_span(text: str) -> tuple[int, int] | None:
    """Where the name signed at the end of ``text`` is, as offsets; None if unsigned."""
    offset = max(0, len(text) - _SIGNATURE_REACH)
    found = _SIGNATURE.search(text, offset)
    return (found.start("name"), found.end("name")) if found else None


# How far from its end a text's signature is looked for: a name and a few lines of address.
_SIGNATURE_REACH = 400


# An author block under a document's title: a name alone on its line and, a few lines below (an
# affiliation between), a mail address the name's own word is in ("Rob Lembree", "Digital
# Equipment Corporation", "<lembree@zk3.dec.com>"), or the name and address on one line.
_NAME_LINE = re.compile(rf"^[ \t]*({_NAME})[ \t]*(?:<[^>\n]*>)?[ \t]*$")
_MAIL = re.compile(r"<?([\w.+-]+)@[\w-]+(?:\.[\w-]+)+>?")
# How far into a document its title block is looked for, and how many lines above its address
# the name may stand.
_TITLE_BLOCK_CHARS = 800
_NAME_REACH = 4


def title_block_author(text: str) -> str | None:
    """The author named in ``text``'s title block, or None: a name whose own word is in the
    mail address beside or below it (an affiliation may come between)."""
    lines = [line for line in text[:_TITLE_BLOCK_CHARS].split("\n") if line.strip()]
    for index, line in enumerate(lines):
        mail = _MAIL.search(line)
        if mail is None:
            continue
        mailbox = mail.group(1).lower()
        for above in range(index, max(-1, index - _NAME_REACH - 1), -1):
            named = _NAME_LINE.match(lines[above])
            if named is None:
                continue
            name = named.group(1)
            if any(len(word) >= 3 and word.lower() in mailbox for word in name.split()):
                return name
    return None


# The longest line taken for a dateline: a header field or a byline with its date ("By Eric
# Bradner, CNN - Updated 10:53 AM EST, Mon March 4, 2024"), not a paragraph that names a day.
_DATELINE_MAX_CHARS = 160


def says_date(line: str, date: dt.date) -> bool:
    """Whether ``line`` is a short line that writes ``date``: as numbers ("1992-06-16",
    "1992/06/16") or by its day, month name and year ("Tue, 16 Jun 1992 17:05:23 +0200",
    "March 4th, 2024")."""
    line = line.strip()
    if not line or len(line) > _DATELINE_MAX_CHARS or str(date.year) not in line:
        return False
    if date.isoformat() in line or date.strftime("%Y/%m/%d") in line:
        return True
    month = calendar.month_name[date.month]
    named = re.search(rf"\b(?:{month}|{month[:3]})\b", line, re.IGNORECASE)
    day = re.search(rf"(?<![\d:.]){date.day:d}(?:st|nd|rd|th)?(?![\d:])", line)
    return named is not None and day is not None
