"""Service state that needs no server: the bounded feedback log."""

from __future__ import annotations

import json
from pathlib import Path

from articleqa.api.state import FeedbackLog
from articleqa.config import Settings


def test_feedback_log_rotates_instead_of_growing_without_bound(home: Path) -> None:
    settings = Settings(home=home, feedback_max_bytes=10_000, _env_file=None)  # type: ignore[call-arg]
    log = FeedbackLog(settings)
    for number in range(50):  # about 1 KB each: 50 KB in all
        log.append({"number": number, "question": "x" * 1_000})

    current = [json.loads(line)["number"] for line in log.path.read_text().splitlines()]
    previous = [json.loads(line)["number"] for line in log.rotated.read_text().splitlines()]
    assert log.path.stat().st_size <= 10_000
    assert log.rotated.stat().st_size <= 10_000
    assert current[-1] == 49  # the newest record is kept
    assert previous + current == list(range(previous[0], 50))  # no gap between the two files
    assert not list(home.glob("feedback.jsonl.2*"))


def test_kept_conversations_are_bounded_and_forgotten_when_idle() -> None:
    from articleqa.api.state import ConversationMemory
    from tests.bot.test_limits import Clock

    clock = Clock()
    memory = ConversationMemory(idle_s=60, max_count=2, clock=clock)
    for n in range(7):
        memory.add("default", "chat-0001", f"question {n}?")
    # At most five questions each (MAX_CONTEXT_QUESTIONS), the latest.
    assert memory.earlier("default", "chat-0001") == [f"question {n}?" for n in range(2, 7)]
    assert memory.earlier("club", "chat-0001") == []  # one id in two collections: two
    memory.add("club", "chat-0001", "club question?")
    memory.add("default", "chat-0002", "another?")  # a third: the longest idle goes
    assert len(memory) == 2 and memory.earlier("default", "chat-0001") == []
    clock.now += 61
    assert memory.earlier("club", "chat-0001") == [] and len(memory) == 0


def test_a_loaded_index_is_frozen_out_of_the_collectors_sight_and_old_cycles_freed() -> None:
    import gc
    import weakref

    from articleqa.api.collector import settled as _settled

    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the collector frees it

    left_over = Node()
    gone = weakref.ref(left_over)
    gc.freeze()  # as the snapshot served before: its cycle is frozen
    del left_over
    try:
        loaded = _settled(lambda: [Node() for _ in range(3)])
        assert gone() is None  # unfrozen and collected when the next one was loaded
        assert gc.get_freeze_count() > 0
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(node) in tracked for node in loaded)  # out of the collector's sight
    finally:
        gc.unfreeze()
