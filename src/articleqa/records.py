"""A snapshot's passages and articles in columns: numpy arrays, mapped, and one UTF-8 text file.

As Python objects (one ``PassageRecord`` and ``ArticleRecord`` each, every text its own ``str``)
they were ~450 MB of every server's anonymous memory at 200 k passages, ~2.3 GB in proportion
at a million (BENCHMARKS.md, "Scale, second pass"). In columns they are files the page cache
holds once for every process, and a record is made only when the search asks for one. The text
file is read a slice at a time, not mapped (file_slices.py); from snapshot format 5 it is
compressed in blocks (text_blocks.py).

Files (in the snapshot folder)::

    texts.bin      UTF-8: every article's text, title, metadata; contexts and headings once each;
                   in format 5, texts.zst, texts.blocks.npy and texts.dict instead: the same
                   compressed in blocks (text_blocks.py)
    strings.npy    (strings, 2) int64: each string's first and end byte in texts.bin
    articles.npy   (articles, 7) int64: string numbers of id, title, url, author, published,
                   text, source (-1: None)
    passages.npy   (passages, 7) int64: the text's first and end byte in texts.bin, the context's
                   and heading's string numbers (-1: None), the first span's row, span count,
                   and the passage id (``passages.passage_id``, 64 bits)
    spans.npy      (spans, 5) int64: article number, first and end character in its text, and
                   the context and heading the passage has there (a later build that drops
                   the passage's first article takes them from the next: ``Indexer``)

A passage's text is the slice of its first article's text it was cut from, so it is not stored
again; a passage whose text is not such a slice (none a build makes) is stored on its own.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np

from articleqa.arrays import load_array
from articleqa.errors import SnapshotCorrupt
from articleqa.file_slices import FileSlices
from articleqa.text_blocks import (
    BLOCKS,
    COMPRESSED,
    DICTIONARY,
    BlockTexts,
    train_dictionary,
    write_blocks,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

TEXTS = "texts.bin"  # format 4 and before (read only)
STRINGS = "strings.npy"
ARTICLE_COLUMNS = "articles.npy"
PASSAGE_COLUMNS = "passages.npy"
SPANS = "spans.npy"
# Written by every build (and texts.dict where a dictionary pays: text_blocks.py).
FILES = (COMPRESSED, BLOCKS, STRINGS, ARTICLE_COLUMNS, PASSAGE_COLUMNS, SPANS)
ARTICLE_FIELDS = ("id", "title", "url", "author", "published", "text", "source")
# Records made recently, kept: a question looks at the same few dozen passages several times.
CACHED_RECORDS = 4096


@dataclass(slots=True)
class PassageRecord:
    text: str
    context: str
    heading: str | None
    # (article_id, start, end) for every article holding this passage, first = primary.
    spans: list[tuple[str, int, int]]


@dataclass(slots=True)
class ArticleRecord:
    id: str
    title: str
    url: str | None
    author: str | None
    published: str | None
    text: str
    source: str | None = None  # where it was read from (file path or URL); older snapshots: None


@dataclass(frozen=True, slots=True, eq=False)
class Columns:
    """The arrays of the layout above; ``texts`` is bytes, the file read a slice at a time
    (format 4 and before), or its compressed blocks."""

    texts: bytes | FileSlices | BlockTexts
    strings: np.ndarray
    articles: np.ndarray
    passages: np.ndarray
    spans: np.ndarray

    def check(self, name: str) -> None:
        """SnapshotCorrupt unless every number points inside what it numbers."""
        size = len(self.texts)
        strings, articles, passages, spans = self.strings, self.articles, self.passages, self.spans
        fits = (
            strings.ndim == 2
            and strings.shape[1] == 2
            and articles.ndim == 2
            and articles.shape[1] == len(ARTICLE_FIELDS)
            and passages.ndim == 2
            and passages.shape[1] == 7
            and spans.ndim == 2
            and spans.shape[1] == 5
            and bool(np.all((strings[:, 0] <= strings[:, 1]) & (strings[:, 1] <= size)))
            and bool(np.all((articles >= -1) & (articles < len(strings))))
            and bool(np.all(articles[:, [0, 1, 5]] >= 0))
            and bool(np.all((passages[:, 0] <= passages[:, 1]) & (passages[:, 1] <= size)))
            and bool(np.all((passages[:, 2] >= 0) & (passages[:, 2] < len(strings))))
            and bool(np.all((passages[:, 3] >= -1) & (passages[:, 3] < len(strings))))
            and bool(np.all(passages[:, 4] >= 0))
            and bool(np.all(passages[:, 5] >= 1))
            and bool(np.all(passages[:, 4] + passages[:, 5] <= len(spans)))
            and bool(np.all((spans[:, 0] >= 0) & (spans[:, 0] < len(articles))))
            and bool(np.all((spans[:, 3] >= 0) & (spans[:, 3] < len(strings))))
            and bool(np.all((spans[:, 4] >= -1) & (spans[:, 4] < len(strings))))
        )
        if not fits:
            raise SnapshotCorrupt(f"snapshot {name}: passage and article columns do not match")

    def string(self, number: int) -> str | None:
        if number < 0:
            return None
        start, end = self.strings[number].tolist()
        return bytes(self.texts[start:end]).decode("utf-8")


def write_columns(folder: Path, columns: Columns, dictionary: bytes | None = None) -> bytes:
    """Write ``columns`` into ``folder`` (with this module's ``open``: the disk-full tests
    redirect it), the texts compressed with ``dictionary`` (None: one trained on them, if one
    pays); the dictionary used (b"": none)."""
    texts = columns.texts
    if dictionary is None:
        dictionary = train_dictionary(texts)
    with open(folder / COMPRESSED, "wb") as handle:
        table = write_blocks(handle, texts, dictionary)
    if dictionary:
        with open(folder / DICTIONARY, "wb") as handle:
            handle.write(dictionary)
    for name, array in (
        (BLOCKS, table),
        (STRINGS, columns.strings),
        (ARTICLE_COLUMNS, columns.articles),
        (PASSAGE_COLUMNS, columns.passages),
        (SPANS, columns.spans),
    ):
        with open(folder / name, "wb") as handle:
            np.save(handle, array, allow_pickle=False)
    return dictionary


def texts_dictionary(folder: Path) -> bytes:
    """The zstd dictionary the texts of the snapshot in ``folder`` were written with (b"":
    none)."""
    path = folder / DICTIONARY
    return path.read_bytes() if path.is_file() else b""


class _Strings:
    """The string table being built: each distinct string once, in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.encoded: dict[bytes, int] = {}
        self.pieces: list[bytes] = []
        self.bounds: list[tuple[int, int]] = []
        self.size = 0

    def add(self, text: str | None) -> int:
        if text is None:
            return -1
        number = self.numbers.get(text)
        if number is None:
            number = self.numbers[text] = self.add_bytes(text.encode("utf-8"))
        return number

    def add_bytes(self, data: bytes) -> int:
        number = self.encoded.get(data)
        if number is None:
            number = self.encoded[data] = self.append(data)
        return number

    def append(self, data: bytes) -> int:
        self.pieces.append(data)
        self.bounds.append((self.size, self.size + len(data)))
        self.size += len(data)
        return len(self.bounds) - 1


# A span as the builder takes it: article number, first and end character, and the context
# and heading the split of that article gave the passage there.
Span = tuple[int, int, int, str, str | None]


class ColumnBuilder:
    """Columns made passage by passage, over ``articles`` (objects with the ``ArticleRecord``
    fields, in the order they are numbered)."""

    def __init__(self, articles: Iterable[Any]) -> None:
        self.strings = _Strings()
        self.article_rows: list[list[int]] = []
        self.ordinals: dict[str, int] = {}
        self.texts: list[str] = []
        self.ascii: list[bool] = []
        for article in articles:
            self.ordinals[article.id] = len(self.article_rows)
            self.texts.append(article.text)
            self.ascii.append(article.text.isascii())
            row = [self.strings.add(getattr(article, f)) for f in ARTICLE_FIELDS]
            self.article_rows.append(row)
        self.passage_rows: list[tuple[int, int, int, int, int, int]] = []
        self.passage_ids: list[int] = []
        self.span_rows: list[tuple[int, int, int, int, int]] = []
        self._bytes_at = _ByteOffsets()

    def add(self, spans: Sequence[Span], key: int = 0, text: str | None = None) -> None:
        """One passage held at ``spans`` (the first is where its text, context and heading are
        taken from); ``key``: its passage id as a signed 64-bit number; ``text``: only when it
        is not the first span's slice of its article's text."""
        article, start, end, context, heading = spans[0]
        strings = self.strings
        if text is None or self.texts[article][start:end] == text:
            first = strings.bounds[self.article_rows[article][5]][0]
            if self.ascii[article]:
                begin, finish = first + start, first + end
            else:
                at = self._bytes_at
                begin = first + at(article, self.texts[article], start)
                finish = first + at(article, self.texts[article], end)
        else:
            begin, finish = strings.bounds[strings.add(text)]
        self.passage_rows.append(
            (
                begin,
                finish,
                strings.add(context),
                strings.add(heading),
                len(self.span_rows),
                len(spans),
            )
        )
        self.passage_ids.append(key)
        self.span_rows.extend((a, s, e, strings.add(c), strings.add(h)) for a, s, e, c, h in spans)

    def columns(self) -> Columns:
        ids = np.asarray(self.passage_ids, dtype=np.int64).reshape(-1, 1)
        rows = np.asarray(self.passage_rows, dtype=np.int64).reshape(-1, 6)
        return Columns(
            texts=b"".join(self.strings.pieces),
            strings=np.asarray(self.strings.bounds, dtype=np.int64).reshape(-1, 2),
            articles=np.asarray(self.article_rows, dtype=np.int64).reshape(-1, len(ARTICLE_FIELDS)),
            passages=np.hstack([rows, ids]),
            spans=np.asarray(self.span_rows, dtype=np.int64).reshape(-1, 5),
        )


def build_columns(passages: Iterable[PassageRecord], articles: Iterable[Any]) -> Columns:
    """The columns of ``passages`` and ``articles``, in memory. Records do not say what context
    and heading a passage had in its other articles; it is taken to be the same, and the passage
    id is left 0 (columns of records are read, never built upon: ``ColumnBuilder``)."""
    builder = ColumnBuilder(articles)
    ordinals = builder.ordinals
    for passage in passages:
        context, heading = passage.context, passage.heading
        builder.add(
            [(ordinals[a], int(s), int(e), context, heading) for a, s, e in passage.spans],
            text=passage.text,
        )
    return builder.columns()


class _ByteOffsets:
    """Character offset -> UTF-8 byte offset in an article's text; the last non-ASCII
    article's table is kept (its passages come one after another)."""

    def __init__(self) -> None:
        self.article = -1
        self.table = np.zeros(1, dtype=np.int64)

    def __call__(self, article: int, text: str, offset: int) -> int:
        if text.isascii():
            return offset
        if article != self.article:
            points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
            widths = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
            self.table = np.zeros(len(points) + 1, dtype=np.int64)
            np.cumsum(widths, out=self.table[1:])
            self.article = article
        return int(self.table[offset])


def load_columns(folder: Path) -> Columns:
    """The columns in ``folder``: the arrays mapped, the texts read when asked for
    (SnapshotCorrupt if they do not fit together)."""
    # Read a slice at a time, not mapped: mapped, the pages questions touch stay in the
    # server's RSS (file_slices.py).
    texts: FileSlices | BlockTexts
    if (folder / COMPRESSED).is_file():
        dictionary = folder / DICTIONARY
        texts = BlockTexts(
            FileSlices(folder / COMPRESSED),
            np.asarray(load_array(folder / BLOCKS, mapped=False)),
            dictionary.read_bytes() if dictionary.is_file() else b"",
        )
        if not texts.check():
            raise SnapshotCorrupt(f"snapshot {folder.name}: {BLOCKS} does not fit {COMPRESSED}")
    else:  # format 4 and before: the texts as they are
        texts = FileSlices(folder / TEXTS)
    # Plain arrays over the mapped pages: indexing an np.memmap makes another memmap each
    # time, a cost every record read would pay.
    arrays = [
        np.asarray(load_array(folder / name, mapped=True))
        for name in (STRINGS, ARTICLE_COLUMNS, PASSAGE_COLUMNS, SPANS)
    ]
    columns = Columns(texts, *arrays)
    columns.check(folder.name)
    return columns


class LazySequence(Sequence[T]):
    """A sequence whose items are made when asked for (``item``); a slice is a list of them."""

    def __len__(self) -> int:
        raise NotImplementedError

    def item(self, index: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self.item(i) for i in range(*index.indices(len(self)))]
        position = int(index)
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(f"{index} out of range")
        return self.item(position)


class Passages(LazySequence[PassageRecord]):
    """The passages of ``Columns`` as a sequence of records, each made when asked for."""

    def __init__(self, columns: Columns, article_ids: Sequence[str]) -> None:
        self.columns = columns
        self.article_ids = article_ids
        self._record = functools.lru_cache(maxsize=CACHED_RECORDS)(self._make)

    def __len__(self) -> int:
        return len(self.columns.passages)

    def item(self, index: int) -> PassageRecord:
        return self._record(index)

    def __iter__(self) -> Iterator[PassageRecord]:
        for position in range(len(self)):
            yield self._record(position)

    def framing(self, positions: Sequence[int]) -> list[tuple[str, list[str]]]:
        """Each passage of ``positions``'s context and the ids of the articles holding it,
        read from the columns without its text."""
        columns = self.columns
        rows = columns.passages[np.asarray(positions, dtype=np.int64)].tolist()
        contexts = {n: columns.string(n) or "" for n in {row[2] for row in rows}}
        ids = self.article_ids
        return [
            (
                contexts[context],
                [ids[a] for a in columns.spans[first : first + count, 0].tolist()],
            )
            for _begin, _end, context, _heading, first, count, _key in rows
        ]

    def _make(self, position: int) -> PassageRecord:
        columns = self.columns
        begin, end, context, heading, first, count, _key = columns.passages[position].tolist()
        ids = self.article_ids
        return PassageRecord(
            bytes(columns.texts[begin:end]).decode("utf-8"),
            columns.string(context) or "",
            columns.string(heading),
            [(ids[a], s, e) for a, s, e, _c, _h in columns.spans[first : first + count].tolist()],
        )


def framing(
    passages: Sequence[PassageRecord], positions: Sequence[int]
) -> list[tuple[str, list[str]]]:
    """Each passage of ``positions``'s context and the ids of the articles holding it
    (``Passages.framing``; from the records of another sequence)."""
    if isinstance(passages, Passages):
        return passages.framing(positions)
    records = [passages[position] for position in positions]
    return [(record.context, [a for a, _start, _end in record.spans]) for record in records]


class Articles(Mapping[str, ArticleRecord]):
    """The articles of ``Columns`` by id, each record made when asked for."""

    def __init__(self, columns: Columns) -> None:
        self.columns = columns
        self.ids = [str(columns.string(int(n))) for n in columns.articles[:, 0]]
        self.ordinals = {article_id: i for i, article_id in enumerate(self.ids)}
        self._record = functools.lru_cache(maxsize=CACHED_RECORDS)(self._make)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __contains__(self, key: object) -> bool:
        return key in self.ordinals

    def __getitem__(self, key: str) -> ArticleRecord:
        return self._record(self.ordinals[key])

    def _make(self, ordinal: int) -> ArticleRecord:
        fields = [self.columns.string(n) for n in self.columns.articles[ordinal].tolist()]
        article_id, title, url, author, published, text, source = fields
        return ArticleRecord(
            str(article_id), title or "", url, author, published, text or "", source
        )


class PassagesByArticle(Mapping[str, np.ndarray]):
    """The ordinals of the passages each article holds, in order (for filtered searches): one
    array of all spans' passages sorted by article, cut per article when asked."""

    def __init__(self, columns: Columns, ordinals: Mapping[str, int]) -> None:
        counts = columns.passages[:, 5]
        passage_of_span = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        article_of_span = np.asarray(columns.spans[:, 0])
        order = np.argsort(article_of_span, kind="stable")
        self.passages = passage_of_span[order]
        self.bounds = np.searchsorted(
            article_of_span[order], np.arange(len(columns.articles) + 1, dtype=np.int64)
        )
        self.ordinals = ordinals

    def __len__(self) -> int:
        return int(np.count_nonzero(np.diff(self.bounds)))

    def __iter__(self) -> Iterator[str]:
        held = np.flatnonzero(np.diff(self.bounds)).tolist()
        ids = list(self.ordinals)
        return (ids[i] for i in held)

    def __getitem__(self, key: str) -> np.ndarray:
        ordinal = self.ordinals[key]
        start, end = int(self.bounds[ordinal]), int(self.bounds[ordinal + 1])
        if start == end:
            raise KeyError(key)
        return self.passages[start:end]


@dataclass(frozen=True, slots=True)
class Records:
    """What a snapshot quotes: its passages, its articles, and the passages of each article."""

    passages: Passages
    articles: Articles
    by_article: PassagesByArticle

    @classmethod
    def of(cls, columns: Columns) -> Records:
        articles = Articles(columns)
        return cls(
            Passages(columns, articles.ids),
            articles,
            PassagesByArticle(columns, articles.ordinals),
        )

    @classmethod
    def from_records(
        cls, passages: Iterable[PassageRecord], articles: Iterable[ArticleRecord]
    ) -> Records:
        """Columns in memory: a backend that reads records elsewhere (PostgreSQL, snapshots
        written before the columns) keeps them as compactly as a mapped snapshot."""
        return cls.of(build_columns(passages, articles))


@dataclass(frozen=True, slots=True)
class Places:
    """Where passages occur, a row per place, in the order a merge meets them: articles in order,
    each article's places in text order (``Indexer.passage_list``).

    ``contexts`` and ``headings`` are string references: >= 0 a string of the previous columns,
    -1 None, <= -2 the string ``fresh[-ref - 2]``. ``earlier``: the previous snapshot's ordinal
    of the passage if this place was its first there (same text and context), else -1.
    ``offsets``: the place's first and end byte in its article's UTF-8 text, -1 if not known.
    """

    keys: np.ndarray  # passage id numbers (int64)
    articles: np.ndarray  # article numbers
    starts: np.ndarray
    ends: np.ndarray
    contexts: np.ndarray
    headings: np.ndarray
    earlier: np.ndarray
    offsets: np.ndarray  # (places, 2)

    @classmethod
    def concatenate(cls, parts: Sequence[Places]) -> Places:
        def joined(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in parts])

        return cls(
            keys=joined("keys"),
            articles=joined("articles"),
            starts=joined("starts"),
            ends=joined("ends"),
            contexts=joined("contexts"),
            headings=joined("headings"),
            earlier=joined("earlier"),
            offsets=joined("offsets").reshape(-1, 2),
        )


def merged_columns(
    articles: Sequence[Any],
    places: Places,
    fresh: Sequence[str],
    previous: Columns | None,
    kept: Mapping[int, int] | None = None,
) -> tuple[Columns, np.ndarray]:
    """The columns of one passage per passage id, in order of first place, each holding every
    place it occurs (a repeated (article, start) once), its text, context and heading those of
    its first place: what ``passages.merge_duplicates`` makes of the same splits, computed on
    arrays. Also each passage's ordinal in the previous snapshot (-1: new).

    ``kept``: article number -> its number in ``previous``, for articles whose text is the
    same there (its UTF-8 bytes are copied, not encoded again: most of a build's articles)."""
    count = len(places.keys)
    order = np.lexsort((places.starts, places.articles))
    keys = places.keys[order]
    where = places.articles[order]
    starts = places.starts[order]
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rank = np.argsort(first, kind="stable")
    passage_of_group = np.empty(len(first), dtype=np.int64)
    passage_of_group[rank] = np.arange(len(first), dtype=np.int64)
    passage = passage_of_group[inverse.reshape(-1)]
    # A place met twice (same passage, article and start) is held once, as the merge does.
    same = np.lexsort((np.arange(count), starts, where, passage))
    repeated = np.zeros(count, dtype=bool)
    if count > 1:
        again = (
            (passage[same][1:] == passage[same][:-1])
            & (where[same][1:] == where[same][:-1])
            & (starts[same][1:] == starts[same][:-1])
        )
        repeated[same[1:][again]] = True
    held = np.flatnonzero(~repeated)
    held = held[np.argsort(passage[held], kind="stable")]
    counts = np.bincount(passage[held], minlength=len(first))
    first_span = np.zeros(len(first), dtype=np.int64)
    np.cumsum(counts[:-1], out=first_span[1:])
    primary = order[first[rank]]  # each passage's first place, as a row of ``places``

    strings = _Strings()
    article_rows = []
    text_starts = np.zeros(len(articles), dtype=np.int64)
    encoded: list[bytes] = []
    before = kept or {}
    for number, article in enumerate(articles):
        row = [strings.add(getattr(article, f)) for f in ARTICLE_FIELDS[:5]]
        if number in before and previous is not None:
            start, end = previous.strings[previous.articles[before[number], 5]].tolist()
            encoded.append(bytes(previous.texts[start:end]))
        else:
            encoded.append(article.text.encode("utf-8"))
        row.append(strings.append(encoded[-1]))
        row.append(strings.add(article.source))
        text_starts[number] = strings.bounds[row[5]][0]
        article_rows.append(row)
    contexts = _strings_of(places.contexts, strings, fresh, previous)
    headings = _strings_of(places.headings, strings, fresh, previous)
    offsets = _byte_offsets(places, primary, encoded)
    spans = order[held]
    passages = np.stack(
        [
            text_starts[places.articles[primary]] + offsets[:, 0],
            text_starts[places.articles[primary]] + offsets[:, 1],
            contexts[primary],
            headings[primary],
            first_span,
            counts,
            places.keys[primary],
        ],
        axis=1,
    ).astype(np.int64)
    columns = Columns(
        texts=b"".join(strings.pieces),
        strings=np.asarray(strings.bounds, dtype=np.int64).reshape(-1, 2),
        articles=np.asarray(article_rows, dtype=np.int64).reshape(-1, len(ARTICLE_FIELDS)),
        passages=passages.reshape(-1, 7),
        spans=np.stack(
            [
                places.articles[spans],
                places.starts[spans],
                places.ends[spans],
                contexts[spans],
                headings[spans],
            ],
            axis=1,
        )
        .astype(np.int64)
        .reshape(-1, 5),
    )
    return columns, places.earlier[primary].astype(np.int64)


def _strings_of(
    refs: np.ndarray, strings: _Strings, fresh: Sequence[str], previous: Columns | None
) -> np.ndarray:
    """``refs`` (see ``Places``) as numbers of ``strings``, adding the strings they name."""
    numbers = np.full(len(refs), -1, dtype=np.int64)
    old = refs >= 0
    if previous is not None and old.any():
        used, back = np.unique(refs[old], return_inverse=True)
        bounds = previous.strings[used].tolist()
        texts = previous.texts
        mapped = [strings.add_bytes(bytes(texts[s:e])) for s, e in bounds]
        numbers[old] = np.asarray(mapped, dtype=np.int64)[back.reshape(-1)]
    new = refs <= -2
    if new.any():
        used, back = np.unique(-refs[new] - 2, return_inverse=True)
        mapped = [strings.add(fresh[i]) for i in used.tolist()]
        numbers[new] = np.asarray(mapped, dtype=np.int64)[back.reshape(-1)]
    return numbers


def _byte_offsets(places: Places, rows: np.ndarray, encoded: Sequence[bytes]) -> np.ndarray:
    """The first and end byte of places ``rows`` in their article's UTF-8 text (``encoded``,
    by article number): as ``places`` knows them, else from the characters (the same in an
    ASCII text)."""
    offsets = places.offsets[rows].copy()
    unknown = np.flatnonzero(offsets[:, 0] < 0)
    if not len(unknown):
        return offsets
    numbers = places.articles[rows[unknown]]
    cuts = np.flatnonzero(np.diff(numbers)) + 1
    for group in np.split(unknown, cuts):
        number = int(places.articles[rows[group[0]]])
        # Decoded from the bytes: an unchanged article's text is not read from the store.
        text = encoded[number].decode("utf-8")
        chars = np.stack([places.starts[rows[group]], places.ends[rows[group]]], axis=1)
        if len(encoded[number]) == len(text):
            offsets[group] = chars
            continue
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        widths = 1 + (points >= 0x80) + (points >= 0x800) + (points >= 0x10000)
        table = np.zeros(len(points) + 1, dtype=np.int64)
        np.cumsum(widths, out=table[1:])
        offsets[group] = table[chars]
    return offsets
