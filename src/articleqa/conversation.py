"""Follow-up questions: what an earlier question of the conversation carries into the next one.

Stateless and quote-only. A client sends the conversation's earlier questions (oldest first);
a follow-up whose own words do not name a subject ("When did they start talking?") is searched
with the earlier question's subject words added, and the answer says so with a line made only
of those words ("Putin, Musk, Taiwan"). A question that names its own subject starts afresh.
Nothing here writes text of its own: every word carried is a word the user typed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from articleqa.errors import InvalidInput
from articleqa.lexical import question_terms
from articleqa.question import read_question, word_frequency

logger = logging.getLogger(__name__)

# Bounded so that a client cannot make one request search an unbounded conversation: only the
# last few questions can carry a subject anyway.
MAX_CONTEXT_QUESTIONS = 5
# Words standing for something named earlier. "that"/"this"/"there"/"then" only when nothing
# follows them ("about that?"): before a noun they introduce a new one ("that robot").
_REFERRING = re.compile(
    r"\b(?:they|them|theirs|he|him|she|hers|it|it's)\b|"
    r"\b(?:that|this|those|these|there|then|so)\s*(?:[?!.,;:]|$)",
    re.IGNORECASE,
)
# A possessive points back only when nothing in the question comes before it that it could
# stand for: "its opening weekend" in "How many came to the museum on its opening weekend?"
# is the museum's; in "What was its price?" it is the earlier question's subject.
_POSSESSIVE = re.compile(r"\b(?:its|their|his|her)\b", re.IGNORECASE)
# An earlier question without names or rare words carries its least common content words
# instead ("regional science fair"); words more common than this say nothing about a subject.
_CARRIED_ZIPF = 5.2
_MAX_CARRIED_WORDS = 4
_WORD = re.compile(r"[^\W\d_][\w'’-]*[\w]|[^\W\d_]")


class Turn(StrEnum):
    FRESH = "fresh"  # names its own subject, or there is nothing earlier to follow up on
    REFERS = "refers"  # points back ("they", "about that?"): always a follow-up
    UNNAMED = "unnamed"  # names nothing and points at nothing: a follow-up if it fits


@dataclass(frozen=True, slots=True)
class Subject:
    """What an earlier turn was about, in the user's own words."""

    words: tuple[str, ...]
    question: str  # the earlier question these words came from (the latest, in a chain)

    @property
    def line(self) -> str:
        return ", ".join(self.words)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """How a question continues its conversation."""

    turn: Turn
    subject: Subject | None  # the subject carried in, None for a fresh question

    def search_text(self, question: str) -> str:
        """The text searched: the question, then the carried words it leaves unsaid."""
        if self.subject is None:
            return question
        own = question.lower()
        missing = [w for w in self.subject.words if w.lower() not in own]
        return f"{question} {' '.join(missing)}".strip() if missing else question


def check_context(context: Sequence[str], max_chars: int) -> list[str]:
    """The context as searched: stripped, blanks dropped; too many or too long is refused."""
    if len(context) > MAX_CONTEXT_QUESTIONS:
        raise InvalidInput(
            f"context holds {len(context)} questions; at most {MAX_CONTEXT_QUESTIONS} are kept"
        )
    cleaned = [q.strip() for q in context if q.strip()]
    for index, question in enumerate(cleaned):
        if len(question) > max_chars:
            raise InvalidInput(f"context[{index}] is longer than {max_chars} characters")
    return cleaned


def refers_back(question: str) -> bool:
    if _REFERRING.search(question) is not None:
        return True
    possessive = _POSSESSIVE.search(question)
    return possessive is not None and not question_terms(question[: possessive.start()])


def own_words(question: str) -> tuple[str, ...]:
    """The words that say what ``question`` is about: its names and rare words, else (for a
    question with neither) its least common content words."""
    info = read_question(question)
    if info.subject_words:
        return info.subject_words
    asked = set(question_terms(question))
    chosen: list[str] = []
    for word in _WORD.findall(question):
        lower = word.lower()
        # Only words the index would search on (not stop words or question words).
        if not set(question_terms(lower)) & asked or lower in (w.lower() for w in chosen):
            continue
        if word_frequency(lower) < _CARRIED_ZIPF:
            chosen.append(word)
    return tuple(chosen[:_MAX_CARRIED_WORDS])


def classify(question: str) -> Turn:
    if refers_back(question):
        return Turn.REFERS
    return Turn.FRESH if read_question(question).subject_words else Turn.UNNAMED


def carried_subject(context: Sequence[str]) -> Subject | None:
    """The subject the conversation is on after its earlier questions (oldest first).

    Each turn either names its own subject (and starts afresh), names nothing (and keeps the
    one before), or points back while naming something new ("What did the Kremlin say about
    that?"), which adds its words to the subject it points at.
    """
    subject: Subject | None = None
    for question in context:
        words = own_words(question)
        turn = classify(question)
        if subject is None or turn is Turn.FRESH:
            subject = Subject(words, question) if words else subject
        elif turn is Turn.REFERS and read_question(question).subject_words:
            merged = tuple(dict.fromkeys([*subject.words, *words]))
            subject = Subject(merged, question)
        else:
            subject = Subject(subject.words, question)
    return subject


def follow_up(question: str, context: Sequence[str]) -> FollowUp:
    """Whether ``question`` follows up on ``context`` and, if it may, the subject it carries.

    An ``UNNAMED`` turn is only a candidate: the searcher keeps the subject when the question's
    words are found in the articles that answered the earlier question, and otherwise treats it
    as a change of subject ("How much does the museum charge?" after a question on the flood).
    """
    turn = classify(question)
    subject = carried_subject(context) if turn is not Turn.FRESH else None
    if subject is None or not subject.words:
        return FollowUp(Turn.FRESH, None)
    logger.debug("%r follows up (%s) on %s", question, turn, subject.words)
    return FollowUp(turn, subject)
