"""A segment's document numbers stored as one-byte gaps read back as the numbers they were."""

from __future__ import annotations

import numpy as np
import pytest

from articleqa import posting_gaps
from articleqa.posting_gaps import ESCAPED, GapDocs


def _postings(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    indptr = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(docs) for docs in lists], out=indptr[1:])
    flat = [d for docs in lists for d in docs]
    return indptr, np.asarray(flat, dtype=np.int32)


CASES = {
    "none": [],
    "empty terms": [[], [], []],
    "one posting": [[0]],
    "first number 0 and the largest": [[0, 2**31 - 2], [2**31 - 2]],
    "gaps just in and just out of a byte": [[0, 255, 256, 512, 768, 1024, 1025], [254], [255]],
    "every gap escaped": [[300, 900, 70_000, 2**20]],
    "an empty term between escapes": [[1000], [], [5000, 5001], [], []],
    "dense": [list(range(0, 3000, 2)), list(range(7, 4000, 300))],
}


@pytest.mark.parametrize("chunk", [1, 2, 3, 1 << 22])
@pytest.mark.parametrize("case", list(CASES))
def test_gaps_decode_to_the_numbers_term_by_term_and_whole(
    monkeypatch: pytest.MonkeyPatch, case: str, chunk: int
) -> None:
    # Small chunks: a term's postings, its first one and its escapes fall across chunk ends.
    monkeypatch.setattr(posting_gaps, "ENCODE_CHUNK", chunk)
    lists = CASES[case]
    indptr, docs = _postings(lists)
    coded = GapDocs.encode(indptr, docs)
    assert coded.check()
    assert coded.gaps.dtype == np.uint8 and len(coded.gaps) == len(docs)
    assert coded.escapes.dtype == np.uint32
    for column, expected in enumerate(lists):
        decoded = coded.term(column)
        assert decoded.dtype == np.int64
        assert decoded.tolist() == expected
    assert coded.every().dtype == np.int32
    assert coded.every().tolist() == docs.tolist()
    # A byte holds gaps up to 255; each wider one is an escape, in posting order.
    wide = [
        gap
        for docs_of in lists
        for gap in np.diff(np.asarray(docs_of, dtype=np.int64), prepend=-1).tolist()
        if gap > 255
    ]
    assert coded.escapes.tolist() == wide
    assert int(np.count_nonzero(coded.gaps == ESCAPED)) == len(wide)


def test_random_postings_round_trip() -> None:
    rng = np.random.default_rng(7)
    lists = [
        sorted(rng.choice(100_000, size=int(size), replace=False).tolist())
        for size in rng.integers(0, 2_000, size=60)
    ]
    indptr, docs = _postings(lists)
    coded = GapDocs.encode(indptr, docs)
    assert all(coded.term(c).tolist() == lists[c] for c in range(len(lists)))
    assert np.array_equal(coded.every(), docs)
    assert coded.gaps.nbytes + coded.escapes.nbytes < docs.nbytes / 2


def test_numbers_that_do_not_ascend_are_refused() -> None:
    indptr, docs = _postings([[1, 5], [4, 4]])
    with pytest.raises(ValueError, match="ascend"):
        GapDocs.encode(indptr, docs)


def test_marks_and_escapes_that_disagree_raise_when_read() -> None:
    indptr, docs = _postings([[10, 2000], [5]])
    coded = GapDocs.encode(indptr, docs)
    short = GapDocs(coded.indptr, coded.gaps, coded.escapes[:0], np.zeros(3, dtype=np.int64))
    assert short.check()  # the gaps are not read to check
    with pytest.raises(ValueError):
        short.term(0)
    assert not GapDocs(coded.indptr, coded.gaps[:-1], coded.escapes, coded.escape_starts).check()
