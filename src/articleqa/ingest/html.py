"""HTML pages: trafilatura keeps the main text and metadata, drops scripts and navigation."""

from __future__ import annotations

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
    if document is None or not (getattr(document, "text", None) or "").strip():
        raise IngestError("no article text found in the HTML page")
    # trafilatura puts one paragraph per line; blank lines keep them apart through cleaning.
    text = "\n\n".join(line for line in document.text.splitlines() if line.strip())
    title = (document.title or "").strip() or text.split("\n", 1)[0][:120]
    return RawArticle(
        title=title,
        text=text,
        url=url or (document.url or None),
        author=(document.author or None),
        published=parse_date(document.date),
        source=source,
    )
