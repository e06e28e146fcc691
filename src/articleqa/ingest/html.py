"""HTML pages: trafilatura finds the main content (scripts, navigation and footers dropped) and
keeps its structure; headings, lists, tables and code come through as blocks."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from articleqa.errors import IngestError
from articleqa.ingest.blocks import (
    HEADING_TAGS,
    blocks_from_element,
    clean_heading,
    is_permalink_mark,
    parse_markup,
    write_scripts,
)
from articleqa.ingest.dates import parse_date
from articleqa.models import Block, BlockKind, RawArticle

logger = logging.getLogger(__name__)

# Publication dates are read only where a page states them. Guessing from the text (a
# copyright footer, "2001" in a sentence) dated manuals to the year their licence was written.
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "pubdate",
    "publishdate",
    "publication_date",
    "sailthru.date",
    "parsely-pub-date",
)
_BLOCK_CHILDREN = frozenset(
    {"p", "div", "pre", "ul", "ol", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
)
# What separates a page's own title from its site's in ``<title>``.
_TITLE_PARTS = re.compile(r"\s+[|—–·-]\s+")
_TITLE_META = ("og:title", "twitter:title", "dc.title")
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author")


def read_html(html: str, source: str | None, url: str | None = None) -> RawArticle:
    page = _parse(html)
    document = trafilatura.bare_extraction(
        # A tree of its own: trafilatura prunes the tree it is given, and ``page`` is read
        # below for the title, the author and the date.
        _prepared(html),
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_formatting=True,
        include_links=False,
        favor_precision=True,
    )
    fields: dict[str, Any] = {}
    blocks: list[Block] = []
    if document is not None:
        fields = document if isinstance(document, dict) else document.as_dict()
        body = getattr(document, "body", None)
        if body is not None:
            blocks = blocks_from_element(body)
    if not any(b.kind is not BlockKind.HEADING for b in blocks):
        raise IngestError("no article text found in the HTML page")
    title = _title(page, fields, blocks)
    blocks = _after_title_heading(blocks, title)
    author = _author(page, fields)
    byline = _byline(page, author, blocks)
    if byline is not None:
        blocks = [Block(BlockKind.TEXT, byline), *blocks]
    return RawArticle(
        title=title,
        text="\n\n".join(b.text for b in blocks),
        url=url or (fields.get("url") or None),
        author=author,
        published=_published(page),
        source=source,
        blocks=tuple(blocks),
    )


def _author(page: etree._Element | None, fields: dict[str, Any]) -> str | None:
    author = _meta(page, _AUTHOR_META) or str(fields.get("author") or "").strip()
    # The link's words around the name ("View all posts by Daniel Lemire").
    author = _AUTHOR_LEAD.sub("", author).strip()
    if not author or _LINK.search(author):
        return None  # a profile's address given as the author ("https://www.facebook.com/...")
    if author == author.lower() and not author.startswith("@"):
        return None  # a site's or an account's name in lower case ("luxurious", "admin")
    return author


# Where pages mark who wrote them: class="byline", itemprop="author", rel="author", ...
_BYLINE_MARK = re.compile(r"author|byline|writer", re.IGNORECASE)
_BYLINE_CHARS = 100
# A person's name as a byline writes it: "John Walk", "Lynne O'Donnell", "Robert M. Love".
_PERSON = re.compile(r"(?:[A-Z][\w'’-]+\.?\s+){1,3}[A-Z][\w'’-]+")
_LINK = re.compile(r"://|^www\.|\bhttps?\b", re.IGNORECASE)
_AUTHOR_LEAD = re.compile(
    r"^(?:view all posts by|all posts by|more posts by|posts by|written by|posted by|by)\s+",
    re.IGNORECASE,
)


def _byline(page: etree._Element | None, author: str | None, blocks: list[Block]) -> str | None:
    """The page's byline as the page shows it ("By John Walk - January 10, 2020"), when the
    text kept does not say who wrote it: trafilatura drops bylines with the page's furniture,
    and "Who wrote ...?" was then answered by no quote. Only a person's name is looked for (a
    site's name in the author field is not a byline), and only in an element the page marks
    as the author's or the byline."""
    if page is None or not author or not _PERSON.fullmatch(author):
        return None
    if any(author in b.text for b in blocks):
        return None
    signed = f"by {author.lower()}"
    shown: list[str] = []
    for element in page.iter():
        if not isinstance(element.tag, str) or element.tag in ("meta", "script", "style"):
            continue
        marks = " ".join(element.get(a) or "" for a in ("class", "itemprop", "rel", "id"))
        if not _BYLINE_MARK.search(marks):
            continue
        text = " ".join(element.text_content().split())
        if len(text) <= _BYLINE_CHARS and (text == author or text.lower().startswith(signed)):
            shown.append(text)
    if not shown:
        return None
    return max(shown, key=lambda text: (text.lower().startswith(signed), len(text)))


def _after_title_heading(blocks: list[Block], title: str) -> list[Block]:
    """The blocks without the heading that is the title, which is shown as the title, and
    without the headings above the page's <h1> when that is the title: what stands over an
    article's own title is the page's ("#GameTechie", a category's link, over a news story's
    <h1>). A title taken from a lesser heading (a page with no <h1>) has nothing above it."""
    for index, block in enumerate(blocks):
        if block.kind is not BlockKind.HEADING:
            break
        if block.text.casefold() == title.casefold() and (index == 0 or block.level == 1):
            return blocks[index + 1 :]
    return blocks


def _parse(html: str) -> etree._Element | None:
    try:
        return parse_markup(html)
    except (etree.ParserError, ValueError):
        return None


def _prepared(html: str) -> etree._Element | str:
    """The page as trafilatura should see it: documentation markup it would lose, rewritten.

    - The "¶" links that documentation generators put beside terms and headings go: Sphinx,
      texinfo and friends append an in-page anchor whose only text is a mark, and trafilatura
      drops the link but keeps its text inside the prose ("-v ¶--verbose"). So do in-page
      anchors with no text at all.
    - A heading's links go, not their words: trafilatura dropped headings that are mostly
      links, such as a heading that links to itself ("<h2><a href="#basic-usage">Basic
      usage</a></h2>", every heading of an mdBook) or a signature whose types link to their
      pages ("pub fn new(secs: u64) -> Duration" in rustdoc).
    - So does an anchor around a heading: the heading stays.
    - A heading inside a ``<summary>`` (rustdoc's method signatures, each a disclosure of
      its documentation) stands in the text: trafilatura dropped summaries whole.
    - Definition lists become paragraphs: trafilatura drops or glues their terms, which in
      manuals are what is defined (an option, a function's signature, a user name).
    - A table of one cell is layout, not data: its content stands in its place.
    - A table of contents' entries go (``_without_contents_entries``): each repeats the
      heading it links to, and quoted instead of the section ("What about runlevels Is it
      possible to allow a user other than root to control a service Does runit ...").
    - What stands in a list outside its items (Word's "<li>(b) …</li><span>(c) …</span>")
      becomes an item of its own: trafilatura keeps only items.
    - The text after a comment is kept (``_text_before_comments``).
    """
    page = _parse(html)
    if page is None:
        return html
    _text_before_comments(page)
    _without_contents_entries(page)
    for anchor in list(page.iter("a")):
        in_page = (anchor.get("href") or "").startswith("#")
        if in_page and _marks_only(anchor.text_content()):
            anchor.drop_tree()
        elif any(_tag_of(above) in HEADING_TAGS for above in anchor.iterancestors()):
            anchor.drop_tag()  # its text stays: the heading's own words
        elif any(_tag_of(inner) in HEADING_TAGS for inner in anchor.iterdescendants()):
            # An anchor around a heading (<a name="user"><h3>...</h3></a>, older pages' way to
            # mark a section): trafilatura dropped the heading with the link.
            anchor.drop_tag()
        elif _in_list_prose(anchor):
            anchor.drop_tag()
    _doxygen_listings(page)
    _flow_as_main(page)
    # Innermost first: a layout table's cells then hold what the tables in them framed.
    for table in reversed(list(page.iter("table"))):
        _unwrapped_if_layout(table)
    for container in list(page.iter(*_CONTAINERS)):
        _loose_text_as_paragraphs(container)
    for literal in list(page.iter(*_LITERALS)):
        _as_plain_text(literal)
    for summary in list(page.iter("summary")):
        if any(_tag_of(inner) in HEADING_TAGS for inner in summary.iterdescendants()):
            disclosure = summary.getparent()
            summary.drop_tag()
            if disclosure is not None and _tag_of(disclosure) == "details":
                disclosure.drop_tag()
    # Innermost lists first, so a list nested in a definition is rewritten before its parent.
    for definitions in reversed(list(page.iter("dl"))):
        _as_paragraphs(definitions)
    for listed in list(page.iter("ul", "ol")):
        _items_only(listed)
    for ordered in list(page.iter("ol")):
        _numbered_from_start(ordered)
    for division in list(page.iter("div")):
        if _holds_only_inline_text(division):
            division.tag = "p"
    write_scripts(page)
    return page


_CONTAINERS = ("body", "main", "article", "section", "div", "td", "blockquote")


def _text_before_comments(page: etree._Element) -> None:
    """The text after each comment or processing instruction moved before it: trafilatura,
    given a tree, drops a comment with the text after it (texinfo's "<code>OCTAVE_INFO_PROGRAM
    </code><!-- /@w --> found in the environment, but not ..." lost all but its code). The
    comment itself stays where it is: the page's shape is what trafilatura judges it by."""
    for node in list(page.iter(etree.Comment, etree.ProcessingInstruction)):
        parent = node.getparent()
        if parent is None or not node.tail:
            continue
        before = node.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
        node.tail = None


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _doxygen_listings(page: etree._Element) -> None:
    """Doxygen's markup read as a browser shows it: a code listing is a ``div.fragment`` of
    ``div.line`` rows, which trafilatura dropped whole (FLAC's porting guide lost its
    examples), and becomes a ``<pre>`` of its lines; a ``div.ttc`` is a tooltip, shown only
    under the pointer ("Definition: stream_decoder.h:258" stood in the text), and goes."""
    for tooltip in [d for d in page.iter("div") if "ttc" in _classes(d)]:
        tooltip.drop_tree()
    for fragment in [d for d in page.iter("div") if "fragment" in _classes(d)]:
        rows = [row for row in fragment if _tag_of(row) == "div" and "line" in _classes(row)]
        if not rows:
            continue
        listing = etree.Element("pre")
        listing.text = "\n".join(row.text_content() for row in rows)
        listing.tail = fragment.tail
        fragment.getparent().replace(fragment, listing)


# Inline elements set in a fixed font: what they hold is the literal's text, whatever markup
# sets its parts.
_LITERALS = ("code", "samp", "kbd", "tt")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _as_plain_text(literal: etree._Element) -> None:
    """A literal's markup dropped, its text kept: trafilatura moved formatting nested in
    code elsewhere in the paragraph (Sphinx's ``<code><span>python3.</span><em>Y</em></code>``
    for "python3.Y" was stored as "Ypython3.", its "Y" at the paragraph's end)."""
    if not len(literal):
        return
    for line_break in literal.iter("br"):
        line_break.tail = "\n" + (line_break.tail or "")
    text = literal.text_content()
    if not any(_tag_of(above) == "pre" for above in literal.iterancestors()):
        text = _SPACES.sub(" ", text)  # out of a <pre>, source line breaks are spaces
    for child in list(literal):
        literal.remove(child)
    literal.text = text


# What holds a page's words, and what frames them; the frame holding this share of the words
# is the text's (a menu beside it holds a few words outside its links, a section of a long
# page much less than the rest).
_FLOW_TEXT = frozenset({"p", "li", "dd", "dt", "pre", "blockquote"}) | HEADING_TAGS
_FLOW_FRAMES = frozenset({"div", "section"})
_FLOW_SHARE = 0.9


def _flow_as_main(page: etree._Element) -> None:
    """A page without layout, whose ``<body>`` holds its headings and paragraphs itself (a
    README rendered to HTML, texinfo's and many manuals' pages), has it all as its main
    content: trafilatura found no container to read and fell back to the paragraphs alone,
    dropping every heading, list and code block (a GNU manual kept no heading; zlib's usage
    example lost half its text). So has a page with no layout at all (``_without_layout``),
    headings or not. The flow may stand in a division that holds nearly all the page's words
    (``_flow_of``)."""
    body = page.find("body") if _tag_of(page) == "html" else None
    if body is None or page.find(".//main") is not None or page.find(".//article") is not None:
        return
    flow = _flow_of(body)
    tags = {_tag_of(child) for child in flow}
    if (tags.isdisjoint(HEADING_TAGS) or "p" not in tags) and not _without_layout(body):
        return
    main = etree.Element("main")
    main.text, flow.text = flow.text, None
    for child in list(flow):
        main.append(child)  # moves it, tail included
    flow.append(main)


def _flow_of(body: etree._Element) -> etree._Element:
    """The element whose children are the page's headings and paragraphs: the innermost that
    holds nearly all their words outside links (``_FLOW_SHARE``). That is the body, or the
    division that holds the text beside a menu or header: texinfo's ``<div
    class="chapter">`` (libffi's manual, where trafilatura kept "/tmp." of "A file created
    in /tmp."), Underscore's ``<div class="container">`` beside its sidebar (whose lists
    and headings were lost)."""
    weights: dict[etree._Element, int] = {}
    for block in body.iter(*_FLOW_TEXT):
        if any(_tag_of(above) in _FLOW_TEXT for above in block.iterancestors()):
            continue  # counted with the block it stands in
        words = len(_outside_links(block).split())
        for above in block.iterancestors():
            weights[above] = weights.get(above, 0) + words
            if above is body:
                break
    total = weights.get(body, 0)
    flow = body
    while True:
        inner = [
            child
            for child in flow
            if _tag_of(child) in _FLOW_FRAMES and weights.get(child, 0) >= _FLOW_SHARE * total
        ]
        if len(inner) != 1 or _holds_text_beside(flow, inner[0]):
            return flow
        flow = inner[0]


def _holds_text_beside(flow: etree._Element, frame: etree._Element) -> bool:
    """Whether ``flow`` holds words of its own beside ``frame``: a paragraph, heading or list
    standing next to it is the page's text too (Underscore's introduction above the division
    of its reference), where a menu is a division of links."""
    if _WORD.search(flow.text or "") or _WORD.search(frame.tail or ""):
        return True
    return any(
        child is not frame
        and _tag_of(child) in _BESIDE
        and _WORD.search(_outside_links(child)) is not None
        for child in flow
    )


# A heading above the frame is the page's title (GNU time's manual: its <h1> beside the
# <div class="top"> of the whole text), stored as the article's title.
_BESIDE = (_FLOW_TEXT | {"ul", "ol", "dl", "table"}) - HEADING_TAGS


# What a site's layout is made of, by tag or by class and id: a page with none of it is a
# document (a word processor's export, a licence, a barebones post).
_LAYOUT_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu", "iframe"})
_LAYOUT_NAMES = re.compile(
    r"nav|menu|sidebar|header|footer|banner|widget|comment|share|social|related|breadcrumb|"
    r"cookie|advert",
    re.IGNORECASE,
)


def _without_layout(body: etree._Element) -> bool:
    """Whether a page is a document with no layout around its text: no navigation, header,
    footer, sidebar or form, by tag or by name, and no list that is mostly links (a menu).
    Word's exported HTML is such a page ("<div class=Section1>" of paragraphs and lists), and
    trafilatura dropped its lists: it keeps a list directly in a page's body or in a plain
    ``<div>`` only when it recalls at any price (trafilatura issue #233)."""
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if _tag_of(element) in _LAYOUT_TAGS:
            return False
        if _LAYOUT_NAMES.search(f"{element.get('class', '')} {element.get('id', '')}"):
            return False
    for listed in body.iter("ul", "ol"):
        words = len(listed.text_content().strip())
        linked = sum(len(anchor.text_content().strip()) for anchor in listed.iter("a"))
        if linked * 2 > words:
            return False
    return True


def _unwrapped_if_layout(table: etree._Element) -> None:
    """A table of one row of one cell frames what it holds (DocBook's HTML sets each program
    listing and screen in one, for its grey background): trafilatura read it as a data table
    and ran a ``<pre>`` inside into one line ("Property Type Description family String Font
    family names ..."), so its rows could no longer be found or quoted. So does a table
    whose cell holds a page's flow (``_is_flow``): the layout of pages from before CSS
    (libxslt's: a menu cell beside the text's), read as data, glued the text's paragraphs
    ("resources:Well, bugs") and lost its lists."""
    own = [e for e in table.iterdescendants() if _nearest_table(e) is table]
    rows = [e for e in own if _tag_of(e) == "tr"]
    cells = [e for e in own if _tag_of(e) in ("td", "th")]
    # A cell's blocks outside the tables nested in it: those ``own`` already lists.
    framed = {id(e) for e in own if _tag_of(e) in _FLOW_BLOCKS}
    flows = [[e for e in cell.iterdescendants() if id(e) in framed] for cell in cells]
    if len(rows) != 1 or (len(cells) > 1 and not any(map(_is_flow, flows))):
        return  # rows are data (a FAQ's questions beside their answers): read as a table
    for element in (*cells, *rows, table):
        element.tag = "div"
        element.attrib.clear()
    for wrapper in own:
        if _tag_of(wrapper) in ("tbody", "thead", "tfoot"):
            wrapper.drop_tag()
    page = table.getroottree()
    if len(cells) > 1 and page.find(".//main") is None and page.find(".//article") is None:
        # Columns side by side (a menu beside the text): the one with the most text is the
        # page's. Unmarked, trafilatura read the page's loose paragraphs alone, and lost its
        # headings and lists.
        cells[max(range(len(cells)), key=lambda n: len(flows[n]))].tag = "main"


_FLOW_BLOCKS = frozenset({"p", "ul", "ol", "dl", "pre", "blockquote"}) | HEADING_TAGS


def _is_flow(blocks: list[etree._Element]) -> bool:
    """Whether a table cell's blocks are text as a page holds it, not a datum: a heading, or
    several paragraphs, lists or listings (a data table's cell holds a value, or one
    paragraph)."""
    return any(_tag_of(e) in HEADING_TAGS for e in blocks) or len(blocks) >= 2


def _nearest_table(element: etree._Element) -> etree._Element | None:
    return next(element.iterancestors("table"), None)


def _loose_text_as_paragraphs(container: etree._Element) -> None:
    """Text loose in a container beside its blocks (zlib's page: "<p>" only marks a break; a
    news page's paragraphs parted by "<br><br>") goes into paragraphs of its own, with the
    inline elements among it, a double line break ending one: trafilatura cut such text at
    each inline element ("deflate()and", "signed on to guard⏎⏎Queen Miri, the $70 million
    yacht") or dropped it."""
    loose = (container.text or "").strip() or any((c.tail or "").strip() for c in container)
    if not loose or all(_tag_of(child) in _INLINE for child in container if _tag_of(child)):
        return  # no loose text, or a paragraph in all but name (``_holds_only_inline_text``)
    pieces: list[etree._Element | str] = [container.text or ""]
    for child in list(container):
        pieces += [child, child.tail or ""]
        child.tail = None
        container.remove(child)
    container.text = None
    paragraph: etree._Element | None = None
    for piece in pieces:
        if isinstance(piece, str):
            if paragraph is None and piece.strip():
                paragraph = etree.SubElement(container, "p")
            if paragraph is not None:
                last = paragraph[-1] if len(paragraph) else None
                if last is None:
                    paragraph.text = (paragraph.text or "") + piece
                else:
                    last.tail = (last.tail or "") + piece
        elif _tag_of(piece) == "br" and paragraph is not None and _ends_in_break(paragraph):
            paragraph = None  # a blank line: the paragraph ends
        elif _tag_of(piece) in _INLINE or not _tag_of(piece):
            if paragraph is None:
                if not _tag_of(piece) or _tag_of(piece) == "br":
                    container.append(piece)  # a comment, a break before any text
                    continue
                paragraph = etree.SubElement(container, "p")
            paragraph.append(piece)
        else:
            paragraph = None
            container.append(piece)


def _without_contents_entries(page: etree._Element) -> None:
    """Drop the entries of a page's table of contents: in-page links whose words are those of
    the heading they lead to (``<a href="#user">Is it possible ...</a>`` to ``<a name="user">
    <h3>Is it possible ...</h3></a>``), each alone on its line or in its list item, with the
    line break after it. By construction nothing is lost: the heading stays where it is, with
    its section. A link in prose ("see <a href="#install">Installing</a> below") stays."""
    targets: dict[str, etree._Element] = {}
    for element in page.iter():
        for name in (element.get("id"), element.get("name") if _tag_of(element) == "a" else None):
            if name and name not in targets:
                targets[name] = element
    for anchor in list(page.iter("a")):
        href = anchor.get("href") or ""
        target = targets.get(href[1:]) if href.startswith("#") else None
        if (
            target is None
            or target is anchor
            # A heading linking to itself (mdBook's) is the heading, not an entry.
            or any(_tag_of(above) in HEADING_TAGS for above in anchor.iterancestors())
            or not _alone_on_its_line(anchor)
        ):
            continue
        words = _compared(anchor.text_content())
        if words and words == _heading_words(target):
            following = anchor.getnext()
            if (
                following is not None
                and _tag_of(following) == "br"
                and not (anchor.tail or "").strip()
            ):
                following.drop_tree()
            anchor.drop_tree()


# Elements that end a line of text: a break, a rule, or a block.
_LINE_EDGES = frozenset({"br", "hr", "p", "div", "li", "ul", "ol", "dl", "table"} | HEADING_TAGS)


def _alone_on_its_line(anchor: etree._Element) -> bool:
    """Whether nothing but white space stands beside ``anchor`` between the line breaks or
    block edges around it (a list item holding only the link included)."""
    if (anchor.tail or "").strip():
        return False
    parent = anchor.getparent()
    if parent is None:
        return False
    before = anchor.getprevious()
    if before is None:
        if (parent.text or "").strip():
            return False
    elif (before.tail or "").strip() or (
        _tag_of(before) not in _LINE_EDGES and _tag_of(before) != "a"
    ):
        return False
    after = anchor.getnext()
    return after is None or _tag_of(after) in _LINE_EDGES or _tag_of(after) == "a"


def _heading_words(target: etree._Element) -> str:
    """The words of the heading an in-page link leads to: the target's own heading (a section
    with an id, a heading with one), or the first heading right after an empty anchor."""
    if _tag_of(target) in HEADING_TAGS:
        heading: etree._Element | None = target
    else:
        heading = next(
            (inner for inner in target.iterdescendants() if _tag_of(inner) in HEADING_TAGS), None
        )
        if heading is None and not target.text_content().strip():
            following = target.getnext()
            heading = (
                following if following is not None and _tag_of(following) in HEADING_TAGS else None
            )
    if heading is None:
        return ""
    text = heading.text_content()
    if is_permalink_mark(text[-1:]):
        text = text[:-1]
    return _compared(text)


def _compared(text: str) -> str:
    """``text`` as a link's words and a heading's are compared: spacing and case aside."""
    return _SPACES.sub(" ", text).strip().casefold()


def _ends_in_break(paragraph: etree._Element) -> bool:
    """Whether a paragraph being built ends with a line break and no text after it."""
    last = paragraph[-1] if len(paragraph) else None
    return last is not None and _tag_of(last) == "br" and not (last.tail or "").strip()


def _in_list_prose(anchor: etree._Element) -> bool:
    """Whether a link is part of a list item's words rather than the whole item: Node.js
    lists each parameter as "<code>path</code> <a>&lt;string></a>", and trafilatura dropped
    such lists as link lists ("Returns: <string>" lost under every method). An item that is
    only its link (a menu's "Home") stays a link, for the extractor to judge."""
    item = next((above for above in anchor.iterancestors() if _tag_of(above) == "li"), None)
    if item is None:
        return False
    # A table of contents' "7.1.1" or a tag list's commas are no words of the item's own.
    return _WORD.search(_outside_links(item)) is not None


def _outside_links(element: etree._Element) -> str:
    """An element's text without the text of the links in it."""
    parts = [element.text or ""]
    for child in element:
        if _tag_of(child) != "a":
            parts.append(_outside_links(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _marks_only(text: str) -> bool:
    """An in-page anchor's text that says nothing: a permalink mark, or none at all (an icon
    drawn by the site's stylesheet: GitHub's blog puts one in every heading, and in precision
    mode trafilatura then dropped an interview's question headings)."""
    return not text.strip() or is_permalink_mark(text)


# Elements that flow inside a line of text; a <div> holding only these (and text) is a paragraph.
_INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "br",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    }
)


# The inline elements trafilatura keeps as formatting (its ``REND_TAG_MAPPING``, and code):
# in a block it does not know, it keeps these and drops the text around them.
_KEPT_FORMATTING = frozenset(
    {"em", "i", "b", "strong", "u", "kbd", "samp", "tt", "var", "sub", "sup", "code"}
)


def _holds_only_inline_text(division: etree._Element) -> bool:
    """Whether a ``<div>`` is a paragraph in all but name: text and inline elements only,
    among paragraphs ("<div class="api_stability">Stability: 1 - Experimental</div>" above
    the page's first ``<p>``), or holding formatting. trafilatura keeps text only from the
    blocks it knows, and dropped such lines whole, or, around formatting, all but the
    formatted words ("Available on <strong>x86 or x86-64</strong> only." in rustdoc was
    stored as "x86 or x86-64only."): such a line is kept whole. A plain banner alone on a page
    is not made prose."""
    if any(_tag_of(child) not in _INLINE for child in division if _tag_of(child)):
        return False
    parent = division.getparent()
    among_paragraphs = parent is not None and any(_tag_of(c) == "p" for c in parent)
    formatted = any(_tag_of(e) in _KEPT_FORMATTING for e in division.iterdescendants())
    return (among_paragraphs or formatted) and bool(division.text_content().strip())


def _items_only(listed: etree._Element) -> None:
    """Each child of a list an item: an element or text standing outside the items goes into
    an item of its own, a list standing there into the item before it; empty elements and
    comments there go."""
    if (
        not any(
            (isinstance(child.tag, str) and _tag_of(child) != "li") or (child.tail or "").strip()
            for child in listed
        )
        and not (listed.text or "").strip()
    ):
        return
    pieces: list[etree._Element] = []

    def loose(text: str | None) -> None:
        if text and text.strip():
            item = etree.Element("li")
            item.text = text.strip()
            pieces.append(item)

    loose(listed.text)
    listed.text = None
    for child in list(listed):
        tail, child.tail = child.tail, None
        listed.remove(child)
        if isinstance(child.tag, str) and _tag_of(child) == "li":
            pieces.append(child)
        elif isinstance(child.tag, str) and _tag_of(child) in ("ul", "ol") and pieces:
            pieces[-1].append(child)  # a list nested beside its item ("</li><ul>") is the item's
        elif isinstance(child.tag, str) and child.text_content().strip():
            item = etree.Element("li")
            item.append(child)
            pieces.append(item)
        loose(tail)
    listed.extend(pieces)


def _numbered_from_start(ordered: etree._Element) -> None:
    """An ordered list that starts at another number than 1 ("3. Run the installer", a list
    continued after a note) written out as numbered lines: trafilatura numbers every list
    from 1. Lists whose items hold blocks of their own are left to it."""
    start = (ordered.get("start") or "").strip()
    items = [c for c in ordered if _tag_of(c) == "li"]
    if not start.isdigit() or int(start) == 1 or not items:
        return
    if any(_tag_of(c) in _BLOCK_CHILDREN for item in items for c in item):
        return
    lines = lxml_html.Element("p")
    for number, item in enumerate(items, start=int(start)):
        _break_line(lines)
        _append_tail(lines, f"{number}. ")
        _move_content(item, lines)
    _put_in_place_of(ordered, lines)


def _as_paragraphs(definitions: etree._Element) -> None:
    """Rewrite ``<dl>`` in place as one paragraph per entry: its terms, a line each, then the
    first paragraph of its definition (a term is read with what defines it); any further
    blocks of the definition follow as they are."""
    replacement = lxml_html.Element("div")
    entry: etree._Element | None = None  # the current entry's paragraph, terms first
    defined = False  # whether the current entry already has its definition
    for child in list(definitions):
        tag = _tag_of(child)
        if tag == "dt":
            if entry is None or defined:
                entry = lxml_html.Element("p")
                replacement.append(entry)
                defined = False
            else:
                _break_line(entry)
            _move_content(child, entry)
        elif tag == "dd":
            if entry is None or defined:
                entry = lxml_html.Element("p")
                replacement.append(entry)
            else:
                _break_line(entry)
            defined = True
            first = child[0] if len(child) and not (child.text or "").strip() else None
            if first is not None and _tag_of(first) == "p":
                _move_content(first, entry)
                _append_tail(entry, first.tail)
                child.remove(first)
            if any(_tag_of(c) in _BLOCK_CHILDREN for c in child):
                replacement.append(child)
                child.tag = "div"
            else:
                _move_content(child, entry)
        elif tag:
            replacement.append(child)
    _put_in_place_of(definitions, replacement)


def _break_line(element: etree._Element) -> None:
    """Start a new line in ``element`` if it holds anything yet."""
    if len(element) or element.text:
        element.append(lxml_html.Element("br"))


def _put_in_place_of(old: etree._Element, new: etree._Element) -> None:
    """``new`` where ``old`` was in the page, followed by what followed it."""
    new.tail = old.tail
    parent = old.getparent()
    if parent is not None:
        parent.replace(old, new)


def _tag_of(element: etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _append_tail(target: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text


def _move_content(source: etree._Element, target: etree._Element) -> None:
    """Append ``source``'s text and children to the end of ``target``."""
    _append_tail(target, source.text)
    source.text = None
    for child in list(source):
        target.append(child)


def _meta(page: etree._Element | None, names: tuple[str, ...]) -> str | None:
    if page is None:
        return None
    found: dict[str, str] = {}
    for meta in page.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if key in names and content and key not in found:
            found[key] = content
    return next((found[name] for name in names if name in found), None)


def _title(page: etree._Element | None, fields: dict[str, Any], blocks: list[Block]) -> str:
    first_h1 = next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)
    candidates = [_meta(page, _TITLE_META), _guessed_title(page, fields), first_h1]
    for candidate in candidates:
        title = clean_heading(str(candidate or ""))
        if title:
            return title
    first_text = next((b.text for b in blocks if b.kind is not BlockKind.CODE), "")
    return first_text.split("\n", 1)[0][:120]


def _guessed_title(page: etree._Element | None, fields: dict[str, Any]) -> str | None:
    """trafilatura's title when the page's own ``<title>`` or a top heading confirms it.

    trafilatura trims the site name off ``<title>`` ("Abstract — Foo 1.0 documentation"),
    but on a page whose ``<title>`` is one word it falls back to any heading, and a manual
    page was titled after its "Important" admonition.
    """
    guessed = str(fields.get("title") or "").strip()
    if page is None:
        return guessed or None
    element = page.find(".//title")
    own = " ".join((element.text_content() if element is not None else "").split())
    top = {clean_heading(h.text_content()).casefold() for h in _top_headings(page)}
    # "Corepack | Node.js v20.20.2 Documentation": the part a top heading repeats is the page's
    # own; trafilatura took the site's side of the bar. The heading may be cased otherwise
    # ("Rust version - The Cargo Book" over "Rust Version", beside the site's "The Cargo Book").
    parts = [own, *_TITLE_PARTS.split(own)]  # the whole of it when a heading repeats it all
    shown = next((part for part in parts if part and part.casefold() in top), None)
    if shown:
        return shown
    # "cargo build - The Cargo Book" under the menu's <h1> "The Cargo Book" and the chapter's
    # "cargo-build(1)": the side a heading outside the content repeats is the site's.
    site = {clean_heading(h.text_content()).casefold() for h in page.iter("h1", "h2")} - top
    own_side = [part for part in parts[1:] if part and part.casefold() not in site]
    if len(parts) > 2 and len(own_side) == 1:
        return own_side[0]
    # A heading the <title> does not repeat names the page only when it is its one <h1>: a
    # Sphinx book's index has several ("Abstract", "Contents", "Indices and tables") under
    # the <title> "Debian Python Policy 0.12.0.0 documentation".
    headline = guessed.casefold() in top and len(page.findall(".//h1")) <= 1
    if guessed and (guessed.lower() in own.lower() or headline or not own):
        return guessed
    return own or guessed or None


def _top_headings(page: etree._Element) -> list[etree._Element]:
    """The page's ``<h1>``s and ``<h2>``s, those of its ``<main>`` (or ``<article>``) when it
    has any: a book's or site's name set as an ``<h1>`` in its menu bar ("The Cargo Book" on
    every page of it) is not the page's heading."""
    for tag in ("main", "article"):
        content = page.find(f".//{tag}")
        if content is not None:
            inside = list(content.iter("h1", "h2"))
            if inside:
                return inside
    return list(page.iter("h1", "h2"))


def _published(page: etree._Element | None) -> dt.date | None:
    if page is None:
        return None
    date = parse_date(_meta(page, _DATE_META))
    if date:
        return date
    for time in page.iter("time"):
        if time.get("itemprop", "").lower() == "datepublished" or time.get("pubdate") is not None:
            date = parse_date(time.get("datetime"))
            if date:
                return date
    for script in page.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            date = _json_ld_date(script.text)
            if date:
                return date
    times = [parse_date(t.get("datetime")) for t in page.iter("time") if t.get("datetime")]
    dated = [t for t in times if t]
    # One <time> on the page is its date; several (comments, related stories) say nothing.
    return dated[0] if len(dated) == 1 else None


def _json_ld_date(text: str) -> dt.date | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            date = parse_date(item.get("datePublished"))
            if date:
                return date
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
    return None
