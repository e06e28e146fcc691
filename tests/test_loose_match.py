"""Loose name matching (``loose_match``): a term's loose matches remembered across vocabularies
answer as the whole-vocabulary rules do, and the subject check tries each word once."""

from __future__ import annotations

import collections
import random
from pathlib import Path

import pytest

from articleqa import loose_match
from articleqa.config import Settings
from articleqa.embedding import FakeEmbedder
from articleqa.engine import ArticleQA
from articleqa.ingest.prepare import prepare_article
from articleqa.loose_match import LooseTerm, edit_distance, fold, loosely_in
from articleqa.models import RawArticle


def _pool(seed: int) -> list[str]:
    """Words made to meet every rule: starts of each other, compounds, cut endings, one and two
    edits, accents."""
    rng = random.Random(seed)
    letters = "aeinorstlcdéü"
    roots = ["".join(rng.choices(letters, k=rng.randint(2, 11))) for _ in range(120)]
    pool = list(roots)
    for root in roots:
        other = rng.choice(roots)
        at = rng.randrange(len(root) + 1)
        pool += [
            root[: rng.randint(1, len(root))],
            root + other,
            other + root[:-1],
            root[:at] + rng.choice(letters) + root[at:],
            root[:at] + root[at + 1 :],
            root[:at] + rng.choice(letters) + root[at + 1 :],
            root[:at] + root[at + 1 : at + 2] + root[at : at + 1] + root[at + 2 :],
        ]
    return [w for w in pool if w]


def test_a_term_is_loosely_in_a_union_exactly_when_in_one_of_its_parts() -> None:
    # What lets the searcher ask a passage's words, its heading and its article's opening
    # apart instead of their union.
    rng = random.Random(3)
    pool = _pool(3)
    for _ in range(2000):
        parts = [frozenset(rng.sample(pool, rng.randint(0, 25))) for _ in range(3)]
        term = rng.choice(pool)
        union = frozenset().union(*parts)
        assert loosely_in(term, union) == any(loosely_in(term, p) for p in parts), term


@pytest.mark.parametrize("tried_words", [loose_match.MAX_TRIED_WORDS, 40])
def test_remembered_matches_answer_as_the_whole_vocabulary_rules(
    monkeypatch: pytest.MonkeyPatch, tried_words: int
) -> None:
    # One LooseTerm per term asked of many overlapping vocabularies, as over a question's
    # candidates and later questions; with a small bound its tried words are forgotten often.
    monkeypatch.setattr(loose_match, "MAX_TRIED_WORDS", tried_words)
    rng = random.Random(11)
    pool = _pool(11)
    terms = [*rng.sample(pool, 40), "hervé", "skydrive"]
    pool += ["herve", "skydriv", "patronis"]
    remembered = {term: LooseTerm(term) for term in terms}
    for _ in range(3000):
        vocabulary = frozenset(rng.sample(pool, rng.randint(0, 60)))
        term = rng.choice(terms)
        assert remembered[term].within(vocabulary) == loosely_in(term, vocabulary), (
            term,
            sorted(vocabulary),
        )


def _paragraphs() -> str:
    rng = random.Random(7)
    words = [
        "council", "tram", "northern", "districts", "station", "depot", "budget", "mayor",
        "harbour", "engineers", "tunnel", "bridge", "residents", "timetable", "platform",
    ]  # fmt: skip
    return "\n\n".join(
        " ".join(
            f"The {rng.choice(words)} near the {rng.choice(words)} {verb} in {2020 + i}."
            for verb in ("opened", "closed", "grew", "moved", "changed", "waited", "paid")
        )
        * 2
        for i in range(8)
    )


def test_the_subject_check_tries_each_word_once(
    settings: Settings, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A question about a city no article names: every candidate passage is checked, and all of
    # them share their article's opening and heading. Each word is tried once, not once per
    # passage whose vocabulary holds it.
    engine = ArticleQA(settings, embedder=FakeEmbedder())
    engine.store.upsert(
        prepare_article(RawArticle(title="Marseille extends its tram", text=_paragraphs()))
    )
    engine.build()
    searcher = engine.searcher_for(engine.index.load(), abstain_threshold=-1.0)
    assert searcher.snapshot.passage_count >= 4

    tried: collections.Counter[tuple[str, str]] = collections.Counter()
    rules = loose_match._loosely_in_folded

    def counting(term: str, vocabulary: loose_match._Vocabulary) -> bool:
        tried.update((term, word) for word in vocabulary.exact)
        return rules(term, vocabulary)

    monkeypatch.setattr(loose_match, "_loosely_in_folded", counting)
    answer = searcher.ask("When does the Lyonnaise tramway open?", k=5)

    assert not answer.answered
    assert tried, "the subject was loosely matched"
    assert max(tried.values()) == 1, tried.most_common(3)


@pytest.mark.parametrize("word", ["herve", "hervé", "Zürich", "naïve", "ﬁle", "café", "straße"])
def test_folding_takes_accents_off_as_nfkd_does(word: str) -> None:
    import unicodedata

    expected = "".join(
        c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
    )
    assert fold(word) == expected


def _loosely_in_as_it_was(term: str, vocabulary: frozenset[str]) -> bool:
    """``loosely_in`` (then ``search._loosely_in``) before its vocabulary was folded once per
    vocabulary (with its rule of lengths for an edit of today)."""
    folded = fold(term)
    allowed = 2 if len(folded) >= 8 else 1 if len(folded) >= 5 else 0
    for word in vocabulary:
        other = fold(word)
        if other == folded:
            return True
        shorter, longer = sorted((len(other), len(folded)))
        if (
            shorter >= 4
            and shorter >= 0.75 * longer
            and (other.startswith(folded) or folded.startswith(other))
        ):
            return True
        if len(folded) >= 4 and len(other) > len(folded) and folded in other:
            return True
        if len(folded) >= 5 and len(other) >= len(folded) and folded[:-1] in other:
            return True
        if (
            allowed
            and abs(len(other) - len(folded)) <= 1
            and other[:1] == folded[:1]
            and edit_distance(folded, other, allowed) <= allowed
        ):
            return True
    return False


def test_loose_name_matching_answers_as_before() -> None:
    rng = random.Random(5)
    letters = "aeiourstnlcdéü"
    pool = ["".join(rng.choices(letters, k=rng.randint(1, 10))) for _ in range(400)]
    pool += ["skydriv", "patronis", "herve", "hervé", "json", "jsoncpp", "primier", "premier"]
    for _ in range(300):
        vocabulary = frozenset(rng.sample(pool, rng.randint(0, 40)))
        term = rng.choice(pool)
        assert loosely_in(term, vocabulary) == _loosely_in_as_it_was(term, vocabulary)


def test_loose_name_matching_on_the_whole_vocabulary_answers_as_word_by_word() -> None:
    # ``_loosely_in`` asks each rule of the whole vocabulary at once (a set, a joined string,
    # words by first letter and length); the words here are made to meet every rule: starts
    # of each other, compounds, cut endings, one and two edits, accents, long and short.
    rng = random.Random(17)
    pool = _pool(17)
    # At each rule's edge: a word just long enough to hold the cut stem, a start just long
    # enough, an edit at the first letter, words at the ends of the joined vocabulary.
    edges = [
        ("abcde", {"xabcd"}, True),
        ("abcde", {"xabc"}, False),
        ("abcdefgh", {"abcdef"}, True),
        ("abcdefgh", {"abcde"}, False),
        ("abcde", {"xbcde"}, False),
        ("abcdefgh", {"zz", "abcdefhg", "yy"}, True),
        ("hervé", {"herve"}, True),
    ]
    for term, words, expected in edges:
        assert loosely_in(term, frozenset(words)) is expected
        assert _loosely_in_as_it_was(term, frozenset(words)) is expected
    for _ in range(3000):
        vocabulary = frozenset(rng.sample(pool, rng.randint(0, 60)))
        term = rng.choice(pool)
        assert loosely_in(term, vocabulary) == _loosely_in_as_it_was(term, vocabulary), (
            term,
            sorted(vocabulary),
        )


@pytest.mark.parametrize(
    ("term", "vocabulary", "loose", "exact_words"),
    [
        # "systemd" is no slip for the common word "system", nor named inside "subsystem".
        ("systemd", {"system"}, True, False),
        ("systemd", {"subsystem"}, True, False),
        # "nomicon" is named inside "rustonomicon"; "nslookp" is one edit from "nslookup".
        ("nomicon", {"rustonomicon"}, True, True),
        ("nslookp", {"nslookup"}, True, True),
        ("mdns", {"nss", "libnss_mdns"}, True, True),
        # Slips of common words stay slips: "parliment", "braodcast".
        ("parliment", {"parliament"}, True, True),
        ("braodcast", {"broadcast"}, True, True),
        # A word is named by the word it is made from: "redistribute" by "distribute",
        # "overwritten" by "overwriting", "unencryptable" by "encrypt" (terms as the stemmer
        # leaves them).
        ("redistribut", {"distribut"}, False, True),
        ("overwritten", {"overwrit"}, False, True),
        ("unencrypt", {"encrypt"}, False, True),
        # Not by a common word ("read" says nothing of "readable"), a root too short to be
        # one word's ("set" of "preset"), nor what a prefix that makes other words leaves
        # ("fine" of "define").
        ("readabl", {"read"}, False, False),
        ("callabl", {"call"}, False, False),
        ("preset", {"set"}, False, False),
        # A standard stream's short name by its long one, both words in the vocabulary.
        ("stdin", {"read", "standard", "input"}, True, True),
        ("stderr", {"standard", "input"}, False, False),
        ("defin", {"fine"}, False, False),
    ],
)
def test_a_word_written_in_lower_case_matches_only_its_own_spellings(
    term: str, vocabulary: set[str], loose: bool, exact_words: bool
) -> None:
    words = frozenset(vocabulary)

    assert LooseTerm(term).within(words) is loose
    assert LooseTerm(term, exact_words=True).within(words) is exact_words
