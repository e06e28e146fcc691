"""BM25 over passages: the fast ``terms`` must split text exactly as bm25s indexes it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bm25s
import numpy as np
import pytest

from articleqa import lexical, posting_gaps
from articleqa.lexical import (
    MAX_SEGMENTS,
    MERGE_FRACTION,
    Bm25sIndex,
    LexicalIndex,
    Segment,
    _stemmer,
    load_lexical,
    question_terms,
    terms,
)
from articleqa.posting_gaps import GapDocs

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


def test_the_stop_words_are_bm25s_english_ones() -> None:
    from bm25s.stopwords import STOPWORDS_EN

    assert frozenset(STOPWORDS_EN) == lexical._STOPWORDS


@pytest.mark.parametrize("text", TEXTS)
def test_terms_match_the_bm25s_tokenizer(text: str) -> None:
    # bm25s reads "x86_64" as one token; its words follow it here (see the next test).
    assert [t for t in terms(text) if t not in ("x86", "64")] == _bm25s_terms(text)


def test_an_identifier_s_words_follow_it() -> None:
    # GoogleTest's README: "What is the oldest CMake release that supports pulling GoogleTest in
    # with FetchContent?" shared no term with "... its use of the FetchContent_MakeAvailable()
    # command", which BM25 held as one token.
    assert terms("the FetchContent_MakeAvailable() command") == [
        "fetchcontent_makeavail",
        "fetchcont",
        "makeavail",
        "command",
    ]
    assert "sourc" in terms("set utm_source to the campaign")
    assert terms("__init__") == ["__init__", "init"]
    assert terms("the_end") == ["the_end", "end"]  # a stop word stays out as a part too


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


def _corpus(count: int, seed: int = 3) -> list[str]:
    words = [
        "tram",
        "council",
        "harbour",
        "flood",
        "museum",
        "budget",
        "river",
        "storm",
        "school",
        "ferry",
        "quay",
        "market",
    ]
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(words, size=int(rng.integers(3, 30)))) for _ in range(count)]


@pytest.mark.parametrize(
    "query", ["tram", "tram tram council", "When did the river flood the quay?", "zeppelin"]
)
def test_postings_scores_are_bm25s_scores_to_the_bit(query: str) -> None:
    # The search reads only the query terms' postings; answers stay the same only if every
    # passage scores exactly as bm25s scores it over the whole corpus.
    texts = _corpus(500)
    index = LexicalIndex.build(texts)
    retriever = Bm25sIndex.build(texts)._retriever
    assert retriever is not None
    known = [t for t in terms(query) if t in retriever.vocab_dict]
    expected = retriever.get_scores(known) if known else np.zeros(len(texts), np.float32)
    assert index.scores(query).tobytes() == np.asarray(expected, np.float32).tobytes()
    hits = index.hits(query)
    assert hits.ids.tolist() == np.flatnonzero(expected).tolist()


def test_hits_top_and_lookup_cover_only_passages_holding_a_word() -> None:
    texts = _corpus(300)
    index = LexicalIndex.build(texts)
    every = index.scores("harbour storm")
    hits = index.hits("harbour storm")
    top = hits.top(10)
    assert sorted(every[top].tolist(), reverse=True) == sorted(every, reverse=True)[:10]
    assert hits.best == every.max()
    lookup = [0, 1, 2, 299, *top.tolist()]
    assert hits.of(lookup).tolist() == every[lookup].tolist()
    allowed = np.arange(0, 300, 3, dtype=np.int64)
    within = index.hits("harbour storm", allowed)
    assert set(within.ids.tolist()) <= set(allowed.tolist())
    assert within.scores.tolist() == every[within.ids].tolist()


def test_a_saved_index_is_read_memory_mapped(tmp_path: Path) -> None:
    texts = _corpus(50)
    LexicalIndex.build(texts).save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical", len(texts))
    docs = loaded.segments[0].docs
    assert isinstance(docs, GapDocs) and isinstance(docs.gaps, np.memmap)
    assert not (tmp_path / "lexical" / loaded.segments[0].name / Segment.DOCS).exists()
    assert loaded.scores("tram").tolist() == LexicalIndex.build(texts).scores("tram").tolist()


def _as_format_4(folder: Path) -> None:
    """Each segment under ``folder`` as format 4 wrote it: docs.npy, int32, not the gaps."""
    for gaps in folder.glob(f"*/{posting_gaps.GAPS}"):
        segment = Segment.load(gaps.parent, gaps.parent.name)
        assert isinstance(segment.docs, GapDocs)
        np.save(gaps.parent / Segment.DOCS, segment.docs.every())
        for name in posting_gaps.FILES:
            (gaps.parent / name).unlink()


def test_a_segment_of_format_4_loads_scores_the_same_and_is_linked_as_it_is(
    tmp_path: Path,
) -> None:
    texts = _corpus(300)
    LexicalIndex.build(texts).save(tmp_path / "one")
    _as_format_4(tmp_path / "one")
    old = LexicalIndex.load(tmp_path / "one", len(texts))
    segment = old.segments[0]
    assert isinstance(segment.docs, np.memmap) and segment.docs.dtype == np.int32
    _same(old, Bm25sIndex.build(texts))
    # A later build links the old segment with its docs.npy, and writes its new one as gaps.
    changed = texts[:290] + _corpus(5, seed=5)
    update = old.updated(changed)
    assert update.how == "incremental"
    update.index.save(tmp_path / "two")
    base, new = (s.name for s in update.index.segments)
    assert (tmp_path / "two" / base / Segment.DOCS).stat().st_ino == (
        (tmp_path / "one" / base / Segment.DOCS).stat().st_ino
    )
    assert not (tmp_path / "two" / base / posting_gaps.GAPS).exists()
    assert (tmp_path / "two" / new / posting_gaps.GAPS).is_file()
    assert not (tmp_path / "two" / new / Segment.DOCS).exists()
    reloaded = LexicalIndex.load(tmp_path / "two", len(changed))
    _same(reloaded, Bm25sIndex.build(changed))


def test_idf_with_tombstones_reads_the_gaps_as_the_numbers_they_were(tmp_path: Path) -> None:
    # idf over a segment with tombstones decodes every posting (GapDocs.every).
    texts = _corpus(300)
    LexicalIndex.build(texts).save(tmp_path / "one")
    changed = texts[40:] + _corpus(10, seed=3)
    update = LexicalIndex.load(tmp_path / "one", len(texts)).updated(changed)
    assert update.how == "incremental" and isinstance(update.index.segments[0].docs, GapDocs)
    assert update.index.idf() == Bm25sIndex.build(changed).idf()


def test_an_older_snapshots_bm25s_index_still_loads(tmp_path: Path) -> None:
    texts = _corpus(50)
    Bm25sIndex.build(texts).save(tmp_path / "bm25")
    loaded = load_lexical(tmp_path, len(texts), "lexical", "bm25")
    assert isinstance(loaded, Bm25sIndex)
    assert loaded._retriever is not None
    assert isinstance(loaded._retriever.scores["data"], np.memmap)
    assert loaded.scores("harbour quay").tobytes() == (
        LexicalIndex.build(texts).scores("harbour quay").tobytes()
    )


QUERIES = ["tram", "tram tram council", "When did the river flood the quay?", "zeppelin", "ferry"]


def _same(a: LexicalIndex | Bm25sIndex, b: LexicalIndex | Bm25sIndex) -> None:
    """Bit-identical scores and the same hits for every query, and the same idf."""
    for query in QUERIES:
        assert a.scores(query).tobytes() == b.scores(query).tobytes(), query
        x, y = a.hits(query), b.hits(query)
        assert x.ids.tolist() == y.ids.tolist()
        assert x.scores.tobytes() == y.scores.tobytes()
    assert a.idf() == b.idf()


def test_an_index_updated_with_new_and_removed_passages_scores_as_a_full_build(
    tmp_path: Path,
) -> None:
    # The earlier index's segment is reused (and saved, so its files are linked); only the
    # new passages are tokenised. Idf and average length must still be the whole corpus's.
    texts = _corpus(400)
    first = LexicalIndex.build(texts)
    first.save(tmp_path / "one")
    earlier = LexicalIndex.load(tmp_path / "one", len(texts))
    added = _corpus(30, seed=11)
    # Removed passages, passages added between the old ones (ordinals shift), one added twice.
    changed = texts[:50] + added[:10] + texts[60:200] + added[10:] + texts[250:] + [added[0]]
    update = earlier.updated(changed)
    updated = update.index
    assert update.how == "incremental"
    assert update.earlier.tolist() == [
        *range(50),
        *[-1] * 10,
        *range(60, 200),
        *[-1] * 20,
        *range(250, 400),
        -1,
    ]
    assert len(updated.segments) == 2 and updated.segments[1].count == len(added) + 1
    _same(updated, LexicalIndex.build(changed))
    _same(updated, Bm25sIndex.build(changed))
    updated.save(tmp_path / "two")
    base = updated.segments[0].name
    assert (tmp_path / "two" / base / posting_gaps.GAPS).stat().st_ino == (
        (tmp_path / "one" / base / posting_gaps.GAPS).stat().st_ino
    )
    _same(LexicalIndex.load(tmp_path / "two", len(changed)), Bm25sIndex.build(changed))


def test_small_segments_fold_together_and_a_large_change_merges(tmp_path: Path) -> None:
    texts = _corpus(1000)
    index = LexicalIndex.build(texts)
    for round_ in range(MAX_SEGMENTS + 2):
        texts = texts + _corpus(3, seed=100 + round_)
        update = index.updated(texts)
        index = update.index
        assert update.how == "incremental"
        assert len(index.segments) <= MAX_SEGMENTS
        _same(index, Bm25sIndex.build(texts))
    many = texts + _corpus(len(texts) // 2, seed=7)  # past MERGE_FRACTION of the corpus
    assert len(texts) // 2 > MERGE_FRACTION * len(many)
    update = index.updated(many)
    merged = update.index
    assert update.how == "merged" and len(merged.segments) == 1
    _same(merged, Bm25sIndex.build(many))


def test_term_scores_are_kept_between_questions_within_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _corpus(300)
    index = LexicalIndex.build(texts)
    first = index.hits("harbour storm")
    calls: list[str] = []
    real = index._term
    monkeypatch.setattr(index, "_term", lambda term: calls.append(term) or real(term))
    again = index.hits("storm, the harbour")
    assert calls == []  # both terms' scores were kept
    assert again.ids.tolist() == first.ids.tolist()
    assert again.scores.tobytes() == index.hits("harbour storm").scores.tobytes()
    monkeypatch.setattr(lexical, "TERM_CACHE_POSTINGS", 10)
    monkeypatch.setattr(lexical, "TERM_CACHE_PER_PASSAGE", 0)
    index.hits("ferry quay")  # more postings than the bound: not kept
    index.hits("ferry quay")
    assert calls == ["ferri", "quay", "ferri", "quay"]
    _same(index, Bm25sIndex.build(texts))


def test_the_term_cache_holds_more_postings_for_more_passages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At a million passages a fixed bound held only the last few questions' common words.
    index = LexicalIndex.build(_corpus(300))
    monkeypatch.setattr(lexical, "TERM_CACHE_POSTINGS", 10)
    found = [index._term(t) for t in ("ferri", "quay")]
    held = sum(len(f[0]) for f in found if f is not None)
    assert 10 < held <= lexical.TERM_CACHE_PER_PASSAGE * 300
    calls: list[str] = []
    real = index._term

    def counted(term: str) -> tuple[np.ndarray, np.ndarray] | None:
        calls.append(term)
        return real(term)

    monkeypatch.setattr(index, "_term", counted)
    index.hits("ferry quay")
    index.hits("ferry quay")
    assert calls == ["ferri", "quay"]  # kept: within 8 postings a passage


def test_scores_from_a_reused_scratch_are_those_of_a_fresh_one() -> None:
    # Each thread's scratch is lent again to the next question, given back as zeros.
    texts = _corpus(300)
    index = LexicalIndex.build(texts)
    queries = ["harbour storm", "ferry", "storm storm quay", "zeppelin", "harbour storm"]
    fresh = [lexical._summed([b for t in terms(q) if (b := index._term(t))], None) for q in queries]
    for query, expected in zip(queries, fresh, strict=True):
        hits = index.hits(query)
        assert hits.ids.tolist() == expected.ids.tolist()
        assert hits.scores.tobytes() == expected.scores.tobytes()
    scratch = index._scratch.array
    assert scratch is not None and not scratch.any()
    index.hits("ferry quay")
    assert index._scratch.array is scratch  # the same array, not a new one per question


def test_a_failed_sum_leaves_the_scratch_as_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    index = LexicalIndex.build(_corpus(300))
    index.hits("harbour")
    real = np.flatnonzero

    def failing(*args: object) -> np.ndarray:
        raise MemoryError

    monkeypatch.setattr(lexical.np, "flatnonzero", failing)
    with pytest.raises(MemoryError):
        index.hits("storm quay")
    monkeypatch.setattr(lexical.np, "flatnonzero", real)
    scratch = index._scratch.array
    assert scratch is not None and not scratch.any()


def test_the_term_cache_lets_the_least_recently_asked_term_go_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = LexicalIndex.build(_corpus(300))  # "harbour": its term is "harbor"
    sizes = {t: len(index._term(t)[0]) for t in ("harbor", "storm", "ferri")}  # type: ignore[index]
    # Room for the two largest terms' postings, not for all three.
    monkeypatch.setattr(lexical, "TERM_CACHE_POSTINGS", sum(sorted(sizes.values())[1:]))
    monkeypatch.setattr(lexical, "TERM_CACHE_PER_PASSAGE", 0)
    calls: list[str] = []
    real = index._term
    monkeypatch.setattr(index, "_term", lambda term: calls.append(term) or real(term))
    index.hits("harbour")
    index.hits("storm")
    index.hits("harbour")  # asked again: now the more recent of the two
    index.hits("ferry")  # makes room by letting "storm" go, not the whole cache
    index.hits("harbour")
    assert calls == ["harbor", "storm", "ferri"]
    index.hits("storm")
    assert calls == ["harbor", "storm", "ferri", "storm"]


def _one_sort_segment(token_lists: list[list[str]]) -> dict[str, object]:
    """A segment's arrays as the build before the chunks made them: every token's (term,
    document) pair as one int64, sorted at once."""
    vocabulary: dict[str, int] = {}
    flat = np.asarray(
        [vocabulary.setdefault(t, len(vocabulary)) for tokens in token_lists for t in tokens],
        dtype=np.int64,
    )
    lengths = np.asarray([len(tokens) for tokens in token_lists], dtype=np.int64)
    documents = max(1, len(lengths))
    pairs = np.sort(flat * documents + np.repeat(np.arange(len(lengths)), lengths))
    first = np.concatenate(([True], pairs[1:] != pairs[:-1])) if len(pairs) else pairs > 0
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(pairs)))
    unique = pairs[starts]
    indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(np.bincount(unique // documents, minlength=len(vocabulary)), out=indptr[1:])
    # The narrowest type holding every count (a byte each, mostly: format 4's postings).
    most = int(counts.max()) if len(counts) else 0
    tf_type = next(t for t in (np.uint8, np.uint16, np.uint32) if most <= np.iinfo(t).max)
    return {
        "vocabulary": vocabulary,
        "indptr": indptr,
        "docs": (unique % documents).astype(np.int32),
        "tfs": counts.astype(tf_type),
        "lengths": lengths.astype(np.int32),
    }


@pytest.mark.parametrize("chunk", [1, 2, 7, 50, 10_000])
@pytest.mark.parametrize("shape", ["corpus", "empty", "wordless", "over_a_byte", "frequent"])
def test_a_segment_built_in_chunks_has_the_arrays_of_one_sort(chunk: int, shape: str) -> None:
    # Chunks of documents are sorted into postings one at a time and then placed term by term:
    # the arrays (and their dtypes) must be those of sorting every pair at once, whatever the
    # chunk; "over_a_byte": a term 300 times in one document (tfs as uint16, the others'
    # uint8); "frequent": more than 2**16 times (uint32).
    token_lists = {
        "corpus": [terms(t) for t in _corpus(120) + TEXTS],
        "empty": [],
        "wordless": [[], terms("the regional fair"), [], []],
        "over_a_byte": [["fair"], ["tram"] * 300 + ["fair"], [], ["tram"]],
        "frequent": [["fair"], ["tram"] * (2**16 + 3) + ["fair"], [], ["tram"]],
    }[shape]
    keys = np.zeros((len(token_lists), lexical.KEY_BYTES), dtype=np.uint8)
    segment = lexical.Segment.build(iter(token_lists), keys, chunk=chunk)
    expected = _one_sort_segment(token_lists)
    assert segment.vocabulary == expected["vocabulary"]
    assert list(segment.vocabulary) == list(expected["vocabulary"])  # type: ignore[call-overload]
    for name in ("indptr", "docs", "tfs", "lengths"):
        array, wanted = getattr(segment, name), expected[name]
        assert isinstance(wanted, np.ndarray)
        assert array.dtype == wanted.dtype, name
        assert np.array_equal(array, wanted), name
    assert segment.keys.shape == (len(token_lists), lexical.KEY_BYTES)


def test_an_index_built_in_small_chunks_scores_as_bm25s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "BUILD_CHUNK", 3)
    # bm25s holds an identifier as one token, where its words follow it here.
    texts = _corpus(200) + [text for text in TEXTS if "_" not in text]
    _same(LexicalIndex.build(texts), Bm25sIndex.build(texts))


def test_tokens_and_stems_are_bm25s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The splitter without bm25s' word boundaries finds the same tokens, and remembered stems
    are the stemmer's, also after the memory is emptied for being full."""
    import re

    bm25s_pattern = re.compile(r"(?u)\b\w\w+\b")
    texts = [
        "a I x1 42 3.14 e-mail don't co_op __init__ naïve Zürich 東京都 Ωmega x",
        "A—b ab—cd 'quoted' (paren) [x] {yy} tab\tnew\nline ÅÄÖ åäö 1,000,000 ½ ² ٣٤",
        *_corpus(50),
    ]
    for text in texts:
        assert lexical._SPLITTER.findall(text.lower()) == bm25s_pattern.findall(text.lower())
    stemmer = lexical._stemmer()
    monkeypatch.setattr(lexical, "_STEMS_HELD", 7)
    monkeypatch.setattr(lexical, "_STEMS", {})
    for text in texts * 2:
        words = [w for w in bm25s_pattern.findall(text.lower()) if w not in lexical._STOPWORDS]
        # An identifier's words follow it ("co_op", "co", "op"): the stemmer's stems all.
        words = [
            part
            for word in words
            for part in (word, *(re.findall(r"[^\W_]{2,}", word) if "_" in word else ()))
            if part not in lexical._STOPWORDS
        ]
        assert terms(text) == list(stemmer.stemWords(words))


class _Unread:
    """Postings that must not be read."""

    def __array__(self, *args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("the postings were read")

    def __getitem__(self, key: object) -> np.ndarray:
        raise AssertionError("the postings were read")


def test_idf_without_tombstones_does_not_read_the_postings(tmp_path: Path) -> None:
    # A server computes idf when it starts: read, every page of docs.npy would stay mapped.
    texts = _corpus(200)
    LexicalIndex.build(texts).save(tmp_path / "one")
    loaded = LexicalIndex.load(tmp_path / "one", len(texts))
    expected = Bm25sIndex.build(texts).idf()
    for part in loaded._parts:
        part.segment = dataclasses.replace(part.segment, docs=_Unread())
    assert loaded.idf() == expected


@pytest.mark.parametrize("block", [1, 3, 16, 1_024])
def test_top_keeps_the_best_and_of_a_tie_at_the_cut_the_lowest_ordinals(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The answers depend on which passages are candidates: found among the blocks' best, the
    # k best by score, then ordinal (the PostgreSQL backend's ORDER BY score DESC, ordinal).
    monkeypatch.setattr(lexical, "_BLOCK", block)
    rng = np.random.default_rng(block)
    tied = 0
    for _ in range(400):
        size = int(rng.integers(1, 3_000))
        levels = int(rng.choice([2, 5, 50, 10_000]))  # few levels: ties at the cut
        scores = (rng.integers(1, levels + 1, size) / 7).astype(np.float32)
        hits = lexical.LexicalHits(np.arange(size, dtype=np.int64) * 3, scores)
        k = int(rng.integers(1, 80))
        order = np.lexsort((hits.ids, -scores))  # by score, then ordinal
        expected = hits.ids if size <= k else hits.ids[order[:k]]
        assert sorted(hits.top(k).tolist()) == sorted(expected.tolist())
        if size > k:
            cut = np.sort(scores)[-k]
            tied += int(np.count_nonzero(scores >= cut) > k)
    assert tied > 50


def test_top_looks_at_the_blocks_best_without_argpartition_of_every_score(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scores = np.random.default_rng(0).permutation(200_000).astype(np.float32) + 1
    hits = lexical.LexicalHits(np.arange(200_000, dtype=np.int64), scores)

    def refused(*args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("argpartition of every score")

    monkeypatch.setattr(lexical.np, "argpartition", refused)
    assert sorted(scores[hits.top(50)].tolist()) == list(range(199_951, 200_001))


def _random_blocks(
    rng: np.random.Generator, size: int, levels: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    blocks = []
    for _ in range(int(rng.integers(1, 4))):
        count = int(rng.integers(1, size + 1))
        ids = np.sort(rng.choice(size, count, replace=False)).astype(np.int32)
        blocks.append((ids, (rng.integers(1, levels + 1, count) / 7).astype(np.float32)))
    return blocks


@pytest.mark.parametrize("block", [1, 3, 16, 1_024])
def test_top_hits_rank_as_every_hit_does(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # The ranking reads ``top(k)``, ``best`` and ``of(also)``: from the cut hits they must be
    # every hit's to the bit, ties at the cut included.
    monkeypatch.setattr(lexical, "_BLOCK", block)
    rng = np.random.default_rng(block)
    scratch = lexical._Scratch()
    cut_short = 0
    for _ in range(300):
        size = int(rng.integers(1, 3_000))
        blocks = _random_blocks(rng, size, int(rng.choice([2, 5, 50, 10_000])))
        k = int(rng.integers(1, 80))
        also = rng.integers(-2, size + 5, int(rng.integers(0, 60))).tolist()
        every = lexical._summed(blocks, None)
        cut = lexical._summed_top(blocks, k, also, scratch)
        assert sorted(cut.top(k).tolist()) == sorted(every.top(k).tolist())
        assert cut.best == every.best
        assert cut.of(also).tobytes() == every.of(also).tobytes()
        assert cut.scores.tobytes() == every.of(cut.ids).tobytes()
        assert cut.ids.tolist() == sorted(set(cut.ids.tolist()))
        assert scratch.array is not None and not scratch.array.any()
        cut_short += len(cut.ids) < len(every.ids)
    # Blocks of 1,024 scores: fewer blocks than k in these small arrays, so never cut there.
    assert cut_short > (50 if block <= 16 else -1)


def test_top_hits_keep_the_k_best_and_the_passages_asked_about() -> None:
    rng = np.random.default_rng(5)
    scores = (rng.permutation(200_000) + 1).astype(np.float32)
    blocks = [(np.arange(200_000, dtype=np.int32), scores)]
    cut = lexical._summed_top(blocks, 50, [7, 3, 7, 250_000])
    assert cut.ids.tolist() == sorted({3, 7, *np.argsort(-scores)[:50].tolist()})
    assert cut.scores.tolist() == scores[cut.ids].tolist()


def test_top_hits_of_a_tie_at_the_cut_keep_its_lowest_ordinals() -> None:
    scores = np.ones(200_000, dtype=np.float32)
    scores[[5, 70_000, 150_000]] = 2
    blocks = [(np.arange(200_000, dtype=np.int32), scores)]
    # 60 is tied at the cut and asked about: kept as a hit, not among the best.
    cut = lexical._summed_top(blocks, 50, [60, 3])
    best = [5, 70_000, 150_000, *(o for o in range(48) if o != 5)]
    assert cut.ids.tolist() == sorted({*best, 60})
    assert sorted(cut.top(50).tolist()) == sorted(best)
    assert sorted(lexical._summed(blocks, None).top(50).tolist()) == sorted(best)


@pytest.mark.parametrize("query", ["harbour storm", "ferry", "tram tram council", "zeppelin"])
def test_an_index_top_hits_are_its_hits_cut(query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "_BLOCK", 4)
    index = LexicalIndex.build(_corpus(300))
    every = index.hits(query)
    also = [0, 5, 299, 1_000]
    cut = index.top_hits(query, 5, also)
    assert sorted(cut.top(5).tolist()) == sorted(every.top(5).tolist())
    assert cut.of(also).tobytes() == every.of(also).tobytes()
    assert cut.best == every.best
    scratch = index._scratch.array
    assert scratch is None or not scratch.any()


@pytest.mark.parametrize("query", ["harbour storm", "ferry", "tram tram council", "zeppelin"])
@pytest.mark.parametrize("k", [5, 1_000])
def test_top_hits_in_two_steps_are_top_hits(
    query: str, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The best picked first, the passages asked about later (``retrieval.look_up``, whose
    # dense ordinals come from another thread meanwhile): the same hits, bit for bit.
    monkeypatch.setattr(lexical, "_BLOCK", 4)
    index = LexicalIndex.build(_corpus(300))
    also = [0, 5, 299, 1_000, 5]
    expected = index.top_hits(query, k, also)
    summed = index.summed_top(query, k)
    assert sorted(summed.leading().tolist()) == sorted(expected.top(k).tolist())
    cut = summed.hits(also)
    assert cut.ids.tolist() == expected.ids.tolist()
    assert cut.scores.tobytes() == expected.scores.tobytes()
    scratch = index._scratch.array
    assert scratch is None or not scratch.any()
    # Discarded instead (the dense search failed): the scratch is zeroes again all the same.
    index.summed_top(query, k).discard()
    assert scratch is None or not scratch.any()
    assert index.top_hits(query, k, also).scores.tobytes() == expected.scores.tobytes()


def test_a_term_s_ordinals_are_held_as_int32(tmp_path: Path) -> None:
    # A third more postings in the term cache for the memory int64 ordinals took (a loaded
    # segment decodes its gaps to int64).
    LexicalIndex.build(_corpus(300)).save(tmp_path)
    index = LexicalIndex.load(tmp_path, 300)
    found = index._term(terms("harbour")[0])
    assert found is not None and found[0].dtype == np.int32 and found[1].dtype == np.float32
