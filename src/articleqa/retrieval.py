"""Where the searcher's candidates come from: one interface, two backends.

The searcher fuses, re-ranks, highlights and abstains the same way whatever the backend; only
these three look-ups differ. The embedded one reads the snapshot's FAISS and BM25 files; the
PostgreSQL one (``articleqa.postgres.index``) asks pgvector and the full-text index.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from articleqa.lexical import LexicalHits, LexicalIndex
from articleqa.snapshot import Snapshot
from articleqa.vector_index import search as vector_search
from articleqa.vector_index import vectors_of

logger = logging.getLogger(__name__)


class Retriever(Protocol):
    def dense(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` passages by inner product with ``query``: (scores, ordinals)."""
        ...

    def lexical(
        self, question: str, k: int, allowed: np.ndarray | None, also: Sequence[int]
    ) -> LexicalHits:
        """Passages holding a word of ``question`` with their BM25 scores: at least the top
        ``k`` (within ``allowed``) and those of ``also`` that hold one."""
        ...

    def vectors(self, ordinals: Sequence[int]) -> np.ndarray:
        """The passages' vectors, one row per ordinal."""
        ...

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every indexed word (BM25's, for highlighting)."""
        ...


class SnapshotRetriever:
    """The embedded backend: FAISS and BM25 loaded from the snapshot folder."""

    def __init__(self, snapshot: Snapshot) -> None:
        if snapshot.vectors is None or snapshot.lexical is None:
            raise ValueError(f"snapshot {snapshot.version} holds no local indexes")
        self._vectors = snapshot.vectors
        self._lexical = snapshot.lexical

    def dense(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        return vector_search(self._vectors, query, k, allowed)

    def lexical(
        self, question: str, k: int, allowed: np.ndarray | None, also: Sequence[int]
    ) -> LexicalHits:
        # Only the passages holding a question word: no array over the whole corpus.
        if allowed is None and isinstance(self._lexical, LexicalIndex):
            # Of those, only what the ranking reads (``LexicalIndex.top_hits``).
            return self._lexical.top_hits(question, k, also)
        return self._lexical.hits(question, allowed)

    def vectors(self, ordinals: Sequence[int]) -> np.ndarray:
        return vectors_of(self._vectors, ordinals)

    def idf(self) -> dict[str, float]:
        return self._lexical.idf()
