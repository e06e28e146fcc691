"""A BM25 segment's document numbers stored as one-byte gaps, decoded a term at a time.

``docs.npy`` held each posting's document number as int32: ~240 MiB at a million passages,
the most of a segment (BENCHMARKS.md, "Scale, eighth pass"). Within a term the numbers
ascend, so each is stored as its gap from the one before (the first as its number + 1, so
that every gap is at least 1), in a byte. A gap that does not fit a byte is stored as 0 there
and in full, in posting order, in ``escapes``; ``escape_starts`` says where each term's
escapes begin. At a million passages 98 % of the gaps fit ("Scale, ninth pass"): 1 byte a
posting plus 4 an escape. A question decodes only its terms' postings (a running sum).

Files (in the segment's folder; snapshot format 5, older segments hold ``docs.npy``)::

    gaps.npy           uint8, one per posting (in the order of docs.npy)
    escapes.npy        uint32: the gaps that do not fit a byte, in posting order
    escape_starts.npy  int64, one more than the terms: term t's escapes are [t, t+1)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

GAPS = "gaps.npy"
ESCAPES = "escapes.npy"
ESCAPE_STARTS = "escape_starts.npy"
FILES = (GAPS, ESCAPES, ESCAPE_STARTS)
ESCAPED = 0  # never a gap: gaps are at least 1
_WIDEST = np.iinfo(np.uint8).max
ENCODE_CHUNK = 1 << 22  # postings (32 MB of int64 gaps at a time)


@dataclass(frozen=True, slots=True, eq=False)
class GapDocs:
    """The document numbers of every term's postings, as gaps (module docstring)."""

    indptr: np.ndarray  # the segment's: term t's postings are [t, t+1)
    gaps: np.ndarray
    escapes: np.ndarray
    escape_starts: np.ndarray

    @classmethod
    def encode(cls, indptr: np.ndarray, docs: np.ndarray) -> GapDocs:
        """The gaps of ``docs`` (ascending within each term of ``indptr``), worked out a chunk
        of postings at a time: a build writes its segment with every other array in memory."""
        indptr = np.asarray(indptr, dtype=np.int64)
        firsts = indptr[:-1][np.diff(indptr) > 0]  # where each term's postings begin
        stored = np.empty(len(docs), dtype=np.uint8)
        escapes: list[np.ndarray] = []
        positions: list[np.ndarray] = []
        for start in range(0, len(docs), ENCODE_CHUNK):
            end = min(start + ENCODE_CHUNK, len(docs))
            numbers = np.asarray(docs[max(0, start - 1) : end], dtype=np.int64)
            gaps = (
                np.diff(numbers) if start else np.concatenate((numbers[:1] + 1, np.diff(numbers)))
            )
            begins = firsts[(firsts >= start) & (firsts < end)]
            gaps[begins - start] = np.asarray(docs[begins], dtype=np.int64) + 1
            if len(gaps) and int(gaps.min()) < 1:
                raise ValueError("document numbers do not ascend within a term")
            wide = np.flatnonzero(gaps > _WIDEST)
            stored[start:end] = gaps  # the wide ones' low bytes, overwritten below
            stored[start + wide] = ESCAPED
            escapes.append(gaps[wide].astype(np.uint32))
            positions.append(start + wide)
        escaped_at = np.concatenate(positions) if positions else np.zeros(0, dtype=np.int64)
        return cls(
            indptr=indptr,
            gaps=stored,
            escapes=np.concatenate(escapes) if escapes else np.zeros(0, dtype=np.uint32),
            # Each term's first escape: how many escapes lie before its first posting.
            escape_starts=np.searchsorted(escaped_at, indptr).astype(np.int64),
        )

    def term(self, column: int) -> np.ndarray:
        """The document numbers of term ``column``'s postings, as int64: they index the
        segment's arrays next, which int32 numbers (docs.npy's) would first be converted for,
        once per array (so decoding costs ~nothing more than reading docs.npy did)."""
        start, end = int(self.indptr[column]), int(self.indptr[column + 1])
        stored = self.gaps[start:end]
        first, last = int(self.escape_starts[column]), int(self.escape_starts[column + 1])
        numbers = stored.astype(np.int64)
        # Most terms have no escapes: then only a check that no mark goes unread.
        if last > first or not stored.all():
            # Marks and escapes that disagree raise here.
            numbers[stored == ESCAPED] = self.escapes[first:last]
        if len(numbers):
            numbers[0] -= 1  # the first gap is the number + 1
        np.add.accumulate(numbers, out=numbers)
        return numbers

    def every(self) -> np.ndarray:
        """Every posting's int32 document number, in posting order (as docs.npy held them)."""
        gaps = np.asarray(self.gaps, dtype=np.int64)
        gaps[gaps == ESCAPED] = self.escapes
        running = np.cumsum(gaps)
        # Each term's numbers are its running sum less the sum before its first posting.
        counts = np.diff(self.indptr)
        before = np.concatenate(([0], running))[self.indptr[:-1]]
        return (running - np.repeat(before, counts) - 1).astype(np.int32)

    def check(self) -> bool:
        """Whether the arrays fit together (without reading the gaps: read, every page would
        stay in the server's RSS; a term whose marks and escapes disagree raises when read)."""
        indptr, starts = self.indptr, self.escape_starts
        return (
            len(starts) == len(indptr)
            and int(indptr[-1]) == len(self.gaps)
            and int(starts[-1]) == len(self.escapes)
            and bool(np.all(np.diff(starts) >= 0))
        )
