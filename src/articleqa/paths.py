"""Every path under ``ARTICLEQA_HOME``: the one module that knows the data directory's layout.

::

    articles.sqlite        the article store (schema version in PRAGMA user_version)
    snapshots/<version>/   built indexes (see snapshot.py for the files inside one)
    CURRENT                the published snapshot's version
    PUBLISHED              every version CURRENT has named, one a line
    build.lock             held (flock) by whoever builds or rolls back
    embeddings/            embedding cache, one SQLite file per model
    cache/                 passage split cache
    models/                the exported ONNX model (unless ARTICLEQA_ONNX_DIR says otherwise)
    feeds.sqlite           registered feeds and the entries seen
    watch.sqlite           size and mtime of each watched file as last ingested
    feedback.jsonl(.1)     answer feedback from the API, rotated once
    collections/<name>/    the index of collection <name> (every collection but ``default``):
                           its own snapshots/, CURRENT, PUBLISHED and build.lock

The ``default`` collection's index is the home's own snapshots/, CURRENT, PUBLISHED and
build.lock, where an index was before collections existed: an old data directory is the
``default`` collection as it stands.

Other modules ask here rather than joining names to ``home`` themselves, so the layout can
change (or move to a database) in one place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from articleqa.collection import DEFAULT

logger = logging.getLogger(__name__)

STORE_FILE = "articles.sqlite"
SNAPSHOTS = "snapshots"
POINTER = "CURRENT"
HISTORY = "PUBLISHED"
LOCK_FILE = "build.lock"
EMBEDDINGS = "embeddings"
SPLITS = "cache"
MODELS = "models"
FEEDS_FILE = "feeds.sqlite"
WATCH_FILE = "watch.sqlite"
FEEDBACK_FILE = "feedback.jsonl"
COLLECTIONS = "collections"


class _Entry:
    """A name under the home, read as an attribute of ``HomePaths``: ``paths.store``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, paths: HomePaths, owner: type[HomePaths] | None = None) -> Path:
        return paths.home / self.name


@dataclass(frozen=True, slots=True)
class HomePaths:
    """The files and folders of one data directory (nothing is created here)."""

    home: Path

    store = _Entry(STORE_FILE)
    snapshots = _Entry(SNAPSHOTS)
    pointer = _Entry(POINTER)
    history = _Entry(HISTORY)
    build_lock = _Entry(LOCK_FILE)
    embeddings = _Entry(EMBEDDINGS)
    splits = _Entry(SPLITS)
    models = _Entry(MODELS)
    feeds = _Entry(FEEDS_FILE)
    watch_state = _Entry(WATCH_FILE)
    feedback = _Entry(FEEDBACK_FILE)
    feedback_rotated = _Entry(f"{FEEDBACK_FILE}.1")

    collections = _Entry(COLLECTIONS)

    def snapshot(self, version: str) -> Path:
        return self.snapshots / version

    def index_root(self, collection: str) -> Path:
        """The folder holding ``collection``'s snapshots, pointer, history and build lock
        (``HomePaths(index_root)`` names them); ``default``'s is the home itself."""
        return self.home if collection == DEFAULT else self.collections / collection

    def indexed_collections(self) -> list[str]:
        """Collections other than ``default`` that have an index folder, sorted."""
        folder = self.collections
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def onnx_base(home: Path, onnx_dir: Path | None) -> Path:
    """Where exported ONNX models are cached: ``ARTICLEQA_ONNX_DIR`` or ``<home>/models``."""
    return onnx_dir if onnx_dir is not None else HomePaths(home).models
