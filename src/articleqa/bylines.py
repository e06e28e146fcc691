"""What a byline looks like: the line at the top of an article that says who wrote it."""

from __future__ import annotations

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
