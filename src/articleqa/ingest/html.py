"""HTML pages: trafilatura finds the main content (scripts, navigation and footers dropped) and
keeps its structure; headings, lists, tables and code come through as blocks."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from articleqa.errors import IngestError
from articleqa.ingest.blocks import blocks_from_element, clean_heading
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
_TITLE_META = ("og:title", "twitter:title", "dc.title")
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author")


def read_html(html: str, source: str | None, url: str | None = None) -> RawArticle:
    document = trafilatura.bare_extraction(
        html,
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
    page = _parse(html)
    title = _title(page, fields, blocks)
    if blocks and blocks[0].kind is BlockKind.HEADING and blocks[0].text == title:
        blocks = blocks[1:]  # the title is shown as the title, not repeated as a heading
    return RawArticle(
        title=title,
        text="\n\n".join(b.text for b in blocks),
        url=url or (fields.get("url") or None),
        author=_meta(page, _AUTHOR_META) or (fields.get("author") or None),
        published=_published(page),
        source=source,
        blocks=tuple(blocks),
    )


def _parse(html: str) -> etree._Element | None:
    try:
        return lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None


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
    candidates = [_meta(page, _TITLE_META), fields.get("title")]
    first_h1 = next((b.text for b in blocks if b.kind is BlockKind.HEADING and b.level == 1), None)
    candidates.append(first_h1)
    for candidate in candidates:
        title = clean_heading(str(candidate or ""))
        if title:
            return title
    first_text = next((b.text for b in blocks if b.kind is not BlockKind.CODE), "")
    return first_text.split("\n", 1)[0][:120]


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
