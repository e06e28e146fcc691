"""RSS/Atom feeds: a registry of feed URLs and a poller that ingests entries it has not seen.

The registry is a SQLite file in ``ARTICLEQA_HOME`` (``feeds.sqlite``) holding, per feed, the
validators of the last good fetch (ETag / Last-Modified, so an unchanged feed costs a 304) and,
per entry, whether it was stored. Feeds and entry pages are fetched with the guarded client of
``articleqa.ingest.url``: the same address rules as any URL ingest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from articleqa.errors import IngestError, InvalidInput, StorageError
from articleqa.ingest.blocks import blocks_from_html
from articleqa.models import Block, BlockKind, RawArticle
from articleqa.paths import HomePaths
from articleqa.service import IngestOutcome, IngestStatus
from articleqa.sqlite_files import connect, migrate

if TYPE_CHECKING:
    from articleqa.engine import ArticleQA

logger = logging.getLogger(__name__)

# A failing entry is retried on later polls, but not forever.
MAX_ENTRY_ATTEMPTS = 3
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    title TEXT,
    etag TEXT,
    last_modified TEXT,
    added_at TEXT NOT NULL,
    last_polled_at TEXT,
    last_status TEXT,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS entries (
    feed_url TEXT NOT NULL,
    entry_key TEXT NOT NULL,
    status TEXT NOT NULL,
    article_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_url, entry_key)
);
"""
# Schema steps after the base schema (see sqlite_files.migrate); none yet.
_MIGRATIONS: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedInfo:
    url: str
    title: str | None
    added_at: str
    last_polled_at: str | None
    last_status: str | None
    last_error: str | None
    entries_stored: int


class PollStatus(StrEnum):
    """What one poll of one feed did (also kept as the feed's ``last_status``)."""

    NOT_MODIFIED = "not_modified"
    FETCHED = "fetched"
    FAILED = "failed"


class EntryStatus(StrEnum):
    STORED = "stored"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class EntryState:
    status: EntryStatus
    attempts: int


@dataclass(slots=True)
class FeedPollResult:
    """What one poll of one feed did."""

    url: str
    status: PollStatus
    entries: int = 0
    outcomes: list[IngestOutcome] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> int:
        return sum(o.status in (IngestStatus.CREATED, IngestStatus.UPDATED) for o in self.outcomes)

    @property
    def failed_entries(self) -> int:
        return sum(o.failed for o in self.outcomes)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_feed_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"a feed must be an http(s) URL, not {url!r}")
    return url


class FeedRegistry:
    """The feeds to poll and what was seen of them (SQLite in ``ARTICLEQA_HOME``)."""

    def __init__(self, home: Path) -> None:
        self.path = HomePaths(home).feeds
        try:
            home.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(_SCHEMA)
                migrate(db, _MIGRATIONS, "feed registry")
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the feed registry at {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, autocommit=True, rows=True)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        except sqlite3.Error as exc:
            raise StorageError(f"feed registry {self.path}: {exc}") from exc
        finally:
            db.close()

    def add(self, url: str) -> bool:
        """Register ``url``; False when it was already registered."""
        url = check_feed_url(url)
        with self._db() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feeds(url, added_at) VALUES (?, ?)", (url, _now())
            )
            return cursor.rowcount == 1

    def remove(self, url: str) -> None:
        url = url.strip()
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            cursor = db.execute("DELETE FROM feeds WHERE url = ?", (url,))
            db.execute("DELETE FROM entries WHERE feed_url = ?", (url,))
            db.execute("COMMIT")
        if cursor.rowcount == 0:
            raise InvalidInput(f"no feed {url!r} is registered (see `articleqa feeds list`)")

    def urls(self) -> list[str]:
        with self._db() as db:
            return [r["url"] for r in db.execute("SELECT url FROM feeds ORDER BY rowid")]

    def list(self) -> list[FeedInfo]:
        with self._db() as db:
            rows = db.execute(
                "SELECT f.*, (SELECT COUNT(*) FROM entries e WHERE e.feed_url = f.url "
                "AND e.status = 'stored') AS stored FROM feeds f ORDER BY rowid"
            ).fetchall()
        return [
            FeedInfo(
                r["url"],
                r["title"],
                r["added_at"],
                r["last_polled_at"],
                r["last_status"],
                r["last_error"],
                int(r["stored"]),
            )
            for r in rows
        ]

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self._db() as db:
            row = db.execute(
                "SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)
            ).fetchone()
        return (row["etag"], row["last_modified"]) if row else (None, None)

    def record_poll(
        self,
        url: str,
        status: str,
        *,
        error: str | None = None,
        title: str | None = None,
        validators: tuple[str | None, str | None] | None = None,
    ) -> None:
        """Note a poll's result; ``validators`` replace the stored ones only when given."""
        with self._db() as db:
            db.execute(
                "UPDATE feeds SET last_polled_at = ?, last_status = ?, last_error = ?, "
                "title = COALESCE(?, title) WHERE url = ?",
                (_now(), status, error, title, url),
            )
            if validators is not None:
                db.execute(
                    "UPDATE feeds SET etag = ?, last_modified = ? WHERE url = ?", (*validators, url)
                )

    def entry_state(self, url: str, key: str) -> EntryState | None:
        with self._db() as db:
            row = db.execute(
                "SELECT status, attempts FROM entries WHERE feed_url = ? AND entry_key = ?",
                (url, key),
            ).fetchone()
        return EntryState(EntryStatus(row["status"]), int(row["attempts"])) if row else None

    def record_entry(
        self, url: str, key: str, status: str, article_id: str | None, error: str | None
    ) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO entries"
                "(feed_url, entry_key, status, article_id, attempts, error, seen_at) "
                "VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(feed_url, entry_key) DO UPDATE SET "
                "status = excluded.status, article_id = excluded.article_id, "
                "attempts = attempts + 1, error = excluded.error, seen_at = excluded.seen_at",
                (url, key, status, article_id, error, _now()),
            )


def entry_key(entry: Any) -> str:
    """An entry's identity: its guid/id, else its link, else a hash of its title and summary."""
    for name in ("id", "link"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    basis = f"{entry.get('title', '')}\n{entry.get('summary', '')}"
    return "sha256:" + hashlib.sha256(basis.encode()).hexdigest()[:32]


def _entry_date(entry: Any) -> dt.date | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(name)
        if isinstance(parsed, time.struct_time):
            try:
                return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
            except ValueError:
                continue
    return None


def _entry_content(entry: Any) -> tuple[str, tuple[Block, ...] | None] | None:
    """The entry's own text: its full content when the feed carries it, else its summary.

    HTML content is read by the same block reader as HTML pages, so a feed's paragraphs,
    lists and headings come out as a fetched page's would. Returns the text and its blocks
    (None for plain text).
    """
    candidates = [c for c in entry.get("content") or [] if isinstance(c, dict)]
    summary = entry.get("summary_detail") or {}
    if entry.get("summary"):
        candidates.append({"value": entry.get("summary"), "type": summary.get("type", "text/html")})
    for candidate in candidates:
        value = candidate.get("value")
        if not isinstance(value, str) or not value.strip():
            continue
        if candidate.get("type") == "text/plain":
            return value, None
        blocks = blocks_from_html(value)
        if any(b.kind is BlockKind.TEXT for b in blocks):
            return "\n\n".join(b.text for b in blocks), tuple(blocks)
    return None


class FeedPoller:
    """Polls registered feeds and stores their new entries. Does not rebuild the index."""

    def __init__(
        self,
        engine: ArticleQA,
        registry: FeedRegistry | None = None,
        allow_private: bool = False,
    ) -> None:
        settings = engine.settings
        self.engine = engine
        self.settings = settings
        self.registry = registry or FeedRegistry(settings.home)
        self.allow_private = allow_private or settings.allow_private_urls

    def poll_all(self) -> list[FeedPollResult]:
        results = []
        for url in self.registry.urls():
            try:
                results.append(self.poll(url))
            except Exception as exc:  # one broken feed must not stop the others
                logger.exception("feed %s: poll failed", url)
                results.append(FeedPollResult(url, PollStatus.FAILED, error=str(exc)))
        return results

    def poll(self, url: str) -> FeedPollResult:
        """Fetch ``url`` conditionally and ingest every entry not stored before."""
        import feedparser

        from articleqa.ingest.url import fetch_response

        etag, last_modified = self.registry.validators(url)
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            response = fetch_response(
                url,
                headers=headers,
                allow_private=self.allow_private,
                timeout_s=self.settings.url_timeout_s,
                max_bytes=self.settings.url_max_bytes,
                max_redirects=self.settings.url_max_redirects,
            )
        except IngestError as exc:
            logger.warning("feed %s: %s", url, exc.message)
            self.registry.record_poll(url, PollStatus.FAILED, error=exc.message)
            return FeedPollResult(url, PollStatus.FAILED, error=exc.message)
        if response.status_code == 304:
            logger.info("feed %s: not modified", url)
            self.registry.record_poll(url, PollStatus.NOT_MODIFIED)
            return FeedPollResult(url, PollStatus.NOT_MODIFIED)
        parsed = feedparser.parse(
            response.body,
            response_headers={
                "content-location": response.url,
                "content-type": response.headers.get("content-type", "application/xml"),
            },
        )
        if not parsed.entries and (parsed.bozo or not parsed.get("version")):
            reason = f"not an RSS or Atom feed ({parsed.get('bozo_exception') or 'no entries'})"
            logger.warning("feed %s: %s", url, reason)
            self.registry.record_poll(url, PollStatus.FAILED, error=reason)
            return FeedPollResult(url, PollStatus.FAILED, error=reason)
        result = FeedPollResult(url, PollStatus.FETCHED, entries=len(parsed.entries))
        retry_later = False
        for entry in parsed.entries:
            key = entry_key(entry)
            state = self.registry.entry_state(url, key)
            if state is not None and (
                state.status == EntryStatus.STORED or state.attempts >= MAX_ENTRY_ATTEMPTS
            ):
                continue
            outcome = self._ingest_entry(url, key, entry)
            result.outcomes.append(outcome)
            if outcome.failed:
                attempts = (state.attempts if state else 0) + 1
                retry_later = retry_later or attempts < MAX_ENTRY_ATTEMPTS
                logger.warning("feed %s: entry %s failed: %s", url, key, outcome.error)
                self.registry.record_entry(url, key, EntryStatus.FAILED, None, outcome.error)
            else:
                logger.info(
                    "feed %s: %s %s (%s)", url, outcome.status, outcome.article_id, outcome.title
                )
                self.registry.record_entry(url, key, EntryStatus.STORED, outcome.article_id, None)
        # Keeping the old validators while an entry awaits a retry makes the next poll fetch the
        # feed again instead of being answered 304.
        validators = (
            None
            if retry_later
            else (
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
        )
        self.registry.record_poll(
            url, PollStatus.FETCHED, title=parsed.feed.get("title"), validators=validators
        )
        return result

    def _ingest_entry(self, feed_url: str, key: str, entry: Any) -> IngestOutcome:
        from articleqa.ingest.url import fetch_url

        link = entry.get("link")
        link = (
            link.strip()
            if isinstance(link, str) and link.startswith(("http://", "https://"))
            else None
        )
        label = link or f"{feed_url}#{key}"
        raw: RawArticle | None = None
        page_error: str | None = None
        if link:
            try:
                raw = fetch_url(
                    link,
                    allow_private=self.allow_private,
                    timeout_s=self.settings.url_timeout_s,
                    max_bytes=self.settings.url_max_bytes,
                    max_redirects=self.settings.url_max_redirects,
                )
            except IngestError as exc:
                page_error = exc.message
                logger.info(
                    "feed %s: page %s not used (%s); trying the feed's text",
                    feed_url,
                    link,
                    page_error,
                )
        if raw is None:
            content = _entry_content(entry)
            if content is None:
                return IngestOutcome(
                    label,
                    IngestStatus.FAILED,
                    error=page_error or "entry has neither a fetchable link nor any text",
                    error_code="fetch_failed",
                )
            text, blocks = content
            raw = RawArticle(title="", text=text, url=link, source=label, blocks=blocks)
        entry_title = entry.get("title")
        raw = replace(
            raw,
            # A feed's entry title is the headline; a page <title> often carries the site name.
            title=entry_title.strip()
            if isinstance(entry_title, str) and entry_title.strip()
            else raw.title,
            author=raw.author or (entry.get("author") or None),
            published=raw.published or _entry_date(entry),
            url=link or raw.url,
            source=label,
        )
        return self.engine.add_raw(label, raw)
