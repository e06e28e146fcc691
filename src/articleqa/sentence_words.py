"""A passage's sentences and their BM25 terms, computed once when a snapshot is built.

The searcher needs, for every candidate passage, where its sentences are and which terms each
holds (to score sentences and check subjects). Split and stemmed per question they were the
largest part of a first ask at 200 k passages (BENCHMARKS.md, "Scale, fourth pass"); they
depend on the passage text and this code only, so a build stores them beside the sentence
vectors, row for row, and the searcher reads them instead.

Files, one pair per sentence-vector file ``NAME.npy`` (same rows, so the same index finds them)::

    NAME.words.npy  (sentences, 3) int32/int64: first and end character of the sentence in its
                    passage, and the end byte of its terms in NAME.terms.bin (the start is
                    the previous row's end; 0 for the first row); or, where sentences repeat
                    (snapshot format 4), (sentences, 4): the span, then the first and end byte
                    of its terms, a repeated sentence's terms being stored once
    NAME.terms.bin  UTF-8: each sentence's distinct terms, sorted, separated by NUL

A repeated sentence has the same vector row (its ``.rows.npy`` map, sentence_files.py) and the
same terms: with four columns its terms are written once, as its vector is. Code of format 3
finds four columns, does not use the file and computes the words it needs (answers unchanged).

Stored words are used only by code whose splitting and stemming rules are the ones they were
made with (``rules_fingerprint``, recorded in the manifest); other code computes them.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from articleqa.arrays import load_array
from articleqa.file_slices import FileSlices
from articleqa.lexical import terms, tokenizing_fingerprint
from articleqa.passages import Span, passage_sentences, splitting_fingerprint

logger = logging.getLogger(__name__)

# The manifest's record of the rules a snapshot was built with (``rules_fingerprint``): a later
# build reuses its BM25 segments and sentence rows, and a searcher its sentence words, only
# under the same rules.
RULES_KEY = "rules"
WORDS_SUFFIX = ".words.npy"
TERMS_SUFFIX = ".terms.bin"
_SEPARATOR = "\x00"  # no term holds it (terms are runs of word characters)
_SEPARATOR_BYTE = _SEPARATOR.encode()
_READ_OVER = 4_096  # bytes between two pieces of terms read in one slice rather than two

SHARED_COLUMNS = 4  # a words file whose rows say where their terms start (format 4)

SentenceTerms = list[tuple[Span, frozenset[str]]]
_NONE: frozenset[str] = frozenset()


def _terms_of(held: bytes) -> frozenset[str]:
    return frozenset(held.decode("utf-8").split(_SEPARATOR)) if held else _NONE


@functools.cache
def rules_fingerprint() -> str:
    """A hash of the code that splits passages into sentences and words (the splitting module
    and the tokenizer, not the rest of the BM25 module)."""
    digest = hashlib.sha256(splitting_fingerprint().encode())
    digest.update(tokenizing_fingerprint().encode())
    return digest.hexdigest()[:16]


def sentence_terms(text: str) -> SentenceTerms:
    """A passage's sentences (offsets in ``text``) with the BM25 terms of each: what the
    searcher computes for a passage whose words are not stored."""
    return [
        (span, frozenset(terms(text[span.start : span.end]))) for span in passage_sentences(text)
    ]


def words_files(vectors_file: Path) -> tuple[Path, Path]:
    """The words and terms files that go with a sentence-vector file."""
    stem = vectors_file.name.removesuffix(".npy")
    return vectors_file.with_name(stem + WORDS_SUFFIX), vectors_file.with_name(stem + TERMS_SUFFIX)


@dataclass(frozen=True, slots=True, eq=False)
class SentenceWords:
    """The rows of one sentence-vector array: each sentence's span and terms."""

    # (sentences, 3): start, end, end of its terms in ``terms``; or (sentences, 4): start, end,
    # first and end byte of its terms (``shared``: terms stored once for repeated sentences)
    rows: np.ndarray
    terms: bytes | FileSlices  # UTF-8; the file when loaded (file_slices.py)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def shared(self) -> bool:
        """Whether each row says where its terms start (repeated sentences' terms shared)."""
        return self.rows.shape[1] == SHARED_COLUMNS

    def sentences(self, first: int, count: int) -> SentenceTerms:
        """Rows ``first`` .. ``first + count - 1`` as (span, terms)."""
        if count <= 0:
            return []
        if self.shared:
            return [
                (Span(start, end), _terms_of(self.terms[begin:terms_end]))
                for start, end, begin, terms_end in self.rows[first : first + count].tolist()
            ]
        rows = self.rows[first : first + count].tolist()
        begin = int(self.rows[first - 1][2]) if first else 0
        base = begin
        data = self.terms[begin : rows[-1][2]]
        found: SentenceTerms = []
        for start, end, terms_end in rows:
            found.append((Span(start, end), _terms_of(data[begin - base : terms_end - base])))
            begin = terms_end
        return found

    def joined_terms(self, runs: Sequence[tuple[int, int]]) -> list[bytes]:
        """For each of ``runs`` (first row, rows), the terms of its rows NUL-separated (a term
        of two sentences comes twice): many passages' words read in a few slices, each piece
        once however many rows share it, rather than a set a sentence."""
        at = [np.arange(first, first + count) for first, count in runs]
        if not runs or not sum(len(rows) for rows in at):
            return [b"" for _ in runs]
        begins, ends = self._bounds(np.concatenate(at))
        bounds = np.stack([begins, ends], axis=1).tolist()
        pieces = sorted({(begin, end) for begin, end in bounds})
        read: dict[tuple[int, int], bytes] = {}
        # Pieces lying close together are read as one slice and cut apart.
        first = 0
        while first < len(pieces):
            last, high = first, pieces[first][1]
            while last + 1 < len(pieces) and pieces[last + 1][0] - high <= _READ_OVER:
                last += 1
                high = max(high, pieces[last][1])
            low = pieces[first][0]
            data = bytes(self.terms[low:high])
            for begin, end in pieces[first : last + 1]:
                read[begin, end] = data[begin - low : end - low]
            first = last + 1
        joined: list[bytes] = []
        at_row = 0
        for _first, count in runs:
            held = (read[begin, end] for begin, end in bounds[at_row : at_row + count])
            joined.append(_SEPARATOR_BYTE.join(part for part in held if part))
            at_row += count
        return joined

    def _bounds(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Each row's (of ``rows``, else every row's) first and end byte in ``terms`` (int64):
        a shared file says both; otherwise a row's terms start where the previous row's end."""
        picked = slice(None) if rows is None else rows
        if self.shared:
            return (
                np.asarray(self.rows[picked, 2], dtype=np.int64),
                np.asarray(self.rows[picked, 3], dtype=np.int64),
            )
        ends = np.asarray(self.rows[picked, 2], dtype=np.int64)
        if rows is None:
            starts = np.zeros(len(ends), dtype=np.int64)
            starts[1:] = ends[:-1]
            return starts, ends
        # Only the rows asked for and those before them are read (a question's, at 1 M).
        before = np.asarray(self.rows[np.maximum(rows - 1, 0), 2], dtype=np.int64)
        return np.where(rows > 0, before, 0), ends

    def shared_by(self, stored: np.ndarray, row_map: np.ndarray) -> SentenceWords:
        """These words with the terms of each stored row written once: ``stored`` is the first
        row of each distinct sentence, ``row_map`` each row's number among them (the vector
        file's, indexer._distinct). Rows of one number hold the same sentence, so the same
        terms. These words as they are when that is not smaller: a fourth column costs bytes
        a sentence, and on real text few sentences repeat (BENCHMARKS.md, "Scale, eighth
        pass")."""
        starts, ends = self._bounds()
        first = np.asarray(stored, dtype=np.int64)
        sizes = ends[first] - starts[first]
        placed = np.zeros(len(first) + 1, dtype=np.int64)
        np.cumsum(sizes, out=placed[1:])
        size = int(placed[-1])
        wide = size >= 2**31 or (len(self.rows) > 0 and int(np.max(self.rows[:, :2])) >= 2**31)
        dtype = np.dtype(np.int64 if wide else np.int32)
        if size + len(self.rows) * SHARED_COLUMNS * dtype.itemsize >= (
            len(self.terms) + self.rows.nbytes
        ):
            return self
        data = b"".join(
            self.terms[begin:end]
            for begin, end in zip(starts[first].tolist(), ends[first].tolist(), strict=True)
        )
        numbers = np.asarray(row_map, dtype=np.int64)
        rows = np.empty((len(self.rows), SHARED_COLUMNS), dtype=dtype)
        rows[:, :2] = self.rows[:, :2]
        rows[:, 2] = placed[numbers]
        rows[:, 3] = placed[numbers + 1]
        return SentenceWords(rows, data)

    @classmethod
    def of(cls, passages: Sequence[SentenceTerms]) -> SentenceWords:
        """Every sentence of ``passages``, in order (the rows of their vectors)."""
        spans: list[tuple[int, int]] = []
        ends: list[int] = []
        parts: list[bytes] = []
        size = 0
        for sentences in passages:
            for span, found in sentences:
                data = _SEPARATOR.join(sorted(found)).encode("utf-8")
                parts.append(data)
                size += len(data)
                spans.append((span.start, span.end))
                ends.append(size)
        dtype = np.int32 if size < 2**31 and all(e < 2**31 for _, e in spans) else np.int64
        rows = np.zeros((len(spans), 3), dtype=dtype)
        if spans:
            rows[:, :2] = spans
            rows[:, 2] = ends
        return cls(rows, b"".join(parts))

    @classmethod
    def concatenate(cls, parts: Sequence[tuple[SentenceWords, int, int]]) -> SentenceWords:
        """Rows ``first`` .. ``first + count - 1`` of each part, one after the other."""
        rows: list[np.ndarray] = []
        data: list[bytes] = []
        size = 0
        for held, start, count in parts:
            if count <= 0:
                continue
            # Shared terms are copied out a row at a time: the joined rows hold their own.
            words, first = (
                (SentenceWords.of([held.sentences(start, count)]), 0)
                if held.shared
                else (held, start)
            )
            part = np.asarray(words.rows[first : first + count], dtype=np.int64).copy()
            begin = int(words.rows[first - 1][2]) if first else 0
            end = int(part[-1, 2])
            data.append(words.terms[begin:end])
            part[:, 2] += size - begin
            size += end - begin
            rows.append(part)
        joined = np.concatenate(rows) if rows else np.zeros((0, 3), dtype=np.int64)
        dtype = np.int32 if size < 2**31 and (not len(joined) or joined.max() < 2**31) else np.int64
        return cls(joined.astype(dtype), b"".join(data))

    def save(self, vectors_file: Path) -> None:
        words, terms_file = words_files(vectors_file)
        np.save(words, np.asarray(self.rows))
        data = self.terms
        terms_file.write_bytes(data if isinstance(data, bytes) else data[0 : len(data)])

    @classmethod
    def load(cls, vectors_file: Path, sentences: int) -> SentenceWords | None:
        """The words stored beside ``vectors_file``, mapped; None when there are none (a
        snapshot from before them) or they do not match its ``sentences`` rows."""
        words, terms_file = words_files(vectors_file)
        if not (words.is_file() and terms_file.is_file()):
            return None
        rows = load_array(words, mapped=True)
        size = terms_file.stat().st_size
        if rows.ndim != 2 or rows.shape[1] not in (3, SHARED_COLUMNS) or len(rows) != sentences:
            logger.warning("%s does not match its sentence vectors: not used", words.name)
            return None
        # The last row only: every row checked would read the whole file at every load.
        last = int(rows[-1, rows.shape[1] - 1]) if len(rows) else 0
        if len(rows) and (last > size if rows.shape[1] == SHARED_COLUMNS else last != size):
            logger.warning("%s does not match %s: not used", words.name, terms_file.name)
            return None
        # Plain arrays over the mapped pages: indexing an np.memmap makes another memmap
        # each time (records.py). The terms are read a slice at a time, not mapped: on real
        # text (few sentences repeat) they are a file as large as the article texts.
        return cls(np.asarray(rows), FileSlices(terms_file))
