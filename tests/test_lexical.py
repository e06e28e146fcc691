"""BM25 over passages: the fast ``terms`` must split text exactly as bm25s indexes it."""

from __future__ import annotations

import bm25s
import numpy as np
import pytest

from articleqa.lexical import LexicalIndex, _stemmer, question_terms, terms

TEXTS = [
    "Who won the regional science fair?",
    "The tram extension opens in 2027 and costs €48.5 million, the council's report says.",
    "NASA's Artemis II crew — four astronauts — flew around the Moon on April 6th.",
    "Ünïcode wörds, naïve café owners and São Paulo's mayor met in Zürich.",
    "It is what it is: a, an, the, and of are stop words.",
    "e-mail, state-of-the-art, U.S.A. and x86_64 builds",
    "",
]


def _bm25s_terms(text: str) -> list[str]:
    tokens = bm25s.tokenize(
        [text], stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return list(tokens[0])


@pytest.mark.parametrize("text", TEXTS)
def test_terms_match_the_bm25s_tokenizer(text: str) -> None:
    assert terms(text) == _bm25s_terms(text)


def test_scores_rank_the_passage_holding_the_rare_word_first() -> None:
    passages = [
        "The council approved the tram extension on Tuesday.",
        "The museum reopened after repairs to the roof.",
        "Flooding closed the lower town after the Millrace rose.",
    ]
    index = LexicalIndex.build(passages)
    scores = index.scores("When did the Millrace rise?")
    assert scores.shape == (3,)
    assert int(np.argmax(scores)) == 2
    assert scores[0] == scores[1] == 0.0


def test_scores_of_unknown_words_are_all_zero() -> None:
    index = LexicalIndex.build(["The tram extension opens next year."])
    assert index.scores("zeppelin quasar").tolist() == [0.0]
    assert LexicalIndex.build([]).scores("tram").size == 0


def test_question_terms_leave_out_the_words_that_make_it_a_question() -> None:
    assert question_terms("How high did the Millrace rise?") == ["high", "millrac", "rise"]
    assert question_terms("Who was Robert's son?") == ["robert", "son"]
    assert question_terms("When were the Normans in Normandy?") == ["were", "norman", "normandi"]
