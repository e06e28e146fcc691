"""Plain text: the first non-empty line is the title."""

from __future__ import annotations

import itertools
import re

from articleqa.bylines import signature_author, title_block_author
from articleqa.ingest.clean import RULE_LINE
from articleqa.models import RawArticle

_TITLE_MAX_CHARS = 120
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")
# A mark in brackets above the title ("<DRAFT!>", "[WIP]") says what state the text is in, not
# what it is called: the title is the line after it.
_STATUS_MARK = re.compile(r"[<\[(][^<>\[\]()\n]{1,30}[>\])]")
# So does a note in brackets ("[If you just got the screen package, it pays to read the file
# INSTALL]"), and a stamp of initials and dates with no word in it ("jw  21.10.93").
_NOTE = re.compile(r"\[[^\[\]\n]+\]")
_WORD = re.compile(r"[^\W\d_]{3,}")
_MARGIN_COLUMNS = 24
# A title drawn between rules on its line: "---------- Frequently Asked Questions ----------".
_BANNER = re.compile(r"^([=\-~*#_+])\1{2,}\s+(?P<title>\S.*?\S)\s+\1{3,}$")


def title_from_first_line(text: str) -> tuple[str, str]:
    """Split ``text`` into a title and a body.

    A short first line is a title and leaves the body. A long first line, or one that ends as a
    sentence does, is content (a pasted summary, say): it stays in the body and its first
    sentence, shortened, becomes the title.
    """
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    first = first.strip()
    rule = ""
    # Rules drawn above a title decorate it ("-----" lines, procmail's FAQ): no title.
    while RULE_LINE.match(first) and rest.strip():
        rule = first
        stripped = rest.strip()
        first, _, rest = stripped.partition("\n")
        first = first.strip()
    if rule and _opens_sections(rule, rest):
        # The rule is the one drawn above every section (a NEWS file's "=====" over each
        # release): the first line heads the first section too, and stays in the text, where
        # its facts can be quoted ("* 1.12.0, 2022-05-26").
        return first.lstrip("# ").strip(), f"{rule}\n{stripped}"
    banner = _BANNER.match(first)
    if banner:
        first = banner.group("title")  # "------ Frequently Asked Questions ------"
    not_a_title = (
        _STATUS_MARK.fullmatch(first)
        or _NOTE.fullmatch(first)
        or (_set_in_the_margin(text) and not _WORD.search(first))
    )
    if not_a_title and rest.strip():
        # The mark stays in the text, above the rest: nothing of the file is dropped.
        title, body = title_from_first_line(rest)
        return title, f"{first}\n\n{body}"
    # A first line that ends with a full stop is a sentence ("Version 1.2 ratified on October
    # 1st, 2022."), not a headline: headlines are not punctuated so, and the line's facts must
    # stay quotable.
    is_prose = (
        len(first.split()) > 20
        or len(first) > _TITLE_MAX_CHARS
        or (first.endswith(".") and not first.endswith(".."))
    )
    if not is_prose:
        return first.lstrip("# ").strip(), rest
    sentence_match = _FIRST_SENTENCE.match(first)
    title = sentence_match.group(1) if sentence_match else first
    if len(title) > _TITLE_MAX_CHARS:
        title = title[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return title, stripped


def _set_in_the_margin(text: str) -> bool:
    """Whether the first line of ``text`` with anything on it stands far to the right, as a
    stamp of initials and dates does ("jw  21.10.93" over GNU screen's FAQ); a changelog's
    first release ("0.20.4") starts its line."""
    line = next((line for line in text.split("\n") if line.strip()), "")
    indent = line[: len(line) - len(line.lstrip())].expandtabs(8)
    return len(indent) >= _MARGIN_COLUMNS


def _opens_sections(rule: str, rest: str) -> bool:
    """Whether ``rule`` is drawn again further on, alone above a line of its own, as a rule
    between sections is."""
    lines = [line.strip() for line in rest.split("\n")]
    return any(
        line == rule and ahead and not RULE_LINE.match(ahead)
        for line, ahead in itertools.pairwise(lines)
    )


def read_text(text: str, source: str | None) -> RawArticle:
    title, body = title_from_first_line(text)
    author = title_block_author(body) or signature_author(body)
    return RawArticle(title=title, text=body, author=author, source=source)
