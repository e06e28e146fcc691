"""The article store in PostgreSQL: the same contract as the SQLite ``ArticleStore``.

Subclassed from it so that the indexer (which reads an ``ArticleStore``) takes either; none of
the SQLite machinery is used. Every write is one transaction.
"""

from __future__ import annotations

import builtins
import datetime as dt
import logging
from collections.abc import Iterator, Sequence

import psycopg
from psycopg.rows import dict_row

from articleqa.collection import DEFAULT
from articleqa.errors import ArticleNotFound
from articleqa.models import Article, ArticleMeta
from articleqa.postgres.database import Database
from articleqa.store import (
    COLUMNS,
    META_COLUMNS,
    ArticleStore,
    UpsertStatus,
    article_from_row,
    changed_collections,
    generation_key,
    row_values,
)

logger = logging.getLogger(__name__)

_UPSERT = (
    f"INSERT INTO articles ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "id")
)


class PostgresStore(ArticleStore):
    def __init__(self, database: Database) -> None:  # no SQLite file: see the module docstring
        self.database = database
        self.collection = DEFAULT

    def upsert_many(
        self, articles: Sequence[Article]
    ) -> builtins.list[tuple[UpsertStatus, str | None]]:
        if not articles:
            return []
        with self.database.connection() as conn, conn.transaction():
            results = [self._upsert_in(conn, article) for article in articles]
            for collection in changed_collections(articles, results):
                _bump_generation(conn, collection)
            return results

    @staticmethod
    def _upsert_in(  # type: ignore[override]
        conn: psycopg.Connection, article: Article
    ) -> tuple[UpsertStatus, str | None]:
        # FOR UPDATE: two replicas storing the same article queue here instead of racing.
        row = conn.execute(
            "SELECT content_hash, added_at FROM articles WHERE id = %s FOR UPDATE", (article.id,)
        ).fetchone()
        if row is not None and row[0] == article.content_hash:
            return UpsertStatus.UNCHANGED, None
        replaced: str | None = None
        added_at = article.added_at
        if row is not None:
            added_at = dt.datetime.fromisoformat(row[1])
        elif article.source and not article.url:
            previous = conn.execute(
                "SELECT id, added_at FROM articles"
                " WHERE source = %s AND url IS NULL AND id != %s AND collection = %s"
                " LIMIT 1 FOR UPDATE",
                (article.source, article.id, article.collection),
            ).fetchone()
            if previous is not None:
                replaced = previous[0]
                added_at = dt.datetime.fromisoformat(previous[1])
                conn.execute("DELETE FROM articles WHERE id = %s", (replaced,))
        conn.execute(
            _UPSERT,
            row_values(article, added_at),
        )
        status = UpsertStatus.UPDATED if row is not None or replaced else UpsertStatus.CREATED
        return status, replaced

    def remove(self, article_id: str) -> None:
        with self.database.connection() as conn, conn.transaction():
            row = conn.execute(
                "DELETE FROM articles WHERE id = %s RETURNING collection", (article_id,)
            ).fetchone()
            if row is None:
                raise ArticleNotFound(f"no article with id {article_id!r}")
            _bump_generation(conn, row[0])

    def remove_by_source(self, source: str) -> builtins.list[str]:
        with self.database.connection() as conn, conn.transaction():
            ids = [
                r[0]
                for r in conn.execute(
                    "DELETE FROM articles WHERE source = %s AND collection = %s RETURNING id",
                    (source, self.collection),
                )
            ]
            if ids:
                _bump_generation(conn, self.collection)
            return ids

    def get(self, article_id: str) -> Article:
        with self.database.connection() as conn:
            row = (
                conn.cursor(row_factory=dict_row)
                .execute("SELECT * FROM articles WHERE id = %s", (article_id,))
                .fetchone()
            )
        if row is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return article_from_row(row)

    def list(self, offset: int = 0, limit: int = 50) -> builtins.list[ArticleMeta]:
        with self.database.connection() as conn:
            rows = (
                conn.cursor(row_factory=dict_row)
                .execute(
                    f"SELECT {META_COLUMNS} FROM articles WHERE collection = %s"
                    " ORDER BY added_at, id LIMIT %s OFFSET %s",
                    (self.collection, limit, offset),
                )
                .fetchall()
            )
        return [ArticleMeta.model_validate(r) for r in rows]

    def differing(self, hashes: dict[str, str]) -> builtins.list[str]:
        ids = builtins.list(hashes)
        with self.database.connection() as conn:
            stored = dict(
                conn.execute(
                    "SELECT id, content_hash FROM articles WHERE id = ANY(%s)", (ids,)
                ).fetchall()
            )
        return [i for i in ids if stored.get(i) != hashes[i]]

    def count(self) -> int:
        with self.database.connection() as conn:
            row = conn.execute(
                "SELECT count(*) FROM articles WHERE collection = %s", (self.collection,)
            ).fetchone()
        return int(row[0]) if row else 0

    def iter_articles(self) -> Iterator[Article]:
        # One consistent read (a REPEATABLE READ transaction would need a connection held
        # across the caller's loop): the whole list, as the indexer reads it anyway.
        with self.database.connection() as conn:
            rows = (
                conn.cursor(row_factory=dict_row)
                .execute(
                    "SELECT * FROM articles WHERE collection = %s ORDER BY id", (self.collection,)
                )
                .fetchall()
            )
        for row in rows:
            yield article_from_row(row)

    def ids_by_source(self, source: str) -> builtins.list[str]:
        with self.database.connection() as conn:
            return [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM articles WHERE source = %s AND collection = %s",
                    (source, self.collection),
                )
            ]

    def collections(self) -> builtins.list[str]:
        with self.database.connection() as conn:
            return [
                r[0] for r in conn.execute("SELECT DISTINCT collection FROM articles ORDER BY 1")
            ]

    def generation(self) -> int:
        with self.database.connection() as conn:
            row = conn.execute(
                "SELECT value FROM store_meta WHERE key = %s",
                (generation_key(self.collection),),
            ).fetchone()
        return int(row[0]) if row else 0


def _bump_generation(conn: psycopg.Connection, collection: str) -> None:
    conn.execute(
        "INSERT INTO store_meta (key, value) VALUES (%s, 1)"
        " ON CONFLICT (key) DO UPDATE SET value = store_meta.value + 1",
        (generation_key(collection),),
    )
