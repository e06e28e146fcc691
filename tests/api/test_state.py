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
