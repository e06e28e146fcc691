"""Article texts compressed in zstd blocks read back as the bytes they were."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest

from articleqa import records, text_blocks
from articleqa.errors import SnapshotCorrupt
from articleqa.file_slices import FileSlices
from articleqa.records import Records, build_columns, load_columns, write_columns
from articleqa.text_blocks import BlockTexts, train_dictionary, write_blocks
from tests.test_records import ARTICLES, PASSAGES


def _blocks(data: bytes, dictionary: bytes = b"") -> BlockTexts:
    handle = io.BytesIO()
    table = write_blocks(handle, data, dictionary)
    return BlockTexts(handle.getvalue(), table, dictionary)


def _text(size: int, seed: int) -> bytes:
    # Two-, three- and four-byte characters, so that block ends fall inside characters.
    rng = random.Random(seed)
    return "".join(rng.choice("ab é€😀\n") for _ in range(size)).encode()[:size]


@pytest.mark.parametrize("size", [0, 1, 100, 2 * 1024 - 1, 2 * 1024, 10_000])
def test_every_slice_reads_the_bytes_written(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    # Small blocks, so that slices start, end and run across block ends.
    monkeypatch.setattr(text_blocks, "BLOCK", 1024)
    data = _text(size, size)
    texts = _blocks(data)
    assert len(texts) == len(data) and texts.check()
    cuts = [0, 1, 1023, 1024, 1025, 2047, 2048, 3073, size // 2, size - 1, size]
    for start in cuts:
        for end in cuts:
            assert texts[start:end] == data[start:end]
    assert texts[:] == data
    with pytest.raises(ValueError, match="contiguous"):
        texts[0:10:2]


def test_characters_cut_by_a_block_end_decode_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_blocks, "BLOCK", 16)
    text = "Zürich 東京都 😀 naïve café " * 20
    data = text.encode()
    texts = _blocks(data)
    # Every character's slice, whichever blocks its bytes are in.
    at = 0
    for character in text:
        width = len(character.encode())
        assert texts[at : at + width].decode() == character
        at += width
    assert texts[3 : len(data) - 5] == data[3:-5]


def test_a_dictionary_is_trained_where_it_pays_and_read_back_with_the_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(text_blocks, "BLOCK", 1024)
    monkeypatch.setattr(text_blocks, "MIN_TRAINING_BLOCKS", 50)
    monkeypatch.setattr(text_blocks, "DICTIONARY_BYTES", 4096)
    rng = random.Random(3)
    sentences = [
        f"The {w} council met on {d} May to discuss the tram. ".encode()
        for w, d in ((rng.choice(["city", "harbour", "river", "county"]), n) for n in range(40))
    ]
    data = b"".join(rng.choice(sentences) for _ in range(3000))
    dictionary = train_dictionary(data)
    assert dictionary
    plain, primed = _blocks(data), _blocks(data, dictionary)
    assert primed.check() and primed[:] == data
    for start, end in (
        (0, 1),
        (1000, 1100),
        (1020, 1030),
        (5000, 9000),
        (len(data) - 3, len(data)),
    ):
        assert primed[start:end] == data[start:end]
    # Smaller with it than without, the dictionary's own bytes counted.
    assert int(primed._table[-1, 0]) + len(dictionary) < int(plain._table[-1, 0])
    # Too few blocks, or text a dictionary does not help: none.
    assert train_dictionary(data[: 10 * 1024]) == b""
    assert train_dictionary(np.random.default_rng(0).bytes(200 * 1024)) == b""


def test_a_table_that_does_not_fit_its_file_is_refused() -> None:
    handle = io.BytesIO()
    table = write_blocks(handle, b"x" * (3 * text_blocks.BLOCK + 5))
    assert BlockTexts(handle.getvalue(), table).check()
    assert not BlockTexts(handle.getvalue()[:-1], table).check()  # cut short
    shifted = table.copy()
    shifted[1, 1] += 1  # a block longer than the others
    assert not BlockTexts(handle.getvalue(), shifted).check()


def test_columns_of_format_5_are_compressed_and_those_of_format_4_still_read(
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

    # As format 4 wrote them: texts.bin, as it is.
    (tmp_path / records.COMPRESSED).unlink()
    (tmp_path / records.BLOCKS).unlink()
    assert isinstance(columns.texts, bytes)
    (tmp_path / records.TEXTS).write_bytes(columns.texts)
    old = load_columns(tmp_path)
    assert isinstance(old.texts, FileSlices)
    assert list(Records.of(old).passages) == PASSAGES
    assert list(Records.of(old).articles.values()) == ARTICLES
    # Written again (a build reusing what it loaded): compressed, the same texts.
    (tmp_path / "again").mkdir()
    write_columns(tmp_path / "again", old)
    assert load_columns(tmp_path / "again").texts[:] == columns.texts

    # A block table that does not fit its file: a corrupt snapshot.
    write_columns(tmp_path, columns)
    table = np.load(tmp_path / records.BLOCKS)
    table[-1, 0] += 1
    np.save(tmp_path / records.BLOCKS, table)
    with pytest.raises(SnapshotCorrupt, match="does not fit"):
        load_columns(tmp_path)
