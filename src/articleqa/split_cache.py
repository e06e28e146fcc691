"""Passage splits cached per article: a rebuild re-splits only new or changed articles.

Splitting (sentence detection, packing, within-article near-duplicate checks) was half of an
incremental rebuild of 1,000 articles (bench/incremental.py). A split is a pure function of
the article's id, title and text, the word limits and the splitting code, so the cache key
hashes all of them; a changed ``passages.py`` misses every entry and re-splits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from articleqa.models import Article, Passage, SourceSpan
from articleqa.passages import split_article, splitting_fingerprint
from articleqa.sqlite_files import connect

logger = logging.getLogger(__name__)

CACHE_FILE = "splits.sqlite"
# Articles split (or read from the cache) at a time by ``iter_split``.
SPLIT_BATCH = 1_000


def _code_fingerprint() -> str:
    return splitting_fingerprint()


class SplitCache:
    def __init__(self, folder: Path, min_words: int, max_words: int) -> None:
        # connect() creates the folder, its failures (a full disk) as StorageError.
        self.path = folder / CACHE_FILE
        self.min_words = min_words
        self.max_words = max_words
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS splits (key TEXT PRIMARY KEY, passages TEXT)")

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def key(self, article: Article) -> str:
        digest = hashlib.sha256()
        for part in (
            _code_fingerprint(),
            f"{self.min_words}-{self.max_words}",
            article.id,
            article.title,
            article.text,
            json.dumps([[s.kind.value, s.start, s.end, s.level] for s in article.layout or []])
            if article.layout is not None
            else "",
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()[:32]

    def split_all(self, articles: Sequence[Article]) -> list[Passage]:
        """``split_article`` of every article, in order, reading unchanged ones from the cache."""
        return list(self.iter_split(articles))

    def iter_split(self, articles: Sequence[Article]) -> Iterator[Passage]:
        """``split_all`` as it comes, ``SPLIT_BATCH`` articles at a time: a full build's list of
        every passage object (and every split's JSON) was its highest point at a million
        passages (BENCHMARKS.md, "Scale, sixth pass"). New splits are cached per batch, and
        entries of articles not given are dropped once every batch is read."""
        keys = [self.key(a) for a in articles]
        hits = 0
        split_count = 0
        for start in range(0, len(articles), SPLIT_BATCH):
            batch = keys[start : start + SPLIT_BATCH]
            stored = self._get_many(batch)
            hits += len(stored)
            fresh: list[tuple[str, str]] = []
            split_batch: list[list[Passage]] = []
            for article, key in zip(articles[start : start + SPLIT_BATCH], batch, strict=True):
                raw = stored.get(key)
                if raw is None:
                    split = split_article(article, self.min_words, self.max_words)
                    fresh.append((key, _dump(split)))
                else:
                    split = _load(raw, article)
                split_batch.append(split)
            self._insert(fresh)
            split_count += len(fresh)
            for split in split_batch:
                yield from split
        self._drop_unused(set(keys))
        logger.debug("split cache: %d reused, %d split", hits, split_count)

    def _get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        db = self._connect()
        try:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                found.update(
                    db.execute(f"SELECT key, passages FROM splits WHERE key IN ({marks})", chunk)
                )
        finally:
            db.close()
        return found

    def _insert(self, fresh: list[tuple[str, str]]) -> None:
        if not fresh:
            return
        db = self._connect()
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO splits VALUES (?, ?)", fresh)
        finally:
            db.close()

    def _drop_unused(self, used: set[str]) -> None:
        db = self._connect()
        try:
            with db:
                (total,) = db.execute("SELECT COUNT(*) FROM splits").fetchone()
                # Entries of removed or edited articles would otherwise pile up.
                if total > len(used):
                    db.execute("CREATE TEMP TABLE used (key TEXT PRIMARY KEY)")
                    db.executemany("INSERT INTO used VALUES (?)", ((k,) for k in used))
                    db.execute("DELETE FROM splits WHERE key NOT IN (SELECT key FROM used)")
        finally:
            db.close()


def _dump(split: list[Passage]) -> str:
    # Offsets, not text: the article text is at hand whenever the entry is read.
    return json.dumps(
        [[p.id, p.spans[0].start, p.spans[0].end, p.context, p.heading] for p in split],
        ensure_ascii=False,
    )


def _load(raw: str, article: Article) -> list[Passage]:
    return [
        Passage(
            id=passage_id,
            text=article.text[start:end],
            context=context,
            heading=heading,
            spans=[SourceSpan(article.id, start, end)],
        )
        for passage_id, start, end, context, heading in json.loads(raw)
    ]
