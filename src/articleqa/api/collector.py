"""When the garbage collector looks at what the server holds.

A loaded snapshot, and what questions leave in the searcher's caches (each passage's sentences
and terms, each article's about-terms), are long-lived objects. Walked by the collector in the
middle of a question they cost young collections of up to 8 ms and full ones of 130-300 ms
(BENCHMARKS.md, "Scale, eighth pass" and "ninth pass"). So they are frozen out of its sight:
the snapshot once loaded, and what a question left behind once it is answered (``gc.freeze``
moves the generations' lists: constant time, whatever they hold).

A frozen object is still freed when its last reference goes (a cache emptied when full); only a
frozen reference cycle is not. So at each snapshot load, and every ``FULL_EVERY`` answered
questions, everything is unfrozen and collected once: what an earlier snapshot or a finished
request left in cycles is freed then.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Answered questions between two full collections: one pause (~130 ms at 200 k passages) in
# that many questions, instead of a full collection every ~200 first asks.
FULL_EVERY = 2_000


def collect_all() -> None:
    """Unfreeze, collect everything, and freeze what is still alive."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def settled(load: Callable[[], T]) -> T:
    """``load()``, then the garbage it left collected and everything still alive frozen.
    Unfrozen first, so that what an earlier snapshot left in cycles is collected now."""
    loaded = load()
    collect_all()
    return loaded


class QuestionCollector:
    """Freezes what each answered question left alive; collects everything every
    ``full_every`` questions."""

    def __init__(self, full_every: int = FULL_EVERY) -> None:
        self.full_every = full_every
        self._answered = 0
        self._lock = threading.Lock()

    def answered(self) -> None:
        with self._lock:
            self._answered += 1
            full = self._answered >= self.full_every
            if full:
                self._answered = 0
        if full:
            collect_all()
        else:
            gc.freeze()
