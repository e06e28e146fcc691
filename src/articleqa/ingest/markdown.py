"""Markdown with optional YAML front matter (title, url, author, published), or a package's
core metadata whose description is Markdown."""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from articleqa.errors import IngestError
from articleqa.ingest.blocks import article_from_blocks, blocks_from_html, take_title
from articleqa.ingest.core_metadata import split_core_metadata
from articleqa.ingest.dates import parse_date
from articleqa.ingest.myst import rewrite_myst
from articleqa.models import Block, RawArticle

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# One "key: value" line of a flat mapping: a plain key at the line's start, the value after
# the first colon and a space, whatever it holds.
_FLAT_FIELD = re.compile(r"(?P<key>[A-Za-z_][\w-]*):(?:[ \t]+(?P<value>.*?))?[ \t]*")

_MARKDOWN = (
    MarkdownIt("commonmark", {"html": True})
    .enable(["table", "strikethrough"])
    .use(deflist_plugin)
    .use(footnote_plugin)  # GFM footnotes: "[^1]" in the text, "[^1]: ..." at the end
)
# GFM's tag filter: raw HTML may not open these elements, whose content a browser reads as
# raw text to their end tag; their "<" is written as text ("|<script> [arg1 .. argN]" in
# lnav's help hid the 28 KB after it).
_FILTERED_TAG = re.compile(
    r"<(?=/?(?:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext)[\s/>])",
    re.IGNORECASE,
)


def _filtered_html(self: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
    return _FILTERED_TAG.sub("&lt;", tokens[index].content)


_MARKDOWN.add_render_rule("html_inline", _filtered_html)
_MARKDOWN.add_render_rule("html_block", _filtered_html)


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group("yaml")) or {}
    except yaml.YAMLError as exc:
        meta = _flat_fields(match.group("yaml"))
        if meta is None:
            raise IngestError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise IngestError("front matter must be a YAML mapping (key: value lines)")
    return meta, text[match.end() :]


def _flat_fields(front_matter: str) -> dict[str, Any] | None:
    """Front matter that YAML rejects but whose every line is "key: value", read as its author
    meant it, each value as written: Jekyll reads on past such a block, and pages like
    "title: libsndfile : Frequently Asked Questions." (a second colon) are published that way.
    None when a line has another shape (nesting, lists), which only YAML could read."""
    fields: dict[str, Any] = {}
    for line in front_matter.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        field = _FLAT_FIELD.fullmatch(line)
        if field is None:
            return None
        fields[field["key"]] = (field["value"] or "").strip("\"'") or None
    return fields


def markdown_blocks(body: str) -> list[Block]:
    """The blocks of a Markdown body, parsed by a CommonMark parser (GFM tables, definition
    lists, inline HTML, MyST directives and roles): emphasis only where CommonMark puts it
    (never inside ``snake_case``), link reference definitions consumed, code fences kept as
    code without their backticks."""
    return blocks_from_html(_MARKDOWN.render(rewrite_myst(body)))


def read_markdown(text: str, source: str | None) -> RawArticle:
    core = split_core_metadata(text)
    if core is not None:
        # A package's METADATA: its fields, then its description (Markdown here).
        return article_from_blocks(
            core.title,
            [*core.header_blocks(), *markdown_blocks(core.body)],
            "Markdown document",
            source,
            author=core.author,
        )
    meta, body = _front_matter(text)
    blocks = markdown_blocks(body)
    title = str(meta.get("title") or "").strip()
    if not title:
        title, blocks = take_title(blocks, source)
    return article_from_blocks(
        title,
        blocks,
        "Markdown document",
        source,
        url=_optional_str(meta.get("url") or meta.get("link")),
        author=_optional_str(meta.get("author") or meta.get("byline")),
        published=parse_date(meta.get("published") or meta.get("date")),
    )


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value).strip()
    return text or None
