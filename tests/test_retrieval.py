"""The embedded backend's look-ups (``articleqa.retrieval.SnapshotRetriever``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from articleqa import lexical
from articleqa.lexical import LexicalIndex
from articleqa.retrieval import SnapshotRetriever


def _retriever(index: LexicalIndex) -> SnapshotRetriever:
    snapshot: Any = SimpleNamespace(vectors=object(), lexical=index)
    return SnapshotRetriever(snapshot)


def test_the_lexical_look_up_returns_what_the_ranking_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lexical, "_BLOCK", 4)
    # Each passage longer than the one before: no two score alike, so no tie at the cut.
    texts = ["harbour storm " + "ferry " * i for i in range(400)]
    index = LexicalIndex.build(texts)
    every = index.hits("harbour storm")
    found = _retriever(index).lexical("harbour storm", 5, None, [1, 2, 3])
    # The 5 best and the three asked about, not every passage holding a word.
    assert len(found.ids) <= 8 < len(every.ids)
    assert sorted(found.top(5).tolist()) == sorted(every.top(5).tolist())
    assert found.of([1, 2, 3]).tobytes() == every.of([1, 2, 3]).tobytes()


def test_a_filtered_lexical_look_up_returns_every_allowed_hit() -> None:
    texts = ["harbour storm " + "ferry " * i for i in range(400)]
    index = LexicalIndex.build(texts)
    allowed = np.arange(0, 400, 2, dtype=np.int64)
    found = _retriever(index).lexical("harbour storm", 5, allowed, [])
    expected = index.hits("harbour storm", allowed)
    assert found.ids.tolist() == expected.ids.tolist()
    assert found.scores.tobytes() == expected.scores.tobytes()
