"""The conversations the bot is part of: each one's latest questions, sent to the API as
``context`` so that a follow-up ("when did they start talking?") is answered from the subject
of the questions before it.

Kept in memory, bounded three ways (questions per conversation, idle age, number of
conversations): a busy server never makes it grow without end, and a restart forgets them,
which only means the next question starts afresh.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

# The API's own limit on ``context``: older questions cannot carry a subject there anyway.
MAX_QUESTIONS = 5
MAX_CONVERSATIONS = 2000


@dataclass
class _Conversation:
    questions: deque[str] = field(default_factory=lambda: deque(maxlen=MAX_QUESTIONS))
    last: float = 0.0


class Conversations:
    def __init__(
        self,
        idle_s: float,
        *,
        limit: int = MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_s = idle_s
        self.limit = limit
        self._clock = clock
        self._open: OrderedDict[Hashable, _Conversation] = OrderedDict()

    def earlier(self, key: Hashable) -> list[str]:
        """The conversation's questions so far, oldest first; none once it has gone idle."""
        conversation = self._open.get(key)
        if conversation is None:
            return []
        if self._clock() - conversation.last > self.idle_s:
            del self._open[key]
            return []
        return list(conversation.questions)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._open

    def add(self, key: Hashable, question: str) -> None:
        conversation = self._open.pop(key, None) or _Conversation()
        conversation.questions.append(question)
        conversation.last = self._clock()
        self._open[key] = conversation  # most recently used last
        while len(self._open) > self.limit:
            self._open.popitem(last=False)
