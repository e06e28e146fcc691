"""Searcher: question -> ranked, de-duplicated, highlighted verbatim quotes, or an abstention."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from articleqa.about_terms import OPENING_CHARS, about_terms, source_names
from articleqa.bylines import is_byline, says_date, signature_span
from articleqa.config import Settings
from articleqa.conversation import FollowUp, Subject, Turn, check_context, follow_up
from articleqa.embedding import Embedder
from articleqa.errors import InvalidInput, NoArticles
from articleqa.lexical import question_terms, terms
from articleqa.loose_match import LooseTerm
from articleqa.models import Answer, ArticleRef, Highlight, Quote
from articleqa.passages import (
    ANSWER_LABEL,
    QUESTION_LABEL,
    TABLE_CELLS,
    Span,
    context_lead,
    normalized_words,
    paragraph_numbers,
)
from articleqa.question import (
    AnswerType,
    QuestionInfo,
    holds_literal,
    is_typed,
    names_release,
    read_question,
    set_aside,
    states_authorship,
    states_default,
    states_limit,
)
from articleqa.records import framing
from articleqa.retrieval import QUESTIONS, Retriever, SnapshotRetriever, look_up
from articleqa.sentence_words import sentence_terms
from articleqa.snapshot import ArticleRecord, Snapshot

logger = logging.getLogger(__name__)
K = TypeVar("K")
V = TypeVar("V")

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
# How the answering sentence is chosen among a quote's sentences: the question's rare words in
# it (idf-weighted share, a definition's term counting as its own) first; then its meaning
# (cosine with the question), the question's words in the line before it and the kind of answer
# asked for, each worth a few hundredths, which is how much related sentences' cosines differ.
# Words first measured better than meaning first (BENCHMARKS.md, highlight@1).
_HIGHLIGHT_WORDS_WEIGHT = 2.0
_HIGHLIGHT_CONTEXT_WEIGHT = 0.15
_HIGHLIGHT_TYPE_WEIGHT = 0.15
_SITUATION_SHARE = 0.5  # of a word's weight, for the words of the situation a question sets
# Off a sentence that only restates the situation a question sets: as much as its closeness in
# meaning can give it, so that it is chosen only when no other sentence says anything.
_PREMISE_PENALTY = 1.0
# Below any sentence that says more than the question: chosen only when every sentence echoes it.
_ECHO_SCORE = -10.0
# A word written with a capital (past a sentence's first character: see ``_names_anew``).
_CAPITAL_WORD = re.compile(r"(?<![\w.])[A-Z]\w*")
# A character that is neither a word's nor ordinary punctuation: "=", "~", "$", "%".
_SYMBOL = re.compile(r"[^\w\s.,;:!?'\"“”‘’()\[\]•*/-]")
# How far into an article its byline may be: after a title line and a standfirst.
_BYLINE_REACH = 600
# Passages looked back over for the heading of the release a changelog's entry is listed under
# (a release's sections rarely hold more).
_RELEASE_WALK = 64
# Sentences that lean on the one before them; quoted alone they would not say what they are about.
_REFERRING = frozenset(
    (
        "it",
        "its",
        "it's",
        "they",
        "them",
        "their",
        "these",
        "those",
        "this",
        "that",
        "he",
        "she",
        "his",
        "her",
        "such",
        "both",
        "each",
    )
)
_SENTENCE_VECTOR_CACHE = 20_000
# Subject terms whose loose matches are kept (``LooseTerm``: up to ~1 MB each).
_LOOSE_TERMS = 64
# Sentence scores closer than this (a few hundredths of cosine) do not tell which one answers.
_UNSURE_MARGIN = 0.05


def _remember(cache: dict[K, V], key: K, value: V, limit: int = _SENTENCE_CACHE_SIZE) -> V:
    """Store ``value`` in a per-snapshot cache, emptied when full: a long-running server sees
    an unbounded number of questions and passages."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


def _carrying(info: QuestionInfo, words: Sequence[str]) -> QuestionInfo:
    """A follow-up's reading with the carried subject words as subjects of its own: the
    passages quoted must be about the earlier subject. Its own words (``asked``) still pick
    the sentence that answers, so the carried words do not pull the highlight back to the
    sentence that answered the earlier question."""
    subjects, subject_words = list(info.subjects), list(info.subject_words)
    for word in words:
        found = frozenset(terms(word))
        if found and found not in subjects:
            subjects.append(found)
            subject_words.append(word)
    return dataclasses.replace(info, subjects=tuple(subjects), subject_words=tuple(subject_words))


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


@dataclass(frozen=True, slots=True)
class _Plan(FollowUp):
    earlier_articles: frozenset[str] = frozenset()


# How many candidates the walk finds not naming the question's subjects, one at a time,
# before it asks of all the rest at once whether any can (``_supported``): a question answered
# after a few such candidates seldom pays for the look at all of them.
_UNNAMED_BEFORE_UNION = 8
_NAMED_HELD = 4_096  # questions' answers of ``_named_by_none`` remembered (~90 ordinals each)


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


@dataclass(slots=True)
class _PassageWords:
    sentences: list[tuple[Span, frozenset[str]]]  # offsets relative to the passage, BM25 terms
    all_terms: frozenset[str]  # every sentence's terms together
    # The passage's heading: under it every sentence is about it ("AUTHOR": "Yann Collet").
    heading: frozenset[str] = frozenset()
    # Made when first needed (``Searcher._bag``, ``Searcher._paragraphs``): most passages a
    # question reads are only re-ranked and checked for its subject, never compared for
    # near-duplicates or quoted (BENCHMARKS.md, "Scale, seventh pass").
    # Plain lower-cased words, for near-duplicate detection.
    normalized: frozenset[str] | None = None
    # Each sentence's paragraph (0, 1, ...): a term line defines only what follows it in its
    # own paragraph ("0\nAll is good." is not the term of the next paragraph's sentences).
    paragraphs: tuple[int, ...] | None = None


def sentence_scores(rows: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
    """Cosine similarity of the question with each of a passage's stored sentence vectors."""
    if rows.dtype == np.float16:
        # A snapshot from before the int8 rows: scored as it always was.
        return np.asarray(rows @ query_vector.astype(rows.dtype), dtype=np.float32)
    # Each row summed alike, so a sentence repeated in a passage scores the same at each place
    # and the first wins the tie, as with float16: a float32 matrix product may round equal
    # rows differently by where they fall (BENCHMARKS.md, "Scale, fifth pass").
    return (rows * query_vector.astype(np.float32)).sum(axis=1, dtype=np.float32)


class Searcher:
    def __init__(
        self,
        snapshot: Snapshot,
        embedder: Embedder,
        settings: Settings,
        retriever: Retriever | None = None,
    ) -> None:
        if snapshot.manifest.model not in (None, embedder.name):
            logger.warning(
                "snapshot %s was built with %s but queries use %s",
                snapshot.version,
                snapshot.manifest.model,
                embedder.name,
            )
        self.snapshot = snapshot
        self.embedder = embedder
        self.settings = settings
        # Candidate look-ups: the snapshot's own files unless a backend brings its own.
        self.retriever = retriever or SnapshotRetriever(snapshot)
        self._idf = self.retriever.idf()
        # A word no passage holds is rarer than any that one does: it weighs as the rarest.
        self._unseen_idf = max(self._idf.values(), default=1.0)
        self.abstain_threshold = abstain_threshold(settings, embedder.name)
        self._words_cache: dict[int, _PassageWords] = {}
        self._refs: dict[str, ArticleRef] = {}
        # Loads the English word frequencies now (about 0.1 s), not in the first question.
        read_question("What is this about?")
        self._about_cache: dict[str, frozenset[str]] = {}
        self._line_terms_cache: dict[str, frozenset[str]] = {}
        self._article_terms_cache: dict[str, frozenset[str]] = {}
        self._fuzzy_cache: dict[tuple[int, str, frozenset[str], bool, bool], bool] = {}
        self._named_cache: dict[tuple[object, ...], bool] = {}
        self._loose_terms: dict[tuple[str, bool], LooseTerm] = {}
        self._sentence_vector_cache: dict[str, np.ndarray] = {}

    def ask(
        self,
        question: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        query_vector: np.ndarray | None = None,
        context: Sequence[str] = (),
    ) -> Answer:
        """Quote the passages answering ``question``; ``context`` holds the conversation's
        earlier questions, oldest first, for a follow-up (see ``articleqa.conversation``)."""
        # Counted while answered: a question alone in the process may take a second core for
        # its look-ups (``retrieval.look_up``).
        with QUESTIONS.answering():
            return self._ask(question, k, filters, query_vector, context)

    def _ask(
        self,
        question: str,
        k: int | None,
        filters: SearchFilters | None,
        query_vector: np.ndarray | None,
        context: Sequence[str],
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
        filters = filters or SearchFilters()
        plan = self._follow_up(question, check_context(context, MAX_QUESTION_CHARS), filters)
        searched = plan.search_text(question)
        if query_vector is None or searched != question:
            query_vector = self.embedder.embed([searched])[0]

        @functools.cache
        def reading() -> QuestionInfo:
            read = read_question(question)
            return _carrying(read, plan.subject.words) if plan.subject is not None else read

        # Read while the look-ups run (``rank``), and kept for the quotes.
        candidates = self.rank(searched, query_vector, filters, reading)
        info = reading()
        if plan.earlier_articles:
            self._prefer(candidates, plan.earlier_articles)
        # Checked lazily: only as many candidates as the quotes need pay for the subject rule.
        chosen = self.select(self._supported(info, candidates), k, filters)
        answered = bool(chosen)  # the first supported candidate is always chosen
        quotes = [self._quote(info, query_vector, c) for c in chosen]
        return Answer(
            question=question,
            answered=answered,
            quotes=quotes,
            index_version=self.snapshot.version,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            message=None if answered else self._no_answer_message(info, candidates),
            following_up_on=plan.subject.line if plan.subject else None,
        )

    def _follow_up(self, question: str, context: Sequence[str], filters: SearchFilters) -> _Plan:
        """How ``question`` continues ``context``: the subject it carries in, if any, and the
        articles that answered the earlier question (preferred for the follow-up)."""
        if not context:
            return _Plan(Turn.FRESH, None)
        found = follow_up(question, context)
        if found.subject is None:
            return _Plan(Turn.FRESH, None)
        earlier = self._answering_articles(found.subject, filters)
        if found.turn is Turn.UNNAMED and not self._fits(question, earlier):
            # Names nothing, points at nothing, and its words are not in the earlier
            # answer's articles: a new subject in common words ("the museum").
            return _Plan(Turn.FRESH, None)
        return _Plan(found.turn, found.subject, earlier)

    def _answering_articles(self, subject: Subject, filters: SearchFilters) -> frozenset[str]:
        """The articles quoted for the earlier question, searched as it was then asked (with
        the subject it carried itself)."""
        text = FollowUp(Turn.REFERS, subject).search_text(subject.question)
        vector = self.embedder.embed([text])[0]
        info = read_question(text)
        chosen = self.select(
            self._supported(info, self.rank(text, vector, filters, info)),
            self.settings.default_k,
            filters,
        )
        return frozenset(c.span[0] for c in chosen)

    def _fits(self, question: str, articles: frozenset[str]) -> bool:
        """Whether most of the question's own words are found in ``articles``."""
        asked = set(question_terms(question))
        if not asked or not articles:
            return False
        vocabulary: frozenset[str] = frozenset().union(*(self._article_terms(a) for a in articles))
        return len(asked & vocabulary) * 2 >= len(asked)

    def _article_terms(self, article_id: str) -> frozenset[str]:
        cached = self._article_terms_cache.get(article_id)
        if cached is None:
            article = self.snapshot.articles[article_id]
            cached = frozenset(terms(f"{article.title}\n{article.text}"))
            _remember(self._article_terms_cache, article_id, cached, limit=1000)
        return cached

    def _prefer(self, candidates: list[Candidate], articles: frozenset[str]) -> None:
        """Move passages of the earlier answer's articles up: a follow-up is most often
        answered where the question it follows was."""
        passages = self.snapshot.passages
        for candidate in candidates:
            if any(span[0] in articles for span in passages[candidate.ordinal].spans):
                candidate.fused += self.settings.follow_up_article_weight
        candidates.sort(key=lambda c: (-c.fused, c.ordinal))

    def supported(self, info: QuestionInfo, candidates: Sequence[Candidate]) -> list[Candidate]:
        """The candidates that may be quoted: close enough in meaning, and from an article that
        mentions every name the question is about.

        Each quote must clear the bar the whole answer clears: a passage that only shares a word
        with the question ("high" in "Westbrook High School") is not shown beside one that
        answers it. And a question about Lyon is not answered from an article that never says
        "Lyon", however alike two cities' articles read: that check needs no threshold.
        """
        return list(self._supported(info, candidates))

    def _supported(
        self, info: QuestionInfo, candidates: Sequence[Candidate]
    ) -> Iterator[Candidate]:
        close = [c for c in candidates if c.evidence >= self.abstain_threshold]
        unnamed = 0
        for at, candidate in enumerate(close):
            if not self._covers_names(info, candidate.ordinal):
                # After a few candidates not naming the subjects, whether any left can: when
                # none can (a name misspelt or unknown to the articles, most questions they do
                # not answer) the walk ends there instead of asking each of ~90 passages in
                # turn (BENCHMARKS.md, "Scale, nineteenth pass").
                unnamed += 1
                if unnamed == _UNNAMED_BEFORE_UNION and self._named_by_none(info, close[at + 1 :]):
                    return
                continue
            if self._more_than_a_passing_mention(
                info, candidate.ordinal
            ) and self._holds_what_is_asked(info, candidate.ordinal):
                yield candidate

    def _named_by_none(self, info: QuestionInfo, candidates: Sequence[Candidate]) -> bool:
        """Whether a subject of the question has a term that none of ``candidates`` names in
        any way ``_mentions`` allows: then ``_covers_names`` is False for every one of them.

        Each rule of ``_mentions`` (an exact word, ``LooseTerm``, ``_within``) asks about one
        word of a vocabulary at a time, so a term is in one of the vocabularies a candidate is
        searched in (its words, its context's, what one of its articles is about) exactly
        when it is in their union: one question of the union (``_vocabularies``, read in one
        piece) where the walk asks three vocabularies a candidate.
        """
        if not self.settings.subject_check or not info.subjects or not candidates:
            return False
        # Remembered as the walk's own answers are (``_fuzzy_cache``): a question asked again
        # finds the same candidates.
        typed = tuple(subject in info.typed for subject in info.subjects)
        key = (
            info.subjects,
            info.subject_words,
            typed,
            info.descriptive,
            tuple(c.ordinal for c in candidates),
        )
        cached = self._named_cache.get(key)
        if cached is None:
            cached = _remember(
                self._named_cache, key, self._unnamed_in(info, candidates), limit=_NAMED_HELD
            )
        return cached

    def _unnamed_in(self, info: QuestionInfo, candidates: Sequence[Candidate]) -> bool:
        union = self._vocabularies(candidates)
        for subject, written in zip(info.subjects, info.subject_words, strict=True):
            if subject in info.descriptive:
                continue
            typed = subject in info.typed
            for term in subject:
                if term in union:
                    continue
                if typed:
                    if not _within(term, union):
                        return True
                # As ``_naming`` asks: a word written in lower case is typed as it is spelt.
                elif not self._loose(term, exact_words=written.islower()).within(union):
                    return True
        return False

    def _vocabularies(self, candidates: Sequence[Candidate]) -> frozenset[str]:
        """Every word ``_mentions`` may search for any of ``candidates``: their words, their
        contexts' and what each of their articles is about. Read as one piece (the passages'
        stored terms joined, their contexts stemmed together, each article's terms once), not
        as a set a sentence, passage, context and article."""
        ordinals = [c.ordinal for c in candidates]
        sentences = self.snapshot.sentences
        about = self.snapshot.about
        stored = (
            sentences.joined_terms(ordinals) if sentences is not None else [None] * len(ordinals)
        )
        # A passage going on with a table holds its header's words too (``_words``): the last
        # line of its context, whose terms are its context's.
        sets = [
            self._words(ordinal).all_terms
            for ordinal, held in zip(ordinals, stored, strict=True)
            if held is None
        ]
        pieces = [held for held in stored if held is not None]
        contexts: dict[str, None] = {}
        articles: dict[str, None] = {}
        for context, article_ids in framing(self.snapshot.passages, ordinals):
            contexts[context] = None
            articles.update(dict.fromkeys(article_ids))
        if about is None:
            sets.extend(self._about_terms(article_id) for article_id in articles)
        else:
            pieces.extend(about.stored(about.rows[article_id]) for article_id in articles)
        # Terms are runs of word characters: the terms of lines joined are each line's. An
        # empty piece splits into "" too, which no rule matches.
        words = frozenset(b"\0".join(pieces).decode("utf-8").split("\0"))
        return words.union(terms("\n".join(contexts)), *sets)

    def _holds_what_is_asked(self, info: QuestionInfo, ordinal: int) -> bool:
        """Whether the passage (with its heading) holds a number for "how many", a sum of money
        for "how much does it cost": one without cannot answer, however close in meaning. The
        articles may speak of the subject and not say it ("How much does a night at the resort
        cost?" over the resort's opening, its restaurants and its spa)."""
        if not self.settings.subject_check:
            return True
        passage = self.snapshot.passages[ordinal]
        if info.asks_authorship and any(
            (author := self.snapshot.articles[article_id].author) and author in passage.text
            for article_id, _start, _end in passage.spans
        ):
            return True  # the byline or signature the article was read with credits its author
        if info.answer_type is AnswerType.VERSION and not self._says_a_release(info, ordinal):
            # "Which waitress release dropped support for Python 2?" is not answered by
            # "Compatibility with Python 2 was removed." where nothing says in which release.
            return False
        return info.may_be_answered_by(f"{passage.heading or ''}\n{passage.text}")

    def _says_a_release(self, info: QuestionInfo, ordinal: int) -> bool:
        """Whether the passage, its heading, the release heading it is listed under or its
        article's title names a release ("2.0.0", "version 5", "Setuptools 45")."""
        passage = self.snapshot.passages[ordinal]
        numbers = frozenset(info.numbers)
        if _names_a_release(f"{passage.heading or ''}\n{passage.text}", numbers):
            return True
        return any(
            _names_a_release(self.snapshot.articles[article_id].title, numbers)
            or self._release_heading(ordinal, article_id) is not None
            for article_id, _start, _end in passage.spans
        )

    def _more_than_a_passing_mention(self, info: QuestionInfo, ordinal: int) -> bool:
        """Whether a passage that names the question's subjects speaks to the question.

        When its article (title, opening) or section is about the subjects, naming them is
        enough. Otherwise:

        - a subject named only as a reference ("See also grep(1) and sed(1) for ...", an item
          of a list of short items, a link) is not spoken of, whatever else is said there;
        - a passage that names the subjects otherwise answers when it also says something the
          question asks about ("line", "number" for "Which sed command prints the current
          line number?"), states the limit or default it asks for, or names every subject in
          a sentence of its own that is not a list or a table's row ("In 1013 Ethelred fled to
          Normandy" answers "To where did Ethelred flee?" in other words).

        The words framing the question ("many", "have") are not what it asks about: with them,
        "How many airbags does the 2020 Sentra have?" was declined over "These include 10
        airbags", which says neither.
        """
        if not self.settings.subject_check or not info.subjects:
            return True
        # Any way is enough; the passage's own words are asked first, since they are at hand
        # and what its article is about is not (stemming its opening, on a first ask).
        subject_terms = frozenset().union(*info.subjects)
        rest = info.asked - subject_terms - info.framing
        if not rest:
            return True
        words = self._words(ordinal)
        text = self.snapshot.passages[ordinal].text
        # Named only as a reference ("See also grep(1) and sed(1) for ..."), a subject is not
        # spoken of whatever else the passage says: only its article or section can vouch.
        if not _only_referenced(text, words.sentences, info.subjects):
            # A limit or default asked for is spoken of where one is stated, in any words.
            if not rest.isdisjoint(words.all_terms) or info.states_what_is_asked(text):
                return True
            if self._speaks_of(info, ordinal, text, words):
                return True
            if TABLE_CELLS in text and self._row_states(info, ordinal, text, words):
                return True
        elif info.seeks_kind and any(
            _item_answers(info, item)
            for span, found in words.sentences
            if not found.isdisjoint(subject_terms)
            for item in _LIST_SEPARATOR.split(text[span.start : span.end])
        ):
            # An item of a list that names a subject and is itself the kind of answer asked
            # for is the answer, not a reference: "/var/run/tinyproxy/tinyproxy.pid" among the
            # paths under FILES, for "Where does tinyproxy keep its PID file?".
            return True
        elif not any(_said_terms(text[span.start : span.end]) for span, _ in words.sentences):
            # Nothing but references ("cwmrc(5)" under "SEE ALSO"): the passage says nothing of
            # its own that its article could vouch for.
            return False
        return any(
            all(
                self._mentions(
                    ordinal, article_id, subject, framing_only=True, typed=subject in info.typed
                )
                for subject in info.subjects
            )
            for article_id, _start, _end in self.snapshot.passages[ordinal].spans
        )

    def _speaks_of(self, info: QuestionInfo, ordinal: int, text: str, words: _PassageWords) -> bool:
        """Whether a sentence of the passage names the question's subjects and says something
        of them (``_says_of``): every subject ("In 1013 Ethelred fled to Normandy" for "To where
        did Ethelred flee?"), or those its article is not about, with the kind of answer asked
        for. The subjects the article is about ("GraphicsMagick" in its own manual) need not be
        said again beside the others ("the configure script offers support for Google
        gperftools 'tcmalloc' ... via the --with-tcmalloc"); but without the answer's kind, a
        sentence naming the rest proves little ("The url is encoded as parameter value ..." in
        mpv's EDL page names "encoding", its article "mpv", and no missing encoding feature)."""
        sentences = [(text[span.start : span.end], found) for span, found in words.sentences]

        def said_in(
            subjects: Sequence[frozenset[str]], sentence: str, found: frozenset[str]
        ) -> bool:
            return all(
                _named_in(subject, found, subject in info.typed) for subject in subjects
            ) and _says_of(sentence, subjects, info.typed)

        if any(said_in(info.subjects, sentence, found) for sentence, found in sentences):
            return True
        if not info.seeks_kind:
            return False
        unframed = self._unframed(info, ordinal)
        return (
            bool(unframed)
            and len(unframed) < len(info.subjects)
            and any(
                said_in(unframed, sentence, found) and info.expects(sentence) >= 1.0
                for sentence, found in sentences
            )
        )

    def _unframed(self, info: QuestionInfo, ordinal: int) -> tuple[frozenset[str], ...]:
        """The question's subjects that neither the passage's heading nor what any of its
        articles is about names: those a sentence of the passage must say itself."""
        spans = self.snapshot.passages[ordinal].spans
        return tuple(
            subject
            for subject in info.subjects
            if not any(
                self._mentions(
                    ordinal, article_id, subject, framing_only=True, typed=subject in info.typed
                )
                for article_id, _start, _end in spans
            )
        )

    def _row_states(
        self, info: QuestionInfo, ordinal: int, text: str, words: _PassageWords
    ) -> bool:
        """Whether a table's row states a value asked about: its header row names what the
        question asks, the row names one of its subjects, and the header or what its article
        is about the rest. "crc-32c | 0x11EDC6F41 | True | ..." under "Name | Polynomial | ..."
        in the page on crcmod.predefined answers "What polynomial does crcmod's predefined
        crc-32c algorithm use?"; a row that only names the subject ("Compilers compared |
        awk(1) | sed(1)") is a mention in passing."""
        spans = self.snapshot.passages[ordinal].spans
        for span, row_terms in words.sentences:
            row = text[span.start : span.end]
            if TABLE_CELLS not in row or (row_terms - frozenset(terms(row))).isdisjoint(info.asked):
                continue
            unnamed = [subject for subject in info.subjects if not subject <= row_terms]
            if len(unnamed) < len(info.subjects) and all(
                any(
                    self._mentions(ordinal, article_id, subject, framing_only=True)
                    for article_id, _start, _end in spans
                )
                for subject in unnamed
            ):
                return True
        return False

    def supported_names(
        self, info: QuestionInfo, candidates: Sequence[Candidate]
    ) -> list[Candidate]:
        """The candidates whose article mentions everything the question is about."""
        return [c for c in candidates if self._covers_names(info, c.ordinal)]

    def _covers_names(self, info: QuestionInfo, ordinal: int) -> bool:
        """Whether the passage is about everything the question names: each subject appears
        in the passage, its heading, or what its article says it is about (title, file name,
        opening paragraphs).

        A mention somewhere else in the article is not enough: a man page that says "see also
        grep(1)" does not answer a question about grep.
        """
        if not self.settings.subject_check or not (
            info.subjects or info.versions or info.code_literals
        ):
            return True
        return any(
            all(self._naming(info, ordinal, article_id))
            for article_id, _start, _end in self.snapshot.passages[ordinal].spans
        )

    def _naming(self, info: QuestionInfo, ordinal: int, article_id: str) -> Iterator[bool]:
        """For each subject, version, then code literal of the question: whether the passage,
        as part of that article, names it (lazily, so that ``all`` stops at the first it does
        not)."""
        for subject, written in zip(info.subjects, info.subject_words, strict=True):
            if subject in info.descriptive:
                # Said in other words as easily (``QuestionInfo.descriptive``): not looked for.
                yield True
                continue
            yield self._mentions(
                ordinal,
                article_id,
                subject,
                typed=subject in info.typed,
                # A technical word written in lower case is typed as it is spelt: "systemd" is
                # not a slip for "system". A misspelt name is capitalised ("Primier League").
                exact_words=written.islower(),
            )
        for version in info.versions:
            yield self._mentions_version(ordinal, article_id, version)
        for literal in info.code_literals:
            yield self._writes(ordinal, literal)

    def _writes(self, ordinal: int, literal: str) -> bool:
        """Whether the passage or its heading writes ``literal`` ("-p", "%M", "$NF").

        Unlike a name, an option is not vouched for by the article: grep's manual names "-p"
        nowhere, and mawk's "-W" does not answer "What does -p do?"; the passage that answers
        about an option writes it.
        """
        passage = self.snapshot.passages[ordinal]
        return holds_literal(literal, passage.text) or holds_literal(literal, passage.context)

    def _mentions_version(self, ordinal: int, article_id: str, version: str) -> bool:
        passage = self.snapshot.passages[ordinal]
        article = self.snapshot.articles[article_id]
        if any(
            holds_literal(version, text)
            for text in (passage.text, passage.context, article.text[:OPENING_CHARS])
        ):
            return True
        if passage.heading is not None and names_release(passage.heading):
            return False  # listed under another release
        release = self._release_heading(ordinal, article_id)
        return release is not None and holds_literal(version, release)

    def _release_heading(self, ordinal: int, article_id: str) -> str | None:
        """The heading of the release a passage is listed under, a level above its own: the
        last heading before it in its article that names a release. A changelog's sections
        ("New in version 4.0", then "Enhancements", "Bug fixes", "Removed features") read
        their heading alone once an earlier section stands between them and the release's."""
        ordinals = self.snapshot.by_article.get(article_id)
        if ordinals is None:
            return None
        place = np.flatnonzero(ordinals == ordinal)
        if not place.size:
            return None
        passages = self.snapshot.passages
        earlier = ordinals[max(0, int(place[0]) - _RELEASE_WALK) : int(place[0])]
        for before in reversed(earlier.tolist()):
            heading = passages[int(before)].heading
            if heading is not None and names_release(heading):
                return heading
        return None

    def _mentions(
        self,
        ordinal: int,
        article_id: str,
        subject: frozenset[str],
        *,
        framing_only: bool = False,
        typed: bool = False,
        exact_words: bool = False,
    ) -> bool:
        """Whether the passage names the subject, allowing the ways people write a name in a
        question: a typo ("Primier"), another spelling ("patronized"/"patronised"), an accent
        left out ("Herve"), a compound split ("Sky Drive"/"SkyDrive"). ``framing_only``: in its
        heading or what its article is about, not in its own text. ``typed``: an identifier
        ("pyproject.toml", "README"), written exactly: "pyproject" is not "project"."""
        # A name of several words is named by all of them: "ssh-keygen" is not "ssh(1)".
        words = self._words(ordinal).all_terms
        if not framing_only and subject <= words:
            # Named in the passage itself: no need for what its article is about (stemming its
            # opening, on a first ask), which the vocabularies below include.
            return True
        # Its heading and what its article is about (and the passage, unless framing only),
        # each asked apart: a term is loosely in their union exactly when it is in one of them
        # (``loose_match``), and these sets are each shared by many passages.
        framing = (
            self._line_terms(self.snapshot.passages[ordinal].context),
            self._about_terms(article_id),
        )
        searched = framing if framing_only else (words, *framing)
        missing = [t for t in subject if all(t not in vocabulary for vocabulary in searched)]
        if not missing:
            return True
        if typed:
            # A typed name is also written inside a longer one: glued to its number ("RFC8878"
            # names the RFC of "Which RFC documents the Zstandard format?") or as a part of an
            # identifier ("README_PACKAGERS" names the README).
            return all(
                any(_within(term, vocabulary) for vocabulary in searched) for term in missing
            )
        key = (ordinal, article_id, subject, framing_only, exact_words)
        cached = self._fuzzy_cache.get(key)
        if cached is None:
            cached = _remember(
                self._fuzzy_cache,
                key,
                all(
                    any(
                        self._loose(term, exact_words).within(vocabulary) for vocabulary in searched
                    )
                    for term in missing
                ),
            )
        return cached

    def _loose(self, term: str, exact_words: bool = False) -> LooseTerm:
        """A subject term's loose matches among the words tried so far (``LooseTerm``)."""
        key = (term, exact_words)
        cached = self._loose_terms.get(key)
        if cached is None:
            cached = _remember(
                self._loose_terms, key, LooseTerm(term, exact_words), limit=_LOOSE_TERMS
            )
        return cached

    def _about_terms(self, article_id: str) -> frozenset[str]:
        """What an article says it is about (``about_terms``): stored by the build where it
        could, since stemming the opening was most of a first ask's subject check."""
        cached = self._about_cache.get(article_id)
        if cached is None:
            stored = self.snapshot.about
            cached = (
                stored.get(article_id)
                if stored is not None
                else about_terms(self.snapshot.articles[article_id])
            )
            _remember(self._about_cache, article_id, cached)
        return cached

    def _line_terms(self, line: str) -> frozenset[str]:
        """The terms of a passage's context or heading, stemmed once per line: the passages of
        one article (or section) share it, and the subject check walks many of them."""
        cached = self._line_terms_cache.get(line)
        if cached is None:
            cached = _remember(self._line_terms_cache, line, frozenset(terms(line)))
        return cached

    def _no_answer_message(self, info: QuestionInfo, candidates: Sequence[Candidate]) -> str:
        """Why there is no answer, in plain words and the question's own."""
        if not self.snapshot.articles:
            # Not "the articles do not answer" when there are none (issue 15, item 9).
            return NoArticles().message
        close = [c for c in candidates if c.evidence >= self.abstain_threshold]
        named = [False] * (len(info.subjects) + len(info.versions) + len(info.code_literals))
        for candidate in close[: self.settings.rerank_depth]:
            for article_id, _start, _end in self.snapshot.passages[candidate.ordinal].spans:
                found = self._naming(info, candidate.ordinal, article_id)
                named = [was or now for was, now in zip(named, found, strict=True)]
        words = [*info.subject_words, *info.versions, *info.code_literals]
        missing = [word for word, was in zip(words, named, strict=True) if not was]
        if close and missing and self.settings.subject_check:
            listed = ", ".join(f"“{word}”" for word in missing)
            return f"{NO_ANSWER_MESSAGE[:-1]}: no passage close to it mentions {listed}."
        return NO_ANSWER_MESSAGE

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
        info: QuestionInfo | Callable[[], QuestionInfo] | None = None,
    ) -> list[Candidate]:
        """Candidates from both retrievers, fused and sorted best first. ``info``: the
        question as read (or a function reading it, called once; None: ``read_question``)."""
        allowed = self._allowed(filters)
        depth = self.settings.candidates

        def reading() -> QuestionInfo:
            if info is None:
                return read_question(question)
            return info() if callable(info) else info

        # The question is read while its vectors are searched (``look_up``).
        found, read = look_up(self.retriever, question, query_vector, depth, allowed, reading)
        lexical = found.lexical
        dense: dict[int, float] = dict(
            zip(found.dense_ids.tolist(), found.dense_scores.tolist(), strict=True)
        )
        ordinals = list(dense)
        normalized = np.zeros(len(ordinals), dtype=np.float64)
        if lexical.ids.size:
            ordinals.extend(o for o in lexical.top(depth).tolist() if o not in dense)
            normalized = lexical.of(ordinals).astype(np.float64) / lexical.best
        missing = [o for o in ordinals if not dense.get(o)]
        if missing:
            # Found by BM25 only (or a dense score of exactly zero): score them by cosine too.
            vectors = found.vectors(self.retriever, missing)
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
        ranked = self._rerank_by_sentence(read, candidates, query_vector)
        ranked = self._saying_something_first(read, ranked)
        if read.answer_type is AnswerType.PERSON:
            ranked = self._naming_nobody_last(read, ranked)
        if read.asks_remedy:
            ranked = self._solution_first(ranked)
        if read.asks_for_byline or read.asks_for_dateline:
            ranked = self._answer_line_first(read, ranked)
        elif read.asks_authorship:
            ranked = self._crediting_the_subject_first(read, ranked)
            ranked = self._credited_opening_first(ranked)
        return ranked

    def _solution_first(self, ranked: list[Candidate]) -> list[Candidate]:
        """Asked for a remedy, a troubleshooting entry answers under its "Solution" heading,
        which shares few words with the question: the symptom ("6) Build hangs when the
        Dockerfile contains the useradd command", then "Symptom") does. When the best passage
        is an entry's opening or its symptom, and a later section of the same entry is its
        solution, that section goes first."""
        if not ranked:
            return ranked
        passages = self.snapshot.passages
        best = ranked[0].ordinal
        heading = passages[best].heading
        if heading is None:
            return ranked
        entry, _, last = heading.rpartition(": ")
        if not (entry and _PROBLEM_HEADING.fullmatch(last)):
            entry = heading
        article_id = passages[best].spans[0][0]
        ordinals = self.snapshot.by_article.get(article_id)
        if ordinals is None:
            return ranked
        for ordinal in ordinals[ordinals > best][:_SOLUTION_WALK].tolist():
            later = passages[int(ordinal)].heading or ""
            if not later.startswith(f"{entry}: "):
                break  # the entry has ended
            if _SOLUTION_HEADING.fullmatch(later[len(entry) + 2 :]):
                return _first(ranked, int(ordinal))
        return ranked

    def _crediting_the_subject_first(
        self, info: QuestionInfo, ranked: list[Candidate]
    ) -> list[Candidate]:
        """ "Who originally wrote tune2fs?" is answered by the sentence crediting someone with
        tune2fs ("tune2fs was written by Remy Card"), in a manual's AUTHOR section that shares
        little else with the question: unless the best passage holds such a sentence, the
        first passage of its article that does goes first. One crediting someone with
        something else does not: "The PyYAML module was written by Kirill Simonov" does not
        answer "Who created Python?"."""
        if not ranked or not info.subjects:
            return ranked
        passages = self.snapshot.passages
        article_id = passages[ranked[0].ordinal].spans[0][0]
        for candidate in ranked:
            if passages[candidate.ordinal].spans[0][0] != article_id:
                continue
            if self._credits_the_subject(info, candidate.ordinal):
                return _first(ranked, candidate.ordinal)
        return ranked

    def _credits_the_subject(self, info: QuestionInfo, ordinal: int) -> bool:
        """Whether a sentence of the passage credits someone and names a subject of the
        question, or the passage is its article's section of authors ("AUTHOR" over "Tobias
        Stockmann <tobias@stoeckmann.org>" in xwallpaper(1)): a manual's authors are its
        program's."""
        passage = self.snapshot.passages[ordinal]
        text = passage.text
        if passage.heading is not None and _AUTHORS_HEADING.fullmatch(
            passage.heading.rsplit(": ", 1)[-1].strip()
        ):
            return True
        return any(
            any(subject <= words for subject in info.subjects)
            and states_authorship(text[span.start : span.end])
            for span, words in self._words(ordinal).sentences
        )

    def _credited_opening_first(self, ranked: list[Candidate]) -> list[Candidate]:
        """ "Who wrote nss-mdns?" over a README whose only word on who wrote it is the line
        above everything else ("Copyright 2004-2007 Lennart Poettering <...>"): when the best
        passage says nothing of who wrote anything, its article's opening goes first if its
        first paragraph does. Other passages that credit someone keep their place: "The PyYAML
        module was written by Kirill Simonov" does not answer "Who created Python?"."""
        if not ranked:
            return ranked
        passages = self.snapshot.passages
        best = passages[ranked[0].ordinal]
        if states_authorship(best.text):
            return ranked
        opening = self._opening(best.spans[0][0])
        if opening is None or not states_authorship(passages[opening].text.split("\n\n", 1)[0]):
            return ranked
        return _first(ranked, opening)

    def _answer_line_first(self, info: QuestionInfo, ranked: list[Candidate]) -> list[Candidate]:
        """ "Who wrote the CNN story on ...?" is answered by the byline of the article the
        question is about, the best passage's, and "When was it published?" by its dateline:
        the passage holding that line (the article's opening, or the one ending at a
        signature) goes first. Its words seldom match the question's ("by Jake Goulding"), so
        it may not have been retrieved; then it is ranked as the best passage was. An article
        that speaks of the piece the question names ("the first guest post appears ...") is
        not that piece: its byline is not the answer."""
        if not ranked:
            return ranked
        article_id = self.snapshot.passages[ranked[0].ordinal].spans[0][0]
        if info.piece and info.piece.lower() in self.snapshot.articles[article_id].text.lower():
            return ranked
        line = self._answer_line(info, article_id)
        holding = None if line is None else self._line_passage(article_id, line)
        if holding is None:
            return ranked
        return _first(ranked, holding)

    def _answer_line(self, info: QuestionInfo, article_id: str) -> tuple[int, int] | None:
        """The line of the article that answers the question by itself, as offsets in its
        text: its byline for "Who wrote the story ...?", its dateline for "When was it
        published?"; None for other questions or when the article has no such line."""
        if info.asks_for_byline:
            return self._byline(article_id)
        if info.asks_for_dateline:
            return self._dateline(article_id)
        return None

    def _opening(self, article_id: str) -> int | None:
        """The article's first passage."""
        ordinals = self.snapshot.by_article.get(article_id)
        return None if ordinals is None or not len(ordinals) else int(ordinals.min())

    @staticmethod
    def _opening_line(text: str, wanted: Callable[[str], bool]) -> tuple[int, int] | None:
        """Where the first ``wanted`` line among an article's first (after a title line and a
        standfirst) is, as offsets in its ``text``, stripped."""
        lines = text[:_BYLINE_REACH].split("\n")
        if len(text) > _BYLINE_REACH:
            lines.pop()  # cut short
        offset = 0
        for line in lines:
            if wanted(line):
                start = offset + len(line) - len(line.lstrip())
                return start, offset + len(line.rstrip())
            offset += len(line) + 1
        return None

    def _byline(self, article_id: str) -> tuple[int, int] | None:
        """Where the article's byline is: a line among its first, or else its author's
        signature at its end ("--\nRichard Levitte"). It is looked for in the text, not in the
        opening passage: the quote widens to hold it when it stands just outside that
        passage."""
        article = self.snapshot.articles[article_id]
        found = self._opening_line(article.text, lambda line: is_byline(line, article.author))
        if found is not None:
            return found
        signed = signature_span(article.text) if article.author else None
        if signed is not None and article.text[signed[0] : signed[1]] == article.author:
            return signed
        return None

    def _dateline(self, article_id: str) -> tuple[int, int] | None:
        """Where the article's opening writes the day it was published (its metadata's): a
        mail's "Date:" header, a dateline, a byline with its date."""
        article = self.snapshot.articles[article_id]
        try:
            published = dt.date.fromisoformat((article.published or "")[:10])
        except ValueError:
            return None  # no date, or none the metadata could give as a day
        return self._opening_line(article.text, lambda line: says_date(line, published))

    def _line_passage(self, article_id: str, line: tuple[int, int]) -> int | None:
        """The passage quoted for an answering line: the article's first for one at its top,
        the passage ending at (or just before) a signature."""
        if line[0] <= _BYLINE_REACH:
            return self._opening(article_id)
        ordinals = self.snapshot.by_article.get(article_id)
        if ordinals is None or not len(ordinals):
            return None
        before = [
            (span_start, int(ordinal))
            for ordinal in ordinals
            for span_article, span_start, _end in self.snapshot.passages[int(ordinal)].spans
            if span_article == article_id and span_start <= line[0]
        ]
        return max(before)[1] if before else None

    def _saying_something_first(
        self, info: QuestionInfo, ranked: list[Candidate]
    ) -> list[Candidate]:
        """The reranked passages that say only the question's own words after the others: a
        synopsis line "fzf-tmux [LAYOUT OPTIONS] [--] [FZF OPTIONS]" cannot answer "What layout
        does fzf-tmux use if I pass no layout option?", however close in meaning, as a sentence
        made only of them is never the highlight (``_sentence_scores``)."""
        head = ranked[: self.settings.rerank_depth]
        numbers = frozenset(_NUMBER.findall(info.text))
        passages = self.snapshot.passages

        def nothing_new(candidate: Candidate) -> bool:
            words = self._words(candidate.ordinal).all_terms
            # The passage's text is read only when its words are all the question's.
            return (
                bool(words)
                and words <= info.asked
                and _says_only_asked(info, passages[candidate.ordinal].text, words, numbers)
            )

        head.sort(key=nothing_new)
        return head + ranked[len(head) :]

    def _naming_nobody_last(self, info: QuestionInfo, ranked: list[Candidate]) -> list[Candidate]:
        """For "who" questions, the reranked passages that name no one (not a capitalised word
        the question does not already say) after those that do: "Copyright 2010 Grant McLean"
        answers "Who wrote ptargrep?", the NAME line describing ptargrep in the question's own
        words cannot. Passages naming a person are not put above those naming only an
        organisation ("The Pellingford chess club won ..."): who-questions have both answers
        (BENCHMARKS.md, seventh pass: that stronger order lost news and SQuAD questions)."""
        head = ranked[: self.settings.rerank_depth]
        passages = self.snapshot.passages
        head.sort(key=lambda c: not info.expects(passages[c.ordinal].text))
        return head + ranked[len(head) :]

    def _rerank_by_sentence(
        self, info: QuestionInfo, ranked: list[Candidate], query_vector: np.ndarray
    ) -> list[Candidate]:
        """Reward passages holding one sentence that answers: one that carries most of the
        question's rare words, (``sentence_meaning_weight``) one close to it in meaning, and one
        holding the kind of answer asked for (a name for "who", a number for "how many").

        Questions usually paraphrase a single sentence of the answer; a passage where the
        question's words are spread over several sentences is weaker evidence.
        """
        asked, literals = set(info.asked), info.written
        settings = self.settings
        weight, meaning_weight = settings.sentence_weight, settings.sentence_meaning_weight
        term_weight = {t: self._idf.get(t, self._unseen_idf) for t in asked}.__getitem__
        total = sum(map(term_weight, asked))
        if literals:
            # A token the question writes that the index cannot hold ("-p", "%M", "2.0")
            # weighs as much as its rarest word: it names exactly what is asked about. Every
            # candidate is looked at, since BM25 could not rank it for that token.
            literal_weight = max(map(term_weight, asked), default=0.0) or 1.0
            literal_share = literal_weight / (total + literal_weight * len(literals))
            for candidate in ranked:
                # Said above it too, by its heading or its article's title (``_writes``):
                # "NetworkX 2.0" is about its "Release date: 20 September 2017".
                found = sum(self._writes(candidate.ordinal, literal) for literal in literals)
                candidate.fused += weight * literal_share * found
            ranked.sort(key=lambda c: (-c.fused, c.ordinal))
        if (weight <= 0 or total <= 0) and meaning_weight <= 0:
            return ranked
        head = ranked[: settings.rerank_depth]
        weighs_kind = settings.answer_kind_weight > 0 and info.seeks_kind
        for candidate in head:
            if meaning_weight > 0:
                meaning = self._meaning(candidate.ordinal, query_vector)
                if meaning.size:
                    candidate.fused += meaning_weight * float(meaning.max())
            words = self._words(candidate.ordinal)
            # Read once, and only when a sentence's own text is weighed (a record made, its
            # block decompressed, at a million passages).
            text = (
                self.snapshot.passages[candidate.ordinal].text
                if weighs_kind or info.asks_authorship
                else ""
            )
            if weighs_kind:
                # "Written by Ian A. Murdock" for "Who wrote the Manifesto?", over a passage
                # that only speaks of the Manifesto in as many of the question's words.
                candidate.fused += settings.answer_kind_weight * _surest(
                    info, text, [span for span, _ in words.sentences]
                )
            if weight <= 0 or total <= 0 or asked.isdisjoint(words.all_terms | words.heading):
                continue  # no sentence holds a question word: the best sentence scores 0
            sentences = words.sentences
            if info.asks_authorship:
                # As in the highlight, "Written by ..." says the question's "wrote".
                sentences = [
                    (span, found | info.credited(text[span.start : span.end]))
                    for span, found in sentences
                ]
            # As in the highlight, the heading's words count for every sentence under it.
            best = max(
                sum(map(term_weight, asked & (sentence_terms | words.heading)))
                for _, sentence_terms in sentences
            )
            candidate.sentence = best / total
            candidate.fused += weight * candidate.sentence
        head.sort(key=lambda c: (-c.fused, c.ordinal))
        return head + ranked[len(head) :]

    def _words(self, ordinal: int) -> _PassageWords:
        """A passage's sentences and words, computed on first use and cached."""
        cached = self._words_cache.get(ordinal)
        if cached is None:
            passage = self.snapshot.passages[ordinal]
            text = passage.text
            # Stored by the build where it could (the same function's output); else split now.
            stored = self.snapshot.sentences
            found = stored.sentence_terms(ordinal) if stored is not None else None
            sentences = found if found is not None else sentence_terms(text)
            if TABLE_CELLS in text:
                # A passage going on with a table holds its header row in its context.
                lead = context_lead(passage.context)
                header = frozenset(terms(lead)) if lead and TABLE_CELLS in lead else None
                sentences = _under_table_headers(text, sentences, header)
            cached = _PassageWords(
                sentences=sentences,
                all_terms=frozenset().union(*(words for _, words in sentences)),
                heading=self._line_terms(passage.heading) if passage.heading else frozenset(),
            )
            _remember(self._words_cache, ordinal, cached)
        return cached

    def _bag(self, ordinal: int) -> frozenset[str]:
        """A passage's plain lower-cased words (for near-duplicates), made once."""
        words = self._words(ordinal)
        if words.normalized is None:
            # Two threads may both make it: the same set either way.
            words.normalized = frozenset(normalized_words(self.snapshot.passages[ordinal].text))
        return words.normalized

    def _paragraphs(self, ordinal: int) -> tuple[int, ...]:
        """Each of a passage's sentences' paragraph (see ``_PassageWords``), made once."""
        words = self._words(ordinal)
        if words.paragraphs is None:
            text = self.snapshot.passages[ordinal].text
            words.paragraphs = paragraph_numbers(text, [span for span, _ in words.sentences])
        return words.paragraphs

    def _assign_span(self, candidate: Candidate, filters: SearchFilters) -> None:
        spans = self.snapshot.passages[candidate.ordinal].spans
        articles = self.snapshot.articles
        usable = [s for s in spans if filters.is_empty() or filters.accepts(articles[s[0]])]
        candidate.span = (usable or spans)[0]
        candidate.also_in = [s[0] for s in spans if s[0] != candidate.span[0]]

    def select(
        self, candidates: Iterable[Candidate], k: int, filters: SearchFilters | None = None
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
            bag = self._bag(candidate.ordinal)
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

    def _meaning(self, ordinal: int, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of the question with each sentence of a passage.

        Read from the snapshot's sentence vectors; snapshots built before them embed the
        sentences now, once (cached).
        """
        snapshot = self.snapshot
        if snapshot.sentences is not None:
            return sentence_scores(snapshot.sentences.rows(ordinal), query_vector)
        passage_text = snapshot.passages[ordinal].text
        texts = [passage_text[span.start : span.end] for span, _ in self._words(ordinal).sentences]
        cache = self._sentence_vector_cache
        # Read once into a local dict: another search thread may empty the cache meanwhile.
        known = {t: v for t in dict.fromkeys(texts) if (v := cache.get(t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embedder.embed(missing), strict=True))
            if len(cache) + len(missing) > _SENTENCE_VECTOR_CACHE:
                cache.clear()
            cache.update((t, known[t]) for t in missing)
        return np.asarray([float(known[t] @ query_vector) for t in texts], dtype=np.float32)

    def _quote(self, info: QuestionInfo, query_vector: np.ndarray, candidate: Candidate) -> Quote:
        article_id, start, end = candidate.span
        article = self.snapshot.articles[article_id]
        passage = self.snapshot.passages[candidate.ordinal]
        words = self._words(candidate.ordinal)
        paragraphs = self._paragraphs(candidate.ordinal)
        sentences = words.sentences
        texts = [passage.text[span.start : span.end] for span, _ in sentences]
        meaning = self._meaning(candidate.ordinal, query_vector).tolist()
        # Every sentence of a section is about its heading, and every sentence of an article
        # about its title and the name of its file: their words tell no sentence from another
        # ("chrony" in one entry of chrony_news.txt does not make it the one that answers).
        heading_terms = (
            words.heading
            | self._line_terms(article.title)
            | self._line_terms(source_names(article.source))
        )
        # A credit says "wrote" in other words ("Copyright 2004-2007 Lennart Poettering").
        shares_words = (
            not info.asked.isdisjoint(words.all_terms | heading_terms)
            or any(holds_literal(literal, passage.text) for literal in info.written)
            or bool(info.credited(passage.text))
        )
        scores = self._sentence_scores(
            info, words, paragraphs, texts, meaning, heading_terms, article.author
        )
        # A passage from the article's opening answers "Who wrote ...?" with the byline, "When
        # was it published?" with the dateline.
        line = self._answer_line(info, article_id)
        if line is not None and not (
            start <= _BYLINE_REACH
            if line[0] <= _BYLINE_REACH
            else self._line_passage(article_id, line) == candidate.ordinal
        ):
            line = None
        highlight: Highlight | None = None
        if line is not None:
            # Quoted around the passage's first sentence for a line at the top, its last for a
            # signature.
            first_answer = last_answer = 0 if line[0] <= _BYLINE_REACH else len(sentences) - 1
            highlight = Highlight(text=article.text[line[0] : line[1]], start=line[0], end=line[1])
        else:
            # A sentence that asks is not the one that answers: a FAQ's question ("Where does
            # the name come from?") shares the most words with a question put the same way.
            asking = _asking(texts, paragraphs)
            answering = [i for i, asks in enumerate(asking) if not asks]
            best = max(
                _faq_answer(asking, scores) or answering or range(len(scores)),
                key=scores.__getitem__,
            )
            best = _item_over_lead_in(info, sentences, texts, scores, best, heading_terms)
            if info.asks_default and not info.names_property(texts[best]):
                # "Which environment variables does doas pass through by default?" is answered
                # by the sentence naming them ("The variables DISPLAY and TERM are inherited"),
                # not by the one saying what is done by default ("By default, a new
                # environment is created.").
                best = _stating(states_default, texts, scores, paragraphs, answering, best)
            elif info.asks_limit:
                best = _stating(states_limit, texts, scores, paragraphs, answering, best)
            # Whether each sentence starts a line (a list item's next line is not the item).
            starts_line = [
                i == 0 or "\n" in passage.text[sentences[i - 1][0].end : span.start]
                for i, (span, _) in enumerate(sentences)
            ]
            first_answer, last_answer = _answer_extent(
                texts, best, paragraphs, article.author, starts_line
            )
            first_answer, last_answer = _with_answer_of_kind(
                info, texts, scores, first_answer, last_answer, paragraphs
            )
            last_answer = _with_short_completion(info, sentences, texts, paragraphs, last_answer)
            last_answer = _with_described_setting(texts, paragraphs, last_answer)
            last_answer = _finished(texts, last_answer, paragraphs)
            if info.asks_reason:
                first_answer, last_answer = _with_reason(
                    texts, paragraphs, first_answer, last_answer
                )
            if shares_words:
                begin, finish = sentences[first_answer][0].start, sentences[last_answer][0].end
                highlight = Highlight(
                    text=passage.text[begin:finish], start=start + begin, end=start + finish
                )
        # Passages are retrieved whole but quoted around the sentence that answers.
        first, last = self._window(sentences, texts, scores, first_answer, last_answer)
        passage_start = start
        start, end = start + sentences[first][0].start, start + sentences[last][0].end
        if first == 0 and passage.heading:
            above = _heading_above(article.text, passage_start, passage.heading)
            if above is not None:
                heading = article.text[above:passage_start]
                # The section's heading holds the kind of answer asked for and the answer
                # starts the section ("stringDecoder.end([buffer])" above "Returns any
                # remaining input ...") or ends close to its start (a release's heading over
                # its first entries): the highlight starts at the heading too.
                # A byline is the highlight as it is, even when it stands among the headings.
                # Asked which option, the option a section is the entry of is the answer
                # though its text names others ("ZMQ_BLOCKY: Fix blocky behavior" over "...
                # terminate the context with ZMQ_LINGER set to zero").
                holds_answer = (
                    line is None
                    and (
                        first_answer == 0 or sentences[last_answer][0].end <= _HEADING_ANSWER_REACH
                    )
                    and info.seeks_kind
                    and (
                        not any(map(info.expects, texts[: last_answer + 1]))
                        or (info.asks_option and _names_an_entry(heading))
                    )
                    and bool(info.expects(heading))
                )
                # A quote that opens its section shows the heading above it, text of the
                # article like any other, unless the heading only repeats the question: it
                # may be the answer ("preid" above "The prerelease identifier to use ...",
                # "BigReqEnable" above "This request enables extended-length requests").
                if holds_answer or (
                    len(heading) <= _QUOTED_HEADING_CHARS
                    and not frozenset(question_terms(heading)) <= info.asked
                ):
                    start = above
                if holds_answer and highlight is not None:
                    highlight = Highlight(
                        text=article.text[above : highlight.end], start=above, end=highlight.end
                    )
        if line is not None:
            # The quote holds the line, which may stand just before or after the passage.
            start, end = min(start, line[0]), max(end, line[1])
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

    def _sentence_scores(
        self,
        info: QuestionInfo,
        words: _PassageWords,
        paragraphs: tuple[int, ...],
        texts: list[str],
        meaning: list[float],
        heading_terms: frozenset[str],
        author: str | None = None,
    ) -> list[float]:
        """How likely each sentence is the one that answers: closeness in meaning, helped by the
        question's rare words in it (or in the line before it) and by holding the kind of answer
        asked for."""
        asked = info.asked
        # The situation a question sets out is said beside the answer, but less surely than
        # what it asks.
        weight = {
            t: self._idf.get(t, 1.0) * (_SITUATION_SHARE if t in info.situation else 1.0)
            for t in asked
        }
        literals = info.written
        literal_weight = max(weight.values(), default=1.0)
        total = (sum(weight.values()) + literal_weight * len(literals)) or 1.0
        sentences = words.sentences

        def share(found: frozenset[str], text: str = "") -> float:
            written = sum(literal_weight for lit in literals if text and holds_literal(lit, text))
            return (sum(weight[t] for t in asked & found) + written) / total

        terms_of = [_term_index(texts, i, paragraphs, author) for i in range(len(texts))]
        run_on = _run_on(texts, paragraphs)
        # A sentence made only of the question's own words says nothing it does not ("• Kerberos"
        # for "Where are the Kerberos and NTLM handlers collected?"): it cannot be the answer.
        # A definition's sentence says its term ("--posix" above "disable all GNU extensions."),
        # and a symbol may be the answer ("= Print the current line number.").
        capitalised = frozenset(_CAPITAL_WORD.findall(info.text))
        # Nor when its term is of the kind asked: "-A" / "Auto-bot mode." / "Lets the game play
        # itself." answers "Which flag lets the game play by itself?" in its words.
        # Nor one saying a number the question does not ("• 3.1-3.3 (Python 3.1 or 3.2)" for
        # "which Python versions does the range 3.1-3.3 cover?"): numbers are no terms.
        numbers = frozenset(_NUMBER.findall(info.text))
        echoes = [
            bool(own)
            and _says_only_asked(
                info,
                texts[i],
                own | (sentences[term][1] if term is not None else frozenset()),
                numbers,
            )
            and not _names_anew(texts[i], capitalised)
            and not (term is not None and info.seeks_kind and info.expects(texts[term]) >= 1.0)
            for i, ((_, own), term) in enumerate(zip(sentences, terms_of, strict=True))
        ]
        # What such list items are is said by the line leading in to them ("Some of the best
        # have been brought together under the Requests organization, including:"): their
        # words are its own.
        introduced = [_echoed_items(texts, echoes, sentences, i) for i in range(len(texts))]

        # A premise a question states is what it supposes ("Now that oauth2client is
        # deprecated, what should I switch to?"): a sentence sharing only its words with the
        # question states the premise ("Note: oauth2client is now deprecated."), not the answer.
        # A condition it sets is not ("When several rules match a command, which one decides
        # the outcome?": "The last matching rule determines the action taken.").
        asks_beyond = asked - info.premise

        def restates_premise(index: int) -> bool:
            # The words of the title and heading are said all over the section, by its answers
            # too: "screen" in "mesg and biff stop working while I'm inside screen; what is
            # the fix?" does not make "You need to install screen setuid-root." a premise.
            shared = (asked & sentences[index][1]) - heading_terms
            return bool(info.premise and asks_beyond and shared) and shared <= info.premise

        def score(index: int) -> float:
            if echoes[index]:
                return _ECHO_SCORE
            span, sentence_terms = sentences[index]
            sentence_terms = sentence_terms | introduced[index]
            # A definition's sentences are about its term ("operator" ... "It had uid 37."):
            # the term's words count as their own.
            term = terms_of[index]
            text = texts[index]
            if term is not None:
                sentence_terms = sentence_terms | sentences[term][1]
                text = f"{texts[term]}\n{text}"
            # Under a heading every sentence is about it ("EXIT STATUS": "0\nAll is good."):
            # a sentence that merely repeats the heading's words is not the likelier answer.
            sentence_terms = sentence_terms | heading_terms | info.credited(texts[index])
            # What the question sets aside ("rather than the same name") a sentence says of the
            # alternative ("If deduping by name, ..."), unless it sets it aside too ("Append
            # ... instead of overwriting it.").
            if info.set_aside:
                sentence_terms = sentence_terms - (info.set_aside - set_aside(texts[index]))
            # The line before (a lead-in, a term): its words help, less than the sentence's own.
            context_only = (sentences[index - 1][1] if index else frozenset()) - sentence_terms
            # Among equals prefer the shorter sentence: the highlight should be pointed.
            length_penalty = 1e-4 * math.log1p(span.end - span.start)
            return (
                meaning[index]
                + _HIGHLIGHT_WORDS_WEIGHT * share(sentence_terms, text)
                + _HIGHLIGHT_CONTEXT_WEIGHT * share(context_only)
                + _HIGHLIGHT_TYPE_WEIGHT * info.expects(run_on[index])
                - length_penalty
                - _PREMISE_PENALTY * restates_premise(index)
            )

        return [score(index) for index in range(len(sentences))]

    def _window(
        self,
        sentences: list[tuple[Span, frozenset[str]]],
        texts: list[str],
        scores: list[float],
        best: int,
        best_last: int,
    ) -> tuple[int, int]:
        """First and last sentence of the quote: the answering ones and their neighbours,
        within ``quote_chars`` (or ``quote_context_sentences`` on each side when that is set).

        The quote grows towards the neighbour more likely to answer, so when the highlight is
        not the answer, the sentence that is has the best chance to be quoted too.
        """
        count = len(sentences)
        around = self.settings.quote_context_sentences
        if around is not None:
            return max(0, best - around), min(count - 1, best_last + around)
        budget = self.settings.quote_chars
        if budget <= 0:
            return 0, count - 1
        ranked = sorted(scores, reverse=True)
        if len(ranked) > 1 and ranked[0] - ranked[1] < _UNSURE_MARGIN:
            # Two sentences answer about equally well: quote enough to hold both.
            budget *= 2
        first, last = best, best_last
        if best and (_refers_back(texts[best]) or len(texts[best]) < 60):
            first = best - 1  # "It had uid 37." needs the line that says what "it" is

        def length(a: int, b: int) -> int:
            return sentences[b][0].end - sentences[a][0].start

        while True:
            grow_back = first > 0 and length(first - 1, last) <= budget
            grow_on = last < count - 1 and length(first, last + 1) <= budget
            if grow_back and (not grow_on or scores[first - 1] >= scores[last + 1]):
                first -= 1
            elif grow_on:
                last += 1
            else:
                return first, last

    def _ref(self, article_id: str) -> ArticleRef:
        # Built once per article and snapshot; answers share it (nothing mutates it).
        ref = self._refs.get(article_id)
        if ref is None:
            ref = self._refs[article_id] = _ref(self.snapshot.articles[article_id])
        return ref


_TERM_END = re.compile(r"[.!?;,\"'”’)]$")
# A function's signature ends in a parenthesis and is still a term, as a manual's reference
# lists it (Octave's ": program_invocation_name ()"): its argument list is empty or it is
# named as code is ("gsl_sf_bessel_J0 (double x)"), unlike a remark in parentheses.
_SIGNATURE = re.compile(r"(?:\w\s*\(\s*\)|\w[\w.:]*[_.:]\w+\s*\([^()]*\))$")
# A line that announces what follows it: ends with a colon, or speaks of "the following".
# Words opening a condition, which may be on what the sentence before said ("If that ...").
_CONDITIONING = frozenset({"if", "when", "unless", "once"})
# Openings of a sentence that says which of what the sentence before said in general.
_SPECIFYING = re.compile(
    r"[\"'“‘(]?(?:(?:in\s+particular|specifically|more\s+specifically|namely)\b"
    # "That is, ..." but not "That is what a scientist does."
    r"|that\s+is\s*,|that\s+is\s+to\s+say\b|i\.\s?e\.)",
    re.IGNORECASE,
)
# Openings of a sentence that illustrates the one before it.
_ILLUSTRATING = re.compile(r"[\"'“‘(]?(?:e\.\s?g\.|for example\b|for instance\b)", re.IGNORECASE)
_LEADS_IN = re.compile(r":\s*$|\bthe following\b|\bas follows\b", re.IGNORECASE)
_LIST_MARK = re.compile(r"^(?:•|\d{1,3}[.)])\s")


def _item_over_lead_in(
    info: QuestionInfo,
    sentences: Sequence[tuple[Span, frozenset[str]]],
    texts: Sequence[str],
    scores: Sequence[float],
    best: int,
    heading_terms: frozenset[str],
) -> int:
    """The item of a list that answers, over the line leading in to it: "Additionally, the
    following exit codes are defined for generic error conditions:" shares "exit code" with
    "What exit code does aide return for a configuration error?", and "17 Configuration error",
    an item below it, is the answer. The best-scored of the short items that say a word of the
    question that the lead-in, the headings and the other items do not; the lead-in when none
    does."""
    if not texts[best].rstrip().endswith(":"):
        return best
    wanted = info.asked - sentences[best][1] - heading_terms - info.framing
    numbers = frozenset(_NUMBER.findall(info.text))
    # An item that only echoes the question ("• Kerberos" for "Where are the Kerberos and NTLM
    # handlers collected?") is not its answer: the lead-in is.
    items = [
        index
        for index in range(best + 1, min(len(sentences), best + 1 + _LISTED_ITEMS))
        if len(sentences[index][1]) <= _ITEM_TERMS
        and not _says_only_asked(info, texts[index], sentences[index][1], numbers)
    ]
    # A word every item says ("iopause" of "IOPAUSE_READ", "IOPAUSE_WRITE") tells none apart.
    said = collections.Counter(term for index in items for term in sentences[index][1] & wanted)
    telling = [
        index for index in items if any(said[term] == 1 for term in sentences[index][1] & wanted)
    ]
    return max(telling, key=scores.__getitem__) if telling else best


# How many sentences after a lead-in its list's items are looked for in, and how many terms a
# line may have to be an item ("17 Configuration error", "-c SEC Flush unused routes").
_LISTED_ITEMS = 30
_ITEM_TERMS = 8


def _surest(info: QuestionInfo, text: str, spans: Sequence[Span]) -> float:
    """The most surely any of the sentences at ``spans`` holds the kind of answer asked for
    (``QuestionInfo.expects``): no sentence after one that surely does is looked at, as nothing
    is surer than 1 (BENCHMARKS.md, "Scale, twenty-first pass")."""
    surest = 0.0
    for span in spans:
        surest = max(surest, info.expects(text[span.start : span.end]))
        if surest >= 1.0:
            break
    return surest


# The headings a troubleshooting entry gives its parts (an FAQ's, a knowledge base's).
_PROBLEM_HEADING = re.compile(
    r"(?:symptoms?|problems?|issues?|causes?|descriptions?|errors?)", re.IGNORECASE
)
_SOLUTION_HEADING = re.compile(
    r"(?:solutions?|fix(?:es)?|workarounds?|resolutions?|remed(?:y|ies)|answers?)", re.IGNORECASE
)
# How many passages past the best one are looked at for its entry's solution.
_SOLUTION_WALK = 8


def _first(ranked: list[Candidate], ordinal: int) -> list[Candidate]:
    """``ranked`` with the passage ``ordinal`` first: moved up, or ranked as the best passage
    was when it was not retrieved (its words seldom match the question's)."""
    for index, candidate in enumerate(ranked):
        if candidate.ordinal == ordinal:
            return [candidate, *ranked[:index], *ranked[index + 1 :]]
    return [dataclasses.replace(ranked[0], ordinal=ordinal, also_in=[]), *ranked]


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _within(term: str, vocabulary: frozenset[str]) -> bool:
    """Whether ``vocabulary`` holds ``term`` followed by a number in one word ("rfc8878"), a
    number and its unit glued ("40tb" for "40" and "TB"), as a part of an identifier
    ("readme_packag": "readm"), or in the plural the stemmer leaves ("cpus" for "CPU":
    Snowball keeps an "s" after a word's only vowel). Asked of every candidate when no
    candidate names a typed subject, so the words without ``term`` in them are passed over
    first, a substring test each."""
    if term not in " ".join(vocabulary):
        return False  # the usual case, found without a loop over the words
    for word in vocabulary:
        if term not in word or word == term:
            continue
        if word == f"{term}s":
            return True
        if term.isalpha() and word.startswith(term) and word[len(term) :].isdigit():
            return True
        # A quantity written with its unit glued on: "40TB" is the question's "40 TB".
        if term.isalpha() and word.endswith(term) and _NUMBER.fullmatch(word[: -len(term)]):
            return True
        if _NUMBER.fullmatch(term) and word.startswith(term) and word[len(term) :].isalpha():
            return True
        if "_" in word and term in _parts(word):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _parts(word: str) -> frozenset[str]:
    """An identifier's parts as terms: "readme_packag" is "readm" and "packag" (the terms'
    tokenizer splits at dots and hyphens already, not at underscores)."""
    return frozenset(t for part in word.split("_") for t in terms(part))


def _opens_item(texts: list[str], index: int) -> bool:
    """Whether sentence ``index`` opens a list item with a name ("• panic-halt."): a few words
    after the item's mark."""
    return index >= 0 and bool(_LIST_MARK.match(texts[index])) and len(texts[index].split()) <= 7


# A reference to something elsewhere: a manual page ("sed(1)"), a link, a bracketed citation
# ("[RFC-1952]"), a mail address.
_REFERENCE = re.compile(r"[\w.+-]+\(\d\w*\)|https?://\S+|\[[^\]\s]+\]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LIST_SEPARATOR = re.compile(r"[,;\n]")
# A manual's section of its authors ("AUTHOR", "AUTHORS", "Authors and contributors").
_AUTHORS_HEADING = re.compile(r"(?i:authors?|maintainers?)(?:\s+(?i:and)\s+\w+)?")
_SHORT_ITEM_WORDS = 3


def _under_table_headers(
    text: str,
    sentences: list[tuple[Span, frozenset[str]]],
    continued: frozenset[str] | None = None,
) -> list[tuple[Span, frozenset[str]]]:
    """Each row of a table with the words of its header row, as a heading's count for every
    sentence under it: "region | --region | region | AWS_DEFAULT_REGION | Default AWS Region"
    is a row of the column "Environment Variable", which answers "Which environment variable
    sets the default AWS region?". ``continued``: the header's words of the table the passage
    opens inside (its first row is then a row, not the header)."""
    result: list[tuple[Span, frozenset[str]]] = []
    header: frozenset[str] | None = continued
    previous_end = -1 if continued is None else 0
    for span, words in sentences:
        row = TABLE_CELLS in text[span.start : span.end]
        joined = previous_end >= 0 and "\n\n" not in text[previous_end : span.start]
        if not row:
            header = None
        elif header is None or not joined:
            header = words  # a table's first row names its columns
        else:
            words = words | header
        result.append((span, words))
        previous_end = span.end
    return result


def _only_referenced(
    text: str, sentences: list[tuple[Span, frozenset[str]]], subjects: Sequence[frozenset[str]]
) -> bool:
    """Whether every sentence naming a subject names it only as a reference: "sed(1)", a
    link, a citation, an item of a list of short items (a table's row is not a reference:
    it states values). False when no sentence names one as written (a loose match)."""
    named = [
        text[span.start : span.end]
        for span, sentence_terms in sentences
        if any(subject <= sentence_terms for subject in subjects)
    ]
    return bool(named) and not any(
        TABLE_CELLS in sentence
        or (
            not _short_items(sentence)
            and any(subject <= _said_terms(sentence) for subject in subjects)
        )
        for sentence in named
    )


def _item_answers(info: QuestionInfo, item: str) -> bool:
    """Whether one short item of a list (three words at most) names a subject of the
    question, other than as a reference ("sed(1)"), and holds the kind of answer it asks
    for."""
    if len(item.split()) > _SHORT_ITEM_WORDS:
        return False
    found = _said_terms(item)
    return any(subject <= found for subject in info.subjects) and info.expects(item) >= 1.0


def _names_a_release(text: str, numbers: frozenset[str]) -> bool:
    """Whether ``text`` names a release: a version ("2.0.0"), a numbered one ("version 5"), or
    a name and a number the question does not write ("Setuptools 45"; not "Python 2" for
    "Which release dropped Python 2?")."""
    return (
        names_release(text)
        or _NUMBERED_RELEASE.search(text) is not None
        or any(found.group(1) not in numbers for found in _NAME_AND_NUMBER.finditer(text))
    )


_NUMBERED_RELEASE = re.compile(r"\b(?:version|release)\s+\d", re.IGNORECASE)
# A name (a capital in it: "Setuptools", "ngIRCd") and a whole number after it.
_NAME_AND_NUMBER = re.compile(r"\b(?=[\w.+-]*[A-Z])[A-Za-z][\w.+-]*\s+v?(\d+)\b(?![.,]\d)")


def _short_items(sentence: str) -> bool:
    """Whether a sentence is a run of three or more short items ("awk(1), cmp(1), diff(1)")."""
    items = [item for item in _LIST_SEPARATOR.split(sentence) if item.strip()]
    return len(items) >= 3 and all(len(item.split()) <= _SHORT_ITEM_WORDS for item in items)


def _says_of(
    sentence: str,
    subjects: Sequence[frozenset[str]],
    typed: frozenset[frozenset[str]] = frozenset(),
) -> bool:
    """Whether a sentence naming every subject says something of them: it is not a list of
    names, and names them outside its references ("See also grep(1) and sed(1) ..." does
    not speak of sed). A ``typed`` subject may be named inside a longer name (``_named_in``)."""
    if _lists_names(sentence):
        return False
    said = _said_terms(sentence)
    return all(_named_in(subject, said, subject in typed) for subject in subjects)


def _named_in(subject: frozenset[str], found: frozenset[str], typed: bool) -> bool:
    """Whether ``found`` holds every term of ``subject``; a typed one also inside a longer
    name ("BSD" in "4.3BSD-Tahoe", ``_within``)."""
    return subject <= found or (typed and all(_within(term, found) for term in subject))


@functools.lru_cache(maxsize=4096)
def _said_terms(sentence: str) -> frozenset[str]:
    """A sentence's terms outside its references ("sed(1)", links, citations): the words it
    says things in. Asked of the same sentences by both mention rules."""
    return frozenset(terms(_REFERENCE.sub(" ", sentence)))


def _lists_names(sentence: str) -> bool:
    """Whether a sentence lists names rather than says something of them: a table's row, a
    run of short items ("awk(1), cmp(1), diff(1)"), a line that is mostly references."""
    if TABLE_CELLS in sentence or _short_items(sentence):
        return True
    words = sentence.split()
    references = sum(_REFERENCE.fullmatch(word.strip(",.;:")) is not None for word in words)
    return bool(words) and references * 2 >= len(words)


def _asks(sentence: str) -> bool:
    """Whether a sentence is a question: it ends with its question mark (a question quoted
    inside a statement, '... asked "why now?"', ends with the quote), or it asks in the reader's
    name ("You may wonder why vdirsyncer just couldn't figure this out by itself.")."""
    return sentence.rstrip().endswith("?") or _ASKED_FOR_THE_READER.match(sentence) is not None


# A question put in the reader's name, with no question mark: a FAQ's way in to its answer.
_ASKED_FOR_THE_READER = re.compile(
    r"\s*(?:you|one|we|some(?:one|body)?|readers?)\s+(?:may|might|could|would|will|probably)?\s*"
    r"(?:well\s+)?(?:be\s+)?(?:wonder(?:ing)?|ask(?:ing)?(?:\s+(?:yourself|themselves))?)\s+"
    r"(?:why|how|what|whether|if|when|where|which|who)\b",
    re.IGNORECASE,
)


def _asking(texts: list[str], paragraphs: Sequence[int]) -> list[bool]:
    """For each sentence, whether it asks: it is a question (``_asks``), or part of one a FAQ
    labels ("Q:   When you start "screen" a page of text comes up. Is there a way to get rid
    of this text ...", no question mark), up to its answer's label ("A) ...", in the same
    paragraph or the next) or the paragraph's end."""
    asking = []
    in_question = False
    for index, text in enumerate(texts):
        if QUESTION_LABEL.match(text):
            in_question = True
        elif ANSWER_LABEL.match(text) or (index and paragraphs[index - 1] != paragraphs[index]):
            in_question = False  # its answer ("A) ..."), or a paragraph of no question
        asking.append(in_question or _asks(text))
    return asking


def _faq_answer(asking: list[bool], scores: list[float]) -> list[int]:
    """When the sentence closest to the question is a question itself (a FAQ's "Why is %CPU
    underreported for multi-threaded apps?"), the sentences up to the next question: its
    answer ("You need to upgrade to the 2.6.10 kernel at least."), which may share fewer of
    the question's words than a sentence of another entry. Empty otherwise."""
    if not scores:
        return []
    closest = max(range(len(scores)), key=scores.__getitem__)
    if not asking[closest]:
        return []
    answer: list[int] = []
    for index in range(closest + 1, len(asking)):
        if asking[index]:
            if answer:
                break
            continue  # the rest of a question of several sentences
        answer.append(index)
    return answer


def _names_anew(sentence: str, capitalised: frozenset[str]) -> bool:
    """Whether ``sentence`` capitalises, past its first word, a word the question (whose
    ``capitalised`` words these are) does not: in "The message model is implemented by the
    Message class." the class is the answer to "Which class implements the email message
    model?", in the question's own words."""
    return any(word not in capitalised for word in _CAPITAL_WORD.findall(sentence, 1))


def _echoed_items(
    texts: list[str],
    echoes: list[bool],
    sentences: Sequence[tuple[Span, frozenset[str]]],
    index: int,
) -> frozenset[str]:
    """The terms of the list items after lead-in ``index`` that only echo the question."""
    if not _LEADS_IN.search(texts[index]):
        return frozenset()
    found: frozenset[str] = frozenset()
    item = index + 1
    while item < len(texts) and _LIST_MARK.match(texts[item]):
        if echoes[item]:
            found |= sentences[item][1]
        item += 1
    return found


def _refers_back(sentence: str) -> bool:
    """Whether a sentence opens with a word that points back ("It", "This", "They"), a
    condition on one ("If that is not set"), or gives an example of what the sentence before
    says ("E.g., make a ramdisk available ...": the answer is the "Use symbolic links." it
    illustrates)."""
    words = [word.lower().strip("\"'“‘(,") for word in sentence.split(None, 2)[:2]]
    return bool(words) and (
        words[0] in _REFERRING
        or bool(_ILLUSTRATING.match(sentence))
        # "If that is not set, it will use the ansi+tabs entry.": a condition on what the
        # sentence before said; "Otherwise, ..." is one by itself.
        or words[0] == "otherwise"
        or (words[0] in _CONDITIONING and len(words) > 1 and words[1] in _REFERRING)
    )


# Sentences of a definition read back to its term: a definition is short, an option's
# description runs a few.
_DEFINITION_REACH = 3


def _is_term(line: str, author: str | None = None) -> bool:
    """A term line: a few words with no sentence punctuation (an option, a name) that the
    lines below it define. ``author``: the article's, whose name alone on a line is a byline."""
    term = line.strip()
    return (
        len(term.split()) <= 6
        and (not _TERM_END.search(term) or bool(_SIGNATURE.search(term)))
        and not _LIST_MARK.match(term)
        # "By Lynne O'Donnell, Associated Press" (or "Jessica Rudder", the author alone) says
        # who wrote what follows, not what it is.
        and not is_byline(term, author)
    )


def _term_index(
    texts: list[str], index: int, paragraphs: Sequence[int], author: str | None = None
) -> int | None:
    """The term line that sentence ``index`` belongs to, or None: the nearest term line above
    it within a few sentences (a definition is short) whose definition holds it. A definition
    is the paragraph that starts with the line after the term: the term's own ("0\nAll is
    good.") or, where a blank line follows the term ("--posix\n\ndisable all GNU
    extensions."), the next one; the paragraph after that is no longer the term's."""
    for back in range(index - 1, max(index - 1 - _DEFINITION_REACH, -1), -1):
        if _is_term(texts[back], author):
            return back if paragraphs[back + 1] == paragraphs[index] else None
    return None


def _definition_start(
    texts: list[str], index: int, paragraphs: Sequence[int], author: str | None
) -> int:
    """Sentence ``index``, or the term line of the definition it is a sentence of (a list's
    item is no definition's sentence)."""
    if _LIST_MARK.match(texts[index]):
        return index
    term = _term_index(texts, index, paragraphs, author)
    return index if term is None else term


def _answer_extent(
    texts: list[str],
    best: int,
    paragraphs: Sequence[int],
    author: str | None = None,
    starts_line: Sequence[bool] | None = None,
) -> tuple[int, int]:
    """The sentences that make up the answer around sentence ``best``.

    A line that leads in ("you should use:") is answered by the line after it, and a
    definition ("Invert the sense of matching.") by the term line above it ("-v,
    --invert-match"); a term line chosen alone brings the first line of its definition.
    """
    first = last = best
    count = len(texts)
    if _LEADS_IN.search(texts[best]) and best + 1 < count:
        last = best + 1
        # One sentence may come between the lead-in and its list ("The following three types
        # are supported. These work over HTTPS too." then the list).
        if (
            not _LIST_MARK.match(texts[last])
            and last + 1 < count
            and _LIST_MARK.match(texts[last + 1])
        ):
            last += 1
        # "... the following types are supported:" is answered by the whole list after it.
        while (
            last + 1 < count and _LIST_MARK.match(texts[last]) and _LIST_MARK.match(texts[last + 1])
        ):
            last += 1
    if (
        last + 1 < count
        and paragraphs[last + 1] == paragraphs[last]
        and _SPECIFYING.match(texts[last + 1])
    ):
        # "dhcp6c is incomplete and violates DHCPv6 protocol spec, in several aspects. In
        # particular, temporary address assignment is intentionally omitted.": the sentence
        # after says which.
        last += 1
    if best > 0 and _refers_back(texts[best]) and not _is_term(texts[best - 1], author):
        # "It is quite possibly the most bug-ridden ...": what "it" is, is said just before;
        # and where that sentence opens a definition, by its term ("TIG_EDITOR" / "The editor
        # command to use ..." / "This environment variable overrides $GIT_EDITOR ...").
        return _definition_start(texts, best - 1, paragraphs, author), last
    if _is_term(texts[best], author) and best + 1 < count and not _is_term(texts[best + 1], author):
        last = best + 1
    elif (
        starts_line is not None
        and not starts_line[best]
        and _opens_item(texts, best - 1)
        and not _LIST_MARK.match(texts[best])
    ):
        # "• panic-halt. A panic causes the program to halt by entering an infinite loop.": the
        # item's name, its first sentence, is what the sentence after it speaks of.
        first = best - 1
    else:
        # A sentence of a definition answers together with its term ("adm\nGroup adm is used
        # for system monitoring tasks. Members of this group can read many log files").
        first = _definition_start(texts, best, paragraphs, author)
    if (
        first == best > 0
        and texts[best - 1].rstrip().endswith(":")
        and not _LIST_MARK.match(texts[best])
    ):
        # What a line leading in introduces is read with it: ">>> from crcmod.predefined import
        # *" says nothing alone, "However, it is not defined when crcmod.predefined is imported
        # using the form:" says what it is.
        first = best - 1
    return first, last


# The longest quote an answer carries (issue 15, item 6; README "The answer contract"). Passages
# are capped when split, so this only bites on snapshots built before the cap; it keeps the
# highlight.
MAX_QUOTE_CHARS = 4_000


def _stating(
    states: Callable[[str], bool],
    texts: list[str],
    scores: list[float],
    paragraphs: Sequence[int],
    answering: Sequence[int],
    best: int,
) -> int:
    """Asked for a default (or a limit), the sentence that ``states`` one answers ("Without
    this option the default maximum lifetime is forever"), not the one describing the setting
    in more of the question's words ("Set a default value for the maximum lifetime ..."). A
    statement is as close to the question as the best sentence of the entry it ends (its
    paragraph, from the statement before it): "The default is 100." under "The maximum number
    of commands to save in the history file.", not the history file name's "The default is
    ...". ``best`` when no sentence states one."""
    stating = [i for i in answering if states(texts[i])]
    if not stating:
        return best

    def entry_score(index: int) -> float:
        start = index
        while start > 0 and paragraphs[start - 1] == paragraphs[index] and start - 1 not in stating:
            start -= 1
        return max(scores[start : index + 1])

    return max(stating, key=lambda i: (entry_score(i), scores[i]))


def _with_answer_of_kind(
    info: QuestionInfo,
    texts: list[str],
    scores: list[float],
    first: int,
    last: int,
    paragraphs: Sequence[int] | None = None,
) -> tuple[int, int]:
    """The answer's sentences, with the neighbour that holds the kind of answer asked for when
    they hold none ("What year did the storm hit?": "In April 1191 Richard left Messina ...
    But a storm dispersed the fleet."). Within the answer's paragraph the nearest one a
    sentence further counts too (an option's "Specify the size of the buffer ... Larger
    buffers require fewer round trips ... The default is 32768 bytes."). A neighbour that
    surely holds it counts when the answer only may: a full name beside a lone capitalised
    word ("Richard's fleet arrived ... on Cyprus." for "Who ruled Cyprus in 1191?", then
    "... taken prisoner by the island's despot Isaac Komnenos."), a quantity beside a bare
    number ("at any one time", then "The default is 64 outstanding requests.")."""
    # A stated name ("the file is named openssl.cnf") points to the answer within a passage;
    # passages are not ranked by it (``seeks_kind``): texts name many things.
    if not (info.seeks_kind or info.asks_name):
        return first, last
    said = _run_on(texts, paragraphs)  # what each sentence holds, read on where it breaks off
    held = max(info.expects(said[i]) for i in range(first, last + 1))
    if held >= 1.0:
        return first, last
    term = _defined_by(texts, paragraphs, first)
    if term is None:
        term = _entry_term(texts, paragraphs, first)
    if term is not None and info.expects(said[term]) > held:
        return term, last  # "-o" over "Run only once." / "Ignore any autorefresh setting ..."
    for reach in (1, 2):
        around = [i for i in (first - reach, last + reach) if 0 <= i < len(texts)]
        if reach > 1:
            if paragraphs is None:
                break
            around = [i for i in around if paragraphs[i] == paragraphs[first] == paragraphs[last]]
        # A term belongs to the definition it opens, not to the sentence before it: standing
        # alone or opening a paragraph of its own ("--init, -i" above "Initialize the
        # database.", after "Without any command aide does a check.").
        around = [
            i
            for i in around
            if i < first
            or not (
                _opens_definition(texts, paragraphs, i)
                or _entry_term(texts, paragraphs, i + 1) == i
            )
        ]
        holding = [i for i in around if info.expects(said[i]) > held]
        if holding:
            chosen = max(holding, key=scores.__getitem__)
            return min(first, chosen), max(last, chosen)
    return first, last


def _opens_definition(texts: list[str], paragraphs: Sequence[int] | None, at: int) -> bool:
    """Whether sentence ``at`` is a term (``_is_term``) standing as a paragraph of its own, its
    definition in the paragraphs after it ("-o" / "Run only once." / "Ignore any ...")."""
    if paragraphs is None or at + 1 >= len(texts) or paragraphs[at + 1] == paragraphs[at]:
        return False
    if at > 0 and paragraphs[at - 1] == paragraphs[at]:
        return False
    return _is_term(texts[at]) and not _is_term(texts[at + 1])


def _entry_term(texts: list[str], paragraphs: Sequence[int] | None, at: int) -> int | None:
    """The term line opening the paragraph sentence ``at`` is in, an entry's ("--check, -C" over
    "Checks the database ... Without any command aide does a check."), however far back."""
    if paragraphs is None or at >= len(texts) or at == 0:
        return None
    start = at
    while start > 0 and paragraphs[start - 1] == paragraphs[at]:
        start -= 1
    if start == at or not _is_term(texts[start]) or _is_term(texts[start + 1]):
        return None
    return start


def _defined_by(texts: list[str], paragraphs: Sequence[int] | None, first: int) -> int | None:
    """The term whose definition holds sentence ``first``: the nearest one before it, a few
    sentences back, with no other term between."""
    for at in range(first - 1, max(first - 1 - _DEFINITION_REACH, -1), -1):
        if _opens_definition(texts, paragraphs, at):
            return at
    return None


# A sentence that draws a consequence from the one before it ("Thus, nss-mdns will not work
# unless Avahi is running!", "The consequence is that at a tty, you may need to hit Ctl-D", "As
# such, use of WPS may not be suitable for ...").
_CONSEQUENCE = re.compile(
    r"^\W*(?:thus|therefore|hence|consequently|accordingly|as\s+such|so(?=,)|"
    r"as\s+a\s+(?:result|consequence)|"
    r"for\s+this\s+reason|(?:that|this)(?:\s+is|'s|’s)\s+why|this\s+means|"
    # "Due to this, NumExpr works best with large arrays.": the cause is the one before.
    r"(?:due|owing)\s+to\s+(?:this|that|these|those)(?=\s*,)|"
    r"the\s+(?:consequence|result|upshot)\s+(?:of\s+(?:this|that)\s+)?is)\b",
    re.IGNORECASE,
)
# A sentence about a problem the one before it states ("fuser cannot report on any processes
# that it doesn't have permission to look at ..." then "The most common time this problem
# occurs is ...").
_NAMED_BEFORE = re.compile(
    r"\b(?:this|that|these|those|such)\s+(?:problems?|issues?|cases?|situations?|"
    r"behaviou?rs?|limitations?|restrictions?|errors?)\b",
    re.IGNORECASE,
)
# Words that state a cause, or the purpose something serves ("By disabling core dumps by
# default, it is possible to avoid potential security problems"), or what would happen
# without it ("I need to escape the multiplication operator * with a backslash. If I don't,
# the operating system may ... use it for file name expansion.").
_CAUSE = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|since|as\s+a\s+result\s+of|in\s+order\s+to|so\s+that|"
    r"otherwise|reasons?|rationale|motivation|to\s+(?:avoid|prevent)|"
    # The authors' view given as the reason: "We believe that logging is a separate task".
    r"(?:we|i)\s+(?:believe|think|feel|consider)\s+that|"
    r"if\s+(?:i|you|we|they|it|one|he|she)\s+(?:(?:do|does|did)n['’]t|(?:do|does|did)\s+not)|"
    r"without\s+(?:it|this|that|them|doing\s+so))\b",
    re.IGNORECASE,
)


def _states_cause(sentence: str) -> bool:
    """Whether ``sentence`` states a cause of its own, not one it points back to ("Due to
    this, ...")."""
    return bool(_CAUSE.search(sentence)) and not _CONSEQUENCE.match(sentence)


# A cause said of what was just said: "The rationale for this is that YAPF was initially
# developed at Google", the paragraph after the list item it explains.
_CAUSE_OF_THE_ABOVE = re.compile(
    r"\b(?:reasons?|rationale|motivation)\s+(?:for|of|behind)\s+(?:this|that|these|those|it)\b",
    re.IGNORECASE,
)


def _with_reason(
    texts: list[str], paragraphs: Sequence[int], first: int, last: int
) -> tuple[int, int]:
    """The answer to "why ...?" with the neighbour in its paragraph that holds the cause when
    its own sentences state none: the one before a sentence that draws the consequence ("...
    due to security reasons ... is no longer built by default." before "Thus, nss-mdns will not
    work unless Avahi is running!"), or the one after that explains it ("Don't try to use the
    tools host or nslookup for these tests!" then "They bypass the NSS ..."), else the one
    beside it that states a cause. A sentence about "this problem" has it in the one before;
    "The rationale for this is ..." gives the cause of the one before it, in whichever
    paragraph."""
    if any(_states_cause(texts[i]) for i in range(first, last + 1)):
        return first, last
    if (
        first > 0
        and paragraphs[first - 1] == paragraphs[first]
        and (_CONSEQUENCE.match(texts[first]) or _NAMED_BEFORE.search(texts[first]))
    ):
        # A consequence of a consequence reads back to the cause both follow from: "The main
        # reason why NumExpr achieves better performance ... is that it avoids allocating
        # memory ..." before "This results in better cache utilization ..." and "Due to this,
        # NumExpr works best with large arrays."
        chained = (
            first > 1
            and paragraphs[first - 2] == paragraphs[first]
            and not _states_cause(texts[first - 1])
            and _refers_back(texts[first - 1])
            and _states_cause(texts[first - 2])
        )
        return first - (2 if chained else 1), last
    # Else the neighbour in its paragraph that states a cause: the answer sets out what is done
    # ("... this protection is lost when sudo executes a command.") and the next sentence why.
    following = last + 1 < len(texts) and paragraphs[last + 1] == paragraphs[last]
    if following and (_refers_back(texts[last + 1]) or _CAUSE.search(texts[last + 1])):
        return first, last + 1
    if first > 0 and paragraphs[first - 1] == paragraphs[first] and _CAUSE.search(texts[first - 1]):
        return first - 1, last
    # A cause said of the above reaches across a paragraph's end: it says what it explains.
    if last + 1 < len(texts) and _CAUSE_OF_THE_ABOVE.search(texts[last + 1]):
        return first, last + 1
    # A problem stated in a paragraph of its own is answered by the next paragraph (a FAQ in
    # plain text: "I start tcsh and it takes a couple of minutes to get the prompt." above
    # "You have defined REMOTEHOST and your DNS is not responding.").
    if (
        last + 1 < len(texts)
        and paragraphs[last + 1] != paragraphs[last]
        and (last == 0 or paragraphs[last - 1] != paragraphs[last])
    ):
        return first, last + 1
    return first, last


# How far into its section an answer may end for the section's heading to hold its missing
# part: a changelog's "Noteworthy changes in version 1.6.0" over its first few entries.
_HEADING_ANSWER_REACH = 300
# A heading longer than this is more likely a paragraph taken for one (plain text's short
# lines) than a title: it is quoted only when it holds the kind of answer asked for.
_QUOTED_HEADING_CHARS = 120


def _names_an_entry(heading: str) -> bool:
    """Whether a heading is an entry's name: one typed token, alone or before a colon
    ("ZMQ_BLOCKY: Fix blocky behavior", "--verbose")."""
    name = heading.strip().partition(":")[0].strip()
    return bool(name) and len(name.split()) == 1 and is_typed(name)


def _heading_above(text: str, start: int, heading: str) -> int | None:
    """Where the heading right above ``start`` begins in ``text``, when only blank space lies
    between them; None otherwise. ``heading`` is the chain of headings ("Guide: Options"): the
    nearest one is the chain's tail (the longest tail that matches: a heading may hold ": ")."""
    before = text[:start].rstrip()
    parts = heading.split(": ")
    for first in range(len(parts)):
        nearest = ": ".join(parts[first:])
        if before.endswith(nearest):
            return len(before) - len(nearest)
    return None


# A sentence this short cannot stand alone ("Default: 1000.", "See --rename.").
_SHORT_SENTENCE = 40


def _with_short_completion(
    info: QuestionInfo,
    sentences: list[tuple[Span, frozenset[str]]],
    texts: list[str],
    paragraphs: Sequence[int],
    last: int,
) -> int:
    """The answer's last sentence, or the one after it in its paragraph when that one holds a
    word the question asks about and cannot stand alone: a short one ("maxKeys {number}
    Specifies the maximum number of keys to parse. Default: 1000." answers "What is the
    default maximum number of keys?"), or one that points back with a word of the question
    the answer lacks ('type "make check". This will require that you have DejaGNU
    installed.' answers "What must be installed to run make check?")."""
    after = last + 1
    if (
        after >= len(texts)
        or paragraphs[after] != paragraphs[last]
        or _is_term(texts[after])
        or _LIST_MARK.match(texts[after])  # the next item of a list, not this one's end
        or info.asked.isdisjoint(sentences[after][1])
    ):
        return last
    if len(texts[after]) <= _SHORT_SENTENCE:
        return after
    if _refers_back(texts[after]) and not sentences[after][1] & info.asked <= sentences[last][1]:
        return after
    return last


def _with_described_setting(texts: list[str], paragraphs: Sequence[int], last: int) -> int:
    """The answer's last sentence, or, when it ends on a comment of a configuration listing,
    the setting the comment describes on the line after its comment lines ("# How long to wait
    for an Escape key sequence in vi mode." ... "vi_ttimeoutlen = 0.1")."""
    if not _COMMENT_LINE.match(texts[last].rsplit("\n", 1)[-1]):
        return last
    for after in range(last + 1, min(last + 1 + _COMMENT_REACH, len(texts))):
        if paragraphs[after] != paragraphs[last]:
            break
        lines = texts[after].split("\n")
        if _SETTING_LINE.match(lines[0]):
            return after
        if not all(_COMMENT_LINE.match(line) for line in lines):
            break
    return last


# A configuration file's comment line and setting line ("# Update time in milliseconds",
# "update_ms = 1500"); a setting's comment runs a few lines at most.
_COMMENT_LINE = re.compile(r"^\s*(?:#|;|//)")
_SETTING_LINE = re.compile(r"^\s*[A-Za-z_][\w.-]*\s*[=:]\s*\S")
_COMMENT_REACH = 4


def _says_only_asked(
    info: QuestionInfo, text: str, found: frozenset[str], numbers: frozenset[str]
) -> bool:
    """Whether ``text`` (whose terms are ``found``) says nothing the question does not: only
    its words, no symbol ("= Print the current line number." may answer) and no number but its
    own ``numbers``."""
    return (
        found <= info.asked
        and not _SYMBOL.search(text)
        and frozenset(_NUMBER.findall(text)) <= numbers
    )


def _run_on(texts: list[str], paragraphs: Sequence[int] | None = None) -> list[str]:
    """Each sentence with the lines it runs on into when it breaks off at a word (``_finished``):
    what it holds is what they say ("you should replace the last command with" over "cmake ..
    -DBUILD_GMOCK=OFF" holds a command)."""
    return [" ".join(texts[i : _finished(texts, i, paragraphs) + 1]) for i in range(len(texts))]


def _finished(texts: list[str], last: int, paragraphs: Sequence[int] | None = None) -> int:
    """The answer's last sentence, or where it ends when it breaks off into the line under it
    ("you should replace the last command with" over "cmake .. -DBUILD_GMOCK=OFF"; "you can add"
    over "-DGTEST_DONT_DEFINE_FOO=1" over "to the compiler flags to tell GoogleTest ..."): a
    sentence ending on a word goes on in a line that opens with no capital and no list mark,
    and that is not the next entry of a list of terms (``_next_entry``)."""
    for _ in range(_RUN_ON_LINES):
        after = last + 1
        if (
            after >= len(texts)
            or not texts[last][-1:].isalnum()
            or texts[after][:1].isupper()
            or _LIST_MARK.match(texts[after])
            or _next_entry(texts, after, paragraphs)
        ):
            break
        last = after
    return last


def _next_entry(texts: list[str], index: int, paragraphs: Sequence[int] | None) -> bool:
    """Whether sentence ``index`` is a term whose definition opens on the line under it, in its
    paragraph: a man page's next option ("The default path ~/.ssh/id_dropbear is used" ends one
    option's text, unfinished, above "-L [listenaddress]:listenport:host:port" and "Local port
    forwarding."), not the rest of a sentence ("-DGTEST_DONT_DEFINE_FOO=1" above "to the
    compiler flags ...")."""
    after = index + 1
    return (
        paragraphs is not None
        and after < len(texts)
        and paragraphs[after] == paragraphs[index]
        and texts[after][:1].isupper()
        and _is_term(texts[index])
    )


# How many lines an unfinished sentence is read on through (the code it names, the rest of it).
_RUN_ON_LINES = 2


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
