"""``load_array`` from several threads at once: the ``.npy`` header parse is serialised."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from articleqa.arrays import load_array


class _Cycle:
    """Garbage that only the cycle collector frees, running Python code when it does: a
    collection in the middle of one thread's header parse lets another thread run."""

    def __init__(self) -> None:
        self.itself = self

    def __del__(self) -> None:
        sum(range(50))


@pytest.fixture
def switch_often() -> Iterator[None]:
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    sys.setswitchinterval(1e-6)
    gc.set_threshold(50)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("switch_often")
@pytest.mark.parametrize("mapped", [True, False])
def test_threads_loading_arrays_at_once_all_succeed(tmp_path: Path, mapped: bool) -> None:
    # Before the lock, CPython 3.11 failed some of these loads with "SystemError: AST
    # constructor recursion depth mismatch" (a server reloading while a check loaded).
    stored = np.arange(12, dtype=np.int64).reshape(4, 3)
    path = tmp_path / "rows.npy"
    np.save(path, stored)
    failures: list[BaseException] = []

    def load_many() -> None:
        for _ in range(3000):
            try:
                loaded = load_array(path, mapped=mapped)
                if not np.array_equal(loaded, stored):
                    raise ValueError(f"read {loaded!r}")
            except Exception as exc:  # the failure under test is a SystemError
                failures.append(exc)
                return
            _Cycle()

    threads = [threading.Thread(target=load_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
