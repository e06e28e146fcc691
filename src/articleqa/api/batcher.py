"""Micro-batching of questions: concurrent questions are embedded together in one model call
(the ONNX embedder runs each text of the call alone, side by side on the cores: a question's
vector does not depend on the others).

One worker thread owns the query embedder. While it embeds a batch, new questions queue up and
are taken together as the next batch, so throughput grows with concurrency. A lone question on
an idle worker goes straight to it; the batching window is only waited when several questions
are already queued (a burst is under way and its stragglers are likely a few ms behind).

The searches of a batch run in a pool of ``search_threads`` threads, one per core by default:
FAISS, numpy and the BM25 postings release the GIL, so questions are answered on every core
while the embedding thread is free to embed the next batch (BENCHMARKS.md, "Scale").
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import faiss
import numpy as np

from articleqa.api.collector import QuestionCollector
from articleqa.api.metrics import Metrics
from articleqa.embedding import Embedder
from articleqa.errors import ArticleQAError
from articleqa.models import Answer
from articleqa.search import Searcher, SearchFilters

logger = logging.getLogger(__name__)

MAX_BATCH = 64


@dataclass(slots=True)
class _Pending:
    searcher: Searcher
    question: str
    k: int | None
    filters: SearchFilters | None
    future: asyncio.Future[Answer]


def _single_threaded_faiss() -> None:
    """One question's FAISS search is too small to share out: OpenMP's fork/join costs more than
    it saves (10x slower on a busy 2-core machine). The setting is per thread, so index builds
    in other threads keep every core."""
    faiss.omp_set_num_threads(1)


class QueryBatcher:
    def __init__(
        self,
        embedder: Embedder,
        window_s: float,
        metrics: Metrics | None = None,
        max_batch: int = MAX_BATCH,
        search_threads: int | None = None,
        collector: QuestionCollector | None = None,
    ) -> None:
        self.embedder = embedder
        # Freezes what each answered question left in the searcher's caches (collector.py).
        self.collector = collector
        self.window_s = window_s
        self.metrics = metrics
        self.max_batch = max_batch
        self._queue: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="articleqa-query", initializer=_single_threaded_faiss
        )
        self._searchers = ThreadPoolExecutor(
            max_workers=search_threads or os.cpu_count() or 1,
            thread_name_prefix="articleqa-search",
            initializer=_single_threaded_faiss,
        )
        self._task: asyncio.Task[None] | None = None
        self._busy = False  # the model is busy: a batch (or a lone question) is being embedded
        # One embedding at a time, whichever thread asks: a model's tokenizer is not safe to
        # share between threads (a lone question embeds in a search thread, below).
        self._embedding = threading.Lock()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="articleqa-query-batcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for pending in self._queue:
            if not pending.future.done():
                pending.future.cancel()
        self._queue.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._searchers.shutdown(wait=False, cancel_futures=True)

    async def ask(
        self,
        searcher: Searcher,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
    ) -> Answer:
        """Answer ``question`` with ``searcher`` (the one the caller holds, even across a swap)."""
        loop = asyncio.get_running_loop()
        pending = _Pending(searcher, question.strip(), k, filters, loop.create_future())
        if self._busy or self._queue:
            self._queue.append(pending)
            self._wakeup.set()
            return await pending.future
        # The worker is idle and nobody waits: no batch to form, so the question is embedded
        # and searched in one search thread: one hop there and back instead of two (to the
        # embedding thread, back, to the search pool, back), each a wait for a core on a busy
        # machine (BENCHMARKS.md, "Scale, seventh pass"). Questions arriving while it is
        # embedded queue up for the next batch, as behind the embedding thread.
        self._busy = True
        if self.metrics is not None:
            self.metrics.embed_batch_size.observe(1)
        work = loop.run_in_executor(self._searchers, self._embed_and_answer, pending, loop)
        # Shielded: a client that goes away must not cancel the work before it starts, or
        # nothing would tell the batcher that the model is free again.
        return await asyncio.shield(work)

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if self._busy or not self._queue:
                continue  # whoever holds the worker wakes this task again when done
            self._busy = True
            try:
                if 1 < len(self._queue) < self.max_batch and self.window_s > 0:
                    await asyncio.sleep(self.window_s)
                batch = [p for p in self._queue[: self.max_batch] if not p.future.done()]
                del self._queue[: self.max_batch]
                if batch:
                    await self._process(batch)
            finally:
                self._busy = False
            if self._queue:
                self._wakeup.set()

    async def _process(self, batch: list[_Pending]) -> None:
        """Embed ``batch`` in the embedding thread, then hand each search to the search pool.

        Returns once the batch is embedded: the searches settle their questions' futures when
        they finish, so the next batch is embedded while this one is searched.
        """
        if self.metrics is not None:
            self.metrics.embed_batch_size.observe(len(batch))
        loop = asyncio.get_running_loop()
        try:
            vectors, embed_ms = await loop.run_in_executor(self._executor, self._embed, batch)
        except Exception as exc:  # the whole batch failed (embedding); each caller hears it
            logger.exception("embedding a batch of %d questions failed", len(batch))
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc)
            return
        for pending, vector in zip(batch, vectors, strict=True):
            if pending.future.done():  # the client went away
                continue
            search = loop.run_in_executor(
                self._searchers, _answer, pending, vector, embed_ms, self.collector
            )
            search.add_done_callback(functools.partial(_settle, pending))

    def _embed(self, batch: list[_Pending]) -> tuple[np.ndarray, float]:
        started = time.perf_counter()
        with self._embedding:
            vectors = self.embedder.embed([p.question for p in batch])
        return vectors, (time.perf_counter() - started) * 1000

    def _embed_and_answer(self, pending: _Pending, loop: asyncio.AbstractEventLoop) -> Answer:
        try:
            vectors, embed_ms = self._embed([pending])
        finally:
            loop.call_soon_threadsafe(self._embedded)
        return _answer(pending, vectors[0], embed_ms, self.collector)

    def _embedded(self) -> None:
        """The model is free again (on the event loop): the next batch may be embedded."""
        self._busy = False
        if self._queue:
            self._wakeup.set()


def _answer(
    pending: _Pending, vector: np.ndarray, embed_ms: float, collector: QuestionCollector | None
) -> Answer:
    answer = pending.searcher.ask(pending.question, pending.k, pending.filters, query_vector=vector)
    if collector is not None:
        collector.answered()
    # The searcher timed the search; the question's share of the work also includes the model
    # call that embedded it.
    answer.took_ms = round(answer.took_ms + embed_ms, 2)
    return answer


def _settle(pending: _Pending, search: asyncio.Future[Answer]) -> None:
    if pending.future.done():  # the client went away
        return
    if search.cancelled():
        pending.future.cancel()
        return
    error = search.exception()
    if error is None:
        pending.future.set_result(search.result())
        return
    if not isinstance(error, ArticleQAError):  # one bad search must not fail its batch-mates
        logger.error("search failed for one question of a batch", exc_info=error)
    pending.future.set_exception(error)
