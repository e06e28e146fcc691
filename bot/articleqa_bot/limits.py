"""Per-user cooldown and per-server rate limit for questions, shared by every way of asking."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from .errors import RateLimited

WINDOW_S = 60.0


class QuestionLimiter:
    """Refuses a question when its user asked less than ``user_cooldown_s`` ago or its server
    asked ``guild_per_minute`` questions in the last minute. Zero disables either limit."""

    def __init__(
        self,
        *,
        user_cooldown_s: float,
        guild_per_minute: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_cooldown_s = user_cooldown_s
        self.guild_per_minute = guild_per_minute
        self._clock = clock
        self._last_by_user: dict[int, float] = {}
        self._recent_by_guild: dict[int, deque[float]] = {}

    def acquire(self, user_id: int, guild_id: int | None) -> None:
        """Record a question or raise :class:`RateLimited`; nothing is recorded when refused."""
        now = self._clock()
        if self.user_cooldown_s > 0:
            last = self._last_by_user.get(user_id)
            if last is not None and now - last < self.user_cooldown_s:
                raise RateLimited(self.user_cooldown_s - (now - last), per_guild=False)
        recent: deque[float] | None = None
        if guild_id is not None and self.guild_per_minute > 0:
            recent = self._recent_by_guild.setdefault(guild_id, deque())
            while recent and now - recent[0] >= WINDOW_S:
                recent.popleft()
            if len(recent) >= self.guild_per_minute:
                raise RateLimited(WINDOW_S - (now - recent[0]), per_guild=True)
        if self.user_cooldown_s > 0:
            self._last_by_user[user_id] = now
            self._forget_stale_users(now)
        if recent is not None:
            recent.append(now)

    def refund(self, user_id: int, guild_id: int | None) -> None:
        """Give a question back when it failed for reasons that aren't the user's fault."""
        self._last_by_user.pop(user_id, None)
        if guild_id is not None:
            recent = self._recent_by_guild.get(guild_id)
            if recent:
                recent.pop()

    def _forget_stale_users(self, now: float) -> None:
        # Bounded memory on busy bots: entries older than the cooldown no longer matter.
        if len(self._last_by_user) > 10_000:
            self._last_by_user = {
                user: at
                for user, at in self._last_by_user.items()
                if now - at < self.user_cooldown_s
            }
