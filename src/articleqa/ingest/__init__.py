"""Reading articles from files, folders and URLs into RawArticles."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from articleqa.config import Settings
from articleqa.errors import IngestError, SourceTooLarge, UnsupportedFormat
from articleqa.ingest.decode import decode_html, decode_text
from articleqa.ingest.html import read_html
from articleqa.ingest.jsonl import iter_json_records
from articleqa.ingest.man import read_man
from articleqa.ingest.markdown import read_markdown
from articleqa.ingest.rst import read_rst
from articleqa.ingest.text import read_text
from articleqa.ingest.url import fetch_url
from articleqa.models import RawArticle

logger = logging.getLogger(__name__)

MAN_SUFFIXES = (".1", ".2", ".3", ".4", ".5", ".6", ".7", ".8", ".9", ".man")
SUPPORTED_SUFFIXES = (
    ".txt",
    ".text",
    ".md",
    ".markdown",
    ".html",
    ".htm",
    ".rst",
    ".rest",
    ".json",
    ".jsonl",
    *MAN_SUFFIXES,
)

ReadResult = tuple[str, RawArticle | IngestError]


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_file(path: Path, settings: Settings) -> Iterator[ReadResult]:
    """Yield (label, article or error) for one file; JSON files may hold many articles."""
    label = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        choices = ", ".join(SUPPORTED_SUFFIXES)
        yield (
            label,
            UnsupportedFormat(
                f"unsupported file type {suffix or '(none)'!r}; use one of {choices}"
            ),
        )
        return
    try:
        size = path.stat().st_size
        if size > settings.max_article_bytes:
            raise SourceTooLarge(
                f"file is {size:,} bytes, over the {settings.max_article_bytes:,}-byte limit "
                "(ARTICLEQA_MAX_ARTICLE_BYTES)"
            )
        data = path.read_bytes()
        is_html = suffix in (".html", ".htm")
        text = decode_html(data, what="file") if is_html else decode_text(data, what="file")
    except IngestError as exc:
        yield label, exc
        return
    except OSError as exc:
        yield label, IngestError(f"cannot read file: {exc.strerror or exc}")
        return
    source = str(path.resolve())
    if suffix in (".json", ".jsonl"):
        yield from iter_json_records(text, source, lines=suffix == ".jsonl")
        return
    try:
        if suffix in (".md", ".markdown"):
            yield label, read_markdown(text, source)
        elif suffix in (".html", ".htm"):
            yield label, read_html(text, source)
        elif suffix in (".rst", ".rest"):
            yield label, read_rst(text, source)
        elif suffix in MAN_SUFFIXES:
            yield label, read_man(text, source)
        else:
            yield label, read_text(text, source)
    except IngestError as exc:
        yield label, exc


def iter_folder(folder: Path) -> Iterator[Path]:
    """Supported files under ``folder``, recursively, in a stable order; hidden ones skipped."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path


def read_sources(
    sources: list[str], settings: Settings, allow_private: bool = False
) -> Iterator[ReadResult]:
    """Read every source (file, folder or URL), never stopping at a bad one."""
    for source in sources:
        if is_url(source):
            try:
                yield (
                    source,
                    fetch_url(
                        source,
                        allow_private=allow_private or settings.allow_private_urls,
                        timeout_s=settings.url_timeout_s,
                        max_bytes=settings.url_max_bytes,
                        max_redirects=settings.url_max_redirects,
                    ),
                )
            except IngestError as exc:
                yield source, exc
            continue
        path = Path(source).expanduser()
        if path.is_dir():
            files = list(iter_folder(path))
            if not files:
                yield source, IngestError("folder holds no supported article files")
            for file in files:
                yield from read_file(file, settings)
        elif path.exists():
            yield from read_file(path, settings)
        else:
            yield source, IngestError("no such file or folder")
