"""Sentence-vector files: int8 rows, each with its float32 scale, written a chunk at a time.

A sentence vector is stored as int8 with one scale per row (``max |x| / 127``), in
``sentences-<id>.npy`` with the scales beside it in ``sentences-<id>.scales.npy`` (float32, one
a row); a question dequantises the rows of the passages it reads to float32. That is 388 bytes
a sentence of 384 dimensions against float16's 768 (issue 17), and the answers of
``articleqa eval`` on eval/realdocs and the SQuAD sample are the same (BENCHMARKS.md, "Scale,
fifth pass"). Files written before (float16, no scales) are read as they are.

A build writes the rows as they come (``SentenceFileWriter``), so it never holds every
sentence's vector at once; the files are byte for byte what ``np.save`` writes of the whole.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import BinaryIO

import numpy as np

logger = logging.getLogger(__name__)

SCALES_SUFFIX = ".scales.npy"
ROW_MAP_SUFFIX = ".rows.npy"
QUANTISED = np.dtype(np.int8)
LEGACY = np.dtype(np.float16)  # snapshots written before the int8 rows
_LEVELS = 127


def scales_file(vectors_file: Path) -> Path:
    """The scales file that goes with an int8 sentence-vector file."""
    return vectors_file.with_name(vectors_file.name.removesuffix(".npy") + SCALES_SUFFIX)


def row_map_file(vectors_file: Path) -> Path:
    """The row map that goes with a sentence-vector file whose sentences repeat: each
    sentence's stored row (``SentenceVectors.maps``); absent where sentence n is row n."""
    return vectors_file.with_name(vectors_file.name.removesuffix(".npy") + ROW_MAP_SUFFIX)


def row_map_dtype(rows: int) -> np.dtype:
    return np.dtype(np.int32 if rows < 2**31 else np.int64)


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 rows, float32 scales): each row divided by its ``max |x| / 127`` and rounded; an
    all-zero row has scale 0."""
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"expected a matrix of vectors, not shape {x.shape}")
    if x.shape[1] == 0:
        return np.zeros(x.shape, dtype=QUANTISED), np.zeros(len(x), dtype=np.float32)
    scales = (np.abs(x).max(axis=1) / np.float32(_LEVELS)).astype(np.float32)
    divisor = np.where(scales > 0, scales, np.float32(1))
    rows = np.clip(np.rint(x / divisor[:, None]), -_LEVELS, _LEVELS).astype(QUANTISED)
    return rows, scales


def dequantise(rows: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """float32 vectors of int8 ``rows`` and their ``scales``."""
    return np.asarray(rows, dtype=np.float32) * np.asarray(scales, dtype=np.float32)[:, None]


def save_quantised(
    path: Path, rows: np.ndarray, scales: np.ndarray, row_map: np.ndarray | None = None
) -> None:
    """Write int8 ``rows`` to ``path``, their scales and (if any) their row map beside it."""
    np.save(path, np.asarray(rows, dtype=QUANTISED))
    np.save(scales_file(path), np.asarray(scales, dtype=np.float32))
    if row_map is not None:
        np.save(row_map_file(path), np.asarray(row_map, dtype=row_map_dtype(len(rows))))


class SentenceFileWriter:
    """Writes one int8 sentence-vector file and its scales a chunk at a time (``append``);
    ``close`` fills in the row count.

    The ``.npy`` header leaves room for any row count (numpy pads it so that a growing array's
    header can be rewritten in place), so the files are those ``save_quantised`` writes of the
    whole.
    """

    def __init__(self, path: Path, dimension: int) -> None:
        self.path = path
        self.dimension = dimension
        self.rows = 0
        self._handles: list[BinaryIO] = []
        try:
            self._vectors = self._open(path)
            self._scales = self._open(scales_file(path))
            self._headers = self._write_headers()
        except BaseException:
            self._close_handles()
            raise

    def _open(self, path: Path) -> BinaryIO:
        handle = open(path, "wb")  # noqa: SIM115 - closed by close()
        self._handles.append(handle)
        return handle

    def _write_headers(self) -> tuple[int, int]:
        """Write (or write again) both arrays' headers for the rows so far; their lengths."""
        ends = []
        for handle, dtype, shape in (
            (self._vectors, QUANTISED, (self.rows, self.dimension)),
            (self._scales, np.dtype(np.float32), (self.rows,)),
        ):
            handle.seek(0)
            header = {"descr": dtype.str, "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_1_0(handle, header)
            ends.append(handle.tell())
            handle.seek(0, os.SEEK_END)
        return ends[0], ends[1]

    def append(self, vectors: np.ndarray) -> None:
        """Quantise and write ``vectors`` (a row a sentence)."""
        rows, scales = quantise(np.asarray(vectors).reshape(-1, self.dimension))
        self._vectors.write(rows.tobytes())
        self._scales.write(scales.tobytes())
        self.rows += len(rows)

    def close(self) -> None:
        """Fill in the row counts; the files are complete."""
        try:
            if self._write_headers() != self._headers:
                raise AssertionError("an .npy header changed size")
        finally:
            self._close_handles()

    def _close_handles(self) -> None:
        for handle in self._handles:
            handle.close()
