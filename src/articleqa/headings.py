"""What a heading looks like in text that has no markup to say so (plain text, pasted news)."""

from __future__ import annotations

import re

from articleqa.bylines import is_byline

_HEADING_MAX_WORDS = 12
# "Status: draft, experimental", "URL: https://...", "Rules-Requires-Root: no": a field and its
# value, as specs and mail headers write them, is a fact to quote, not a section's title (a
# kicker names more than one word: "Favor for Beijing: What Putin reportedly asked").
_FIELD = re.compile(r"^[A-Za-z][\w-]*:\s")
# An e-mail or web address: a heading names a section, never a mailbox or a page to visit.
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b(?:https?|ftp)://\S")
# A path on disk ("/etc/ssl/private/pure-ftpd.pem", "~/.config/tool/"): in a line, a setting's
# value or a file to look at, as a configuration line quoted in a README writes it, not a
# section's title; in an answer, where something is (``question``).
PATH_ON_DISK = r"(?<![\w/])(?:~|\.{1,2})?/[\w.-]+/[\w./-]*"
_PATH = re.compile(PATH_ON_DISK)


def is_heading(paragraph: str) -> bool:
    """A short line that does not end like a sentence: a section heading or a kicker."""
    words = paragraph.split()
    if not words or len(words) > _HEADING_MAX_WORDS or "\n" in paragraph:
        return False
    if paragraph.rstrip()[-1] in ".!?,;:\"'”’…)" or _FIELD.match(paragraph.strip()):
        return False
    if is_byline(paragraph):
        return False  # "By Marta Kovalenko" is who wrote the article, not a section of it
    if _ADDRESS.search(paragraph) or _PATH.search(paragraph):
        # "Richard P. Curnow <rc@rc0.org.uk>" under "Authors": whom to write to; "See its home
        # page, https://github.com/PhilipHazel/pcre2" in a release's notes: where to look. So
        # is a path.
        return False
    first = paragraph.lstrip("\"'“‘([")[:1]
    return first.isupper() or first.isdigit()
