"""The micro-batcher: questions queued while the model is busy are embedded in one call."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from articleqa.api.batcher import QueryBatcher
from articleqa.embedding import FakeEmbedder
from articleqa.errors import InvalidInput
from articleqa.search import Searcher
from articleqa.snapshot import load_snapshot
from tests.api.conftest import ARTICLES, add_articles, build_index, make_settings


class GatedEmbedder(FakeEmbedder):
    """Blocks its first call until released, so the next questions pile up behind it."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.batches: list[list[str]] = []

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.entered.set()
            self.release.wait(30)
        return super().embed(texts)


@pytest.fixture
def searcher(home: Path) -> Searcher:
    settings = make_settings(home)
    add_articles(settings, ARTICLES)
    build_index(settings)
    return Searcher(load_snapshot(home), FakeEmbedder(), settings)


def test_questions_queued_behind_a_busy_model_share_one_call(searcher: Searcher) -> None:
    embedder = GatedEmbedder()
    questions = [f"question number {i} about the tram" for i in range(6)]

    async def scenario() -> list[str]:
        batcher = QueryBatcher(embedder, window_s=0.001)
        batcher.start()
        try:
            first = asyncio.create_task(batcher.ask(searcher, questions[0]))
            await asyncio.to_thread(embedder.entered.wait, 30)
            rest = [asyncio.create_task(batcher.ask(searcher, q)) for q in questions[1:]]
            await asyncio.sleep(0)  # let them queue
            embedder.release.set()
            answers = await asyncio.gather(first, *rest)
            return [a.question for a in answers]
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == questions
    assert embedder.batches == [questions[:1], questions[1:]]


def test_a_lone_question_does_not_wait_for_the_window(searcher: Searcher) -> None:
    embedder = FakeEmbedder()

    async def scenario() -> str:
        # An hour-long window: a lone question that waited for it would hit the guard below.
        batcher = QueryBatcher(embedder, window_s=3600)
        batcher.start()
        try:
            answer = await asyncio.wait_for(batcher.ask(searcher, "tram cost"), timeout=60)
            return answer.question
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == "tram cost"
    assert embedder.calls == 1


def test_one_failing_question_does_not_fail_its_batch(searcher: Searcher) -> None:
    embedder = GatedEmbedder()

    async def scenario() -> tuple[object, ...]:
        batcher = QueryBatcher(embedder, window_s=0.001)
        batcher.start()
        try:
            first = asyncio.create_task(batcher.ask(searcher, "tram"))
            await asyncio.to_thread(embedder.entered.wait, 30)
            good = asyncio.create_task(batcher.ask(searcher, "science fair"))
            bad = asyncio.create_task(batcher.ask(searcher, "flood", k=99))
            await asyncio.sleep(0)
            embedder.release.set()
            return tuple(await asyncio.gather(first, good, bad, return_exceptions=True))
        finally:
            await batcher.stop()

    first, good, bad = asyncio.run(scenario())
    assert getattr(first, "question", None) == "tram"
    assert getattr(good, "question", None) == "science fair"
    assert isinstance(bad, InvalidInput)
    assert embedder.batches[1] == ["science fair", "flood"]


def test_batched_vectors_give_the_same_answers_as_single_ones(searcher: Searcher) -> None:
    questions = ["Who won the science fair?", "tram extension cost", "flooded cellars"]

    async def scenario() -> list[list[str]]:
        batcher = QueryBatcher(FakeEmbedder(), window_s=0.005)
        batcher.start()
        try:
            answers = await asyncio.gather(*(batcher.ask(searcher, q) for q in questions))
            return [[q.passage_id for q in a.quotes] for a in answers]
        finally:
            await batcher.stop()

    expected = [[q.passage_id for q in searcher.ask(question).quotes] for question in questions]
    assert asyncio.run(scenario()) == expected


class SlowEmbedder(FakeEmbedder):
    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        threading.Event().wait(0.05)
        return super().embed(texts)


def test_took_ms_counts_the_model_call_as_well_as_the_search(searcher: Searcher) -> None:
    async def scenario() -> float:
        batcher = QueryBatcher(SlowEmbedder(), window_s=0.001)
        batcher.start()
        try:
            return (await batcher.ask(searcher, "tram cost")).took_ms
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) >= 50


class MeetingSearcher:
    """A searcher whose questions each wait until the other one is being searched too."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.together = threading.Barrier(2, timeout=30)

    def ask(self, question: str, *args: object, **kwargs: object) -> object:
        self.together.wait()  # BrokenBarrierError after 30 s if searches ran one at a time
        return self.searcher.ask(question, *args, **kwargs)


def test_the_searches_of_a_batch_run_on_several_threads(searcher: Searcher) -> None:
    meeting = MeetingSearcher(searcher)
    questions = ["tram cost", "science fair"]

    async def scenario() -> list[str]:
        batcher = QueryBatcher(FakeEmbedder(), window_s=0.005, search_threads=2)
        batcher.start()
        try:
            asks = [batcher.ask(meeting, q) for q in questions]
            answers = await asyncio.gather(*asks)
            return [a.question for a in answers]
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == questions


@contextlib.asynccontextmanager
async def _running(embedder: FakeEmbedder) -> AsyncIterator[QueryBatcher]:
    batcher = QueryBatcher(embedder, window_s=0.001)
    batcher.start()
    try:
        yield batcher
    finally:
        await batcher.stop()


class ThreadNotingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.threads.append(threading.current_thread().name)
        return super().embed(texts)


def test_a_lone_question_is_embedded_and_searched_in_one_search_thread(
    searcher: Searcher,
) -> None:
    embedder = ThreadNotingEmbedder()
    searched_in: list[str] = []

    class Noting:
        def ask(self, question: str, *args: object, **kwargs: object) -> object:
            searched_in.append(threading.current_thread().name)
            return searcher.ask(question, *args, **kwargs)

    async def scenario() -> str:
        async with _running(embedder) as batcher:
            return (await batcher.ask(Noting(), "tram cost")).question  # type: ignore[arg-type]

    assert asyncio.run(scenario()) == "tram cost"
    assert embedder.threads == searched_in
    assert searched_in[0].startswith("articleqa-search")


def test_a_lone_question_whose_client_went_away_frees_the_model(searcher: Searcher) -> None:
    embedder = GatedEmbedder()

    async def scenario() -> str:
        async with _running(embedder) as batcher:
            gone = asyncio.create_task(batcher.ask(searcher, "tram"))
            await asyncio.to_thread(embedder.entered.wait, 30)
            gone.cancel()
            embedder.release.set()
            with contextlib.suppress(asyncio.CancelledError):
                await gone
            answer = await asyncio.wait_for(batcher.ask(searcher, "science fair"), timeout=30)
            return answer.question

    assert asyncio.run(scenario()) == "science fair"
