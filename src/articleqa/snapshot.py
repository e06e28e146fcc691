"""Snapshots: a built index is a directory with a manifest, published by replacing a pointer.

Layout under ``ARTICLEQA_HOME``::

    snapshots/<version>/manifest.json   model, dimension, metric, counts, hashes
    snapshots/<version>/vectors.faiss   FAISS IndexIDMap2, ids = passage ordinals (-1: an
                                        extended ANN index's entry of a passage gone)
    snapshots/<version>/vectors.codes.npy  of an IVF: its vectors' residual codes and scales
                   vectors.scales.npy   (residual_codes.py), each passage's embedding-cache
                   vectors.keys.npy     key (exact_vectors.py; vector_snapshot.py)
    snapshots/<version>/lexical/        BM25 segments over the same passages (lexical.py;
                                        document numbers as gaps from format 5,
                                        posting_gaps.py); snapshots before them hold bm25/
                                        (bm25s)
    snapshots/<version>/sentences-*.npy sentence vectors, int8 with a scale a row beside them
                                        (.scales.npy; sentence_files.py) and each sentence's
                                        span and terms (sentence_words.py): one file after a
                                        full build, more after later builds (float16 ones
                                        linked from older snapshots among them), listed in
                                        sentence_vectors.json; sentence_index.npy says where
                                        each passage's rows are; a file's .rows.npy, where
                                        there is one, which stored row is each sentence's
                                        (a sentence met again, its vector stored once).
                                        Format 2 lists them in sentence_arrays.json, and
                                        has no .rows.npy. Snapshots before the int8
                                        rows hold sentences.npy and sentence_offsets.npy, or
                                        sentence_files.json (float16)
    snapshots/<version>/passages.npy    passages and articles in columns, and texts.zst: the
                   articles.npy         article texts quotes are cut from, a passage's text
                   spans.npy            one slice of them (records.py), compressed in blocks
                   strings.npy          (text_blocks.py; texts.bin, as they are, before format
                   texts.zst            5); snapshots before the columns hold passages.jsonl
                   texts.blocks.npy     and articles.jsonl, one record a line
                   texts.dict
    snapshots/<version>/about.npy       each article's title, file name and opening as terms,
                   about.bin            for the subject check (about_terms.py; format 4)
    CURRENT                             the published version's name
    PUBLISHED                           every version CURRENT has named, one a line

A snapshot is written to a hidden folder and renamed into place; only then is ``CURRENT``
replaced (``os.replace``). A crash at any point leaves the previous snapshot current. A later
build hard-links the files it reuses (BM25 segments, sentence vectors) from the current
snapshot instead of writing them again: files are never changed once written, so a link is as
good as a copy, and pruning an old snapshot only drops its links.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import orjson

from articleqa import records, vector_snapshot
from articleqa.about_terms import ABOUT_KEY, AboutTerms, Earlier, about_fingerprint, earlier_about
from articleqa.arrays import load_array
from articleqa.errors import IndexNotBuilt, RebuildInProgress, SnapshotCorrupt, StorageError
from articleqa.hashing import file_sha256
from articleqa.lexical import Lexical, link_or_copy, load_lexical
from articleqa.manifest import FORMAT_VERSION, SnapshotManifest
from articleqa.paths import HISTORY, HomePaths
from articleqa.records import (
    ArticleRecord,
    Columns,
    PassageRecord,
    Records,
    load_columns,
    texts_dictionary,
    write_columns,
)
from articleqa.sentence_files import (
    LEGACY,
    QUANTISED,
    dequantise,
    quantise,
    row_map_file,
    save_quantised,
    scales_file,
)
from articleqa.sentence_words import (
    RULES_KEY,
    SentenceTerms,
    SentenceWords,
    rules_fingerprint,
    words_files,
)
from articleqa.vector_index import VectorIndex

logger = logging.getLogger(__name__)

# Every version ever named by CURRENT (paths.HISTORY), oldest first: rollbacks and fallbacks
# go only to these.
HISTORY_MAX = 1000
MANIFEST = "manifest.json"
VECTORS = vector_snapshot.VECTORS
BM25_DIR = "bm25"  # snapshots before the segments (read only)
LEXICAL_DIR = "lexical"
# Passages and articles in columns (records.py); snapshots before them hold these two instead,
# one JSON object a line, read as they are.
PASSAGES = records.PASSAGE_COLUMNS
ARTICLES = records.ARTICLE_COLUMNS
LEGACY_PASSAGES = "passages.jsonl"
LEGACY_ARTICLES = "articles.jsonl"
# Every passage's sentences embedded: the answering sentence is then found by dot products,
# with no model call per question. A snapshot lists its sentence-vector files (int8 with their
# scales, sentence_files.py; float16 ones linked from snapshots before them) and says where
# each passage's rows are.
SENTENCE_LIST = "sentence_vectors.json"
SENTENCE_INDEX = "sentence_index.npy"
# Format 2 (read only): its files, without row maps, listed here. Code of format 2 finds no
# list in a newer snapshot (whose files may be shorter than their sentences), so it embeds the
# sentences it needs when asked instead of reading the wrong rows.
SENTENCE_ARRAYS = "sentence_arrays.json"
# Snapshots before the int8 rows (read only): float16 rows in passage order and where each
# passage's start after a full build, or (a later build) the files listed here. Code of then
# finds neither in a newer snapshot, so it embeds the sentences it needs when asked instead of
# reading int8 rows as float16.
SENTENCE_VECTORS = "sentences.npy"
SENTENCE_OFFSETS = "sentence_offsets.npy"
SENTENCE_FILES = "sentence_files.json"
# The texts' zstd dictionary (records.py) is kept by later builds while the texts stay within
# this factor of the size it was trained on (the manifest's TEXTS_KEY): training it was the
# largest part of a small build (BENCHMARKS.md, "Scale, seventeenth pass").
DICTIONARY_DRIFT = 1.25
TEXTS_KEY = "texts_dictionary_trained_on"


@dataclass(frozen=True, slots=True, eq=False)
class SentenceVectors:
    """Every passage's sentence vectors (a row a sentence), in one or more arrays.

    A full build has one array, the passages' rows in order. A later build keeps the earlier
    arrays (their files hard-linked, never rewritten) and adds one holding only the new
    passages' rows (issue 17); ``where`` says, per passage, the array, first row and count.
    An array is int8 with a float32 scale per row (``scales``; sentence_files.py), or float16
    with no scales: written before the int8 rows, and still linked by the builds after.
    ``where`` counts sentences; an array with a row map (``maps``) stores each distinct
    sentence's vector once, and its map says which stored row each sentence's is.
    """

    arrays: tuple[np.ndarray, ...]
    where: np.ndarray  # (passages, 3) int64: array number, first row, rows
    # Each array's file, once written (a later build links it); None: not written yet.
    files: tuple[Path | None, ...] = ()
    # Each array's sentence spans and terms, row for row (sentence_words.py); empty, or None
    # for an array, in snapshots from before them or built by other splitting rules.
    words: tuple[SentenceWords | None, ...] = ()
    # Each int8 array's scales (float32, one a row); None for a float16 array. Empty: every
    # array is float16.
    scales: tuple[np.ndarray | None, ...] = ()
    # Each array's stored row of every sentence; None (or missing): sentence n is row n.
    maps: tuple[np.ndarray | None, ...] = ()

    @classmethod
    def single(
        cls,
        matrix: np.ndarray,
        offsets: np.ndarray,
        file: Path | None = None,
        words: SentenceWords | None = None,
        scales: np.ndarray | None = None,
        row_map: np.ndarray | None = None,
    ) -> SentenceVectors:
        offsets = np.asarray(offsets, dtype=np.int64)
        where = np.stack(
            [np.zeros(len(offsets) - 1, dtype=np.int64), offsets[:-1], np.diff(offsets)], axis=1
        )
        return cls((matrix,), where, (file,), (words,), (scales,), (row_map,))

    def map_of(self, array: int) -> np.ndarray | None:
        """Array ``array``'s row map; None when its sentences are its rows."""
        return self.maps[array] if array < len(self.maps) else None

    def sentences_in(self, array: int) -> int:
        """The sentences array ``array`` holds (its rows, unless a map repeats some)."""
        held = self.map_of(array)
        return len(self.arrays[array]) if held is None else len(held)

    def _stored(self, array: int, first: int, count: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Sentences ``first`` .. ``first + count - 1`` of array ``array``: their stored rows
        and scales (None: float16)."""
        scales = self.scales_of(array)
        held = self.map_of(array)
        if held is None:
            part = slice(first, first + count)
            return self.arrays[array][part], None if scales is None else scales[part]
        at = held[first : first + count]
        return self.arrays[array][at], None if scales is None else scales[at]

    @property
    def has_words(self) -> bool:
        """Whether every array's sentence words are known."""
        return len(self.words) == len(self.arrays) and all(w is not None for w in self.words)

    def scales_of(self, array: int) -> np.ndarray | None:
        """The scales of array ``array``; None when it is float16."""
        return self.scales[array] if array < len(self.scales) else None

    def sentence_terms(self, ordinal: int) -> SentenceTerms | None:
        """A passage's sentences and their terms as stored; None where they are not."""
        array, first, count = (int(x) for x in self.where[ordinal])
        words = self.words[array] if array < len(self.words) else None
        return None if words is None else words.sentences(first, count)

    def joined_terms(self, ordinals: Sequence[int]) -> list[bytes | None]:
        """Each passage of ``ordinals``'s terms as stored, NUL-separated
        (``SentenceWords.joined_terms``); None for one whose terms are not stored."""
        runs: dict[int, list[tuple[int, int]]] = {}
        places: dict[int, list[int]] = {}
        for at, ordinal in enumerate(ordinals):
            array, first, count = self.where[ordinal].tolist()
            if array < len(self.words) and self.words[array] is not None:
                runs.setdefault(array, []).append((first, count))
                places.setdefault(array, []).append(at)
        found: list[bytes | None] = [None] * len(ordinals)
        for array, held in runs.items():
            words = self.words[array]
            assert words is not None  # only arrays with words have runs
            for at, joined in zip(places[array], words.joined_terms(held), strict=True):
                found[at] = joined
        return found

    def dense_words(self) -> SentenceWords | None:
        """The words of ``dense()``'s rows, in the same order; None unless every array's are
        known."""
        if not self.has_words:
            return None
        known = [w for w in self.words if w is not None]
        offsets = self.dense_offsets()
        if len(known) == 1 and np.array_equal(self.where[:, 1], offsets[:-1]):
            return known[0]
        return SentenceWords.concatenate(
            [(known[array], first, size) for array, first, size, _ in self._runs(offsets)]
        )

    def _runs(self, offsets: np.ndarray) -> Iterator[tuple[int, int, int, int]]:
        """(array, first row, rows, first row in ``dense()``) of each run of passages whose
        rows follow each other in one array: copied as one slice."""
        counts = self.where[:, 2]
        arrays, firsts = self.where[:, 0], self.where[:, 1]
        ends = np.flatnonzero(
            (arrays[1:] != arrays[:-1]) | (firsts[1:] != firsts[:-1] + counts[:-1])
        )
        starts = np.concatenate(([0], ends + 1))
        lasts = np.concatenate((ends, [len(counts) - 1]))
        for start, last in zip(starts.tolist(), lasts.tolist(), strict=True):
            if start > last:
                continue
            first = int(firsts[start])
            size = int(firsts[last] + counts[last]) - first
            yield int(arrays[start]), first, size, int(offsets[start])

    def dense_offsets(self) -> np.ndarray:
        counts = self.where[:, 2]
        offsets = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return offsets

    @property
    def count(self) -> int:
        """Sentences of the passages (rows of passages gone are not counted)."""
        return int(self.where[:, 2].sum())

    @property
    def stored(self) -> int:
        """Sentences the arrays hold, those of passages gone included."""
        return sum(self.sentences_in(a) for a in range(len(self.arrays)))

    def rows(self, ordinal: int) -> np.ndarray:
        """A passage's sentence vectors: float32 from int8 rows, float16 as stored (a float16
        file is scored as before, so an old snapshot answers as it did)."""
        array, first, count = (int(x) for x in self.where[ordinal])
        rows, scales = self._stored(array, first, count)
        return rows if scales is None else dequantise(rows, scales)

    def dense(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(int8 matrix, scales, offsets): every passage's rows in passage order in one array
        (what a full build writes), copied as runs consecutive in their array; float16 runs
        are quantised."""
        offsets = self.dense_offsets()
        scales = self.scales_of(0)
        if (
            len(self.arrays) == 1
            and scales is not None
            and self.map_of(0) is None
            and np.array_equal(self.where[:, 1], offsets[:-1])
        ):
            return self.arrays[0], scales, offsets
        dimension = self.arrays[0].shape[1] if self.arrays else 0
        matrix = np.empty((int(offsets[-1]), dimension), dtype=QUANTISED)
        dense_scales = np.empty(int(offsets[-1]), dtype=np.float32)
        for array, first, size, target in self._runs(offsets):
            rows, held = self._stored(array, first, size)
            if held is None:
                rows, held = quantise(rows)
            matrix[target : target + size] = rows
            dense_scales[target : target + size] = held
        return matrix, dense_scales, offsets


@dataclass(slots=True)
class Snapshot:
    version: str
    path: Path
    manifest: SnapshotManifest
    # None where the backend searches them itself (PostgreSQL: pgvector and full text).
    vectors: VectorIndex | None
    lexical: Lexical | None
    # Columns, mapped (records.py): a record is made when one is asked for.
    passages: Sequence[PassageRecord]
    articles: Mapping[str, ArticleRecord]
    # passage ordinals per article id, for filtered searches
    by_article: Mapping[str, np.ndarray] = field(default_factory=dict)
    # Every passage's sentence vectors; None in snapshots built before them.
    sentences: SentenceVectors | None = None
    # What each article says it is about, as terms; None in snapshots built before them.
    about: AboutTerms | None = None

    @property
    def passage_count(self) -> int:
        return len(self.passages)


def new_version(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{secrets.token_hex(3)}"


def snapshots_dir(home: Path) -> Path:
    return HomePaths(home).snapshots


def current_version(home: Path) -> str | None:
    try:
        version = HomePaths(home).pointer.read_text().strip()
    except FileNotFoundError:
        return None
    return version or None


def list_versions(home: Path) -> list[str]:
    """Published snapshot folders, oldest first (versions sort by build time)."""
    folder = snapshots_dir(home)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def published_versions(home: Path) -> set[str]:
    """The versions ``CURRENT`` has named (issue 15, item 5).

    A folder a killed build renamed into place but never published is not among them, so it
    is never rolled back to, never served as a fallback and never takes a kept slot. A home
    from before the record existed counts every folder up to the current one as published.
    """
    current = current_version(home)
    try:
        recorded = set(HomePaths(home).history.read_text().split())
    except FileNotFoundError:
        recorded = {v for v in list_versions(home) if current is None or v <= current}
    except OSError as exc:
        raise StorageError(f"cannot read {HomePaths(home).history}: {exc.strerror or exc}") from exc
    if current is not None:
        # A kill between replacing CURRENT and recording it must not orphan the served one.
        recorded.add(current)
    return recorded


def _record_published(home: Path, known: list[str], versions: list[str]) -> None:
    lines = [v for v in known if v not in versions] + versions
    write_file_atomic(HomePaths(home).history, ("\n".join(lines[-HISTORY_MAX:]) + "\n").encode())


def _known_published(home: Path) -> list[str]:
    """The record in order, or (a home from before it) what counts as published now."""
    try:
        return HomePaths(home).history.read_text().split()
    except FileNotFoundError:
        return sorted(published_versions(home))
    except OSError:
        return []


def publish(home: Path, version: str) -> None:
    """Point ``CURRENT`` at ``version``; readers see the old or the new name, nothing between.

    The version is recorded in ``PUBLISHED`` only once ``CURRENT`` names it, so the record
    never holds a version nobody served. A kill between the two is harmless: the current
    version always counts as published, and the next publish records it with its successor.
    """
    if not (snapshots_dir(home) / version / MANIFEST).is_file():
        raise IndexNotBuilt(f"snapshot {version} does not exist")
    previous = current_version(home)
    # Read before CURRENT moves: in a home without the record, "published" is judged against
    # the old pointer, so a killed build's folder below the new version is not taken in.
    known = _known_published(home)
    try:
        write_file_atomic(HomePaths(home).pointer, f"{version}\n".encode())
    except OSError as exc:
        raise StorageError(f"cannot publish snapshot {version}: {exc}") from exc
    try:
        _record_published(home, known, [v for v in (previous, version) if v is not None])
    except OSError as exc:
        # Published all the same (see above); failing here would undo a served snapshot.
        logger.warning("published %s but could not record it in %s: %s", version, HISTORY, exc)
    logger.info("published snapshot %s", version)


def _snapshot_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_snapshot(
    home: Path,
    version: str,
    vectors: VectorIndex,
    lexical: Lexical,
    columns: Columns,
    manifest: SnapshotManifest,
    sentences: tuple[np.ndarray, np.ndarray] | SentenceVectors | None = None,
    previous: str | None = None,
    vector_keys: np.ndarray | None = None,
    vector_rowids: np.ndarray | None = None,
) -> Path:
    """Write a complete snapshot aside and rename it into ``snapshots/``. Does not publish.

    ``columns``: the passages and articles (records.py).
    ``sentences``: the sentence vectors and their per-passage offsets (``len(passages) + 1``),
    or a ``SentenceVectors`` of several arrays (those with a file are hard-linked).
    ``previous``: a snapshot some of whose files were hard-linked into this one; their hashes
    are taken from its manifest instead of being read again (a base segment is large).
    ``vector_keys``: each passage's embedding-cache key, read by a re-ranked IVF
    (``vector_snapshot``); ``vector_rowids``: each key's rowid in the cache, where known.
    """
    root = snapshots_dir(home)
    staging = root / f".building-{version}"
    final = root / version
    try:
        root.mkdir(parents=True, exist_ok=True)
        # A build may have begun it with the new sentence rows (Indexer.prepare).
        staging.mkdir(exist_ok=True)
        vector_snapshot.write_vectors(staging, vectors, vector_keys, vector_rowids)
        lexical.save(staging / LEXICAL_DIR)
        if isinstance(sentences, tuple):
            matrix, offsets = sentences
            quantised, scales = quantise(matrix)
            sentences = SentenceVectors.single(quantised, offsets, scales=scales)
        if sentences is not None:
            _write_sentence_arrays(staging, sentences)
        kept = _earlier_dictionary(root / previous, len(columns.texts)) if previous else None
        dictionary = write_columns(staging, columns, None if kept is None else kept[0])
        # The size of the texts the dictionary was trained on, which later builds reuse it for.
        trained = {TEXTS_KEY: len(columns.texts) if kept is None else kept[1]} if dictionary else {}
        earlier = _earlier_about(root / previous, manifest) if previous else None
        AboutTerms.of_articles(Records.of(columns).articles.values(), earlier).save(staging)
        manifest = replace(
            manifest,
            extra={**manifest.extra, ABOUT_KEY: about_fingerprint(), **trained},
            format=FORMAT_VERSION,
            version=version,
            files=_hashes(staging, root / previous if previous else None),
        )
        (staging / MANIFEST).write_text(
            json.dumps(manifest.to_json(), indent=2, ensure_ascii=False)
        )
        for path in [*_snapshot_files(staging), staging / MANIFEST]:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        os.rename(staging, final)
        _fsync_dir(root)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if exc.errno == errno.ENOSPC:
            raise StorageError(f"no space left on device while writing snapshot {version}") from exc
        raise StorageError(f"cannot write snapshot {version}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final


def _earlier_dictionary(folder: Path, size: int) -> tuple[bytes, int] | None:
    """The previous snapshot's zstd dictionary for the texts and the size of the texts it was
    trained on, when the texts now (``size`` bytes) are within ``DICTIONARY_DRIFT`` of those:
    training one is most of writing the texts. None: train one (the texts are the same either
    way; only how small their blocks compress depends on it)."""
    try:
        earlier = SnapshotManifest.from_json(json.loads((folder / MANIFEST).read_text()))
        trained_on = earlier.extra.get(TEXTS_KEY)
        if not isinstance(trained_on, int) or not (
            trained_on / DICTIONARY_DRIFT <= size <= trained_on * DICTIONARY_DRIFT
        ):
            return None
        dictionary = texts_dictionary(folder)
    except (OSError, ValueError) as exc:
        logger.info("texts' dictionary of %s not reused: %s", folder.name, exc)
        return None
    if not dictionary or hashlib.sha256(dictionary).hexdigest() != earlier.files.get(
        records.DICTIONARY
    ):
        return None
    return dictionary, trained_on


def _earlier_about(folder: Path, manifest: SnapshotManifest) -> Earlier | None:
    """The previous snapshot's about-terms, to copy those of unchanged articles; None when it
    has none this code can use, or cannot be read (each article is then stemmed)."""
    try:
        earlier = SnapshotManifest.from_json(json.loads((folder / MANIFEST).read_text()))
        return earlier_about(
            folder, earlier.extra.get(ABOUT_KEY), earlier.article_hashes, manifest.article_hashes
        )
    except (OSError, ValueError, SnapshotCorrupt) as exc:
        logger.warning("about-terms of %s not reused: %s", folder.name, exc)
        return None


def _write_sentence_arrays(staging: Path, sentences: SentenceVectors) -> None:
    """Link the arrays with a file (and their scales, words and row map), write the others
    (int8)."""
    names = []
    words = sentences.words if sentences.has_words else (None,) * len(sentences.arrays)
    for number, (array, file, held) in enumerate(
        zip(sentences.arrays, sentences.files, words, strict=True)
    ):
        scales = sentences.scales_of(number)
        if file is not None and file.parent == staging:
            names.append(file.name)  # written here by the build, with its companions
        elif file is not None:
            # A full build's float16 file of format 1 is linked under a name of its own: code of
            # then, finding sentences.npy, would look for sentence_offsets.npy beside it.
            name = (
                f"sentences-{secrets.token_hex(4)}.npy"
                if file.name == SENTENCE_VECTORS
                else file.name
            )
            names.append(name)
            link_or_copy(file, staging / name)
            if scales is not None:
                link_or_copy(scales_file(file), scales_file(staging / name))
            if sentences.map_of(number) is not None:
                link_or_copy(row_map_file(file), row_map_file(staging / name))
            if held is not None:
                for companion, linked in zip(
                    words_files(file), words_files(staging / name), strict=True
                ):
                    link_or_copy(companion, linked)
        else:
            names.append(f"sentences-{secrets.token_hex(4)}.npy")
            if scales is None:
                array, scales = quantise(array)
            save_quantised(staging / names[-1], array, scales, sentences.map_of(number))
            if held is not None:
                held.save(staging / names[-1])
    np.save(staging / SENTENCE_INDEX, sentences.where.astype(np.int64))
    (staging / SENTENCE_LIST).write_text(json.dumps(names))


def load_sentences(folder: Path, passages: int, words: bool = True) -> SentenceVectors | None:
    """A snapshot folder's sentence vectors, mapped (a question reads the rows of the few
    passages it quotes; several GB at a million passages would otherwise sit in every
    server's memory); None in snapshots from before them. ``words``: with the sentences'
    stored spans and terms, where there are some (pass False when they were made by other
    splitting rules than this code's)."""
    lists = (SENTENCE_LIST, SENTENCE_ARRAYS, SENTENCE_FILES)
    listed = next((n for n in lists if (folder / n).is_file()), None)
    if listed is not None:
        names = json.loads((folder / listed).read_text())
        files = tuple(folder / str(n) for n in names)
        loaded = [_sentence_array(folder, f) for f in files]
        arrays = tuple(matrix for matrix, _, _ in loaded)
        maps = tuple(row_map for _, _, row_map in loaded)
        where = load_array(folder / SENTENCE_INDEX, mapped=False)
        sizes = np.asarray(
            [len(a) if m is None else len(m) for a, m in zip(arrays, maps, strict=True)] or [0],
            dtype=np.int64,
        )
        fits = (
            where.ndim == 2
            and len(where) == passages
            and len({a.shape[1] for a in arrays}) <= 1
            and bool(np.all((where[:, 0] >= 0) & (where[:, 0] < len(arrays))))
            and bool(np.all(where[:, 1] + where[:, 2] <= sizes[np.clip(where[:, 0], 0, None)]))
        )
        if not fits:
            raise SnapshotCorrupt(f"snapshot {folder.name}: sentence vectors do not match")
        held = tuple(
            SentenceWords.load(f, int(size)) if words else None
            for f, size in zip(files, sizes.tolist(), strict=False)
        )
        return SentenceVectors(arrays, where, files, held, tuple(s for _, s, _ in loaded), maps)
    if not (folder / SENTENCE_VECTORS).is_file():
        return None
    matrix, scales, _ = _sentence_array(folder, folder / SENTENCE_VECTORS)
    offsets = load_array(folder / SENTENCE_OFFSETS, mapped=False)
    if len(offsets) != passages + 1 or int(offsets[-1]) != len(matrix):
        raise SnapshotCorrupt(f"snapshot {folder.name}: sentence vectors do not match")
    stored = SentenceWords.load(folder / SENTENCE_VECTORS, len(matrix)) if words else None
    return SentenceVectors.single(matrix, offsets, folder / SENTENCE_VECTORS, stored, scales)


def _sentence_array(
    folder: Path, file: Path
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """A sentence-vector file, mapped, its scales (None: a float16 file) and its row map
    (None: none, its sentences are its rows)."""
    matrix = load_array(file, mapped=True)
    if matrix.ndim != 2 or matrix.dtype not in (QUANTISED, LEGACY):
        raise SnapshotCorrupt(f"snapshot {folder.name}: {file.name} is not sentence vectors")
    if matrix.dtype == LEGACY:
        return matrix, None, None
    scales = scales_file(file)
    if not scales.is_file():
        raise SnapshotCorrupt(f"snapshot {folder.name}: {scales.name} is missing")
    held = load_array(scales, mapped=True)
    if held.dtype != np.float32 or held.shape != (len(matrix),):
        raise SnapshotCorrupt(f"snapshot {folder.name}: {scales.name} does not match its rows")
    row_map = None
    if row_map_file(file).is_file():
        # Plain arrays over the mapped pages: rows picked by a map from an np.memmap are
        # another memmap each time, twice the cost of a passage's rows read by slice.
        row_map = np.asarray(load_array(row_map_file(file), mapped=True))
        matrix, held = np.asarray(matrix), np.asarray(held)
        if (
            row_map.ndim != 1
            or row_map.dtype.kind not in "iu"
            or (len(row_map) and not 0 <= int(row_map.min()) <= int(row_map.max()) < len(matrix))
        ):
            raise SnapshotCorrupt(f"snapshot {folder.name}: {row_map_file(file).name} is off")
    return matrix, held, row_map


def _hashes(staging: Path, previous: Path | None) -> dict[str, str]:
    """sha256 of every file in ``staging``; a file that is the same inode as the one of that
    name in ``previous`` (hard-linked) has the hash ``previous``'s manifest gives it."""
    known: Mapping[str, str] = {}
    if previous is not None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            known = SnapshotManifest.from_json(json.loads((previous / MANIFEST).read_text())).files
    hashes = {}
    for path in _snapshot_files(staging):
        name = str(path.relative_to(staging))
        reused = known.get(name)
        if reused is not None and _same_file(path, previous / name if previous else None):
            hashes[name] = reused
        else:
            hashes[name] = file_sha256(path)
    return hashes


def _same_file(path: Path, other: Path | None) -> bool:
    if other is None:
        return False
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def read_manifest(home: Path, version: str) -> SnapshotManifest:
    """The manifest of snapshot ``version``; SnapshotCorrupt when missing or unreadable."""
    path = snapshots_dir(home) / version / MANIFEST
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise SnapshotCorrupt(f"snapshot {version} is missing its manifest") from exc
    except (OSError, ValueError) as exc:
        raise SnapshotCorrupt(f"snapshot {version} has an unreadable manifest: {exc}") from exc
    if not isinstance(raw, dict):
        raise SnapshotCorrupt(f"snapshot {version} has an unreadable manifest: not an object")
    return SnapshotManifest.from_json(raw)


def check_files(folder: Path, manifest: SnapshotManifest) -> None:
    """SnapshotCorrupt unless every file ``manifest`` lists is in ``folder`` with its hash."""
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise SnapshotCorrupt(f"snapshot {folder.name} is missing {name}")
        if file_sha256(path) != expected:
            raise SnapshotCorrupt(f"snapshot {folder.name}: {name} does not match its hash")


def load_snapshot(home: Path, version: str | None = None, verify: bool = True) -> Snapshot:
    """Load ``version`` (default: the current one); SnapshotCorrupt if any file is off."""
    version = version or current_version(home)
    if version is None:
        raise IndexNotBuilt("no index has been built yet; run `articleqa index`")
    folder = snapshots_dir(home) / version
    manifest = read_manifest(home, version)
    try:
        if verify:
            check_files(folder, manifest)
        # Mapped, not read: the codes of flat and scalar-quantised indexes stay in the page
        # cache, shared by every process serving this snapshot and not counted twice.
        vectors = vector_snapshot.read_vectors(folder, home, manifest.extra)
        found = _load_records(folder)
        passages = found.passages
        lexical = load_lexical(folder, len(passages), LEXICAL_DIR, BM25_DIR)
        # Sentence words stored by other splitting rules are not what this code would compute.
        same_rules = manifest.extra.get(RULES_KEY) == rules_fingerprint()
        sentences = load_sentences(folder, len(passages), words=same_rules)
        same_about = manifest.extra.get(ABOUT_KEY) == about_fingerprint()
        about = AboutTerms.load(folder, found.articles.ordinals) if same_about else None
    except SnapshotCorrupt:
        raise
    except Exception as exc:  # any decoding failure means the files are not what we wrote
        raise SnapshotCorrupt(f"snapshot {version} cannot be read: {exc}") from exc
    stale = [
        what
        for what, same in (("sentence words", same_rules), ("about-terms", same_about))
        if not same
    ]
    if stale:
        # Answers are the same, but each question works out what the build stored: at 11 k
        # passages a first ask cost 26 ms against 19 (BENCHMARKS.md, "Scale, twenty-ninth pass").
        logger.warning(
            "snapshot %s was built by other splitting rules than this version's: its %s are "
            "worked out as questions come, slower, until `articleqa index` builds it again",
            version,
            " and ".join(stale),
        )
    # Entries of passages gone since an ANN index was trained stay in it, with id -1.
    recorded = manifest.extra.get("vector_index")
    tombstones = recorded.get("tombstones", 0) if isinstance(recorded, dict) else 0
    if vectors.ntotal != len(passages) + tombstones:
        raise SnapshotCorrupt(
            f"snapshot {version}: {vectors.ntotal} vectors but {len(passages)} passages"
        )
    return Snapshot(
        version=version,
        path=folder,
        manifest=manifest,
        vectors=vectors,
        lexical=lexical,
        passages=passages,
        articles=found.articles,
        by_article=found.by_article,
        sentences=sentences,
        about=about,
    )


def _load_records(folder: Path) -> Records:
    """The snapshot's passages and articles: its columns, mapped, or (a snapshot written before
    them) its JSON lines read into columns in memory."""
    if (folder / PASSAGES).is_file() or not (folder / LEGACY_PASSAGES).is_file():
        return Records.of(load_columns(folder))
    with open(folder / LEGACY_ARTICLES, "rb") as handle:
        articles = [ArticleRecord(**orjson.loads(line)) for line in handle]
    return Records.from_records(_legacy_passages(folder / LEGACY_PASSAGES), articles)


def _legacy_passages(path: Path) -> Iterator[PassageRecord]:
    # One at a time into the columns: a list of every record first would leave the memory of
    # ~200 k objects to the allocator (BENCHMARKS.md, "Scale, third pass").
    with open(path, "rb") as handle:
        for line in handle:
            raw = orjson.loads(line)
            spans = [(str(a), int(s), int(e)) for a, s, e in raw["spans"]]
            yield PassageRecord(raw["text"], raw["context"], raw["heading"], spans)


@dataclass(slots=True)
class LoadedSnapshot:
    snapshot: Snapshot
    # Set when the current snapshot was unusable and an older one is served instead.
    fallback_reason: str | None = None


def load_best(home: Path) -> LoadedSnapshot:
    """The current snapshot, or else the newest older one that loads, saying why."""
    current = current_version(home)
    if current is None:
        raise IndexNotBuilt("no index has been built yet; run `articleqa index`")
    try:
        return LoadedSnapshot(load_snapshot(home, current))
    except SnapshotCorrupt as exc:
        reason = str(exc)
        logger.error("current snapshot unusable: %s", reason)
    published = published_versions(home)
    for version in reversed(list_versions(home)):
        # Only older published ones: a newer folder was rolled back from, and a folder never
        # published (a killed build's) was never checked by anyone.
        if version >= current or version not in published:
            continue
        try:
            snapshot = load_snapshot(home, version)
        except SnapshotCorrupt as exc:
            logger.error("older snapshot unusable too: %s", exc)
            continue
        logger.warning("serving previous snapshot %s instead", version)
        return LoadedSnapshot(snapshot, fallback_reason=reason)
    raise SnapshotCorrupt(
        f"{reason}; no earlier snapshot could be loaded either; run `articleqa index`"
    )


def prune(home: Path, keep: int) -> list[str]:
    """Keep the newest ``keep`` published snapshots (always the current one); delete the rest,
    folders that were never published (a killed build's) and stale staging. Call it holding the
    build lock: another builder's renamed-but-not-yet-published folder would look orphaned."""
    root = snapshots_dir(home)
    current = current_version(home)
    published = published_versions(home)
    versions = list_versions(home)
    kept = [v for v in versions if v in published]
    kept = kept[-keep:] if keep > 0 else []
    removed: list[str] = []
    for version in versions:
        if version == current or version in kept:
            continue
        shutil.rmtree(root / version, ignore_errors=True)
        removed.append(version)
        if version not in published:
            logger.info("removed snapshot %s: it was never published", version)
    if root.is_dir():
        for staging in root.glob(".building-*"):
            shutil.rmtree(staging, ignore_errors=True)
    return removed


def rollback(home: Path, check: Callable[[str, SnapshotManifest], None] | None = None) -> str:
    """Publish the newest published snapshot older than the current one.

    ``check(version, manifest)`` may refuse the target by raising, before anything changes.
    """
    current = current_version(home)
    published = published_versions(home)
    older = [v for v in list_versions(home) if v in published and (current is None or v < current)]
    if not older:
        raise IndexNotBuilt("there is no earlier snapshot to roll back to")
    target = older[-1]
    if check is not None:
        check(target, read_manifest(home, target))
    publish(home, target)
    return target


@contextlib.contextmanager
def build_lock(home: Path, timeout_s: float = 0.0) -> Iterator[None]:
    """Hold the rebuild lock; RebuildInProgress if another holder keeps it past ``timeout_s``.

    ``flock`` dies with its process, so a killed rebuild never leaves a stale lock behind.
    """
    path = HomePaths(home).build_lock
    try:
        home.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise StorageError(f"cannot open the build lock {path}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise RebuildInProgress(
                        f"another index rebuild is running ({holder}); wait for it to finish"
                    ) from None
                time.sleep(0.1)
        # The holder's pid is a courtesy for the "another rebuild is running" message: a full
        # disk must not stop a build (or fail it with a traceback) over it.
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
