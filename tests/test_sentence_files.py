"""int8 sentence rows with a scale each: the round trip, and files written a chunk at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from articleqa.sentence_files import (
    SentenceFileWriter,
    dequantise,
    quantise,
    save_quantised,
    scales_file,
)

DIMENSION = 384


def _vectors(count: int, seed: int = 7) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_int8_rows_come_back_within_half_a_step_of_each_row() -> None:
    vectors = _vectors(300)
    vectors[5] = 0  # a row of zeros has scale 0 and comes back as zeros

    rows, scales = quantise(vectors)
    back = dequantise(rows, scales)

    assert rows.dtype == np.int8 and scales.dtype == np.float32
    assert rows.shape == vectors.shape and scales.shape == (len(vectors),)
    step = np.abs(vectors).max(axis=1) / 127
    assert np.all(np.abs(back - vectors) <= step[:, None] / 2 + 1e-7)
    # Each row uses the whole range: its largest value is +-127.
    nonzero = np.flatnonzero(step)
    assert np.all(np.abs(rows[nonzero].astype(np.int16)).max(axis=1) == 127)
    assert scales[5] == 0 and not back[5].any()
    # Unit vectors stay nearly unit, and their dot products nearly what they were.
    assert np.allclose(np.linalg.norm(back[nonzero], axis=1), 1, atol=5e-3)
    query = _vectors(1, seed=8)[0]
    assert np.allclose(back @ query, vectors @ query, atol=5e-3)


def test_saved_rows_read_back_as_they_were(tmp_path: Path) -> None:
    rows, scales = quantise(_vectors(10))
    save_quantised(tmp_path / "sentences-x.npy", rows, scales)

    assert np.array_equal(np.load(tmp_path / "sentences-x.npy"), rows)
    assert scales_file(tmp_path / "sentences-x.npy").name == "sentences-x.scales.npy"
    assert np.array_equal(np.load(tmp_path / "sentences-x.scales.npy"), scales)


@pytest.mark.parametrize("chunk", [1, 7, 300, 1000])
def test_a_file_written_a_chunk_at_a_time_is_the_file_saved_whole(
    tmp_path: Path, chunk: int
) -> None:
    vectors = _vectors(300)
    save_quantised(tmp_path / "whole.npy", *quantise(vectors))

    writer = SentenceFileWriter(tmp_path / "chunks.npy", DIMENSION)
    for start in range(0, len(vectors), chunk):
        writer.append(vectors[start : start + chunk])
    writer.close()

    assert writer.rows == 300
    assert (tmp_path / "chunks.npy").read_bytes() == (tmp_path / "whole.npy").read_bytes()
    assert (tmp_path / "chunks.scales.npy").read_bytes() == (
        tmp_path / "whole.scales.npy"
    ).read_bytes()


def test_a_file_of_no_rows_is_the_empty_array_saved(tmp_path: Path) -> None:
    save_quantised(tmp_path / "whole.npy", *quantise(np.zeros((0, DIMENSION), np.float32)))
    writer = SentenceFileWriter(tmp_path / "none.npy", DIMENSION)
    writer.close()

    assert (tmp_path / "none.npy").read_bytes() == (tmp_path / "whole.npy").read_bytes()
    assert np.load(tmp_path / "none.npy").shape == (0, DIMENSION)
