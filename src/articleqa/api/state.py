"""What the service holds between requests: the served index (hot-swappable) and rebuild jobs.

Requests take the current ``Searcher`` once and keep it to the end, so a swap never changes
the index under a running request; swapping is one reference assignment.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import anyio

from articleqa.api.access import TokenTable
from articleqa.api.batcher import QueryBatcher
from articleqa.api.collector import QuestionCollector, settled
from articleqa.api.metrics import Metrics
from articleqa.api.middleware import redact_access_log
from articleqa.collection import DEFAULT, check_name
from articleqa.config import Settings
from articleqa.conversation import MAX_CONTEXT_QUESTIONS
from articleqa.embedding import Embedder
from articleqa.engine import ArticleQA
from articleqa.errors import (
    ArticleQAError,
    DatabaseUnavailable,
    IndexNotBuilt,
    RebuildInProgress,
    SnapshotCorrupt,
    StorageError,
)
from articleqa.indexer import BuildReport
from articleqa.paths import HomePaths
from articleqa.search import Searcher

logger = logging.getLogger(__name__)

NO_INDEX_MESSAGE = (
    "no index has been built yet: add articles (POST /articles or `articleqa add`) and build "
    "the index (POST /index/rebuild or `articleqa index`); the service picks it up by itself"
)
KEEP_JOBS = 100


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Served:
    searcher: Searcher
    loaded_at: dt.datetime

    @property
    def version(self) -> str:
        return self.searcher.snapshot.version


class IndexHolder:
    """Owns the served Searcher; loads published snapshots off the event loop and swaps them in."""

    def __init__(self, engine: ArticleQA, metrics: Metrics) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.metrics = metrics
        self.served: Served | None = None
        self.last_error: str | None = None
        self.fallback_reason: str | None = None
        # A published version that failed to load is not retried until CURRENT names another.
        self._failed_version: str | None = None
        self._lock = asyncio.Lock()

    @property
    def version(self) -> str | None:
        served = self.served
        return served.version if served else None

    def require(self) -> Searcher:
        served = self.served
        if served is None:
            raise IndexNotBuilt(
                f"{NO_INDEX_MESSAGE} (last error: {self.last_error})"
                if self.last_error
                else NO_INDEX_MESSAGE
            )
        return served.searcher

    @property
    def collection(self) -> str:
        return self.engine.collection

    def _swap(self, searcher: Searcher) -> None:
        previous = self.version
        self.served = Served(searcher, _now())
        snapshot = searcher.snapshot
        if self.collection == DEFAULT:
            # The index gauges describe the default collection's index.
            self.metrics.set_index(len(snapshot.articles), snapshot.passage_count)
        if previous is not None:
            self.metrics.index_swaps.inc()
        logger.info(
            "serving snapshot %s of collection %s (%d articles, %d passages)%s",
            snapshot.version,
            self.collection,
            len(snapshot.articles),
            snapshot.passage_count,
            f", replacing {previous}" if previous else "",
        )

    async def load_initial(self) -> None:
        """Serve the best snapshot on disk, if any; the service starts either way."""
        async with self._lock:
            try:
                searcher, fallback_reason = await anyio.to_thread.run_sync(
                    settled, self.engine.load_best
                )
            except IndexNotBuilt:
                logger.warning("%s", NO_INDEX_MESSAGE)
                return
            except DatabaseUnavailable as exc:
                # The service starts all the same; the watcher loads the index once it is back.
                self.last_error = exc.message
                logger.error("cannot load the index: %s", exc.message)
                return
            except SnapshotCorrupt as exc:
                self.last_error = exc.message
                self._failed_version = self.engine.current_version()
                self.metrics.index_load_failures.inc()
                logger.error("no usable snapshot: %s", exc.message)
                return
            if fallback_reason:
                self._failed_version = self.engine.current_version()
                self.fallback_reason = fallback_reason
                self.last_error = fallback_reason
                self.metrics.index_load_failures.inc()
            self._swap(searcher)

    async def refresh(self, version: str | None = None) -> bool:
        """Serve ``version`` (default: the published one) unless already served.

        True when a new snapshot was swapped in. A snapshot that fails to load is reported in
        ``last_error``/``fallback_reason`` and the served one stays.
        """
        async with self._lock:
            explicit = version is not None
            target = version or await anyio.to_thread.run_sync(self.engine.current_version)
            if target is None or target == self.version:
                return False
            if target == self._failed_version and not explicit:
                return False
            try:
                searcher = await anyio.to_thread.run_sync(
                    settled, functools.partial(self.engine.load, target)
                )
            except (SnapshotCorrupt, IndexNotBuilt) as exc:
                self._failed_version = target
                self.last_error = exc.message
                self.metrics.index_load_failures.inc()
                if self.served is not None:
                    self.fallback_reason = (
                        f"published snapshot {target} is unusable ({exc.message}); "
                        f"still serving {self.version}"
                    )
                logger.error("cannot load snapshot %s: %s", target, exc.message)
                return False
            self._failed_version = None
            self.fallback_reason = None
            self.last_error = None
            self._swap(searcher)
            return True

    async def watch(self) -> None:
        """Poll the published pointer for versions built elsewhere (other processes)."""
        while True:
            await asyncio.sleep(self.settings.reload_interval_s)
            try:
                await self.refresh()
            except DatabaseUnavailable as exc:
                # Said once a poll, without a traceback: the pool reconnects when it is back.
                self.last_error = exc.message
                logger.warning("checking for a new index version failed: %s", exc.message)
            except Exception:  # a failed poll must not stop later ones
                logger.exception("checking for a new snapshot failed")


JobStatus = Literal["running", "succeeded", "failed"]


@dataclass(slots=True)
class RebuildJob:
    job_id: str
    collection: str = DEFAULT
    status: JobStatus = "running"
    version: str | None = None
    error: str | None = None
    started_at: dt.datetime = field(default_factory=_now)
    finished_at: dt.datetime | None = None
    report: BuildReport | None = None


JOB_LOCK_WAIT_S = 3600.0


class Rebuilder:
    """Runs index builds in one worker thread, then swaps the result in: one job at a time per
    collection (builds of several collections queue for the thread; each builds only its own
    collection)."""

    def __init__(self, engine: ArticleQA, holder: IndexHolder, metrics: Metrics) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.holder = holder  # the default collection's
        self.metrics = metrics
        self.jobs: OrderedDict[str, RebuildJob] = OrderedDict()
        self._running: dict[str, RebuildJob] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="articleqa-rebuild")
        self._builder: ArticleQA | None = None

    @property
    def running(self) -> RebuildJob | None:
        """The default collection's running job, if any."""
        return self._running.get(DEFAULT)

    def running_for(self, collection: str) -> RebuildJob | None:
        return self._running.get(collection)

    async def start(self, holder: IndexHolder | None = None) -> RebuildJob:
        """Start rebuilding ``holder``'s collection (default: the default collection's)."""
        holder = holder or self.holder
        collection = holder.collection
        running = self._running.get(collection)
        if running is not None:
            raise RebuildInProgress(
                f"an index rebuild of collection {collection!r} is already running (job "
                f"{running.job_id}); follow it at GET /index/rebuild/{running.job_id}"
            )
        # Claimed before the first await, so two concurrent requests cannot both start one.
        job = RebuildJob(job_id=secrets.token_hex(8), collection=collection)
        self._running[collection] = job
        try:
            # A build in another process (`articleqa index`) holds the file lock: say so now
            # rather than through a job that fails a moment later.
            await anyio.to_thread.run_sync(self._probe_lock, holder.engine)
        except BaseException:
            del self._running[collection]
            raise
        self.jobs[job.job_id] = job
        while len(self.jobs) > KEEP_JOBS:
            self.jobs.popitem(last=False)
        task = asyncio.create_task(self._run(job, holder), name=f"articleqa-rebuild-{job.job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    def _probe_lock(self, engine: ArticleQA) -> None:
        engine.probe_build_lock()

    def _build(self, collection: str) -> BuildReport:
        if self._builder is None:
            # An engine of its own, so its own embedder: a tokenizer shared with the query
            # thread is not thread-safe.
            self._builder = ArticleQA(self.settings)
        # A job is only accepted when the build lock was free, but `articleqa index` in
        # another process may take it between that probe and this build: then the accepted
        # job waits its turn rather than failing.
        return self._builder.for_collection(collection).build(
            lock_timeout_s=max(self.settings.lock_timeout_s, JOB_LOCK_WAIT_S)
        )

    async def _run(self, job: RebuildJob, holder: IndexHolder) -> None:
        started = time.perf_counter()
        try:
            loop = asyncio.get_running_loop()
            report = await loop.run_in_executor(self._executor, self._build, job.collection)
            job.report = report
            job.version = report.version
            await holder.refresh(report.version)
            if holder.version != report.version:
                raise SnapshotCorrupt(
                    f"built {report.version} but could not load it: {holder.last_error}"
                )
            job.status = "succeeded"
            self.metrics.rebuild_duration.observe(time.perf_counter() - started)
        except ArticleQAError as exc:
            self._fail(job, holder, exc.message)
        except Exception as exc:
            logger.exception("index rebuild %s failed", job.job_id)
            self._fail(job, holder, f"internal error: {exc}")
        finally:
            job.finished_at = _now()
            self._running.pop(job.collection, None)

    def _fail(self, job: RebuildJob, holder: IndexHolder, message: str) -> None:
        job.status = "failed"
        job.error = message
        holder.last_error = f"rebuild {job.job_id} failed: {message}"
        self.metrics.rebuild_failures.inc()
        logger.error("index rebuild %s failed: %s", job.job_id, message)

    async def stop(self) -> None:
        for task in list(self._tasks):
            if not task.done():
                # The build thread cannot be interrupted; a snapshot is published atomically
                # or not at all, so leaving it is safe.
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._executor.shutdown(wait=False, cancel_futures=True)


class FeedbackLog:
    """Appends feedback records to ``ARTICLEQA_HOME/feedback.jsonl``, one JSON line each.

    ``POST /feedback`` is open to readers, so the file is bounded: when a record would take it
    past ``feedback_max_bytes`` it becomes ``feedback.jsonl.1`` (replacing the previous one)
    and a new file is started; the newest records are always kept.
    """

    def __init__(self, settings: Settings) -> None:
        paths = HomePaths(settings.home)
        self.path = paths.feedback
        self.rotated = paths.feedback_rotated
        self.max_bytes = settings.feedback_max_bytes
        self._lock = threading.Lock()

    def append(self, record: dict[str, object]) -> None:
        data = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode()
        with self._lock:
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                size = 0
            try:
                if size and size + len(data) > self.max_bytes:
                    os.replace(self.path, self.rotated)
                    size = 0
                with open(self.path, "ab") as handle:
                    try:
                        handle.write(data)
                        handle.flush()
                    except OSError:
                        # A full disk may have taken part of the line: cut it off, so the
                        # file stays one whole JSON record per line.
                        with contextlib.suppress(OSError):
                            handle.truncate(size)
                        raise
            except OSError as exc:
                raise StorageError(f"cannot record feedback: {exc.strerror or exc}") from exc


class ConversationMemory:
    """Conversations the service keeps (``conversation`` on POST /ask): each id's latest
    questions, per collection, in memory and bounded: at most ``MAX_CONTEXT_QUESTIONS``
    questions each, forgotten after ``idle_s`` without a question, at most ``max_count`` kept
    (the longest idle go first). A restart forgets them all: the next question stands alone."""

    def __init__(
        self, idle_s: float, max_count: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.idle_s = idle_s
        self.max_count = max_count
        self.clock = clock
        # Least recently asked first.
        self._kept: OrderedDict[tuple[str, str], tuple[float, list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def earlier(self, collection: str, conversation: str) -> list[str]:
        """The conversation's questions so far, oldest first (none when new or forgotten)."""
        with self._lock:
            self._forget_idle()
            kept = self._kept.get((collection, conversation))
            return list(kept[1]) if kept else []

    def add(self, collection: str, conversation: str, question: str) -> None:
        with self._lock:
            self._forget_idle()
            key = (collection, conversation)
            _, questions = self._kept.pop(key, (0.0, []))
            self._kept[key] = (self.clock(), [*questions, question][-MAX_CONTEXT_QUESTIONS:])
            while len(self._kept) > self.max_count:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        return len(self._kept)

    def _forget_idle(self) -> None:
        now = self.clock()
        while self._kept:
            at, _ = next(iter(self._kept.values()))
            if now - at <= self.idle_s:
                break
            self._kept.popitem(last=False)


@dataclass(slots=True)
class Services:
    """Everything the lifespan loads once; routes reach it through the dependencies in deps.py."""

    settings: Settings
    metrics: Metrics
    embedder: Embedder
    engine: ArticleQA
    holder: IndexHolder
    batcher: QueryBatcher
    rebuilder: Rebuilder
    feedback: FeedbackLog
    tokens: TokenTable
    conversations: ConversationMemory
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # Every collection's served index, loaded on its first request; ``holder`` is default's.
    holders: dict[str, IndexHolder] = field(default_factory=dict)
    _collections_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def holder_for(self, collection: str | None) -> IndexHolder:
        """The served index of ``collection`` (None: default), loaded on first use.
        InvalidCollection for a malformed name, CollectionNotFound for one that holds no
        articles and has no index."""
        name = check_name(collection)
        holder = self.holders.get(name)
        if holder is not None:
            return holder
        engine = self.engine.for_collection(name)
        await anyio.to_thread.run_sync(engine.require_exists)
        async with self._collections_lock:
            holder = self.holders.get(name)
            if holder is None:
                holder = IndexHolder(engine, self.metrics)
                await holder.load_initial()
                self.holders[name] = holder
                self.tasks.append(
                    asyncio.create_task(holder.watch(), name=f"articleqa-index-watch-{name}")
                )
        return holder

    @classmethod
    async def start(
        cls, settings: Settings, metrics: Metrics, embedder: Embedder | None = None
    ) -> Services:
        scoped = [t.token for t in settings.scoped_tokens()]
        redact_access_log(
            [t.get_secret_value() for t in (settings.api_token, settings.read_token, *scoped) if t]
        )
        tokens = TokenTable(settings)
        if not tokens.writes_enabled:
            # Once, at start: otherwise an operator learns it from the first refused write.
            logger.warning(
                "writes are disabled: ARTICLEQA_API_TOKEN is not set, so adding and removing "
                "articles and rebuilding the index over HTTP answer 403 writes_disabled"
            )
        engine = ArticleQA(settings, embedder=embedder)
        # Both loaded now, off the event loop: the first request must not wait for them.
        embedder = await anyio.to_thread.run_sync(lambda: engine.embedder)
        await anyio.to_thread.run_sync(lambda: engine.store)
        holder = IndexHolder(engine, metrics)
        await holder.load_initial()
        batcher = QueryBatcher(
            embedder,
            settings.batch_window_ms / 1000,
            metrics,
            search_threads=settings.compute_threads,
            collector=QuestionCollector(),
        )
        batcher.start()
        services = cls(
            settings=settings,
            metrics=metrics,
            embedder=embedder,
            engine=engine,
            holder=holder,
            batcher=batcher,
            rebuilder=Rebuilder(engine, holder, metrics),
            feedback=FeedbackLog(settings),
            tokens=tokens,
            conversations=ConversationMemory(
                settings.conversation_idle_s, settings.max_conversations
            ),
        )
        services.holders[DEFAULT] = holder
        services.tasks.append(asyncio.create_task(holder.watch(), name="articleqa-index-watch"))
        return services

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.rebuilder.stop()
        await self.batcher.stop()
