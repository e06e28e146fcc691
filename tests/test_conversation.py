"""Which earlier question a follow-up carries, and in whose words."""

from __future__ import annotations

import pytest

from articleqa.conversation import (
    MAX_CONTEXT_QUESTIONS,
    Turn,
    carried_subject,
    check_context,
    classify,
    follow_up,
)
from articleqa.errors import InvalidInput

PUTIN = "What did Putin ask Musk about Taiwan?"


@pytest.mark.parametrize(
    ("question", "turn"),
    [
        ("When did they start talking?", Turn.REFERS),
        ("What did the Kremlin say about that?", Turn.REFERS),  # names something, points back
        ("How much did the parts cost?", Turn.UNNAMED),
        ("Who came second?", Turn.UNNAMED),
        ("Who won the Lakeshore Regional Science Fair?", Turn.FRESH),
        ("Which compression algorithm does bzip2 use?", Turn.FRESH),
        ("Why did that robot win?", Turn.UNNAMED),  # "that" before a noun introduces it
        ("What was its price?", Turn.REFERS),
        # The possessive stands for a word of the question itself.
        ("How many people came to the museum on its opening weekend?", Turn.UNNAMED),
    ],
)
def test_turns_are_told_apart_by_their_own_words(question: str, turn: Turn) -> None:
    assert classify(question) is turn


def test_a_follow_up_carries_the_earlier_subject_in_its_words() -> None:
    found = follow_up("When did they start talking?", [PUTIN])
    assert found.turn is Turn.REFERS
    assert found.subject is not None
    assert found.subject.line == "Putin, Musk, Taiwan"
    assert found.search_text("When did they start talking?") == (
        "When did they start talking? Putin Musk Taiwan"
    )


def test_a_chain_keeps_its_subject_and_adds_what_a_pointing_turn_names() -> None:
    subject = carried_subject([PUTIN, "What did the Kremlin say about that?", "Why?"])
    assert subject is not None
    assert subject.words == ("Putin", "Musk", "Taiwan", "Kremlin")
    assert subject.question == "Why?"


def test_a_new_subject_starts_afresh() -> None:
    assert follow_up("Which compression algorithm does bzip2 use?", [PUTIN]).subject is None
    assert carried_subject([PUTIN, "Who wrote bzip2?"]).words == ("bzip2",)  # type: ignore[union-attr]


def test_an_earlier_question_without_names_carries_its_least_common_words() -> None:
    subject = carried_subject(["Who won the regional science fair?"])
    assert subject is not None
    assert subject.words == ("regional", "science", "fair")


def test_no_context_or_no_subject_is_fresh() -> None:
    assert follow_up("When did they start talking?", []).subject is None
    assert follow_up("When did they start talking?", ["Why?"]).subject is None


def test_the_context_is_bounded() -> None:
    assert check_context(["  a ", "", "b"], 10) == ["a", "b"]
    with pytest.raises(InvalidInput, match="at most"):
        check_context(["q"] * (MAX_CONTEXT_QUESTIONS + 1), 10)
    with pytest.raises(InvalidInput, match=r"context\[0\]"):
        check_context(["x" * 11], 10)
