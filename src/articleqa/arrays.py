"""Reading the ``.npy`` files of a snapshot, safe to do from several threads at once.

numpy reads an ``.npy`` header with ``ast.literal_eval``. On CPython 3.11 the AST constructor's
recursion counter belongs to the interpreter, not to a thread, so two threads parsing at once
can corrupt it and one of them fails with ``SystemError: AST constructor recursion depth
mismatch`` (python/cpython#106905 and its relatives). A server reloading a new snapshot while
another thread loads one (a second collection, a check) did exactly that. Every ``.npy`` read of
the package goes through ``load_array``, which reads one file at a time: large arrays are mapped,
not read, so the lock is held while a header is parsed and a small array (offsets, ordinals) read.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

_HEADER_PARSE = threading.Lock()


def load_array(path: Path, *, mapped: bool) -> np.ndarray:
    """The array stored in ``path`` (mapped read-only when ``mapped``); never a pickle."""
    with _HEADER_PARSE:
        return np.load(path, allow_pickle=False, mmap_mode="r" if mapped else None)
