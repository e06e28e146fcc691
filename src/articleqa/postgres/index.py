"""Index versions in PostgreSQL: build, publish in one transaction, prune, load, search.

Each version lives in a schema of its own (``passages`` with the pgvector HNSW and full-text
GIN indexes, ``articles`` with the texts its quotes are cut from), created, filled and made
current in ONE transaction: every replica sees the old version or the new, never a mix, and a
build killed at any point leaves nothing behind (PostgreSQL rolls back the DDL too). Builders
exclude each other with an advisory lock, which dies with the builder's connection.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import psycopg
from psycopg import sql

from articleqa.collection import DEFAULT
from articleqa.config import Settings
from articleqa.embedding import Embedder
from articleqa.errors import IndexNotBuilt, NoArticles, RebuildInProgress, SnapshotCorrupt
from articleqa.indexer import (
    BuildReport,
    Indexer,
    Prepared,
    ProgressCallback,
    check_same_articles,
)
from articleqa.lexical import LexicalHits, terms
from articleqa.manifest import SnapshotManifest
from articleqa.models import Article
from articleqa.postgres.database import Database, build_lock_key, describe
from articleqa.postgres.store import PostgresStore
from articleqa.records import ArticleRecord, PassageRecord, Records
from articleqa.snapshot import SentenceVectors, Snapshot, new_version
from articleqa.vector_file import VectorFile

logger = logging.getLogger(__name__)

# HNSW graph parameters (pgvector's defaults are m=16, ef_construction=64): see README
# "Running on PostgreSQL" for what they cost and buy.
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
# bm25s' defaults (Lucene's BM25), so both backends rank words alike.
BM25_K1 = 1.5
BM25_B = 0.75
# A tsvector lexeme is at most 2047 bytes; longer "words" (base64 blobs) are not searchable.
_MAX_LEXEME_BYTES = 2046
_SCHEMA_PREFIX = "articleqa_v_"
INDEX_TYPE = "pgvector-hnsw"


def schema_for(version: str) -> str:
    return _SCHEMA_PREFIX + re.sub(r"[^a-z0-9]+", "_", version.lower())


def _vector_literal(vector: np.ndarray) -> str:
    # repr of the float32 values as Python floats reads back to the same float32 in pgvector.
    return "[" + ",".join(map(repr, np.asarray(vector, dtype=np.float32).tolist())) + "]"


def _parse_vector(text: str) -> np.ndarray:
    return np.array(text[1:-1].split(","), dtype=np.float32)


def _quote_lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def lexeme_vector(text: str) -> tuple[str, int]:
    """The tsvector literal of ``text``'s BM25 terms (with positions, so a term's frequency is
    its count of positions) and how many terms it has (BM25's document length)."""
    words = terms(text)
    positions: dict[str, list[int]] = {}
    for position, word in enumerate(words, start=1):
        if len(word.encode()) <= _MAX_LEXEME_BYTES:
            # tsvector positions stop at 16383; passages are far shorter.
            positions.setdefault(word, []).append(min(position, 16383))
    literal = " ".join(
        f"{_quote_lexeme(w)}:{','.join(map(str, sorted(set(p))))}" for w, p in positions.items()
    )
    return literal, len(words)


def current_version(database: Database, collection: str = DEFAULT) -> str | None:
    with database.connection() as conn:
        row = conn.execute(
            "SELECT version FROM index_current WHERE collection = %s", (collection,)
        ).fetchone()
    return str(row[0]) if row else None


class PostgresVectorCache:
    """The embedding cache in the database, shared by every builder."""

    def __init__(self, database: Database, model: str, dimension: int) -> None:
        self.database = database
        self.model = model
        self.dimension = dimension

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return dict(self.iter_many(keys))

    def iter_many(self, keys: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
        """The cached ``(key, vector)`` pairs among ``keys``, read 5,000 at a time."""
        with self.database.connection() as conn:
            for start in range(0, len(keys), 5000):
                for key, blob in conn.execute(
                    "SELECT key, vector FROM embedding_cache WHERE model = %s AND key = ANY(%s)",
                    (self.model, list(keys[start : start + 5000])),
                ):
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape[0] == self.dimension:
                        yield key, vector

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(self.model, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        with self.database.connection() as conn, conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO embedding_cache (model, key, vector) VALUES (%s, %s, %s)"
                " ON CONFLICT (model, key) DO UPDATE SET vector = EXCLUDED.vector",
                rows,
            )


def _acquire_build_lock(
    conn: psycopg.Connection, timeout_s: float, collection: str = DEFAULT
) -> None:
    deadline = time.monotonic() + timeout_s
    key = build_lock_key(collection)
    while True:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        if row and row[0]:
            return
        if time.monotonic() >= deadline:
            raise RebuildInProgress(
                "another index rebuild is running (it holds the database's build lock); "
                "wait for it to finish"
            )
        time.sleep(0.2)


def probe_build_lock(database: Database, collection: str = DEFAULT) -> None:
    """RebuildInProgress now if another process builds ``collection`` (for the API's early
    answer)."""
    with database.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND ((classid::bigint << 32) | objid::bigint) = %s",
            (build_lock_key(collection),),
        ).fetchone()
    if row and row[0]:
        raise RebuildInProgress(
            "another index rebuild is running (it holds the database's build lock); "
            "wait for it to finish"
        )


class PostgresIndexer(Indexer):
    """Builds index versions into the database; the same splitting and embedding as the
    embedded indexer (``Indexer.prepare``), with the embedding cache in the database."""

    def __init__(
        self,
        settings: Settings,
        store: PostgresStore,
        embedder: Embedder,
        database: Database,
        collection: str = DEFAULT,
    ) -> None:
        cache = PostgresVectorCache(database, embedder.name, embedder.dimension)
        super().__init__(settings, store, embedder, cache=cache)
        self.database = database
        self.collection = collection

    def build(
        self,
        progress: ProgressCallback | None = None,
        *,
        lock_timeout_s: float | None = None,
        full: bool = False,
    ) -> BuildReport:
        wait = self.settings.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        collection = self.collection
        with self.database.dedicated() as conn:
            _acquire_build_lock(conn, wait, collection)
            started = time.perf_counter()
            generation = self.store.generation()
            articles = list(self.store.iter_articles())
            published = conn.execute(
                "SELECT 1 FROM index_current WHERE collection = %s", (collection,)
            ).fetchone()
            if not articles and published is None:
                raise NoArticles()
            prepared = self.prepare(articles, progress, full=full)
            version = new_version()
            manifest = replace(
                self.manifest(articles, prepared, INDEX_TYPE, generation), version=version
            )
            publish_version(
                conn, version, prepared, articles, manifest, self.embedder.dimension, collection
            )
            prune_versions(conn, self.settings.keep_snapshots, collection)
            report = self.report(version, articles, prepared, INDEX_TYPE, started, generation)
            logger.info(
                "built %s in PostgreSQL: %d articles, %d passages (%d embedded) in %.1fs",
                version,
                report.articles,
                report.passages,
                report.embedded,
                report.seconds,
            )
            return report


def publish_version(
    conn: psycopg.Connection,
    version: str,
    prepared: Prepared,
    articles: list[Article],
    manifest: SnapshotManifest,
    dimension: int,
    collection: str = DEFAULT,
) -> None:
    """Create, fill and index the version's schema and make it ``collection``'s current one:
    one transaction."""
    schema = sql.Identifier(schema_for(version))
    with conn.transaction():
        # Building the HNSW graph takes as long as it takes; only this transaction waits.
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
        conn.execute(
            sql.SQL(
                "CREATE TABLE {}.passages ("
                " ordinal integer PRIMARY KEY, text text NOT NULL, context text NOT NULL,"
                " heading text, spans jsonb NOT NULL, embedding vector({}) NOT NULL,"
                " lexemes tsvector NOT NULL, lexeme_count integer NOT NULL,"
                " sentences bytea NOT NULL)"
            ).format(schema, sql.Literal(dimension))
        )
        conn.execute(
            sql.SQL(
                "CREATE TABLE {}.articles (id text PRIMARY KEY, title text NOT NULL, url text,"
                " author text, published text, text text NOT NULL, source text)"
            ).format(schema)
        )
        with conn.cursor().copy(
            sql.SQL(
                "COPY {}.passages (ordinal, text, context, heading, spans, embedding, lexemes,"
                " lexeme_count, sentences) FROM STDIN"
            ).format(schema)
        ) as copy:
            # Held in memory by a build without a staging folder (this one's); read if not.
            vectors = prepared.vectors
            if isinstance(vectors, VectorFile):
                vectors = vectors.load()
            for ordinal, passage in enumerate(prepared.passages):
                lexemes, count = lexeme_vector(passage.embedding_text())
                copy.write_row(
                    (
                        ordinal,
                        passage.text,
                        passage.context,
                        passage.heading,
                        json.dumps([[s.article_id, s.start, s.end] for s in passage.spans]),
                        _vector_literal(vectors[ordinal]),
                        lexemes,
                        count,
                        prepared.sentence_store.rows(ordinal).astype(np.float16).tobytes(),
                    )
                )
        with conn.cursor().copy(
            sql.SQL(
                "COPY {}.articles (id, title, url, author, published, text, source) FROM STDIN"
            ).format(schema)
        ) as copy:
            for a in articles:
                published = a.published.isoformat() if a.published else None
                copy.write_row((a.id, a.title, a.url, a.author, published, a.text, a.source))
        # Inner product equals cosine similarity on the normalised vectors.
        conn.execute(
            sql.SQL(
                "CREATE INDEX ON {}.passages USING hnsw (embedding vector_ip_ops)"
                " WITH (m = {}, ef_construction = {})"
            ).format(schema, sql.Literal(HNSW_M), sql.Literal(HNSW_EF_CONSTRUCTION))
        )
        conn.execute(sql.SQL("CREATE INDEX ON {}.passages USING gin (lexemes)").format(schema))
        conn.execute(
            "INSERT INTO index_versions (version, schema_name, manifest, collection)"
            " VALUES (%s, %s, %s, %s)",
            (version, schema_for(version), json.dumps(manifest.to_json()), collection),
        )
        conn.execute(
            "INSERT INTO index_current (collection, version) VALUES (%s, %s)"
            " ON CONFLICT (collection) DO UPDATE SET version = EXCLUDED.version",
            (collection, version),
        )
        # Sent on commit, for tools that LISTEN on articleqa_index; the API polls the row.
        conn.execute("SELECT pg_notify('articleqa_index', %s)", (version,))
    logger.info("published index version %s", version)


def rollback_version(
    database: Database, store: PostgresStore, lock_timeout_s: float, collection: str = DEFAULT
) -> str:
    """Make the newest version of ``collection`` older than its current one current again,
    under its build lock, if the store still holds every article it quotes as it was; its
    name."""
    with database.dedicated() as conn:
        _acquire_build_lock(conn, lock_timeout_s, collection)
        with conn.transaction():
            # FOR UPDATE: a publish racing this (there is none under the lock) would wait.
            current = conn.execute(
                "SELECT version FROM index_current WHERE collection = %s FOR UPDATE",
                (collection,),
            ).fetchone()
            row = None
            if current is not None:
                row = conn.execute(
                    "SELECT version, manifest FROM index_versions"
                    " WHERE version < %s AND collection = %s ORDER BY version DESC LIMIT 1",
                    (current[0], collection),
                ).fetchone()
            if row is None:
                raise IndexNotBuilt("there is no earlier index version to roll back to")
            version = str(row[0])
            check_same_articles(store, version, SnapshotManifest.from_json(row[1]))
            conn.execute(
                "UPDATE index_current SET version = %s WHERE collection = %s",
                (version, collection),
            )
            conn.execute("SELECT pg_notify('articleqa_index', %s)", (version,))
    logger.info("rolled back to index version %s", version)
    return version


def prune_versions(conn: psycopg.Connection, keep: int, collection: str = DEFAULT) -> list[str]:
    """Drop all but the newest ``keep`` versions of ``collection`` (never the current one)."""
    rows = conn.execute(
        "SELECT v.version, v.schema_name, c.version IS NOT NULL FROM index_versions v"
        " LEFT JOIN index_current c ON c.version = v.version WHERE v.collection = %s"
        " ORDER BY v.version",
        (collection,),
    ).fetchall()
    kept = {version for version, _, _ in rows[-keep:]}
    removed = []
    for version, schema, is_current in rows:
        if is_current or version in kept:
            continue
        with conn.transaction():
            conn.execute("DELETE FROM index_versions WHERE version = %s", (version,))
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        removed.append(version)
    if removed:
        logger.info("removed index versions %s", ", ".join(removed))
    return removed


def load_version(
    database: Database, version: str | None = None, collection: str = DEFAULT
) -> tuple[Snapshot, PostgresRetriever]:
    """The passages and article texts of ``version`` (default: ``collection``'s current one),
    and the retriever that searches its vectors and words in the database."""
    with database.connection() as conn, conn.transaction():
        # One snapshot of the database for the whole read: a version pruned meanwhile is
        # either read whole or reported missing.
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if version is None:
            row = conn.execute(
                "SELECT version FROM index_current WHERE collection = %s", (collection,)
            ).fetchone()
            if row is None:
                raise IndexNotBuilt("no index has been built yet; run `articleqa index`")
            version = str(row[0])
        row = conn.execute(
            "SELECT schema_name, manifest FROM index_versions"
            " WHERE version = %s AND collection = %s",
            (version, collection),
        ).fetchone()
        if row is None:
            raise IndexNotBuilt(f"index version {version} does not exist")
        schema_name, manifest = str(row[0]), SnapshotManifest.from_json(row[1])
        schema = sql.Identifier(schema_name)
        dimension = manifest.dimension or 384
        try:
            passages: list[PassageRecord] = []
            sentence_blocks: list[np.ndarray] = []
            offsets = [0]
            for text, context, heading, spans, blob in conn.execute(
                sql.SQL(
                    "SELECT text, context, heading, spans, sentences FROM {}.passages"
                    " ORDER BY ordinal"
                ).format(schema)
            ):
                passages.append(PassageRecord(text, context, heading, [tuple(s) for s in spans]))
                block = np.frombuffer(blob, dtype=np.float16).reshape(-1, dimension)
                sentence_blocks.append(block)
                offsets.append(offsets[-1] + len(block))
            articles = {
                r[0]: ArticleRecord(*r)
                for r in conn.execute(
                    sql.SQL(
                        "SELECT id, title, url, author, published, text, source FROM {}.articles"
                    ).format(schema)
                )
            }
            document_frequency = dict(
                conn.execute(
                    sql.SQL(
                        "SELECT u.lexeme, count(*) FROM {}.passages p, unnest(p.lexemes) u"
                        " GROUP BY u.lexeme"
                    ).format(schema)
                ).fetchall()
            )
            lengths = conn.execute(
                sql.SQL("SELECT coalesce(avg(lexeme_count), 0) FROM {}.passages").format(schema)
            ).fetchone()
        except psycopg.errors.UndefinedTable as exc:
            raise IndexNotBuilt(f"index version {version} was removed: {describe(exc)}") from exc
    for passage in passages:
        for article_id, _start, _end in passage.spans:
            if article_id not in articles:
                raise SnapshotCorrupt(f"index version {version} quotes a missing article")
    count = len(passages)
    # Kept in columns like a local snapshot's (records.py), not as a Python object each.
    found = Records.from_records(passages, articles.values())
    snapshot = Snapshot(
        version=version,
        path=Path(schema_name),
        manifest=manifest,
        vectors=None,
        lexical=None,
        passages=found.passages,
        articles=found.articles,
        by_article=found.by_article,
        sentences=SentenceVectors.single(
            np.concatenate(sentence_blocks)
            if sentence_blocks
            else np.zeros((0, dimension), dtype=np.float16),
            np.asarray(offsets, dtype=np.int64),
        ),
    )
    idf = {
        term: float(np.log1p((count - df + 0.5) / (df + 0.5)))
        for term, df in document_frequency.items()
    }
    average = float(lengths[0]) if lengths else 0.0
    retriever = PostgresRetriever(database, schema_name, count, idf, average)
    return snapshot, retriever


class PostgresRetriever:
    """Candidates of one version from pgvector (HNSW) and the full-text index (BM25 scores
    computed in SQL from the term frequencies the tsvector holds, as bm25s computes them)."""

    def __init__(
        self, database: Database, schema: str, count: int, idf: dict[str, float], average: float
    ) -> None:
        self.database = database
        self.schema = sql.Identifier(schema)
        self.count = count
        self._idf = idf
        self._average_length = average or 1.0
        self.ef_search = 200  # the setting's default; PostgresIndex sets the setting's value

    def dense(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        empty = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        if self.count == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return empty
        literal = _vector_literal(query)
        where = sql.SQL("WHERE ordinal = ANY(%(allowed)s)") if allowed is not None else sql.SQL("")
        statement = sql.SQL(
            "SELECT ordinal, -(embedding <#> %(q)s::vector) FROM {}.passages {}"
            " ORDER BY embedding <#> %(q)s::vector LIMIT %(k)s"
        ).format(self.schema, where)
        params = {
            "q": literal,
            "k": k,
            "allowed": allowed.tolist() if allowed is not None else None,
        }
        with self.database.connection() as conn, conn.transaction():
            # HNSW returns at most ef_search rows: never fewer than asked for.
            conn.execute(
                "SELECT set_config('hnsw.ef_search', %s, true)", (str(max(self.ef_search, k)),)
            )
            if allowed is not None:
                # A filter drops graph neighbours: keep scanning until k rows pass it.
                conn.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)")
            rows = conn.execute(statement, params).fetchall()
        if not rows:
            return empty
        ids = np.asarray([r[0] for r in rows], dtype=np.int64)
        scores = np.asarray([r[1] for r in rows], dtype=np.float32)
        return scores, ids

    def lexical(
        self, question: str, k: int, allowed: np.ndarray | None, also: Sequence[int]
    ) -> LexicalHits:
        counts = Counter(t for t in terms(question) if t in self._idf)
        if not counts or self.count == 0:
            return LexicalHits.empty()
        words = sorted(counts)
        # bm25s adds a term's score once per occurrence in the query.
        weights = [self._idf[w] * counts[w] for w in words]
        query = " | ".join(_quote_lexeme(w) for w in words)
        allowed_filter = (
            sql.SQL("AND p.ordinal = ANY(%(allowed)s)") if allowed is not None else sql.SQL("")
        )
        statement = sql.SQL(
            "WITH q AS (SELECT * FROM unnest(%(terms)s::text[], %(weights)s::float8[])"
            "  AS q(term, weight)),"
            " scored AS MATERIALIZED (SELECT p.ordinal, sum(q.weight * t.tf / (t.tf + %(k1)s *"
            "  (1 - %(b)s + %(b)s * p.lexeme_count / %(average)s))) AS score"
            "  FROM {}.passages p"
            "  CROSS JOIN LATERAL (SELECT u.lexeme, cardinality(u.positions)::float8 AS tf"
            "   FROM unnest(p.lexemes) u) t"
            "  JOIN q ON q.term = t.lexeme"
            "  WHERE p.lexemes @@ %(query)s::tsquery {}"
            "  GROUP BY p.ordinal)"
            " (SELECT ordinal, score FROM scored ORDER BY score DESC, ordinal LIMIT %(k)s)"
            " UNION (SELECT ordinal, score FROM scored WHERE ordinal = ANY(%(also)s))"
        ).format(self.schema, allowed_filter)
        params = {
            "terms": words,
            "weights": weights,
            "k1": BM25_K1,
            "b": BM25_B,
            "average": self._average_length,
            "query": query,
            "k": k,
            "also": list(also),
            "allowed": allowed.tolist() if allowed is not None else None,
        }
        with self.database.connection() as conn:
            found = sorted(conn.execute(statement, params).fetchall())
        if not found:
            return LexicalHits.empty()
        return LexicalHits(
            np.array([ordinal for ordinal, _ in found], dtype=np.int64),
            np.array([score for _, score in found], dtype=np.float32),
        )

    def vectors(self, ordinals: Sequence[int]) -> np.ndarray:
        with self.database.connection() as conn:
            found = dict(
                conn.execute(
                    sql.SQL(
                        "SELECT ordinal, embedding::text FROM {}.passages WHERE ordinal = ANY(%s)"
                    ).format(self.schema),
                    (list(ordinals),),
                ).fetchall()
            )
        return np.vstack([_parse_vector(found[o]) for o in ordinals])

    def idf(self) -> dict[str, float]:
        return self._idf
