"""4-bit codes of each vector's residual to its IVF list's centroid: the first re-ranking of an
IVF shortlist, before the best of it are scored by the vectors themselves (``vector_index``).

A vector ``x`` in list ``l`` is stored as ``round((x - c_l) / s)`` in -7..7, two dimensions a
byte, with ``s = max |x - c_l| / 7`` kept per vector. The residual is about two thirds of the
vector's norm (the scale corpus at 1 M), so its codes are finer than codes of the vector would
be; they need only keep the true neighbours among the first few dozen of a shortlist, which
the vectors then order (BENCHMARKS.md, "Scale, fourteenth pass"). A vector's list is read from
the index, not stored: the codes are numbered as the IVF numbers its vectors (in the order they
were added).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from articleqa.arrays import load_array
from articleqa.errors import StorageError

logger = logging.getLogger(__name__)

LEVELS = 7
# A nibble holds a code plus this (0..14): no sign bits to extend when unpacked.
_OFFSET = 8
CODES_FILE = "vectors.codes.npy"
SCALES_FILE = "vectors.scales.npy"
# Rows encoded at a time: a chunk's residuals are float32 (96 MiB at 384 dimensions).
ENCODE_CHUNK = 64 * 1024


def lists_of(ivf: Any) -> np.ndarray:
    """The list each vector of ``ivf`` is in, by the IVF's own number for it (int32)."""
    lists = np.full(ivf.ntotal, -1, dtype=np.int32)
    invlists = ivf.invlists
    for number in range(ivf.nlist):
        size = invlists.list_size(number)
        if size:
            ids = faiss.rev_swig_ptr(invlists.get_ids(number), size)
            lists[np.asarray(ids)] = number
    return lists


def encode(
    vectors: np.ndarray, lists: np.ndarray, centroids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(packed codes, scales) of ``vectors`` in ``lists`` (rows of ``centroids``)."""
    residuals = np.asarray(vectors, dtype=np.float32) - centroids[lists]
    if residuals.shape[1] % 2:
        residuals = np.pad(residuals, ((0, 0), (0, 1)))
    scales = (np.abs(residuals).max(axis=1, initial=0.0) / np.float32(LEVELS)).astype(np.float32)
    divisor = np.where(scales > 0, scales, np.float32(1))
    codes = np.clip(np.rint(residuals / divisor[:, None]), -LEVELS, LEVELS).astype(np.int16)
    codes += _OFFSET
    packed = (codes[:, 0::2] | (codes[:, 1::2] << 4)).astype(np.uint8)
    return packed, scales


@dataclass(frozen=True, slots=True)
class ResidualCodes:
    """The codes of an IVF's vectors, row ``i`` that of the vector the IVF numbers ``i``."""

    packed: np.ndarray  # (vectors, ceil(d / 2)) uint8: even dimensions low, odd high
    scales: np.ndarray  # (vectors,) float32
    lists: np.ndarray  # (vectors,) int32: each vector's list (from the index)
    centroids: np.ndarray  # (lists, d) float32: the IVF's coarse centroids

    @classmethod
    def of(cls, ivf: Any, vectors_in_order: Any) -> ResidualCodes:
        """Codes of every vector of ``ivf``; ``vectors_in_order`` yields ``(first row, rows)``
        chunks in the order they were added."""
        centroids = _centroids(ivf)
        lists = lists_of(ivf)
        packed = np.empty((ivf.ntotal, (ivf.d + 1) // 2), dtype=np.uint8)
        scales = np.empty(ivf.ntotal, dtype=np.float32)
        for start, rows in vectors_in_order:
            for at in range(0, len(rows), ENCODE_CHUNK):
                part = rows[at : at + ENCODE_CHUNK]
                first = start + at
                span = slice(first, first + len(part))
                packed[span], scales[span] = encode(part, lists[span], centroids)
        return cls(packed, scales, lists, centroids)

    def extended(self, ivf: Any, vectors: np.ndarray) -> ResidualCodes:
        """These codes and those of ``vectors``, just added to ``ivf`` (numbered after them)."""
        lists = lists_of(ivf)
        added = lists[len(self.packed) :]
        packed, scales = encode(vectors, added, self.centroids)
        return ResidualCodes(
            np.concatenate([self.packed, packed]),
            np.concatenate([self.scales, scales]),
            lists,
            self.centroids,
        )

    def scores(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Approximate inner products of ``query`` with the vectors numbered ``rows``."""
        lists = self.lists[rows]
        near, where = np.unique(lists, return_inverse=True)
        base = dot_rows(self.centroids[near], query)[where]
        packed = self.packed[rows]
        even, odd = _halves(query, packed.shape[1])
        # A byte b holds low + 16 high: low.even + high.odd = b.even + high.(odd - 16 even), one
        # mask fewer; and the offset comes off once per row: sum((c - 8) q) = sum(c q) - 8 sum(q).
        whole = packed.astype(np.float32)
        high = (packed >> 4).astype(np.float32)
        shift = _OFFSET * (float(even.sum()) + float(odd.sum()))
        codes = dot_rows(whole, even) + dot_rows(high, odd - 16 * even)
        return base + self.scales[rows] * (codes - shift)

    def decode(self, rows: np.ndarray) -> np.ndarray:
        """The vectors numbered ``rows`` as the codes give them back."""
        packed = self.packed[rows]
        codes = np.empty((len(rows), packed.shape[1] * 2), dtype=np.float32)
        codes[:, 0::2] = (packed & 0x0F).astype(np.float32) - _OFFSET
        codes[:, 1::2] = (packed >> 4).astype(np.float32) - _OFFSET
        dimension = self.centroids.shape[1]
        residuals = codes[:, :dimension] * self.scales[rows][:, None]
        return residuals + self.centroids[self.lists[rows]]

    def save(self, folder: Path) -> None:
        try:
            np.save(folder / CODES_FILE, self.packed)
            np.save(folder / SCALES_FILE, self.scales)
        except OSError as exc:
            raise StorageError(f"cannot write {folder}: {exc.strerror or exc}") from exc

    @classmethod
    def load(cls, folder: Path, ivf: Any) -> ResidualCodes:
        """The codes saved in ``folder`` of the vectors of ``ivf`` (mapped, not read)."""
        packed = load_array(folder / CODES_FILE, mapped=True)
        scales = load_array(folder / SCALES_FILE, mapped=True)
        if len(packed) != ivf.ntotal or len(scales) != ivf.ntotal:
            raise ValueError(f"{len(packed)} residual codes for {ivf.ntotal} vectors")
        centroids = _centroids(ivf)
        # Plain arrays over the mapped pages: rows picked from an np.memmap are another memmap.
        return cls(np.asarray(packed), np.asarray(scales), lists_of(ivf), centroids)


def _centroids(ivf: Any) -> np.ndarray:
    """The IVF's coarse centroids (none before it is trained)."""
    trained = ivf.quantizer.ntotal
    if not trained:
        return np.zeros((0, ivf.d), dtype=np.float32)
    return np.asarray(ivf.quantizer.reconstruct_n(0, trained), dtype=np.float32)


def dot_rows(rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``rows @ vector`` on the calling thread: OpenBLAS shares a product of more than 9,216
    values among its threads, which then spin between searches; at 1 M that doubled the CPU of
    a search (4.1 -> 9.5-13 ms) and slowed it (BENCHMARKS.md, "Scale, fourteenth pass")."""
    return np.einsum("ij,j->i", rows, vector)


def saved_in(folder: Path) -> bool:
    return (folder / CODES_FILE).is_file()


def _halves(query: np.ndarray, pairs: int) -> tuple[np.ndarray, np.ndarray]:
    padded = np.zeros(pairs * 2, dtype=np.float32)
    padded[: len(query)] = query
    return padded[0::2], padded[1::2]
