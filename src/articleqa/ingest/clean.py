"""Cleaning done once at ingest: the cleaned text is stored and every quote is cut from it."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterable

from articleqa.models import Block, BlockKind

PARAGRAPH_BREAK = "\n\n"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BULLET = re.compile(r"^(?:[-*•·▪]\s+|\d{1,3}[.)]\s+)")
_SENTENCE_END = re.compile(r"[.!?:;\"'”’)\]]$")
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-$")
_MAX_WRAP_WIDTH = 100
# A setext underline or a rule: one of these characters repeated, alone on its line
# ("=====" under a title, "-----" between sections). Decoration, not text.
_RULE_LINE = re.compile(r"^\s*([=\-~*#^_+])\1{2,}\s*$")
# A gap between the columns of a table laid out with spaces: two or more spaces (or a tab)
# between words, not after a sentence's or clause's end (prose set with two spaces after a
# full stop is not a table).
_COLUMN_GAP = re.compile(r"[^\s.!?:;,](?: {2,}|\t+)\S")

_TIME = r"\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
)
# "By Jane Doe 05:13 pm Oct 25, 202405:13 pm": a byline glued to a timestamp, as pasted
# from news sites. It carries no content, so it is dropped (the name becomes the author).
# Time zones are upper case even though the rest matches case-insensitively; otherwise any
# short word ("was", "the") would pass for one and a content line could be taken for a stamp.
_ZONE = r"(?-i:[A-Z]{2,4})"
_STAMP_PREFIX = r"(?:(?:updated|published|last updated|posted)\s*:?\s*)?(?:(?:on|at)\s+)?"
_STAMPS = rf"{_STAMP_PREFIX}(?:{_TIME}|{_DATE})(?:[\s,|•\-–—]*(?:{_TIME}|{_DATE}|{_ZONE}))*\s*$"
# The whole line must be name plus stamps: "By the time the ministry published its figures..."
# is content, not a byline.
_BYLINE_WITH_TIME = re.compile(
    rf"^by\s+(?P<name>[^\d|•]{{2,80}}?)\s*[|•,\-–—]?\s*{_STAMPS}",
    re.IGNORECASE,
)
_DATELINE_ONLY = re.compile(rf"^{_STAMPS}", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(?:advertisement|sponsored|share( this( article| story)?)?|read more|subscribe( now)?|"
    r"follow us( on .{1,40})?|sign up for .{1,60}|click here .{0,60}|story continues below"
    r"( advertisement)?|skip to (?:main )?content)\W*$",
    re.IGNORECASE,
)


def normalize_unicode(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text)


def byline_author(line: str) -> str | None:
    """The name in a news byline glued to a timestamp, or None if ``line`` is not one."""
    match = _BYLINE_WITH_TIME.match(line.strip())
    if not match:
        return None
    return match.group("name").strip(" ,|-–—") or None


def is_noise_line(line: str) -> bool:
    """Lines pasted articles carry that are not content: bylines with times, bare dates, ads."""
    stripped = line.strip()
    if not stripped:
        return True
    return bool(
        byline_author(stripped) or _DATELINE_ONLY.match(stripped) or _BOILERPLATE.match(stripped)
    )


def _join_lines(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines of one block into paragraphs; keep bullets and short lines apart.

    A line that ends a sentence and is shorter than the block's wrap width (or longer than any
    hard-wrap width) closes its paragraph, so text with one paragraph per line stays apart while
    wrapped prose is joined.
    """
    paragraphs: list[str] = []
    wrap_width = max((len(line) for line in lines), default=0)
    current = ""
    last_line = ""
    for line in lines:
        if not current:
            current = last_line = line
            continue
        short_line = len(last_line) < 0.75 * wrap_width
        # Nobody hard-wraps wider than this, so a longer line is a whole paragraph on its own.
        unwrapped_line = len(last_line) > _MAX_WRAP_WIDTH
        ends_sentence = bool(_SENTENCE_END.search(last_line))
        looks_like_heading = short_line and not ends_sentence and len(current.split()) <= 12
        if (
            _BULLET.match(line)
            or (ends_sentence and (short_line or unwrapped_line))
            or looks_like_heading
        ):
            paragraphs.append(current)
            current = line
        elif _HYPHEN_BREAK.search(current) and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}"
        last_line = line
    if current:
        paragraphs.append(current)
    return paragraphs


def clean_text(raw: str) -> tuple[str, str | None]:
    """Clean ``raw`` into paragraphs separated by blank lines.

    Returns the cleaned text and the author named by a dropped byline, if any.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    author: str | None = None
    paragraphs: list[str] = []
    for block in _BLANK_LINES.split(text):
        block_lines: list[tuple[str, str]] = []
        for raw_line in block.split("\n"):
            line = normalize_unicode(raw_line).strip()
            if not line or _RULE_LINE.match(line):
                continue
            if is_noise_line(line):
                author = author or byline_author(line)
                continue
            block_lines.append((line, raw_line.rstrip()))
        paragraphs.extend(_paragraphs(block_lines))
    return PARAGRAPH_BREAK.join(p for p in paragraphs if p), author


def _paragraphs(lines: list[tuple[str, str]]) -> list[str]:
    """A block's paragraphs (``lines`` are each cleaned line with the line as written): its
    prose joined across wraps, and the rows of a table laid out with spaces kept one per line."""
    paragraphs: list[str] = []
    prose: list[str] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and _COLUMN_GAP.search(lines[end][1]):
            end += 1
        if end - index >= 2 and _aligned([written for _, written in lines[index:end]]):
            paragraphs.extend(_join_lines(prose))
            prose = []
            paragraphs.append(_table(written for _, written in lines[index:end]))
            index = end
        else:
            prose.extend(line for line, _ in lines[index : max(end, index + 1)])
            index = max(end, index + 1)
    paragraphs.extend(_join_lines(prose))
    return paragraphs


def _table(rows: Iterable[str]) -> str:
    """A table's rows as laid out, so its columns still line up when quoted: tabs expanded,
    the indentation they share removed."""
    # Cleaned as code is (spacing is meaning in both), then laid out at its own left edge.
    return textwrap.dedent(_clean_code("\n".join(rows)).expandtabs())


def _aligned(rows: list[str]) -> bool:
    """Whether lines with gaps are a table's rows: its columns start at the same places on
    every row (two places, or one over three rows or more). Justified text (man pages) has
    gaps too, but wherever its words fall."""
    starts = [{m.end() - 1 for m in _COLUMN_GAP.finditer(row.expandtabs())} for row in rows]
    shared = set.intersection(*starts)
    return len(shared) >= 2 or (len(shared) >= 1 and len(rows) >= 3)


def _clean_code(text: str) -> str:
    # Indentation is meaning in code: only invisible characters and trailing spaces go.
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_CONTROL.sub("", line).rstrip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line.strip())


def clean_blocks(blocks: Iterable[Block]) -> tuple[list[Block], str | None]:
    """Clean a structured reader's blocks one by one; their kinds and order are kept.

    Lines inside a block stay lines (list items, table rows, a term and its definition), blank
    lines are removed (they separate blocks in the stored text), noise lines are dropped.
    """
    author: str | None = None
    cleaned: list[Block] = []
    for block in blocks:
        if block.kind is BlockKind.CODE:
            text = _clean_code(block.text)
        else:
            lines: list[str] = []
            for line in normalize_unicode(block.text).split("\n"):
                line = line.strip()
                if block.kind is BlockKind.TEXT and line and is_noise_line(line):
                    author = author or byline_author(line)
                    continue
                if line:
                    lines.append(line)
            text = ("\n" if block.kind is BlockKind.TEXT else " ").join(lines)
        if text:
            cleaned.append(Block(block.kind, text, block.level))
    return cleaned, author
