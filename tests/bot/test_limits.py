from __future__ import annotations

import pytest

from articleqa_bot.errors import RateLimited
from articleqa_bot.limits import QuestionLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_user_cooldown_refuses_then_allows() -> None:
    clock = Clock()
    limiter = QuestionLimiter(user_cooldown_s=10, guild_per_minute=0, clock=clock)
    limiter.acquire(1, 7)
    clock.now += 4
    with pytest.raises(RateLimited) as refused:
        limiter.acquire(1, 7)
    assert refused.value.retry_after == pytest.approx(6)
    assert not refused.value.per_guild
    assert "try again in 6 seconds" in refused.value.user_message()
    limiter.acquire(2, 7)  # another user is not affected
    clock.now += 6
    limiter.acquire(1, 7)


def test_guild_rate_is_a_sliding_minute() -> None:
    clock = Clock()
    limiter = QuestionLimiter(user_cooldown_s=0, guild_per_minute=2, clock=clock)
    limiter.acquire(1, 7)
    clock.now += 30
    limiter.acquire(2, 7)
    with pytest.raises(RateLimited) as refused:
        limiter.acquire(3, 7)
    assert refused.value.per_guild and refused.value.retry_after == pytest.approx(30)
    limiter.acquire(3, 8)  # another server has its own budget
    limiter.acquire(3, None)  # direct messages have no server budget
    clock.now += 30
    limiter.acquire(3, 7)


def test_refused_questions_are_not_counted_and_refunds_give_back() -> None:
    clock = Clock()
    limiter = QuestionLimiter(user_cooldown_s=10, guild_per_minute=1, clock=clock)
    limiter.acquire(1, 7)
    with pytest.raises(RateLimited):
        limiter.acquire(1, 7)
    limiter.refund(1, 7)
    limiter.acquire(1, 7)


def test_zero_disables_both_limits() -> None:
    limiter = QuestionLimiter(user_cooldown_s=0, guild_per_minute=0, clock=Clock())
    for _ in range(100):
        limiter.acquire(1, 7)
