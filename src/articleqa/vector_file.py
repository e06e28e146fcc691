"""A build's passage vectors in a file of float32 rows, read a chunk (or a sample) at a time.

At a million passages the vectors are 1.4 GiB of float32; held in memory beside what a full
build already holds they were the highest point of its memory (BENCHMARKS.md, "Scale, sixth
pass"). Written to a file in the snapshot's staging folder and read back with ``readinto``
(not mapped: mapped pages once read count in the process's RSS until it unmaps them), the
build holds one chunk of them at a time; the page cache holds the rest, outside the process.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from articleqa.errors import StorageError

FLOAT = np.dtype(np.float32)


@dataclass(frozen=True, slots=True)
class VectorFile:
    """``count`` float32 rows of ``dimension`` values at ``path``, row after row, no header."""

    path: Path
    count: int
    dimension: int

    @classmethod
    def write(cls, path: Path, dimension: int, chunks: Iterable[np.ndarray]) -> VectorFile:
        """Rows of ``chunks`` (each ``(rows, dimension)``) appended in order to a new file."""
        count = 0
        try:
            with open(path, "wb") as handle:
                for chunk in chunks:
                    rows = np.ascontiguousarray(chunk, dtype=FLOAT).reshape(-1, dimension)
                    handle.write(rows.tobytes())
                    count += len(rows)
        except OSError as exc:
            raise StorageError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return cls(path, count, dimension)

    def __len__(self) -> int:
        return self.count

    @property
    def shape(self) -> tuple[int, int]:
        return (self.count, self.dimension)

    @property
    def row_bytes(self) -> int:
        return self.dimension * FLOAT.itemsize

    def read(self, start: int, end: int) -> np.ndarray:
        """Rows ``start`` .. ``end - 1``, a new array."""
        end = min(end, self.count)
        rows = np.empty((max(0, end - start), self.dimension), dtype=FLOAT)
        if len(rows):
            with open(self.path, "rb") as handle:
                handle.seek(start * self.row_bytes)
                _read_exactly(handle, rows.data.cast("B"), self.path)
        return rows

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The rows numbered ``rows`` (ascending), in that order: each read where it is."""
        taken = np.empty((len(rows), self.dimension), dtype=FLOAT)
        size = self.row_bytes
        view = taken.data.cast("B")
        fd = os.open(self.path, os.O_RDONLY)
        try:
            for at, row in enumerate(np.asarray(rows, dtype=np.int64).tolist()):
                got = os.preadv(fd, [view[at * size : (at + 1) * size]], row * size)
                if got != size:
                    raise StorageError(f"{self.path} ends before row {row}")
        finally:
            os.close(fd)
        return taken

    def chunks(self, size: int) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, rows) of every ``size`` rows in order."""
        for start in range(0, self.count, size):
            yield start, self.read(start, start + size)

    def load(self) -> np.ndarray:
        """Every row at once (what an index that is the vectors themselves needs)."""
        return self.read(0, self.count)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _read_exactly(handle: io.BufferedReader, target: memoryview, path: Path) -> None:
    done = 0
    while done < len(target):
        got = handle.readinto(target[done:])
        if not got:
            raise StorageError(f"{path} is shorter than its rows")
        done += got
