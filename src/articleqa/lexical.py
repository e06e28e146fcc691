"""BM25 over passages (bm25s), for names and exact words the dense model blurs."""

from __future__ import annotations

import logging
import re
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
        retriever = bm25s.BM25.load(str(folder), show_progress=False)
        return cls(retriever, size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for ``query`` (zeros where no query word occurs)."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        vocabulary = self._retriever.vocab_dict
        known = [t for t in terms(query) if t in vocabulary]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)

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
