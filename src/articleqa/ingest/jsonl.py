"""JSON (an object or a list of objects) and JSON Lines: title, text, url, author, published."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from articleqa.errors import IngestError
from articleqa.ingest.dates import parse_date
from articleqa.models import RawArticle

_TEXT_FIELDS = ("text", "content", "body")
_DATE_FIELDS = ("published", "date", "published_at")


def record_to_article(record: Any, source: str | None) -> RawArticle:
    if not isinstance(record, dict):
        raise IngestError("each record must be a JSON object with title and text")
    text = next((record[f] for f in _TEXT_FIELDS if isinstance(record.get(f), str)), "")
    if not text.strip():
        raise IngestError("record has no text (field 'text')")
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        raise IngestError("record has no title (field 'title')")
    published = next((record[f] for f in _DATE_FIELDS if record.get(f)), None)
    return RawArticle(
        title=title.strip(),
        text=text,
        url=_str_or_none(record.get("url")),
        author=_str_or_none(record.get("author")),
        published=parse_date(published),
        source=source,
    )


def _str_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def iter_json_records(
    text: str, source: str, lines: bool
) -> Iterator[tuple[str, RawArticle | IngestError]]:
    """Yield (label, article or error) per record, so one bad record does not sink the file."""
    if lines:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            label = f"{source}:{number}"
            try:
                yield label, record_to_article(json.loads(line), label)
            except json.JSONDecodeError as exc:
                yield label, IngestError(f"invalid JSON: {exc.msg} at column {exc.colno}")
            except IngestError as exc:
                yield label, exc
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield (
            source,
            IngestError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"),
        )
        return
    records = data if isinstance(data, list) else [data]
    if not records:
        # Otherwise the file would vanish from the report without a word.
        yield source, IngestError("the JSON list holds no articles")
        return
    for number, record in enumerate(records):
        label = f"{source}[{number}]" if isinstance(data, list) else source
        try:
            yield label, record_to_article(record, label)
        except IngestError as exc:
            yield label, exc
