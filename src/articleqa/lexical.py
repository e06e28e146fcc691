"""BM25 over passages, for names and exact words the dense model blurs.

The index is a list of immutable *segments* (issue 17): each holds the term frequencies and
lengths of some passages, never their scores, so it stays valid as the corpus grows. Scores
are computed for a question's terms only, from corpus-wide statistics (document frequency and
average length over the live passages of every segment), with bm25s' formula and rounding: a
passage scores the same bits whether its segment was built with the whole corpus or added by
a later build. A build after a few articles changed keeps the earlier segments (their files
hard-linked into the new snapshot), tombstones the passages that went (each segment's map from
its own document numbers to passage ordinals, -1 for gone; rewritten per build, a few bytes a
passage) and tokenises only the new passages into a new small segment. Small segments are
folded together when there are too many, and everything is re-tokenised into one segment when
tombstones and small segments grow past ``MERGE_FRACTION`` of the corpus.

Snapshots from before the segments hold a bm25s index (``bm25/``): ``Bm25sIndex`` reads them.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import math
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import Stemmer

from articleqa import posting_gaps, spelling
from articleqa.arrays import load_array
from articleqa.posting_gaps import GapDocs
from articleqa.spelling import american

logger = logging.getLogger(__name__)


class _AmericanStemmer:
    """Snowball's English stemmer over each word's American spelling: "colours" stems as
    "colors" does. bm25s' tokenizer takes it as it takes the stemmer itself."""

    def __init__(self) -> None:
        self._snowball = Stemmer.Stemmer("english")

    def stemWords(self, words: Sequence[str]) -> list[str]:  # PyStemmer's method name
        stems: list[str] = self._snowball.stemWords([american(w) for w in words])
        return stems


@lru_cache(maxsize=1)
def _stemmer() -> _AmericanStemmer:
    return _AmericanStemmer()


# bm25s' defaults ("lucene" scoring), with which every index so far was built.
K1 = 1.5
B = 0.75
# Re-tokenise the whole corpus into one segment once tombstones and the passages of the
# segments after the first exceed this share of the corpus; fold every small segment into
# the new one once there would be more than ``MAX_SEGMENTS``.
MERGE_FRACTION = 0.25
MAX_SEGMENTS = 8
KEY_BYTES = 16
# Postings whose scores a loaded index keeps between questions (8 bytes each: ~16 MB), or
# per passage where that is more (~100 MB at a million passages, where a question's words hold
# ~600 k postings and 2 M held only the last few questions' words: "Scale, tenth pass"; 12
# since the ordinals are int32, the memory 8 held at 12 bytes: "Scale, fifteenth pass").
TERM_CACHE_POSTINGS = 2_000_000
TERM_CACHE_PER_PASSAGE = 12
TERM_CACHE_TERMS = 50_000  # unknown words are remembered too
SEGMENTS_FILE = "segments.json"
# Scores per block when ``LexicalHits.top`` looks for its k best among the blocks' best.
_BLOCK = 1024
# Passages up to which a term's ordinals are held as int32.
_INT32_ORDINALS = 2**31 - 1
# Not yet in the term cache (None there: a word no passage holds).
_UNKNOWN: Any = object()
# Documents numbered and sorted into postings at a time by a segment's build (~1.3 M tokens of
# the synthetic corpus: ~40 MB of int64 pairs and their sort).
BUILD_CHUNK = 20_000

# bm25s' token pattern is r"(?u)\b\w\w+\b": the runs of two or more word characters. Its
# word boundaries hold by themselves (a greedy run starts after a non-word character and ends
# before one), so leaving them out finds the same tokens, 1.6x faster (a test compares them).
_SPLITTER = re.compile(r"\w\w+")
# The words of a token joined by underscores: its runs of two or more letters or digits.
_PART = re.compile(r"[^\W_]{2,}")
# Each word's stem, remembered: the stemmer's own call per word cost more than the look-up.
_STEMS: dict[str, str] = {}
_STEMS_HELD = 200_000
# Lucene's English stop words, as bm25s' ``stopwords="en"`` has them (a test keeps the two
# equal): written out so that a build or a question does not import bm25s (and scipy), which
# only snapshots from before the segments need.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    ]
)


# Words a question has because it is a question (wh-words and the "do" it needs: "How high did
# the Millrace rise?") and that the sentence answering it does not repeat ("The Millrace rose to
# 4.2 metres"). A sentence that shares only these with a question ("The wall did what it was
# built to do") does not answer it. Lucene's stop list (bm25s') keeps them: it was made for
# documents, not questions.
_QUESTION_WORDS = frozenset(
    ["how", "what", "when", "where", "which", "who", "whom", "whose", "why", "do", "does", "did"]
)
_QUESTION_SKIP = _STOPWORDS | _QUESTION_WORDS


def terms(text: str) -> list[str]:
    """The words BM25 indexes for ``text`` (lower-cased, stop words out, stemmed).

    Same rules as bm25s' tokenizer, without its per-call overhead (a progress bar object and
    a vocabulary per call): used for every question and for sentence scoring.
    """
    return _stemmed(text, _STOPWORDS)


def question_terms(question: str) -> list[str]:
    """The terms of a question that a sentence answering it would share: ``terms`` without the
    question words (used to find the sentence that answers; BM25 retrieval keeps them, its idf
    already weighs them and dropping them there lost more than it won, BENCHMARKS.md)."""
    return _stemmed(question, _QUESTION_SKIP)


def passage_key(text: str) -> bytes:
    """What a segment remembers of a passage's text, to find it again in a later build."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_BYTES).digest()


def _stemmed(text: str, skip: frozenset[str]) -> list[str]:
    global _STEMS
    words = [w for w in _SPLITTER.findall(text.lower()) if w not in skip]
    if "_" in text:
        # An identifier's words are words, as a hyphenated name's are ("FetchContent" is in
        # "FetchContent_MakeAvailable()", "source" in "utm_source"): its parts follow it.
        words = [
            part
            for word in words
            for part in (
                (word, *(p for p in _PART.findall(word) if p not in skip))
                if "_" in word
                else (word,)
            )
        ]
    stems = _STEMS  # another thread may start a new dict meanwhile: this one stays whole
    new = [w for w in dict.fromkeys(words) if w not in stems]
    if new:
        if len(stems) + len(new) > _STEMS_HELD:
            stems = _STEMS = {}
            new = list(dict.fromkeys(words))
        stems.update(zip(new, _stemmer().stemWords(new), strict=True))
    return [stems[w] for w in words]


def tokenizing_fingerprint() -> str:
    """A hash of what decides a text's terms: the token pattern, the stop words, the stemmer
    and the functions applying them. Not of this whole module: an edit to how postings are
    stored or scored does not change a single term, and stored terms (sentence words,
    about-terms) fingerprinted by it stay usable."""
    digest = hashlib.sha256(f"{_SPLITTER.pattern}\n{_PART.pattern}".encode())
    digest.update("\n".join(sorted(_STOPWORDS)).encode())
    digest.update(f"{Stemmer.version()}\n{inspect.getsource(_AmericanStemmer)}".encode())
    digest.update(inspect.getsource(_stemmed).encode())
    digest.update(inspect.getsource(terms).encode())
    digest.update(f"{version('wordfreq')}\n{inspect.getsource(spelling)}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class LexicalHits:
    """The passages a query's words occur in: ordinals ascending, scores alike (all > 0)."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> LexicalHits:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))

    @property
    def best(self) -> float:
        return float(self.scores.max()) if self.scores.size else 0.0

    def top(self, k: int) -> np.ndarray:
        """Ordinals of the ``k`` best-scored passages, in no particular order; of passages tied
        at the cut, the lowest ordinals, as the PostgreSQL backend's ``ORDER BY score DESC,
        ordinal`` keeps them.

        Found among the few scores at least the ``k``-th best of ``_BLOCK``-score blocks' best
        (BENCHMARKS.md, "Scale, tenth pass"). Until the fifteenth pass, ``argpartition`` of
        every score decided which tied passages were kept, which needed every score in a list
        ("Scale, fifteenth pass").
        """
        if len(self.ids) <= k:
            return self.ids
        places = _best_places(self.scores, k)
        return self.ids[places] if places is not None else np.zeros(0, dtype=self.ids.dtype)

    def dense(self, size: int) -> np.ndarray:
        """A score for every one of ``size`` passages (zeros where no query word occurs)."""
        every = np.zeros(size, dtype=np.float32)
        every[self.ids] = self.scores
        return every

    def of(self, ordinals: Sequence[int]) -> np.ndarray:
        """The score of each of ``ordinals`` (0 for a passage holding none of the words)."""
        wanted = np.asarray(ordinals, dtype=np.int64)
        rows = np.searchsorted(self.ids, wanted)
        inside = rows < len(self.ids)
        found = np.zeros(len(wanted), dtype=np.float32)
        matched = inside.copy()
        matched[inside] = self.ids[rows[inside]] == wanted[inside]
        found[matched] = self.scores[rows[matched]]
        return found


class Lexical(Protocol):
    """What the searcher reads from a snapshot's lexical index, whichever format it has."""

    size: int

    def hits(self, query: str, allowed: np.ndarray | None = None) -> LexicalHits: ...

    def scores(self, query: str) -> np.ndarray: ...

    def idf(self) -> dict[str, float]: ...

    def save(self, folder: Path) -> None: ...


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    """The postings of some passages, numbered 0.. within the segment; immutable once written.

    Holds term frequencies and token counts, not scores: those depend on the whole corpus.
    ``folder``: where it is saved (None until then); a later snapshot hard-links its files.
    """

    name: str
    vocabulary: dict[str, int]
    indptr: np.ndarray  # int64, one more than the terms: term t's postings are [t, t+1)
    # Document numbers, ascending within a term: int32 as built (and as docs.npy of format 4
    # and before held them); saved as gaps from format 5 (posting_gaps.py).
    docs: np.ndarray | GapDocs
    tfs: np.ndarray  # how often the term occurs in the document (unsigned)
    lengths: np.ndarray  # int32 indexed tokens per document (stop words out), as bm25s counts
    keys: np.ndarray  # (documents, KEY_BYTES) uint8: ``passage_key`` of each document's text
    folder: Path | None = None

    FILES = ("vocab.json", "indptr.npy", "tfs.npy", "lengths.npy", "keys.npy")
    DOCS = "docs.npy"  # format 4 and before; format 5 writes posting_gaps.FILES instead

    @property
    def count(self) -> int:
        return len(self.lengths)

    @classmethod
    def build(
        cls, token_lists: Iterable[Sequence[str]], keys: np.ndarray, chunk: int | None = None
    ) -> Segment:
        """The postings of the documents ``token_lists`` gives, in order (read once, as they
        come: a list of every passage's tokens was most of a full build's BM25 memory).

        ``chunk`` documents (default ``BUILD_CHUNK``) at a time are numbered and sorted into
        postings, which are then placed term by term into the segment's arrays: the build
        holds the postings (6 bytes each) and one chunk's tokens, not every token's (term,
        document) pair as int64 and their sort (+620 MB at 200 k passages, BENCHMARKS.md
        "Scale, sixth pass"). The arrays are the same whatever the chunk (test).
        """
        chunk = BUILD_CHUNK if chunk is None else chunk
        vocabulary: dict[str, int] = {}
        documents = iter(token_lists)
        blocks: list[_Postings] = []
        lengths: list[np.ndarray] = []
        first = 0
        while True:
            counted: list[int] = []

            def numbered(counted: list[int] = counted) -> Iterator[int]:
                for tokens in islice(documents, chunk):
                    counted.append(len(tokens))
                    for token in tokens:
                        yield vocabulary.setdefault(token, len(vocabulary))

            flat = np.fromiter(numbered(), dtype=np.int64)
            if not counted:
                break
            blocks.append(_Postings.of(flat, np.asarray(counted, dtype=np.int64), first))
            lengths.append(np.asarray(counted, dtype=np.int32))
            first += len(counted)
            del flat
        indptr, docs, tfs = _placed(blocks, len(vocabulary))
        return cls(
            name=secrets.token_hex(6),
            vocabulary=vocabulary,
            indptr=indptr,
            docs=docs,
            tfs=tfs,
            lengths=np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int32),
            keys=np.asarray(keys, dtype=np.uint8).reshape(first, KEY_BYTES),
        )

    def save(self, folder: Path) -> Segment:
        """Write (or, if saved before, hard-link) the files into ``folder``; the saved copy."""
        folder.mkdir(parents=True)
        if self.folder is not None:
            # As it was written: a segment of format 4 keeps its docs.npy.
            docs = (*posting_gaps.FILES,) if isinstance(self.docs, GapDocs) else (self.DOCS,)
            for name in (*self.FILES, *docs):
                link_or_copy(self.folder / name, folder / name)
        else:
            inverse = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
            (folder / "vocab.json").write_text(json.dumps(inverse, ensure_ascii=False))
            coded = (
                self.docs
                if isinstance(self.docs, GapDocs)
                else GapDocs.encode(self.indptr, self.docs)
            )
            for name, array in (
                ("indptr.npy", self.indptr),
                (posting_gaps.GAPS, coded.gaps),
                (posting_gaps.ESCAPES, coded.escapes),
                (posting_gaps.ESCAPE_STARTS, coded.escape_starts),
                ("tfs.npy", self.tfs),
                ("lengths.npy", self.lengths),
                ("keys.npy", self.keys),
            ):
                np.save(folder / name, array)
        return Segment.load(folder, self.name)

    @classmethod
    def load(cls, folder: Path, name: str) -> Segment:
        terms_in_order = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))

        def array(file: str) -> np.ndarray:
            # Mapped: a question reads its terms' postings only, and the pages are shared
            # with every other process serving this snapshot (or a later one linking them).
            return load_array(folder / file, mapped=True)

        indptr = np.asarray(array("indptr.npy"))
        docs: np.ndarray | GapDocs
        if (folder / posting_gaps.GAPS).is_file():
            docs = GapDocs(
                indptr,
                array(posting_gaps.GAPS),
                array(posting_gaps.ESCAPES),
                np.asarray(load_array(folder / posting_gaps.ESCAPE_STARTS, mapped=False)),
            )
            if not docs.check():
                raise ValueError(f"segment {name}: posting gaps do not fit its postings")
        else:  # format 4 and before
            docs = array(cls.DOCS)
        return cls(
            name=name,
            vocabulary={t: i for i, t in enumerate(terms_in_order)},
            indptr=indptr,
            docs=docs,
            tfs=array("tfs.npy"),
            lengths=array("lengths.npy"),
            keys=array("keys.npy"),
            folder=folder,
        )

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, term frequencies) of ``term`` here, or None."""
        column = self.vocabulary.get(term)
        if column is None:
            return None
        start, end = int(self.indptr[column]), int(self.indptr[column + 1])
        docs = (
            self.docs.term(column)
            if isinstance(self.docs, GapDocs)
            else np.asarray(self.docs[start:end])
        )
        return docs, np.asarray(self.tfs[start:end])

    def every_doc(self) -> np.ndarray:
        """Every posting's document number, in posting order."""
        return self.docs.every() if isinstance(self.docs, GapDocs) else np.asarray(self.docs)


@dataclass(frozen=True, slots=True)
class _Postings:
    """The postings of a run of documents, ordered by term then document: ``terms`` each
    term present once (ascending) and ``runs`` its postings' count; then each posting's
    document number (in the segment) and term frequency."""

    terms: np.ndarray  # int64
    runs: np.ndarray  # int64
    docs: np.ndarray  # int32
    tfs: np.ndarray  # uint8, or uint16 / uint32 when a count does not fit

    @classmethod
    def of(cls, flat: np.ndarray, lengths: np.ndarray, first: int) -> _Postings:
        """Of the documents ``first``.. whose term numbers are ``flat`` (``lengths`` each)."""
        documents = max(1, len(lengths))
        # One number per (term, document) occurrence; sorted, equal neighbours are one posting.
        pairs = flat * documents + np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        pairs.sort()
        if not len(pairs):  # documents without an indexed word
            return cls(*(np.zeros(0, dtype=t) for t in (np.int64, np.int64, np.int32, np.uint8)))
        starts = np.flatnonzero(np.concatenate(([True], pairs[1:] != pairs[:-1])))
        counts = np.diff(np.append(starts, len(pairs)))
        unique = pairs[starts]
        del pairs, starts
        columns = unique // documents
        begins = np.flatnonzero(np.concatenate(([True], columns[1:] != columns[:-1])))
        # Most counts are small: a byte each holds them (a sixth of the postings' bytes).
        tf_type = next(
            t for t in (np.uint8, np.uint16, np.uint32) if counts.max() <= np.iinfo(t).max
        )
        return cls(
            terms=columns[begins],
            runs=np.diff(np.append(begins, len(columns))),
            docs=(unique % documents + first).astype(np.int32),
            tfs=counts.astype(tf_type),
        )


def _placed(blocks: list[_Postings], terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, docs, tfs) of a segment of ``terms`` terms from its documents' ``blocks`` (in
    document order; emptied as they are placed): each block's postings of a term go after the
    earlier blocks' ones, so a term's documents stay ascending."""
    frequency = np.zeros(terms, dtype=np.int64)
    for block in blocks:
        frequency[block.terms] += block.runs
    indptr = np.zeros(terms + 1, dtype=np.int64)
    np.cumsum(frequency, out=indptr[1:])
    # The widest block's type: the same arrays whatever the chunk (a test).
    tf_type = np.result_type(np.uint8, *(block.tfs.dtype for block in blocks))
    docs = np.empty(int(indptr[-1]), dtype=np.int32)
    tfs = np.empty(int(indptr[-1]), dtype=tf_type)
    cursor = indptr[:-1].copy()
    while blocks:
        block = blocks.pop(0)
        # A posting's place: where its term's postings go next, plus its rank in its run.
        within = np.arange(len(block.docs), dtype=np.int64) - np.repeat(
            np.cumsum(block.runs) - block.runs, block.runs
        )
        places = np.repeat(cursor[block.terms], block.runs) + within
        docs[places] = block.docs
        tfs[places] = block.tfs
        cursor[block.terms] += block.runs
    return indptr, docs, tfs


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        # Another file system, or one without hard links: a copy is as good, only slower.
        shutil.copyfile(source, target)


@dataclass(slots=True, eq=False)
class _Live:
    """A segment as one snapshot sees it: each of its documents' passage ordinal, -1 if gone."""

    segment: Segment
    ordinals: np.ndarray

    @property
    def live(self) -> int:
        return int(np.count_nonzero(self.ordinals >= 0))


@dataclass(slots=True, eq=False)
class _Statistics:
    documents: int
    average_length: np.float64


class LexicalIndex:
    """BM25 over segments with corpus-wide statistics (module docstring)."""

    def __init__(self, parts: list[_Live], size: int) -> None:
        self._parts = parts
        self.size = size
        documents = sum(p.live for p in parts)
        total = sum(
            int(np.asarray(p.segment.lengths, dtype=np.int64)[p.ordinals >= 0].sum()) for p in parts
        )
        # bm25s takes the mean of the lengths (exact: a float64 sum of integers) in float64.
        self._stats = _Statistics(
            documents, np.float64(total) / documents if documents else np.float64(0.0)
        )
        self._idf: dict[str, float] | None = None
        # Each term's (ordinals, scores), computed once per snapshot: the frequent words of
        # questions recur, and theirs are the longest postings to score (BENCHMARKS.md, "Scale,
        # second pass"). Bounded by the postings held (least recently asked out first).
        self._terms: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        self._terms_held = 0
        self._terms_lock = threading.Lock()
        self._scratch = _Scratch()
        # Per segment, each document's BM25 length part (``_term``'s), worked out once; and
        # whether its documents are the passages in order (a full build's one segment), whose
        # ordinals then need no look-up. Both are read for every posting a question scores.
        self._norms: list[np.ndarray | None] = [None] * len(parts)
        self._in_order = [
            bool(np.array_equal(p.ordinals, np.arange(len(p.ordinals)))) for p in parts
        ]

    @property
    def segments(self) -> list[Segment]:
        return [p.segment for p in self._parts]

    @classmethod
    def build(cls, texts: Sequence[str], keys: Sequence[bytes] | None = None) -> LexicalIndex:
        """One segment over every passage (``texts``: each passage's indexed text)."""
        if not texts:
            return cls([], 0)
        found = [passage_key(t) for t in texts] if keys is None else keys
        segment = Segment.build((terms(t) for t in texts), _key_array(found))
        return cls([_Live(segment, np.arange(len(texts), dtype=np.int64))], len(texts))

    def updated(
        self,
        texts: Sequence[str],
        keys: Sequence[bytes] | None = None,
        *,
        earlier: np.ndarray | None = None,
    ) -> Update:
        """The index of ``texts`` (every passage of the new build, in ordinal order), reusing
        this one's segments for the passages they hold: those ``earlier`` names (each passage's
        ordinal in this index, -1: new), or else those whose text's key a segment holds.

        Only passages no segment holds are tokenised, into one new segment. Scores are the
        same bits as ``build(texts)`` gives (module docstring).
        """
        if earlier is not None:
            maps, earlier = self._matched(np.asarray(earlier, dtype=np.int64))
        else:
            keys = [passage_key(t) for t in texts] if keys is None else keys
            maps, earlier = self._matched_by_key(keys)
        fresh: list[int] = np.flatnonzero(earlier < 0).tolist()
        parts = [_Live(p.segment, m) for p, m in zip(self._parts, maps, strict=True)]
        parts = [p for p in parts if p.live]
        if len(parts) + 1 > MAX_SEGMENTS:
            # Too many segments to read per question term: fold the small ones into the new.
            for part in parts[1:]:
                fresh.extend(part.ordinals[part.ordinals >= 0].tolist())
            parts = parts[:1]
            fresh.sort()
        dead = sum(p.segment.count - p.live for p in parts)
        small = sum(p.segment.count for p in parts[1:])
        if not parts or dead + small + len(fresh) > MERGE_FRACTION * len(texts):
            return Update(LexicalIndex.build(texts, keys), "merged", earlier)
        if fresh:
            found = keys
            segment = Segment.build(
                [terms(texts[i]) for i in fresh],
                _key_array(
                    [found[i] if found is not None else passage_key(texts[i]) for i in fresh]
                ),
            )
            parts.append(_Live(segment, np.asarray(fresh, dtype=np.int64)))
        return Update(LexicalIndex(parts, len(texts)), "incremental", earlier)

    def _matched_by_key(self, keys: Sequence[bytes]) -> tuple[list[np.ndarray], np.ndarray]:
        """Per segment, each document's new ordinal (-1: gone); per new passage, its ordinal
        here (-1: new): passages found by their text's key."""
        where: dict[bytes, list[tuple[int, int]]] = {}
        for number, part in enumerate(self._parts):
            for local, key in enumerate(_keys_of(part.segment)):
                where.setdefault(key, []).append((number, local))
        maps = [np.full(p.segment.count, -1, dtype=np.int64) for p in self._parts]
        earlier = np.full(len(keys), -1, dtype=np.int64)
        for ordinal, key in enumerate(keys):
            places = where.get(key)
            if places:
                number, local = places.pop()
                maps[number][local] = ordinal
                earlier[ordinal] = self._parts[number].ordinals[local]
        return maps, earlier

    def _matched(self, earlier: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """As ``_matched_by_key``, from each new passage's ordinal here, known beforehand (an
        ordinal no live document has is taken as new)."""
        owner = np.full(self.size, -1, dtype=np.int64)
        local_of = np.full(self.size, -1, dtype=np.int64)
        for number, part in enumerate(self._parts):
            live = np.flatnonzero(part.ordinals >= 0)
            owner[part.ordinals[live]] = number
            local_of[part.ordinals[live]] = live
        earlier = earlier.copy()
        known = np.flatnonzero(earlier >= 0)
        outside = earlier[known] >= self.size
        earlier[known[outside]] = -1
        known = known[~outside]
        earlier[known[owner[earlier[known]] < 0]] = -1
        known = np.flatnonzero(earlier >= 0)
        maps = [np.full(p.segment.count, -1, dtype=np.int64) for p in self._parts]
        for number, found in enumerate(maps):
            mine = known[owner[earlier[known]] == number]
            found[local_of[earlier[mine]]] = mine
        return maps, earlier

    def save(self, folder: Path) -> None:
        """Write the new segments, hard-link the earlier ones, and each one's ordinals."""
        folder.mkdir(parents=True, exist_ok=True)
        listed = []
        for part in self._parts:
            part.segment = part.segment.save(folder / part.segment.name)
            np.save(folder / f"{part.segment.name}.ordinals.npy", part.ordinals)
            listed.append({"name": part.segment.name, "documents": part.segment.count})
        (folder / SEGMENTS_FILE).write_text(
            json.dumps({"k1": K1, "b": B, "passages": self.size, "segments": listed})
        )

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        listed = json.loads((folder / SEGMENTS_FILE).read_text(encoding="utf-8"))
        parts = [
            _Live(
                Segment.load(folder / entry["name"], entry["name"]),
                load_array(folder / f"{entry['name']}.ordinals.npy", mapped=False),
            )
            for entry in listed["segments"]
        ]
        index = cls(parts, size)
        if int(listed.get("passages", size)) != size:
            raise ValueError(f"lexical index of {listed.get('passages')} passages, not {size}")
        return index

    def _scored(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """``_term``, remembered (read-only arrays; another thread may be reading them).

        The least recently asked terms make room for a new one: emptying the whole cache when
        full threw away the common words' postings, the longest to score, every few
        questions at 200 k passages (BENCHMARKS.md, "Scale, seventh pass").
        """
        cache = self._terms
        found = cache.get(term, _UNKNOWN)
        if found is not _UNKNOWN:
            with self._terms_lock:
                if term in cache:
                    cache[term] = cache.pop(term)  # now the most recently asked
            return found
        found = self._term(term)
        held = len(found[0]) if found is not None else 0
        bound = max(TERM_CACHE_POSTINGS, TERM_CACHE_PER_PASSAGE * self.size)
        if held > bound:
            return found
        if found is not None:
            for array in found:
                array.setflags(write=False)
        with self._terms_lock:
            if term not in cache:
                cache[term] = found
                self._terms_held += held
            while self._terms_held > bound or len(cache) > TERM_CACHE_TERMS:
                gone = cache.pop(next(iter(cache)))
                self._terms_held -= len(gone[0]) if gone is not None else 0
        return found

    def _term(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(passage ordinals, float32 BM25 scores) of the live passages holding ``term``."""
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for number, part in enumerate(self._parts):
            postings = part.segment.postings(term)
            if postings is None:
                continue
            local, tfs = postings
            norms = self._norm(number)[local]
            if self._in_order[number]:
                ordinals = local  # every document live, its number its ordinal
            else:
                ordinals = part.ordinals[local]
                live = ordinals >= 0
                if not live.all():  # tombstones (most segments have none: no copies then)
                    ordinals, tfs, norms = ordinals[live], tfs[live], norms[live]
            if len(ordinals):
                found.append((ordinals, tfs, norms))
        if not found:
            return None
        # One segment (a full build) needs no concatenation.
        ids, tf, norm = (
            found[0] if len(found) == 1 else (np.concatenate(c) for c in zip(*found, strict=True))
        )
        frequency = len(ids)
        # bm25s ("lucene"): idf rounded to float32, the rest in float64, the product rounded
        # to float32 as it stores it, each step in the same order: the same bits.
        idf = np.float32(
            math.log(1 + (self._stats.documents - frequency + 0.5) / (frequency + 0.5))
        )
        tf = tf.astype(np.float64)
        # In place (``norm`` and ``tf`` are this call's own arrays): the same operations in
        # float64, two arrays of a term's postings fewer to allocate and fault in.
        np.add(norm, tf, out=norm)
        np.divide(tf, norm, out=tf)
        np.multiply(tf, idf, out=tf)
        # Ordinals as int32 where they fit: the term cache holds a third more postings in the
        # same memory, and summing reads fewer bytes (BENCHMARKS.md, "Scale, fifteenth pass").
        narrow = ids.astype(np.int32) if self.size <= _INT32_ORDINALS else ids
        return narrow, tf.astype(np.float32)

    def _norm(self, number: int) -> np.ndarray:
        """Segment ``number``'s ``K1 * (1 - B + B * length / average length)`` per document,
        in float64 in bm25s' order of operations (the same bits as worked out per posting)."""
        norm = self._norms[number]
        if norm is None:
            lengths = np.asarray(self._parts[number].segment.lengths).astype(np.int64)
            norm = K1 * ((1 - B) + B * lengths / self._stats.average_length)
            norm.setflags(write=False)
            self._norms[number] = norm  # two threads may both work it out: the same array
        return norm

    def hits(self, query: str, allowed: np.ndarray | None = None) -> LexicalHits:
        """The passages holding a word of ``query`` (within ``allowed``), with their BM25 scores.

        Reads only the query terms' postings: the cost follows how many passages hold the
        words, not the corpus size. Each passage's score is summed term by term in the query's
        order in float32, as bm25s' ``get_scores`` sums it, so the scores are the same bits.
        """
        return _summed(self._blocks(query), allowed, self._scratch)

    def top_hits(self, query: str, k: int, also: Sequence[int] = ()) -> LexicalHits:
        """``hits(query)`` cut to what a ranking of the ``k`` best reads: the passages whose
        ``top(k)``, ``best`` and ``of(also)`` are those of every hit, and no others.

        The ``k`` best are picked from the summed scores in place (``_summed_top``): at a
        million passages a question's words are in about half of them, and listing those,
        reading their scores back and taking the ``k`` best of the list cost more than summing
        the postings (BENCHMARKS.md, "Scale, fifteenth pass"). Of passages tied at the cut the
        lowest ordinals are kept, by both: an ``also`` passage tied there and not kept comes
        after every kept one, so ``top(k)`` of the cut hits keeps the same.
        """
        return _summed_top(self._blocks(query), k, also, self._scratch)

    def summed_top(self, query: str, k: int) -> SummedTop:
        """``top_hits(query, k, also)`` in two steps, for ``also`` not yet known: the postings
        summed and the ``k`` best picked now, ``SummedTop.hits(also)`` later, on this same
        thread (the sums are in this thread's scratch array until then)."""
        return _summed_best(self._blocks(query), k, self._scratch)

    def _blocks(self, query: str) -> list[tuple[np.ndarray, np.ndarray]]:
        seen: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        blocks = []
        for term in terms(query):
            if term not in seen:
                seen[term] = self._scored(term)
            block = seen[term]
            if block is not None:
                blocks.append(block)
        return blocks

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for ``query`` (zeros where no query word occurs)."""
        return self.hits(query).dense(self.size)

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every indexed word (for highlighting)."""
        if self._idf is None:
            frequency: dict[str, int] = {}
            for part in self._parts:
                segment = part.segment
                if part.live == segment.count:
                    # No tombstones (a full build's one segment): each term's postings are its
                    # documents, so the postings are not read. Read, every page of docs.npy
                    # would stay in each server's RSS: ~240 MB at a million passages.
                    counts = np.diff(segment.indptr)
                else:
                    live = (part.ordinals >= 0)[segment.every_doc()]
                    counts = (
                        np.add.reduceat(live.astype(np.int64), segment.indptr[:-1])
                        if len(live)
                        else np.zeros(0, np.int64)
                    )
                # reduceat gives the next element for an empty range; a segment term has
                # at least one posting, so no range is empty.
                for term, column in segment.vocabulary.items():
                    count = int(counts[column])
                    if count:
                        frequency[term] = frequency.get(term, 0) + count
            size = self._stats.documents
            self._idf = {
                term: float(np.log1p((size - df + 0.5) / (df + 0.5)))
                for term, df in frequency.items()
            }
        return self._idf


@dataclass(frozen=True, slots=True)
class Update:
    """``LexicalIndex.updated``'s result: the index, how it was made ("incremental": segments
    reused; "merged": tokenised whole), and each passage's ordinal in the earlier index (-1:
    new), which the rest of a build uses to reuse what it holds of each passage."""

    index: LexicalIndex
    how: str
    earlier: np.ndarray


class _Scratch(threading.local):
    """A float32 array of zeros per thread, lent to ``_summed`` and given back zeroed.

    At a million passages a new 4 MB array per question cost a third of the pass over it:
    its pages were mapped and faulted in afresh each time (BENCHMARKS.md, "Scale, tenth pass").
    """

    array: np.ndarray | None = None

    def take(self, size: int) -> np.ndarray:
        if self.array is None or len(self.array) < size:
            self.array = np.zeros(size, dtype=np.float32)
        return self.array[:size]


def _summed(
    blocks: list[tuple[np.ndarray, np.ndarray]],
    allowed: np.ndarray | None,
    scratch: _Scratch | None = None,
) -> LexicalHits:
    """Each passage's score summed over the query terms' (ordinals, float32 scores) blocks,
    term by term in the query's order in float32, as bm25s' ``get_scores`` sums them."""
    every = _sum_into(blocks, scratch)
    if every is None:
        return LexicalHits.empty()
    try:
        hits = _every_hit(every)
    except BaseException:
        every.fill(0)
        raise
    if allowed is not None:
        keep = np.isin(hits.ids, allowed)
        hits = LexicalHits(hits.ids[keep], hits.scores[keep])
    return hits


def _summed_top(
    blocks: list[tuple[np.ndarray, np.ndarray]],
    k: int,
    also: Sequence[int],
    scratch: _Scratch | None = None,
) -> LexicalHits:
    """``_summed(blocks, None)`` cut to its ``k`` best (``LexicalHits.top``'s) and the hits
    among ``also`` (see ``LexicalIndex.top_hits``); all of it where fewer than ``k`` hit."""
    return _summed_best(blocks, k, scratch).hits(also)


@dataclass(slots=True)
class SummedTop:
    """A query's postings summed into a scratch array and its ``k`` best picked
    (``_summed_best``), waiting for the ordinals whose scores are also wanted. ``hits``
    reads those and gives the array back zeroed; ``discard`` only zeroes it. Either must be
    called once, by the thread that summed (the array is that thread's scratch)."""

    every: np.ndarray | None  # None: nothing left to read (``done`` holds the hits)
    best: np.ndarray
    written: int  # postings added: which way of zeroing is cheaper
    blocks: list[tuple[np.ndarray, np.ndarray]]
    done: LexicalHits | None = None

    def hits(self, also: Sequence[int]) -> LexicalHits:
        every = self.every
        if every is None:
            return self.done if self.done is not None else LexicalHits.empty()
        try:
            wanted = np.asarray(also, dtype=np.int64)
            wanted = wanted[(wanted >= 0) & (wanted < len(every))]
            ids = np.union1d(self.best, wanted[every[wanted] > 0])
            scores = every[ids]  # a copy (fancy index) before the scratch is zeroed
        except BaseException:
            self.discard()
            raise
        self.discard()
        return LexicalHits(ids, scores)

    def leading(self) -> np.ndarray:
        """The ordinals ``hits(also).top(k)`` gives, whatever ``also`` is."""
        if self.every is not None:
            return self.best
        return self.done.ids if self.done is not None else np.zeros(0, dtype=np.int64)

    def discard(self) -> None:
        every = self.every
        if every is None:
            return
        self.every = None
        if self.written < len(every) // 8:
            for block_ids, _ in self.blocks:
                every[block_ids] = 0
        else:
            every.fill(0)  # one pass, where most places were written


def _summed_best(
    blocks: list[tuple[np.ndarray, np.ndarray]], k: int, scratch: _Scratch | None = None
) -> SummedTop:
    """The first step of ``_summed_top``: the blocks summed, their ``k`` best picked."""
    every = _sum_into(blocks, scratch)
    if every is None:
        return SummedTop(None, np.zeros(0, dtype=np.int64), 0, [], LexicalHits.empty())
    try:
        best = _best_places(every, k)
        if best is None:  # fewer than k hits: every hit, as ``_summed`` gives them
            return SummedTop(None, np.zeros(0, dtype=np.int64), 0, [], _every_hit(every))
    except BaseException:
        every.fill(0)
        raise
    written = sum(len(block_ids) for block_ids, _ in blocks)
    return SummedTop(every, best, written, blocks)


def _sum_into(
    blocks: list[tuple[np.ndarray, np.ndarray]], scratch: _Scratch | None
) -> np.ndarray | None:
    """The blocks' scores summed into an array of zeros indexed by ordinal (the scratch's,
    which the caller zeroes again), or None when no block holds a posting.

    A block holds each passage once, so adding it adds one float32 per passage per term, in
    the query's order, as bm25s does. Every score is above zero (idf and tf parts are), so
    the passages holding a query word are the array's non-zero places: no concatenation, sort
    and de-duplication of every posting, which were most of a question's BM25 time at 200 k
    passages (BENCHMARKS.md, "Scale, seventh pass").
    """
    blocks = [block for block in blocks if len(block[0])]
    if not blocks:
        return None
    size = max(int(ids.max()) for ids, _ in blocks) + 1
    every = np.zeros(size, dtype=np.float32) if scratch is None else scratch.take(size)
    try:
        for block_ids, block_scores in blocks:
            # add.at, not ``+=`` on the fancy index: the same float32 additions (a block's
            # ordinals are distinct), in half the time per posting in numpy 2.
            np.add.at(every, block_ids, block_scores.astype(np.float32, copy=False))
    except BaseException:
        every.fill(0)
        raise
    return every


def _every_hit(every: np.ndarray) -> LexicalHits:
    """The passages with a score in ``every``, ascending, and their scores; ``every`` is
    zeros again after (exactly the places written are set back)."""
    ids = np.flatnonzero(every > 0)  # a mask: nonzero() on the floats is 8x slower
    scores = every[ids]
    every[ids] = 0
    return LexicalHits(ids, scores)


def _best_places(scores: np.ndarray, k: int) -> np.ndarray | None:
    """Places of the ``k`` highest of ``scores`` (ascending places are ascending ordinals); of
    those tied at the cut, the first. Looked for among the scores at least the ``k``-th best of
    ``_BLOCK``-score blocks' best. None where fewer than ``k`` scores are above zero (a scratch
    array's zeros are no scores)."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    whole = len(scores) // _BLOCK * _BLOCK
    if whole // _BLOCK > k:
        tops = scores[:whole].reshape(-1, _BLOCK).max(axis=1)
        # k blocks' best are at least ``floor``: so are the k best scores.
        floor = np.partition(tops, len(tops) - k)[len(tops) - k]
        if floor <= 0:
            return None
        rows = np.flatnonzero(scores >= floor)
    else:
        rows = np.flatnonzero(scores > 0)
        if len(rows) < k:
            return None
    near = scores[rows]
    cut = np.partition(near, len(near) - k)[len(near) - k]
    above = rows[near > cut]
    tied = rows[near == cut][: k - len(above)]
    return np.concatenate((above, tied))


def _keys_of(segment: Segment) -> list[bytes]:
    rows = np.ascontiguousarray(segment.keys).view(np.dtype((np.void, KEY_BYTES)))
    return [bytes(k) for k in rows.ravel().tolist()]


def _key_array(keys: Sequence[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES).copy()


def load_lexical(snapshot_folder: Path, size: int, segments_dir: str, bm25_dir: str) -> Lexical:
    """The lexical index of a snapshot folder: segments, or an older snapshot's bm25s."""
    if (snapshot_folder / segments_dir).is_dir():
        return LexicalIndex.load(snapshot_folder / segments_dir, size)
    return Bm25sIndex.load(snapshot_folder / bm25_dir, size)


def _bm25s() -> Any:
    import bm25s

    # bm25s sets its logger to DEBUG when imported; let the application's configuration decide.
    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


class Bm25sIndex:
    """A bm25s index as snapshots before the segments saved it (``bm25/``): read only."""

    def __init__(self, retriever: Any, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> Bm25sIndex:
        """bm25s' own index of ``texts`` (what older snapshots hold; tests compare with it)."""
        if not texts:
            return cls(None, 0)
        bm25s = _bm25s()
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self._retriever is not None:
            self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> Bm25sIndex:
        if size == 0:
            return cls(None, 0)
        # Memory-mapped: a question reads only its terms' postings, so the rest of the
        # (at a million passages, gigabyte-sized) score matrix never needs to be in memory.
        retriever = _bm25s().BM25.load(str(folder), mmap=True, show_progress=False)
        return cls(retriever, size)

    def hits(self, query: str, allowed: np.ndarray | None = None) -> LexicalHits:
        """The passages holding a word of ``query`` (within ``allowed``), with their BM25 scores.

        Reads only the query terms' postings: the cost follows how many passages hold the
        words, not the corpus size. Each passage's score is summed term by term in the query's
        order in float32, as bm25s' ``get_scores`` sums it, so the scores are the same bits.
        """
        if self._retriever is None:
            return LexicalHits.empty()
        vocabulary = self._retriever.vocab_dict
        columns = [vocabulary[t] for t in terms(query) if t in vocabulary]
        if not columns:
            return LexicalHits.empty()
        matrix = self._retriever.scores
        indptr, indices, data = matrix["indptr"], matrix["indices"], matrix["data"]
        blocks = []
        for column in columns:
            start, end = int(indptr[column]), int(indptr[column + 1])
            blocks.append((np.asarray(indices[start:end]), np.asarray(data[start:end])))
        return _summed(blocks, allowed)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for ``query`` (zeros where no query word occurs)."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        return self.hits(query).dense(self.size)

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of every indexed word (for highlighting)."""
        if self._retriever is None:
            return {}
        indptr = np.asarray(self._retriever.scores["indptr"])
        document_frequency = np.diff(indptr)
        return {
            term: float(np.log1p((self.size - df + 0.5) / (df + 0.5)))
            for term, column in self._retriever.vocab_dict.items()
            if column < len(document_frequency)
            for df in (int(document_frequency[column]),)
        }
