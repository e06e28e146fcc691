"""Article texts compressed in blocks read back as the bytes they were."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest

from articleqa import records, text_blocks
from articleqa.errors import SnapshotCorrupt
from articleqa.records import Records, build_columns, load_columns, write_columns
from articleqa.text_blocks import BlockTexts, write_blocks
from tests.test_records import ARTICLES, PASSAGES


def _blocks(data: bytes) -> BlockTexts:
    handle = io.BytesIO()
    table = write_blocks(handle, data)
    return BlockTexts(handle.getvalue(), table)


@pytest.mark.parametrize("size", [0, 1, 100, 2 * 1024 - 1, 2 * 1024, 10_000])
def test_every_slice_reads_the_bytes_written(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    # Small blocks, so that slices start, end and run across block ends.
    monkeypatch.setattr(text_blocks, "BLOCK", 1024)
    rng = random.Random(size)
    data = "".join(rng.choice("ab é€\n") for _ in range(size)).encode()[:size]
    texts = _blocks(data)
    assert len(texts) == len(data) and texts.check()
    cuts = [0, 1, 1023, 1024, 1025, 2047, 2048, size // 2, size - 1, size]
    for start in cuts:
        for end in cuts:
            assert texts[start:end] == data[start:end]
    assert texts[:] == data
    with pytest.raises(ValueError, match="contiguous"):
        texts[0:10:2]


def test_a_table_that_does_not_fit_its_file_is_refused() -> None:
    handle = io.BytesIO()
    table = write_blocks(handle, b"x" * (3 * text_blocks.BLOCK + 5))
    assert BlockTexts(handle.getvalue(), table).check()
    assert not BlockTexts(handle.getvalue()[:-1], table).check()  # cut short
    shifted = table.copy()
    shifted[1, 1] += 1  # a block longer than the others
    assert not BlockTexts(handle.getvalue(), shifted).check()


def test_columns_of_format_4_are_compressed_and_those_of_format_3_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_blocks, "BLOCK", 64)  # the records' texts span several blocks
    columns = build_columns(PASSAGES, ARTICLES)
    write_columns(tmp_path, columns)
    assert not (tmp_path / records.TEXTS).exists()
    loaded = load_columns(tmp_path)
    assert isinstance(loaded.texts, BlockTexts)
    assert list(Records.of(loaded).passages) == PASSAGES
    assert list(Records.of(loaded).articles.values()) == ARTICLES

    # As format 3 wrote them: texts.bin, as it is.
    (tmp_path / records.COMPRESSED).unlink()
    (tmp_path / records.BLOCKS).unlink()
    assert isinstance(columns.texts, bytes)
    (tmp_path / records.TEXTS).write_bytes(columns.texts)
    old = load_columns(tmp_path)
    assert not isinstance(old.texts, BlockTexts)
    assert list(Records.of(old).passages) == PASSAGES

    # A block table that does not fit its file: a corrupt snapshot.
    write_columns(tmp_path, columns)
    table = np.load(tmp_path / records.BLOCKS)
    table[-1, 0] += 1
    np.save(tmp_path / records.BLOCKS, table)
    with pytest.raises(SnapshotCorrupt, match="does not fit"):
        load_columns(tmp_path)
