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
from articleqa.loose_match import LooseTerm, loosely_in
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
