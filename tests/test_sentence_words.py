"""Sentence words stored by a build read back as the searcher would compute them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from articleqa import lexical, sentence_words
from articleqa.file_slices import FileSlices
from articleqa.passages import Span
from articleqa.sentence_words import (
    SentenceWords,
    rules_fingerprint,
    sentence_terms,
    words_files,
)

TEXTS = [
    "The night ferry returns on 3 May. It had been paused for two years.",
    "Hervé Le Bœuf sailed to Zürich? No: to Genève!\n\nOf it, to it.",  # accents; no terms
    "",
    "One sentence only, with the Millrace.",
]


def test_stored_words_read_back_as_computed(tmp_path: Path) -> None:
    computed = [sentence_terms(text) for text in TEXTS]
    assert any(found == frozenset() for sentences in computed for _, found in sentences)
    words = SentenceWords.of(computed)
    first = 0
    for sentences in computed:
        assert words.sentences(first, len(sentences)) == sentences
        first += len(sentences)
    assert len(words) == first

    vectors = tmp_path / "sentences.npy"
    np.save(vectors, np.zeros((first, 2), dtype=np.float16))
    words.save(vectors)
    loaded = SentenceWords.load(vectors, first)
    assert loaded is not None
    assert loaded.sentences(0, first) == [s for sentences in computed for s in sentences]
    # Loaded terms are read from the file a slice at a time (not mapped), and saved again whole.
    assert isinstance(loaded.terms, FileSlices)
    again = tmp_path / "again.npy"
    loaded.save(again)
    assert words_files(again)[1].read_bytes() == words.terms


def test_rows_of_several_arrays_are_joined_in_order() -> None:
    a = SentenceWords.of([sentence_terms(TEXTS[0]), sentence_terms(TEXTS[1])])
    b = SentenceWords.of([sentence_terms(TEXTS[3])])
    joined = SentenceWords.concatenate([(b, 0, 1), (a, 2, len(a) - 2), (a, 0, 2)])
    assert joined.sentences(0, len(joined)) == [
        *b.sentences(0, 1),
        *a.sentences(2, len(a) - 2),
        *a.sentences(0, 2),
    ]


def test_words_that_do_not_fit_their_vectors_are_not_used(tmp_path: Path) -> None:
    vectors = tmp_path / "sentences.npy"
    assert SentenceWords.load(vectors, 2) is None  # none stored: a snapshot from before them
    SentenceWords.of([sentence_terms(TEXTS[0])]).save(vectors)
    assert SentenceWords.load(vectors, 3) is None  # rows of other vectors
    _, terms_file = words_files(vectors)
    terms_file.write_bytes(terms_file.read_bytes()[:-1])
    assert SentenceWords.load(vectors, 2) is None  # cut short
    assert SentenceWords.of([[(Span(0, 1), frozenset())]]).sentences(0, 1) == [
        (Span(0, 1), frozenset())
    ]


def test_repeated_sentences_share_their_terms_and_read_back_the_same(tmp_path: Path) -> None:
    # Rows 3 and 4 repeat rows 0 and 1 (the same sentences, as their vector keys say).
    computed = [sentence_terms(TEXTS[0]), sentence_terms(TEXTS[0]), sentence_terms(TEXTS[3])]
    words = SentenceWords.of(computed)
    count = len(words)
    stored = np.asarray([0, 1, 4])
    row_map = np.asarray([0, 1, 0, 1, 2], dtype=np.int32)
    shared = words.shared_by(stored, row_map)
    assert shared.shared and not words.shared
    assert shared.sentences(0, count) == words.sentences(0, count)
    assert len(shared.terms) < len(words.terms)  # the repeated rows' terms written once

    vectors = tmp_path / "sentences.npy"
    shared.save(vectors)
    loaded = SentenceWords.load(vectors, count)
    assert loaded is not None and loaded.shared
    assert loaded.sentences(1, count - 1) == words.sentences(1, count - 1)
    # Joined with rows of the other layout (a later build's compaction), each keeps its terms.
    joined = SentenceWords.concatenate([(loaded, 2, 3), (words, 0, 2)])
    # Where few sentences repeat, the fourth column would cost more than it saves: as they are.
    one = SentenceWords.of([[(Span(0, 1), frozenset({"a"})), (Span(2, 3), frozenset({"a"}))]])
    assert one.shared_by(np.asarray([0]), np.asarray([0, 0])) is one
    assert joined.sentences(0, 5) == [*words.sentences(2, 3), *words.sentences(0, 2)]
    _, terms_file = words_files(vectors)
    terms_file.write_bytes(terms_file.read_bytes()[:-1])
    assert SentenceWords.load(vectors, count) is None  # cut short


def test_the_rules_fingerprint_follows_the_tokenizer_not_the_bm25_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It hashed all of lexical.py: any edit to how postings are stored made every snapshot
    # search without its stored sentence words and about-terms until built again.
    rules_fingerprint.cache_clear()
    before = rules_fingerprint()
    edited = tmp_path / "lexical.py"
    edited.write_text(Path(lexical.__file__).read_text() + "\nTERM_CACHE_POSTINGS = 1\n")
    monkeypatch.setattr(lexical, "__file__", str(edited))
    monkeypatch.setattr(lexical, "TERM_CACHE_POSTINGS", 1)
    rules_fingerprint.cache_clear()
    assert rules_fingerprint() == before
    # A stop word more changes the terms of a text, and so the fingerprint.
    monkeypatch.setattr(lexical, "_STOPWORDS", lexical._STOPWORDS | {"council"})
    rules_fingerprint.cache_clear()
    assert rules_fingerprint() != before
    monkeypatch.undo()
    rules_fingerprint.cache_clear()  # the next test sees the real rules' fingerprint


@pytest.mark.parametrize("read_over", [0, 1 << 20])
def test_many_passages_terms_read_joined_are_their_sentences_terms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_over: int
) -> None:
    # Pieces far apart are read apart, close ones in one slice: the same terms either way.
    monkeypatch.setattr(sentence_words, "_READ_OVER", read_over)
    computed = [sentence_terms(text) for text in [*TEXTS, TEXTS[0], TEXTS[3]]]
    plain = SentenceWords.of(computed)
    count = len(plain)
    repeats = len(sentence_terms(TEXTS[0])) + len(sentence_terms(TEXTS[3]))
    stored = np.arange(count - repeats)
    firsts = np.cumsum([0, *(len(s) for s in computed)])
    row_map = np.concatenate(
        [stored, np.arange(firsts[0], firsts[1]), np.arange(firsts[3], firsts[4])]
    )
    shared = plain.shared_by(stored, row_map)
    assert shared.shared
    vectors = tmp_path / "sentences.npy"
    shared.save(vectors)
    loaded = SentenceWords.load(vectors, count)
    assert loaded is not None
    # Runs in any order, repeated, empty, of one passage or across two.
    runs = [(int(firsts[n]), len(computed[n])) for n in (4, 1, 0, 2, 5, 0)] + [(0, count)]
    for words in (plain, shared, loaded):
        joined = words.joined_terms(runs)
        assert len(joined) == len(runs)
        for (first, rows), held in zip(runs, joined, strict=True):
            expected = frozenset().union(*(found for _, found in words.sentences(first, rows)))
            got = set(held.decode("utf-8").split("\0")) - {""}
            assert got == expected
    assert plain.joined_terms([]) == [] and plain.joined_terms([(0, 0)]) == [b""]
