"""A snapshot's article texts compressed a block at a time, read back a slice at a time.

``texts.bin`` (records.py) held every article's UTF-8 text as it is: at a million passages the
largest file of a snapshot (BENCHMARKS.md, "Scale, seventh pass"). Snapshot format 4 writes it
compressed in blocks of ``BLOCK`` bytes instead, each block on its own (zlib), so a passage's
text is read by decompressing the one or two blocks that hold it, not the whole file. A block
decompressed is kept (``CACHED_BLOCKS``): a question reads the passages and articles of a few
candidates, most of them more than once.

Files (in the snapshot folder)::

    texts.z           each block's zlib stream, one after the other
    texts.blocks.npy  (blocks + 1, 2) int64: each block's first byte in texts.z and in the
                      text; the last row, the ends of both

Code of format 3 finds no texts.bin in such a snapshot and does not load it.
"""

from __future__ import annotations

import functools
import logging
import mmap
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from articleqa.arrays import load_array

logger = logging.getLogger(__name__)

COMPRESSED = "texts.z"
BLOCKS = "texts.blocks.npy"
# 16 KiB: 0.43 of the synthetic corpus's texts at zlib's default level, where 4 KiB blocks
# keep more (the passages' text is read a block at a time, so a smaller block decompresses
# faster but compresses less).
BLOCK = 16 * 1024
LEVEL = 6
# Decompressed blocks kept by a loaded snapshot: 8 MiB.
CACHED_BLOCKS = 512


def write_blocks(handle: BinaryIO, data: bytes | mmap.mmap) -> np.ndarray:
    """Write ``data`` compressed a block at a time to ``handle``; the block table to save."""
    view = memoryview(data)
    blocks = -(-len(view) // BLOCK)
    table = np.zeros((blocks + 1, 2), dtype=np.int64)
    written = 0
    for number in range(blocks):
        packed = zlib.compress(view[number * BLOCK : (number + 1) * BLOCK], LEVEL)
        handle.write(packed)
        written += len(packed)
        table[number + 1] = (written, min((number + 1) * BLOCK, len(view)))
    return table


class BlockTexts:
    """The text of ``texts.z`` as bytes sliced (``texts[start:end]``) and measured (``len``)."""

    def __init__(self, data: bytes | mmap.mmap, table: np.ndarray) -> None:
        self._data = data
        self._table = table
        self._size = int(table[-1, 1]) if len(table) else 0
        # The block size (the first block's): every block but the last is as long.
        self._block = int(table[1, 1]) if len(table) > 1 else BLOCK
        # Per instance: lru_cache is thread-safe and goes with the snapshot when it is dropped.
        self._decompressed = functools.lru_cache(maxsize=CACHED_BLOCKS)(self._decompress)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, part: slice) -> bytes:
        start, end, step = part.indices(self._size)
        if step != 1:
            raise ValueError("texts are read by contiguous slices")
        if end <= start:
            return b""
        first, last = start // self._block, (end - 1) // self._block
        if first == last:
            base = first * self._block
            return self._decompressed(first)[start - base : end - base]
        joined = b"".join(self._decompressed(n) for n in range(first, last + 1))
        base = first * self._block
        return joined[start - base : end - base]

    def _decompress(self, number: int) -> bytes:
        begin, end = (int(x) for x in self._table[number : number + 2, 0])
        return zlib.decompress(self._data[begin:end])

    def check(self) -> bool:
        """Whether the table fits the compressed file: blocks in order, inside it, each (but
        the last) ``BLOCK`` long."""
        table = self._table
        if table.ndim != 2 or table.shape[1] != 2 or not len(table) or table[0].any():
            return False
        if int(table[-1, 0]) != len(self._data):
            return False
        steps = np.diff(table, axis=0)
        return not len(steps) or (
            bool(np.all(steps[:, 0] > 0))
            and bool(np.all(steps[:-1, 1] == self._block))
            and 0 < int(steps[-1, 1]) <= self._block
        )


def load_blocks(folder: Path) -> BlockTexts | None:
    """The compressed texts in ``folder``, mapped; None where there are none (format 3)."""
    compressed = folder / COMPRESSED
    if not compressed.is_file():
        return None
    table = np.asarray(load_array(folder / BLOCKS, mapped=False))
    with open(compressed, "rb") as handle:
        size = handle.seek(0, 2)
        data: bytes | mmap.mmap = (
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        )
    return BlockTexts(data, table)
