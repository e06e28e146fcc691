"""Cleaning done once at ingest: the cleaned text is stored and every quote is cut from it."""

from __future__ import annotations

import itertools
import re
import textwrap
import unicodedata
from collections.abc import Iterable, Iterator

from articleqa.headings import is_heading
from articleqa.models import Block, BlockKind, LayoutSpan

PARAGRAPH_BREAK = "\n\n"
# An outline indents most of its lines to the body's depth (rendered man pages: 0.95-0.98 of
# them; news pasted as text: none).
_OUTLINE_SHARE = 0.75
# An underlined heading: a line of a few words, its underline at least half as long.
_UNDERLINED_MAX_WORDS = 12
_UNDERLINE_SHARE = 0.5

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# A heading marked as Markdown marks one, at the start of a line: "### BUGFIXES".
# Not a comment over more comment or over a setting, as a configuration file's ("# WPA
# pre-shared keys for WPA-PSK. ..." / "# secret in hex format ...", "# Default passphrase" /
# "wpa_passphrase=12345678"), which READMEs quote in plain text.
_ATX_HEADING = re.compile(
    r"^(?P<marks>#{1,6})[ \t]+(?P<text>[^\s#][^\n]{0,79}?)[ \t#]*$(?!\n[ \t]*(?:#|[\w.-]+[ \t]*=))",
    re.M,
)
_ATX_HEADINGS_MIN = 2
# A bullet, or an item's number: "3.", "2)", or a section's "2.1.3." in a table of contents.
_BULLET = re.compile(r"^(?:[-*•·▪]\s+|\d{1,3}(?:\.\d{1,3})*[.)]\s+)")
_SENTENCE_END = re.compile(r"[.!?:;\"'”’)\]]$")
# A word broken over two lines: "-", or the hyphen groff sets at a line's end in a man page
# rendered to text ("lan‐" / "guage", U+2010), or a soft hyphen.
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])[-\u2010\u00ad]$")
_MAX_WRAP_WIDTH = 100
_WRAPPED_LINES = 3  # fewer line breaks are too few to tell a wrap width from chance
_WRAPPED_SHARE = 0.5
# A setext underline or a rule: one of these characters repeated, alone on its line
# ("=====" under a title, "-----" between sections). Decoration, not text.
RULE_LINE = re.compile(r"^\s*([=\-~*#^_+])\1{2,}\s*$")
# A gap between the columns of a table laid out with spaces: two or more spaces (or a tab)
# between words, not after a sentence's or clause's end (prose set with two spaces after a
# full stop is not a table).
# A diagram drawn in characters: a box's edge ("+---+---+") or a row of its cells ("| Foo |").
_BOX_EDGE = re.compile(r"^\s*\+[-=+]{2,}\+")
_BOX_ROW = re.compile(r"^\s*[|+]")
_COLUMN_GAP = re.compile(r"[^\s.!?:;,](?: {2,}|\t+)\S")

_TIME = r"\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# A day without its year ("Jun 13, 4:03 PM EDT", as sites print this year's stamps) counts
# only with the time after it: "By Jane Doe Jun 13" alone is as likely to be prose.
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|{_MONTH}\s+\d{{1,2}},?\s+(?={_TIME}))"
)
# "By Jane Doe 05:13 pm Oct 25, 202405:13 pm": a byline glued to a timestamp, as pasted
# from news sites. Its name becomes the article's author. The stamp is dropped and the byline
# ("By Jane Doe") stays: it is what a quote answering "Who wrote this story?" shows, and the
# stamp is never quoted.
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
# A date alone ("March 17, 2005", "2026-05-14"), without a time or a word before it.
_DATE_ALONE = re.compile(rf"^{_DATE}$", re.IGNORECASE)
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
    byline = _byline(line)
    return byline[1] if byline else None


def _byline(line: str) -> tuple[str, str] | None:
    """A news byline glued to a timestamp as the text keeps it (the line without its stamp:
    "By Jane Doe" of "By Jane Doe 05:13 pm Oct 25, 202405:13 pm") and the name in it."""
    line = line.strip()
    match = _BYLINE_WITH_TIME.match(line)
    if not match:
        return None
    name = match.group("name").rstrip(" ,|-–—")
    if not name.strip(" ,|-–—"):
        return None
    return line[: match.start("name") + len(name)], name.strip(" ,|-–—")


def _content_line(line: str) -> tuple[str, str | None] | None:
    """A line of text as it is stored and the author it names: a byline without its stamp
    and its name, another line as it is (no name), noise None."""
    byline = _byline(line)
    if byline is not None:
        return byline
    if _ANCHOR_LINE.match(line):
        return None  # markup naming the block under it, as an HTML id: nothing to read
    return None if is_noise_line(line) else (line, None)


# An AsciiDoc block anchor on its own line ("[[get-256-colours]]" over a section's title,
# "[#install]"): the id links point to, said by nothing the text says.
_ANCHOR_LINE = re.compile(r"^(?:\[\[[A-Za-z_][\w:.-]*(?:,[^\]\n]*)?\]\]|\[#[A-Za-z_][\w:.-]*\])$")


def is_noise_line(line: str) -> bool:
    """Lines pasted articles carry that are not content: bare dates and times, ads. (A byline
    is content: it says who wrote the article.)"""
    stripped = line.strip()
    if not stripped:
        return True
    return bool(_DATELINE_ONLY.match(stripped) or _BOILERPLATE.match(stripped))


def rewrapped(parts: list[list[str]]) -> list[str]:
    """The paragraphs of a block whose ``parts`` (its lines, in groups a blank line parts) are
    a text file's hard-wrapped lines: joined as a text file's are. Wrapped lines are most about
    as long as the longest (which a wrap width bounds) and most break a sentence (the next line
    goes on in lower case). Else each part is one paragraph keeping its lines, which the author
    broke on purpose (an address, a reference's lines, a definition's several signatures)."""
    lines = [line for part in parts for line in part]
    width = max((len(line) for line in lines), default=0)
    pairs = [(line, after) for part in parts for line, after in itertools.pairwise(part)]
    wide = sum(len(line) >= 0.75 * width for line, _ in pairs)
    continued = sum(after[:1].islower() for _, after in pairs)
    if (
        len(pairs) < _WRAPPED_LINES
        or width > _MAX_WRAP_WIDTH
        or min(wide, continued) < _WRAPPED_SHARE * len(pairs)
    ):
        return ["\n".join(part) for part in parts if part]
    return [paragraph for part in parts for paragraph in _join_lines(part)]


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

    Returns the cleaned text and the author named by a byline, if any.
    """
    text, _, author = clean_plain_text(raw)
    return text, author


def clean_plain_text(raw: str) -> tuple[str, list[LayoutSpan] | None, str | None]:
    """Clean ``raw`` into paragraphs separated by blank lines, and say where its headings are
    when its indentation shows them (an outline, below); None: nothing shows them.

    Returns the cleaned text, the headings' layout and the author named by a byline.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    author: str | None = None
    has_content = False
    blocks: list[list[tuple[str, str]]] = []
    # Each marked heading's level, by the line's id: "Authors" over "=======", a release
    # under the rule between two releases, "### CHANGES".
    underlined: dict[int, int] = {}
    # A text that starts with a rule is a body under its title's underline ("New in version
    # 4.3" / "=====" / "Enhancements" / "-----"): that character is the first level's.
    leading = RULE_LINE.match(text.lstrip("\n").split("\n", 1)[0].strip())
    levels = [leading.group(1)] if leading else []
    # "### CHANGES": a text heading its sections as Markdown does (a NEWS file), at least
    # twice, each mark at the start of its paragraph; once may be a root prompt's "# make".
    atx_marked = len(_ATX_HEADING.findall(text)) >= _ATX_HEADINGS_MIN
    overlined: tuple[str, str] | None = None  # the last line marked by a rule above it

    def level_of(mark: str) -> int:
        """A rule character's level: the order in which the text first draws each."""
        if mark not in levels:
            levels.append(mark)
        return levels.index(mark) + 1

    for block in _BLANK_LINES.split(text):
        block_lines: list[tuple[str, str]] = []
        raw_lines = block.split("\n")
        lines = [normalize_unicode(raw_line).strip() for raw_line in raw_lines]
        atx = _ATX_HEADING.match(block.lstrip("\n")) if atx_marked else None
        if atx is not None:
            lines[next(i for i, line in enumerate(lines) if line)] = atx.group("text")
        # A date among other lines of its paragraph is the text's own ("Vixie Cron V3.0" /
        # "December 27, 1993" / "[V2.2 was some time in 1992]"): a pasted stamp stands alone.
        among_text = any(line and not is_noise_line(line) for line in lines)
        above: tuple[str, str] | None = None  # the line just above, when it was kept
        for raw_line, line in zip(raw_lines, lines, strict=True):
            rule = RULE_LINE.match(line)
            if (
                rule
                and above is not None
                and block_lines == [above]
                and _underlines(line, above[0])
            ):
                underlined[id(above)] = level_of(rule.group(1))
            above = None
            if not line or rule:
                continue
            kept = _content_line(line)
            if kept is None and among_text and _DATE_ALONE.match(line):
                kept = (line, None)
            if kept is None:
                continue
            line, name = kept
            author = author or name
            has_content = has_content or name is None
            above = (line, raw_line.rstrip())
            block_lines.append(above)
        if atx is not None and block_lines:
            underlined[id(block_lines[0])] = len(atx.group("marks"))
        elif (
            len(block_lines) == 1
            and id(block_lines[0]) not in underlined
            and (overline := RULE_LINE.match(lines[0])) is not None
            and len(block_lines[0][0].split()) <= _UNDERLINED_MAX_WORDS
        ):
            # A line alone under a rule opens the section the rule starts ("=====" /
            # "* 1.11.12, 2021-03-28"): the rule is drawn above it, as an underline below.
            underlined[id(block_lines[0])] = level_of(overline.group(1))
            overlined = block_lines[0]
        blocks.append(block_lines)
    last = next((b for b in reversed(blocks) if b), None)
    if overlined is not None and last == [overlined]:
        # Nothing under it: a closing line set off by a rule ("-----" / "Jane Doe"), text.
        del underlined[id(overlined)]
    if not has_content:
        return "", None, author  # a byline alone is no article
    blocks = _without_contents(blocks)
    if underlined:
        text, layout = join_blocks(_underlined_sections(blocks, underlined))
        return text, layout, author
    outline = _is_outline(blocks)
    cleaned: list[Block] = []
    for part, opens in _parts(blocks) if outline else ((b, False) for b in blocks):
        kind, level = (BlockKind.HEADING, 2) if opens else (BlockKind.TEXT, 0)
        cleaned.extend(Block(kind, p, level) for p in _paragraphs(part) if p)
    text, layout = join_blocks(cleaned)
    return text, layout if outline else None, author


# A table of contents' entry as it is written again at its section: leader dots and a page
# number dropped ("1. Introduction ........ 3"), spacing and case aside.
_LEADER = re.compile(r"(?:\s*\.{2,})?\s+\d{1,4}$")
_CONTENTS_RUN = 3


def _without_contents(blocks: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """The text without its table of contents: a run of distinct short lines each of which
    stands again further on alone between blank lines, as its section's heading. Its entries
    were quoted before the sections themselves ("2.1.2.3. Stream Flags 2.1.2.4. Footer Magic
    Bytes" for "What are the footer magic bytes?"); the sections keep every word of it."""
    placed = [
        (b, i, _contents_key(line))
        for b, block in enumerate(blocks)
        for i, (line, _) in enumerate(block)
    ]
    # Each key's first block of its own (a line alone between blank lines).
    standing_alone: dict[str, int] = {}
    for b, _, key in placed:
        if len(blocks[b]) == 1:
            standing_alone.setdefault(key, b)
    dropped: set[tuple[int, int]] = set()
    run: list[tuple[int, int]] = []
    keys: set[str] = set()
    for b, i, key in [*placed, (len(blocks), 0, "")]:
        entry = bool(key) and standing_alone.get(key, -1) > b
        if entry and key not in keys:
            run.append((b, i))
            keys.add(key)
            continue
        if len(run) >= _CONTENTS_RUN:
            dropped.update(run)
        # A repeated entry ends the run and starts the next one.
        run, keys = ([(b, i)], {key}) if entry else ([], set())
    if not dropped:
        return blocks
    return [
        [line for i, line in enumerate(block) if (b, i) not in dropped]
        for b, block in enumerate(blocks)
    ]


def _contents_key(line: str) -> str:
    # A FAQ lists its questions first, each asked again over its answer ("Q: I cannot compile
    # leafnode on Linux!"): an entry may end as a sentence does, but is one line.
    if len(line) > _MAX_WRAP_WIDTH:
        return ""  # prose, not an entry
    return " ".join(_LEADER.sub("", line).split()).casefold()


def join_blocks(blocks: Iterable[Block]) -> tuple[str, list[LayoutSpan]]:
    """The stored text of cleaned blocks, a blank line between them, and where its headings
    and code blocks are."""
    parts: list[str] = []
    layout: list[LayoutSpan] = []
    position = 0
    for block in blocks:
        if parts:
            position += len(PARAGRAPH_BREAK)
        if block.kind is not BlockKind.TEXT:
            layout.append(
                LayoutSpan(
                    kind=block.kind,
                    start=position,
                    end=position + len(block.text),
                    level=block.level,
                )
            )
        parts.append(block.text)
        position += len(block.text)
    return PARAGRAPH_BREAK.join(parts), layout


def _underlines(rule: str, line: str) -> bool:
    """Whether ``rule`` underlines ``line`` as a heading: about as long as it (a heading is a
    line, not a paragraph's last line over a rule between sections)."""
    return len(line.split()) <= _UNDERLINED_MAX_WORDS and len(rule) >= _UNDERLINE_SHARE * len(line)


def _underlined_sections(
    blocks: list[list[tuple[str, str]]], underlined: dict[int, int]
) -> list[Block]:
    """The blocks of a text that marks headings ("What is chrony?" over "======", "Enhancements"
    over "------", a release under a rule, "### CHANGES"): those lines are headings whatever
    they end with, each of the level ``underlined`` gives it (a rule's: the order the text
    first uses each character, as reStructuredText's are; a mark's: its number of "#"). A text
    may head other sections without underlining them
    ("INTRODUCTION" in a file whose title alone is underlined): other lines are headings by
    their shape, as in any plain text (level 0: not said)."""
    found: list[Block] = []
    for block in blocks:
        part: list[tuple[str, str]] = []
        for line in block:
            level = underlined.get(id(line))
            if level is None:
                part.append(line)
                continue
            found.extend(Block(BlockKind.TEXT, p) for p in _paragraphs(part) if p)
            part = []
            found.append(Block(BlockKind.HEADING, line[0], min(level, 6)))
        found.extend(Block(BlockKind.TEXT, p) for p in _paragraphs(part) if p)
    last = len(found) - 1
    return [
        Block(BlockKind.HEADING, b.text)
        if i < last and b.kind is BlockKind.TEXT and is_heading(b.text)
        else b
        for i, b in enumerate(found)
    ]


def _indent(line: str) -> int:
    expanded = line.expandtabs()
    return len(expanded) - len(expanded.lstrip())


def _is_outline(blocks: list[list[tuple[str, str]]]) -> bool:
    """Whether the text is laid out as an outline: most lines indented, as a rendered man page,
    an RFC or Debian's plain-text documents are (0.78-0.98 of their lines; pasted news: none).

    There a heading is a line the text under it is indented deeper than ("AUTHOR" at the margin,
    "Yann Collet" under it), and a short line of the body ("Yann Collet", "Report bugs at:
    https://...") is text, however short it is.
    """
    indents = [_indent(raw) for block in blocks for _, raw in block]
    return bool(indents) and sum(1 for i in indents if i > 0) >= _OUTLINE_SHARE * len(indents)


def _parts(
    blocks: list[list[tuple[str, str]]],
) -> Iterator[tuple[list[tuple[str, str]], bool]]:
    """An outline's blocks cut into parts, each with whether it is a heading: a one-line part
    shaped like a heading whose next line (in its block or the next) is indented deeper.

    Within a block, a line as long as the text's wrapped lines is the first line of a
    paragraph wrapped under a hanging indent ("1. Nothing in this constitution imposes an\n
    obligation", "D If pattern space contains no newline, start a normal new cycle\n   as if
    ..."), not a heading: a heading is short ("NAME", "Matching Control", "1. Debian will
    remain 100% free").
    """
    placed = [(line, number) for number, block in enumerate(blocks) for line in block]
    widths = [len(raw.expandtabs()) for raw in (raw for (_, raw), _ in placed)]
    wrap_width = max((w for w in widths if w <= _MAX_WRAP_WIDTH), default=0)
    opens = {
        id(line): _indent(after[1]) > _indent(line[1])
        and (number != after_number or len(line[1].expandtabs()) < 0.75 * wrap_width)
        for (line, number), (after, after_number) in itertools.pairwise(placed)
    }
    for block in blocks:
        part: list[tuple[str, str]] = []
        for line in block:
            if opens.get(id(line), False) and is_heading(line[0]):
                if part:
                    yield part, False
                    part = []
                yield [line], True
            else:
                part.append(line)
        if part:
            yield part, False


def _paragraphs(lines: list[tuple[str, str]]) -> list[str]:
    """A block's paragraphs (``lines`` are each cleaned line with the line as written): its
    prose joined across wraps, and the rows of a table laid out with spaces kept one per line."""
    paragraphs: list[str] = []
    prose: list[str] = []
    index = 0
    while index < len(lines):
        end = index + 1
        if _BOX_EDGE.match(lines[index][1]):
            # A diagram is kept as drawn (the .xz format's field boxes were run into prose).
            while end < len(lines) and _BOX_ROW.match(lines[end][1]):
                end += 1
            laid_out = True
        else:
            end = index
            while end < len(lines) and _COLUMN_GAP.search(lines[end][1]):
                end += 1
            laid_out = end - index >= 2 and _aligned([written for _, written in lines[index:end]])
        if laid_out:
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


def _dates_the_document(block: Block, before: list[Block]) -> bool:
    """Whether ``block`` is a structured document's date line: a paragraph that is a date
    alone, before any other text (only headings above it). A pasted article's stamp lines are
    noise wherever they stand, and a structured page's date elsewhere is too."""
    return (
        block.kind is BlockKind.TEXT
        and "\n" not in block.text.strip()
        and _DATE_ALONE.match(block.text.strip()) is not None
        and all(b.kind is BlockKind.HEADING for b in before)
    )


def clean_blocks(blocks: Iterable[Block]) -> tuple[list[Block], str | None]:
    """Clean a structured reader's blocks one by one; their kinds and order are kept.

    Lines inside a block stay lines (list items, table rows, a term and its definition), blank
    lines are removed (they separate blocks in the stored text), noise lines are dropped and
    a byline loses its time stamp. Blocks holding nothing but a byline are no document.
    """
    author: str | None = None
    has_content = False
    cleaned: list[Block] = []
    for block in blocks:
        if _dates_the_document(block, cleaned):
            # "March 17, 2005" under the Eclipse agreement's title: the document's own date,
            # not a pasted stamp; "What date is on the agreement?" is answered by it.
            cleaned.append(Block(block.kind, normalize_unicode(block.text).strip(), block.level))
            continue
        if block.kind is BlockKind.CODE:
            text = _clean_code(block.text)
            has_content = has_content or bool(text)
        else:
            lines: list[str] = []
            for line in normalize_unicode(block.text).split("\n"):
                line = line.strip()
                if not line:
                    continue
                kept = _content_line(line) if block.kind is BlockKind.TEXT else (line, None)
                if kept is None:
                    continue
                line, name = kept
                author = author or name
                has_content = has_content or name is None
                lines.append(line)
            text = ("\n" if block.kind is BlockKind.TEXT else " ").join(lines)
        if text:
            cleaned.append(Block(block.kind, text, block.level))
    return (cleaned if has_content else []), author
