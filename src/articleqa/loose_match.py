"""Loose name matching: whether a question's subject term is in a vocabulary the way people
write a name in a question (a typo, another spelling, an accent left out, a compound split).

Every rule asks about one vocabulary word at a time ("is this word a loose match of the
term?"), so a term is loosely in a vocabulary exactly when it loosely matches one of its words,
and in a union of vocabularies exactly when it is loosely in one of them. ``LooseTerm`` uses
that: it remembers, per term, which words it has already been tried on and which of them
matched, so that a question's subject check tries each distinct word of its ~65-90 candidate
passages once rather than once per passage (BENCHMARKS.md, "Scale, ninth pass").
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from wordfreq import zipf_frequency

logger = logging.getLogger(__name__)

# A term's tried words are forgotten past this many (its matches are kept): a bound on the
# memory one term holds in a long-running server, not a limit on what it may match.
MAX_TRIED_WORDS = 16_384


@functools.lru_cache(maxsize=65_536)
def fold(word: str) -> str:
    """``word`` without its accents (NFKD, combining marks dropped)."""
    # ASCII has no accents to take off (NFKD leaves it as it is): most words, most of the
    # time of a first question's fuzzy name matching (BENCHMARKS.md, "Scale").
    if word.isascii():
        return word
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch)
    )


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """A vocabulary folded once, laid out for ``loosely_in``'s rules: trying a subject term
    word by word in Python was most of a first question's time (BENCHMARKS.md, "Scale, sixth
    pass")."""

    exact: frozenset[str]
    # Every word between NULs ("\0word\0other\0"): one substring search tells whether some
    # word holds a term, and no match spans two words (no term holds a NUL).
    joined: str


def _folded(vocabulary: Iterable[str]) -> _Vocabulary:
    """``vocabulary`` folded: the words a subject is loosely matched against, folded once per
    vocabulary instead of once per subject term."""
    words = list(vocabulary)
    joined = "\0".join(words)
    if joined.isascii():
        return _Vocabulary(frozenset(words), f"\0{joined}\0")  # folding leaves ASCII as it is
    folded = [fold(w) for w in words]
    return _Vocabulary(frozenset(folded), "\0{}\0".format("\0".join(folded)))


@functools.lru_cache(maxsize=1_024)
def _starting_with(first: str, shortest: int, longest: int) -> re.Pattern[str]:
    """The words of a joined vocabulary that start with ``first`` and are ``shortest`` to
    ``longest`` letters long: the only ones a term can be a few edits from."""
    return re.compile(f"\0({re.escape(first)}[^\0]{{{shortest - 1},{longest - 1}}})(?=\0)")


def _in_a_word_of(part: str, joined: str, size: int) -> bool:
    """Whether a word of at least ``size`` letters in ``joined`` holds ``part``."""
    at = joined.find(part)
    while at >= 0:
        start = joined.rfind("\0", 0, at) + 1
        if joined.find("\0", at + len(part)) - start >= size:
            return True
        at = joined.find(part, at + 1)
    return False


def loosely_in(term: str, vocabulary: Iterable[str]) -> bool:
    """``term`` is in ``vocabulary`` up to accents, one edit (two in long words, of the same
    length give or take a letter), a shared stem (one is the other's start) or as part of a
    compound.

    Each rule is asked of the whole vocabulary at once (a set look-up, a substring search, a
    pattern for the words of the right first letter and length) rather than word by word: the
    same answer (``tests/test_search.py`` compares it with the word-by-word rules) at a
    fraction of the cost.
    """
    return _loosely_in_folded(fold(term), _folded(vocabulary))


def _loosely_in_folded(folded: str, found: _Vocabulary) -> bool:
    if folded in found.exact:
        return True
    size = len(folded)
    if size < 4:
        return False  # only an exact match counts for so short a word (every rule below)
    # Part of a compound ("drive" in "skydriv"): a word holding the term is longer than it
    # (an equal one was found above). This also covers a word that starts with the term, the
    # first half of the shared stem rule.
    if folded in found.joined:
        return True
    # One stem, two spellings ("patron"/"patronis"), the other half: a word of at least four
    # letters and three quarters of the term's length is its start; not a name inside a longer
    # one ("json"/"jsoncpp").
    for end in range(4, size):
        if end >= 0.75 * size and folded[:end] in found.exact:
            return True
    # Part of a compound, allowing for the stemmer's cut ending.
    if size >= 5 and _in_a_word_of(folded[:-1], found.joined, size):
        return True
    allowed = 2 if size >= 8 else 1 if size >= 5 else 0
    if not allowed:
        return False
    # A misspelling keeps a word's length or moves it by one letter; two letters more or less
    # make another name ("LibreSSL" is not "libssl"), even within two edits.
    near = _starting_with(folded[:1], size - 1, size + 1)
    return any(
        edit_distance(folded, match.group(1), allowed) <= allowed
        for match in near.finditer(found.joined)
    )


# Affixes that make another word of one family, as the stemmer leaves them: "redistribute" is
# named where "distribute" is, "overwritten" where "overwriting" is. Only affixes that keep the
# root's subject; not "de" ("define", "detail"), whose roots are other words.
_FAMILY_PREFIXES = ("re", "un", "pre", "dis", "non", "mis")
_FAMILY_SUFFIXES = ("abl", "ibl", "ment", "ness", "er", "ten")
# The shortest root left: "call", "read"; not "set" of "preset", nor "ad" of "reader".
_FAMILY_ROOT = 4


def family_roots(term: str) -> frozenset[str]:
    """The words ``term`` (a stemmed word) is made from by one prefix, one suffix or both of
    ``_FAMILY_PREFIXES`` and ``_FAMILY_SUFFIXES``: "redistribut" -> "distribut", "overwritten"
    -> "overwrit". Not a common word ("read" of "readable", "call" of "callable"): a passage
    holding it says nothing of the rarer word, as ``LooseTerm`` does not take "system" for
    "systemd"."""
    unprefixed = [term] + [
        term[len(prefix) :]
        for prefix in _FAMILY_PREFIXES
        if term.startswith(prefix) and len(term) - len(prefix) >= _FAMILY_ROOT
    ]
    roots = set(unprefixed[1:])
    for word in unprefixed:
        roots.update(
            word[: -len(suffix)]
            for suffix in _FAMILY_SUFFIXES
            if word.endswith(suffix) and len(word) - len(suffix) >= _FAMILY_ROOT
        )
    return frozenset(root for root in roots if not (_common(root) or _common(f"{root}e")))


# Names of the standard streams as a program's text spells them out ("reads from the standard
# input"): the short name in a question is the long one in a manual.
_SPELLED_OUT = {
    "stdin": frozenset({"standard", "input"}),
    "stdout": frozenset({"standard", "output"}),
    "stderr": frozenset({"standard", "error"}),
}


# wordfreq's Zipf scale: 4 is once in every 100,000 words, a word everyone uses.
_COMMON_ZIPF = 4.0


@functools.lru_cache(maxsize=65_536)
def _common(word: str) -> bool:
    """Whether ``word`` (an index term) is a common English word."""
    return zipf_frequency(word, "en") >= _COMMON_ZIPF


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), capped past
    ``limit``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _matching(folded: str, words: list[str]) -> list[str]:
    """The words of ``words`` (which hold at least one loose match of ``folded``) that match
    it, found by halving: each half is asked with the same whole-vocabulary rules, so the words
    found are exactly those ``loosely_in`` would accept alone."""
    if len(words) == 1:
        return words
    half = len(words) // 2
    found: list[str] = []
    for part in (words[:half], words[half:]):
        if _loosely_in_folded(folded, _folded(part)):
            found += _matching(folded, part)
    return found


class LooseTerm:
    """One subject term's loose matches among the words it has been tried on.

    ``within(vocabulary)`` answers as ``loosely_in(term, vocabulary)`` does, trying only the
    words not tried before. Safe to share between search threads: a word's match is recorded
    before the word is marked tried, so a word seen as tried always has its match recorded.
    """

    __slots__ = ("_exact_words", "_folded", "_lock", "_matched", "_roots", "_spelled", "_tried")

    def __init__(self, term: str, exact_words: bool = False) -> None:
        """``exact_words``: the term is a word of its own written in lower case ("systemd"):
        a slip, a word holding it whole or the word it is made from ("distribute" for
        "redistribute", ``family_roots``) matches; a common word it extends ("system") or one
        holding only part of it ("subsystem") does not. In either case a standard stream's
        short name is named by its long one ("stdin": "standard" and "input")."""
        self._folded = fold(term)
        self._exact_words = exact_words
        # A root, written with or without the "e" the stemmer keeps: "write" for "written".
        roots = family_roots(self._folded) if exact_words else frozenset()
        self._roots = roots | {f"{root}e" for root in roots}
        self._spelled = _SPELLED_OUT.get(self._folded)
        self._matched: set[str] = set()
        self._tried: set[str] = set()
        self._lock = threading.Lock()

    def within(self, vocabulary: frozenset[str]) -> bool:
        # The tried words are read before the matches: a word another thread tried in between
        # has its match recorded by the time the matches are read.
        new = vocabulary.difference(self._tried)
        if not self._matched.isdisjoint(vocabulary):
            return True
        if self._spelled is not None and self._spelled <= vocabulary:
            return True  # "stdin" as "the standard input"
        if not new:
            return False
        words = list(new)
        found = _loosely_in_folded(self._folded, _folded(words))
        matches = _matching(self._folded, words) if found else []
        if self._exact_words:
            # A slip ("parliment") or a word holding the term whole ("rustonomicon" for
            # "nomicon"); not a common word the term extends ("system" for "systemd": another
            # name made from it), nor a word holding only part of it ("subsystem").
            matches = [word for word in matches if self._spelling_of(fold(word))]
            if self._roots:
                matches += [word for word in words if fold(word) in self._roots]
            found = bool(matches)
        with self._lock:
            if found:
                self._matched.update(matches)
            if len(self._tried) + len(words) > MAX_TRIED_WORDS:
                self._tried.clear()
            self._tried.update(words)
        return found

    def _spelling_of(self, word: str) -> bool:
        """Whether the term, written in lower case as a word of its own, is ``word`` as
        written (``exact_words``)."""
        term = self._folded
        if term.startswith(word) and _common(word):
            return False
        return term in word or edit_distance(term, word, 2) <= 2
