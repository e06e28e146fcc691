"""Connections to PostgreSQL: one pool per process, statement timeouts, typed errors, migrations.

Every failure to reach the server becomes ``DatabaseUnavailable`` (HTTP 503), so the API keeps
running while the database is away and answers again once it is back: the pool reconnects by
itself.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from articleqa.collection import DEFAULT
from articleqa.errors import DatabaseUnavailable, StorageError

logger = logging.getLogger(__name__)

# Keys of the advisory locks (one 64-bit number per purpose, shared by every process).
MIGRATION_LOCK = 0x61716D6967  # "aqmig"
BUILD_LOCK = 0x6171627569  # "aqbui": the default collection's builds


def build_lock_key(collection: str) -> int:
    """The advisory lock a build of ``collection`` holds: ``BUILD_LOCK`` for ``default`` (as
    before collections), a stable 63-bit number from the name for another."""
    if collection == DEFAULT:
        return BUILD_LOCK
    digest = hashlib.sha256(f"articleqa-build:{collection}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


# Numbered schema steps; ``schema_migrations`` records those applied, so a database made by
# older code upgrades in place. Applied in one transaction under an advisory lock: two processes
# starting together never both apply a step.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "articles, store generation, embedding cache, index versions",
        """
        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE articles (
            id text PRIMARY KEY,
            title text NOT NULL,
            url text,
            author text,
            published text,
            source text,
            content_hash text NOT NULL,
            chars integer NOT NULL,
            added_at text NOT NULL,
            updated_at text NOT NULL,
            text text NOT NULL,
            layout text  -- JSON, as in the SQLite store (one encoder for both)
        );
        CREATE INDEX articles_source ON articles (source);
        CREATE INDEX articles_added ON articles (added_at, id);
        CREATE TABLE store_meta (key text PRIMARY KEY, value bigint NOT NULL);
        -- Vectors by the hash of the exact text embedded, per model: a rebuild on any host
        -- embeds only what no build has embedded before.
        CREATE TABLE embedding_cache (
            model text NOT NULL,
            key text NOT NULL,
            vector bytea NOT NULL,
            PRIMARY KEY (model, key)
        );
        -- One row per published version; its passages and article texts live in the schema
        -- named here, created and filled in the same transaction that publishes it.
        CREATE TABLE index_versions (
            version text PRIMARY KEY,
            schema_name text NOT NULL UNIQUE,
            manifest jsonb NOT NULL,
            published_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE index_current (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            version text NOT NULL REFERENCES index_versions (version)
        );
        """,
    ),
    (
        "the collection of each article (existing articles: default)",
        """
        ALTER TABLE articles ADD COLUMN collection text NOT NULL DEFAULT 'default';
        CREATE INDEX articles_collection ON articles (collection, added_at, id);
        """,
    ),
    (
        "index versions per collection (existing ones: default's)",
        """
        ALTER TABLE index_versions ADD COLUMN collection text NOT NULL DEFAULT 'default';
        CREATE INDEX index_versions_collection ON index_versions (collection, version);
        ALTER TABLE index_current ADD COLUMN collection text NOT NULL DEFAULT 'default';
        ALTER TABLE index_current DROP COLUMN singleton;
        ALTER TABLE index_current ADD PRIMARY KEY (collection);
        """,
    ),
)


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Database:
    """A connection pool to one database, opened lazily; schema migrated on first use."""

    def __init__(self, url: str, pool_size: int = 10, timeout_s: float = 10.0) -> None:
        self.url = url
        self.timeout_s = timeout_s
        # statement_timeout bounds every query (the build's publish lifts it for itself);
        # connect_timeout bounds each attempt to reach the server.
        options = f"-c statement_timeout={int(timeout_s * 1000)}"
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            open=False,
            timeout=timeout_s,
            kwargs={"autocommit": True, "options": options, "connect_timeout": 5},
            # A connection the server dropped (restart, failover) is found out before use.
            check=ConnectionPool.check_connection,
            name="articleqa",
        )
        self._opened = False
        self._migrated = False
        self._lock = threading.Lock()

    def _open(self) -> None:
        with self._lock:
            if not self._opened:
                # wait=False: the service starts while the database is still away.
                self.pool.open(wait=False)
                self._opened = True

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection (autocommit); every way of failing to reach the server raises
        ``DatabaseUnavailable``, and SQL errors ``StorageError``."""
        self._open()
        try:
            with self.pool.connection() as conn:
                if not self._migrated:
                    self._migrate(conn)
                yield conn
        except PoolTimeout as exc:
            raise DatabaseUnavailable(
                f"the database is unreachable (no connection within {self.timeout_s:g} s); "
                "the service retries by itself"
            ) from exc
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"the database is unreachable: {describe(exc)}") from exc
        except psycopg.Error as exc:
            raise StorageError(f"database error: {describe(exc)}") from exc

    @contextmanager
    def dedicated(self) -> Iterator[psycopg.Connection]:
        """A connection of its own, outside the pool, for long work (a build holding its lock
        and publishing): no statement timeout, closed (and its locks freed) at the end."""
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"the database is unreachable: {describe(exc)}") from exc
        try:
            if not self._migrated:
                self._migrate(conn)
            yield conn
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"the database connection failed: {describe(exc)}") from exc
        except psycopg.Error as exc:
            raise StorageError(f"database error: {describe(exc)}") from exc
        finally:
            conn.close()

    def _migrate(self, conn: psycopg.Connection) -> None:
        migrate(conn)
        self._migrated = True

    def close(self) -> None:
        if self._opened:
            self.pool.close()
            self._opened = False


def migrate(conn: psycopg.Connection) -> int:
    """Apply the steps not yet applied; the schema version reached."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, description text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        for number, (description, sql) in enumerate(MIGRATIONS, start=1):
            if number in done:
                continue
            conn.execute(sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (%s, %s)",
                (number, description),
            )
            logger.info("database schema upgraded to version %d (%s)", number, description)
    return len(MIGRATIONS)


_databases: dict[str, Database] = {}
_databases_lock = threading.Lock()


def database_for(url: str, pool_size: int = 10, timeout_s: float = 10.0) -> Database:
    """One pool per URL and process: the store, the indexer and the searcher share it."""
    with _databases_lock:
        database = _databases.get(url)
        if database is None:
            database = _databases[url] = Database(url, pool_size, timeout_s)
        return database


def close_database(url: str) -> None:
    """Close the pool for ``url`` (tests that drop their database; shutdown)."""
    with _databases_lock:
        database = _databases.pop(url, None)
    if database is not None:
        database.close()


def scratch_database(url: str, name: str) -> str:
    """The URL of database ``name`` on ``url``'s server, created if missing (for `articleqa
    eval`, which must not touch the configured database's articles)."""
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(parts._replace(path=f"/{name}"))


def reset(database: Database) -> None:
    """Remove every article and index version (the embedding cache stays: it is only a cache)."""
    with database.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL statement_timeout = 0")
        for (schema,) in conn.execute("SELECT schema_name FROM index_versions").fetchall():
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute("TRUNCATE index_current, index_versions, articles, store_meta")
