"""Passages: verbatim offsets, whole sentences, headings as context, duplicates collapsed."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articleqa.config import Settings
from articleqa.errors import IngestError
from articleqa.ingest import read_sources
from articleqa.ingest.markdown import read_markdown
from articleqa.ingest.prepare import content_hash, prepare_article
from articleqa.models import Article, BlockKind, Passage, RawArticle
from articleqa.passages import (
    Sentence,
    Span,
    continued_from,
    introduced_by,
    is_heading,
    merge_duplicates,
    normalized_words,
    pack_sentences,
    paragraph_spans,
    passage_id,
    sentence_spans,
    split_article,
    splitting_fingerprint,
)
from tests.conftest import SAMPLE_ARTICLES

NOW = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)

_WORD_LIST = (
    "council tram river storm school robot harbour museum vote budget rain judge team goal report "
    "market price city water line station the of and in to with after before its their"
)
WORDS = _WORD_LIST.split()
# Mid-sentence tokens a naive splitter would cut at.
TRICKY = [
    "Dr. Achterberg",
    "Mr. Mahon",
    "St. Brendan's",
    "U.S. Navy",
    "4.2",
    "3,400",
    "J. K. Rowling",
    "a.m.",
]
# Sentences end on a noun: a one-letter word before the full stop would read as an initial.
NOUNS = "council tram river storm school robot harbour museum budget market station".split()  # noqa: SIM905
HEADING_WORDS = "Paying Wider Economy Next Steps Judging Battlefield Kremlin Response".split()  # noqa: SIM905


def make_article(text: str, title: str = "Generated article", article_id: str = "a1") -> Article:
    return Article(
        id=article_id,
        title=title,
        content_hash=content_hash(title, text, None, None, None),
        chars=len(text),
        added_at=NOW,
        updated_at=NOW,
        text=text,
    )


@dataclass
class Generated:
    """An article text plus where its sentences and headings really are (the test's oracle)."""

    text: str
    sentences: list[Span] = field(default_factory=list)
    headings: list[Span] = field(default_factory=list)
    # sentences of paragraphs that repeat an earlier paragraph word for word
    repeated: list[Span] = field(default_factory=list)


def make_sentence(rng: random.Random, serial: itertools.count[int], long: bool) -> str:
    # Long ones exceed most drawn max_words yet stay under SENTENCE_MAX_WORDS (150, with the
    # k-tokens added below), past which a sentence is cut by words (test_passage_cap.py).
    length = rng.randint(90, 112) if long else rng.randint(1, 30)
    words: list[str] = []
    while sum(len(w.split()) for w in words) < length:  # TRICKY entries hold several words
        words.append(rng.choice(WORDS + TRICKY))
    # A unique token every few words keeps distinct paragraphs from being near-duplicates.
    for index in range(0, len(words), 4):
        words[index] = f"{words[index]} k{next(serial)}"
    words.append(rng.choice(NOUNS))
    body = " ".join(words)
    body = body[0].upper() + body[1:]
    end = rng.choice([".", "!", "?", '."'])
    return f'"{body}{end}' if end == '."' else f"{body}{end}"


@st.composite
def articles(draw: st.DrawFn) -> Generated:
    serial = itertools.count()
    # Words come from a seeded generator: drawing each one through hypothesis is slow, and
    # the structure (blocks, sentence counts, long sentences) is what shrinking should explain.
    rng = draw(st.randoms(use_true_random=False))
    blocks: list[tuple[str, list[str]]] = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["paragraph", "paragraph", "heading", "repeat"]))
        earlier = [b for b in blocks if b[0] == "paragraph"]
        if kind == "heading":
            words = draw(st.lists(st.sampled_from(HEADING_WORDS), min_size=1, max_size=6))
            blocks.append(("heading", [" ".join(words)]))
        elif kind == "repeat" and earlier:
            blocks.append(("repeat", draw(st.sampled_from(earlier))[1]))
        else:
            longs = draw(
                st.lists(
                    st.booleans().map(lambda b: b and rng.random() < 0.3), min_size=1, max_size=6
                )
            )
            blocks.append(("paragraph", [make_sentence(rng, serial, long) for long in longs]))
    if blocks[-1][0] != "paragraph":
        blocks.append(("paragraph", [make_sentence(rng, serial, long=False)]))

    generated = Generated("")
    position = 0
    parts: list[str] = []
    for kind, pieces in blocks:
        if parts:
            parts.append("\n\n")
            position += 2
        if kind == "heading":
            generated.headings.append(Span(position, position + len(pieces[0])))
            parts.append(pieces[0])
            position += len(pieces[0])
            continue
        for number, sentence in enumerate(pieces):
            if number:
                parts.append(" ")
                position += 1
            span = Span(position, position + len(sentence))
            # A repeat of a short paragraph is kept (structure: a label, a term line).
            dropped = kind == "repeat" and len(normalized_words(" ".join(pieces))) >= 8
            (generated.repeated if dropped else generated.sentences).append(span)
            parts.append(sentence)
            position += len(sentence)
    generated.text = "".join(parts)
    return generated


def _words(text: str) -> int:
    return len(text.split())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=articles(), min_words=st.integers(5, 80), extra=st.integers(5, 100))
def test_passages_are_verbatim_whole_sentences_outside_headings(
    generated: Generated, min_words: int, extra: int
) -> None:
    max_words = min_words + extra
    article = make_article(generated.text)

    passages = split_article(article, min_words, max_words)

    starts = {s.start for s in generated.sentences}
    ends = {s.end for s in generated.sentences}
    for passage in passages:
        [span] = passage.spans
        assert span.article_id == article.id
        assert passage.text == article.text[span.start : span.end]
        assert passage.id == passage_id(passage.text)
        # Never cut inside a sentence: a passage starts and ends where a sentence does.
        assert span.start in starts, passage.text
        assert span.end in ends, passage.text
        for heading in generated.headings:
            assert heading.end <= span.start or heading.start >= span.end, (
                "heading inside a passage"
            )
        inside = [s for s in generated.sentences if span.start <= s.start and s.end <= span.end]
        assert len(inside) == 1 or _words(passage.text) <= max_words * 5 // 4, (
            "only a single long sentence may exceed the word limit"
        )
        context, _, lead = passage.context.partition("\n")
        code = {s.start for s in article.layout or () if s.kind is BlockKind.CODE}
        assert (lead or None) == (
            continued_from(article.text, span.start)
            or introduced_by(article.text, span.start, paragraph_spans(article.text), code)
        )
        if passage.heading is not None:
            heading_texts = {article.text[h.start : h.end] for h in generated.headings}
            assert set(passage.heading.split(": ")) <= heading_texts
            assert context == f"{article.title} — {passage.heading}"
        else:
            assert context == article.title


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=articles(), min_words=st.integers(5, 80), extra=st.integers(5, 100))
def test_every_sentence_is_kept_once_and_repeated_paragraphs_are_dropped(
    generated: Generated, min_words: int, extra: int
) -> None:
    article = make_article(generated.text)

    passages = split_article(article, min_words, min_words + extra)

    spans = [p.spans[0] for p in passages]
    for sentence in generated.sentences:
        assert any(s.start <= sentence.start and sentence.end <= s.end for s in spans), (
            f"sentence lost: {article.text[sentence.start : sentence.end]!r}"
        )
    for sentence in generated.repeated:
        assert all(s.end <= sentence.start or s.start >= sentence.end for s in spans), (
            "a repeated paragraph was quoted a second time"
        )
    # Neighbours share at most one sentence (the overlap), never more.
    for before, after in itertools.pairwise(spans):
        shared = [s for s in generated.sentences if after.start <= s.start and s.end <= before.end]
        assert len(shared) <= 1


def test_sentence_spans_respect_abbreviations_initials_and_quotes() -> None:
    text = (
        'Dr. Helen Achterberg chaired the panel. J. K. Rowling was not there. "It was close," '
        'she said. The U.S. Navy sent 4.2 tonnes! Was it enough? "No."'
    )

    found = [text[s.start : s.end] for s in sentence_spans(text, Span(0, len(text)))]

    assert found == [
        "Dr. Helen Achterberg chaired the panel.",
        "J. K. Rowling was not there.",
        '"It was close," she said.',
        "The U.S. Navy sent 4.2 tonnes!",
        "Was it enough?",
        '"No."',
    ]


@pytest.mark.parametrize(
    ("paragraph", "heading"),
    [
        ("Diplomatic favor", True),
        ("Putin's alleged request to Musk over Starlink activation", True),
        ("2026 in review", True),
        ("The vote was close.", False),
        ("lower-case kicker line", False),
        ("One two three four five six seven eight nine ten eleven twelve thirteen", False),
        ("What's the story", True),
        ("Is this a question?", False),
    ],
)
def test_is_heading(paragraph: str, heading: bool) -> None:
    assert is_heading(paragraph) is heading


def test_pack_sentences_long_sentence_stands_alone() -> None:
    text = " ".join(
        ["Short sentence here."] * 3
        + ["Long " + "word " * 200 + "end."]
        + ["Tail sentence here."] * 2
    )
    sentences = sentence_spans(text, Span(0, len(text)))
    items = [
        Sentence(
            s.start, s.end, _words(text[s.start : s.end]), ends_paragraph=i == len(sentences) - 1
        )
        for i, s in enumerate(sentences)
    ]

    groups = pack_sentences(items, min_words=10, max_words=20)

    long_index = 3
    assert (long_index, long_index + 1) in groups
    covered = sorted({i for first, last in groups for i in range(first, last)})
    assert covered == list(range(len(items)))


def _sample(name: str) -> list[Article]:
    settings = Settings(home=SAMPLE_ARTICLES, embedding_backend="fake", _env_file=None)
    found = [r for _, r in read_sources([str(SAMPLE_ARTICLES / name)], settings)]
    assert all(isinstance(r, RawArticle) for r in found)
    return [prepare_article(r) for r in found if isinstance(r, RawArticle)]


def test_seed_like_repeated_paragraph_is_one_passage() -> None:
    [article] = _sample("musk-putin-contact-report.txt")
    repeated = (
        "Putin is said to have asked Musk not to switch on Starlink over Taiwan, a favor to "
        "Chinese President Xi Jinping."
    )
    first = article.text.index(repeated)
    second = article.text.index(repeated, first + 1)

    passages = split_article(article)

    holding = [p for p in passages if repeated in p.text]
    assert len(holding) == 1
    [span] = holding[0].spans
    assert span.start <= first < span.end
    assert all(not (p.spans[0].start <= second < p.spans[0].end) for p in passages)


def test_a_passage_opening_on_a_list_s_item_carries_the_list_s_lead_in() -> None:
    # aucat(1): "stop ... all files are rewound back to the starting position" began a passage
    # that never said what "start" and "stop" were; the lead-in above the list did.
    items = "\n\n".join(
        f"{name}\nAll files are {verb} as the sequencer asks, and the position is kept."
        for name, verb in (
            ("relocate", "relocated"),
            ("start", "started"),
            ("pause", "paused"),
            ("stop", "stopped and rewound"),
        )
    )
    text = (
        "aucat can be controlled through MIDI as follows, one channel for each stream.\n\n"
        f"All audio files are controlled by the following MMC messages:\n\n{items}\n\n"
        "• Route the sound from one channel to another.\n\n• Apply a volume to each file."
    )
    article = make_article(text)

    passages = split_article(article, 10, 24)

    [stop] = [p for p in passages if p.text.startswith("stop")]
    assert stop.context == (
        f"{article.title}\nAll audio files are controlled by the following MMC messages:"
    )
    # The bullets after the terms are another list, with no lead-in of their own.
    [bullets] = [p for p in passages if p.text.startswith("• Route")]
    assert bullets.context == article.title


def test_a_passage_going_on_with_a_table_or_a_definition_carries_its_header_or_term() -> None:
    # crcmod.predefined's table of 60 algorithms: the passage holding "crc-32c | 0x11EDC6F41 |
    # ..." did not say the column was the polynomial; crcmod's ":param initCrc:" definition
    # went on in a passage that never said initCrc ("... Defaults to all bits set ...").
    rows = "\n".join(f"crc-{n} | 0x{n:X}7 | True | 0x{n:X}" for n in range(8, 60))
    definition = " ".join(f"Sentence {n} of what the initial value means here." for n in range(30))
    text = (
        "The module offers the following predefined algorithms:\n\n"
        f"Name | Polynomial | Reversed? | Check\n{rows}\n\n"
        f"param poly:\nThe polynomial.\nparam initCrc:\n{definition} Defaults to all bits set."
    )
    article = make_article(text)

    passages = split_article(article, 20, 40)

    later_rows = [p for p in passages if p.text.startswith("crc-") and "crc-8 |" not in p.text]
    assert later_rows
    for passage in later_rows:
        assert passage.context == f"{article.title}\nName | Polynomial | Reversed? | Check"
        assert passage.embedding_text().startswith(passage.context + "\n")
    [default] = [p for p in passages if "Defaults to all bits set." in p.text]
    assert not default.text.startswith("param initCrc:")
    assert default.context == f"{article.title}\nparam initCrc:"
    # A passage opening on its own term, or on a table's header, goes on from nothing.
    assert continued_from(text, text.index("param initCrc:")) is None
    assert continued_from(text, text.index("Name | Polynomial")) is None
    assert continued_from(text, text.index("The module")) is None


def test_headings_become_context_and_are_never_quoted() -> None:
    [article] = _sample("musk-putin-contact-report.txt")

    passages = split_article(article)

    taiwan = next(p for p in passages if "not to activate his Starlink" in p.text)
    assert taiwan.heading == "Favor for Beijing: What Putin reportedly asked about Taiwan"
    assert taiwan.context == f"{article.title} — {taiwan.heading}"
    assert taiwan.embedding_text().startswith(taiwan.context + "\n")
    for passage in passages:
        assert "What Putin reportedly asked about Taiwan" not in passage.text
        assert "Kremlin response" not in passage.text


def _passage_holding(words: str, page: str, max_words: int = 60) -> Passage:
    """The passage of a Markdown ``page`` holding ``words``, split into small passages."""
    passages = split_article(prepare_article(read_markdown(page, None)), 3, max_words)
    return next(p for p in passages if words in p.text)


def test_a_heading_stands_under_the_nearest_higher_heading_of_its_markup() -> None:
    # A troubleshooting page: "#### Solution" said nothing of what it solves once text stood
    # between it and its entry's "### 6) Build hangs ...", so "How do I stop a build from
    # hanging ...?" found the symptom, never the fix.
    page = (
        "# Troubleshooting\n\n## Common issues\n\nA list of issues and their fixes.\n\n"
        "### 6) Build hangs when the Dockerfile adds a user\n\n"
        "A command like useradd with a large UID can make the build hang.\n\n"
        "#### Symptom\n\nThe build never finishes while a huge lastlog file is written.\n\n"
        "#### Solution\n\nAdd the --no-log-init parameter to the useradd command.\n\n"
        "### 7) Permission denied\n\nA home directory mounted noexec is refused.\n"
    )
    fix = _passage_holding("--no-log-init", page, max_words=40)
    assert fix.heading == (
        "Common issues: 6) Build hangs when the Dockerfile adds a user: Solution"
    )
    assert _passage_holding("noexec", page).heading == "Common issues: 7) Permission denied"


_SCREEN_FAQ = (
    "Q: Screen hangs when I detach from it on an old system. What can be done?\n\n"
    "A: Upgrade the kernel, or run screen with the -fn option to turn flow control off "
    "before you detach.\n\n"
    "Q: Mesg or biff cannot be turned on or off while running screen.\n\n"
    "A: Screen failed to change the owner of the pty it uses. You need to install screen "
    "setuid-root. See the file INSTALL for details.\n\n"
    "Q: The cursor left key deletes the characters instead of just moving the cursor.\n\n"
    "A: Your terminal emulator treats the backspace as destructive. You can probably change "
    "this somewhere in the setup.\n"
)


def test_a_faq_question_is_read_with_its_answer() -> None:
    # GNU screen's FAQ labels its questions "Q:" without a question mark; a passage ended
    # after one, so "what is the fix?" quoted the question and never the answer.
    passages = split_article(make_article(_SCREEN_FAQ), min_words=10, max_words=60)

    mesg = next(p for p in passages if "Mesg or biff" in p.text)
    assert "setuid-root" in mesg.text


def test_a_question_asked_in_prose_is_read_with_the_paragraph_answering_it() -> None:
    # vdirsyncer's tutorial: a note asks "... so why not pair collections by that value?" and
    # the next paragraph answers; a passage ended on the question, so "Why doesn't vdirsyncer
    # match collections by their display names?" quoted the question and never the answer.
    note = (
        "You may wonder why vdirsyncer just could not figure this out by itself. After all, "
        "you did name both collections Test, which is called the displayname, so why not pair "
        "collections by that value?\n\n"
        "There are a few problems with this idea: two calendars may have the same exact "
        "displayname, and a calendar may not have a displayname at all.\n\n"
        "Vdirsyncer pairs collections by the name of their folder instead, which is stable.\n"
    )
    passages = split_article(make_article(note), min_words=10, max_words=60)

    asking = next(p for p in passages if "why not pair" in p.text)
    assert "the same exact displayname" in asking.text


def test_prose_that_runs_on_into_code_is_read_with_it() -> None:
    # podman's rootless tutorial: "In rootless Podman these fields default to" and then the
    # code block with the paths; the sentence was a passage of its own and the paths another.
    page = (
        "# Rootless Podman\n\n## storage.conf\n\n"
        "In rootless Podman certain fields in /etc/containers/storage.conf are ignored. These "
        "fields are graphroot and runroot, where container storage keeps its content.\n\n"
        "In rootless Podman these fields default to\n\n"
        '```\ngraphroot="$HOME/.local/share/containers/storage"\n```\n\n'
        "Run podman info to see the values in use.\n"
    )
    lead = _passage_holding("these fields default to", page)

    assert "$HOME/.local/share/containers/storage" in lead.text


def test_prose_that_runs_on_after_code_is_read_with_it() -> None:
    # GoogleTest's build README: "you can add" / "-DGTEST_DONT_DEFINE_FOO=1" / "to the compiler
    # flags to tell GoogleTest to change the macro's name": the rest of the sentence started a
    # passage of its own, and the example naming -DGTEST_DONT_DEFINE_TEST=1 went with it.
    page = (
        "# Building\n\n## Avoiding Macro Name Clashes\n\n"
        "In C++, macros don't obey namespaces. Two libraries that both define a macro of the "
        "same name will clash if you include both definitions.\n\n"
        "Specifically, if both GoogleTest and some other code define macro FOO, you can add\n\n"
        "    -DGTEST_DONT_DEFINE_FOO=1\n\n"
        "to the compiler flags to tell GoogleTest to change the macro's name from FOO to "
        "GTEST_FOO.\n\nThis is the last paragraph of the section, about something else.\n"
    )
    lead = _passage_holding("you can add", page, max_words=40)

    assert "-DGTEST_DONT_DEFINE_FOO=1\n\nto the compiler flags" in lead.text


def test_near_duplicate_paragraph_collapses() -> None:
    paragraph = (
        "Fire crews used boats to reach 41 people in the streets around Tanner's Lane, where "
        "water stood nearly a metre deep in places. Nobody was seriously hurt, according to the "
        "county emergency coordinator, Siobhan Greer, but two firefighters were treated for "
        "hypothermia after spending most of the night in the water helping older residents."
    )
    nearly = paragraph.replace("nearly a metre", "almost a metre")
    other = "The council has opened a rest centre at the Lower Town community hall for residents."
    article = make_article("\n\n".join([paragraph, other, nearly]))

    passages = split_article(article, min_words=5, max_words=80)

    assert sum("Tanner's Lane" in p.text for p in passages) == 1
    assert any(other in p.text for p in passages)


def test_a_short_paragraph_that_repeats_is_structure_and_is_kept() -> None:
    # A MyST page labels each command block ("Pip-cli"); the second label used to be dropped as
    # a duplicate, which split the lead-in from its command, so "What command installs ... in
    # editable mode?" was answered with the bare lead-in. Options named again in their own
    # section lost their term lines the same way.
    page = (
        "# Local project installs\n\n## Regular installs\n\n"
        "You can install local projects by specifying the project path to pip:\n\n"
        "```{pip-cli}\n$ pip install path/to/SomeProject\n```\n\n"
        "This will install the project into the Python that pip is associated with.\n\n"
        "## Editable installs\n\nYou can install local projects in editable mode:\n\n"
        "```{pip-cli}\n$ pip install -e path/to/SomeProject\n```\n\n"
        "Editable installs allow you to install your project without copying any files.\n"
    )
    article = prepare_article(read_markdown(page, None))

    passages = split_article(article)

    editable = next(p for p in passages if "editable mode:" in p.text)
    assert "$ pip install -e path/to/SomeProject" in editable.text


def test_last_short_line_is_content_not_a_heading() -> None:
    article = make_article("The tram opens in 2029.\n\nReporting by Daniel Osei")

    [passage] = split_article(article, min_words=20, max_words=40)

    assert passage.text == article.text


def _two_articles_sharing(paragraph: str) -> tuple[Article, Article]:
    first = make_article(
        "Halloran's will build a second chocolate factory outside Ballina and hire 140 people.\n\n"
        f"The wider economy\n\n{paragraph}\n\nProduction is due to start in the summer of 2028.",
        title="Chocolate factory",
        article_id="business",
    )
    second = make_article(
        "Councillors voted 23 to 14 to extend the Harbour Line tram to Fenwick Park.\n\n"
        f"Jobs\n\n{paragraph}\n\nConstruction starts in spring 2027.",
        title="Tram extension",
        article_id="transport",
    )
    return first, second


WIRE = (
    "The regional statistics office said on Tuesday that unemployment in the Lakeshore region "
    "fell to 4.1 percent in the third quarter, its lowest level since 2008, with construction "
    "and food manufacturing adding the most jobs."
)


def test_identical_passage_across_articles_is_kept_once_with_both_sources() -> None:
    first, second = _two_articles_sharing(WIRE)
    split = split_article(first, 5, 40) + split_article(second, 5, 40)

    merged = merge_duplicates(split)

    shared = [p for p in merged if p.text == WIRE]
    assert len(shared) == 1
    assert [s.article_id for s in shared[0].spans] == ["business", "transport"]
    texts = {"business": first.text, "transport": second.text}
    for span in shared[0].spans:
        assert texts[span.article_id][span.start : span.end] == WIRE
    assert len(merged) == len(split) - 1
    # The inputs are not modified: each split passage still has its own single span.
    assert all(len(p.spans) == 1 for p in split)


def test_merging_is_idempotent_and_keeps_distinct_passages() -> None:
    first, second = _two_articles_sharing(WIRE)
    merged = merge_duplicates(split_article(first, 5, 40) + split_article(second, 5, 40))

    again = merge_duplicates(merged + merged)

    assert [(p.id, [(s.article_id, s.start) for s in p.spans]) for p in again] == [
        (p.id, [(s.article_id, s.start) for s in p.spans]) for p in merged
    ]
    assert len({p.id for p in merged}) == len(merged)


def test_sample_wire_paragraph_is_one_passage_with_two_sources() -> None:
    articles = _sample("harbour-line-tram-extension.md") + _sample(
        "ledger-business-and-technology.jsonl"
    )

    merged: list[Passage] = merge_duplicates([p for a in articles for p in split_article(a)])

    wire = [
        p for p in merged if p.text.startswith("The regional statistics office said on Tuesday")
    ]
    assert len(wire) == 1
    by_id = {a.id: a for a in articles}
    assert {by_id[s.article_id].title for s in wire[0].spans} == {
        "Council approves Harbour Line tram extension after six-hour debate",
        "Halloran's to build second chocolate factory and hire 140",
    }
    for span in wire[0].spans:
        assert by_id[span.article_id].text[span.start : span.end] == wire[0].text


@settings(max_examples=200, deadline=None)
@given(
    raw=st.text(
        alphabet=st.sampled_from(list("abcXYZ .,!?\"'’“”-—\n\t\u00a0\u0301é1:;()…")), max_size=600
    )
)
def test_any_cleaned_text_splits_into_verbatim_trimmed_passages(raw: str) -> None:
    try:
        article = prepare_article(RawArticle(title="Fuzz", text=raw), now=NOW)
    except IngestError:
        return

    for passage in split_article(article, min_words=5, max_words=20):
        [span] = passage.spans
        assert 0 <= span.start < span.end <= len(article.text)
        assert passage.text == article.text[span.start : span.end]
        assert passage.text == passage.text.strip()


def test_the_splitting_fingerprint_covers_the_heading_guess() -> None:
    # Passages split by other code are not reused (split cache, incremental builds): the guess
    # of headings in text without markup lives in articleqa.headings and splits passages too.
    import hashlib
    from pathlib import Path

    from articleqa import headings, passages

    digest = hashlib.sha256()
    for module in (passages, headings):
        digest.update(Path(str(module.__file__)).read_bytes())

    assert splitting_fingerprint() == digest.hexdigest()[:16]
