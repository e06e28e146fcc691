"""Splitting stored article text into passages with exact ``[start, end)`` offsets.

Passages never cut a sentence (except one over ``SENTENCE_MAX_WORDS`` words or
``SENTENCE_MAX_CHARS`` characters, cut between words), never cross a heading and never include
one: headings become the passage's embedding context (and each quote's ``heading``) instead.
Headings come from the document's markup (the article's layout); only text read without markup
has them inferred. A line inside a paragraph (a list item, a table row, a term and its
definition) ends a sentence, and a paragraph that leads in to what follows ("... exits with
the following status:") stays with it. Repeated paragraphs inside an article are skipped, and
passages with the same normalised words share one id, so the index holds them once.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import sys
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from articleqa import headings as headings_module
from articleqa.headings import is_heading
from articleqa.models import Article, BlockKind, LayoutSpan, Passage, SourceSpan

_PARAGRAPH_SEP = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-ÖØ-Þ])")
_ABBREVIATION_LIST = (
    "mr mrs ms dr prof sr jr st mt vs etc e.g i.e u.s u.k u.n inc ltd co corp gen gov sen rep "
    "jan feb mar apr jun jul aug sep sept oct nov dec no fig dept est approx lt col capt sgt "
    "rev ph.d a.m p.m"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_LIST.split())
_WORD = re.compile(r"\w+", re.UNICODE)
_NEAR_DUPLICATE_JACCARD = 0.85
# A paragraph this short that repeats is structure, not pasted-in content: a label ("Note",
# "Examples:"), an option or command named again in its own section ("-e script"), an exit
# code. Dropping it split a lead-in from its code block and cut definitions from their terms.
_DUPLICATE_MIN_WORDS = 8


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    words: int
    ends_paragraph: bool
    leads_in: bool = False  # ends a paragraph that introduces the next one ("...:")


def paragraph_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    position = 0
    for match in _PARAGRAPH_SEP.finditer(text):
        spans.append(Span(position, match.start()))
        position = match.end()
    spans.append(Span(position, len(text)))
    return [_strip(text, s) for s in spans if text[s.start : s.end].strip()]


@functools.cache
def splitting_fingerprint() -> str:
    """A hash of the code that splits an article into passages (this module and the heading
    guess it uses): passages split by other code are split again, not reused."""
    digest = hashlib.sha256()
    for module in (sys.modules[__name__], headings_module):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def paragraph_numbers(text: str, spans: Sequence[Span]) -> tuple[int, ...]:
    """Which paragraph of ``text`` (0, 1, ...: blank lines separate them) each span starts in."""
    breaks = [match.start() for match in _PARAGRAPH_SEP.finditer(text)]
    return tuple(bisect.bisect_right(breaks, span.start) for span in spans)


def _strip(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def sentence_spans(text: str, span: Span) -> list[Span]:
    """Sentences of ``text[span.start:span.end]`` as absolute spans, abbreviations respected.

    A line break ends a sentence: inside a stored paragraph, lines are list items, table rows
    or a term and its definition (wrapped prose was joined when the article was cleaned).
    """
    sentences: list[Span] = []
    line_start = span.start
    while True:
        newline = text.find("\n", line_start, span.end)
        line_end = span.end if newline < 0 else newline
        if text[line_start:line_end].strip():
            sentences.extend(_line_sentences(text, Span(line_start, line_end)))
        if newline < 0:
            return sentences
        line_start = newline + 1


def passage_sentences(text: str) -> list[Span]:
    """The sentences of a passage, relative to its text: the units the searcher scores and the
    indexer embeds, one vector each, so both must split alike."""
    return sentence_spans(text, Span(0, len(text)))


def _line_sentences(text: str, span: Span) -> list[Span]:
    sentences: list[Span] = []
    start = span.start
    segment = text[span.start : span.end]
    for match in _SENTENCE_END.finditer(segment):
        end = span.start + match.end()
        if _ends_with_abbreviation(text, start, span.start + match.start() + 1):
            continue
        sentences.append(_strip(text, Span(start, end)))
        start = end
    if text[start : span.end].strip():
        sentences.append(_strip(text, Span(start, span.end)))
    return sentences


def _ends_with_abbreviation(text: str, start: int, dot_end: int) -> bool:
    token = text[start:dot_end].rsplit(None, 1)[-1].lstrip("\"'“‘([").lower()
    bare = token.rstrip(".")
    if bare in _ABBREVIATIONS:
        return True
    # An initial ("J. K. Rowling") or a dotted acronym ("U.S.") is not a sentence end.
    return (len(bare) == 1 and bare.isalpha()) or re.fullmatch(r"(?:\w\.)+\w?", token) is not None


# Passages are capped (issue 15, item 6): a sentence longer than this is cut between words, so
# one unpunctuated multi-megabyte line cannot become one passage (and every quote megabytes).
SENTENCE_MAX_WORDS = 150
SENTENCE_MAX_CHARS = 1_500
# For packing, a run of very long tokens counts as its length / 20 words, so passages stay
# bounded in characters too (real prose averages 5-6 characters a word: unaffected).
_CHARS_PER_WORD = 20
_TOKEN = re.compile(r"\S+")


def split_long_sentence(text: str, span: Span) -> list[Span]:
    """``span`` itself, or consecutive pieces of at most ``SENTENCE_MAX_WORDS`` words and
    ``SENTENCE_MAX_CHARS`` characters, cut between words (inside a word only when that word
    alone is longer). Every piece is still a verbatim slice of ``text``."""
    if span.end - span.start <= SENTENCE_MAX_WORDS:
        return [span]  # too short to hold more words than the cap
    pieces: list[Span] = []
    first = last = -1
    words = 0
    for match in _TOKEN.finditer(text, span.start, span.end):
        start, end = match.start(), match.end()
        if first >= 0 and (words >= SENTENCE_MAX_WORDS or end - first > SENTENCE_MAX_CHARS):
            pieces.append(Span(first, last))
            first = -1
        while end - start > SENTENCE_MAX_CHARS:
            pieces.append(Span(start, start + SENTENCE_MAX_CHARS))
            start += SENTENCE_MAX_CHARS
        if first < 0:
            first, words = start, 0
        words += 1
        last = end
    if first >= 0:
        pieces.append(Span(first, last))
    return pieces


def measured_words(text: str, span: Span) -> int:
    return max(len(text[span.start : span.end].split()), (span.end - span.start) // _CHARS_PER_WORD)


def normalized_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def passage_id(text: str) -> str:
    return hashlib.sha256(" ".join(normalized_words(text)).encode()).hexdigest()[:16]


def _shingles(words: list[str], size: int = 3) -> set[tuple[str, ...]]:
    if len(words) < size:
        return {tuple(words)}
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


class _DuplicateFilter:
    """Remembers paragraphs seen in one article; says when one repeats (exactly or nearly)."""

    def __init__(self) -> None:
        self._exact: set[str] = set()
        self._shingles: list[set[tuple[str, ...]]] = []

    def is_duplicate(self, paragraph: str) -> bool:
        words = normalized_words(paragraph)
        if len(words) < _DUPLICATE_MIN_WORDS:
            return False
        key = " ".join(words)
        if key in self._exact:
            return True
        shingles = _shingles(words)
        for seen in self._shingles:
            overlap = len(shingles & seen) / max(1, len(shingles | seen))
            if overlap >= _NEAR_DUPLICATE_JACCARD:
                return True
        self._shingles.append(shingles)
        self._exact.add(key)
        return False


@dataclass(slots=True)
class _Section:
    heading: str | None
    sentences: list[Sentence]


# A FAQ's label for its question ("Q: Mesg or biff cannot be turned on ...", "Question 3.").
QUESTION_LABEL = re.compile(r"\s*(?:Q|Question)(?:\s*\d+(?:\.\d+)*)?\s*[:.)]\s", re.IGNORECASE)
# And for its answer ("A) By default, write commands ... are disabled."), at a line's start.
ANSWER_LABEL = re.compile(r"(?:^|(?<=\n))\s*(?:A|Answer)\s*[:.)]\s", re.IGNORECASE)


def _layout_kinds(text: str, layout: list[LayoutSpan] | None) -> dict[int, tuple[BlockKind, int]]:
    """Paragraph start -> kind and heading level (0: not known), from the layout; inferred
    headings, of no known level, when there is none."""
    if layout is not None:
        return {s.start: (s.kind, s.level) for s in layout}
    paragraphs = paragraph_spans(text)
    return {
        span.start: (BlockKind.HEADING, 0)
        for span in paragraphs[:-1]
        if is_heading(text[span.start : span.end])
    }


def _under(
    headings: list[tuple[int, str]], heading: str, level: int, follows_heading: bool
) -> list[tuple[int, str]]:
    """The headings a new one stands under, with it last.

    With levels from the markup, a heading is under the nearest heading of a higher level
    before it, whatever text stands between them: "#### Solution" under "### 6) Build hangs
    when the Dockerfile contains the useradd command", which says what it solves. Without,
    consecutive headings (kicker then headline) read together and text ends the chain."""
    if level:
        parents = [(lv, h) for lv, h in headings if 0 < lv < level]
    else:
        parents = headings if follows_heading else []
    return [*parents, (level, heading)]


# A word that goes on with a sentence broken off by the code above it ("to the compiler flags",
# "and then run", "instead of").
_JOINING_WORD = re.compile(
    r"(?:to|and|or|in|into|on|onto|for|with|then|which|where|that|as|before|after|if|so|but|"
    r"instead|from|at|by|when|while|until|of|is|are|will|would|should|can|could|followed)\b"
)


def _sections(text: str, layout: list[LayoutSpan] | None = None) -> Iterator[_Section]:
    """Runs of contiguous, non-duplicate paragraphs under the same heading."""
    duplicates = _DuplicateFilter()
    kinds = _layout_kinds(text, layout)
    headings: list[tuple[int, str]] = []
    current: list[Sentence] = []
    previous_kind: BlockKind | None = None
    paragraphs = paragraph_spans(text)
    for at, span in enumerate(paragraphs):
        paragraph = text[span.start : span.end]
        kind, level = kinds.get(span.start, (BlockKind.TEXT, 0))
        if kind is BlockKind.HEADING:
            if current:
                yield _Section(_context(headings), current)
                current = []
            headings = _under(headings, paragraph, level, previous_kind is BlockKind.HEADING)
            previous_kind = kind
            continue
        if kind is BlockKind.TEXT and duplicates.is_duplicate(paragraph):
            # Passages are contiguous slices, so a skipped paragraph ends the run.
            if current:
                yield _Section(_context(headings), current)
                current = []
            previous_kind = kind
            continue
        # Code stands apart from prose, unless the prose before it introduces it.
        code_boundary = (kind is BlockKind.CODE) != (previous_kind is BlockKind.CODE)
        if code_boundary and current and not current[-1].leads_in:
            yield _Section(_context(headings), current)
            current = []
        previous_kind = kind
        spans = [p for s in sentence_spans(text, span) for p in split_long_sentence(text, s)]
        # A FAQ's question ("Q: ...") is read with its answer, as a lead-in with its list; so
        # is prose whose sentence runs on into the code under it ("In rootless Podman these
        # fields default to" over 'graphroot="$HOME/.local/share/containers/storage"').
        following = paragraphs[at + 1].start if at + 1 < len(paragraphs) else None
        runs_into_code = (
            kind is BlockKind.TEXT
            and following is not None
            and kinds.get(following, (BlockKind.TEXT, 0))[0] is BlockKind.CODE
            and paragraph.rstrip()[-1:].isalnum()
        )
        # Code a sentence runs on after ("you can add" / "-DGTEST_DONT_DEFINE_FOO=1" / "to the
        # compiler flags to tell GoogleTest ..."): the prose under it goes on with a word that
        # joins (a command's name may start a sentence in lower case: "xargs exits with ...").
        runs_on_after = (
            kind is BlockKind.CODE
            and following is not None
            and kinds.get(following, (BlockKind.TEXT, 0))[0] is BlockKind.TEXT
            and _JOINING_WORD.match(text, following) is not None
        )
        # A question ends no passage: its answer is the paragraph under it ("... so why not
        # pair collections by that value?" over "There are a few problems with this idea:").
        asks = paragraph.rstrip().endswith("?") and following is not None
        leads_in = (
            paragraph.rstrip().endswith(":")
            or asks
            or runs_into_code
            or runs_on_after
            or (
                QUESTION_LABEL.match(paragraph) is not None
                and ANSWER_LABEL.search(paragraph) is None
            )
        )
        for number, sentence in enumerate(spans):
            last = number == len(spans) - 1
            current.append(
                _sentence(text, sentence, ends_paragraph=last, leads_in=last and leads_in)
            )
    if current:
        yield _Section(_context(headings), current)


def _context(headings: list[tuple[int, str]]) -> str | None:
    return ": ".join(heading for _level, heading in headings) or None


def _sentence(text: str, span: Span, *, ends_paragraph: bool, leads_in: bool = False) -> Sentence:
    return Sentence(
        span.start,
        span.end,
        measured_words(text, span),
        ends_paragraph=ends_paragraph,
        leads_in=leads_in,
    )


def pack_sentences(
    sentences: list[Sentence], min_words: int, max_words: int
) -> list[tuple[int, int]]:
    """Group sentences into ``[first, last)`` runs of about ``min_words``-``max_words`` words.

    A run ends at a paragraph end once it has ``min_words``; a run that must end inside a
    paragraph hands its last sentence on to the next run (one-sentence overlap). A sentence
    longer than ``max_words`` stands alone: sentences are never cut.
    """
    groups: list[tuple[int, int]] = []
    first = 0
    count = len(sentences)
    while first < count:
        last = first
        words = 0
        while last < count and (words == 0 or words + sentences[last].words <= max_words):
            words += sentences[last].words
            last += 1
            ending = sentences[last - 1]
            if words >= min_words and ending.ends_paragraph and not ending.leads_in:
                break
        groups.append((first, last))
        if last >= count:
            break
        split_inside_paragraph = not sentences[last - 1].ends_paragraph
        first = last - 1 if split_inside_paragraph and last - 1 > first else last
    # A short tail reads better folded into the passage before it.
    if len(groups) >= 2:
        (a_first, _a_last), (b_first, b_last) = groups[-2], groups[-1]
        tail_words = sum(s.words for s in sentences[b_first:b_last])
        merged_words = sum(s.words for s in sentences[a_first:b_last])
        if tail_words < min_words // 2 and merged_words <= max_words * 5 // 4:
            groups[-2:] = [(a_first, b_last)]
    return groups


def split_article(article: Article, min_words: int = 60, max_words: int = 120) -> list[Passage]:
    """The passages of one article, each a verbatim slice ``article.text[start:end]``."""
    passages: list[Passage] = []
    paragraphs = paragraph_spans(article.text)
    paragraph_starts = [span.start for span in paragraphs]
    code = {s.start for s in article.layout or () if s.kind is BlockKind.CODE}
    for section in _sections(article.text, article.layout):
        for first, last in pack_sentences(section.sentences, min_words, max_words):
            start, end = section.sentences[first].start, section.sentences[last - 1].end
            text = article.text[start:end]
            context = f"{article.title} — {section.heading}" if section.heading else article.title
            lead = continued_from(article.text, start, paragraph_starts)
            if lead is None:
                lead = introduced_by(article.text, start, paragraphs, code)
            if lead is not None:
                context = f"{context}\n{lead}"
            passages.append(
                Passage(
                    id=passage_id(text),
                    text=text,
                    context=context,
                    heading=section.heading,
                    spans=[SourceSpan(article.id, start, end)],
                )
            )
    return passages


# How a table's cells are joined on their row's line (``articleqa.ingest``'s tables).
TABLE_CELLS = " | "


def continued_from(
    text: str, start: int, paragraph_starts: Sequence[int] | None = None
) -> str | None:
    """The line a passage starting at ``start`` goes on from, inside the paragraph it starts
    in (``paragraph_starts``: where ``text``'s paragraphs start, when already known): the
    header row of the table its first line is a row of ("Name | Polynomial | ..."), or the term
    whose definition it goes on with ("param initCrc:"). A passage that opens on a table's
    fortieth row or a definition's third sentence says neither; its context does, after a
    line break (``context_lead`` reads it back)."""
    if paragraph_starts is None:
        paragraph_starts = [span.start for span in paragraph_spans(text)]
    if not paragraph_starts:
        return None
    paragraph_start = paragraph_starts[max(bisect.bisect_right(paragraph_starts, start) - 1, 0)]
    if paragraph_start >= start:
        return None
    line_start = max(text.rfind("\n", paragraph_start, start) + 1, paragraph_start)
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if TABLE_CELLS in line:
        header_end = text.find("\n", paragraph_start, line_start)
        header = text[paragraph_start:header_end] if header_end >= 0 else ""
        return header.strip() if TABLE_CELLS in header else None
    if _is_term_line(line):
        return None  # it opens on a term of its own
    # The term is looked for a few lines up: a long paragraph of lines is read once per passage.
    end = line_start - 1
    for _ in range(_TERM_REACH):
        if end <= paragraph_start:
            break
        begin = max(text.rfind("\n", paragraph_start, end) + 1, paragraph_start)
        if _is_term_line(text[begin:end]):
            return text[begin:end].strip()
        end = begin - 1
    return None


def introduced_by(
    text: str, start: int, paragraphs: Sequence[Span], code: AbstractSet[int] = frozenset()
) -> str | None:
    """The lead-in of the list a passage opening on one of its items goes on with: the last
    sentence of the paragraph that introduces the items above it ("All audio files are
    controlled by the following MMC messages:" over "relocate ...", "start ...", then "stop
    ... rewound back to the starting position", where a passage begins). A passage opening
    on the list's fifth item says nothing of what the items are; its context does. Lines of
    code (``code``: where code blocks start) are no list's items."""
    place = bisect.bisect_left(paragraphs, start, key=lambda span: span.start)
    if place >= len(paragraphs) or paragraphs[place].start != start:
        return None
    first = _item_kind(text[paragraphs[place].start : paragraphs[place].end])
    if start in code or first is None:
        return None
    before = place - 1
    while before >= 0 and place - before <= _ITEM_REACH:
        paragraph = text[paragraphs[before].start : paragraphs[before].end]
        if paragraphs[before].start in code:
            return None
        kind = _item_kind(paragraph)
        if kind is None:
            if not paragraph.rstrip().endswith(":") or "\n" in paragraph.strip():
                return None
            sentences = _SENTENCE_END.split(paragraph.strip())
            return sentences[-1].strip() or None
        if kind != first:
            return None  # another list's items, or one item's own paragraphs
        before -= 1
    return None


def _item_kind(paragraph: str) -> str | None:
    """What kind of list's item a paragraph is: its bullet ("•", "-"), "1." for a numbered
    one, "term" for a term over its definition ("stop\nPlayback and/or recording is stopped
    ..."); None for a paragraph that is no item."""
    mark = _ITEM_MARK.match(paragraph)
    if mark is not None:
        return "1." if mark.group(0)[0].isdigit() else mark.group(0)[0]
    term, newline, definition = paragraph.partition("\n")
    if newline and definition.strip() and len(term.split()) <= _TERM_MAX_WORDS:
        return "term"
    return None


# A list item's mark: a bullet, or an item's number ("3.", "2)").
_ITEM_MARK = re.compile(r"^(?:[-*•·▪]\s+|\d{1,3}[.)]\s+)")
# How many items above a passage its list's lead-in is looked for.
_ITEM_REACH = 40
# How many lines above a passage its definition's term is looked for.
_TERM_REACH = 40
# A term line is short ("param initCrc:", "-o, --output FILE:"); a longer line ending in ":" is
# a lead-in sentence, whose list the passage would already hold.
_TERM_MAX_WORDS = 6


def context_lead(context: str) -> str | None:
    """The line a passage's ``context`` says it goes on from (``continued_from``), if any."""
    _, newline, lead = context.rpartition("\n")
    return lead if newline else None


def _is_term_line(line: str) -> bool:
    return line.rstrip().endswith(":") and len(line.split()) <= _TERM_MAX_WORDS


def merge_duplicates(passages: list[Passage]) -> list[Passage]:
    """One passage per id; a passage found in several articles keeps every source."""
    merged: dict[str, Passage] = {}
    for passage in passages:
        kept = merged.get(passage.id)
        if kept is None:
            merged[passage.id] = Passage(
                passage.id, passage.text, passage.context, passage.heading, list(passage.spans)
            )
            continue
        known = {(s.article_id, s.start) for s in kept.spans}
        kept.spans.extend(s for s in passage.spans if (s.article_id, s.start) not in known)
    return list(merged.values())
