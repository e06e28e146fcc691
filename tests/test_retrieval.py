"""The embedded backend's look-ups (``articleqa.retrieval.SnapshotRetriever``)."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from articleqa import lexical, retrieval, vector_index
from articleqa.lexical import LexicalHits, LexicalIndex
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


# --- one question's look-ups on two threads (``look_up``) -------------------------------------


def _corpus(count: int = 300, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    words = ["harbour", "storm", "ferry", "river", "bridge", "council", "tide", "museum"]
    texts = [
        " ".join(rng.choice(words, size=int(rng.integers(3, 12))).tolist()) for _ in range(count)
    ]
    vectors = rng.normal(size=(count, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return texts, vectors


def _real_retriever(kind: str = "ivf") -> tuple[SnapshotRetriever, np.ndarray]:
    texts, vectors = _corpus()
    index = vector_index.build_vector_index(vectors, kind)  # type: ignore[arg-type]
    snapshot: Any = SimpleNamespace(vectors=index, lexical=LexicalIndex.build(texts))
    return SnapshotRetriever(snapshot), vectors


@pytest.fixture
def a_core_to_spare(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retrieval, "_CORES", 2)
    monkeypatch.setattr(retrieval, "_running", lambda: 1)


def _in_turn(
    found: SnapshotRetriever, question: str, query: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, LexicalHits]:
    scores, ids = found.dense(query, k, None)
    return scores, ids, found.lexical(question, k, None, ids.tolist())


def _same(got: retrieval.LookUps, scores: np.ndarray, ids: np.ndarray, hits: LexicalHits) -> None:
    assert got.dense_scores.tobytes() == scores.tobytes()
    assert got.dense_ids.tolist() == ids.tolist()
    assert got.lexical.ids.tolist() == hits.ids.tolist()
    assert got.lexical.scores.tobytes() == hits.scores.tobytes()


def test_a_lone_questions_look_ups_on_two_threads_give_the_same_bits(
    a_core_to_spare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical, "_BLOCK", 4)
    found, vectors = _real_retriever()
    threads: list[str] = []
    dense = found.dense
    started = threading.Event()

    def recorded(query: np.ndarray, k: int, allowed: np.ndarray | None) -> Any:
        threads.append(threading.current_thread().name)
        started.set()
        return dense(query, k, allowed)

    def meanwhile() -> str:
        # So small a corpus is summed before the helper starts: wait for it, to see it work.
        assert started.wait(10)
        return "read"

    monkeypatch.setattr(found, "dense", recorded)
    rng = np.random.default_rng(1)
    for number, question in enumerate(["harbour storm", "ferry tide museum", "river", "zebra"]):
        query = vectors[number * 7] + 0.1 * rng.normal(size=16).astype(np.float32)
        started.clear()
        got, read = retrieval.look_up(found, question, query, 20, None, meanwhile)
        assert read == "read"
        assert threads[-1].startswith("articleqa-dense")  # the helper searched the vectors
        _same(got, *_in_turn(found, question, query, 20))
        # BM25's best were read ahead, each row the passage's own.
        ahead = sorted(got.read_ahead)
        assert ahead == sorted(got.lexical.top(20).tolist())
        if ahead:
            assert (np.stack([got.read_ahead[o] for o in ahead]) == found.vectors(ahead)).all()


def test_rows_read_ahead_make_the_same_array_as_one_read(a_core_to_spare: None) -> None:
    found, vectors = _real_retriever()
    got, _ = retrieval.look_up(found, "harbour storm ferry", vectors[3], 10, None, lambda: None)
    assert got.read_ahead  # some rows were read ahead
    some = list(got.read_ahead)[:4]
    ordinals = [some[0], 299, *some[1:], 0, some[0]]
    expected = found.vectors(ordinals)
    assert got.vectors(found, ordinals).tobytes() == expected.tobytes()
    assert got.vectors(found, [298, 297]).tobytes() == found.vectors([298, 297]).tobytes()


def test_a_search_the_busy_helper_has_not_started_is_done_by_the_asker(
    a_core_to_spare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    found, vectors = _real_retriever()
    threads: list[str] = []
    dense = found.dense

    def recorded(query: np.ndarray, k: int, allowed: np.ndarray | None) -> Any:
        threads.append(threading.current_thread().name)
        return dense(query, k, allowed)

    monkeypatch.setattr(found, "dense", recorded)
    release = threading.Event()
    blocker = retrieval._DENSE_HELPER.submit(release.wait, 10)
    try:
        got, _ = retrieval.look_up(found, "harbour storm", vectors[5], 10, None, lambda: None)
    finally:
        release.set()
        blocker.result()
    assert threads == [threading.current_thread().name]  # not waited for: taken back
    _same(got, *_in_turn(found, "harbour storm", vectors[5], 10))


@pytest.mark.parametrize(
    "why", ["another question", "a filter", "busy cores", "one core", "exact search"]
)
def test_look_ups_keep_to_the_asking_thread_unless_alone_with_a_core_to_spare(
    why: str, a_core_to_spare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    found, vectors = _real_retriever("flat" if why == "exact search" else "ivf")
    allowed = None
    if why == "a filter":
        allowed = np.arange(0, 300, 3, dtype=np.int64)
    elif why == "busy cores":
        monkeypatch.setattr(retrieval, "_running", lambda: 2)
    elif why == "one core":
        monkeypatch.setattr(retrieval, "_CORES", 1)
    monkeypatch.setattr(found, "at_once", None)  # fails if called
    order: list[str] = []
    with retrieval.QUESTIONS.answering(), retrieval.QUESTIONS.answering():
        if why == "another question":
            got, _ = retrieval.look_up(
                found, "harbour", vectors[1], 10, allowed, lambda: order.append("read")
            )
    if why != "another question":
        got, _ = retrieval.look_up(
            found, "harbour", vectors[1], 10, allowed, lambda: order.append("read")
        )
    scores, ids = found.dense(vectors[1], 10, allowed)
    expected = found.lexical("harbour", 10, allowed, ids.tolist())
    _same(got, scores, ids, expected)
    assert order == ["read"] and not got.read_ahead


def test_a_failed_dense_search_leaves_the_bm25_scratch_zeroed(
    a_core_to_spare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    found, vectors = _real_retriever()

    def failing(query: np.ndarray, k: int, allowed: np.ndarray | None) -> Any:
        raise RuntimeError("no vectors")

    monkeypatch.setattr(found, "dense", failing)
    with pytest.raises(RuntimeError, match="no vectors"):
        retrieval.look_up(found, "harbour storm", vectors[2], 10, None, lambda: None)
    scratch = found._lexical._scratch.array  # type: ignore[union-attr]
    assert scratch is not None and not scratch.any()


def test_a_core_is_to_spare_when_fewer_threads_run_than_there_are_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(retrieval, "_CORES", 2)
    monkeypatch.setattr(retrieval, "_running", lambda: 1)  # this thread alone
    assert retrieval._core_to_spare()
    monkeypatch.setattr(retrieval, "_running", lambda: 2)
    assert not retrieval._core_to_spare()
    # Without /proc/loadavg: the minute's average, below one core's worth of others.
    monkeypatch.setattr(retrieval, "_running", lambda: None)
    monkeypatch.setattr(retrieval.os, "getloadavg", lambda: (0.6, 1.0, 1.0))
    assert retrieval._core_to_spare()
    monkeypatch.setattr(retrieval.os, "getloadavg", lambda: (1.4, 1.0, 1.0))
    assert not retrieval._core_to_spare()
    monkeypatch.setattr(retrieval, "_CORES", 1)
    monkeypatch.setattr(retrieval, "_running", lambda: 1)
    assert not retrieval._core_to_spare()
    running = retrieval._running()
    assert running is None or running >= 1  # this thread runs


def test_a_question_counts_while_it_is_answered() -> None:
    questions = retrieval.Questions()
    assert questions.alone()  # ranking outside ``ask``
    with questions.answering():
        assert questions.alone()
        with questions.answering():
            assert not questions.alone()
        assert questions.alone()
    assert questions.alone()
