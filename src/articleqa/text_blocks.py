"""A snapshot's article texts compressed a block at a time (zstd), read back a slice at a time.

``texts.bin`` (records.py) held every article's UTF-8 text as it is: at a million passages the
largest file of a snapshot (561 MiB, BENCHMARKS.md "Scale, eighth pass"). Snapshot format 5
writes it in blocks of ``BLOCK`` bytes instead, each compressed on its own, so a passage's text
is read by decompressing the one or two blocks that hold it, not the whole file. zstd, not
zlib: a question reads ~100 text slices, most of them cold, and zlib's ~130-315 µs a block made
first asks 1.0-1.9x slower; zstd decompresses an 8 KiB block in ~2-10 µs ("Scale, ninth pass").
Small blocks compress worse on their own, so where the texts are large enough for it to pay, a
dictionary trained on a sample of the blocks is stored beside them and used for every block.

Files (in the snapshot folder)::

    texts.zst         each block's zstd frame, one after the other
    texts.blocks.npy  (blocks + 1, 2) int64: each block's first byte in texts.zst and in the
                      text; the last row, the ends of both
    texts.dict        the zstd dictionary every block was compressed with (absent: none)

Code of format 4 finds no texts.bin in such a snapshot and does not load it.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import BinaryIO, Protocol

import numpy as np
import zstandard

logger = logging.getLogger(__name__)

COMPRESSED = "texts.zst"
BLOCKS = "texts.blocks.npy"
DICTIONARY = "texts.dict"
BLOCK = 8 * 1024
# Level 3 (zstd's default): every build compresses all the texts again (~5 s at a million
# passages); higher levels gained ~2 % of the size for 3-4x the time ("Scale, ninth pass").
LEVEL = 3
DICTIONARY_BYTES = 112_640  # zstd's own default dictionary size
# Blocks a dictionary is trained on (evenly spaced through the texts), and the fewest that
# make training worth trying: below, the dictionary would be most of what it saves.
TRAINING_BLOCKS = 4_000
MIN_TRAINING_BLOCKS = 200
# Decompressed blocks kept by a loaded snapshot (8 MiB): a question reads the passages of a
# few candidates more than once.
CACHED_BLOCKS = 1024


class Sliced(Protocol):
    """Bytes, or a file read by slices (file_slices.py)."""

    def __len__(self) -> int: ...

    def __getitem__(self, part: slice) -> bytes: ...


def train_dictionary(data: Sliced) -> bytes:
    """A zstd dictionary for ``data``'s blocks, or b"" when one would not make them smaller
    (too few blocks, or the sampled blocks compressed with it, plus the dictionary, are not
    smaller than without)."""
    blocks = -(-len(data) // BLOCK)
    if blocks < MIN_TRAINING_BLOCKS:
        return b""
    step = max(1, blocks // TRAINING_BLOCKS)
    samples: list[bytes | bytearray | memoryview] = [
        data[n * BLOCK : (n + 1) * BLOCK] for n in range(0, blocks, step)
    ]
    try:
        trained = zstandard.train_dictionary(DICTIONARY_BYTES, samples, level=LEVEL)
    except zstandard.ZstdError as exc:  # e.g. samples too alike or too few to learn from
        logger.info("no dictionary for the texts: %s", exc)
        return b""
    dictionary = trained.as_bytes()
    plain, primed = _compressor(b""), _compressor(dictionary)
    without = sum(len(plain.compress(s)) for s in samples)
    with_it = sum(len(primed.compress(s)) for s in samples)
    # The sample's saving, scaled to every block, against the dictionary's own bytes.
    if (without - with_it) * blocks / len(samples) <= len(dictionary):
        return b""
    return dictionary


def write_blocks(handle: BinaryIO, data: Sliced, dictionary: bytes = b"") -> np.ndarray:
    """Write ``data`` compressed a block at a time to ``handle``; the block table to save."""
    compressor = _compressor(dictionary)
    blocks = -(-len(data) // BLOCK)
    table = np.zeros((blocks + 1, 2), dtype=np.int64)
    written = 0
    for number in range(blocks):
        packed = compressor.compress(data[number * BLOCK : (number + 1) * BLOCK])
        handle.write(packed)
        written += len(packed)
        table[number + 1] = (written, min((number + 1) * BLOCK, len(data)))
    return table


def _compressor(dictionary: bytes) -> zstandard.ZstdCompressor:
    # No checksum (the manifest hashes every file) and no dictionary id (one per snapshot).
    return zstandard.ZstdCompressor(
        level=LEVEL,
        dict_data=zstandard.ZstdCompressionDict(dictionary) if dictionary else None,
        write_checksum=False,
        write_content_size=True,
        write_dict_id=False,
    )


class BlockTexts:
    """The text of ``texts.zst`` as bytes sliced (``texts[start:end]``) and measured (``len``)."""

    def __init__(self, data: Sliced, table: np.ndarray, dictionary: bytes = b"") -> None:
        self._data = data
        self._table = table
        # Each block's first byte in the compressed file, read by .item(): indexing the table
        # and converting made most of a cached block's read time.
        self._starts = np.ascontiguousarray(table[:, 0])
        self._size = int(table[-1, 1]) if len(table) else 0
        # The block size (the first block's): every block but the last is as long.
        self._block = int(table[1, 1]) if len(table) > 1 else BLOCK
        self._dictionary = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        # A decompressor holds a context that two threads must not use at once: one a thread.
        self._local = threading.local()
        # Per instance: lru_cache is thread-safe and goes with the snapshot when it is dropped.
        self._decompressed: Callable[[int], bytes] = functools.lru_cache(maxsize=CACHED_BLOCKS)(
            self._decompress
        )

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, part: slice) -> bytes:
        start, end, step = part.indices(self._size)
        if step != 1:
            raise ValueError("texts are read by contiguous slices")
        if end <= start:
            return b""
        first, last = start // self._block, (end - 1) // self._block
        base = first * self._block
        if first == last:
            return self._decompressed(first)[start - base : end - base]
        joined = b"".join(self._decompressed(n) for n in range(first, last + 1))
        return joined[start - base : end - base]

    def _decompress(self, number: int) -> bytes:
        begin, end = self._starts.item(number), self._starts.item(number + 1)
        decompressor = getattr(self._local, "decompressor", None)
        if decompressor is None:
            decompressor = self._local.decompressor = zstandard.ZstdDecompressor(
                dict_data=self._dictionary
            )
        block: bytes = decompressor.decompress(self._data[begin:end])
        return block

    def check(self) -> bool:
        """Whether the table fits the compressed file: blocks in order, inside it, each (but
        the last) as long as the first."""
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
