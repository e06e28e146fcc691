"""A snapshot's byte files (article texts, sentence terms) read a slice at a time, not mapped.

Mapped, a page once touched counts in the server's RSS until the kernel takes it back, and on
this machine's kernel (ext4's large folios) a touch maps the whole folio around it, ~1 MB: a
few hundred questions' passages mapped nearly all of ``texts.bin`` (561 MB at a million
passages) into every server's RSS (BENCHMARKS.md, "Scale, eighth pass"). Read with ``pread``,
a slice costs one system call and is the process's only while it is used; the file's pages
stay in the page cache, shared, as before.
"""

from __future__ import annotations

import logging
import os
import weakref
from pathlib import Path

logger = logging.getLogger(__name__)


class FileSlices:
    """A file sliced like bytes (``data[start:end]``, ``len(data)``), each slice a ``pread``."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        self._size = os.fstat(self._fd).st_size
        # Closed when this object goes (with its snapshot); files never change once written.
        weakref.finalize(self, os.close, self._fd)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, part: slice) -> bytes:
        start, end, step = part.indices(self._size)
        if step != 1:
            raise ValueError("read by contiguous slices only")
        return os.pread(self._fd, max(0, end - start), start)
