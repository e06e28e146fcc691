"""A file read a slice at a time gives the bytes the file holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from articleqa.file_slices import FileSlices


def test_slices_are_the_file_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 10
    (tmp_path / "data").write_bytes(data)
    read = FileSlices(tmp_path / "data")
    assert len(read) == len(data)
    for start, end in ((0, 0), (0, 1), (5, 300), (2000, 2560), (2500, 9999), (10, 5), (-3, None)):
        assert read[start:end] == data[start:end]
    with pytest.raises(ValueError, match="contiguous"):
        read[0:10:2]
    (tmp_path / "empty").write_bytes(b"")
    assert FileSlices(tmp_path / "empty")[0:5] == b""
