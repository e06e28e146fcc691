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

Other modules ask here rather than joining names to ``home`` themselves, so the layout can
change (or move to a database) in one place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

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

    def snapshot(self, version: str) -> Path:
        return self.snapshots / version


def onnx_base(home: Path, onnx_dir: Path | None) -> Path:
    """Where exported ONNX models are cached: ``ARTICLEQA_ONNX_DIR`` or ``<home>/models``."""
    return onnx_dir if onnx_dir is not None else HomePaths(home).models
