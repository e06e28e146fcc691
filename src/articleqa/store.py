"""The article store (SQLite, WAL): the source of truth for article text.

Every write is one transaction, so a crash mid-ingest leaves either the old article or the new
one, never half of either.
"""

from __future__ import annotations

import builtins
import copy
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

from articleqa.collection import DEFAULT
from articleqa.errors import ArticleNotFound, StorageError
from articleqa.models import Article, ArticleMeta, BlockKind, LayoutSpan
from articleqa.paths import HomePaths
from articleqa.sqlite_files import connect, migrate

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    url TEXT,
    author TEXT,
    published TEXT,
    source TEXT,
    content_hash TEXT NOT NULL,
    chars INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Numbered schema steps after the base schema; ``PRAGMA user_version`` records how many ran,
# so a data directory made by older code upgrades in place when it is opened.
_MIGRATIONS = (
    # 1: where headings and code blocks sit (JSON), from the document's markup.
    "ALTER TABLE articles ADD COLUMN layout TEXT",
    # 2, 3: the collection each article belongs to; articles stored before collections
    # existed are in ``default``, whose index is the one they were already in.
    f"ALTER TABLE articles ADD COLUMN collection TEXT NOT NULL DEFAULT '{DEFAULT}'",
    "CREATE INDEX IF NOT EXISTS articles_collection ON articles(collection, added_at)",
)
# The schema version a store opened by this code is at.
SCHEMA_VERSION = len(_MIGRATIONS)
COLUMNS = (
    "id",
    "title",
    "url",
    "author",
    "published",
    "source",
    "content_hash",
    "chars",
    "added_at",
    "updated_at",
    "text",
    "layout",
    "collection",
)
META_COLUMNS = (
    "id, title, url, author, published, source, content_hash, chars, added_at, updated_at, "
    "collection"
)


class UpsertStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def generation_key(collection: str) -> str:
    """The meta key of ``collection``'s change counter (``default`` keeps the key it had before
    collections existed, so an index built then is still current after the upgrade)."""
    return "generation" if collection == DEFAULT else f"generation:{collection}"


class ArticleStore:
    """The articles of every collection. ``list``, ``count``, ``iter_articles``,
    ``generation`` and the by-source lookups see only ``collection``'s (``scoped`` gives the
    same store seen through another); ``get``, ``remove`` and ``differing`` go by id, which is
    unique across collections."""

    collection: str = DEFAULT

    def __init__(self, home: Path, collection: str = DEFAULT) -> None:
        self.collection = collection
        self.path = HomePaths(home).store
        try:
            home.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(_SCHEMA)
                migrate(db, _MIGRATIONS, "article store")
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the article store at {self.path}: {exc}") from exc

    def scoped(self, collection: str) -> ArticleStore:
        """This store seen through ``collection`` (nothing is opened again)."""
        view = copy.copy(self)
        view.collection = collection
        return view

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, autocommit=True, rows=True)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            # Every write goes through here, so every SQLite failure (disk full, locked past
            # the busy timeout...) reaches the edges as one typed error.
            if isinstance(exc, sqlite3.Error):
                raise StorageError(f"cannot write to the article store: {exc}") from exc
            raise
        finally:
            db.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    def upsert(self, article: Article) -> tuple[UpsertStatus, str | None]:
        """Store ``article``. Returns the status and, when it replaced one, the replaced id.

        A file whose text changed gets a new text-derived id; the article previously read from
        the same source is replaced rather than left beside it.
        """
        [result] = self.upsert_many([article])
        return result

    def upsert_many(
        self, articles: Sequence[Article]
    ) -> builtins.list[tuple[UpsertStatus, str | None]]:
        """Store ``articles`` in one transaction: all of them or, after a failure, none.

        One transaction per batch rather than per article: a commit (and the connection
        opened for it) costs far more than the row, so bulk adds are batched (issue 15, item 10).
        """
        if not articles:
            return []
        current = articles[0]
        try:
            with self._transaction() as db:
                results = []
                for current in articles:
                    results.append(self._upsert_in(db, current))
                for collection in changed_collections(articles, results):
                    self._bump_generation(db, collection)
                return results
        except sqlite3.Error as exc:
            raise StorageError(f"cannot write article {current.id}: {exc}") from exc

    @staticmethod
    def _upsert_in(db: sqlite3.Connection, article: Article) -> tuple[UpsertStatus, str | None]:
        row = db.execute(
            "SELECT content_hash, added_at FROM articles WHERE id = ?", (article.id,)
        ).fetchone()
        if row is not None and row["content_hash"] == article.content_hash:
            return UpsertStatus.UNCHANGED, None
        replaced: str | None = None
        added_at = article.added_at
        if row is not None:
            added_at = dt.datetime.fromisoformat(row["added_at"])
        elif article.source and not article.url:
            previous = db.execute(
                "SELECT id, added_at FROM articles"
                " WHERE source = ? AND url IS NULL AND id != ? AND collection = ?",
                (article.source, article.id, article.collection),
            ).fetchone()
            if previous is not None:
                replaced = previous["id"]
                added_at = dt.datetime.fromisoformat(previous["added_at"])
                db.execute("DELETE FROM articles WHERE id = ?", (replaced,))
        db.execute(
            f"INSERT OR REPLACE INTO articles ({', '.join(COLUMNS)})"
            f" VALUES ({','.join('?' * len(COLUMNS))})",
            row_values(article, added_at),
        )
        status = UpsertStatus.UPDATED if row is not None or replaced else UpsertStatus.CREATED
        return status, replaced

    def remove(self, article_id: str) -> None:
        with self._transaction() as db:
            row = db.execute(
                "DELETE FROM articles WHERE id = ? RETURNING collection", (article_id,)
            ).fetchone()
            if row is None:
                raise ArticleNotFound(f"no article with id {article_id!r}")
            self._bump_generation(db, row["collection"])

    def remove_by_source(self, source: str) -> list[str]:
        with self._transaction() as db:
            ids = [
                r["id"]
                for r in db.execute(
                    "DELETE FROM articles WHERE source = ? AND collection = ? RETURNING id",
                    (source, self.collection),
                )
            ]
            if ids:
                self._bump_generation(db, self.collection)
            return ids

    def get(self, article_id: str) -> Article:
        with self._read() as db:
            row = db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return article_from_row(row)

    def list(self, offset: int = 0, limit: int = 50) -> list[ArticleMeta]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {META_COLUMNS} FROM articles WHERE collection = ?"
                " ORDER BY added_at, id LIMIT ? OFFSET ?",
                (self.collection, limit, offset),
            ).fetchall()
        return [ArticleMeta.model_validate(dict(r)) for r in rows]

    def differing(self, hashes: dict[str, str]) -> builtins.list[str]:
        """Ids in ``hashes`` (id -> content hash) that the store lacks or holds changed."""
        stored: dict[str, str] = {}
        ids = builtins.list(hashes)
        with self._read() as db:
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start : chunk_start + 500]
                marks = ",".join("?" * len(chunk))
                stored.update(
                    (r["id"], r["content_hash"])
                    for r in db.execute(
                        f"SELECT id, content_hash FROM articles WHERE id IN ({marks})", chunk
                    )
                )
        return [i for i in ids if stored.get(i) != hashes[i]]

    def content_hashes(self) -> dict[str, str]:
        """Each article's content hash by id (the texts are not read)."""
        with self._read() as db:
            return {
                r["id"]: r["content_hash"]
                for r in db.execute(
                    "SELECT id, content_hash FROM articles WHERE collection = ?",
                    (self.collection,),
                )
            }

    def count(self) -> int:
        with self._read() as db:
            return int(
                db.execute(
                    "SELECT COUNT(*) FROM articles WHERE collection = ?", (self.collection,)
                ).fetchone()[0]
            )

    def iter_articles(self) -> Iterator[Article]:
        return self._iter_rows("*")

    def iter_without_texts(self) -> Iterator[Article]:
        """``iter_articles`` without reading the texts: each with an empty text and no layout
        (``get_many`` reads those needed)."""
        return self._iter_rows(f"{META_COLUMNS}, '' AS text")

    def _iter_rows(self, columns: str) -> Iterator[Article]:
        with self._read() as db:
            for row in db.execute(
                f"SELECT {columns} FROM articles WHERE collection = ? ORDER BY id",
                (self.collection,),
            ):
                yield article_from_row(row)

    def get_many(self, ids: Sequence[str]) -> dict[str, Article]:
        """The articles ``ids`` that the store holds, texts and layouts included, by id."""
        found: dict[str, Article] = {}
        with self._read() as db:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(
                    (row["id"], article_from_row(row))
                    for row in db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", chunk)
                )
        return found

    def collections(self) -> builtins.list[str]:
        """The collections holding at least one article, sorted."""
        with self._read() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT collection FROM articles ORDER BY 1")]

    # ``list`` is a method here: the builtin needs its full name.
    def ids_by_source(self, source: str) -> builtins.list[str]:
        with self._read() as db:
            return [
                r["id"]
                for r in db.execute(
                    "SELECT id FROM articles WHERE source = ? AND collection = ?",
                    (source, self.collection),
                )
            ]

    def generation(self) -> int:
        """A counter bumped by every change to this collection, so a builder can tell whether
        it is stale (a change to another collection leaves it as it is)."""
        with self._read() as db:
            row = db.execute(
                "SELECT value FROM meta WHERE key = ?", (generation_key(self.collection),)
            ).fetchone()
        return int(row["value"]) if row else 0

    @staticmethod
    def _bump_generation(db: sqlite3.Connection, collection: str) -> None:
        db.execute(
            "INSERT INTO meta(key, value) VALUES (?, '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            (generation_key(collection),),
        )


def row_values(article: Article, added_at: dt.datetime) -> tuple[object, ...]:
    """The ``COLUMNS`` of ``article``'s row, in order (both stores write the same row)."""
    return (
        article.id,
        article.title,
        article.url,
        article.author,
        article.published.isoformat() if article.published else None,
        article.source,
        article.content_hash,
        article.chars,
        added_at.isoformat(),
        article.updated_at.isoformat(),
        article.text,
        dump_layout(article.layout),
        article.collection,
    )


def changed_collections(
    articles: Sequence[Article], results: Sequence[tuple[UpsertStatus, str | None]]
) -> builtins.list[str]:
    """The collections an ``upsert_many`` of ``articles`` changed (their counters to bump)."""
    return sorted(
        {
            article.collection
            for article, (status, _) in zip(articles, results, strict=True)
            if status != UpsertStatus.UNCHANGED
        }
    )


def dump_layout(layout: builtins.list[LayoutSpan] | None) -> str | None:
    if layout is None:
        return None
    return json.dumps([[s.kind.value, s.start, s.end, s.level] for s in layout])


def article_from_row(row: sqlite3.Row | Mapping[str, Any]) -> Article:
    """An Article from a row of the articles table (SQLite or PostgreSQL: the same columns)."""
    fields = dict(row)
    raw_layout = fields.pop("layout", None)
    layout = None
    if raw_layout:
        layout = [
            LayoutSpan(kind=BlockKind(kind), start=start, end=end, level=level)
            for kind, start, end, level in json.loads(raw_layout)
        ]
    return Article.model_validate({**fields, "layout": layout})
