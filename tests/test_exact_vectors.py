"""The passages' vectors read from the embedding cache (``CachedRows``): by key, or by the
rowid the snapshot recorded, checked by key."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from articleqa.embedding_cache import EmbeddingCache, cache_key
from articleqa.exact_vectors import (
    KEY_BYTES,
    NO_ROW,
    ROWIDS_FILE,
    CachedRows,
    cache_rowids,
    save_keys,
    save_rowids,
)

DIMENSION = 8


def _cache(
    tmp_path: Path, count: int, *, left_out: frozenset[int] = frozenset()
) -> tuple[EmbeddingCache, np.ndarray, np.ndarray]:
    """A cache holding passages 0..count-1's vectors (but ``left_out``), stored in a shuffled
    order (rowids are not ordinals); the passages' keys (uint8 rows) and vectors."""
    cache = EmbeddingCache(tmp_path, "test", DIMENSION)
    keys = [cache_key(f"passage {i}") for i in range(count)]
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((count, DIMENSION)).astype(np.float32)
    order = rng.permutation(count).tolist()
    cache.put_many((keys[i], vectors[i]) for i in order if i not in left_out)
    packed = np.frombuffer(bytes.fromhex("".join(keys)), dtype=np.uint8).reshape(count, KEY_BYTES)
    return cache, packed, vectors


def _rows(cache: EmbeddingCache, keys: np.ndarray, *, by_rowid: bool) -> CachedRows:
    rowids = cache_rowids(cache.path, keys) if by_rowid else None
    return CachedRows(cache.path, keys, DIMENSION, rowids)


@pytest.mark.parametrize("by_rowid", [False, True])
@pytest.mark.parametrize("asked", [[], [3], [5, 1, 9], list(range(17)), [2, 2, 7, 2], [39, 0]])
def test_the_rows_asked_for_come_back_in_their_order(
    tmp_path: Path, asked: list[int], by_rowid: bool
) -> None:
    cache, keys, expected = _cache(tmp_path, 40)
    vectors, found = _rows(cache, keys, by_rowid=by_rowid).rows(np.asarray(asked, dtype=np.int64))

    assert vectors.shape == (len(asked), DIMENSION) and vectors.dtype == np.float32
    assert found.dtype == bool and found.all()
    assert np.array_equal(vectors, expected[asked])


def test_a_keys_rowid_is_its_row_in_the_cache(tmp_path: Path) -> None:
    cache, keys, _ = _cache(tmp_path, 30, left_out=frozenset({7}))
    rowids = cache_rowids(cache.path, keys)

    db = sqlite3.connect(cache.path)
    stored = dict(db.execute("SELECT key, rowid FROM vectors").fetchall())
    expected = [stored.get(bytes(key).hex(), NO_ROW) for key in keys]
    assert rowids.dtype == np.int64 and rowids.tolist() == expected
    assert rowids[7] == NO_ROW and sorted(rowids[rowids != NO_ROW].tolist()) != list(range(29))
    assert cache_rowids(tmp_path / "none.sqlite", keys).tolist() == [NO_ROW] * 30
    assert cache_rowids(cache.path, keys[:0]).shape == (0,)


def test_rows_whose_numbers_went_stale_are_read_by_key(tmp_path: Path) -> None:
    # The cache written again after the build: rows renumbered, one deleted, one key at
    # another's old number. Every vector still comes back by its key; none of another key.
    cache, keys, expected = _cache(tmp_path, 24)
    rows = _rows(cache, keys, by_rowid=True)
    db = sqlite3.connect(cache.path)
    with db:
        db.execute("UPDATE vectors SET rowid = rowid + 1000")
        moved = bytes(keys[5]).hex()
        db.execute("UPDATE vectors SET rowid = ? WHERE key = ?", (int(rows.rowids[9]), moved))
        db.execute("DELETE FROM vectors WHERE key = ?", (bytes(keys[11]).hex(),))
    asked = [9, 5, 11, 0, 23]
    vectors, found = rows.rows(np.asarray(asked))

    assert found.tolist() == [True, True, False, True, True]
    assert np.array_equal(vectors[found], expected[[9, 5, 0, 23]])
    assert not vectors[2].any()


def test_rows_without_a_known_number_are_read_by_key(tmp_path: Path) -> None:
    cache, keys, expected = _cache(tmp_path, 12)
    rowids = cache_rowids(cache.path, keys)
    rowids[[2, 3]] = NO_ROW
    vectors, found = CachedRows(cache.path, keys, DIMENSION, rowids).rows(np.asarray([3, 4, 2]))

    assert found.all() and np.array_equal(vectors, expected[[3, 4, 2]])


def test_a_snapshot_folder_gives_its_rowids_when_it_has_them(tmp_path: Path) -> None:
    cache, keys, expected = _cache(tmp_path, 10)
    folder = tmp_path / "snapshot"
    folder.mkdir()
    save_keys(folder, keys)
    assert CachedRows.of_snapshot(folder, cache.path, DIMENSION).rowids is None
    save_rowids(folder, cache_rowids(cache.path, keys))
    rows = CachedRows.of_snapshot(folder, cache.path, DIMENSION)
    assert (
        rows.rowids is not None and rows.rowids.tolist() == cache_rowids(cache.path, keys).tolist()
    )
    assert np.array_equal(rows.rows(np.asarray([8, 1]))[0], expected[[8, 1]])
    np.save(folder / ROWIDS_FILE, np.zeros(3, dtype=np.int64))  # not the keys' length
    assert CachedRows.of_snapshot(folder, cache.path, DIMENSION).rowids is None


def test_a_row_the_cache_lacks_is_zeros_and_not_found(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache, keys, expected = _cache(tmp_path, 20, left_out=frozenset({4, 11}))
    with caplog.at_level(logging.WARNING):
        vectors, found = _rows(cache, keys, by_rowid=True).rows(np.asarray([3, 4, 11, 12]))

    assert found.tolist() == [True, False, False, True]
    assert np.array_equal(vectors[[0, 3]], expected[[3, 12]])
    assert not vectors[[1, 2]].any()
    assert "lacks 2 of 4" in caplog.text


def test_without_the_cache_no_row_is_found(tmp_path: Path) -> None:
    keys = np.zeros((3, KEY_BYTES), np.uint8)
    rowids = np.arange(3, dtype=np.int64)
    rows = CachedRows(tmp_path / "none.sqlite", keys, DIMENSION, rowids)
    vectors, found = rows.rows(np.asarray([0, 2]))

    assert not found.any() and vectors.shape == (2, DIMENSION) and not vectors.any()


def test_rows_of_known_numbers_are_read_by_rowid_alone(tmp_path: Path) -> None:
    cache, keys, expected = _cache(tmp_path, 16)
    rows = _rows(cache, keys, by_rowid=True)
    db = rows._db()
    assert db is not None
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    vectors, found = rows.rows(np.asarray([4, 15, 0]))

    assert found.all() and np.array_equal(vectors, expected[[4, 15, 0]])
    assert len(statements) == 1 and "WHERE rowid IN" in statements[0]
