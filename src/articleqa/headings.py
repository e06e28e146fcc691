"""What a heading looks like in text that has no markup to say so (plain text, pasted news)."""

from __future__ import annotations

_HEADING_MAX_WORDS = 12


def is_heading(paragraph: str) -> bool:
    """A short line that does not end like a sentence: a section heading or a kicker."""
    words = paragraph.split()
    if not words or len(words) > _HEADING_MAX_WORDS or "\n" in paragraph:
        return False
    if paragraph.rstrip()[-1] in ".!?,;:\"'”’…)":
        return False
    first = paragraph.lstrip("\"'“‘([")[:1]
    return first.isupper() or first.isdigit()
