"""The garbage collector's policy in the server: what an answered question left alive is
frozen out of its sight, and a frozen cycle is freed by the periodic full collection."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from articleqa.api.batcher import QueryBatcher
from articleqa.api.collector import QuestionCollector
from articleqa.embedding import FakeEmbedder
from articleqa.search import Searcher
from articleqa.snapshot import load_snapshot
from tests.api.conftest import ARTICLES, add_articles, build_index, make_settings


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def _tracked(obj: object) -> bool:
    return any(o is obj for o in gc.get_objects())


def test_what_an_answered_question_left_alive_is_frozen() -> None:
    collector = QuestionCollector(full_every=100)
    left = [Node() for _ in range(3)]  # as a question's entries in the searcher's caches
    assert _tracked(left[0])
    collector.answered()
    assert not _tracked(left[0])
    assert gc.get_freeze_count() >= len(left)


def test_a_frozen_cycle_is_freed_by_the_periodic_full_collection() -> None:
    collector = QuestionCollector(full_every=3)
    cycle = Node()
    gone = weakref.ref(cycle)
    collector.answered()  # frozen while alive
    del cycle
    collector.answered()
    gc.collect()
    assert gone() is not None  # frozen: not even a full collection sees it
    collector.answered()  # the third: everything unfrozen and collected
    assert gone() is None
    assert gc.get_freeze_count() > 0  # what is still alive is frozen again


class Counting(QuestionCollector):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def answered(self) -> None:
        self.count += 1
        super().answered()


def test_the_batcher_tells_the_collector_of_each_answered_question(home: Path) -> None:
    settings = make_settings(home)
    add_articles(settings, ARTICLES)
    build_index(settings)
    searcher = Searcher(load_snapshot(home), FakeEmbedder(), settings)
    collector = Counting()

    async def scenario() -> None:
        batcher = QueryBatcher(FakeEmbedder(), window_s=0.001, collector=collector)
        batcher.start()
        try:
            # One alone (embedded in a search thread), then three at once (a batch).
            await batcher.ask(searcher, "Who won the science fair?")
            await asyncio.gather(*(batcher.ask(searcher, f"tram question {i}?") for i in range(3)))
        finally:
            await batcher.stop()

    asyncio.run(scenario())
    assert collector.count == 4
