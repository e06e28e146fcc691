"""Where a full build's memory goes: ``articleqa index`` with the RSS after each step.

Runs the index command of the ``src/`` on ``PYTHONPATH`` for ``ARTICLEQA_HOME`` (in this
process) and prints to stderr, after each step of ``Indexer`` (splitting into the passage list,
the BM25 segment, the embedding pass, the sentence file, the vector index, the snapshot's
writing), the seconds since the start, the RSS and the peak RSS so far (``VmRSS``, ``VmHWM``,
MiB). ``--stop-after-plan`` ends the build before the embedding pass (no snapshot is published):
the split and the BM25 segment alone, for a home whose full build would take too long.

    ARTICLEQA_HOME=/tmp/home ARTICLEQA_EMBEDDING_BACKEND=fake PYTHONPATH=/tmp/old/src \
        nice -n 10 .venv/bin/python bench/build_steps.py
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from typing import Any

STARTED = time.perf_counter()


class Stopped(Exception):
    """Raised in place of the embedding pass with ``--stop-after-plan``."""


def status() -> dict[str, int]:
    found = {}
    with open("/proc/self/status") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) // 1024
    return found


def log(step: str) -> None:
    now = status()
    print(
        f"STEP {time.perf_counter() - STARTED:7.1f}s {step}: "
        f"rss {now['VmRSS']} MB peak {now['VmHWM']} MB",
        file=sys.stderr,
        flush=True,
    )


def logged(owner: Any, name: str, label: str | None = None) -> None:
    function = getattr(owner, name, None)
    if function is None:
        return  # a step the tree measured does not have (e.g. a baseline's)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        log(label or name)
        return result

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stop-after-plan", action="store_true")
    args = parser.parse_args()
    from articleqa import indexer
    from articleqa.cli.main import main as cli
    from articleqa.lexical import LexicalIndex

    steps = ("passage_list", "plan", "_embedded", "_vector_file", "_sentence_file", "prepare")
    for name in (*steps, "manifest"):
        logged(indexer.Indexer, name)
    for name in ("build_chosen", "write_snapshot"):
        logged(indexer, name)
    logged(LexicalIndex, "build", "LexicalIndex.build")
    if args.stop_after_plan:

        def stop(*_: Any, **__: Any) -> Any:
            log("stopped before the embedding pass")
            raise Stopped()

        indexer.Indexer.prepare = stop  # type: ignore[method-assign]
    log("start")
    sys.argv = ["articleqa", "index", "--quiet"]
    try:
        cli()
    except (Stopped, SystemExit):
        pass
    finally:
        log("end")


if __name__ == "__main__":
    main()
