"""A document's structure as readers see it: headings, prose blocks and code, in order.

Structured readers (HTML, Markdown, reStructuredText, man pages) turn their markup into
``Block`` s; ``prepare_article`` joins them into the stored text and keeps where each heading
and code block sits (the layout), so headings come from real markup, never from a short line
of prose. One walker serves every reader: Markdown and reStructuredText are rendered to HTML by
their own parsers, and trafilatura's XML (its tags differ) maps onto the same few kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from articleqa.errors import IngestError
from articleqa.ingest.clean import rewrapped
from articleqa.ingest.text import title_from_first_line
from articleqa.models import Block, BlockKind, RawArticle

# Marks that documentation generators append to headings so readers can link to them.
_PERMALINK_MARKS = re.compile(r"[\s\u00b6\u00a7#\uf0c1🔗]+$")
_INLINE_SPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
HEADING_TAGS = frozenset(_HEADINGS)
_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "head", "nav", "button", "form", "svg", "math"}
)
# Containers whose children are blocks of their own (trafilatura's "quote" holds <p>s).
_CONTAINERS = frozenset(
    {
        "html",
        "body",
        "div",
        "section",
        "article",
        "main",
        "aside",
        "header",
        "footer",
        "figure",
        "blockquote",
        "quote",
        "details",
        "center",
        "doc",
    }
)
_LISTS = frozenset({"ul", "ol", "dl", "list", "menu"})
_TABLES = frozenset({"table"})
_PREFORMATTED = frozenset({"pre", "code", "listing", "xmp", "samp"})
_PARAGRAPHS = frozenset({"p", "address", "summary", "caption", "figcaption", "dt", "dd", "li"})
_BLOCK_TAGS = (
    HEADING_TAGS
    | _CONTAINERS
    | _LISTS
    | _TABLES
    | _PREFORMATTED
    | _PARAGRAPHS
    | frozenset({"head", "hr", "item", "row", "cell", "tr", "td", "th", "p", "lb", "br"})
)


def clean_heading(text: str) -> str:
    """Heading text without the permalink marks ("¶", "#") generators append."""
    return _PERMALINK_MARKS.sub("", _INLINE_SPACE.sub(" ", text)).strip()


def is_permalink_mark(text: str) -> bool:
    """Whether ``text`` is nothing but a permalink mark ("¶", "§", "#", a link icon)."""
    return bool(text.strip()) and not _PERMALINK_MARKS.sub("", text)


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


_LINK_MARK_CLASSES = frozenset({"headerlink", "anchor", "anchorjs-link", "footnote-backref"})


def _is_skipped(node: etree._Element) -> bool:
    """Nodes whose own text is never read: comments and processing instructions (which have no
    tag name), scripts, navigation and the like, and permalink marks. Their tails are text."""
    tag = _tag(node)
    return not tag or tag in _SKIPPED or _is_permalink(node)


def _is_permalink(element: etree._Element) -> bool:
    classes = (element.get("class") or "").split()
    # A footnote's "↩" back to where it was cited is a link mark like a heading's "¶".
    return not _LINK_MARK_CLASSES.isdisjoint(classes)


def inline_text(element: etree._Element) -> str:
    """An element's text with inline markup dropped and source line wraps joined.

    A newline in the source is only where the author's editor wrapped the line, so it becomes
    a space; ``<br>`` (trafilatura's ``<lb/>``) is a break the author meant and stays one.
    """
    parts: list[str] = []

    def add(text: str | None) -> None:
        if text:
            parts.append(text.replace("\n", " "))

    def walk(node: etree._Element) -> None:
        if _is_skipped(node):
            add(node.tail)
            return
        if _tag(node) in ("br", "lb"):
            parts.append("\n")
        # An image's alt text is left out: in documents it is mostly badges and icons.
        add(node.text)
        for child in node:
            walk(child)
        add(node.tail)

    add(element.text)
    for child in element:
        walk(child)
    lines = "".join(parts).split("\n")
    return "\n".join(_INLINE_SPACE.sub(" ", line).strip() for line in lines).strip()


def _alt_text(element: etree._Element) -> str:
    """The alt text of the images in ``element``, the words an image stands for."""
    return " ".join(
        str(image.get("alt") or "").strip() for image in element.iter("img", "graphic")
    ).strip()


def _preformatted_text(element: etree._Element) -> str:
    text = "".join(element.itertext())
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _is_block(element: etree._Element) -> bool:
    tag = _tag(element)
    if tag == "code":
        # Inline <code> sits in running text; a code block is on lines of its own.
        return "\n" in "".join(element.itertext()).strip() or any(
            _tag(child) == "code" for child in element
        )
    return tag in _BLOCK_TAGS and tag not in ("br", "lb")


def _has_block_children(element: etree._Element) -> bool:
    return any(_is_block(child) for child in element)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def text(self, text: str) -> None:
        lines = [line.strip() for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(Block(BlockKind.TEXT, text))

    def walk(self, element: etree._Element) -> None:
        tag = _tag(element)
        if tag == "head" and element.get("rend"):  # trafilatura's heading, not HTML's <head>
            tag = element.get("rend", "h2") if element.get("rend") in _HEADINGS else "h2"
        if tag in _SKIPPED or not tag:
            return
        if tag in _HEADINGS:
            level = _HEADINGS[tag]
            # A heading that is only a logo ("# ![btop++](Img/logo.png)") is titled by it.
            heading = clean_heading(inline_text(element)) or clean_heading(_alt_text(element))
            if heading:
                self.blocks.append(Block(BlockKind.HEADING, heading, level))
            return
        if tag in _LISTS:
            if tag == "dl" and "field-list" in (element.get("class") or "").split():
                # reST's field list (":Version: 5.2.6"): a record's fields, a line each, as
                # written ("Version: 5.2.6"), one paragraph.
                self.text("\n".join(self._field_lines(element)))
            elif tag == "dl" or element.get("rend") == "dl":
                # An entry a paragraph, as a manual's options are: a long list (Waitress's
                # thirty arguments) is split into passages between its entries, not between a
                # definition and its "Default: 1073741824" line.
                for entry in self._definition_entries(element):
                    self.text("\n".join(entry))
            else:
                self.text("\n".join(self._list_lines(element)))
            return
        if tag in _TABLES:
            self.text("\n".join(self._table_lines(element)))
            return
        if tag in _PREFORMATTED or (tag in ("quote", "blockquote") and _is_preformatted(element)):
            code = _preformatted_text(element)
            if code.strip():
                self.blocks.append(Block(BlockKind.CODE, code))
            return
        if tag in _CONTAINERS or _has_block_children(element):
            self._walk_mixed(element)
            return
        self.paragraphs(inline_text(element))

    def paragraphs(self, text: str) -> None:
        """A paragraph's text: a blank line from ``<br><br>`` parts two paragraphs, and lines
        a text file wrapped, shown with a ``<br>`` each (DocBook's ``literallayout``:
        Valgrind's README pages), are joined as that file's reader would join them."""
        parts = [
            [line.strip() for line in part.split("\n") if line.strip()]
            for part in _BLANK_LINE.split(text)
        ]
        for paragraph in rewrapped(parts):
            self.text(paragraph)

    def _walk_mixed(self, element: etree._Element) -> None:
        """A container: block children are walked, loose text between them is a paragraph."""
        loose: list[str] = [element.text or ""]
        for child in element:
            if _is_block(child):
                self.text(_INLINE_SPACE.sub(" ", "".join(loose)))
                loose = []
                self.walk(child)
                loose.append(child.tail or "")
            else:
                if not _is_skipped(child):
                    loose.append(inline_text(child))
                loose.append(child.tail or "")
        self.text(_INLINE_SPACE.sub(" ", "".join(loose)))

    def _list_lines(self, element: etree._Element) -> Iterator[str]:
        tag = _tag(element)
        rend = element.get("rend", "")
        ordered = tag == "ol" or rend == "ol"
        number = (
            int(element.get("start") or 1)
            if ordered and (element.get("start") or "").isdigit()
            else 1
        )
        for child in element:
            child_tag = _tag(child)
            child_rend = child.get("rend", "")
            if (
                child_tag in ("dt",)
                or child_rend.startswith("dt")
                or child_tag in ("dd",)
                or child_rend.startswith("dd")
            ):
                yield from _lines(self._item_text(child))
            elif child_tag in ("li", "item"):
                text = self._item_text(child)
                if not text:
                    continue
                marker = f"{number}. " if ordered else "• "
                number += 1
                first, *rest = text.split("\n")
                yield marker + first
                yield from rest
            elif child_tag in _LISTS:
                yield from self._list_lines(child)

    def _definition_entries(self, element: etree._Element) -> Iterator[list[str]]:
        """A definition list's entries, each its terms' lines then its definitions'."""
        entry: list[str] = []
        defined = False  # whether the entry has a definition yet: a term after one starts anew
        for child in element:
            child_tag, child_rend = _tag(child), child.get("rend", "")
            term = child_tag == "dt" or child_rend.startswith("dt")
            if term and defined:
                yield entry
                entry, defined = [], False
            if term or child_tag == "dd" or child_rend.startswith("dd"):
                entry.extend(_lines(self._item_text(child)))
                defined = defined or not term
            elif child_tag in _LISTS:
                entry.extend(self._list_lines(child))
        if entry:
            yield entry

    def _field_lines(self, element: etree._Element) -> Iterator[str]:
        """A field list's fields as "Name: value" lines; a field with no words (a badge) is
        left out."""
        for entry in self._definition_entries(element):
            name, value = entry[0].rstrip(":").strip(), " ".join(entry[1:]).strip()
            if name and value:
                yield f"{name}: {value}"

    def _item_text(self, item: etree._Element) -> str:
        """A list item's lines: its own text, then any nested lists or paragraphs."""
        if not _has_block_children(item):
            return inline_text(item)
        inner = _Walker()
        inner._walk_mixed(item)
        return "\n".join(block.text for block in inner.blocks)

    def _table_lines(self, table: etree._Element) -> Iterator[str]:
        for row in table.iter():
            if _tag(row) not in ("tr", "row"):
                continue
            cells = [
                _INLINE_SPACE.sub(" ", inline_text(cell)).strip()
                for cell in row
                if _tag(cell) in ("td", "th", "cell")
            ]
            while cells and not cells[-1]:
                cells.pop()  # a row's trailing empty cells (a spanning cell's padding)
            if cells:
                yield " | ".join(cells)


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _is_preformatted(element: etree._Element) -> bool:
    # trafilatura maps a bare <pre> to <quote>: its text keeps the source's line breaks.
    return not _has_block_children(element) and "\n" in (element.text or "").strip()


def blocks_from_element(root: etree._Element) -> list[Block]:
    walker = _Walker()
    walker.walk(root)
    return walker.blocks


_SUPERSCRIPT = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SCRIPT_TEXT = re.compile(r"^[0-9+\-=()]+$")


def write_scripts(root: etree._Element) -> None:
    """Numbers set as superscripts or subscripts kept as such ("10⁶", "H₂O", a footnote's
    "¹"): read as plain text, 10<sup>6</sup> would be stored as "106". Other raised text
    ("1<sup>st</sup>", "<sup>TM</sup>") reads right as it is."""
    for tag, table in (("sup", _SUPERSCRIPT), ("sub", _SUBSCRIPT)):
        for element in list(root.iter(tag)):
            text = element.text_content().strip()
            if _SCRIPT_TEXT.match(text):
                for child in list(element):
                    element.remove(child)  # a footnote link's text is the number itself
                element.text = text.translate(table)


# C0 control characters may not appear in XML: lxml turns each one into U+FFFD, and on such a
# tree trafilatura's formatting pass dropped the whole article around a single one (a "\x1d"
# pasted into a blog post: "no article text found"). Vertical tab and form feed separate words.
_MARKUP_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_MARKUP_SPACING_CONTROL = re.compile(r"[\x0b\x0c]")


# An XHTML page's "<?xml version="1.0" encoding="ISO-8859-1"?>": the text is decoded already,
# and lxml refuses a str that declares an encoding, so such pages (DocBook's, gtk-doc's) were
# read without any of the preparation below.
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")

# Form controls: their text is a label for a click ("Copy item path" inside rustdoc's <h1>),
# never the document's.
_CONTROLS = ("button", "select")


def parse_markup(markup: str) -> etree._Element:
    """An HTML document or fragment as an lxml tree, without the control characters that
    have no place in markup, without an XML declaration and without form controls. Every
    reader that parses HTML goes through here, so the title and the byline are read without
    them as the text is."""
    markup = _XML_DECLARATION.sub("", markup, count=1)
    root = lxml_html.fromstring(_MARKUP_CONTROL.sub("", _MARKUP_SPACING_CONTROL.sub(" ", markup)))
    for control in list(root.iter(*_CONTROLS)):
        if control is not root:
            control.drop_tree()  # its tail is text
    return root


def blocks_from_html(html: str) -> list[Block]:
    """Blocks of an HTML fragment or document (Markdown and reST render to this)."""
    if not html.strip():
        return []
    root = parse_markup(html)
    write_scripts(root)
    return blocks_from_element(root)


def take_title(blocks: list[Block], source: str | None = None) -> tuple[str, list[Block]]:
    """A title from the document's own headings, and the blocks without that heading.

    The first block when it is a heading, else the first level-1 heading; else the first
    line, as for plain text. A release's heading in a series of them ("## v1.2.13" over "##
    v1.2.12" in a changelog) titles its section, not the document: the file's name does.
    """
    named = _file_name(source)
    headings = [b for b in blocks if b.kind is BlockKind.HEADING]
    releases = [b for b in headings if _RELEASE_HEADING.search(b.text)]
    first = releases[0] if releases and headings[0] is releases[0] else None
    if named and first and any(b.level == first.level for b in releases[1:]):
        return named, blocks
    index = 0 if blocks and blocks[0].kind is BlockKind.HEADING else None
    if index is None:
        index = next(
            (i for i, b in enumerate(blocks) if b.kind is BlockKind.HEADING and b.level == 1),
            None,
        )
    if index is not None:
        return blocks[index].text, blocks[:index] + blocks[index + 1 :]
    index = next((i for i, b in enumerate(blocks) if b.kind is BlockKind.TEXT), None)
    if index is None:
        return "", blocks
    if named and _FIELD_LINE.match(blocks[index].text):
        # A record's fields ("Version: 5.2.6 (dawn-chorus)" atop Celery's README) are no title.
        return named, blocks
    title, rest = title_from_first_line(blocks[index].text)
    if blocks[index].text.strip() == rest.strip():
        return title, blocks  # a long first line is content: it stays
    kept = [Block(BlockKind.TEXT, rest.strip())] if rest.strip() else []
    return title, blocks[:index] + kept + blocks[index + 1 :]


# A field of a record, on its own line: "Version: 5.2.6", "Maintainer: Robert A. McLeod".
_FIELD_LINE = re.compile(r"^[A-Z][\w -]{0,30}: \S[^\n]*\n[A-Z][\w -]{0,30}: \S")


def _file_name(source: str | None) -> str | None:
    """The name of the file ``source`` is (a path, not a URL), without ".gz"."""
    if not source or "://" in source or "/" not in source:
        return None
    return source.rstrip("/").rsplit("/", 1)[-1].removesuffix(".gz") or None


# A heading naming a release by its number ("v1.2.13", "Version 2.0 (2021-03-01)").
_RELEASE_HEADING = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?![\w.]*\d)", re.IGNORECASE)


def article_from_blocks(
    title: str, blocks: list[Block], what: str, source: str | None, **metadata: Any
) -> RawArticle:
    """The RawArticle of a structured document; IngestError when it holds no prose at all."""
    if not any(b.kind is BlockKind.TEXT for b in blocks):
        raise IngestError(f"the {what} has no text besides headings and code")
    return RawArticle(
        title=title,
        text="\n\n".join(b.text for b in blocks),
        source=source,
        blocks=tuple(blocks),
        **metadata,
    )
