"""Searcher: question -> ranked, de-duplicated, highlighted verbatim quotes, or an abstention."""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from articleqa.config import Settings
from articleqa.embedding import Embedder
from articleqa.errors import InvalidInput, NoArticles
from articleqa.lexical import question_terms, terms
from articleqa.models import Answer, ArticleRef, Highlight, Quote
from articleqa.passages import Span, normalized_words, sentence_spans
from articleqa.snapshot import ArticleRecord, Snapshot
from articleqa.vector_index import search as vector_search

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
NO_ANSWER_MESSAGE = "The indexed articles do not answer this question."
_NEAR_DUPLICATE_JACCARD = 0.8
_SENTENCE_CACHE_SIZE = 50_000
# Cosine similarity below which no passage is taken to answer, per embedder, calibrated with
# `articleqa eval --calibrate` on the SQuAD dev sample (98 % of in-index questions answered).
# The fake test embedder's cosines mean nothing, so it never abstains on its own.
CALIBRATED_ABSTAIN_THRESHOLDS = {
    "all-MiniLM-L6-v2/torch": 0.365,
    "all-MiniLM-L6-v2/onnx-int8": 0.346,
}
EVIDENCE_SENTENCE_WEIGHT = 0.2


def abstain_threshold(settings: Settings, embedder_name: str) -> float:
    """The configured threshold, else the one calibrated for this embedder."""
    if settings.abstain_threshold is not None:
        return settings.abstain_threshold
    return CALIBRATED_ABSTAIN_THRESHOLDS.get(embedder_name, float("-inf"))


@dataclass(frozen=True, slots=True)
class SearchFilters:
    article_ids: frozenset[str] | None = None
    published_since: dt.date | None = None
    published_until: dt.date | None = None

    def is_empty(self) -> bool:
        return not (self.article_ids or self.published_since or self.published_until)

    def accepts(self, article: ArticleRecord) -> bool:
        if self.article_ids is not None and article.id not in self.article_ids:
            return False
        if self.published_since or self.published_until:
            if not article.published:
                return False
            published = dt.date.fromisoformat(article.published[:10])
            if self.published_since and published < self.published_since:
                return False
            if self.published_until and published > self.published_until:
                return False
        return True


@dataclass(slots=True)
class Candidate:
    ordinal: int
    dense: float = 0.0
    lexical: float = 0.0
    sentence: float = 0.0
    fused: float = 0.0
    span: tuple[str, int, int] = ("", 0, 0)
    also_in: list[str] = field(default_factory=list)

    @property
    def evidence(self) -> float:
        """How strongly this passage alone supports an answer (see ``Searcher.evidence``)."""
        return self.dense + EVIDENCE_SENTENCE_WEIGHT * self.sentence


@dataclass(frozen=True, slots=True)
class _PassageWords:
    sentences: list[tuple[Span, frozenset[str]]]  # offsets relative to the passage, BM25 terms
    all_terms: frozenset[str]  # every sentence's terms together
    normalized: frozenset[str]  # plain lower-cased words, for near-duplicate detection


class Searcher:
    def __init__(self, snapshot: Snapshot, embedder: Embedder, settings: Settings) -> None:
        if snapshot.manifest.get("model") not in (None, embedder.name):
            logger.warning(
                "snapshot %s was built with %s but queries use %s",
                snapshot.version,
                snapshot.manifest.get("model"),
                embedder.name,
            )
        self.snapshot = snapshot
        self.embedder = embedder
        self.settings = settings
        self._idf = snapshot.lexical.idf()
        self.abstain_threshold = abstain_threshold(settings, embedder.name)
        self._words_cache: dict[int, _PassageWords] = {}
        self._refs: dict[str, ArticleRef] = {}

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        query_vector: np.ndarray | None = None,
    ) -> Answer:
        started = time.perf_counter()
        question = question.strip()
        if not question:
            raise InvalidInput("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise InvalidInput(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        k = self.settings.default_k if k is None else k
        if not 1 <= k <= 10:
            raise InvalidInput("k must be between 1 and 10")
        if query_vector is None:
            query_vector = self.embedder.embed([question])[0]
        filters = filters or SearchFilters()
        asked = set(question_terms(question))
        candidates = self.rank(question, query_vector, filters, asked)
        # Each quote must clear the bar the whole answer clears: a passage that only shares a
        # word with the question ("high" in "Westbrook High School") is not shown beside one
        # that answers it.
        supported = [c for c in candidates if c.evidence >= self.abstain_threshold]
        answered = bool(supported)
        quotes = [self._quote(asked, c) for c in self.select(supported, k, filters)]
        return Answer(
            question=question,
            answered=answered,
            quotes=quotes,
            index_version=self.snapshot.version,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            message=None if answered else self._no_answer_message(),
        )

    def _no_answer_message(self) -> str:
        # Not "the articles do not answer" when there are none (issue 15, item 9).
        return NO_ANSWER_MESSAGE if self.snapshot.articles else NoArticles().message

    @staticmethod
    def evidence(candidates: Sequence[Candidate]) -> float:
        """How strongly the articles support an answer: the best cosine similarity between the
        question and a passage, plus a small bonus when one of its sentences carries the
        question's words. Raw word overlap is not used alone: off-topic articles share words
        with a question too, but not its meaning (BENCHMARKS.md, abstention)."""
        return max((c.evidence for c in candidates), default=float("-inf"))

    def _allowed(self, filters: SearchFilters) -> np.ndarray | None:
        if filters.is_empty():
            return None
        snapshot = self.snapshot
        ids = [a.id for a in snapshot.articles.values() if filters.accepts(a)]
        ordinals = [snapshot.by_article[i] for i in ids if i in snapshot.by_article]
        if not ordinals:
            return np.zeros(0, dtype=np.int64)
        return np.unique(np.concatenate(ordinals))

    def rank(
        self,
        question: str,
        query_vector: np.ndarray,
        filters: SearchFilters,
        asked: set[str] | None = None,
    ) -> list[Candidate]:
        """Candidates from both retrievers, fused and sorted best first."""
        snapshot = self.snapshot
        allowed = self._allowed(filters)
        depth = self.settings.candidates
        dense_scores, dense_ids = vector_search(snapshot.vectors, query_vector, depth, allowed)
        dense: dict[int, float] = dict(zip(dense_ids.tolist(), dense_scores.tolist(), strict=True))
        ordinals = list(dense)
        lexical = snapshot.lexical.scores(question)
        normalized = np.zeros(len(ordinals), dtype=np.float64)
        if lexical.size:
            if allowed is not None:
                mask = np.zeros_like(lexical, dtype=bool)
                mask[allowed] = True
                lexical = np.where(mask, lexical, 0.0)
            top = np.argpartition(-lexical, min(depth, lexical.size - 1))[:depth]
            top_max = float(lexical.max())
            ordinals.extend(o for o in top[lexical[top] > 0].tolist() if o not in dense)
            if top_max > 0:
                normalized = lexical[ordinals].astype(np.float64) / top_max
        missing = [o for o in ordinals if not dense.get(o)]
        if missing:
            # Found by BM25 only (or a dense score of exactly zero): score them by cosine too.
            vectors = np.vstack([snapshot.vectors.reconstruct(o) for o in missing])
            dense.update(zip(missing, (vectors @ query_vector).tolist(), strict=True))
        settings = self.settings
        candidates = [
            Candidate(
                ordinal,
                dense=dense[ordinal],
                lexical=lexical_score,
                fused=settings.dense_weight * dense[ordinal] + settings.bm25_weight * lexical_score,
            )
            for ordinal, lexical_score in zip(ordinals, normalized.tolist(), strict=True)
        ]
        candidates.sort(key=lambda c: (-c.fused, c.ordinal))
        if asked is None:
            asked = set(question_terms(question))
        return self._rerank_by_sentence(asked, candidates)

    def _rerank_by_sentence(self, asked: set[str], ranked: list[Candidate]) -> list[Candidate]:
        """Reward passages holding one sentence that carries most of the question's rare words.

        Questions usually paraphrase a single sentence of the answer; a passage where the
        question's words are spread over several sentences is weaker evidence.
        """
        weight = self.settings.sentence_weight
        term_weight = {t: self._idf.get(t, 0.0) for t in asked}.__getitem__
        total = sum(map(term_weight, asked))
        if weight <= 0 or total <= 0:
            return ranked
        head = ranked[: self.settings.rerank_depth]
        for candidate in head:
            words = self._words(candidate.ordinal)
            if asked.isdisjoint(words.all_terms):
                continue  # no sentence holds a question word: the best sentence scores 0
            best = max(
                sum(map(term_weight, asked & sentence_terms))
                for _, sentence_terms in words.sentences
            )
            candidate.sentence = best / total
            candidate.fused += weight * candidate.sentence
        head.sort(key=lambda c: (-c.fused, c.ordinal))
        return head + ranked[len(head) :]

    def _words(self, ordinal: int) -> _PassageWords:
        """A passage's sentences and words, computed on first use and cached."""
        cached = self._words_cache.get(ordinal)
        if cached is None:
            text = self.snapshot.passages[ordinal].text
            sentences = [
                (span, frozenset(terms(text[span.start : span.end])))
                for span in sentence_spans(text, Span(0, len(text)))
            ]
            cached = _PassageWords(
                sentences=sentences,
                all_terms=frozenset().union(*(words for _, words in sentences)),
                normalized=frozenset(normalized_words(text)),
            )
            if len(self._words_cache) >= _SENTENCE_CACHE_SIZE:
                self._words_cache.clear()
            self._words_cache[ordinal] = cached
        return cached

    def _assign_span(self, candidate: Candidate, filters: SearchFilters) -> None:
        spans = self.snapshot.passages[candidate.ordinal].spans
        articles = self.snapshot.articles
        usable = [s for s in spans if filters.is_empty() or filters.accepts(articles[s[0]])]
        candidate.span = (usable or spans)[0]
        candidate.also_in = [s[0] for s in spans if s[0] != candidate.span[0]]

    def select(
        self, candidates: Sequence[Candidate], k: int, filters: SearchFilters | None = None
    ) -> list[Candidate]:
        """Top ``k`` after collapsing overlapping spans and near-duplicates, few per article."""
        filters = filters or SearchFilters()
        chosen: list[Candidate] = []
        bags: list[frozenset[str]] = []
        per_article: dict[str, int] = {}
        for candidate in candidates:
            self._assign_span(candidate, filters)
            article_id, start, end = candidate.span
            if per_article.get(article_id, 0) >= self.settings.max_quotes_per_article:
                continue
            if any(
                c.span[0] == article_id and c.span[1] < end and start < c.span[2] for c in chosen
            ):
                continue
            bag = self._words(candidate.ordinal).normalized
            if any(
                len(bag & seen) / max(1, len(bag | seen)) >= _NEAR_DUPLICATE_JACCARD
                for seen in bags
            ):
                continue
            chosen.append(candidate)
            bags.append(bag)
            per_article[article_id] = per_article.get(article_id, 0) + 1
            if len(chosen) == k:
                break
        return chosen

    def _quote(self, asked: set[str], candidate: Candidate) -> Quote:
        article_id, start, end = candidate.span
        article = self.snapshot.articles[article_id]
        passage = self.snapshot.passages[candidate.ordinal]
        words = self._words(candidate.ordinal)
        sentences = words.sentences
        best = self._best_sentence(asked, words)
        highlight: Highlight | None = None
        if best is not None:
            span = sentences[best][0]
            highlight = Highlight(
                text=passage.text[span.start : span.end],
                start=start + span.start,
                end=start + span.end,
            )
            around = self.settings.quote_context_sentences
            if around is not None:
                # Passages are retrieved whole but quoted around the sentence that answers.
                first = sentences[max(0, best - around)][0]
                last = sentences[min(len(sentences) - 1, best + around)][0]
                start, end = start + first.start, start + last.end
        start, end = _cap_quote(start, end, highlight)
        if highlight is not None and highlight.end > end:
            highlight = None  # only a snapshot built before the passage cap can get here
        return Quote(
            text=article.text[start:end],
            highlight=highlight,
            start=start,
            end=end,
            score=round(candidate.fused, 4),
            passage_id=f"{self.snapshot.version}:{candidate.ordinal}",
            heading=passage.heading,
            article=self._ref(article_id),
            also_in=[self._ref(a) for a in candidate.also_in],
        )

    def _ref(self, article_id: str) -> ArticleRef:
        # Built once per article and snapshot; answers share it (nothing mutates it).
        ref = self._refs.get(article_id)
        if ref is None:
            ref = self._refs[article_id] = _ref(self.snapshot.articles[article_id])
        return ref

    def _best_sentence(self, asked: set[str], words: _PassageWords) -> int | None:
        """Index of the sentence sharing the most idf-weighted words with the question; None
        when no sentence shares any (the passage answers by meaning, and pointing at an
        arbitrary sentence would mislead)."""
        if asked.isdisjoint(words.all_terms):
            return None
        sentences = words.sentences

        def score(index: int) -> float:
            span, sentence_terms = sentences[index]
            # Among equals prefer the shorter sentence: the highlight should be pointed.
            length_penalty = 1e-4 * math.log1p(span.end - span.start)
            return sum(self._idf.get(t, 1.0) for t in asked & sentence_terms) - length_penalty

        return max(range(len(sentences)), key=score)


# The longest quote an answer carries (issue 15, item 6; README "The answer contract"). Passages
# are capped when split, so this only bites on snapshots built before the cap; it keeps the
# highlight.
MAX_QUOTE_CHARS = 4_000


def _cap_quote(start: int, end: int, highlight: Highlight | None) -> tuple[int, int]:
    if end - start <= MAX_QUOTE_CHARS:
        return start, end
    anchor = highlight.start if highlight is not None else start
    start = max(start, min(anchor, end - MAX_QUOTE_CHARS))
    return start, start + MAX_QUOTE_CHARS


def _ref(article: ArticleRecord) -> ArticleRef:
    return ArticleRef(
        id=article.id,
        title=article.title,
        url=article.url,
        author=article.author,
        published=dt.date.fromisoformat(article.published[:10]) if article.published else None,
    )
