"""Markdown with optional YAML front matter (title, url, author, published)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from articleqa.errors import IngestError
from articleqa.ingest.dates import parse_date
from articleqa.ingest.text import title_from_first_line
from articleqa.models import RawArticle

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)
# "Title" over a line of "=" or "-" (setext): the same headings, written the other way.
_SETEXT_HEADING = re.compile(r"^(?P<text>[^\n]*\S[^\n]*)\n(?P<rule>=+|-{2,})[ \t]*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"`([^`]+)`")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", re.MULTILINE)
_QUOTE_MARK = re.compile(r"^>\s?", re.MULTILINE)


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group("yaml")) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise IngestError("front matter must be a YAML mapping (key: value lines)")
    return meta, text[match.end() :]


def markdown_to_text(body: str) -> str:
    """Reduce Markdown to plain prose: headings become their own paragraphs, markup goes."""
    body = _HTML_COMMENT.sub("", body)
    body = _RULE.sub("", body)
    body = _HEADING.sub(lambda m: f"\n{m.group(1)}\n", body)
    body = _IMAGE.sub("", body)
    body = _LINK.sub(r"\1", body)
    body = _INLINE_CODE.sub(r"\1", body)
    body = _EMPHASIS.sub(r"\2", body)
    return _QUOTE_MARK.sub("", body)


def _setext_to_atx(body: str) -> str:
    def atx(match: re.Match[str]) -> str:
        level = "#" if match.group("rule").startswith("=") else "##"
        return f"{level} {match.group('text').strip()}"

    return _SETEXT_HEADING.sub(atx, body)


def read_markdown(text: str, source: str | None) -> RawArticle:
    meta, body = _front_matter(text)
    body = _setext_to_atx(body)
    title = str(meta.get("title") or "").strip()
    if not title:
        heading = _HEADING.search(body)
        if heading:
            title = heading.group(1).strip()
            body = body[: heading.start()] + body[heading.end() :]
    plain = markdown_to_text(body)
    if not title:
        title, plain = title_from_first_line(plain)
    return RawArticle(
        title=title,
        text=plain,
        url=_optional_str(meta.get("url") or meta.get("link")),
        author=_optional_str(meta.get("author") or meta.get("byline")),
        published=parse_date(meta.get("published") or meta.get("date")),
        source=source,
    )


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value).strip()
    return text or None
