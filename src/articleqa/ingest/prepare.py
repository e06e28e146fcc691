"""From a RawArticle to a storable Article: clean once, derive a stable id and a content hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from urllib.parse import urlsplit, urlunsplit

from articleqa.collection import DEFAULT
from articleqa.errors import IngestError
from articleqa.ingest.clean import clean_blocks, clean_plain_text, join_blocks, normalize_unicode
from articleqa.models import Article, LayoutSpan, RawArticle

_WS = re.compile(r"\s+")
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


def normalize_url(url: str) -> str:
    """Scheme and host lower-cased, fragment and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    query = "&".join(
        p for p in parts.query.split("&") if p and not p.lower().startswith(_TRACKING_PARAMS)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def normalize_for_id(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def article_id(url: str | None, text: str, collection: str = DEFAULT) -> str:
    """Stable id: from the URL when there is one, else from the normalised text. Outside the
    ``default`` collection the collection is part of it, so the same page added to two
    collections is two articles (ids stay unique across collections, and unchanged for
    articles stored before collections existed)."""
    key = f"url:{normalize_url(url)}" if url else f"text:{normalize_for_id(text)}"
    if collection != DEFAULT:
        key = f"collection:{collection}\n{key}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def content_hash(
    title: str,
    text: str,
    url: str | None,
    author: str | None,
    published: dt.date | None,
    layout: list[LayoutSpan] | None = None,
) -> str:
    fields: list[object] = [title, text, url, author, published.isoformat() if published else None]
    if layout is not None:
        fields.append([[s.kind.value, s.start, s.end, s.level] for s in layout])
    payload = json.dumps(fields, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _assemble(raw: RawArticle) -> tuple[str, list[LayoutSpan] | None, str | None]:
    """The stored text, where its headings and code blocks are, and a byline's author."""
    if raw.blocks is None:
        return clean_plain_text(raw.text)
    blocks, author = clean_blocks(raw.blocks)
    text, layout = join_blocks(blocks)
    return text, layout, author


def prepare_article(
    raw: RawArticle, now: dt.datetime | None = None, collection: str = DEFAULT
) -> Article:
    text, layout, byline_author = _assemble(raw)
    if not text.strip():
        raise IngestError("article has no text left after cleaning")
    title = _WS.sub(" ", normalize_unicode(raw.title)).strip() or text.split("\n", 1)[0][:120]
    author = raw.author.strip() if raw.author else byline_author
    url = raw.url.strip() if raw.url else None
    now = now or dt.datetime.now(dt.UTC)
    return Article(
        id=article_id(url, text, collection),
        collection=collection,
        title=title,
        url=url,
        author=author,
        published=raw.published,
        source=raw.source,
        content_hash=content_hash(title, text, url, author, raw.published, layout),
        chars=len(text),
        added_at=now,
        updated_at=now,
        text=text,
        layout=layout,
    )
