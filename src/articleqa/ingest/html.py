"""HTML pages: trafilatura keeps the main text and metadata, drops scripts and navigation."""

from __future__ import annotations

from typing import Any

import trafilatura

from articleqa.errors import IngestError
from articleqa.ingest.dates import parse_date
from articleqa.models import RawArticle


def read_html(html: str, source: str | None, url: str | None = None) -> RawArticle:
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        favor_precision=True,
    )
    # trafilatura types its result as a Document or, with as_dict, a dict: read both alike.
    fields: dict[str, Any] = {}
    if document is not None:
        fields = document if isinstance(document, dict) else document.as_dict()
    body = fields.get("text") or ""
    if not body.strip():
        raise IngestError("no article text found in the HTML page")
    # trafilatura puts one paragraph per line; blank lines keep them apart through cleaning.
    text = "\n\n".join(line for line in body.splitlines() if line.strip())
    title = (fields.get("title") or "").strip() or text.split("\n", 1)[0][:120]
    return RawArticle(
        title=title,
        text=text,
        url=url or (fields.get("url") or None),
        author=(fields.get("author") or None),
        published=parse_date(fields.get("date")),
        source=source,
    )
