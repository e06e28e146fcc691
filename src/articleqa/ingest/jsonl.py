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


def _parse(text: str) -> Any:
    """``json.loads`` with every way it can fail on hostile input as an IngestError.

    Besides JSONDecodeError, deep nesting raises RecursionError and a number of more than
    4,300 digits ValueError; neither may escape as a traceback.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise IngestError("invalid JSON: nested too deeply") from exc
    except ValueError as exc:
        raise IngestError(f"invalid JSON: {exc}") from exc


def _iter_lines(text: str, source: str) -> Iterator[tuple[str, RawArticle | IngestError]]:
    articles: list[tuple[str, RawArticle]] = []
    bad: list[tuple[int, IngestError]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"{source}:{number}"
        try:
            articles.append((label, record_to_article(_parse(line), label)))
        except IngestError as exc:
            bad.append((number, exc))
    if bad:
        # All or nothing per file: storing the records around a bad line would leave a
        # half-added file that looks complete (issue 15, item 1).
        number, first = bad[0]
        message = first.message.replace(" at line 1 column", " at column")
        more = f"; {len(bad) - 1} more bad line(s): {', '.join(str(n) for n, _ in bad[1:6])}"
        yield (
            source,
            IngestError(
                f"line {number}: {message}{more if len(bad) > 1 else ''}; "
                "nothing from this file was added"
            ),
        )
        return
    if not articles:
        yield source, IngestError("the JSON Lines file holds no articles")
        return
    yield from articles


def iter_json_records(
    text: str, source: str, lines: bool
) -> Iterator[tuple[str, RawArticle | IngestError]]:
    """Yield (label, article or error) per record of a JSON file, or the records of a JSON
    Lines file (all of them, or one error naming the first bad line)."""
    if lines:
        yield from _iter_lines(text, source)
        return
    try:
        data = _parse(text)
    except IngestError as exc:
        yield source, exc
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
