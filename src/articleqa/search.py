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
from articleqa.errors import InvalidInput
from articleqa.lexical import terms
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
    "all-MiniLM-L6-v2/torch": 0.33,
    "all-MiniLM-L6-v2/onnx-int8": 0.325,
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
        self._sentence_cache: dict[int, list[tuple[Span, frozenset[str]]]] = {}

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
        candidates = self.rank(question, query_vector, filters or SearchFilters())
        answered = bool(candidates) and self.evidence(candidates) >= self.abstain_threshold
        quotes = [self._quote(question, c) for c in self.select(candidates, k)] if answered else []
        return Answer(
            question=question,
            answered=answered,
            quotes=quotes,
            index_version=self.snapshot.version,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            message=None if answered else NO_ANSWER_MESSAGE,
        )

    @staticmethod
    def evidence(candidates: Sequence[Candidate]) -> float:
        """How strongly the articles support an answer: the best cosine similarity between the
        question and a passage, plus a small bonus when one of its sentences carries the
        question's words. Raw word overlap is not used alone: off-topic articles share words
        with a question too, but not its meaning (BENCHMARKS.md, abstention)."""
        return max(
            (c.dense + EVIDENCE_SENTENCE_WEIGHT * c.sentence for c in candidates),
            default=float("-inf"),
        )

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
        self, question: str, query_vector: np.ndarray, filters: SearchFilters
    ) -> list[Candidate]:
        """Candidates from both retrievers, fused and sorted best first."""
        snapshot = self.snapshot
        allowed = self._allowed(filters)
        depth = self.settings.candidates
        dense_scores, dense_ids = vector_search(snapshot.vectors, query_vector, depth, allowed)
        candidates: dict[int, Candidate] = {
            int(i): Candidate(int(i), dense=float(s))
            for s, i in zip(dense_scores, dense_ids, strict=True)
        }
        lexical = snapshot.lexical.scores(question)
        if lexical.size:
            if allowed is not None:
                mask = np.zeros_like(lexical, dtype=bool)
                mask[allowed] = True
                lexical = np.where(mask, lexical, 0.0)
            top = np.argpartition(-lexical, min(depth, lexical.size - 1))[:depth]
            top_max = float(lexical.max())
            for ordinal in top:
                if lexical[ordinal] <= 0:
                    continue
                candidates.setdefault(int(ordinal), Candidate(int(ordinal)))
            if top_max > 0:
                for candidate in candidates.values():
                    candidate.lexical = float(lexical[candidate.ordinal]) / top_max
        missing_dense = [c for c in candidates.values() if c.dense == 0.0]
        if missing_dense:
            vectors = np.vstack([snapshot.vectors.reconstruct(c.ordinal) for c in missing_dense])
            for candidate, score in zip(missing_dense, vectors @ query_vector, strict=True):
                candidate.dense = float(score)
        for candidate in candidates.values():
            candidate.fused = (
                self.settings.dense_weight * candidate.dense
                + self.settings.bm25_weight * candidate.lexical
            )
            self._assign_span(candidate, filters)
        ranked = sorted(candidates.values(), key=lambda c: (-c.fused, c.ordinal))
        return self._rerank_by_sentence(question, ranked)

    def _rerank_by_sentence(self, question: str, ranked: list[Candidate]) -> list[Candidate]:
        """Reward passages holding one sentence that carries most of the question's rare words.

        Questions usually paraphrase a single sentence of the answer; a passage where the
        question's words are spread over several sentences is weaker evidence.
        """
        weight = self.settings.sentence_weight
        question_terms = set(terms(question))
        total = sum(self._idf.get(t, 0.0) for t in question_terms)
        if weight <= 0 or total <= 0:
            return ranked
        head = ranked[: self.settings.rerank_depth]
        for candidate in head:
            best = max(
                (
                    sum(self._idf.get(t, 0.0) for t in question_terms & words)
                    for _, words in self._sentences(candidate.ordinal)
                ),
                default=0.0,
            )
            candidate.sentence = best / total
            candidate.fused += weight * candidate.sentence
        head.sort(key=lambda c: (-c.fused, c.ordinal))
        return head + ranked[len(head) :]

    def _sentences(self, ordinal: int) -> list[tuple[Span, frozenset[str]]]:
        """Sentences of a passage (offsets relative to it) with their indexed words; cached."""
        cached = self._sentence_cache.get(ordinal)
        if cached is None:
            text = self.snapshot.passages[ordinal].text
            cached = [
                (span, frozenset(terms(text[span.start : span.end])))
                for span in sentence_spans(text, Span(0, len(text)))
            ]
            if len(self._sentence_cache) >= _SENTENCE_CACHE_SIZE:
                self._sentence_cache.clear()
            self._sentence_cache[ordinal] = cached
        return cached

    def _assign_span(self, candidate: Candidate, filters: SearchFilters) -> None:
        spans = self.snapshot.passages[candidate.ordinal].spans
        articles = self.snapshot.articles
        usable = [s for s in spans if filters.is_empty() or filters.accepts(articles[s[0]])]
        candidate.span = (usable or spans)[0]
        candidate.also_in = [s[0] for s in spans if s[0] != candidate.span[0]]

    def select(self, candidates: Sequence[Candidate], k: int) -> list[Candidate]:
        """Top ``k`` after collapsing overlapping spans and near-duplicates, few per article."""
        chosen: list[Candidate] = []
        words: list[set[str]] = []
        per_article: dict[str, int] = {}
        for candidate in candidates:
            article_id, start, end = candidate.span
            if per_article.get(article_id, 0) >= self.settings.max_quotes_per_article:
                continue
            if any(
                c.span[0] == article_id and c.span[1] < end and start < c.span[2] for c in chosen
            ):
                continue
            bag = set(normalized_words(self.snapshot.passages[candidate.ordinal].text))
            if any(
                len(bag & seen) / max(1, len(bag | seen)) >= _NEAR_DUPLICATE_JACCARD
                for seen in words
            ):
                continue
            chosen.append(candidate)
            words.append(bag)
            per_article[article_id] = per_article.get(article_id, 0) + 1
            if len(chosen) == k:
                break
        return chosen

    def _quote(self, question: str, candidate: Candidate) -> Quote:
        article_id, start, end = candidate.span
        article = self.snapshot.articles[article_id]
        passage = self.snapshot.passages[candidate.ordinal]
        sentences = self._sentences(candidate.ordinal)
        best = self._best_sentence(question, sentences)
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
        return Quote(
            text=article.text[start:end],
            highlight=highlight,
            start=start,
            end=end,
            score=round(candidate.fused, 4),
            passage_id=f"{self.snapshot.version}:{candidate.ordinal}",
            heading=passage.heading,
            article=_ref(article),
            also_in=[_ref(self.snapshot.articles[a]) for a in candidate.also_in],
        )

    def _best_sentence(
        self, question: str, sentences: list[tuple[Span, frozenset[str]]]
    ) -> int | None:
        """Index of the sentence sharing the most idf-weighted words with the question."""
        if not sentences:
            return None
        question_terms = set(terms(question))

        def score(index: int) -> float:
            span, words = sentences[index]
            # Among equals prefer the shorter sentence: the highlight should be pointed.
            length_penalty = 1e-4 * math.log1p(span.end - span.start)
            return sum(self._idf.get(t, 1.0) for t in question_terms & words) - length_penalty

        return max(range(len(sentences)), key=score)


def _ref(article: ArticleRecord) -> ArticleRef:
    return ArticleRef(
        id=article.id,
        title=article.title,
        url=article.url,
        author=article.author,
        published=dt.date.fromisoformat(article.published[:10]) if article.published else None,
    )
