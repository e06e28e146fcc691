"""Run the articleqa CLI with a crash point: at a chosen stage the process stops and waits.

Used by the reliability tests as ``python crashpoint.py <cli args...>`` with
``ARTICLEQA_CRASHPOINT=<stage>`` and ``ARTICLEQA_CRASHPOINT_DIR=<folder>``. On reaching the
stage it writes ``<folder>/<stage>.reached`` (its pid) and waits until ``<folder>/release``
exists, so the test can ``kill -9`` it exactly there, or let it go on. The hooks are installed
by monkeypatching this process only: production code carries no test hook.

Stages:
  embedding     after the first chunk of embeddings was computed and cached
  before-write  every vector is ready; nothing of the new snapshot is on disk yet
  staged        the hidden staging folder is complete, just before it is renamed into place
  renamed       the snapshot folder is in place, just before CURRENT is replaced
  published     CURRENT names the new snapshot, just before old ones are pruned
  upsert-<n>    inside the n-th article write transaction, before its COMMIT

Fault (no stop): ``disk-full`` sends the FAISS index to /dev/full, a real ENOSPC write error.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# A crash point nobody releases must not outlive the test run.
MAX_WAIT_S = 300.0
# Small chunks, so a build is still embedding after its first chunk is cached.
EMBED_CHUNK = 4


def _halt(stage: str) -> None:
    folder = Path(os.environ["ARTICLEQA_CRASHPOINT_DIR"])
    (folder / f"{stage}.reached").write_text(str(os.getpid()))
    deadline = time.monotonic() + MAX_WAIT_S
    while not (folder / "release").exists():
        if time.monotonic() > deadline:
            os._exit(3)
        time.sleep(0.02)


def _before(func: Callable[..., Any], stage: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _halt(stage)
        return func(*args, **kwargs)

    return wrapper


def install(stage: str) -> None:
    from articleqa import embedding_cache, indexer, store

    indexer.EMBED_CHUNK = EMBED_CHUNK
    if stage == "embedding":
        put_many = embedding_cache.EmbeddingCache.put_many

        def put_then_halt(self: Any, items: Any) -> Any:
            result = put_many(self, items)
            _halt(stage)
            return result

        embedding_cache.EmbeddingCache.put_many = put_then_halt  # type: ignore[method-assign, unused-ignore]
    elif stage == "before-write":
        indexer.write_snapshot = _before(indexer.write_snapshot, stage)
    elif stage == "staged":
        rename = os.rename

        def rename_after_halt(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            if Path(src).name.startswith(".building-"):
                _halt(stage)
            rename(src, dst, *args, **kwargs)

        os.rename = rename_after_halt
    elif stage == "renamed":
        indexer.publish = _before(indexer.publish, stage)
    elif stage == "published":
        indexer.prune = _before(indexer.prune, stage)
    elif stage == "disk-full":
        import faiss

        faiss_write_index = faiss.write_index

        def write_to_full_disk(index: Any, path: str) -> None:
            faiss_write_index(index, "/dev/full")

        faiss.write_index = write_to_full_disk  # type: ignore[assignment]
    elif stage.startswith("upsert-"):
        target = int(stage.removeprefix("upsert-"))
        bump = store.ArticleStore._bump_generation
        calls = 0

        def bump_then_halt(db: Any, collection: str) -> None:
            nonlocal calls
            bump(db, collection)
            calls += 1
            if calls == target:
                _halt(stage)

        store.ArticleStore._bump_generation = staticmethod(bump_then_halt)  # type: ignore[method-assign, unused-ignore]
    else:
        raise SystemExit(f"unknown crash point {stage!r}")


if __name__ == "__main__":
    install(os.environ["ARTICLEQA_CRASHPOINT"])
    from articleqa.cli.main import main

    main(sys.argv[1:], prog_name="articleqa")
