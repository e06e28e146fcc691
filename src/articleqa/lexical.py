"""BM25 over passages (bm25s), for names and exact words the dense model blurs."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

logger = logging.getLogger(__name__)
# bm25s sets its logger to DEBUG when imported; let the application's configuration decide.
logging.getLogger("bm25s").setLevel(logging.NOTSET)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return Stemmer.Stemmer("english")


_SPLITTER = re.compile(r"(?u)\b\w\w+\b")
_STOPWORDS = frozenset(STOPWORDS_EN)


# Words a question has because it is a question (wh-words and the "do" it needs: "How high did
# the Millrace rise?") and that the sentence answering it does not repeat ("The Millrace rose to
# 4.2 metres"). A sentence that shares only these with a question ("The wall did what it was
# built to do") does not answer it. Lucene's stop list (bm25s') keeps them: it was made for
# documents, not questions.
_QUESTION_WORDS = frozenset(
    ["how", "what", "when", "where", "which", "who", "whom", "whose", "why", "do", "does", "did"]
)
_QUESTION_SKIP = _STOPWORDS | _QUESTION_WORDS


def terms(text: str) -> list[str]:
    """The words BM25 indexes for ``text`` (lower-cased, stop words out, stemmed).

    Same rules as bm25s' tokenizer, without its per-call overhead (a progress bar object and
    a vocabulary per call): used for every question and for sentence scoring.
    """
    return _stemmed(text, _STOPWORDS)


def question_terms(question: str) -> list[str]:
    """The terms of a question that a sentence answering it would share: ``terms`` without the
    question words (used to find the sentence that answers; BM25 retrieval keeps them, its idf
    already weighs them and dropping them there lost more than it won, BENCHMARKS.md)."""
    return _stemmed(question, _QUESTION_SKIP)


def _stemmed(text: str, skip: frozenset[str]) -> list[str]:
    words = [w for w in _SPLITTER.findall(text.lower()) if w not in skip]
    return list(_stemmer().stemWords(words))


@dataclass(frozen=True, slots=True)
class LexicalHits:
    """The passages a query's words occur in: ordinals ascending, scores alike (all > 0)."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> LexicalHits:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))

    @property
    def best(self) -> float:
        return float(self.scores.max()) if self.scores.size else 0.0

    def top(self, k: int) -> np.ndarray:
        """Ordinals of the ``k`` best-scored passages, in no particular order."""
        if len(self.ids) <= k:
            return self.ids
        return self.ids[np.argpartition(-self.scores, k)[:k]]

    def of(self, ordinals: Sequence[int]) -> np.ndarray:
        """The score of each of ``ordinals`` (0 for a passage holding none of the words)."""
        wanted = np.asarray(ordinals, dtype=np.int64)
        rows = np.searchsorted(self.ids, wanted)
        inside = rows < len(self.ids)
        found = np.zeros(len(wanted), dtype=np.float32)
        matched = inside.copy()
        matched[inside] = self.ids[rows[inside]] == wanted[inside]
        found[matched] = self.scores[rows[matched]]
        return found


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25 | None, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        if not texts:
            return cls(None, 0)
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        if size == 0:
            return cls(None, 0)
        # Memory-mapped: a question reads only its terms' postings, so the rest of the
        # (at a million passages, gigabyte-sized) score matrix never needs to be in memory.
        retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        return cls(retriever, size)

    def hits(self, query: str, allowed: np.ndarray | None = None) -> LexicalHits:
        """The passages holding a word of ``query`` (within ``allowed``), with their BM25 scores.

        Reads only the query terms' postings: the cost follows how many passages hold the
        words, not the corpus size. Each passage's score is summed term by term in the query's
        order in float32, as bm25s' ``get_scores`` sums it, so the scores are the same bits.
        """
        if self._retriever is None:
            return LexicalHits.empty()
        vocabulary = self._retriever.vocab_dict
        columns = [vocabulary[t] for t in terms(query) if t in vocabulary]
        if not columns:
            return LexicalHits.empty()
        matrix = self._retriever.scores
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
        postings = [(int(indptr[c]), int(indptr[c + 1])) for c in columns]
        ids = np.concatenate([np.asarray(indices[a:b]) for a, b in postings])
        # Sorted then deduplicated by hand: np.unique hashes (numpy 2.3), ten times slower here.
        ids.sort()
        if len(ids) > 1:
            ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
        scores = np.zeros(len(ids), dtype=np.float32)
        for start, end in postings:
            rows = np.searchsorted(ids, indices[start:end])
            np.add.at(scores, rows, np.asarray(data[start:end], dtype=np.float32))
        if allowed is not None:
            keep = np.isin(ids, allowed)
            ids, scores = ids[keep], scores[keep]
        return LexicalHits(ids.astype(np.int64), scores)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for ``query`` (zeros where no query word occurs)."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        found = self.hits(query)
        every = np.zeros(self.size, dtype=np.float32)
        every[found.ids] = found.scores
        return every

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every indexed word (for highlighting)."""
        if self._retriever is None:
            return {}
        indptr = np.asarray(self._retriever.scores["indptr"])
        document_frequency = np.diff(indptr)
        return {
            term: float(np.log1p((self.size - df + 0.5) / (df + 0.5)))
            for term, column in self._retriever.vocab_dict.items()
            if column < len(document_frequency)
            for df in (int(document_frequency[column]),)
        }
