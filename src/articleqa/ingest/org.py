"""Org mode documents (Emacs's outline format: README.org, notes), read as HTML, as Markdown and
reStructuredText are, so that their headings, paragraphs, lists, tables and code become the
same blocks.

Org has no reference parser on PyPI that renders it, so this reads the part of the syntax a
document's text lives in (the Org manual, "Document Structure" and "Markup for Rich
Export"): ``*`` headings (TODO keywords, priorities and tags left out), paragraphs joined
across their wrapped lines, plain and description lists, tables, ``#+BEGIN_SRC`` / ``EXAMPLE``
blocks and ``:`` lines as code, ``QUOTE`` / ``VERSE`` / ``CENTER`` blocks as text, links as
their description, and emphasis markers dropped (``=verbatim=`` and ``~code~`` as code).
``#+TITLE``, ``#+AUTHOR`` and ``#+DATE`` are the title, author and date; other keywords,
comments and drawers (``:PROPERTIES:`` … ``:END:``) are not text.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Iterator

from articleqa.ingest.blocks import article_from_blocks, blocks_from_html, take_title
from articleqa.ingest.dates import parse_date
from articleqa.ingest.mail import read_message, split_message
from articleqa.ingest.text import read_text
from articleqa.models import RawArticle

_KEYWORD = re.compile(r"^\s*#\+(\w+):[ \t]*(.*)$")
# "** TODO [#A] Heading text   :tag1:tag2:"
_HEADING = re.compile(
    r"^(\*+)[ \t]+(?:(?:TODO|DONE|NEXT|WAITING|CANCELLED)[ \t]+)?(?:\[#[A-Z0-9]\][ \t]+)?"
    r"(.*?)(?:[ \t]+:[\w@#%:]+:)?[ \t]*$"
)
_BLOCK_BEGIN = re.compile(r"^\s*#\+begin_(\w+)", re.IGNORECASE)
_BLOCK_END = re.compile(r"^\s*#\+end_(\w+)", re.IGNORECASE)
_DRAWER = re.compile(r"^\s*:(\w+):\s*$")
_DRAWER_END = re.compile(r"^\s*:end:\s*$", re.IGNORECASE)
# A list item: "-", "+" or "1." / "1)", and "*" only when indented (at the margin it heads).
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-+]|[ \t]+\*|\d+[.)])[ \t]+(?P<text>.*)$")
_CHECKBOX = re.compile(r"^\[[ xX-]\][ \t]+")
_DESCRIPTION = re.compile(r"^(?P<term>.+?)[ \t]+::(?:[ \t]+(?P<text>.*))?$")
_TABLE_ROW = re.compile(r"^\s*\|")
_TABLE_RULE = re.compile(r"^\s*\|[-+:]*-[-+:|]*\s*$")
_FIXED_WIDTH = re.compile(r"^\s*:(?:[ \t](?P<text>.*))?$")
_COMMENT = re.compile(r"^\s*#(?:[ \t]|$)")
_RULE = re.compile(r"^\s*-{5,}\s*$")  # a horizontal rule
_CODE_BLOCKS = frozenset({"src", "example"})
# "[[https://example.org][the site]]" reads "the site"; "[[https://example.org]]" the target.
_LINK = re.compile(r"\[\[([^\]\n]+)\](?:\[([^\]\n]+)\])?\]")
# Emphasis as Org marks it: the marker after a space, an opening bracket or quote, or the
# line's start, and before a space or punctuation; never inside a word ("/usr/bin/" and
# "snake_case" are not emphasis).
_EMPHASIS = re.compile(
    r"(?<![^\s\-({'\"])(?P<mark>[*/_=~+])(?P<text>[^\s*/_=~+](?:.*?[^\s])??)(?P=mark)"
    r"(?=[\s\-.,:;!?'\")}\[]|$)"
)
_CODE_MARKS = frozenset("=~")
# Org's forced line break: "\\" at a line's end (the lines joined by a space).
_LINE_BREAK = re.compile(r"\\\\(?: |$)")


def _inline(text: str) -> str:
    """The HTML of a line of Org text: links as their words, emphasis without its markers."""
    parts: list[str] = []
    position = 0
    for link in _LINK.finditer(text):
        parts.append(_emphasis(text[position : link.start()]))
        parts.append(_emphasis(link.group(2) or link.group(1)))
        position = link.end()
    parts.append(_emphasis(text[position:]))
    return "".join(parts)


def _emphasis(text: str) -> str:
    out: list[str] = []
    position = 0
    for match in _EMPHASIS.finditer(text):
        mark, inner = match.group("mark"), match.group("text")
        if mark in inner:
            continue  # a path ("/usr/share/ferry/") or an expression, not emphasis
        out.append(html.escape(text[position : match.start()]))
        out.append(
            f"<code>{html.escape(inner)}</code>" if mark in _CODE_MARKS else html.escape(inner)
        )
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


class _Converter:
    """Org lines to HTML, one construct at a time."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0
        self.keywords: dict[str, str] = {}

    def html(self) -> str:
        return "\n".join(self._elements())

    def _elements(self) -> Iterator[str]:
        lines = self.lines
        while self.index < len(lines):
            line = lines[self.index]
            start = self.index
            yield from self._element(line)
            if self.index == start:  # never stuck on a line no construct takes
                self.index += 1

    def _element(self, line: str) -> Iterator[str]:
        if not line.strip() or _COMMENT.match(line) or _RULE.match(line):
            self.index += 1
        elif heading := _HEADING.match(line):
            level = min(len(heading.group(1)), 6)
            self.index += 1
            yield f"<h{level}>{_inline(heading.group(2))}</h{level}>"
        elif (begin := _BLOCK_BEGIN.match(line)) and (
            end := self._closing(_BLOCK_END, begin.group(1).lower())
        ):
            yield from self._block(begin.group(1).lower(), end)
        elif keyword := _KEYWORD.match(line):
            self.keywords.setdefault(keyword.group(1).lower(), keyword.group(2).strip())
            self.index += 1
        elif _DRAWER.match(line) and (end := self._closing(_DRAWER_END)):
            self.index = end + 1  # a drawer (properties, a log) is no text
        elif _TABLE_ROW.match(line):
            yield self._table()
        elif _FIXED_WIDTH.match(line):
            yield self._fixed_width()
        elif _ITEM.match(line):
            yield self._list()
        else:
            yield self._paragraph()

    def _closing(self, pattern: re.Pattern[str], kind: str | None = None) -> int | None:
        """The line that closes the block or drawer opening at the current line; without
        one, Org reads the opening line as text."""
        for number in range(self.index + 1, len(self.lines)):
            end = pattern.match(self.lines[number])
            if end and (kind is None or end.group(1).lower() == kind):
                return number
        return None

    def _block(self, kind: str, end: int) -> Iterator[str]:
        body = self.lines[self.index + 1 : end]
        self.index = end + 1
        if kind in _CODE_BLOCKS:
            # Org indents a block inside a list item: the code is read without that indentation.
            yield _code_block(textwrap.dedent("\n".join(body)).strip("\n"))
        elif kind in ("quote", "verse", "center"):
            yield f"<blockquote>{_Converter(body).html()}</blockquote>"
        elif kind not in ("comment", "export"):
            # A block Org leaves to the exporter ("#+BEGIN_NOTE"): its text is the document's.
            yield _Converter(body).html()

    def _table(self) -> str:
        rows: list[list[str]] = []
        header_rows = 0
        while self.index < len(self.lines) and _TABLE_ROW.match(self.lines[self.index]):
            line = self.lines[self.index].strip()
            self.index += 1
            if _TABLE_RULE.match(line):
                header_rows = header_rows or len(rows)
                continue
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        html_rows = []
        for number, cells in enumerate(rows):
            tag = "th" if number < header_rows else "td"
            html_rows.append("".join(f"<{tag}>{_inline(c)}</{tag}>" for c in cells))
        return "<table>" + "".join(f"<tr>{row}</tr>" for row in html_rows) + "</table>"

    def _fixed_width(self) -> str:
        body: list[str] = []
        while self.index < len(self.lines):
            fixed = _FIXED_WIDTH.match(self.lines[self.index])
            if fixed is None:
                break
            body.append(fixed.group("text") or "")
            self.index += 1
        return _code_block("\n".join(body))

    def _list(self, indent: int | None = None) -> str:
        """A list: its items while they are of its kind (plain or "term :: description") and
        not indented less than its first; an item indented more starts a list inside the
        item before it."""
        first = _ITEM.match(self.lines[self.index])
        assert first is not None
        indent = len(first.group("indent")) if indent is None else indent
        described = _DESCRIPTION.match(_CHECKBOX.sub("", first.group("text"))) is not None
        ordered = first.group(0).lstrip()[:1].isdigit()
        entries: list[str] = []
        while self.index < len(self.lines):
            item = _ITEM.match(self.lines[self.index])
            if item is None:
                break
            own_indent = len(item.group("indent"))
            if own_indent < indent:
                break
            if own_indent > indent and entries:
                nested = self._list(own_indent)
                close = entries[-1][-5:]  # "</li>" or "</dd>"
                entries[-1] = f"{entries[-1][:-5]}{nested}{close}"
                continue
            text = _CHECKBOX.sub("", item.group("text"))
            if (_DESCRIPTION.match(text) is not None) != described:
                break  # another kind of list begins
            self.index += 1
            lines = [text]
            # The item goes on over the lines indented past its bullet.
            while self.index < len(self.lines):
                line = self.lines[self.index]
                if not line.strip() or _ITEM.match(line) or _BLOCK_BEGIN.match(line):
                    break  # a block inside an item is read as a block after it
                if len(line) - len(line.lstrip()) <= own_indent:
                    break
                lines.append(line.strip())
                self.index += 1
            joined = " ".join(lines)
            term = _DESCRIPTION.match(joined) if described else None
            if term is not None:
                definition = _inline(term.group("text") or "")
                entries.append(f"<dt>{_inline(term.group('term'))}</dt><dd>{definition}</dd>")
            else:
                entries.append(f"<li>{_inline(joined)}</li>")
            # A blank line between items does not end the list.
            following = self.index
            while following < len(self.lines) and not self.lines[following].strip():
                following += 1
            if self.index < following < len(self.lines) and _ITEM.match(self.lines[following]):
                self.index = following
        tag = "dl" if described else "ol" if ordered else "ul"
        return f"<{tag}>{''.join(entries)}</{tag}>"

    def _paragraph(self) -> str:
        """A paragraph: its first line, whatever it holds, and the lines after it up to a
        blank line or the start of another construct."""
        text: list[str] = []
        while self.index < len(self.lines):
            line = self.lines[self.index]
            if not line.strip() or (
                text
                and (
                    _HEADING.match(line)
                    or _BLOCK_BEGIN.match(line)
                    or _KEYWORD.match(line)
                    or _TABLE_ROW.match(line)
                    or _ITEM.match(line)
                    or _COMMENT.match(line)
                )
            ):
                break
            text.append(line.strip())
            self.index += 1
        # A line ending in "\\" ends there ("Homepage: ... \\" then "Source: ...").
        lines = [part.strip() for part in _LINE_BREAK.split(" ".join(text))]
        return f"<p>{'<br>'.join(_inline(part) for part in lines if part)}</p>"


def _code_block(code: str) -> str:
    return f"<pre><code>{html.escape(code)}</code></pre>"


# An Org document saved as text (README.org as README.txt) opens with its keyword lines
# ("#+TITLE: Zutty user guide", "#+OPTIONS: ..."): no plain text does.
_OPENING_KEYWORD = re.compile(
    r"\A\s*#\+(?:TITLE|AUTHOR|DATE|OPTIONS|STARTUP|SETUPFILE|LANGUAGE):", re.IGNORECASE
)


def is_org(text: str) -> bool:
    """Whether plain ``text`` is an Org document: it opens with Org keyword lines."""
    return _OPENING_KEYWORD.match(text) is not None


def read_text_or_org(text: str, source: str | None) -> RawArticle:
    """Text with no format of its own (a ``.txt`` file, a ``text/plain`` page): plain text, a
    mail or news message saved as text (``split_message``), or an Org document saved as text
    (``is_org``)."""
    message = split_message(text)
    if message is not None:
        return read_message(message, source)
    return read_org(text, source) if is_org(text) else read_text(text, source)


def read_org(text: str, source: str | None) -> RawArticle:
    converter = _Converter(text.splitlines())
    blocks = blocks_from_html(converter.html())
    keywords = converter.keywords
    title = keywords.get("title", "").strip()
    if not title:
        title, blocks = take_title(blocks)
    return article_from_blocks(
        title,
        blocks,
        "Org document",
        source,
        author=keywords.get("author") or None,
        published=parse_date(_timestamp_date(keywords.get("date", ""))),
    )


# An Org timestamp: "<2026-05-14 Thu>", "[2026-05-14 Thu 10:00]".
_TIMESTAMP = re.compile(r"^[<\[](\d{4}-\d{2}-\d{2})\b[^>\]]*[>\]]$")


def _timestamp_date(value: str) -> str:
    """The date of ``#+DATE``: an Org timestamp's day, or the value as written."""
    stamp = _TIMESTAMP.match(value.strip())
    return stamp.group(1) if stamp else value
