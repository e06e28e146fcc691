"""Micro-batching of questions: concurrent questions are embedded together in one model call.

One worker thread owns the query embedder. While it embeds a batch, new questions queue up and
are taken together as the next batch, so throughput grows with concurrency. A lone question on
an idle worker goes straight to it; the batching window is only waited when several questions
are already queued (a burst is under way and its stragglers are likely a few ms behind).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import faiss

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
    ) -> None:
        self.embedder = embedder
        self.window_s = window_s
        self.metrics = metrics
        self.max_batch = max_batch
        self._queue: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="articleqa-query", initializer=_single_threaded_faiss
        )
        self._task: asyncio.Task[None] | None = None
        self._busy = False  # a batch (or a lone question) is with the worker thread

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

    async def ask(
        self,
        searcher: Searcher,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
    ) -> Answer:
        """Answer ``question`` with ``searcher`` (the one the caller holds, even across a swap)."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        pending = _Pending(searcher, question.strip(), k, filters, future)
        if self._busy or self._queue:
            self._queue.append(pending)
            self._wakeup.set()
            return await future
        # The worker is idle and nobody waits: no batch to form, so the question goes straight
        # to the worker thread, without a hop through the batching task.
        self._busy = True
        try:
            await self._process([pending])
        finally:
            self._busy = False
            if self._queue:
                self._wakeup.set()
        return await future

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
        """Embed and answer ``batch`` in the worker thread; settle each question's future."""
        if self.metrics is not None:
            self.metrics.embed_batch_size.observe(len(batch))
        loop = asyncio.get_running_loop()
        try:
            results = await loop.run_in_executor(self._executor, self._answer_all, batch)
        except Exception as exc:  # the whole batch failed (embedding); each caller hears it
            logger.exception("embedding a batch of %d questions failed", len(batch))
            results = [exc] * len(batch)
        for pending, result in zip(batch, results, strict=True):
            if pending.future.done():  # the client went away
                continue
            if isinstance(result, BaseException):
                pending.future.set_exception(result)
            else:
                pending.future.set_result(result)

    def _answer_all(self, batch: list[_Pending]) -> list[Answer | Exception]:
        started = time.perf_counter()
        vectors = self.embedder.embed([p.question for p in batch])
        embed_ms = (time.perf_counter() - started) * 1000
        results: list[Answer | Exception] = []
        for pending, vector in zip(batch, vectors, strict=True):
            try:
                answer = pending.searcher.ask(
                    pending.question, pending.k, pending.filters, query_vector=vector
                )
                # The searcher timed the search; the question's share of the work also
                # includes the model call that embedded it.
                answer.took_ms = round(answer.took_ms + embed_ms, 2)
                results.append(answer)
            except ArticleQAError as exc:
                results.append(exc)
            except Exception as exc:  # one bad search must not fail its batch-mates
                logger.exception("search failed for one question of a batch")
                results.append(exc)
        return results
