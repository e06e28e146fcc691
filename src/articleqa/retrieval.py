"""Where the searcher's candidates come from: one interface, two backends.

The searcher fuses, re-ranks, highlights and abstains the same way whatever the backend; only
these three look-ups differ. The embedded one reads the snapshot's FAISS and BM25 files; the
PostgreSQL one (``articleqa.postgres.index``) asks pgvector and the full-text index.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import faiss
import numpy as np

from articleqa.lexical import LexicalHits, LexicalIndex
from articleqa.snapshot import Snapshot
from articleqa.vector_index import ShortlistIndex, vectors_of
from articleqa.vector_index import search as vector_search

logger = logging.getLogger(__name__)

T = TypeVar("T")


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

    @property
    def shares_well(self) -> bool:
        """Whether the look-ups gain from a second thread (``at_once``): BM25's ``k`` best are
        found without the dense ordinals, and the vectors are searched by an IVF shortlist.
        Exact search (a corpus up to ``ann_threshold``) takes less than handing it over: at
        12 k passages the helper made a first ask slower (BENCHMARKS.md, "Scale, eighteenth
        pass")."""
        return isinstance(self._lexical, LexicalIndex) and isinstance(self._vectors, ShortlistIndex)

    def at_once(
        self, question: str, query: np.ndarray, k: int, meanwhile: Callable[[], T]
    ) -> tuple[LookUps, T]:
        """``dense`` on the helper thread while ``meanwhile``, BM25 and its best passages'
        vectors are done here (``look_up``)."""
        assert isinstance(self._lexical, LexicalIndex)
        pending = _DENSE_HELPER.submit(self.dense, query, k, None)
        try:
            done = meanwhile()
            summed = self._lexical.summed_top(question, k)
        finally:
            # Not started: searched here below (or, if this thread failed, not at all).
            taken_back = pending.cancel()
        try:
            ahead = summed.leading().tolist()
            read_ahead = dict(zip(ahead, self.vectors(ahead), strict=True)) if ahead else {}
            scores, ids = self.dense(query, k, None) if taken_back else pending.result()
        except BaseException:
            summed.discard()
            raise
        return LookUps(scores, ids, summed.hits(ids.tolist()), read_ahead), done

    def vectors(self, ordinals: Sequence[int]) -> np.ndarray:
        return vectors_of(self._vectors, ordinals)

    def idf(self) -> dict[str, float]:
        return self._lexical.idf()


_CORES = os.cpu_count() or 1


def _one_faiss_thread() -> None:
    faiss.omp_set_num_threads(1)


# Searches a lone question's vectors while its asking thread sums its BM25 postings: FAISS's
# scan, the codes' numpy and the embedding cache's SQLite release the GIL for most of their
# time, so a question alone in the process uses two cores. One thread: the asking thread keeps
# the other core. Started on first use and shared by every snapshot of the process.
_DENSE_HELPER = ThreadPoolExecutor(
    max_workers=1, thread_name_prefix="articleqa-dense", initializer=_one_faiss_thread
)


class Questions:
    """How many questions are being answered in the process (``Searcher.ask`` counts each):
    one's look-ups may take the helper thread only when it is the only one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        with self._lock:
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1

    def alone(self) -> bool:
        """No other question is being answered (ranking outside ``ask`` counts as alone)."""
        return self._count <= 1


QUESTIONS = Questions()


def _running() -> int | None:
    """Threads running or ready to run on the machine now, this one included (Linux's
    /proc/loadavg; None elsewhere)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as file:
            return int(file.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None


def _core_to_spare() -> bool:
    """Whether another core is idle now, for the helper to start at once. Asked of the
    moment, not of the minute's load average: while another process's bursts held the cores,
    a helper only waited for them, and the question with it (BENCHMARKS.md, "Scale,
    eighteenth pass")."""
    if _CORES < 2:
        return False
    running = _running()
    if running is None:
        return os.getloadavg()[0] < _CORES - 1
    return running < _CORES


@dataclass(frozen=True, slots=True)
class LookUps:
    """A question's candidates from both look-ups (``look_up``): the dense ``k`` best
    (scores, ordinals), the BM25 hits, and the vectors of BM25's best read while the dense
    search ran (by ordinal; none when the look-ups ran one after the other)."""

    dense_scores: np.ndarray
    dense_ids: np.ndarray
    lexical: LexicalHits
    read_ahead: dict[int, np.ndarray] = field(default_factory=dict)

    def vectors(self, retriever: Retriever, ordinals: Sequence[int]) -> np.ndarray:
        """``retriever.vectors(ordinals)``: the rows read ahead and the others read now. Each
        row is the passage's own, whichever call read it, so the array is the same."""
        rest = [o for o in ordinals if o not in self.read_ahead]
        if len(rest) == len(ordinals):
            return retriever.vectors(ordinals)
        got = dict(zip(rest, retriever.vectors(rest), strict=True)) if rest else {}
        rows = [self.read_ahead[o] if o in self.read_ahead else got[o] for o in ordinals]
        return np.stack(rows)  # not empty: ``ordinals`` were, and were all read above


def look_up(
    retriever: Retriever,
    question: str,
    query: np.ndarray,
    k: int,
    allowed: np.ndarray | None,
    meanwhile: Callable[[], T],
) -> tuple[LookUps, T]:
    """``retriever.dense(query, k, allowed)`` and ``retriever.lexical(question, k, allowed,
    its ordinals)``, and ``meanwhile()`` (the asking thread's own work that needs neither):
    the same results however they are run.

    A question of the embedded backend with no filter, the only one being answered in the
    process (``QUESTIONS``) while a core is to spare, has its vectors searched on the helper
    thread while this thread does ``meanwhile``, sums its BM25 postings, picks their ``k`` best
    (which need no dense ordinal) and reads those passages' vectors (the ranking scores the
    ones dense search did not find by cosine too); the dense ordinals' BM25 scores are read
    after. A search the helper has not started by then is taken back and run here: a question
    never waits for a helper busy with another's. Questions answered side by side (a batch,
    concurrent requests) each already have a core and keep to their thread.
    """
    if (
        allowed is None
        and isinstance(retriever, SnapshotRetriever)
        and retriever.shares_well
        and QUESTIONS.alone()
        and _core_to_spare()
    ):
        return retriever.at_once(question, query, k, meanwhile)
    done = meanwhile()
    scores, ids = retriever.dense(query, k, allowed)
    return LookUps(scores, ids, retriever.lexical(question, k, allowed, ids.tolist())), done
