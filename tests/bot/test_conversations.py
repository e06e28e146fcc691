"""The bot's memory of conversations stays bounded: questions, idle age, conversations."""

from __future__ import annotations

from articleqa_bot.conversations import MAX_QUESTIONS, Conversations

from .test_limits import Clock


def test_questions_are_kept_oldest_first_up_to_the_apis_limit() -> None:
    conversations = Conversations(60, clock=Clock())
    for n in range(MAX_QUESTIONS + 2):
        conversations.add("thread", f"q{n}")
    assert conversations.earlier("thread") == [f"q{n}" for n in range(2, MAX_QUESTIONS + 2)]
    assert conversations.earlier("other") == []


def test_an_idle_conversation_is_forgotten() -> None:
    clock = Clock()
    conversations = Conversations(60, clock=clock)
    conversations.add("a", "who won the cup?")
    clock.now += 59
    assert conversations.earlier("a") == ["who won the cup?"]
    conversations.add("a", "when do they meet?")
    clock.now += 61
    assert conversations.earlier("a") == []
    assert "a" not in conversations


def test_the_least_recently_used_conversation_goes_first() -> None:
    conversations = Conversations(60, limit=2, clock=Clock())
    conversations.add("a", "1")
    conversations.add("b", "2")
    conversations.add("a", "3")  # "a" used again: "b" is now the oldest
    conversations.add("c", "4")
    assert "b" not in conversations
    assert conversations.earlier("a") == ["1", "3"]
