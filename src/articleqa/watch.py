"""Keeping the index in step with a folder of article files (and, optionally, with feeds).

The folder is the truth for the articles read from it: a file added or changed is ingested, a
file deleted takes its articles out of the store. After a batch of changes the index is rebuilt
once (incrementally) and published; a running API picks the new snapshot up by itself.

Whether a rebuild is due is decided by the store's generation counter against the one the
published snapshot was built from, so changes made by anyone (this watcher, a feed poll, the
API) are indexed, and a rebuild refused because another one is running is simply retried.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from articleqa.config import Settings
from articleqa.engine import ArticleQA
from articleqa.errors import (
    ArticleNotFound,
    ArticleQAError,
    NoArticles,
    RebuildInProgress,
    SnapshotCorrupt,
    StorageError,
)
from articleqa.ingest import is_supported, iter_folder
from articleqa.paths import HomePaths
from articleqa.service import IngestOutcome, IngestStatus
from articleqa.sqlite_files import connect, migrate

if TYPE_CHECKING:
    from articleqa.embedding import Embedder
    from articleqa.feeds import FeedPoller
    from articleqa.indexer import BuildReport

logger = logging.getLogger(__name__)

# Schema steps after the base table (see sqlite_files.migrate); none yet.
_STATE_MIGRATIONS: tuple[str, ...] = ()
# Records of a JSON file are stored with sources "<file>[n]", of a JSON Lines file "<file>:n".
_RECORD_SOURCE = re.compile(r"^(?P<file>.+\.jsonl):\d+$|^(?P<json>.+\.json)\[\d+\]$", re.IGNORECASE)


def file_of_source(source: str) -> str:
    """The file an article was read from, given the article's stored ``source``."""
    match = _RECORD_SOURCE.match(source)
    if match is None:
        return source
    return match.group("file") or match.group("json")


def _is_hidden(path: Path, root: Path) -> bool:
    try:
        relative = path.relative_to(root)
    except ValueError:
        return True
    return any(part.startswith(".") for part in relative.parts)


class FileStates:
    """Size and mtime of each file as last ingested, so a restart re-reads only what changed."""

    def __init__(self, home: Path) -> None:
        self.path = HomePaths(home).watch_state
        try:
            home.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS files "
                    "(path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL)"
                )
                migrate(db, _STATE_MIGRATIONS, "watcher state")
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the watcher state at {self.path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path, autocommit=True)

    def all(self) -> dict[str, tuple[int, int]]:
        with contextlib.closing(self._connect()) as db:
            return {p: (m, s) for p, m, s in db.execute("SELECT path, mtime_ns, size FROM files")}

    def put(self, path: str, mtime_ns: int, size: int) -> None:
        with contextlib.closing(self._connect()) as db:
            db.execute(
                "INSERT OR REPLACE INTO files (path, mtime_ns, size) VALUES (?, ?, ?)",
                (path, mtime_ns, size),
            )

    def forget(self, paths: Iterable[str]) -> None:
        with contextlib.closing(self._connect()) as db:
            db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])


class Watcher:
    """Watches ``folder`` (if given) and polls feeds (if a poller is given) until stopped.

    Args:
        settings: Settings; ``home`` is where the store and snapshots live.
        folder: The folder of article files to mirror, or None for feeds only.
        feeds: A FeedPoller to run every ``feed_interval_s`` seconds, or None.
        embedder: Loaded once and reused by every rebuild; default from the settings.
        engine: The engine to ingest and build through; default: one made from the settings
            (and ``embedder``).
        stop_event: Set it to make ``run`` return (the CLI sets it on SIGTERM/SIGINT).
        tick_s: How often the loop wakes without changes, to retry rebuilds and poll feeds.
    """

    def __init__(
        self,
        settings: Settings,
        folder: Path | None = None,
        *,
        feeds: FeedPoller | None = None,
        feed_interval_s: float | None = None,
        embedder: Embedder | None = None,
        stop_event: threading.Event | None = None,
        tick_s: float = 1.0,
        engine: ArticleQA | None = None,
    ) -> None:
        if folder is None and feeds is None:
            raise ValueError("nothing to watch: give a folder, feeds, or both")
        self.settings = settings
        self.root = folder.resolve() if folder is not None else None
        self.feeds = feeds
        self.feed_interval_s = feed_interval_s or settings.feed_interval_s
        self.stop_event = stop_event or threading.Event()
        self.tick_s = tick_s
        self.engine = engine or ArticleQA(settings, embedder=embedder)
        self.states = FileStates(settings.home)
        self._built_generation: int | None = None
        self._retry_at = 0.0
        self._failures = 0
        self._next_feed_poll = 0.0
        # Set once the first reconcile and rebuild are done; tests and callers may wait on it.
        self.ready = threading.Event()
        self.on_rebuild: Callable[[BuildReport], None] | None = None

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> None:
        """Reconcile, then follow changes until ``stop_event`` is set."""
        if self.root is None:
            self._startup()
            while not self.stop_event.wait(self.tick_s):
                self.tick()
            logger.info("watcher stopped")
            return
        import watchfiles

        if not self.root.is_dir():
            raise ArticleQAError(f"{self.root} is not a folder")
        logger.info("watching %s", self.root)
        started = False
        # The folder is reconciled inside the loop, once the watcher is listening, so that a
        # file dropped between the scan and the first event cannot be missed.
        for changes in watchfiles.watch(
            self.root,
            watch_filter=self._accepts,
            debounce=self.settings.watch_debounce_ms,
            step=50,
            stop_event=self.stop_event,
            rust_timeout=max(int(self.tick_s * 1000), 50),
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            if not started:
                started = True
                self._startup()
            if changes:
                self.apply_changes(path for _change, path in changes)
            self.tick()
        logger.info("watcher stopped")

    def stop(self) -> None:
        self.stop_event.set()

    def _startup(self) -> None:
        if self.root is not None:
            self.reconcile()
        self.tick()
        self.ready.set()

    def tick(self) -> None:
        """Poll feeds when due, then rebuild if the store moved past the published snapshot."""
        if self.feeds is not None and time.monotonic() >= self._next_feed_poll:
            self._next_feed_poll = time.monotonic() + self.feed_interval_s
            try:
                self.feeds.poll_all()
            except Exception:
                logger.exception(
                    "feed polling failed; will try again in %.0fs", self.feed_interval_s
                )
        self.rebuild_if_needed()

    def _accepts(self, _change: object, path: str) -> bool:
        assert self.root is not None
        candidate = Path(path)
        if _is_hidden(candidate, self.root):
            return False
        # No suffix may be a folder (moved in or deleted whole); other suffixes are not articles.
        return is_supported(candidate.name) or not candidate.suffix

    # -- folder -> store --------------------------------------------------------------------

    def _ids_by_file(self) -> dict[str, set[str]]:
        """Article ids per source file, for the files under the watched folder."""
        assert self.root is not None
        prefix = f"{self.root}/"
        by_file: dict[str, set[str]] = {}
        total = self.engine.article_count()
        for meta in self.engine.articles(0, max(total, 1)) if total else []:
            if meta.source and meta.source.startswith(prefix):
                by_file.setdefault(file_of_source(meta.source), set()).add(meta.id)
        return by_file

    def reconcile(self) -> None:
        """Bring the store in line with the folder after changes made while not watching."""
        assert self.root is not None
        files = {str(p.resolve()): p for p in iter_folder(self.root)}
        by_file = self._ids_by_file()
        prefix = f"{self.root}/"
        known = {p: state for p, state in self.states.all().items() if p.startswith(prefix)}
        for gone in sorted(by_file.keys() - files.keys()):
            self._remove_ids(gone, by_file[gone])
        self.states.forget(known.keys() - files.keys())
        changed = 0
        for resolved, path in files.items():
            stat = self._stat(path)
            if stat is None:
                continue
            if known.get(resolved) == stat and resolved in by_file:
                continue
            changed += 1
            with self._per_file(path):
                self._ingest_file(path, by_file.get(resolved, set()))
        logger.info("reconciled %s: %d files, %d read", self.root, len(files), changed)

    def apply_changes(self, paths: Iterable[str]) -> None:
        """Ingest or remove what each changed path now is; the event kind is not trusted, since
        a burst may hold an add, edits and a delete of one path."""
        assert self.root is not None
        by_file = self._ids_by_file()
        for path_text in sorted(set(paths)):
            path = Path(path_text)
            with self._per_file(path):
                if path.is_dir():
                    for file in iter_folder(path):
                        with self._per_file(file):
                            self._ingest_file(file, by_file.get(str(file.resolve()), set()))
                elif path.is_file():
                    if is_supported(path.name):
                        self._ingest_file(path, by_file.get(str(path.resolve()), set()))
                else:
                    self._remove_path(str(path.resolve()), by_file)

    @staticmethod
    @contextlib.contextmanager
    def _per_file(path: Path) -> Iterator[None]:
        """The watcher outlives any one file: at start (reconcile) as at run time, a failure is
        logged against its file and the watcher goes on (issue 15, item 2)."""
        try:
            yield
        except ArticleQAError as exc:
            logger.error("%s: %s", path, exc.message)
        except Exception:
            logger.exception("%s: unexpected error", path)

    def _remove_path(self, resolved: str, by_file: dict[str, set[str]]) -> None:
        # A deleted folder takes every file under it.
        for file in [f for f in by_file if f == resolved or f.startswith(f"{resolved}/")]:
            self._remove_ids(file, by_file.pop(file))
        self.states.forget([resolved])

    def _remove_ids(self, file: str, ids: Iterable[str]) -> None:
        for article_id in sorted(ids):
            try:
                self.engine.remove(article_id)
            except ArticleNotFound:
                continue  # already replaced by the new version of its file
            logger.info("removed %s (no longer in %s)", article_id, file)
        self.states.forget([file])

    @staticmethod
    def _stat(path: Path) -> tuple[int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _ingest_file(self, path: Path, previous_ids: set[str]) -> list[IngestOutcome]:
        stat = self._stat(path)
        outcomes = self.engine.add([str(path)])
        failed = [o for o in outcomes if o.failed]
        for outcome in outcomes:
            if outcome.failed:
                logger.error("%s: not ingested: %s", outcome.source, outcome.error)
            elif outcome.status != IngestStatus.UNCHANGED:
                logger.info(
                    "%s %s %r from %s", outcome.status, outcome.article_id, outcome.title, path
                )
        if failed:
            # Keep what the file held before: a half-written save must not take articles away.
            return outcomes
        stale = previous_ids - {o.article_id for o in outcomes if o.article_id}
        if stale:
            self._remove_ids(str(path.resolve()), stale)
        if stat is not None:
            self.states.put(str(path.resolve()), *stat)
        return outcomes

    # -- store -> snapshot ------------------------------------------------------------------

    def _published_generation(self) -> int | None:
        try:
            manifest = self.engine.manifest()
        except SnapshotCorrupt:
            return None
        return manifest.store_generation if manifest is not None else None

    def rebuild_if_needed(self) -> BuildReport | None:
        """Rebuild and publish when the store changed since the published snapshot."""
        if time.monotonic() < self._retry_at:
            return None
        generation = self.engine.store_generation()
        if generation == self._built_generation:
            return None
        # Someone else (the API, `articleqa index`) may already have published this state.
        self._built_generation = self._published_generation()
        if generation == self._built_generation:
            return None
        try:
            report = self.engine.build()
        except NoArticles:
            # Nothing to build until something is added: waiting is not a failure.
            logger.info("no articles yet; the index is built once some are added")
            self._built_generation = generation
            return None
        except RebuildInProgress as exc:
            logger.info("%s; retrying in %.0fs", exc.message, self.settings.watch_retry_s)
            self._retry_at = time.monotonic() + self.settings.watch_retry_s
            return None
        except Exception as exc:
            self._failures += 1
            delay = min(self.settings.watch_retry_s * 2 ** (self._failures - 1), 300.0)
            message = exc.message if isinstance(exc, ArticleQAError) else repr(exc)
            logger.error("rebuild failed: %s; retrying in %.0fs", message, delay, exc_info=True)
            self._retry_at = time.monotonic() + delay
            return None
        self._failures = 0
        self._built_generation = report.store_generation
        logger.info(
            "published %s: %d articles, %d passages (%d embedded)",
            report.version,
            report.articles,
            report.passages,
            report.embedded,
        )
        if self.on_rebuild is not None:
            self.on_rebuild(report)
        return report
