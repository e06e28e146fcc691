"""Quality evaluation on SQuAD-format data: retrieval hits, highlight hits, quote length and
abstention, for the hybrid ranker beside BM25-only, dense-only and (when installed) txtai."""

from __future__ import annotations

import json
import logging
import re
import statistics
import string
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr

from articleqa.config import Settings
from articleqa.embedding import Embedder
from articleqa.engine import ArticleQA
from articleqa.errors import InvalidInput
from articleqa.ingest.prepare import prepare_article
from articleqa.models import Answer, RawArticle
from articleqa.paths import HomePaths
from articleqa.question import read_question
from articleqa.search import Searcher, abstain_threshold

logger = logging.getLogger(__name__)
# With ARTICLEQA_DATABASE_URL: the scratch database on the same server that eval indexes into.
EVAL_DATABASE = "articleqa_eval"


@dataclass(frozen=True, slots=True)
class Question:
    article: str
    text: str
    answers: tuple[str, ...]


@dataclass(slots=True)
class Dataset:
    articles: dict[str, list[str]]  # title -> paragraphs
    questions: list[Question]


@dataclass(slots=True)
class Row:
    name: str
    hit1: float | None = None
    hit3: float | None = None
    highlight1: float | None = None
    median_quote_chars: float | None = None
    median_highlight_chars: float | None = None
    abstain_out: float | None = None
    # Of the left-out questions, the share answered with a gold answer in a quote: the other
    # documents still answer them (a partner that says it too), so they are not out of corpus.
    out_answered_right: float | None = None
    answered_in: float | None = None
    abstain_near: float | None = None
    abstain_off: float | None = None
    questions: int = 0
    notes: str = ""


@dataclass(slots=True)
class Report:
    rows: list[Row]
    threshold: float
    details: dict[str, Any] = field(default_factory=dict)


# Rows of the report: the configured ranker first (its row also gets the abstention numbers),
# then variants that differ from it by the settings given.
RANKERS: dict[str, dict[str, float | None]] = {
    "articleqa hybrid": {},
    "articleqa, quotes cut to ±2 sentences": {"quote_context_sentences": 2},
    "BM25 only": {"dense_weight": 0.0, "bm25_weight": 1.0, "sentence_weight": 0.0},
    "dense only": {"bm25_weight": 0.0, "sentence_weight": 0.0},
}

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def squad_normalize(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_verbatim(passage: str, answers: Iterable[str]) -> bool:
    """A gold answer as written (case and runs of whitespace aside), not inside a longer word.

    For document sets, whose answers are copied from the documents: "yaml.safe_load" is in
    "yaml.safe_load(stream)", which SQuAD's normalisation (punctuation deleted) would miss.
    """
    haystack = " ".join(passage.split()).lower()
    for answer in answers:
        needle = " ".join(answer.split()).lower()
        if not needle:
            continue
        before = r"(?<!\w)" if needle[0].isalnum() else ""
        after = r"(?!\w)" if needle[-1].isalnum() else ""
        if re.search(before + re.escape(needle) + after, haystack):
            return True
    return False


Matcher = Callable[[str, Iterable[str]], bool]


def contains_answer(passage: str, answers: Iterable[str]) -> bool:
    haystack = f" {squad_normalize(passage)} "
    return any(f" {squad_normalize(a)} " in haystack for a in answers if squad_normalize(a))


def load_squad(path: Path) -> Dataset:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path} is not a SQuAD-format JSON file: {exc}") from exc
    articles: dict[str, list[str]] = {}
    questions: list[Question] = []
    for entry in entries:
        title = str(entry["title"]).replace("_", " ")
        articles[title] = [p["context"] for p in entry["paragraphs"]]
        for paragraph in entry["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa.get("answers", []))
                if qa.get("is_impossible") or not answers:
                    continue
                questions.append(Question(title, qa["question"], answers))
    if not questions:
        raise InvalidInput(f"{path} has no answerable questions")
    return Dataset(articles, questions)


class _Index:
    """A temporary articleqa home holding some articles."""

    def __init__(
        self,
        raws: list[tuple[str, RawArticle]],
        settings: Settings,
        embedder: Embedder,
        cache: Path,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="articleqa-eval-")
        home = Path(self._tmp.name)
        # Share one embedding cache between folds: the same passages are embedded once.
        HomePaths(home).embeddings.symlink_to(cache, target_is_directory=True)
        if settings.database_url is not None:
            # Never the configured database: a scratch one beside it, emptied for each index
            # (its embedding cache kept, so folds embed each passage once there too).
            from articleqa.postgres.database import database_for, reset, scratch_database

            url = scratch_database(settings.database_url.get_secret_value(), EVAL_DATABASE)
            reset(database_for(url))
            settings = settings.model_copy(update={"database_url": SecretStr(url)})
        self.engine = ArticleQA(settings, embedder=embedder, home=home)
        for label, raw in raws:
            outcome = self.engine.add_raw(label, raw)
            if outcome.failed:
                raise InvalidInput(f"{label}: {outcome.error}")
        self.engine.build()
        self.snapshot = self.engine.index.load()
        self.embedder = embedder

    @classmethod
    def of_squad(
        cls,
        dataset: Dataset,
        titles: list[str],
        settings: Settings,
        embedder: Embedder,
        cache: Path,
    ) -> _Index:
        raws = [
            (
                title,
                RawArticle(
                    title=title, text="\n\n".join(dataset.articles[title]), source=f"squad:{title}"
                ),
            )
            for title in titles
        ]
        return cls(raws, settings, embedder, cache)

    def searcher(self, **ranking: float | bool | None) -> Searcher:
        return self.engine.searcher_for(self.snapshot, **ranking)

    def close(self) -> None:
        self._tmp.cleanup()


def _ask_all(
    searcher: Searcher, questions: list[Question], vectors: np.ndarray, k: int = 3
) -> list[Answer]:
    return [
        searcher.ask(q.text, k, query_vector=v) for q, v in zip(questions, vectors, strict=True)
    ]


def _hits(
    answers: list[Answer],
    questions: list[Question],
    name: str,
    contains: Matcher = contains_answer,
) -> Row:
    hit1 = hit3 = highlight1 = 0
    lengths: list[int] = []
    highlight_lengths: list[int] = []
    for answer, question in zip(answers, questions, strict=True):
        quotes = answer.quotes
        lengths.extend(len(q.text) for q in quotes)
        highlight_lengths.extend(len(q.highlight.text) for q in quotes if q.highlight)
        if quotes and contains(quotes[0].text, question.answers):
            hit1 += 1
        if any(contains(q.text, question.answers) for q in quotes[:3]):
            hit3 += 1
        first_highlight = quotes[0].highlight if quotes else None
        if first_highlight and contains(first_highlight.text, question.answers):
            highlight1 += 1
    n = len(questions)
    return Row(
        name=name,
        hit1=hit1 / n,
        hit3=hit3 / n,
        highlight1=highlight1 / n,
        median_quote_chars=statistics.median(lengths) if lengths else 0,
        median_highlight_chars=statistics.median(highlight_lengths) if highlight_lengths else None,
        questions=n,
    )


def calibrate_threshold(
    in_scores: list[float], out_scores: list[float], min_answered: float = 0.98
) -> float:
    """The highest threshold that still answers ``min_answered`` of in-index questions."""
    if not in_scores:
        return 0.0
    ordered = sorted(in_scores)
    allowed_misses = int(len(ordered) * (1 - min_answered))
    return float(ordered[allowed_misses]) - 1e-6


def evaluate(
    path: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    calibrate: bool = False,
    with_txtai: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Report:
    dataset = load_squad(path)
    say = progress or (lambda _message: None)
    titles = list(dataset.articles)
    questions = dataset.questions
    say(f"{len(titles)} articles, {len(questions)} answerable questions")
    with tempfile.TemporaryDirectory(prefix="articleqa-eval-cache-") as cache_dir:
        cache = Path(cache_dir)
        vectors = embedder.embed([q.text for q in questions])
        full = _Index.of_squad(dataset, titles, settings, embedder, cache)
        try:
            rows = [
                _hits(
                    _ask_all(
                        full.searcher(abstain_threshold=-1e9, subject_check=False, **overrides),
                        questions,
                        vectors,
                    ),
                    questions,
                    name,
                )
                for name, overrides in RANKERS.items()
            ]
        finally:
            full.close()
        say("ranking measured; measuring abstention with each article left out")
        in_scores: list[float] = []
        out_scores: list[float] = []
        # Whether each question is answered as a user asks it (every rule of the subject
        # check, not only the names and the similarity the threshold is calibrated on).
        in_answered: list[bool] = []
        out_answered: list[bool] = []
        if len(titles) >= 2:
            for left_out in titles:
                kept = [t for t in titles if t != left_out]
                fold = _Index.of_squad(dataset, kept, settings, embedder, cache)
                try:
                    searcher = fold.searcher()
                    for question, vector in zip(questions, vectors, strict=True):
                        info = read_question(question.text)
                        candidates = searcher.rank(question.text, vector, _no_filters())
                        # A question whose names no kept article mentions is declined whatever
                        # its similarity: it scores below any threshold.
                        score = (
                            searcher.evidence(candidates)
                            if searcher.supported_names(info, candidates)
                            else float("-inf")
                        )
                        (out_scores if question.article == left_out else in_scores).append(score)
                        answered = searcher.ask(question.text, 3, query_vector=vector).answered
                        (out_answered if question.article == left_out else in_answered).append(
                            answered
                        )
                finally:
                    fold.close()
    threshold = (
        calibrate_threshold(in_scores, out_scores)
        if calibrate
        else abstain_threshold(settings, embedder.name)
    )
    if out_scores and calibrate:
        # The calibrated threshold is not the searcher's: only the scores can say what it does.
        rows[0].abstain_out = sum(s < threshold for s in out_scores) / len(out_scores)
        rows[0].answered_in = sum(s >= threshold for s in in_scores) / len(in_scores)
    elif out_answered:
        rows[0].abstain_out = out_answered.count(False) / len(out_answered)
        rows[0].answered_in = in_answered.count(True) / len(in_answered)
    if with_txtai:
        txtai_row = _txtai_row(dataset, embedder_path=settings.model_path)
        if txtai_row is not None:
            rows.append(txtai_row)
    return Report(
        rows=rows,
        threshold=threshold,
        details={"in_scores": in_scores, "out_scores": out_scores},
    )


def _no_filters() -> Any:
    from articleqa.search import SearchFilters

    return SearchFilters()


def _txtai_row(
    dataset: Dataset, embedder_path: Path | None, contains: Matcher = contains_answer
) -> Row | None:
    """txtai's hybrid search (dense + BM25) on the same model over whole paragraphs."""
    try:
        from txtai import Embeddings
    except ImportError:
        logger.info("txtai is not installed; its row is skipped (pip install '.[eval]')")
        return None
    from articleqa.embedding import bundled_model_path

    paragraphs = [p for title in dataset.articles for p in dataset.articles[title]]
    embeddings = Embeddings(
        path=str(embedder_path or bundled_model_path()), content=True, hybrid=True
    )
    embeddings.index([(i, text, None) for i, text in enumerate(paragraphs)])
    hit1 = hit3 = 0
    lengths: list[int] = []
    for question in dataset.questions:
        results = embeddings.search(question.text.replace("'", " "), 3)
        texts = [r["text"] for r in results]
        lengths.extend(len(t) for t in texts)
        hit1 += bool(texts) and contains(texts[0], question.answers)
        hit3 += any(contains(t, question.answers) for t in texts)
    n = len(dataset.questions)
    return Row(
        name="txtai hybrid (paragraphs)",
        hit1=hit1 / n,
        hit3=hit3 / n,
        median_quote_chars=statistics.median(lengths) if lengths else 0,
        questions=n,
        notes="no highlight, no abstention",
    )


def format_table(report: Report) -> str:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    columns = (
        "ranker",
        "hit@1",
        "hit@3",
        "highlight@1",
        "median quote (chars)",
        "median highlight (chars)",
        "abstain (left-out)",
        "abstain (near)",
        "abstain (off)",
        "answered (in-index)",
        "questions",
    )
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in report.rows:
        median = "–" if row.median_quote_chars is None else f"{row.median_quote_chars:.0f}"
        highlight = (
            "–" if row.median_highlight_chars is None else f"{row.median_highlight_chars:.0f}"
        )
        lines.append(
            f"| {row.name} | {pct(row.hit1)} | {pct(row.hit3)} | {pct(row.highlight1)} | "
            f"{median} | {highlight} | {pct(row.abstain_out)} | {pct(row.abstain_near)} | "
            f"{pct(row.abstain_off)} | {pct(row.answered_in)} | "
            f"{row.questions} |"
        )
    lines.append("")
    right = report.rows[0].out_answered_right if report.rows else None
    if right:
        lines.append(
            f"left-out questions the other documents answer (a gold answer quoted): {right:.3f}"
        )
    lines.append(f"abstention threshold: {report.threshold:.4f}")
    return "\n".join(lines)


# --- Real documents: a folder with docs/, docs.json and questions.json (eval/realdocs) -------


@dataclass(frozen=True, slots=True)
class Unanswerable:
    text: str
    kind: str  # "near": the documents' domain; "off": unrelated


@dataclass(slots=True)
class DocumentSet:
    folder: Path
    groups: dict[str, str]  # file -> topic group
    questions: list[Question]  # ``article`` is the file that answers
    unanswerable: list[Unanswerable]


def load_document_set(folder: Path) -> DocumentSet:
    try:
        docs = json.loads((folder / "docs.json").read_text(encoding="utf-8"))
        entries = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
        groups = {str(d["file"]): str(d["group"]) for d in docs}
        questions = [
            Question(str(e["doc"]), str(e["question"]), tuple(e["answers"]))
            for e in entries
            if e.get("doc")
        ]
        unanswerable = [
            Unanswerable(str(e["question"]), str(e.get("kind", "off")))
            for e in entries
            if not e.get("doc")
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            f"{folder} is not a document set (docs/, docs.json, questions.json): {exc}"
        ) from exc
    unknown = sorted({q.article for q in questions} - set(groups))
    if unknown:
        raise InvalidInput(f"questions name documents missing from docs.json: {unknown}")
    return DocumentSet(folder, groups, questions, unanswerable)


def _read_documents(documents: DocumentSet, settings: Settings) -> dict[str, RawArticle]:
    from articleqa.ingest import read_file

    raws: dict[str, RawArticle] = {}
    for file in documents.groups:
        for label, result in read_file(documents.folder / "docs" / file, settings):
            if not isinstance(result, RawArticle):
                raise InvalidInput(f"{label}: {result}")
            raws[file] = result
    return raws


def evaluate_documents(
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    with_txtai: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Quality on real documents read through the ingest pipeline, as a user would add them.

    hit@1/hit@3/highlight@1 on the answerable questions with every document indexed;
    "abstain (left-out)" asks each document's questions of the others (a same-kind document
    stays: topic-adjacent); "near" and "off" are the set's unanswerable questions.
    """
    documents = load_document_set(folder)
    say = progress or (lambda _message: None)
    raws = _read_documents(documents, settings)
    questions = documents.questions
    say(f"{len(raws)} documents, {len(questions)} answerable questions")
    with tempfile.TemporaryDirectory(prefix="articleqa-eval-cache-") as cache_dir:
        cache = Path(cache_dir)
        full = _Index(list(raws.items()), settings, embedder, cache)
        try:
            searcher = full.searcher()
            answers = [searcher.ask(q.text, 3) for q in questions]
            row = _hits(
                [
                    full.searcher(abstain_threshold=-1e9, subject_check=False).ask(q.text, 3)
                    for q in questions
                ],
                questions,
                "articleqa hybrid",
                contains_verbatim,
            )
            row.answered_in = sum(a.answered for a in answers) / len(answers)
            for kind in ("near", "off"):
                asked = [u for u in documents.unanswerable if u.kind == kind]
                if asked:
                    declined = sum(not searcher.ask(u.text, 3).answered for u in asked)
                    setattr(row, f"abstain_{kind}", declined / len(asked))
        finally:
            full.close()
        say("measuring abstention with each document left out")
        declined = answered_right = asked_out = 0
        for left_out in raws:
            own = [q for q in questions if q.article == left_out]
            if not own:
                continue
            kept = [(f, r) for f, r in raws.items() if f != left_out]
            fold = _Index(kept, settings, embedder, cache)
            try:
                fold_searcher = fold.searcher()
                for question in own:
                    answer = fold_searcher.ask(question.text, 3)
                    declined += not answer.answered
                    answered_right += any(
                        contains_verbatim(quote.text, question.answers) for quote in answer.quotes
                    )
                asked_out += len(own)
            finally:
                fold.close()
        row.abstain_out = declined / asked_out if asked_out else None
        row.out_answered_right = answered_right / asked_out if asked_out else None
    rows = [row]
    if with_txtai:
        paragraphs = {
            file: [p for p in prepare_article(raw).text.split("\n\n") if p.strip()]
            for file, raw in raws.items()
        }
        txtai_row = _txtai_row(
            Dataset(paragraphs, questions), settings.model_path, contains_verbatim
        )
        if txtai_row is not None:
            rows.append(txtai_row)
    return Report(rows=rows, threshold=abstain_threshold(settings, embedder.name))


# --- Conversations: eval/followups (follow-up questions asked with and without context) -----


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    answers: tuple[str, ...]
    kind: str  # "start", "follow-up" (needs the turns before it) or "new-subject"


@dataclass(slots=True)
class FollowUpReport:
    conversations: int
    follow_ups: int
    with_context: float  # gold in quote 1, the earlier questions sent as context
    without_context: float  # the same turns asked on their own
    subject_changes: int
    dragged_back: float  # subject changes answered from the old subject, or said to follow up
    subject_changes_answered: float  # gold in quote 1 of the subject changes, with context
    misses: list[str] = field(default_factory=list)


def load_conversations(folder: Path) -> tuple[list[Path], list[list[Turn]]]:
    """The set's source folders (relative to it) and its conversations."""
    try:
        data = json.loads((folder / "conversations.json").read_text(encoding="utf-8"))
        sources = [(folder / s).resolve() for s in data["sources"]]
        conversations = [
            [
                Turn(str(t["question"]), tuple(t["answers"]), str(t.get("kind", "start")))
                for t in c["turns"]
            ]
            for c in data["conversations"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            f"{folder} is not a conversation set (conversations.json): {exc}"
        ) from exc
    return sources, conversations


def evaluate_followups(
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    progress: Callable[[str], None] | None = None,
) -> FollowUpReport:
    """Follow-up questions asked with the conversation's earlier questions as context beside
    the same questions asked alone (gold answer inside quote 1), and how often a turn that
    changes subject is pulled back to the old one: said to follow up, or quoted from the
    article that answered the turn before while missing its own answer."""
    from articleqa.ingest import read_file

    say = progress or (lambda _message: None)
    sources, conversations = load_conversations(folder)
    raws: list[tuple[str, RawArticle]] = []
    for source in sources:
        for path in sorted(p for p in source.iterdir() if p.is_file()):
            raws.extend(
                (label, result)
                for label, result in read_file(path, settings)
                if isinstance(result, RawArticle)
            )
    say(f"{len(raws)} articles, {len(conversations)} conversations")
    with tempfile.TemporaryDirectory(prefix="articleqa-eval-cache-") as cache_dir:
        index = _Index(raws, settings, embedder, Path(cache_dir))
        try:
            return _ask_conversations(index.searcher(), conversations)
        finally:
            index.close()


def _ask_conversations(searcher: Searcher, conversations: list[list[Turn]]) -> FollowUpReport:
    def gold_first(answer: Answer, turn: Turn) -> bool:
        return bool(answer.quotes) and contains_verbatim(answer.quotes[0].text, turn.answers)

    with_hits = without_hits = follow_ups = changes = dragged = change_hits = 0
    misses: list[str] = []
    for turns in conversations:
        previous: Answer | None = None
        for position, turn in enumerate(turns):
            context = [t.question for t in turns[:position]]
            answer = searcher.ask(turn.question, 3, context=context)
            if turn.kind == "follow-up":
                follow_ups += 1
                with_hits += gold_first(answer, turn)
                without_hits += gold_first(searcher.ask(turn.question, 3), turn)
                if not gold_first(answer, turn):
                    misses.append(f"{' / '.join(context)} / {turn.question}")
            elif turn.kind == "new-subject":
                changes += 1
                change_hits += gold_first(answer, turn)
                earlier = {q.article.id for q in previous.quotes} if previous else set()
                pulled = (
                    bool(answer.quotes)
                    and answer.quotes[0].article.id in earlier
                    and not gold_first(answer, turn)
                )
                dragged += answer.following_up_on is not None or pulled
            previous = answer
    return FollowUpReport(
        conversations=len(conversations),
        follow_ups=follow_ups,
        with_context=with_hits / follow_ups if follow_ups else 0.0,
        without_context=without_hits / follow_ups if follow_ups else 0.0,
        subject_changes=changes,
        dragged_back=dragged / changes if changes else 0.0,
        subject_changes_answered=change_hits / changes if changes else 0.0,
        misses=misses,
    )


def format_followups(report: FollowUpReport) -> str:
    return "\n".join(
        [
            f"{report.conversations} conversations",
            "| turns | n | gold in quote 1, with context | without context |",
            "|---|---:|---:|---:|",
            f"| follow-ups | {report.follow_ups} | {report.with_context:.3f} "
            f"| {report.without_context:.3f} |",
            f"| subject changes | {report.subject_changes} "
            f"| {report.subject_changes_answered:.3f} | — |",
            "",
            f"subject changes dragged back to the old subject: {report.dragged_back:.3f}",
        ]
    )
