"""Reading articles from files, folders and URLs into RawArticles."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from articleqa.config import Settings
from articleqa.errors import IngestError, SourceTooLarge, UnsupportedFormat
from articleqa.ingest.decode import decode_html, decode_text, gunzip
from articleqa.ingest.html import read_html
from articleqa.ingest.jsonl import iter_json_records
from articleqa.ingest.mail import read_eml
from articleqa.ingest.markdown import read_markdown
from articleqa.ingest.mdoc import read_manual_page
from articleqa.ingest.org import read_org, read_text_or_org
from articleqa.ingest.rst import read_rst
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
    ".org",
    ".eml",
    ".json",
    ".jsonl",
    *MAN_SUFFIXES,
)

ReadResult = tuple[str, RawArticle | IngestError]
# A gzip-compressed file is read as the file it holds ("README.md.gz", "scp.1.gz").
COMPRESSED_SUFFIX = ".gz"


# A manual page's section with its suffix, as man(1) names pages: "Digest::SHA.3perl",
# "openssl-req.1ssl", "printf.1p", "Tcl_Eval.3tcl" (a 7-Zip archive is no manual page).
_MAN_SECTION = re.compile(r"^\.[1-9n][a-z]{1,8}$")
_NOT_MANUALS = frozenset({".7z"})


def format_suffix(name: str) -> str:
    """The suffix that says how a file is read: its own, or that of the file a ``.gz`` holds;
    a manual page's section with a suffix is read as a manual page (``.man``)."""
    path = Path(name)
    suffix = path.suffix.lower()
    if suffix == COMPRESSED_SUFFIX and Path(path.stem).suffix:
        suffix = Path(path.stem).suffix.lower()
    manual = suffix not in SUPPORTED_SUFFIXES and suffix not in _NOT_MANUALS
    return ".man" if manual and _MAN_SECTION.match(suffix) else suffix


def is_supported(name: str) -> bool:
    return format_suffix(name) in SUPPORTED_SUFFIXES


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_file(path: Path, settings: Settings) -> Iterator[ReadResult]:
    """Yield (label, article or error) for one file; JSON files may hold many articles.

    The one guard every reader sits behind: whatever a reader raises on hostile input (a
    RecursionError, a ValueError from a parser, a bug), the file becomes one IngestError and
    the caller goes on with its other sources. The file is read whole before anything is
    yielded, so a reader failing half-way never yields the records before the failure.
    """
    try:
        results = list(_read_file(path, settings))
    except Exception as exc:
        logger.debug("reading %s failed", path, exc_info=True)
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        name = type(exc).__name__
        yield str(path), IngestError(f"cannot read file ({name}{': ' + detail if detail else ''})")
        return
    yield from results


def _read_file(path: Path, settings: Settings) -> Iterator[ReadResult]:
    label = str(path)
    suffix = format_suffix(path.name)
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
        if path.suffix.lower() == COMPRESSED_SUFFIX:
            data = gunzip(data, settings.max_article_bytes)
        if suffix == ".eml":
            # MIME: each part says its own encoding, so the bytes go to the message parser.
            yield label, read_eml(data, str(path.resolve()))
            return
        is_html = suffix in (".html", ".htm")
        text = (
            decode_html(data, what="file")
            if is_html
            else decode_text(data, what="file", legacy=suffix not in (".json", ".jsonl"))
        )
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
        elif suffix == ".org":
            yield label, read_org(text, source)
        elif suffix in MAN_SUFFIXES:
            yield label, read_manual_page(text, source)
        else:
            yield label, read_text_or_org(text, source)
    except IngestError as exc:
        yield label, exc


def iter_folder(folder: Path) -> Iterator[Path]:
    """Supported files under ``folder``, recursively, in a stable order; hidden ones skipped."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and is_supported(path.name):
            yield path


def _warn_unsupported(folder: Path) -> None:
    """Say which files a folder add skipped: added one by one, each would be reported."""
    skipped: dict[str, int] = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        suffix = format_suffix(path.name)
        if suffix not in SUPPORTED_SUFFIXES:
            skipped[suffix or "(none)"] = skipped.get(suffix or "(none)", 0) + 1
    if skipped:
        kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(skipped.items()))
        logger.warning(
            "%s: skipped %d unsupported file(s) (%s); supported: %s",
            folder,
            sum(skipped.values()),
            kinds,
            ", ".join(SUPPORTED_SUFFIXES),
        )


def read_sources(
    sources: list[str], settings: Settings, allow_private: bool = False
) -> Iterator[ReadResult]:
    """Read every source (file, folder or URL), never stopping at a bad one."""
    for group in read_source_groups(sources, settings, allow_private):
        yield from group


def read_source_groups(
    sources: list[str], settings: Settings, allow_private: bool = False
) -> Iterator[list[ReadResult]]:
    """Like :func:`read_sources`, one list per file or URL: the unit a caller stores at once."""
    for source in sources:
        if is_url(source):
            yield [_read_url(source, settings, allow_private)]
            continue
        path = Path(source).expanduser()
        if path.is_dir():
            files = list(iter_folder(path))
            _warn_unsupported(path)
            if not files:
                yield [(source, IngestError("folder holds no supported article files"))]
            for file in files:
                yield list(read_file(file, settings))
        elif path.exists():
            yield list(read_file(path, settings))
        else:
            yield [(source, IngestError("no such file or folder"))]


def _read_url(source: str, settings: Settings, allow_private: bool) -> ReadResult:
    try:
        return (
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
        return source, exc
    except Exception as exc:  # same guard as read_file: one bad source, one error
        logger.debug("fetching %s failed", source, exc_info=True)
        return source, IngestError(f"cannot fetch ({type(exc).__name__}: {exc})")
